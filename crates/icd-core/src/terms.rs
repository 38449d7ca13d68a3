//! Term trees: the Alphabetic Index, the External Cause Index, the Table of
//! Neoplasms and the Table of Drugs and Chemicals.
//!
//! All four are trees of terms written in preorder with a level, each term
//! carrying optional nonessential modifiers, `see` / `see also` cross
//! references, a code, and (for the two tables) one cell per column. An
//! `fst` maps every normalized term title to the terms carrying it.
//!
//! ```
//! use icd_core::terms::{SourceTerm, TermSource, Terms};
//! let src = TermSource {
//!     release: "test".into(),
//!     title: "Index".into(),
//!     columns: vec![],
//!     key_all_levels: false,
//!     terms: vec![
//!         SourceTerm { level: 0, title: "Failure, failed".into(), ..Default::default() },
//!         SourceTerm { level: 1, title: "heart".into(), code: "I50.9".into(), ..Default::default() },
//!     ],
//! };
//! let terms = Terms::open(src.build().unwrap()).unwrap();
//! let heart = terms.resolve("Failure, heart").unwrap();
//! assert_eq!(terms.code(heart), "I50.9");
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use crate::artifact::{
    check_fst, empty_map, u32s_to_bytes, ArtifactError, ArtifactWriter, Layout, Planes, Rows,
    RowsBuilder, StrPool, StrPoolBuilder, Tree,
};
use crate::text::{normalize, reference_form};

/// Artifact kind of a term tree file.
pub const KIND: [u8; 4] = *b"TERM";

/// One term as parsed from the source, in preorder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceTerm {
    /// 0 for a main term, 1 for its subterms, and so on.
    pub level: u8,
    /// The term.
    pub title: String,
    /// Nonessential modifiers, as printed: `(acute) (chronic)`.
    pub nemod: String,
    /// `see` target, e.g. `Failure, heart, congestive`.
    pub see: String,
    /// `see also` target.
    pub see_also: String,
    /// Code as the index prints it (`I50.9`, `H93.29-`), or empty.
    pub code: String,
    /// For the two tables: one cell per column after the first (`--` or `-` = none).
    pub cells: Vec<String>,
}

/// A whole term tree as parsed from the source.
#[derive(Debug, Clone)]
pub struct TermSource {
    /// Release label.
    pub release: String,
    /// What the tree is (`Alphabetic Index`, `Table of Drugs and Chemicals`).
    pub title: String,
    /// Column headings of a table (first column = the term), else empty.
    pub columns: Vec<String>,
    /// Terms in preorder.
    pub terms: Vec<SourceTerm>,
    /// Whether every term is found by its title ([`Terms::find`]), or only
    /// main terms. The two tables want every row; the indexes main terms.
    pub key_all_levels: bool,
}

/// Why a term source cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A term's level skips one (a level-3 term right under a level-1 term).
    #[error("term {index} ('{title}') is at level {level} but follows a term at level {previous}; levels may only grow by one")]
    LevelJump {
        /// 0-based position in the source.
        index: usize,
        /// Its title.
        title: String,
        /// Its level.
        level: u8,
        /// The previous term's level.
        previous: i32,
    },
    /// A table row with the wrong number of cells.
    #[error("term {index} ('{title}') has {found} cells; the table has {expected} code columns")]
    Cells {
        /// Position.
        index: usize,
        /// Title.
        title: String,
        /// Cells found.
        found: usize,
        /// Cells expected.
        expected: usize,
    },
}

/// A term of a tree, by position (preorder).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TermId(pub u32);

/// Term columns: title, nemod, see, see also, code, level. Parents and
/// subterm lists follow from the preorder and the levels, rebuilt on open.
const W: usize = 6;
const C_TITLE: usize = 0;
const C_NEMOD: usize = 1;
const C_SEE: usize = 2;
const C_SEE_ALSO: usize = 3;
const C_CODE: usize = 4;
const C_LEVEL: usize = 5;
/// The term columns stored as byte planes: title ids grow with the
/// preorder and levels are small (brotli 11, FY2026: the index's terms
/// 293 KB to 289 KB, the Table of Drugs' 14 KB to 9 KB). The other string
/// ids repeat as whole values and compress better as they are.
const TERM_PLANES: Planes = Planes::of(&[C_TITLE, C_LEVEL]);

const T_TERMS: [u8; 4] = *b"TERM";
const T_CELLS: [u8; 4] = *b"CELL";
const T_COLUMNS: [u8; 4] = *b"COLS";
const T_KEYS: [u8; 4] = *b"KFST";
const T_POSTINGS: [u8; 4] = *b"POST";
const T_META: [u8; 4] = *b"META";
const T_STR_OFF: [u8; 4] = *b"SOFF";
const T_STR: [u8; 4] = *b"STRS";

impl TermSource {
    /// Compiles the tree into an artifact.
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        let ncells = self.columns.len().saturating_sub(1);
        let mut strings = StrPoolBuilder::default();
        let mut rows = RowsBuilder::new(W);
        let mut cells = Vec::with_capacity(self.terms.len() * ncells);
        let mut stack: Vec<u32> = Vec::new();
        let mut keys: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, t) in self.terms.iter().enumerate() {
            let previous = stack.len() as i32 - 1;
            if t.level as i32 > previous + 1 {
                return Err(BuildError::LevelJump {
                    index: i,
                    title: t.title.clone(),
                    level: t.level,
                    previous,
                });
            }
            if t.cells.len() != ncells {
                return Err(BuildError::Cells {
                    index: i,
                    title: t.title.clone(),
                    found: t.cells.len(),
                    expected: ncells,
                });
            }
            stack.truncate(t.level as usize);
            let id = i as u32;
            stack.push(id);
            let row = [
                strings.add(t.title.trim()),
                strings.add(t.nemod.trim()),
                strings.add(t.see.trim()),
                strings.add(t.see_also.trim()),
                strings.add(t.code.trim()),
                t.level as u32,
            ];
            rows.push(&row);
            for c in &t.cells {
                let c = c.trim();
                cells.push(if c.chars().all(|ch| ch == '-') {
                    0
                } else {
                    strings.add(c)
                });
            }
            let keyed = if self.key_all_levels || t.level == 0 {
                title_keys(&t.title)
            } else {
                Vec::new()
            };
            for key in keyed {
                let list = keys.entry(key).or_default();
                if list.last() != Some(&id) {
                    list.push(id);
                }
            }
        }
        let mut postings = Vec::new();
        let mut map = fst::MapBuilder::memory();
        for (k, ids) in &keys {
            // value: start in the postings list (high 40 bits) and count (low 24).
            let v = ((postings.len() as u64) << 24) | ids.len().min(0xff_ffff) as u64;
            postings.extend_from_slice(ids);
            // Keys come sorted and unique from the BTreeMap.
            map.insert(k, v).ok();
        }
        let columns: Vec<u32> = self.columns.iter().map(|c| strings.add(c)).collect();
        let mut w = ArtifactWriter::new(KIND, &self.release);
        w.section(T_TERMS, rows.to_bytes_with(TERM_PLANES));
        w.section(T_CELLS, u32s_to_bytes(&cells));
        w.section(T_COLUMNS, u32s_to_bytes(&columns));
        w.section(T_KEYS, map.into_inner().unwrap_or_default());
        w.section(T_POSTINGS, u32s_to_bytes(&postings));
        w.section(T_META, u32s_to_bytes(&[strings.add(&self.title)]));
        strings.write(&mut w, T_STR_OFF, T_STR);
        Ok(w.finish())
    }
}

/// The keys a term is found under: its whole title, and for a main term
/// written `Failure, failed` also its first part, since cross references
/// name it by that (`see Failure, heart`).
fn title_keys(title: &str) -> Vec<String> {
    let mut out = vec![normalize(title), reference_form(title)];
    if let Some((first, _)) = title.split_once(',') {
        out.push(normalize(first));
        out.push(reference_form(first));
    }
    out.retain(|k| !k.is_empty());
    out.sort();
    out.dedup();
    out
}

#[derive(Debug, Clone)]
struct Sections {
    terms: Range<usize>,
    cells: Range<usize>,
    columns: Range<usize>,
    keys: Range<usize>,
    postings: Range<usize>,
    meta: Range<usize>,
    str_off: Range<usize>,
    strs: Range<usize>,
}

/// A read-only term tree over any byte storage.
#[derive(Debug, Clone)]
pub struct Terms<D> {
    data: D,
    release: String,
    s: Sections,
    offsets: Vec<u32>,
    ncells: usize,
    tree: Tree,
}

impl<D: AsRef<[u8]>> Terms<D> {
    /// Opens a term tree artifact.
    pub fn open(data: D) -> Result<Terms<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            terms: layout.section(&T_TERMS)?,
            cells: layout.section(&T_CELLS)?,
            columns: layout.section(&T_COLUMNS)?,
            keys: layout.section(&T_KEYS)?,
            postings: layout.section(&T_POSTINGS)?,
            meta: layout.section(&T_META)?,
            str_off: layout.section(&T_STR_OFF)?,
            strs: layout.section(&T_STR)?,
        };
        let terms = Rows::new(&bytes[s.terms.clone()], W, &T_TERMS)?.planes(TERM_PLANES);
        let tree = Tree::from_depths(terms.len(), |i| terms.get(i, C_LEVEL), &T_TERMS)?;
        let columns = Rows::new(&bytes[s.columns.clone()], 1, &T_COLUMNS)?;
        let ncells = columns.len().saturating_sub(1);
        let cells = Rows::new(&bytes[s.cells.clone()], 1, &T_CELLS)?;
        if cells.len() != terms.len() * ncells {
            return Err(ArtifactError::section(
                &T_CELLS,
                "cell count does not match the terms",
            ));
        }
        Rows::new(&bytes[s.postings.clone()], 1, &T_POSTINGS)?;
        if Rows::new(&bytes[s.meta.clone()], 1, &T_META)?.is_empty() {
            return Err(ArtifactError::section(&T_META, "empty"));
        }
        check_fst(&bytes[s.keys.clone()], &T_KEYS)?;
        let offsets = StrPool::offsets(&bytes[s.str_off.clone()], &bytes[s.strs.clone()], &T_STR)?;
        Ok(Terms {
            data,
            release: layout.release,
            s,
            offsets,
            ncells,
            tree,
        })
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }
    fn rows(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.terms), W).planes(TERM_PLANES)
    }
    fn list(&self, r: &Range<usize>) -> Rows<'_> {
        Rows::unchecked(self.bytes(r), 1)
    }
    fn strings(&self) -> StrPool<'_> {
        StrPool::new(&self.offsets, self.bytes(&self.s.strs))
    }
    fn keys(&self) -> fst::Map<&[u8]> {
        // Checked on open, so this cannot fail; an empty map is the fallback.
        fst::Map::new(self.bytes(&self.s.keys)).unwrap_or_else(|_| empty_map())
    }
    fn str_field(&self, id: TermId, col: usize) -> &str {
        self.strings().get(self.rows().get(id.0, col))
    }

    /// The source release.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// What the tree is (`Alphabetic Index`...).
    pub fn title(&self) -> &str {
        self.strings().get(self.list(&self.s.meta).get(0, 0))
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every term id, in preorder.
    pub fn ids(&self) -> impl Iterator<Item = TermId> {
        (0..self.len() as u32).map(TermId)
    }

    /// The column headings (tables only; the first names the term column).
    pub fn columns(&self) -> Vec<&str> {
        let cols = self.list(&self.s.columns);
        let strings = self.strings();
        (0..cols.len() as u32)
            .map(|i| strings.get(cols.get(i, 0)))
            .collect()
    }

    /// The term's text.
    pub fn term(&self, id: TermId) -> &str {
        self.str_field(id, C_TITLE)
    }
    /// Nonessential modifiers, or empty.
    pub fn nemod(&self, id: TermId) -> &str {
        self.str_field(id, C_NEMOD)
    }
    /// `see` target, or empty.
    pub fn see(&self, id: TermId) -> &str {
        self.str_field(id, C_SEE)
    }
    /// `see also` target, or empty.
    pub fn see_also(&self, id: TermId) -> &str {
        self.str_field(id, C_SEE_ALSO)
    }
    /// The code as printed (`I50.9`, `H93.29-`), or empty.
    pub fn code(&self, id: TermId) -> &str {
        self.str_field(id, C_CODE)
    }
    /// 0 for a main term.
    pub fn level(&self, id: TermId) -> u32 {
        self.rows().get(id.0, C_LEVEL)
    }

    /// The cells of a table row, one per code column (empty = no code).
    pub fn cells(&self, id: TermId) -> Vec<&str> {
        let cells = self.list(&self.s.cells);
        let strings = self.strings();
        let start = id.0 as usize * self.ncells;
        (start..start + self.ncells)
            .map(|i| strings.get(cells.get(i as u32, 0)))
            .collect()
    }

    /// The parent term.
    pub fn parent(&self, id: TermId) -> Option<TermId> {
        self.tree.parent(id.0).map(TermId)
    }

    /// The path from the main term down to `id`, inclusive.
    pub fn path(&self, id: TermId) -> Vec<TermId> {
        let mut out = vec![id];
        let mut cur = self.parent(id);
        while let Some(p) = cur {
            out.push(p);
            cur = self.parent(p);
        }
        out.reverse();
        out
    }

    /// The path as a coder writes it: `Failure > heart > congestive`.
    pub fn path_text(&self, id: TermId) -> String {
        self.path(id)
            .iter()
            .map(|t| self.term(*t))
            .collect::<Vec<_>>()
            .join(" > ")
    }

    /// Terms whose path (`Main > sub > ...`) holds every word of `filter`
    /// (case-insensitive, punctuation ignored), in tree order; every term
    /// when the filter has no word. This is how a table is searched.
    pub fn matching<'a>(&'a self, filter: &str) -> impl Iterator<Item = TermId> + 'a {
        let words: Vec<String> = filter
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        self.ids().filter(move |t| {
            words.is_empty() || {
                let path = self.path_text(*t).to_lowercase();
                words.iter().all(|w| path.contains(w.as_str()))
            }
        })
    }

    /// The subterms of `id`, in index order.
    pub fn children(&self, id: TermId) -> Vec<TermId> {
        self.tree
            .children(id.0)
            .iter()
            .map(|c| TermId(*c))
            .collect()
    }

    /// The main terms, in index order.
    pub fn main_terms(&self) -> Vec<TermId> {
        self.tree.roots.iter().map(|c| TermId(*c)).collect()
    }

    /// Terms whose normalized title (or its part before the first comma) is
    /// `text`: main terms, and for the tables every row.
    pub fn find(&self, text: &str) -> Vec<TermId> {
        self.postings_of(&normalize(text))
    }

    fn postings_of(&self, key: &str) -> Vec<TermId> {
        let Some(v) = self.keys().get(key) else {
            return Vec::new();
        };
        let (start, len) = ((v >> 24) as u32, (v & 0xff_ffff) as u32);
        let list = self.list(&self.s.postings);
        (start..start.saturating_add(len))
            .map(|i| TermId(list.get(i, 0)))
            .filter(|c| (c.0 as usize) < self.len())
            .collect()
    }

    /// Main terms whose normalized title starts with `prefix`, at most `limit`.
    pub fn main_terms_with_prefix(&self, prefix: &str, limit: usize) -> Vec<TermId> {
        use fst::{IntoStreamer, Streamer};
        let key = normalize(prefix);
        let map = self.keys();
        let mut stream = map.range().ge(&key).into_stream();
        let mut out = Vec::new();
        while let Some((k, _)) = stream.next() {
            if !k.starts_with(key.as_bytes()) || out.len() >= limit {
                break;
            }
            let k = String::from_utf8_lossy(k).into_owned();
            for t in self.postings_of(&k) {
                if self.level(t) == 0
                    && !out.contains(&t)
                    && normalize(self.term(t)).starts_with(&key)
                {
                    out.push(t);
                }
            }
        }
        out.sort();
        out.truncate(limit);
        out
    }

    /// Resolves a cross reference such as `Failure, heart, congestive`: the
    /// longest leading part that names a main term, then each following part
    /// as a subterm. Returns the deepest term reached only if every part matched.
    pub fn resolve(&self, target: &str) -> Option<TermId> {
        let parts: Vec<&str> = target
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        for split in (1..=parts.len()).rev() {
            let head = reference_form(&parts[..split].join(", "));
            for main in self
                .postings_of(&head)
                .into_iter()
                .filter(|t| self.level(*t) == 0)
            {
                // A main term written with commas ("Findings, abnormal,
                // inconclusive") may be named by its parts: skip those.
                let own: Vec<String> = self.term(main).split(',').map(reference_form).collect();
                let mut rest = &parts[split..];
                let mut i = split;
                while let (Some(first), Some(o)) = (rest.first(), own.get(i)) {
                    if reference_form(first) != *o {
                        break;
                    }
                    rest = &rest[1..];
                    i += 1;
                }
                if let Some(t) = self.descend(main, rest) {
                    return Some(t);
                }
            }
        }
        // "see Gait" names the main term "Gait abnormality".
        let first = parts.first().map(|p| reference_form(p)).unwrap_or_default();
        if parts.len() == 1 && !first.is_empty() {
            return self
                .main_terms_with_prefix(&first, 1)
                .into_iter()
                .find(|t| reference_form(self.term(*t)).starts_with(&format!("{first} ")));
        }
        None
    }

    fn descend(&self, from: TermId, parts: &[&str]) -> Option<TermId> {
        let Some((first, rest)) = parts.split_first() else {
            return Some(from);
        };
        // "by site", "by type": an instruction to pick the subterm, not a term.
        if first.starts_with("by ") && rest.is_empty() {
            return Some(from);
        }
        let want = reference_form(first);
        // A subterm may itself hold commas ("conjunctiva, vascular"), so
        // also try joining the next parts.
        for take in (1..=parts.len()).rev() {
            let want_joined = reference_form(&parts[..take].join(", "));
            for child in self.children(from) {
                let title = reference_form(self.term(child));
                if title == want_joined
                    || (title.is_empty() && reference_form(self.nemod(child)) == want_joined)
                {
                    if let Some(t) = self.descend(child, &parts[take..]) {
                        return Some(t);
                    }
                }
            }
        }
        // Fall back to a subterm that begins with the wanted words ("by type").
        self.children(from)
            .into_iter()
            .find(|c| {
                let t = reference_form(self.term(*c));
                t.split(' ').next() == want.split(' ').next() && !want.is_empty()
            })
            .and_then(|c| self.descend(c, rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(level: u8, title: &str, code: &str) -> SourceTerm {
        SourceTerm {
            level,
            title: title.into(),
            code: code.into(),
            ..Default::default()
        }
    }

    fn fixture() -> Terms<Vec<u8>> {
        let mut cardiac = t(1, "cardiac", "");
        cardiac.see = "Failure, heart, congestive".into();
        let src = TermSource {
            release: "fixture".into(),
            title: "Alphabetic Index".into(),
            columns: vec![],
            key_all_levels: false,
            terms: vec![
                t(0, "Abasia", "F44.4"),
                cardiac,
                t(0, "Failure, failed", ""),
                t(1, "heart", "I50.9"),
                t(2, "congestive", "I50.9"),
                t(3, "acute on chronic", "I50.23"),
                t(1, "conjunctiva, vascular", "H11.41-"),
            ],
        };
        Terms::open(src.build().unwrap()).unwrap()
    }

    #[test]
    fn tree_paths_and_cross_references() {
        let terms = fixture();
        assert_eq!(terms.main_terms(), [TermId(0), TermId(2)]);
        let chf = terms.resolve(terms.see(TermId(1))).unwrap();
        assert_eq!(terms.path_text(chf), "Failure, failed > heart > congestive");
        assert_eq!(terms.code(terms.children(chf)[0]), "I50.23");
        assert_eq!(
            terms.resolve("Failure, conjunctiva, vascular"),
            Some(TermId(6))
        );
        assert_eq!(terms.resolve("Failure, lung"), None);
        assert_eq!(terms.main_terms_with_prefix("fail", 10), [TermId(2)]);
        assert_eq!(terms.main_terms_with_prefix("a", 10), [TermId(0)]);
    }

    #[test]
    fn level_jumps_are_refused() {
        let src = TermSource {
            release: "x".into(),
            title: "x".into(),
            columns: vec![],
            key_all_levels: false,
            terms: vec![t(0, "A", ""), t(2, "b", "")],
        };
        assert_eq!(
            src.build().unwrap_err().to_string(),
            "term 1 ('b') is at level 2 but follows a term at level 0; levels may only grow by one"
        );
    }

    #[test]
    fn table_cells() {
        let mut row = t(0, "Neoplasm, neoplastic", "");
        row.cells = vec!["C80.1".into(), "--".into()];
        let src = TermSource {
            release: "x".into(),
            title: "Table of Neoplasms".into(),
            columns: vec![
                "Neoplasm".into(),
                "Malignant Primary".into(),
                "Malignant Secondary".into(),
            ],
            key_all_levels: true,
            terms: vec![row],
        };
        let terms = Terms::open(src.build().unwrap()).unwrap();
        assert_eq!(terms.cells(TermId(0)), ["C80.1", ""]);
        assert_eq!(terms.columns()[1], "Malignant Primary");
        assert_eq!(terms.title(), "Table of Neoplasms");
    }
}
