//! MS-DRG complication/comorbidity (CC) and major CC (MCC) capture: for each
//! secondary diagnosis, whether MS-DRG counts it as a CC or MCC with this
//! principal diagnosis (the principal-diagnosis exclusion lists applied), so
//! the reviewer sees what the documentation supports.
//!
//! The tables live in their own artifact (kind `CCMC`, file `ccmcc.icdx`):
//! writer ([`CcMccSource::build`]) and reader ([`CcMcc`]) side by side.
//!
//! ```
//! use icd_core::record::ccmcc::{CcEntry, CcLevel, CcMcc, CcMccSource};
//! let src = CcMccSource {
//!     release: "MS-DRG v43.1".into(),
//!     entries: vec![CcEntry { code: "E871".into(), level: CcLevel::Cc, collection: 7, alive_only: false }],
//!     exclusions: vec![(7, vec!["E871".into(), "E870".into()])],
//! };
//! let t = CcMcc::open(src.build()).unwrap();
//! let e = t.entry("E871").unwrap();
//! assert_eq!(e.level, CcLevel::Cc);
//! assert!(t.excluded(e.collection, "E870") && !t.excluded(e.collection, "I10"));
//! ```
//!
//! `icd build-index` writes `ccmcc.icdx` from
//! `msdrg/msdrg-v43.1-definitions.json.xz`; `icd check` reads it from the
//! index folder, and `icd check --ccmcc FILE` reads another artifact or the
//! decompressed definitions JSON.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::Serialize;

use super::{rules, Authority, Finding, Prepared, Setting};
use crate::artifact::{
    check_fst, empty_map, ArtifactError, ArtifactWriter, Layout, Rows, RowsBuilder,
};

/// Artifact kind of the CC/MCC file.
pub const KIND: [u8; 4] = *b"CCMC";
/// File name of the CC/MCC artifact (from the [registry](crate::registry)).
pub const FILE: &str = crate::registry::file(crate::registry::ArtifactId::CcMcc);

const T_CODES: [u8; 4] = *b"CFST";
const T_ROWS: [u8; 4] = *b"CROW";
const T_EXCL: [u8; 4] = *b"XFST";

/// CC or MCC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CcLevel {
    /// Complication or comorbidity.
    Cc,
    /// Major complication or comorbidity.
    Mcc,
}

/// One secondary diagnosis that MS-DRG counts as a CC or MCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcEntry {
    /// Code without dot.
    pub code: String,
    /// CC or MCC.
    pub level: CcLevel,
    /// Its principal-diagnosis exclusion list (`ccmap[code].pdx`, a number).
    pub collection: u32,
    /// Counts only when the patient is discharged alive (`aowa`).
    pub alive_only: bool,
}

/// The CC/MCC tables as parsed from the MS-DRG definitions.
#[derive(Debug, Clone, Default)]
pub struct CcMccSource {
    /// Release label (`MS-DRG v43.1`).
    pub release: String,
    /// The CC and MCC codes.
    pub entries: Vec<CcEntry>,
    /// Exclusion lists: collection number and the principal diagnoses it excludes.
    pub exclusions: Vec<(u32, Vec<String>)>,
}

/// The key of (exclusion list, principal diagnosis) in an exclusion set:
/// the list's number big-endian, then the code. The grouper's tables
/// (`crate::drg`) key theirs the same way.
pub(crate) fn excl_key(collection: u32, pdx: &str) -> Vec<u8> {
    let mut k = collection.to_be_bytes().to_vec();
    k.extend_from_slice(pdx.as_bytes());
    k
}

/// Whether exclusion set `set` (keyed by [`excl_key`]) holds
/// (`collection`, `pdx`). The key is built on the stack: this runs for
/// every CC/MCC of every record.
pub(crate) fn set_excludes(set: &fst::Set<&[u8]>, collection: u32, pdx: &str) -> bool {
    let mut buf = [0u8; 20];
    match buf.get_mut(4..4 + pdx.len()) {
        Some(tail) => {
            tail.copy_from_slice(pdx.as_bytes());
            buf[..4].copy_from_slice(&collection.to_be_bytes());
            set.contains(&buf[..4 + pdx.len()])
        }
        None => set.contains(excl_key(collection, pdx)),
    }
}

impl CcMccSource {
    /// Compiles the tables into an artifact.
    pub fn build(&self) -> Vec<u8> {
        let mut entries: Vec<&CcEntry> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        entries.dedup_by(|a, b| a.code == b.code);
        let mut rows = RowsBuilder::new(3);
        let mut map = fst::MapBuilder::memory();
        for e in entries {
            let level = match e.level {
                CcLevel::Cc => 1,
                CcLevel::Mcc => 2,
            };
            let row = rows.push(&[level, e.collection, e.alive_only as u32]);
            map.insert(&e.code, row as u64).ok();
        }
        let keys: BTreeSet<Vec<u8>> = self
            .exclusions
            .iter()
            .flat_map(|(c, list)| list.iter().map(move |p| excl_key(*c, p)))
            .collect();
        let mut set = fst::SetBuilder::memory();
        for k in keys {
            set.insert(k).ok();
        }
        let mut w = ArtifactWriter::new(KIND, &self.release);
        w.section(T_CODES, map.into_inner().unwrap_or_default());
        w.section(T_ROWS, rows.to_bytes());
        w.section(T_EXCL, set.into_inner().unwrap_or_default());
        w.finish()
    }
}

#[derive(Debug, Clone)]
struct Sections {
    codes: Range<usize>,
    rows: Range<usize>,
    excl: Range<usize>,
}

/// The CC/MCC tables over any byte storage.
#[derive(Debug, Clone)]
pub struct CcMcc<D> {
    data: D,
    release: String,
    s: Sections,
}

impl<D: AsRef<[u8]>> CcMcc<D> {
    /// Opens a CC/MCC artifact, checking header, checksum and sections.
    pub fn open(data: D) -> Result<CcMcc<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            codes: layout.section(&T_CODES)?,
            rows: layout.section(&T_ROWS)?,
            excl: layout.section(&T_EXCL)?,
        };
        check_fst(&bytes[s.codes.clone()], &T_CODES)?;
        check_fst(&bytes[s.excl.clone()], &T_EXCL)?;
        if !s.rows.is_empty() {
            Rows::new(&bytes[s.rows.clone()], 3, &T_ROWS)?;
        }
        Ok(CcMcc {
            data,
            release: layout.release,
            s,
        })
    }

    /// The source release.
    pub fn release(&self) -> &str {
        &self.release
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }

    /// The CC/MCC entry of a secondary diagnosis (canonical code), if it is one.
    pub fn entry(&self, code: &str) -> Option<CcEntry> {
        let map = fst::Map::new(self.bytes(&self.s.codes)).unwrap_or_else(|_| empty_map());
        let row = map.get(code)? as u32;
        let rows = Rows::unchecked(self.bytes(&self.s.rows), 3);
        Some(CcEntry {
            code: code.to_string(),
            level: match rows.get(row, 0) {
                2 => CcLevel::Mcc,
                _ => CcLevel::Cc,
            },
            collection: rows.get(row, 1),
            alive_only: rows.get(row, 2) == 1,
        })
    }

    /// How many codes are CCs and how many MCCs.
    pub fn counts(&self) -> (usize, usize) {
        let rows = Rows::unchecked(self.bytes(&self.s.rows), 3);
        (0..rows.len() as u32).fold((0, 0), |(cc, mcc), r| match rows.get(r, 0) {
            2 => (cc, mcc + 1),
            _ => (cc + 1, mcc),
        })
    }

    /// How many (exclusion list, principal diagnosis) pairs there are.
    pub fn exclusion_count(&self) -> usize {
        fst::Set::new(self.bytes(&self.s.excl)).map_or(0, |s| s.len())
    }

    /// Whether exclusion list `collection` excludes principal diagnosis `pdx`.
    pub fn excluded(&self, collection: u32, pdx: &str) -> bool {
        let Ok(set) = fst::Set::new(self.bytes(&self.s.excl)) else {
            return false;
        };
        set_excludes(&set, collection, pdx)
    }
}

/// Reports each secondary diagnosis that is a CC or MCC, or would be one
/// but for the principal diagnosis or the patient's death.
pub(crate) fn check<D: AsRef<[u8]>>(t: &CcMcc<D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    if p.setting == Some(Setting::Outpatient) {
        return;
    }
    let Some(pdx) = p.dx.iter().find(|d| d.principal) else {
        return;
    };
    for d in p.dx.iter().filter(|d| !d.principal) {
        let Some(e) = t.entry(&d.code) else { continue };
        let level = match e.level {
            CcLevel::Cc => "CC",
            CcLevel::Mcc => "MCC",
        };
        let (rule, message) = if t.excluded(e.collection, &pdx.code) {
            (
                &rules::DRG_CC_EXCLUDED,
                format!(
                    "{} would be an {level} but does not count with principal diagnosis {} (exclusion list {:04})",
                    d.display, pdx.display, e.collection
                ),
            )
        } else if e.alive_only && p.status == Some(20) {
            (
                &rules::DRG_CC_EXCLUDED,
                format!(
                    "{} is an {level} only when the patient is discharged alive",
                    d.display
                ),
            )
        } else if e.level == CcLevel::Mcc {
            (
                &rules::DRG_MCC,
                format!(
                    "{} is an MCC with principal diagnosis {}",
                    d.display, pdx.display
                ),
            )
        } else {
            (
                &rules::DRG_CC,
                format!(
                    "{} is a CC with principal diagnosis {}",
                    d.display, pdx.display
                ),
            )
        };
        out.push(
            rule.finding(message)
                .with_codes([d.display.as_str(), pdx.display.as_str()])
                .with_fields([&*d.field, &*pdx.field])
                .with_authority(Authority::MsDrg {
                    version: t.release().to_string(),
                }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read() {
        let src = CcMccSource {
            release: "MS-DRG test".into(),
            entries: vec![
                CcEntry {
                    code: "I462".into(),
                    level: CcLevel::Mcc,
                    collection: 821,
                    alive_only: true,
                },
                CcEntry {
                    code: "E871".into(),
                    level: CcLevel::Cc,
                    collection: 7,
                    alive_only: false,
                },
            ],
            exclusions: vec![
                (7, vec!["E871".into(), "E870".into()]),
                (821, vec!["I469".into()]),
            ],
        };
        let bytes = src.build();
        let t = CcMcc::open(bytes.as_slice()).unwrap();
        assert_eq!(t.release(), "MS-DRG test");
        let e = t.entry("I462").unwrap();
        assert_eq!(
            (e.level, e.collection, e.alive_only),
            (CcLevel::Mcc, 821, true)
        );
        assert_eq!(t.entry("E871").unwrap().level, CcLevel::Cc);
        assert!(t.entry("I10").is_none());
        assert!(t.excluded(821, "I469") && !t.excluded(7, "I469") && t.excluded(7, "E870"));
        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(
            CcMcc::open(bad).unwrap_err(),
            ArtifactError::Checksum { .. }
        ));
        assert!(CcMcc::open(&bytes[..10]).is_err());
    }
}
