//! The Medicare Code Editor tables: which ICD-10-CM and ICD-10-PCS codes are
//! valid on a date, with the edit flags of each validity period, the age
//! groups and the valid discharge statuses.
//!
//! ```
//! use icd_core::mce::{MceSource, PeriodRow, Mce, Table};
//! let src = MceSource {
//!     release: "test".into(),
//!     dx: vec![PeriodRow { code: "A047".into(), start: "2015-10-01".parse().unwrap(), end: Some("2017-09-30".parse().unwrap()), flags: vec![] }],
//!     sg: vec![], ages: vec![], discharge: vec![],
//! };
//! let mce = Mce::open(src.build()).unwrap();
//! assert!(mce.period_on(Table::Dx, "A047", "2016-01-01".parse().unwrap()).is_some());
//! assert!(mce.period_on(Table::Dx, "A047", "2026-01-01".parse().unwrap()).is_none());
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use crate::artifact::{
    check_fst, u32s_to_bytes, ArtifactError, ArtifactWriter, Layout, Rows, RowsBuilder, StrPool,
    StrPoolBuilder,
};
use crate::date::Date;

/// Artifact kind of the MCE file.
pub const KIND: [u8; 4] = *b"MCE_";

/// One validity period of a code, as in `i10dx.tsv` / `i10sg.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRow {
    /// Code without dot.
    pub code: String,
    /// First valid day.
    pub start: Date,
    /// Last valid day, `None` while still valid.
    pub end: Option<Date>,
    /// Edit flags (`male`, `manifestation`...).
    pub flags: Vec<String>,
}

/// An MCE age group (`age_ranges.tsv`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgeRange {
    /// `Adult`, `Maternity`, `Newborn`, `Pediatric`.
    pub group: String,
    /// Youngest age in the group, in years.
    pub min_age: u32,
    /// Oldest age in the group, in years.
    pub max_age: u32,
    /// First day this range applies.
    pub start: Date,
    /// Last day, `None` while in force.
    pub end: Option<Date>,
}

/// A discharge status code's validity (`discharge_status.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// UB-04 patient discharge status code.
    pub code: u32,
    /// First valid day.
    pub start: Date,
    /// Last valid day.
    pub end: Option<Date>,
}

/// All MCE tables as parsed from the source.
#[derive(Debug, Clone)]
pub struct MceSource {
    /// Release label (`MCE 43.1`).
    pub release: String,
    /// Diagnosis code periods.
    pub dx: Vec<PeriodRow>,
    /// Procedure code periods.
    pub sg: Vec<PeriodRow>,
    /// Age groups.
    pub ages: Vec<AgeRange>,
    /// Discharge statuses.
    pub discharge: Vec<StatusRow>,
}

/// Which code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// ICD-10-CM diagnoses (`i10dx`).
    Dx,
    /// ICD-10-PCS procedures (`i10sg`).
    Sg,
}

/// One validity period with its flags (bit `i` = the table's flag name `i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First valid day.
    pub start: Date,
    /// Last valid day, `None` while still valid.
    pub end: Option<Date>,
    /// Flag bits; names from [`Mce::flag_names`].
    pub flags: u64,
}

impl Period {
    /// Whether `date` falls in the period.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && self.end.is_none_or(|e| date <= e)
    }
}

const T_DX_KEYS: [u8; 4] = *b"DFST";
const T_DX_PER: [u8; 4] = *b"DPER";
const T_DX_FLAGS: [u8; 4] = *b"DFLG";
const T_SG_KEYS: [u8; 4] = *b"SFST";
const T_SG_PER: [u8; 4] = *b"SPER";
const T_SG_FLAGS: [u8; 4] = *b"SFLG";
const T_AGES: [u8; 4] = *b"AGES";
const T_DISC: [u8; 4] = *b"DISC";
const T_STR_OFF: [u8; 4] = *b"SOFF";
const T_STR: [u8; 4] = *b"STRS";

fn date_u32(d: Option<Date>) -> u32 {
    d.map_or(0, Date::yyyymmdd)
}

fn write_table(
    w: &mut ArtifactWriter,
    strings: &mut StrPoolBuilder,
    rows: &[PeriodRow],
    tags: [[u8; 4]; 3],
) {
    let mut names: Vec<String> = rows.iter().flat_map(|r| r.flags.iter().cloned()).collect();
    names.sort();
    names.dedup();
    names.truncate(64);
    let mut by_code: BTreeMap<&str, Vec<&PeriodRow>> = BTreeMap::new();
    for r in rows {
        by_code.entry(r.code.as_str()).or_default().push(r);
    }
    let mut periods = RowsBuilder::new(4);
    let mut map = fst::MapBuilder::memory();
    for (code, mut list) in by_code {
        list.sort_by_key(|r| r.start);
        let start = periods.len() as u64;
        for r in &list {
            let bits = r
                .flags
                .iter()
                .filter_map(|f| names.iter().position(|n| n == f))
                .fold(0u64, |acc, i| acc | 1 << i);
            periods.push(&[
                r.start.yyyymmdd(),
                date_u32(r.end),
                bits as u32,
                (bits >> 32) as u32,
            ]);
        }
        map.insert(code, (start << 8) | list.len().min(255) as u64)
            .ok();
    }
    w.section(tags[0], map.into_inner().unwrap_or_default());
    w.section(tags[1], periods.to_bytes());
    let ids: Vec<u32> = names.iter().map(|n| strings.add(n)).collect();
    w.section(tags[2], u32s_to_bytes(&ids));
}

impl MceSource {
    /// Compiles the tables into an artifact.
    pub fn build(&self) -> Vec<u8> {
        let mut w = ArtifactWriter::new(KIND, &self.release);
        let mut strings = StrPoolBuilder::default();
        write_table(
            &mut w,
            &mut strings,
            &self.dx,
            [T_DX_KEYS, T_DX_PER, T_DX_FLAGS],
        );
        write_table(
            &mut w,
            &mut strings,
            &self.sg,
            [T_SG_KEYS, T_SG_PER, T_SG_FLAGS],
        );
        let mut ages = RowsBuilder::new(5);
        for a in &self.ages {
            ages.push(&[
                strings.add(&a.group),
                a.min_age,
                a.max_age,
                a.start.yyyymmdd(),
                date_u32(a.end),
            ]);
        }
        w.section(T_AGES, ages.to_bytes());
        let mut disc = RowsBuilder::new(3);
        for d in &self.discharge {
            disc.push(&[d.code, d.start.yyyymmdd(), date_u32(d.end)]);
        }
        w.section(T_DISC, disc.to_bytes());
        strings.write(&mut w, T_STR_OFF, T_STR);
        w.finish()
    }
}

#[derive(Debug, Clone)]
struct Sections {
    keys: [Range<usize>; 2],
    periods: [Range<usize>; 2],
    flags: [Range<usize>; 2],
    ages: Range<usize>,
    disc: Range<usize>,
    str_off: Range<usize>,
    strs: Range<usize>,
}

/// The MCE tables over any byte storage.
#[derive(Debug, Clone)]
pub struct Mce<D> {
    data: D,
    release: String,
    s: Sections,
    offsets: Vec<u32>,
}

fn ix(t: Table) -> usize {
    match t {
        Table::Dx => 0,
        Table::Sg => 1,
    }
}

impl<D: AsRef<[u8]>> Mce<D> {
    /// Opens an MCE artifact.
    pub fn open(data: D) -> Result<Mce<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            keys: [layout.section(&T_DX_KEYS)?, layout.section(&T_SG_KEYS)?],
            periods: [layout.section(&T_DX_PER)?, layout.section(&T_SG_PER)?],
            flags: [layout.section(&T_DX_FLAGS)?, layout.section(&T_SG_FLAGS)?],
            ages: layout.section(&T_AGES)?,
            disc: layout.section(&T_DISC)?,
            str_off: layout.section(&T_STR_OFF)?,
            strs: layout.section(&T_STR)?,
        };
        for (i, tag) in [(0, T_DX_KEYS), (1, T_SG_KEYS)] {
            check_fst(&bytes[s.keys[i].clone()], &tag)?;
        }
        for (i, tag) in [(0, T_DX_PER), (1, T_SG_PER)] {
            Rows::new(&bytes[s.periods[i].clone()], 4, &tag)?;
        }
        for (i, tag) in [(0, T_DX_FLAGS), (1, T_SG_FLAGS)] {
            let rows = Rows::new(&bytes[s.flags[i].clone()], 1, &tag).or_else(|e| {
                if s.flags[i].is_empty() {
                    Ok(Rows::unchecked(&[], 1))
                } else {
                    Err(e)
                }
            })?;
            // A period's flags are one u64: bit i is name i.
            if rows.len() > 64 {
                return Err(ArtifactError::Section {
                    section: String::from_utf8_lossy(&tag).into_owned(),
                    problem: format!("{} flag names, at most 64 fit a period", rows.len()),
                });
            }
        }
        Rows::new(&bytes[s.ages.clone()], 5, &T_AGES).or_else(|e| {
            if s.ages.is_empty() {
                Ok(Rows::unchecked(&[], 5))
            } else {
                Err(e)
            }
        })?;
        Rows::new(&bytes[s.disc.clone()], 3, &T_DISC).or_else(|e| {
            if s.disc.is_empty() {
                Ok(Rows::unchecked(&[], 3))
            } else {
                Err(e)
            }
        })?;
        let offsets = StrPool::offsets(&bytes[s.str_off.clone()], &bytes[s.strs.clone()], &T_STR)?;
        Ok(Mce {
            data,
            release: layout.release,
            s,
            offsets,
        })
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }
    fn strings(&self) -> StrPool<'_> {
        StrPool::new(&self.offsets, self.bytes(&self.s.strs))
    }

    /// The source release.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// Every validity period of `code` (canonical, no dot), oldest first.
    pub fn periods(&self, table: Table, code: &str) -> Vec<Period> {
        let i = ix(table);
        let Ok(map) = fst::Map::new(self.bytes(&self.s.keys[i])) else {
            return Vec::new();
        };
        let Some(v) = map.get(code) else {
            return Vec::new();
        };
        let rows = Rows::unchecked(self.bytes(&self.s.periods[i]), 4);
        let (start, len) = ((v >> 8) as u32, (v & 0xff) as u32);
        (start..start.saturating_add(len))
            .filter_map(|r| {
                Some(Period {
                    start: Date::from_yyyymmdd(rows.get(r, 0))?,
                    end: Date::from_yyyymmdd(rows.get(r, 1)),
                    flags: rows.get(r, 2) as u64 | (rows.get(r, 3) as u64) << 32,
                })
            })
            .collect()
    }

    /// The period of `code` in force on `date`, if the code is valid then.
    pub fn period_on(&self, table: Table, code: &str, date: Date) -> Option<Period> {
        self.periods(table, code)
            .into_iter()
            .find(|p| p.contains(date))
    }

    /// Every code of a table, in code order.
    pub fn codes(&self, table: Table) -> Vec<String> {
        use fst::{IntoStreamer, Streamer};
        let Ok(map) = fst::Map::new(self.bytes(&self.s.keys[ix(table)])) else {
            return Vec::new();
        };
        let mut stream = map.into_stream();
        let mut out = Vec::new();
        while let Some((k, _)) = stream.next() {
            out.push(String::from_utf8_lossy(k).into_owned());
        }
        out
    }

    /// The flag names of a table; bit `i` of [`Period::flags`] is name `i`.
    pub fn flag_names(&self, table: Table) -> Vec<&str> {
        let rows = Rows::unchecked(self.bytes(&self.s.flags[ix(table)]), 1);
        let strings = self.strings();
        (0..rows.len() as u32)
            .map(|i| strings.get(rows.get(i, 0)))
            .collect()
    }

    /// The bit of a flag name, if the table has that flag.
    pub fn flag_bit(&self, table: Table, name: &str) -> Option<u64> {
        self.flag_names(table)
            .iter()
            .position(|n| *n == name)
            .and_then(|i| 1u64.checked_shl(i as u32))
    }

    /// The names of the bits set in `flags`.
    pub fn flags_named(&self, table: Table, flags: u64) -> Vec<&str> {
        self.flag_names(table)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && flags & (1u64 << i) != 0)
            .map(|(_, n)| n)
            .collect()
    }

    /// Every age group row.
    pub fn age_ranges(&self) -> Vec<AgeRange> {
        let rows = Rows::unchecked(self.bytes(&self.s.ages), 5);
        let strings = self.strings();
        (0..rows.len() as u32)
            .filter_map(|r| {
                Some(AgeRange {
                    group: strings.get(rows.get(r, 0)).to_string(),
                    min_age: rows.get(r, 1),
                    max_age: rows.get(r, 2),
                    start: Date::from_yyyymmdd(rows.get(r, 3))?,
                    end: Date::from_yyyymmdd(rows.get(r, 4)),
                })
            })
            .collect()
    }

    /// The age group `group` (case-insensitive) in force on `date`.
    pub fn age_range_on(&self, group: &str, date: Date) -> Option<AgeRange> {
        self.age_ranges().into_iter().find(|a| {
            a.group.eq_ignore_ascii_case(group)
                && a.start <= date
                && a.end.is_none_or(|e| date <= e)
        })
    }

    /// Whether discharge status `code` is valid on `date`.
    pub fn discharge_status_valid(&self, code: u32, date: Date) -> bool {
        let rows = Rows::unchecked(self.bytes(&self.s.disc), 3);
        (0..rows.len() as u32).any(|r| {
            rows.get(r, 0) == code
                && Date::from_yyyymmdd(rows.get(r, 1)).is_some_and(|s| s <= date)
                && Date::from_yyyymmdd(rows.get(r, 2)).is_none_or(|e| date <= e)
        })
    }

    /// The last day the tables cover: the end (September 30) of the federal
    /// fiscal year of the latest date in the code tables (a code added on
    /// 2026-04-01 makes it 2026-09-30). After it, codes may have been
    /// added, changed or deleted that these tables cannot know.
    pub fn coverage_end(&self) -> Option<Date> {
        let mut latest = 0;
        for i in 0..2 {
            let rows = Rows::unchecked(self.bytes(&self.s.periods[i]), 4);
            for r in 0..rows.len() as u32 {
                latest = latest.max(rows.get(r, 0)).max(rows.get(r, 1));
            }
        }
        let d = Date::from_yyyymmdd(latest)?;
        let year = if d.month() >= 10 {
            d.year() + 1
        } else {
            d.year()
        };
        Date::from_ymd(year, 9, 30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// Found by the `artifact_open` fuzz target: a flag table of more than
    /// 64 names opened, and naming the flags then shifted past a u64.
    #[test]
    fn more_flag_names_than_bits_is_refused_on_open() {
        let mut w = ArtifactWriter::new(KIND, "MCE crafted");
        let mut strings = StrPoolBuilder::default();
        let empty_map = fst::MapBuilder::memory().into_inner().unwrap();
        let names: Vec<u32> = (0..65).map(|i| strings.add(&format!("f{i}"))).collect();
        w.section(T_DX_KEYS, empty_map.clone());
        w.section(T_DX_PER, RowsBuilder::new(4).to_bytes());
        w.section(T_DX_FLAGS, u32s_to_bytes(&names));
        w.section(T_SG_KEYS, empty_map);
        w.section(T_SG_PER, RowsBuilder::new(4).to_bytes());
        w.section(T_SG_FLAGS, Vec::new());
        w.section(T_AGES, RowsBuilder::new(5).to_bytes());
        w.section(T_DISC, RowsBuilder::new(3).to_bytes());
        strings.write(&mut w, T_STR_OFF, T_STR);
        match Mce::open(w.finish()) {
            Err(ArtifactError::Section { section, problem }) => {
                assert_eq!(section, "DFLG");
                assert!(problem.contains("65 flag names"), "{problem}");
            }
            Err(other) => panic!("refused for another reason: {other}"),
            Ok(m) => {
                let _ = m.flags_named(Table::Dx, u64::MAX);
                panic!("opened");
            }
        }
    }

    #[test]
    fn write_then_read() {
        let src = MceSource {
            release: "MCE test".into(),
            dx: vec![
                PeriodRow {
                    code: "A1814".into(),
                    start: d("2015-10-01"),
                    end: Some(d("2024-09-30")),
                    flags: vec!["male".into(), "adult".into()],
                },
                PeriodRow {
                    code: "A1814".into(),
                    start: d("2024-10-01"),
                    end: None,
                    flags: vec![],
                },
                PeriodRow {
                    code: "O80".into(),
                    start: d("2015-10-01"),
                    end: None,
                    flags: vec!["maternity".into(), "female".into()],
                },
            ],
            sg: vec![PeriodRow {
                code: "0VT04ZZ".into(),
                start: d("2015-10-01"),
                end: None,
                flags: vec!["male".into()],
            }],
            ages: vec![
                AgeRange {
                    group: "Maternity".into(),
                    min_age: 12,
                    max_age: 55,
                    start: d("1984-03-01"),
                    end: Some(d("2019-09-30")),
                },
                AgeRange {
                    group: "Maternity".into(),
                    min_age: 9,
                    max_age: 64,
                    start: d("2019-10-01"),
                    end: None,
                },
            ],
            discharge: vec![
                StatusRow {
                    code: 8,
                    start: d("1994-10-01"),
                    end: Some(d("2005-09-30")),
                },
                StatusRow {
                    code: 1,
                    start: d("1980-10-01"),
                    end: None,
                },
            ],
        };
        let mce = Mce::open(src.build()).unwrap();
        assert_eq!(
            mce.flag_names(Table::Dx),
            ["adult", "female", "male", "maternity"]
        );
        let old = mce.period_on(Table::Dx, "A1814", d("2020-01-01")).unwrap();
        assert_eq!(mce.flags_named(Table::Dx, old.flags), ["adult", "male"]);
        let new = mce.period_on(Table::Dx, "A1814", d("2026-01-01")).unwrap();
        assert_eq!(new.flags, 0);
        assert_eq!(mce.periods(Table::Dx, "A1814").len(), 2);
        assert!(mce.period_on(Table::Dx, "A1814", d("2015-09-30")).is_none());
        assert!(mce.periods(Table::Dx, "ZZZ").is_empty());
        assert_eq!(mce.flag_names(Table::Sg), ["male"]);
        assert_eq!(mce.codes(Table::Dx), ["A1814", "O80"]);
        assert_eq!(
            mce.age_range_on("maternity", d("2026-01-01"))
                .unwrap()
                .min_age,
            9
        );
        assert_eq!(
            mce.age_range_on("Maternity", d("2010-01-01"))
                .unwrap()
                .max_age,
            55
        );
        assert!(mce.discharge_status_valid(1, d("2026-01-01")));
        assert!(!mce.discharge_status_valid(8, d("2026-01-01")));
        assert!(mce.discharge_status_valid(8, d("2000-01-01")));
        assert!(!mce.discharge_status_valid(99, d("2026-01-01")));
        // The latest date is 2024-10-01, in fiscal year 2025.
        assert_eq!(mce.coverage_end(), Some(d("2025-09-30")));
    }
}
