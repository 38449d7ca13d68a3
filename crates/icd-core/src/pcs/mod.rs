//! ICD-10-PCS: the Tables (every table with its rows and the values each
//! row allows on axes 4 to 7), the Definitions (root operations,
//! approaches, the body part, device and substance keys, device
//! aggregation) and the Index, in one artifact, `pcs.icdx`.
//!
//! No code is stored: the 79,115 codes are the rows' products, a code's
//! labels are read from its row and its long title is derived from them
//! ([`title`]). A code the MCE master lists but no row allows (the April
//! update adds some) is valid without a row or a title; [`Pcs::find`] says
//! `None` for it and callers show it so.
//!
//! ```
//! use icd_core::pcs::{Pcs, PcsSource, SourceAxis, SourceTable, SourceValue};
//! let v = |ch: char, label: &str| SourceValue { ch, label: label.into() };
//! let axis = |pos: u8, title: &str, values: Vec<SourceValue>| SourceAxis { pos, title: title.into(), values };
//! let src = PcsSource {
//!     release: "test".into(),
//!     tables: vec![SourceTable {
//!         axes: [
//!             axis(1, "Section", vec![v('0', "Medical and Surgical")]),
//!             axis(2, "Body System", vec![v('D', "Gastrointestinal System")]),
//!             axis(3, "Operation", vec![v('T', "Resection")]),
//!         ],
//!         definition: "Cutting out or off, without replacement, all of a body part".into(),
//!         rows: vec![[
//!             axis(4, "Body Part", vec![v('J', "Appendix")]),
//!             axis(5, "Approach", vec![v('0', "Open"), v('4', "Percutaneous Endoscopic")]),
//!             axis(6, "Device", vec![v('Z', "No Device")]),
//!             axis(7, "Qualifier", vec![v('Z', "No Qualifier")]),
//!         ]],
//!     }],
//!     keys: vec![], aggregates: vec![], index: vec![],
//! };
//! let pcs = Pcs::open(src.build().unwrap()).unwrap();
//! assert_eq!(pcs.code_count(), 2);
//! let code = "0DTJ4ZZ".parse().unwrap();
//! assert_eq!(pcs.title(&code).unwrap(), "Resection of Appendix, Percutaneous Endoscopic Approach");
//! assert_eq!(pcs.check(&"0DTJ3ZZ".parse().unwrap()).unwrap_err().position, 5);
//! ```
//!
//! Caveat: the Tables and Definitions are FY2026 (October 2025) while the
//! Index is FY2025, so a few index references may name values that moved.

pub mod builder;
pub mod lexicon;
pub mod report;
pub mod search;
pub mod title;

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::artifact::{
    check_fst, empty_map, ArtifactError, ArtifactWriter, Layout, Rows, RowsBuilder, StrPool,
    StrPoolBuilder, Tree, NONE,
};
use crate::code::PcsCode;
use crate::text::normalize;

/// Artifact kind of the PCS file.
pub const KIND: [u8; 4] = *b"PCS_";

/// The PCS artifact's file name. It is not one of
/// [`crate::lookup::ARTIFACT_FILES`]: the CM app must not wait for it, so it
/// is fetched on demand, like the search index.
pub const FILE: &str = "pcs.icdx";

/// One value of an axis: its character and label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceValue {
    /// The character (`0`-`9`, `A`-`Z` without `I`/`O`).
    pub ch: char,
    /// Its label (`Percutaneous Endoscopic`).
    pub label: String,
}

/// An axis of a table or row, with the values it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceAxis {
    /// Position 1 to 7.
    pub pos: u8,
    /// The axis title (`Body Part`, `Body Region`, `Substance`...).
    pub title: String,
    /// Allowed values.
    pub values: Vec<SourceValue>,
}

/// A table: axes 1-3 fixed, then rows of axes 4-7.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTable {
    /// Section, body system, operation (one value each).
    pub axes: [SourceAxis; 3],
    /// The operation's definition as the table prints it.
    pub definition: String,
    /// Rows: body part, approach, device, qualifier.
    pub rows: Vec<[SourceAxis; 4]>,
}

/// An entry of the Definitions: a root operation or approach definition, a
/// body part key, device key or substance key entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyEntry {
    /// Section character.
    pub section: char,
    /// Axis position (3 operation, 4 body part, 5 approach, 6 device or substance).
    pub axis: u8,
    /// The axis title (`Operation`, `Body Part`, `Device`, `Substance`...).
    pub axis_title: String,
    /// The value labels the entry is about (a body part key entry names
    /// both sides: `1st Toe, Left`, `1st Toe, Right`).
    pub titles: Vec<String>,
    /// Definition, if any.
    pub definition: String,
    /// Explanation, if any.
    pub explanation: String,
    /// Includes: examples of an operation, anatomy under a body part, device names.
    pub includes: Vec<String>,
}

/// A row of the device aggregation table: a specific device and the
/// general value it is coded with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Aggregate {
    /// Specific device (`Cardiac Lead, Pacemaker`).
    pub device: String,
    /// Operation(s) it applies to (`Insertion`, `All applicable`).
    pub operation: String,
    /// Body systems it applies to.
    pub body_systems: Vec<String>,
    /// The general device value's character.
    pub parent_ch: char,
    /// The general device value's label (`Cardiac Lead`).
    pub parent: String,
}

/// A term of the PCS Index, in preorder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexTerm {
    /// 0 for a main term.
    pub level: u8,
    /// The term (may be empty for a subterm that only refers).
    pub title: String,
    /// `use` reference: the value label to use.
    pub use_: String,
    /// `see` reference: another index entry.
    pub see: String,
    /// The code, partial code (`0DTJ`) or table (`0QB`) given.
    pub code: String,
}

/// Everything parsed from the official PCS files.
#[derive(Debug, Clone)]
pub struct PcsSource {
    /// Release label.
    pub release: String,
    /// The Tables.
    pub tables: Vec<SourceTable>,
    /// The Definitions' entries.
    pub keys: Vec<KeyEntry>,
    /// The device aggregation table.
    pub aggregates: Vec<Aggregate>,
    /// The Index, in preorder.
    pub index: Vec<IndexTerm>,
}

// Tables: key (3 chars packed), the three labels, definition, first row, the seven axis titles.
const TW: usize = 13;
// Rows: table, then (start, count) into the values for axes 4..7.
const RW: usize = 9;
// Keys: section, axis, axis title, titles (start, n), definition, explanation, includes (start, n).
const KW: usize = 9;
// Aggregates: device, operation, body systems (start, n), parent char, parent label.
const AW: usize = 6;
// Index terms: title, use, see, code, level.
const IW: usize = 5;

const T_TABLES: [u8; 4] = *b"TABS";
const T_ROWS: [u8; 4] = *b"ROWS";
const T_VALUES: [u8; 4] = *b"VALS";
const T_KEYS: [u8; 4] = *b"KEYS";
const T_LISTS: [u8; 4] = *b"LIST";
const T_AGGR: [u8; 4] = *b"AGGR";
const T_INDEX: [u8; 4] = *b"ITRM";
const T_TABLE_FST: [u8; 4] = *b"TFST";
const T_INDEX_FST: [u8; 4] = *b"IFST";
const T_KEY_FST: [u8; 4] = *b"KFST";
const T_STR_OFF: [u8; 4] = *b"SOFF";
const T_STR: [u8; 4] = *b"STRS";

fn pack3(key: &[u8]) -> u32 {
    key.iter()
        .take(3)
        .fold(0u32, |acc, b| (acc << 8) | *b as u32)
}

fn unpack3(v: u32) -> [u8; 3] {
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// Why a PCS source cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// Two tables share their first three characters.
    #[error("table {key} appears twice in the Tables; the source file is damaged or two releases were merged")]
    DuplicateTable {
        /// The table's three characters.
        key: String,
    },
    /// An axis of a table head does not have exactly one value.
    #[error(
        "table {index} has {found} values on axis {pos}; a table fixes axes 1-3 to one value each"
    )]
    TableAxis {
        /// Position of the table in the source.
        index: usize,
        /// Axis position.
        pos: u8,
        /// Values found.
        found: usize,
    },
    /// A value character that PCS never uses.
    #[error(
        "table {key} offers '{ch}' on axis {pos}; PCS characters are 0-9 and A-Z without I and O"
    )]
    BadChar {
        /// The table.
        key: String,
        /// Axis position.
        pos: u8,
        /// The character.
        ch: char,
    },
    /// Index levels that skip one.
    #[error("index term {index} ('{title}') skips a level")]
    IndexLevel {
        /// Position in the source.
        index: usize,
        /// Title.
        title: String,
    },
}

fn valid_char(c: char) -> bool {
    (c.is_ascii_digit() || c.is_ascii_uppercase()) && c != 'I' && c != 'O'
}

/// Keys of the key `fst`: every normalized title and include of a
/// Definitions entry, mapped to the entries (postings in `LIST`).
fn key_terms(k: &KeyEntry) -> Vec<String> {
    k.titles
        .iter()
        .chain(&k.includes)
        .map(|s| normalize(s))
        .filter(|s| !s.is_empty())
        .collect()
}

impl PcsSource {
    /// Compiles the source into the artifact.
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        let mut strings = StrPoolBuilder::default();
        let mut tables = RowsBuilder::new(TW);
        let mut rows = RowsBuilder::new(RW);
        let mut values = RowsBuilder::new(2);
        let mut lists: Vec<u32> = Vec::new();
        let mut by_key: BTreeMap<[u8; 3], u32> = BTreeMap::new();
        for (i, t) in self.tables.iter().enumerate() {
            let mut key = [0u8; 3];
            let mut labels = [0u32; 3];
            for (j, a) in t.axes.iter().enumerate() {
                let [v] = a.values.as_slice() else {
                    return Err(BuildError::TableAxis {
                        index: i,
                        pos: a.pos,
                        found: a.values.len(),
                    });
                };
                if !valid_char(v.ch) {
                    return Err(BuildError::BadChar {
                        key: format!("#{i}"),
                        pos: a.pos,
                        ch: v.ch,
                    });
                }
                key[j] = v.ch as u8;
                labels[j] = strings.add(&v.label);
            }
            let key_str = String::from_utf8_lossy(&key).into_owned();
            let id = tables.len() as u32;
            if by_key.insert(key, id).is_some() {
                return Err(BuildError::DuplicateTable { key: key_str });
            }
            let mut titles = [0u32; 7];
            for (j, a) in t.axes.iter().enumerate() {
                titles[j] = strings.add(&a.title);
            }
            if let Some(first) = t.rows.first() {
                for (j, a) in first.iter().enumerate() {
                    titles[3 + j] = strings.add(&a.title);
                }
            }
            let mut row = vec![
                pack3(&key),
                labels[0],
                labels[1],
                labels[2],
                strings.add(&t.definition),
                rows.len() as u32,
            ];
            row.extend_from_slice(&titles);
            tables.push(&row);
            for r in &t.rows {
                let mut cells = vec![id];
                for a in r {
                    cells.push(values.len() as u32);
                    cells.push(a.values.len() as u32);
                    for v in &a.values {
                        if !valid_char(v.ch) {
                            return Err(BuildError::BadChar {
                                key: key_str.clone(),
                                pos: a.pos,
                                ch: v.ch,
                            });
                        }
                        values.push(&[v.ch as u32, strings.add(&v.label)]);
                    }
                }
                rows.push(&cells);
            }
        }
        let mut table_fst = fst::MapBuilder::memory();
        for (k, id) in &by_key {
            table_fst.insert(k, *id as u64).ok();
        }

        let mut keys = RowsBuilder::new(KW);
        let mut key_index: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, k) in self.keys.iter().enumerate() {
            let ts = lists.len() as u32;
            lists.extend(k.titles.iter().map(|s| strings.add(s)));
            let is = lists.len() as u32;
            lists.extend(k.includes.iter().map(|s| strings.add(s)));
            keys.push(&[
                k.section as u32,
                k.axis as u32,
                strings.add(&k.axis_title),
                ts,
                k.titles.len() as u32,
                strings.add(&k.definition),
                strings.add(&k.explanation),
                is,
                k.includes.len() as u32,
            ]);
            for term in key_terms(k) {
                let v = key_index.entry(term).or_default();
                if v.last() != Some(&(i as u32)) {
                    v.push(i as u32);
                }
            }
        }
        let mut key_fst = fst::MapBuilder::memory();
        for (term, ids) in &key_index {
            let start = lists.len() as u64;
            lists.extend_from_slice(ids);
            key_fst
                .insert(term, (start << 16) | ids.len().min(0xffff) as u64)
                .ok();
        }

        let mut aggr = RowsBuilder::new(AW);
        for a in &self.aggregates {
            let bs = lists.len() as u32;
            lists.extend(a.body_systems.iter().map(|s| strings.add(s)));
            aggr.push(&[
                strings.add(&a.device),
                strings.add(&a.operation),
                bs,
                a.body_systems.len() as u32,
                a.parent_ch as u32,
                strings.add(&a.parent),
            ]);
        }

        let mut index = RowsBuilder::new(IW);
        let mut index_keys: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut depth = 0i32;
        for (i, t) in self.index.iter().enumerate() {
            if t.level as i32 > depth + 1 || (i == 0 && t.level != 0) {
                return Err(BuildError::IndexLevel {
                    index: i,
                    title: t.title.clone(),
                });
            }
            depth = t.level as i32;
            index.push(&[
                strings.add(&t.title),
                strings.add(&t.use_),
                strings.add(&t.see),
                strings.add(&t.code),
                t.level as u32,
            ]);
            if t.level == 0 {
                let k = normalize(&t.title);
                if !k.is_empty() {
                    index_keys.entry(k).or_default().push(i as u32);
                }
            }
        }
        let mut index_fst = fst::MapBuilder::memory();
        for (k, ids) in &index_keys {
            let start = lists.len() as u64;
            lists.extend_from_slice(ids);
            index_fst
                .insert(k, (start << 16) | ids.len().min(0xffff) as u64)
                .ok();
        }

        let mut w = ArtifactWriter::new(KIND, &self.release);
        w.section(T_TABLES, tables.to_bytes());
        w.section(T_ROWS, rows.to_bytes());
        w.section(T_VALUES, values.to_bytes());
        w.section(T_KEYS, keys.to_bytes());
        w.section(T_AGGR, aggr.to_bytes());
        w.section(T_INDEX, index.to_bytes());
        w.section(T_LISTS, crate::artifact::u32s_to_bytes(&lists));
        w.section(T_TABLE_FST, table_fst.into_inner().unwrap_or_default());
        w.section(T_INDEX_FST, index_fst.into_inner().unwrap_or_default());
        w.section(T_KEY_FST, key_fst.into_inner().unwrap_or_default());
        strings.write(&mut w, T_STR_OFF, T_STR);
        Ok(w.finish())
    }
}

#[derive(Debug, Clone)]
struct Sections {
    tables: Range<usize>,
    rows: Range<usize>,
    values: Range<usize>,
    keys: Range<usize>,
    aggr: Range<usize>,
    index: Range<usize>,
    lists: Range<usize>,
    table_fst: Range<usize>,
    index_fst: Range<usize>,
    key_fst: Range<usize>,
    strs: Range<usize>,
}

/// A table, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TableId(pub u32);

/// A row, by position over all tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RowId(pub u32);

/// One axis value with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Value {
    /// The character.
    pub ch: char,
    /// Its label.
    pub label: String,
}

/// The seven axes of a code: title and value of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxisValue {
    /// Position 1 to 7.
    pub pos: u8,
    /// The axis title in this table (`Body Part`, `Body Region`...).
    pub title: String,
    /// The character.
    pub ch: char,
    /// Its label.
    pub label: String,
}

/// A value the builder offers at the next position, given the choices so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The character.
    pub ch: char,
    /// Its label.
    pub label: String,
    /// The definition of an operation or approach, when the Definitions give one.
    pub definition: String,
    /// What the value includes (body part key anatomy, device key names,
    /// an operation's examples).
    pub includes: Vec<String>,
}

/// Why a code is not in the Tables: the first position no table or row allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: character {position} ('{ch}') is not allowed after {prefix}; {axis} allows {}", allowed.iter().map(|v| format!("{} {}", v.ch, v.label)).collect::<Vec<_>>().join(", "))]
pub struct InvalidAt {
    /// The code checked.
    pub code: String,
    /// 1-based position of the first character no row allows.
    pub position: u8,
    /// That character.
    pub ch: char,
    /// The valid prefix before it (`0DTJ`), or `the start`.
    pub prefix: String,
    /// The axis title at that position (`Approach`), or `Section` etc.
    pub axis: String,
    /// What that position allows after the prefix.
    pub allowed: Vec<Value>,
}

/// A Definitions entry, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyReport {
    /// Section character.
    pub section: char,
    /// Axis position.
    pub axis: u8,
    /// Axis title (`Body Part`, `Device`, `Substance`, `Operation`, `Approach`).
    pub axis_title: String,
    /// The labels it is about.
    pub titles: Vec<String>,
    /// Definition.
    pub definition: String,
    /// Explanation.
    pub explanation: String,
    /// Includes.
    pub includes: Vec<String>,
}

/// A device aggregation row, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateReport {
    /// Specific device.
    pub device: String,
    /// Operations it applies to.
    pub operation: String,
    /// Body systems.
    pub body_systems: Vec<String>,
    /// General value's character.
    pub parent_ch: char,
    /// General value's label.
    pub parent: String,
}

/// A term of the PCS index, by position (preorder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IndexId(pub u32);

/// The PCS artifact over any byte storage.
#[derive(Debug, Clone)]
pub struct Pcs<D> {
    data: D,
    release: String,
    s: Sections,
    offsets: Vec<u32>,
    index_tree: Tree,
}

fn ch(v: u32) -> char {
    char::from_u32(v).unwrap_or('?')
}

impl<D: AsRef<[u8]>> Pcs<D> {
    /// Opens a PCS artifact, checking every section's shape.
    pub fn open(data: D) -> Result<Pcs<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            tables: layout.section(&T_TABLES)?,
            rows: layout.section(&T_ROWS)?,
            values: layout.section(&T_VALUES)?,
            keys: layout.section(&T_KEYS)?,
            aggr: layout.section(&T_AGGR)?,
            index: layout.section(&T_INDEX)?,
            lists: layout.section(&T_LISTS)?,
            table_fst: layout.section(&T_TABLE_FST)?,
            index_fst: layout.section(&T_INDEX_FST)?,
            key_fst: layout.section(&T_KEY_FST)?,
            strs: layout.section(&T_STR)?,
        };
        for (r, w, tag) in [
            (&s.tables, TW, T_TABLES),
            (&s.rows, RW, T_ROWS),
            (&s.values, 2, T_VALUES),
            (&s.keys, KW, T_KEYS),
            (&s.aggr, AW, T_AGGR),
            (&s.index, IW, T_INDEX),
            (&s.lists, 1, T_LISTS),
        ] {
            if !r.is_empty() {
                Rows::new(&bytes[r.clone()], w, &tag)?;
            }
        }
        for (r, tag) in [
            (&s.table_fst, T_TABLE_FST),
            (&s.index_fst, T_INDEX_FST),
            (&s.key_fst, T_KEY_FST),
        ] {
            check_fst(&bytes[r.clone()], &tag)?;
        }
        let offsets = StrPool::offsets(
            &bytes[layout.section(&T_STR_OFF)?],
            &bytes[s.strs.clone()],
            &T_STR,
        )?;
        // Row spans must stay inside the values, or a forged file would
        // make every later accessor check them.
        let rows = Rows::unchecked(&bytes[s.rows.clone()], RW);
        let nvalues = s.values.len() / 8;
        let ntables = s.tables.len() / (TW * 4);
        for r in 0..rows.len() as u32 {
            if rows.get(r, 0) as usize >= ntables {
                return Err(ArtifactError::section(&T_ROWS, "row of an unknown table"));
            }
            for a in 0..4 {
                let (st, n) = (
                    rows.get(r, 1 + 2 * a) as usize,
                    rows.get(r, 2 + 2 * a) as usize,
                );
                if st.checked_add(n).is_none_or(|e| e > nvalues) || n == 0 {
                    return Err(ArtifactError::section(&T_ROWS, "value span out of range"));
                }
            }
        }
        let index = Rows::unchecked(&bytes[s.index.clone()], IW);
        let index_tree = Tree::from_depths(index.len(), |i| index.get(i, 4), &T_INDEX)?;
        Ok(Pcs {
            data,
            release: layout.release,
            s,
            offsets,
            index_tree,
        })
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }
    fn str(&self, id: u32) -> &str {
        StrPool::new(&self.offsets, self.bytes(&self.s.strs)).get(id)
    }
    fn tables_rows(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.tables), TW)
    }
    fn rows(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.rows), RW)
    }
    fn values(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.values), 2)
    }
    fn lists(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.lists), 1)
    }
    fn list(&self, start: u32, n: u32) -> Vec<u32> {
        let l = self.lists();
        (start..start.saturating_add(n))
            .map(|i| l.get(i, 0))
            .filter(|v| *v != NONE)
            .collect()
    }

    /// The source release.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// Number of tables.
    pub fn table_count(&self) -> usize {
        self.tables_rows().len()
    }

    /// Number of rows over all tables.
    pub fn row_count(&self) -> usize {
        self.rows().len()
    }

    /// Every table, in code order.
    pub fn tables(&self) -> impl Iterator<Item = TableId> + '_ {
        (0..self.table_count() as u32).map(TableId)
    }

    /// The table whose code starts with `key` (three characters).
    pub fn table(&self, key: &str) -> Option<TableId> {
        let map = fst::Map::new(self.bytes(&self.s.table_fst)).ok()?;
        map.get(key.to_ascii_uppercase()).map(|v| TableId(v as u32))
    }

    /// The table's three characters.
    pub fn table_key(&self, t: TableId) -> String {
        String::from_utf8_lossy(&unpack3(self.tables_rows().get(t.0, 0))).into_owned()
    }

    /// The table's fixed values: section, body system, operation.
    pub fn table_axes(&self, t: TableId) -> [AxisValue; 3] {
        let r = self.tables_rows();
        let key = unpack3(r.get(t.0, 0));
        std::array::from_fn(|i| AxisValue {
            pos: i as u8 + 1,
            title: self.str(r.get(t.0, 6 + i)).to_string(),
            ch: key[i] as char,
            label: self.str(r.get(t.0, 1 + i)).to_string(),
        })
    }

    /// The axis titles of a table, positions 1 to 7.
    pub fn axis_titles(&self, t: TableId) -> [String; 7] {
        let r = self.tables_rows();
        std::array::from_fn(|i| self.str(r.get(t.0, 6 + i)).to_string())
    }

    /// The operation's definition as the table prints it.
    pub fn table_definition(&self, t: TableId) -> &str {
        self.str(self.tables_rows().get(t.0, 4))
    }

    /// The rows of a table.
    pub fn table_rows(&self, t: TableId) -> Range<u32> {
        let r = self.tables_rows();
        let start = r.get(t.0, 5);
        let end = if (t.0 as usize + 1) < r.len() {
            r.get(t.0 + 1, 5)
        } else {
            self.row_count() as u32
        };
        start.min(end)..end
    }

    /// The table a row belongs to.
    pub fn row_table(&self, row: RowId) -> TableId {
        TableId(self.rows().get(row.0, 0))
    }

    /// The values a row allows at position `pos` (4 to 7).
    pub fn row_values(&self, row: RowId, pos: u8) -> Vec<Value> {
        let Some(a) = (pos as usize).checked_sub(4).filter(|a| *a < 4) else {
            return Vec::new();
        };
        let r = self.rows();
        let (st, n) = (r.get(row.0, 1 + 2 * a), r.get(row.0, 2 + 2 * a));
        let v = self.values();
        (st..st.saturating_add(n))
            .map(|i| Value {
                ch: ch(v.get(i, 0)),
                label: self.str(v.get(i, 1)).to_string(),
            })
            .collect()
    }

    /// The label of character `c` at position `pos` in a row, if allowed.
    fn row_label(&self, row: u32, pos: usize, c: u8) -> Option<u32> {
        let a = pos.checked_sub(3)?;
        let r = self.rows();
        let (st, n) = (r.get(row, 1 + 2 * a), r.get(row, 2 + 2 * a));
        let v = self.values();
        (st..st.saturating_add(n))
            .find(|i| v.get(*i, 0) == c as u32)
            .map(|i| v.get(i, 1))
    }

    /// Whether row `row` allows every character of `rest` (positions 4.. of a code).
    fn row_allows(&self, row: u32, rest: &[u8]) -> bool {
        rest.iter()
            .enumerate()
            .all(|(i, c)| self.row_label(row, 3 + i, *c).is_some())
    }

    /// Number of codes a row expands to.
    pub fn row_code_count(&self, row: RowId) -> u64 {
        let r = self.rows();
        (0..4).map(|a| r.get(row.0, 2 + 2 * a) as u64).product()
    }

    /// Number of codes all rows expand to.
    pub fn code_count(&self) -> u64 {
        (0..self.row_count() as u32)
            .map(|r| self.row_code_count(RowId(r)))
            .sum()
    }

    /// Every code of a row, in value order.
    pub fn row_codes(&self, row: RowId) -> Vec<PcsCode> {
        let t = self.row_table(row);
        let key = self.table_key(t);
        let axes: Vec<Vec<Value>> = (4..=7).map(|p| self.row_values(row, p)).collect();
        let mut out = Vec::new();
        for a in &axes[0] {
            for b in &axes[1] {
                for c in &axes[2] {
                    for d in &axes[3] {
                        let s = format!("{key}{}{}{}{}", a.ch, b.ch, c.ch, d.ch);
                        if let Ok(code) = s.parse() {
                            out.push(code);
                        }
                    }
                }
            }
        }
        out
    }

    /// The row that allows `code`, if the Tables have it.
    pub fn find(&self, code: &PcsCode) -> Option<RowId> {
        let b = code.as_str().as_bytes();
        let t = self.table(code.as_str().get(..3)?)?;
        self.table_rows(t)
            .find(|r| self.row_allows(*r, &b[3..]))
            .map(RowId)
    }

    /// The seven axes of a code the Tables have.
    pub fn axes(&self, code: &PcsCode) -> Option<[AxisValue; 7]> {
        let row = self.find(code)?;
        let t = self.row_table(row);
        let head = self.table_axes(t);
        let titles = self.axis_titles(t);
        let b = code.as_str().as_bytes();
        let [a1, a2, a3] = head;
        let tail: [AxisValue; 4] = std::array::from_fn(|i| AxisValue {
            pos: 4 + i as u8,
            title: titles[3 + i].clone(),
            ch: b[3 + i] as char,
            label: self
                .row_label(row.0, 3 + i, b[3 + i])
                .map(|l| self.str(l).to_string())
                .unwrap_or_default(),
        });
        let [a4, a5, a6, a7] = tail;
        Some([a1, a2, a3, a4, a5, a6, a7])
    }

    /// The long title derived from the labels (see [`title`]).
    pub fn title(&self, code: &PcsCode) -> Option<String> {
        self.axes(code).map(|a| title::derive(&a))
    }

    /// The values offered at the next position after `prefix` (0 to 6
    /// characters), given that prefix: only values some row allows.
    /// An invalid prefix offers nothing.
    pub fn offered(&self, prefix: &str) -> Vec<Offer> {
        let p = prefix.trim().to_ascii_uppercase();
        let b = p.as_bytes();
        let mut seen: BTreeMap<char, (String, Option<TableId>)> = BTreeMap::new();
        if b.len() < 3 {
            let r = self.tables_rows();
            for t in 0..r.len() as u32 {
                let key = unpack3(r.get(t, 0));
                if key[..b.len()] == *b {
                    let c = key[b.len()] as char;
                    seen.entry(c).or_insert_with(|| {
                        (
                            self.str(r.get(t, 1 + b.len())).to_string(),
                            Some(TableId(t)),
                        )
                    });
                }
            }
        } else if b.len() < 7 {
            let Some(t) = self.table(&p[..3]) else {
                return Vec::new();
            };
            for row in self.table_rows(t) {
                if !self.row_allows(row, &b[3..]) {
                    continue;
                }
                for v in self.row_values(RowId(row), b.len() as u8 + 1) {
                    seen.entry(v.ch).or_insert((v.label, Some(t)));
                }
            }
        }
        let pos = b.len() as u8 + 1;
        let section = b.first().map(|c| *c as char);
        seen.into_iter()
            .map(|(c, (label, t))| {
                let (definition, includes) = self.value_notes(pos, section.unwrap_or(c), t, &label);
                Offer {
                    ch: c,
                    label,
                    definition,
                    includes,
                }
            })
            .collect()
    }

    /// Definition and includes of a value: an operation's or approach's
    /// definition and examples, a body part's or device's key entries.
    fn value_notes(
        &self,
        pos: u8,
        section: char,
        t: Option<TableId>,
        label: &str,
    ) -> (String, Vec<String>) {
        match pos {
            3 => {
                let def = t
                    .map(|t| self.table_definition(t).to_string())
                    .unwrap_or_default();
                let entry = self.definition(section, 3, label);
                let def = if def.is_empty() {
                    entry
                        .as_ref()
                        .map(|e| e.definition.clone())
                        .unwrap_or_default()
                } else {
                    def
                };
                (def, entry.map(|e| e.includes).unwrap_or_default())
            }
            5 => (
                self.definition(section, 5, label)
                    .map(|e| e.definition)
                    .unwrap_or_default(),
                Vec::new(),
            ),
            4 | 6 => {
                let head = t.map(|t| self.table_axes(t));
                let context = head
                    .as_ref()
                    .map(|h| (h[1].label.as_str(), h[2].label.as_str()));
                let includes = self
                    .key_entries(section, pos, label, context)
                    .into_iter()
                    .flat_map(|e| e.includes)
                    .collect();
                (String::new(), includes)
            }
            _ => (String::new(), Vec::new()),
        }
    }

    /// Checks a code against the Tables: `Err` names the first character no
    /// table or row allows and what that position allows.
    pub fn check(&self, code: &PcsCode) -> Result<RowId, InvalidAt> {
        let s = code.as_str();
        for n in 0..7 {
            let offers = self.offered(&s[..n]);
            let c = s.as_bytes()[n] as char;
            if !offers.iter().any(|o| o.ch == c) {
                let axis = match self.table(s.get(..3).unwrap_or("")) {
                    Some(t) if n >= 3 => self.axis_titles(t)[n].clone(),
                    _ => ["Section", "Body System", "Operation"]
                        .get(n)
                        .unwrap_or(&"")
                        .to_string(),
                };
                return Err(InvalidAt {
                    code: s.to_string(),
                    position: n as u8 + 1,
                    ch: c,
                    prefix: if n == 0 {
                        "the start".to_string()
                    } else {
                        s[..n].to_string()
                    },
                    axis,
                    allowed: offers
                        .into_iter()
                        .map(|o| Value {
                            ch: o.ch,
                            label: o.label,
                        })
                        .collect(),
                });
            }
        }
        self.find(code).ok_or_else(|| InvalidAt {
            code: s.to_string(),
            position: 7,
            ch: s.as_bytes()[6] as char,
            prefix: s[..6].to_string(),
            axis: "Qualifier".to_string(),
            allowed: Vec::new(),
        })
    }

    fn key_report(&self, i: u32) -> KeyReport {
        let r = Rows::unchecked(self.bytes(&self.s.keys), KW);
        let strs = |st, n| {
            self.list(st, n)
                .into_iter()
                .map(|id| self.str(id).to_string())
                .collect::<Vec<_>>()
        };
        KeyReport {
            section: ch(r.get(i, 0)),
            axis: r.get(i, 1) as u8,
            axis_title: self.str(r.get(i, 2)).to_string(),
            titles: strs(r.get(i, 3), r.get(i, 4)),
            definition: self.str(r.get(i, 5)).to_string(),
            explanation: self.str(r.get(i, 6)).to_string(),
            includes: strs(r.get(i, 7), r.get(i, 8)),
        }
    }

    /// Number of Definitions entries.
    pub fn key_count(&self) -> usize {
        Rows::unchecked(self.bytes(&self.s.keys), KW).len()
    }

    /// Every Definitions entry.
    pub fn keys(&self) -> impl Iterator<Item = KeyReport> + '_ {
        (0..self.key_count() as u32).map(|i| self.key_report(i))
    }

    /// The Definitions entries whose title or include normalizes to `term`.
    pub fn keys_named(&self, term: &str) -> Vec<KeyReport> {
        let Ok(map) = fst::Map::new(self.bytes(&self.s.key_fst)) else {
            return Vec::new();
        };
        let Some(v) = map.get(normalize(term)) else {
            return Vec::new();
        };
        self.list((v >> 16) as u32, (v & 0xffff) as u32)
            .into_iter()
            .map(|i| self.key_report(i))
            .collect()
    }

    /// The definition of an operation (axis 3) or approach (axis 5) in a section.
    pub fn definition(&self, section: char, axis: u8, label: &str) -> Option<KeyReport> {
        self.keys_named(label)
            .into_iter()
            .find(|k| k.section == section && k.axis == axis && k.titles.iter().any(|t| t == label))
    }

    /// The key entries for a value: the body part key (axis 4) or the device
    /// or substance key (axis 6) entries titled with `label`, or, as the
    /// device key writes them, `label in <body system>` and `label for
    /// <operation> in <body system>`. `context` is (body system, operation).
    pub fn key_entries(
        &self,
        section: char,
        axis: u8,
        label: &str,
        context: Option<(&str, &str)>,
    ) -> Vec<KeyReport> {
        let mut names = vec![label.to_string()];
        if let Some((bs, op)) = context {
            names.push(format!("{label} in {bs}"));
            names.push(format!("{label} for {op} in {bs}"));
        }
        let mut out: Vec<KeyReport> = Vec::new();
        for n in &names {
            for k in self.keys_named(n) {
                if k.section == section
                    && k.axis == axis
                    && k.titles.iter().any(|t| t == n)
                    && !out.contains(&k)
                {
                    out.push(k);
                }
            }
        }
        out
    }

    /// Every device aggregation row.
    pub fn aggregates(&self) -> Vec<AggregateReport> {
        let r = Rows::unchecked(self.bytes(&self.s.aggr), AW);
        (0..r.len() as u32)
            .map(|i| AggregateReport {
                device: self.str(r.get(i, 0)).to_string(),
                operation: self.str(r.get(i, 1)).to_string(),
                body_systems: self
                    .list(r.get(i, 2), r.get(i, 3))
                    .into_iter()
                    .map(|s| self.str(s).to_string())
                    .collect(),
                parent_ch: ch(r.get(i, 4)),
                parent: self.str(r.get(i, 5)).to_string(),
            })
            .collect()
    }

    fn index_rows(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.index), IW)
    }

    /// Number of index terms.
    pub fn index_len(&self) -> usize {
        self.index_rows().len()
    }

    /// An index term.
    pub fn index_term(&self, id: IndexId) -> IndexTerm {
        let r = self.index_rows();
        IndexTerm {
            level: r.get(id.0, 4) as u8,
            title: self.str(r.get(id.0, 0)).to_string(),
            use_: self.str(r.get(id.0, 1)).to_string(),
            see: self.str(r.get(id.0, 2)).to_string(),
            code: self.str(r.get(id.0, 3)).to_string(),
        }
    }

    /// The parent of an index term.
    pub fn index_parent(&self, id: IndexId) -> Option<IndexId> {
        self.index_tree.parent(id.0).map(IndexId)
    }

    /// The subterms of an index term.
    pub fn index_children(&self, id: IndexId) -> Vec<IndexId> {
        self.index_tree
            .children(id.0)
            .iter()
            .map(|c| IndexId(*c))
            .collect()
    }

    /// The main terms titled `term` (normalized).
    pub fn index_main(&self, term: &str) -> Vec<IndexId> {
        let Ok(map) = fst::Map::new(self.bytes(&self.s.index_fst)) else {
            return Vec::new();
        };
        map.get(normalize(term))
            .map(|v| {
                self.list((v >> 16) as u32, (v & 0xffff) as u32)
                    .into_iter()
                    .map(IndexId)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `Main > sub > ...` of an index term.
    pub fn index_path(&self, id: IndexId) -> String {
        let mut parts = Vec::new();
        let mut c = Some(id);
        while let Some(i) = c {
            let t = self.str(self.index_rows().get(i.0, 0));
            if !t.is_empty() {
                parts.push(t.to_string());
            }
            c = self.index_parent(i);
        }
        parts.reverse();
        parts.join(" > ")
    }

    /// The main-term map, for searches over it.
    pub fn index_map(&self) -> fst::Map<&[u8]> {
        fst::Map::new(self.bytes(&self.s.index_fst)).unwrap_or_else(|_| empty_map())
    }
}

#[cfg(test)]
mod tests;
