//! The MS-DRG grouper tables: the source form the CLI parses from the
//! definitions JSON and the FY weights ([`DrgSource`]), the artifact writer
//! ([`DrgSource::build`]) and its reader ([`DrgTables`]), side by side.
//!
//! Layout (kind `DRG_`, file `drg.icdx`):
//!
//! ```text
//! DXFS  fst: diagnosis code -> attribute list (start << 24 | count)
//! PRFS  fst: procedure code -> attribute list (start << 24 | count) << 2 | non-extensive << 1 | O.R.
//! ATID  u32 attribute ids, the lists of DXFS and PRFS
//! ATTR  rows [group, label, companion]: one per distinct attribute string
//! GRPS  rows [start, len] into GDRG: the DRG groups attributes name ("280&281&282")
//! GDRG  u32 DRG numbers
//! CCFS  fst: CC/MCC code -> level | alive-only << 2 | hac << 3 | collection << 16
//! EXCL  fst set: collection (u32 BE) + principal diagnosis (PDX exclusions)
//! DRGS  rows [drg, title, mdc, flags, weight e-4, gmlos e-1, amlos e-1, rank]
//! STRL/STRB  string pool: labels, companions, titles
//! ```
//!
//! The reader keeps the caller's bytes; on open it checks every section and
//! derives the small grouping model (DRG families by MDC, which groups are
//! gated by procedures or principal diagnoses) from the DRG and group rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use crate::artifact::{
    check_fst, empty_map, ArtifactError, ArtifactWriter, Layout, Rows, RowsBuilder, StrPool,
    StrPoolBuilder, NONE,
};
use crate::record::ccmcc::excl_key;

/// Artifact kind of the grouper tables.
pub const KIND: [u8; 4] = *b"DRG_";
/// File name of the grouper artifact.
pub const FILE: &str = "drg.icdx";

const T_DX: [u8; 4] = *b"DXFS";
const T_PR: [u8; 4] = *b"PRFS";
const T_ATID: [u8; 4] = *b"ATID";
const T_ATTR: [u8; 4] = *b"ATTR";
const T_GRPS: [u8; 4] = *b"GRPS";
const T_GDRG: [u8; 4] = *b"GDRG";
const T_CC: [u8; 4] = *b"CCFS";
const T_EXCL: [u8; 4] = *b"EXCL";
const T_DRGS: [u8; 4] = *b"DRGS";
const T_STRL: [u8; 4] = *b"STRL";
const T_STRB: [u8; 4] = *b"STRB";

const DRG_COLS: usize = 8;

/// One DRG of the definitions and its FY weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrgRow {
    /// The DRG number (1..=999).
    pub drg: u16,
    /// Its title.
    pub title: String,
    /// Its MDC; `None` for pre-MDC DRGs and 981-999.
    pub mdc: Option<u8>,
    /// A surgical DRG.
    pub surgical: bool,
    /// Relative weight (Table 5), `None` where CMS gives none.
    pub weight: Option<f64>,
    /// Geometric mean length of stay.
    pub gmlos: Option<f64>,
    /// Arithmetic mean length of stay.
    pub amlos: Option<f64>,
    /// Post-acute transfer DRG.
    pub post_acute: bool,
    /// Special-pay post-acute DRG.
    pub special_pay: bool,
    /// Place in the surgical hierarchy (`surgical_rank`, lower ranks first).
    pub rank: Option<u32>,
}

/// A CC or MCC secondary diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CcInfo {
    /// 2 for an MCC, 1 for a CC.
    pub level: u8,
    /// Its principal-diagnosis exclusion collection.
    pub collection: u32,
    /// Counts only when the patient leaves alive.
    pub alive_only: bool,
    /// Its HAC category (1..), 0 when none.
    pub hac: u8,
}

/// The grouper tables as parsed from the MS-DRG definitions and the weights.
#[derive(Debug, Clone, Default)]
pub struct DrgSource {
    /// Release label (`MS-DRG v43.1, FY2026 weights`).
    pub release: String,
    /// Diagnosis code and its attribute strings (`dxmap`).
    pub dx: Vec<(String, Vec<String>)>,
    /// Procedure code, its attribute strings (`prmap`), O.R. (`orpcsmap`)
    /// and non-extensive O.R. (`neoormap`).
    pub pr: Vec<(String, Vec<String>, bool, bool)>,
    /// CC/MCC codes (`ccmap`).
    pub cc: Vec<(String, CcInfo)>,
    /// Exclusion collections and the principal diagnoses each excludes (`exmap`).
    pub exclusions: Vec<(u32, Vec<String>)>,
    /// Every DRG.
    pub drgs: Vec<DrgRow>,
}

/// The DRG numbers of an attribute's group (`"280&281&282|PDX"` -> 280, 281, 282),
/// `None` for the routing attributes (`_MDC05`) and anything else.
fn attr_group(attr: &str) -> Option<Vec<u16>> {
    let head = attr.split('|').next()?;
    if !attr.contains('|') {
        return None;
    }
    head.split('&').map(|d| d.parse().ok()).collect()
}

impl DrgSource {
    /// Compiles the tables into an artifact.
    pub fn build(&self) -> Vec<u8> {
        let mut pool = StrPoolBuilder::default();
        let mut groups: BTreeMap<Vec<u16>, u32> = BTreeMap::new();
        let mut group_rows = RowsBuilder::new(2);
        let mut group_drgs: Vec<u32> = Vec::new();
        let mut attrs: HashMap<String, u32> = HashMap::new();
        let mut attr_rows = RowsBuilder::new(3);
        let mut attr_ids: Vec<u32> = Vec::new();
        let mut intern = |a: &str,
                          pool: &mut StrPoolBuilder,
                          attr_rows: &mut RowsBuilder,
                          group_rows: &mut RowsBuilder,
                          group_drgs: &mut Vec<u32>| {
            if let Some(id) = attrs.get(a) {
                return *id;
            }
            let mut parts = a.split('|');
            let head = parts.next().unwrap_or("");
            let (group, label, companion) = match attr_group(a) {
                Some(g) => {
                    let gid = *groups.entry(g.clone()).or_insert_with(|| {
                        let id = group_rows.push(&[group_drgs.len() as u32, g.len() as u32]);
                        group_drgs.extend(g.iter().map(|&d| d as u32));
                        id
                    });
                    let label = parts.next().unwrap_or("");
                    let companion = parts.next().unwrap_or("");
                    (gid, pool.add(label), pool.add(companion))
                }
                None => (NONE, pool.add(a), 0),
            };
            let _ = head;
            let id = attr_rows.push(&[group, label, companion]);
            attrs.insert(a.to_string(), id);
            id
        };
        let mut list = |codes: &mut Vec<(String, u64)>,
                        code: &str,
                        list: &[String],
                        extra: u64,
                        shift: u32| {
            let start = attr_ids.len() as u64;
            for a in list {
                let id = intern(
                    a,
                    &mut pool,
                    &mut attr_rows,
                    &mut group_rows,
                    &mut group_drgs,
                );
                attr_ids.push(id);
            }
            let count = list.len().min(255) as u64;
            codes.push((code.to_string(), ((start << 8 | count) << shift) | extra));
        };
        let mut dx: Vec<(String, u64)> = Vec::new();
        for (code, a) in &self.dx {
            list(&mut dx, code, a, 0, 0);
        }
        let mut pr: Vec<(String, u64)> = Vec::new();
        for (code, a, or, neo) in &self.pr {
            list(&mut pr, code, a, (*neo as u64) << 1 | *or as u64, 2);
        }
        let fst_map = |mut v: Vec<(String, u64)>| {
            v.sort();
            v.dedup_by(|a, b| a.0 == b.0);
            let mut m = fst::MapBuilder::memory();
            for (k, val) in v {
                m.insert(k, val).ok();
            }
            m.into_inner().unwrap_or_default()
        };
        let cc: Vec<(String, u64)> = self
            .cc
            .iter()
            .map(|(c, i)| {
                let v = i.level as u64
                    | (i.alive_only as u64) << 2
                    | (i.hac as u64) << 3
                    | (i.collection as u64) << 16;
                (c.clone(), v)
            })
            .collect();
        let keys: BTreeSet<Vec<u8>> = self
            .exclusions
            .iter()
            .flat_map(|(c, list)| list.iter().map(move |p| excl_key(*c, p)))
            .collect();
        let mut excl = fst::SetBuilder::memory();
        for k in keys {
            excl.insert(k).ok();
        }
        let mut drgs = RowsBuilder::new(DRG_COLS);
        let mut sorted: Vec<&DrgRow> = self.drgs.iter().collect();
        sorted.sort_by_key(|d| d.drg);
        sorted.dedup_by_key(|d| d.drg);
        let fixed = |v: Option<f64>, scale: f64| v.map_or(NONE, |v| (v * scale).round() as u32);
        for d in sorted {
            let flags =
                d.surgical as u32 | (d.post_acute as u32) << 2 | (d.special_pay as u32) << 3;
            drgs.push(&[
                d.drg as u32,
                pool.add(&d.title),
                d.mdc.map_or(NONE, u32::from),
                flags,
                fixed(d.weight, 1e4),
                fixed(d.gmlos, 10.0),
                fixed(d.amlos, 10.0),
                d.rank.unwrap_or(NONE),
            ]);
        }
        let mut w = ArtifactWriter::new(KIND, &self.release);
        w.section(T_DX, fst_map(dx));
        w.section(T_PR, fst_map(pr));
        w.section(T_ATID, crate::artifact::u32s_to_bytes(&attr_ids));
        w.section(T_ATTR, attr_rows.to_bytes());
        w.section(T_GRPS, group_rows.to_bytes());
        w.section(T_GDRG, crate::artifact::u32s_to_bytes(&group_drgs));
        w.section(T_CC, fst_map(cc));
        w.section(T_EXCL, excl.into_inner().unwrap_or_default());
        w.section(T_DRGS, drgs.to_bytes());
        pool.write(&mut w, T_STRL, T_STRB);
        w.finish()
    }
}

/// What a label says, decided once when the tables open.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LabelKind {
    /// Names principal diagnoses (`... PDX`, `PSDX`).
    pub pdx: bool,
    /// Names secondary diagnoses (`SDX` anywhere).
    pub sdx: bool,
    /// A second condition (`AND ...`).
    pub and: bool,
    /// An exception list (`... EXCEPT`).
    pub except: bool,
    /// Any O.R. procedure besides those listed (`ANY OTHER ORPCS ...`).
    pub any_other: bool,
}

/// One attribute: its group (or none), label and companion code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr {
    pub group: u32,
    pub label: u32,
    pub companion: u32,
}

/// One DRG family: the DRGs that split one condition by severity, status
/// or a second condition.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub drgs: Vec<u16>,
    /// The group whose DRGs these are exactly, if one.
    pub group: Option<u32>,
    pub proc_gated: bool,
    pub pdx_gated: bool,
}

/// The derived grouping model.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub attrs: Vec<Attr>,
    pub labels: Vec<LabelKind>,
    pub groups: Vec<Vec<u16>>,
    /// Per group: its labels' kinds, or-ed over all attributes.
    pub group_labels: Vec<Vec<u32>>,
    /// DRG row index by DRG number.
    pub drg_row: Vec<u32>,
    /// Per DRG number: its family key (MDC and title without the severity
    /// split, interned), its status condition (0 none, 1 alive, 2 expired),
    /// its severity split (see `grouper::sev_ok`) and its title's string id.
    pub drg_key: Vec<u32>,
    pub drg_status: Vec<u8>,
    pub drg_split: Vec<u8>,
    pub drg_title_id: Vec<u32>,
    /// Content words of every pooled string (labels and titles).
    pub words: Vec<Vec<String>>,
    /// Per label: used by some procedure's attribute.
    pub label_on_proc: Vec<bool>,
    /// Per label: used by some diagnosis's attribute.
    pub label_on_dx: Vec<bool>,
    /// Families by MDC (index 0..=25; 0 is pre-MDC), in DRG order.
    pub families: Vec<Vec<Family>>,
}

#[derive(Debug, Clone)]
struct Sections {
    dx: Range<usize>,
    pr: Range<usize>,
    atid: Range<usize>,
    cc: Range<usize>,
    excl: Range<usize>,
    drgs: Range<usize>,
}

/// The grouper tables over any byte storage.
#[derive(Debug, Clone)]
pub struct DrgTables<D> {
    data: D,
    release: String,
    s: Sections,
    offsets: Vec<u32>,
    strl: Range<usize>,
    strb: Range<usize>,
    pub(crate) model: Model,
}

impl<D: AsRef<[u8]>> DrgTables<D> {
    /// Opens a grouper artifact, checking header, checksum and sections.
    pub fn open(data: D) -> Result<DrgTables<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            dx: layout.section(&T_DX)?,
            pr: layout.section(&T_PR)?,
            atid: layout.section(&T_ATID)?,
            cc: layout.section(&T_CC)?,
            excl: layout.section(&T_EXCL)?,
            drgs: layout.section(&T_DRGS)?,
        };
        for (r, tag) in [
            (&s.dx, T_DX),
            (&s.pr, T_PR),
            (&s.cc, T_CC),
            (&s.excl, T_EXCL),
        ] {
            check_fst(&bytes[r.clone()], &tag)?;
        }
        let attr_r = layout.section(&T_ATTR)?;
        let grps_r = layout.section(&T_GRPS)?;
        let gdrg_r = layout.section(&T_GDRG)?;
        let strl = layout.section(&T_STRL)?;
        let strb = layout.section(&T_STRB)?;
        let offsets = StrPool::offsets(&bytes[strl.clone()], &bytes[strb.clone()], &T_STRL)?;
        let u32s = |r: &Range<usize>, tag: &[u8; 4]| -> Result<Vec<u32>, ArtifactError> {
            let b = &bytes[r.clone()];
            if !b.len().is_multiple_of(4) {
                return Err(ArtifactError::section(tag, "length is not a multiple of 4"));
            }
            Ok(b.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        };
        if !bytes[s.atid.clone()].len().is_multiple_of(4) {
            return Err(ArtifactError::section(
                &T_ATID,
                "length is not a multiple of 4",
            ));
        }
        let attr_rows = Rows::new(&bytes[attr_r], 3, &T_ATTR)?;
        let grp_rows = Rows::new(&bytes[grps_r], 2, &T_GRPS)?;
        let drg_rows = Rows::new(&bytes[s.drgs.clone()], DRG_COLS, &T_DRGS)?;
        let gdrg = u32s(&gdrg_r, &T_GDRG)?;
        let pool = StrPool::new(&offsets, &bytes[strb.clone()]);
        let mut model = Model {
            drg_row: vec![NONE; 1000],
            families: vec![Vec::new(); 26],
            ..Default::default()
        };
        for r in 0..grp_rows.len() as u32 {
            let (start, len) = (grp_rows.get(r, 0) as usize, grp_rows.get(r, 1) as usize);
            let g = gdrg
                .get(start..start.saturating_add(len))
                .ok_or_else(|| ArtifactError::section(&T_GRPS, "group out of range"))?;
            model.groups.push(g.iter().map(|&d| d as u16).collect());
        }
        model.group_labels = vec![Vec::new(); model.groups.len()];
        let mut label_ids: HashMap<u32, u32> = HashMap::new();
        for r in 0..attr_rows.len() as u32 {
            let a = Attr {
                group: attr_rows.get(r, 0),
                label: attr_rows.get(r, 1),
                companion: attr_rows.get(r, 2),
            };
            if a.group != NONE && a.group as usize >= model.groups.len() {
                return Err(ArtifactError::section(&T_ATTR, "group out of range"));
            }
            if a.label as usize >= pool.len() || a.companion as usize >= pool.len() {
                return Err(ArtifactError::section(&T_ATTR, "string out of range"));
            }
            label_ids.entry(a.label).or_insert(a.label);
            if a.group != NONE {
                let gl = &mut model.group_labels[a.group as usize];
                if !gl.contains(&a.label) {
                    gl.push(a.label);
                }
            }
            model.attrs.push(a);
        }
        let n_attrs = model.attrs.len() as u32;
        if bytes[s.atid.clone()]
            .chunks_exact(4)
            .any(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) >= n_attrs)
        {
            return Err(ArtifactError::section(&T_ATID, "attribute id out of range"));
        }
        model.labels = (0..pool.len() as u32)
            .map(|id| label_kind(pool.get(id)))
            .collect();
        for r in 0..drg_rows.len() as u32 {
            let drg = drg_rows.get(r, 0) as usize;
            if drg >= 1000 {
                return Err(ArtifactError::section(&T_DRGS, "DRG number over 999"));
            }
            model.drg_row[drg] = r;
        }
        let mut t = DrgTables {
            data,
            release: layout.release,
            s,
            offsets,
            strl,
            strb,
            model,
        };
        t.derive_families();
        Ok(t)
    }

    /// The source release.
    pub fn release(&self) -> &str {
        &self.release
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }

    pub(crate) fn str(&self, id: u32) -> &str {
        let _ = &self.strl;
        StrPool::new(&self.offsets, self.bytes(&self.strb)).get(id)
    }

    fn drg_rows(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.drgs), DRG_COLS)
    }

    /// The reference row of a DRG, as it was written ([`DrgRow`]).
    pub fn drg(&self, drg: u16) -> Option<DrgRow> {
        let row = *self.model.drg_row.get(drg as usize)?;
        if row == NONE {
            return None;
        }
        let r = self.drg_rows();
        let opt = |v: u32, scale: f64| (v != NONE).then(|| v as f64 / scale);
        let flags = r.get(row, 3);
        Some(DrgRow {
            drg,
            title: self.str(r.get(row, 1)).to_string(),
            mdc: (r.get(row, 2) != NONE).then(|| r.get(row, 2) as u8),
            surgical: flags & 1 == 1,
            weight: opt(r.get(row, 4), 1e4),
            gmlos: opt(r.get(row, 5), 10.0),
            amlos: opt(r.get(row, 6), 10.0),
            post_acute: flags & 4 != 0,
            special_pay: flags & 8 != 0,
            rank: Some(r.get(row, 7)).filter(|&v| v != NONE),
        })
    }

    pub(crate) fn drg_mdc(&self, drg: u16) -> Option<Option<u8>> {
        let row = *self.model.drg_row.get(drg as usize)?;
        if row == NONE {
            return None;
        }
        let m = self.drg_rows().get(row, 2);
        Some((m != NONE).then_some(m as u8))
    }

    pub(crate) fn drg_surgical(&self, drg: u16) -> bool {
        match self.model.drg_row.get(drg as usize) {
            Some(&row) if row != NONE => self.drg_rows().get(row, 3) & 1 == 1,
            _ => false,
        }
    }

    pub(crate) fn drg_title(&self, drg: u16) -> &str {
        match self.model.drg_row.get(drg as usize) {
            Some(&row) if row != NONE => self.str(self.drg_rows().get(row, 1)),
            _ => "",
        }
    }

    pub(crate) fn drg_rank(&self, drg: u16) -> u32 {
        match self.model.drg_row.get(drg as usize) {
            Some(&row) if row != NONE => self.drg_rows().get(row, 7),
            _ => NONE,
        }
    }

    fn attr_list(&self, value: u64) -> &[u8] {
        let start = (value >> 8) as usize * 4;
        let count = (value & 0xff) as usize * 4;
        self.bytes(&self.s.atid)
            .get(start..start + count)
            .unwrap_or(&[])
    }

    /// The attribute ids of a diagnosis; `None` when the grouper does not know it.
    pub(crate) fn dx_attrs(&self, code: &str) -> Option<impl Iterator<Item = u32> + '_> {
        let map = fst::Map::new(self.bytes(&self.s.dx)).unwrap_or_else(|_| empty_map());
        let v = map.get(code)?;
        Some(ids(self.attr_list(v)))
    }

    /// The attribute ids of a procedure, whether it is O.R. and non-extensive O.R.
    pub(crate) fn pr_attrs(
        &self,
        code: &str,
    ) -> Option<(impl Iterator<Item = u32> + '_, bool, bool)> {
        let map = fst::Map::new(self.bytes(&self.s.pr)).unwrap_or_else(|_| empty_map());
        let v = map.get(code)?;
        Some((ids(self.attr_list(v >> 2)), v & 1 == 1, v & 2 == 2))
    }

    /// The CC/MCC entry of a secondary diagnosis.
    pub fn cc(&self, code: &str) -> Option<CcInfo> {
        let map = fst::Map::new(self.bytes(&self.s.cc)).unwrap_or_else(|_| empty_map());
        // The designations the definitions leave out (see `omitted`).
        let Some(v) = map.get(code) else {
            return super::omitted::omitted(code);
        };
        Some(CcInfo {
            level: (v & 3) as u8,
            alive_only: v & 4 != 0,
            hac: ((v >> 3) & 0xff) as u8,
            collection: (v >> 16) as u32,
        })
    }

    /// Whether collection `collection` excludes principal diagnosis `pdx`.
    pub fn excluded(&self, collection: u32, pdx: &str) -> bool {
        if collection == super::omitted::NO_EXCLUSION {
            return false;
        }
        let Ok(set) = fst::Set::new(self.bytes(&self.s.excl)) else {
            return false;
        };
        crate::record::ccmcc::set_excludes(&set, collection, pdx)
    }

    /// Counts for `icd build-index`: diagnoses, procedures, CC, MCC, DRGs.
    pub fn counts(&self) -> [(&'static str, u64); 5] {
        let len = |r: &Range<usize>| fst::Map::new(self.bytes(r)).map_or(0, |m| m.len() as u64);
        let (mut cc, mut mcc) = (0, 0);
        if let Ok(m) = fst::Map::new(self.bytes(&self.s.cc)) {
            let mut s = m.stream();
            use fst::Streamer;
            while let Some((_, v)) = s.next() {
                if v & 3 == 2 {
                    mcc += 1
                } else {
                    cc += 1
                }
            }
        }
        [
            ("drg_diagnoses", len(&self.s.dx)),
            ("drg_procedures", len(&self.s.pr)),
            ("drg_cc", cc),
            ("drg_mcc", mcc),
            ("drg_drgs", self.drg_rows().len() as u64),
        ]
    }

    /// DRG families: the largest group holding a DRG, else consecutive DRGs
    /// of one MDC whose titles differ only in their severity split.
    fn derive_families(&mut self) {
        let n = self.offsets.len().saturating_sub(1);
        self.model.words = (0..n as u32)
            .map(|id| super::grouper::words(self.str(id)))
            .collect();
        let mut keys: HashMap<String, u32> = HashMap::new();
        let (mut key, mut status, mut split, mut tid) = (
            vec![NONE; 1000],
            vec![0u8; 1000],
            vec![0u8; 1000],
            vec![0u32; 1000],
        );
        for d in 0..1000u16 {
            let Some(mdc) = self.drg_mdc(d) else { continue };
            let t = self.drg_title(d);
            let k = format!("{mdc:?}{}", base_title(t));
            let next = keys.len() as u32;
            key[d as usize] = *keys.entry(k).or_insert(next);
            status[d as usize] = if t.contains("Discharged Alive") {
                1
            } else if t.contains("Expired") {
                2
            } else {
                0
            };
            split[d as usize] = match split_of(t) {
                None => 0,
                Some((true, "MCC", _)) => 1,
                Some((true, _, _)) => 2,
                Some((false, "MCC", _)) => 3,
                Some((false, _, _)) => 4,
            };
            let row = self.model.drg_row[d as usize];
            tid[d as usize] = self.drg_rows().get(row, 1);
        }
        self.model.drg_key = key;
        self.model.drg_status = status;
        self.model.drg_split = split;
        self.model.drg_title_id = tid;
        let mut fam_of: Vec<Option<Vec<u16>>> = vec![None; 1000];
        for g in &self.model.groups {
            if g.iter().all(|&d| self.drg_mdc(d).is_some()) {
                for &d in g {
                    let cur = fam_of[d as usize].as_ref().map_or(0, Vec::len);
                    if g.len() > cur {
                        fam_of[d as usize] = Some(g.clone());
                    }
                }
            }
        }
        let drgs: Vec<u16> = (0..1000u16)
            .filter(|&d| self.drg_mdc(d).is_some())
            .collect();
        let mut prev: Option<(Option<u8>, String, Vec<u16>)> = None;
        let mut title_fam: Vec<Vec<u16>> = vec![Vec::new(); 1000];
        let mut runs: Vec<Vec<u16>> = Vec::new();
        for &d in &drgs {
            let key = (self.drg_mdc(d).flatten(), base_title(self.drg_title(d)));
            match &mut prev {
                Some((m, t, run)) if *m == key.0 && *t == key.1 && run.last() == Some(&(d - 1)) => {
                    run.push(d)
                }
                _ => {
                    if let Some((_, _, run)) = prev.take() {
                        runs.push(run);
                    }
                    prev = Some((key.0, key.1, vec![d]));
                }
            }
        }
        if let Some((_, _, run)) = prev {
            runs.push(run);
        }
        for run in runs {
            for &d in &run {
                title_fam[d as usize] = run.clone();
            }
        }
        let family = |d: u16| -> Vec<u16> {
            fam_of[d as usize]
                .clone()
                .unwrap_or_else(|| title_fam[d as usize].clone())
        };
        let group_index: HashMap<Vec<u16>, u32> = self
            .model
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i as u32))
            .collect();
        // Which families procedures and principal diagnoses gate: marked
        // through the family of each attribute group's first DRG.
        let (mut proc_gated, mut pdx_gated) = (BTreeSet::new(), BTreeSet::new());
        let (mut label_on_proc, mut label_on_dx) = (Vec::new(), Vec::new());
        for (dx_side, range) in [(true, self.s.dx.clone()), (false, self.s.pr.clone())] {
            let map = fst::Map::new(self.bytes(&range)).unwrap_or_else(|_| empty_map());
            let mut seen = vec![false; self.model.groups.len()];
            let mut stream = map.stream();
            use fst::Streamer;
            while let Some((_, v)) = stream.next() {
                let v = if dx_side { v } else { v >> 2 };
                for id in ids(self.attr_list(v)) {
                    let Some(a) = self.model.attrs.get(id as usize) else {
                        continue;
                    };
                    if a.group != NONE && !seen[a.group as usize] {
                        seen[a.group as usize] = true;
                    }
                }
            }
            {
                let mut on = vec![false; self.offsets.len()];
                let mut stream = map.stream();
                while let Some((_, v)) = stream.next() {
                    let v = if dx_side { v } else { v >> 2 };
                    for id in ids(self.attr_list(v)) {
                        if let Some(a) = self.model.attrs.get(id as usize) {
                            if let Some(x) = on.get_mut(a.label as usize) {
                                *x = true;
                            }
                        }
                    }
                }
                if dx_side {
                    label_on_dx = on;
                } else {
                    label_on_proc = on;
                }
            }
            for (gi, s) in seen.iter().enumerate() {
                if !s {
                    continue;
                }
                let Some(&first) = self.model.groups[gi].first() else {
                    continue;
                };
                if self.drg_mdc(first).is_some() {
                    let f = family(first);
                    if dx_side {
                        pdx_gated.insert(f);
                    } else {
                        proc_gated.insert(f);
                    }
                }
            }
        }
        self.model.label_on_proc = label_on_proc;
        self.model.label_on_dx = label_on_dx;
        let mut seen = BTreeSet::new();
        for &d in &drgs {
            let f = family(d);
            if f.first() != Some(&d) || !seen.insert(f.clone()) {
                continue;
            }
            let mdc = self.drg_mdc(d).flatten().unwrap_or(0) as usize;
            if let Some(list) = self.model.families.get_mut(mdc) {
                list.push(Family {
                    group: group_index.get(&f).copied(),
                    proc_gated: proc_gated.contains(&f),
                    pdx_gated: pdx_gated.contains(&f),
                    drgs: f,
                });
            }
        }
    }
}

fn ids(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

fn label_kind(label: &str) -> LabelKind {
    LabelKind {
        pdx: label.ends_with("PDX") || label.ends_with("PSDX"),
        sdx: label.contains("SDX"),
        and: label.starts_with("AND "),
        // An exception list ends with the word ("WITH ANY ORPCS EXCEPT");
        // inside a name it is part of the name ("SPINAL FUSION EXCEPT
        // CERVICAL ORPCS", "CHOLECYSTECTOMY EXCEPT BY LAPAROSCOPE ORPCS").
        except: label.ends_with("EXCEPT"),
        any_other: label.contains("ANY OTHER ORPCS"),
    }
}

/// The severity split of a title: `(with, "MCC" | "CC/MCC" | "CC")`.
pub(crate) fn split_of(title: &str) -> Option<(bool, &'static str, usize)> {
    let mut i = 0;
    while let Some(pos) = title[i..].find("with") {
        let at = i + pos;
        let before_ok = at == 0 || !title.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = &title[at..];
        let (with, rest2) = if let Some(r) = rest.strip_prefix("without ") {
            (false, r)
        } else if let Some(r) = rest.strip_prefix("with ") {
            (true, r)
        } else {
            i = at + 4;
            continue;
        };
        if before_ok {
            for lv in ["CC/MCC", "MCC", "CC"] {
                if let Some(after) = rest2.strip_prefix(lv) {
                    if after
                        .bytes()
                        .next()
                        .is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'/')
                    {
                        return Some((with, lv, at));
                    }
                }
            }
        }
        i = at + 4;
    }
    None
}

/// A title without its severity split, lower case: the family key.
pub(crate) fn base_title(title: &str) -> String {
    match split_of(title) {
        Some((_, _, at)) => title[..at].trim().to_lowercase(),
        None => title.trim().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits() {
        assert_eq!(
            split_of("Seizures with MCC").map(|s| (s.0, s.1)),
            Some((true, "MCC"))
        );
        assert_eq!(
            split_of("Other Disorders of the Eye with MCC or Thrombolytic Agent")
                .map(|s| (s.0, s.1)),
            Some((true, "MCC"))
        );
        assert_eq!(
            split_of("Concussion without CC/MCC").map(|s| (s.0, s.1)),
            Some((false, "CC/MCC"))
        );
        assert_eq!(split_of("Normal Newborn"), None);
        assert_eq!(base_title("Concussion with CC"), "concussion");
    }

    #[test]
    fn write_then_read() {
        let src = DrgSource {
            release: "MS-DRG test".into(),
            dx: vec![
                (
                    "I214".into(),
                    vec!["_MDC05".into(), "280&281&282|PDX".into()],
                ),
                ("E871".into(), vec!["_MDC10".into()]),
            ],
            pr: vec![(
                "02703DZ".into(),
                vec!["246&247|PTCA ORPCS".into()],
                true,
                false,
            )],
            cc: vec![(
                "E871".into(),
                CcInfo {
                    level: 1,
                    collection: 7,
                    alive_only: false,
                    hac: 0,
                },
            )],
            exclusions: vec![(7, vec!["E871".into()])],
            drgs: vec![
                DrgRow {
                    drg: 280,
                    title: "AMI with MCC".into(),
                    mdc: Some(5),
                    weight: Some(1.5),
                    ..Default::default()
                },
                DrgRow {
                    drg: 281,
                    title: "AMI with CC".into(),
                    mdc: Some(5),
                    surgical: true,
                    gmlos: Some(3.2),
                    amlos: Some(4.1),
                    post_acute: true,
                    special_pay: true,
                    rank: Some(12),
                    ..Default::default()
                },
            ],
        };
        let rows = src.drgs.clone();
        let bytes = src.build();
        let t = DrgTables::open(bytes.as_slice()).unwrap();
        assert_eq!(t.release(), "MS-DRG test");
        assert_eq!(t.dx_attrs("I214").unwrap().count(), 2);
        assert!(t.dx_attrs("I10").is_none());
        let (a, or, neo) = t.pr_attrs("02703DZ").unwrap();
        assert_eq!((a.count(), or, neo), (1, true, false));
        assert_eq!(t.cc("E871").unwrap().collection, 7);
        assert!(t.excluded(7, "E871") && !t.excluded(7, "I214"));
        let d = t.drg(280).unwrap();
        assert_eq!(
            (d.title.as_str(), d.mdc, d.weight),
            ("AMI with MCC", Some(5), Some(1.5))
        );
        assert!(t.drg(999).is_none());
        // What is read is what was written.
        for row in &rows {
            assert_eq!(t.drg(row.drg).as_ref(), Some(row));
        }
        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(
            DrgTables::open(bad).unwrap_err(),
            ArtifactError::Checksum { .. }
        ));
    }
}
