//! The search artifact: a word-level inverted index over every place a code
//! can be found (index paths, tabular titles, inclusion terms, the two
//! tables, the External Cause Index), plus the abbreviation dictionary.
//!
//! An `fst` maps each stemmed word to its postings (delta + LEB128 coded
//! document ids, lowest bit = the word is only a nonessential modifier);
//! documents are side-table rows pointing back into the other artifacts, so
//! no text is stored twice.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::rc::Rc;

use super::text::{stem, words};
use crate::artifact::{
    check_fst, empty_map, u32s_to_bytes, ArtifactError, ArtifactWriter, Layout, Rows, RowsBuilder,
    StrPool, StrPoolBuilder, NONE,
};
use crate::lookup::Library;
use crate::tabular::NoteKind;
use crate::terms::{TermId, Terms};
use crate::text::normalize;

/// Artifact kind of the search file.
pub const KIND: [u8; 4] = *b"SRCH";

/// Where a document comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// An Alphabetic Index path.
    Index,
    /// A tabular title.
    Tabular,
    /// A tabular inclusion term.
    Inclusion,
    /// A row of the Table of Neoplasms.
    Neoplasm,
    /// A row of the Table of Drugs and Chemicals.
    Drug,
    /// An External Cause Index path.
    Eindex,
    /// A code typed directly.
    Code,
}

impl Via {
    const ALL: [Via; 7] = [
        Via::Index,
        Via::Tabular,
        Via::Inclusion,
        Via::Neoplasm,
        Via::Drug,
        Via::Eindex,
        Via::Code,
    ];
    fn to_u32(self) -> u32 {
        Via::ALL.iter().position(|v| *v == self).unwrap_or(0) as u32
    }
    fn from_u32(n: u32) -> Via {
        Via::ALL.get(n as usize).copied().unwrap_or(Via::Index)
    }
}

/// A searchable document: a pointer into another artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc {
    /// Which source.
    pub via: Via,
    /// Term id (index, tables, eindex) or node id (tabular, inclusion).
    pub source: u32,
    /// For an inclusion term: which of the node's inclusion terms. For a
    /// term reached through `see`: the term that referred to it.
    pub extra: u32,
    /// Number of distinct essential words.
    pub len: u32,
}

const T_VOCAB: [u8; 4] = *b"VOCB";
const T_POSTINGS: [u8; 4] = *b"POST";
const T_DOCS: [u8; 4] = *b"DOCS";
const T_ABBR: [u8; 4] = *b"ABBR";
const T_ABBR_ROWS: [u8; 4] = *b"ABRW";
const T_STR_OFF: [u8; 4] = *b"SOFF";
const T_STR: [u8; 4] = *b"STRS";

const SOURCE_MASK: u32 = 0x1_ffff;

/// Subterms of a `see` target that inherit the referring term's words.
const MAX_SEE_CHILDREN: usize = 12;

struct Builder {
    docs: RowsBuilder,
    postings: HashMap<String, Vec<u32>>,
}

impl Builder {
    /// Adds a document whose essential words are `essential` and whose
    /// optional words (nonessential modifiers) are `optional`.
    fn doc(
        &mut self,
        via: Via,
        source: u32,
        extra: u32,
        essential: &[String],
        optional: &[String],
    ) {
        let id = self.docs.len() as u32;
        let mut seen: Vec<&String> = Vec::new();
        for w in essential {
            if !seen.contains(&w) {
                seen.push(w);
                self.postings.entry(w.clone()).or_default().push(id << 1);
            }
        }
        let len = seen.len() as u32;
        for w in optional {
            if !seen.contains(&w) {
                seen.push(w);
                self.postings
                    .entry(w.clone())
                    .or_default()
                    .push((id << 1) | 1);
            }
        }
        // Sources are node or term ids (< 2^17); lengths past 15 count as 15.
        self.docs
            .push(&[source | via.to_u32() << 17 | len.min(15) << 20, extra]);
    }
}

/// Essential and optional words of a term path.
fn path_words<D: AsRef<[u8]>>(
    tree: &Terms<D>,
    id: TermId,
    skip_main: bool,
) -> (Vec<String>, Vec<String>) {
    let mut ess = Vec::new();
    let mut opt = Vec::new();
    for (i, t) in tree.path(id).into_iter().enumerate() {
        if skip_main && i == 0 {
            continue;
        }
        ess.extend(words(tree.term(t)));
        opt.extend(words(tree.nemod(t)));
    }
    (ess, opt)
}

/// Builds the search artifact from opened artifacts and the abbreviation
/// dictionary (`ABBR<TAB>exp | exp[<TAB>note]` lines).
pub fn build<D: AsRef<[u8]>>(lib: &Library<D>, abbreviations: &str, release: &str) -> Vec<u8> {
    let mut b = Builder {
        docs: RowsBuilder::new(2),
        postings: HashMap::new(),
    };
    for (tree, via) in [(&lib.index, Via::Index), (&lib.eindex, Via::Eindex)] {
        for id in tree.ids() {
            // "Cancer(o)phobia" was cut in two when the index was
            // flattened (term "Cancer", modifier "(o)"): what is left does
            // not say what the code is for, so it is not searched.
            if tree.nemod(id) == "(o)" {
                continue;
            }
            let (ess, opt) = path_words(tree, id, false);
            if !tree.code(id).is_empty() {
                b.doc(via, id.0, NONE, &ess, &opt);
            }
            // A term with no code of its own and only a `see also` (Dropsy,
            // see also Hydrops) leads to that term's code.
            if tree.code(id).is_empty() && tree.see(id).is_empty() && !tree.see_also(id).is_empty()
            {
                if let Some(target) = lib.resolve_see(tree, tree.see_also(id)) {
                    if !tree.code(target).is_empty() {
                        b.doc(via, target.0, id.0, &ess, &opt);
                    }
                }
            }
            // Follow `see`: the referring words lead to the target and its subterms.
            let see = tree.see(id);
            if see.is_empty() {
                continue;
            }
            if let Some(target) = lib.resolve_see(tree, see) {
                if !tree.code(target).is_empty() {
                    b.doc(via, target.0, id.0, &ess, &opt);
                }
                // The target's subterms too, when they are few enough to be
                // what the reference means (a large main term is not).
                let children: Vec<TermId> = tree
                    .children(target)
                    .into_iter()
                    .filter(|c| !tree.code(*c).is_empty())
                    .collect();
                if children.len() > MAX_SEE_CHILDREN {
                    continue;
                }
                for child in children {
                    {
                        let mut e = ess.clone();
                        e.extend(words(tree.term(child)));
                        b.doc(via, child.0, id.0, &e, &opt);
                    }
                }
            }
        }
    }
    for (tree, via) in [(&lib.neoplasm, Via::Neoplasm), (&lib.drug, Via::Drug)] {
        for id in tree.ids() {
            if tree.cells(id).iter().all(|c| c.is_empty()) {
                continue;
            }
            let (mut ess, opt) = path_words(tree, id, via == Via::Neoplasm);
            if via == Via::Neoplasm {
                ess.push(stem("neoplasm"));
            }
            b.doc(via, id.0, NONE, &ess, &opt);
        }
    }
    let t = &lib.tabular;
    for id in t.ids() {
        if t.code(id).is_none() || t.is_generated(id) {
            continue;
        }
        b.doc(Via::Tabular, id.0, NONE, &words(&t.title(id)), &[]);
        let inclusions = t
            .own_notes(id)
            .into_iter()
            .filter(|n| n.kind == NoteKind::InclusionTerm);
        for (k, n) in inclusions.enumerate() {
            if !n.text.starts_with("7th character") {
                b.doc(Via::Inclusion, id.0, k as u32, &words(n.text), &[]);
            }
        }
    }
    // Store each document's source as the step from the previous one
    // (modulo 2^17): consecutive documents mostly point at consecutive
    // terms or nodes, so the column compresses to almost nothing.
    let mut prev = 0u32;
    for row in 0..b.docs.len() as u32 {
        let packed = b.docs.get(row, 0);
        let source = packed & SOURCE_MASK;
        b.docs.set(
            row,
            0,
            (packed & !SOURCE_MASK) | (source.wrapping_sub(prev) & SOURCE_MASK),
        );
        prev = source;
    }
    let sorted: BTreeMap<String, Vec<u32>> = b.postings.into_iter().collect();
    let mut vocab = fst::MapBuilder::memory();
    let mut postings = Vec::new();
    for (word, ids) in &sorted {
        let start = postings.len() as u64;
        let mut prev = 0u32;
        for (i, id) in ids.iter().enumerate() {
            // Ids ascend (docs are added in order); code the gaps.
            let gap = if i == 0 { *id } else { id - prev };
            prev = *id;
            leb128(&mut postings, gap);
        }
        vocab
            .insert(word, (start << 24) | ids.len().min(0xff_ffff) as u64)
            .ok();
    }
    let mut strings = StrPoolBuilder::default();
    let mut abbr_map: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for line in abbreviations
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split('\t');
        let (Some(key), Some(exp)) = (f.next(), f.next()) else {
            continue;
        };
        let note = f.next().unwrap_or("");
        // Abbreviations that are also English words expand only in capitals.
        let caps_only = note.contains("collides with English word") as u32;
        let k = normalize(&key.replace('.', ""));
        if !k.is_empty() {
            abbr_map
                .entry(k)
                .or_insert((strings.add(exp.trim()), caps_only));
        }
    }
    let mut abbr = fst::MapBuilder::memory();
    let mut abbr_rows = RowsBuilder::new(2);
    for (k, (exp, caps)) in &abbr_map {
        let row = abbr_rows.push(&[*exp, *caps]);
        abbr.insert(k, row as u64).ok();
    }
    let mut w = ArtifactWriter::new(KIND, release);
    w.section(T_VOCAB, vocab.into_inner().unwrap_or_default());
    w.section(T_POSTINGS, postings);
    w.section(T_DOCS, b.docs.to_bytes());
    w.section(T_ABBR, abbr.into_inner().unwrap_or_default());
    w.section(T_ABBR_ROWS, abbr_rows.to_bytes());
    strings.write(&mut w, T_STR_OFF, T_STR);
    let _ = u32s_to_bytes;
    w.finish()
}

fn leb128(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

#[derive(Debug, Clone)]
struct Sections {
    vocab: Range<usize>,
    postings: Range<usize>,
    docs: Range<usize>,
    abbr: Range<usize>,
    abbr_rows: Range<usize>,
    strs: Range<usize>,
}

/// Posting lists longer than this are decoded once and kept
/// ([`SearchIndex::postings`]).
const KEEP_DECODED: u32 = 2_000;

/// Decoded postings kept at most (4 bytes each); past it the cache starts
/// again.
const MAX_DECODED: usize = 1 << 20;

/// The long posting lists of one search artifact (keyed by its postings'
/// address and its number of documents), decoded.
#[derive(Default)]
struct Decoded {
    owner: (usize, usize),
    held: usize,
    lists: HashMap<u64, Rc<[u32]>>,
}

thread_local! {
    static DECODED: RefCell<Decoded> = RefCell::new(Decoded::default());
}

/// The search artifact over any byte storage.
#[derive(Debug, Clone)]
pub struct SearchIndex<D> {
    data: D,
    release: String,
    s: Sections,
    offsets: Vec<u32>,
    ndocs: usize,
    /// Each document's source, via and length, decoded on open.
    packed: Vec<u32>,
}

/// An abbreviation's expansions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion<'a> {
    /// Meanings, most likely first.
    pub meanings: Vec<&'a str>,
    /// Expands only when typed in capitals (it is also an English word).
    pub caps_only: bool,
}

impl<D: AsRef<[u8]>> SearchIndex<D> {
    /// Opens a search artifact.
    pub fn open(data: D) -> Result<SearchIndex<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            vocab: layout.section(&T_VOCAB)?,
            postings: layout.section(&T_POSTINGS)?,
            docs: layout.section(&T_DOCS)?,
            abbr: layout.section(&T_ABBR)?,
            abbr_rows: layout.section(&T_ABBR_ROWS)?,
            strs: layout.section(&T_STR)?,
        };
        check_fst(&bytes[s.vocab.clone()], &T_VOCAB)?;
        check_fst(&bytes[s.abbr.clone()], &T_ABBR)?;
        let docs = Rows::new(&bytes[s.docs.clone()], 2, &T_DOCS)?;
        let ndocs = docs.len();
        let mut packed = Vec::with_capacity(ndocs);
        let mut prev = 0u32;
        for row in 0..ndocs as u32 {
            let p = docs.get(row, 0);
            prev = prev.wrapping_add(p & SOURCE_MASK) & SOURCE_MASK;
            packed.push((p & !SOURCE_MASK) | prev);
        }
        Rows::new(&bytes[s.abbr_rows.clone()], 2, &T_ABBR_ROWS).or_else(|e| {
            if s.abbr_rows.is_empty() {
                Ok(Rows::unchecked(&[], 2))
            } else {
                Err(e)
            }
        })?;
        let offsets = StrPool::offsets(
            &bytes[layout.section(&T_STR_OFF)?],
            &bytes[s.strs.clone()],
            &T_STR,
        )?;
        Ok(SearchIndex {
            data,
            release: layout.release,
            s,
            offsets,
            ndocs,
            packed,
        })
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }

    /// The release label.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// The vocabulary: stemmed word -> postings handle.
    pub fn vocab(&self) -> fst::Map<&[u8]> {
        fst::Map::new(self.bytes(&self.s.vocab)).unwrap_or_else(|_| empty_map())
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.ndocs
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.ndocs == 0
    }

    /// Where document `id` comes from and how many essential words it
    /// has: [`doc`](Self::doc) without its `source` and `extra`, cheaper.
    pub fn via_len(&self, id: u32) -> (Via, u32) {
        let packed = self.packed.get(id as usize).copied().unwrap_or(0);
        (Via::from_u32((packed >> 17) & 0x7), (packed >> 20) & 0xf)
    }

    /// Document `id`.
    pub fn doc(&self, id: u32) -> Doc {
        let rows = Rows::unchecked(self.bytes(&self.s.docs), 2);
        let packed = self.packed.get(id as usize).copied().unwrap_or(0);
        Doc {
            source: packed & SOURCE_MASK,
            via: Via::from_u32((packed >> 17) & 0x7),
            extra: rows.get(id, 1),
            len: (packed >> 20) & 0xf,
        }
    }

    /// Number of documents holding a word (from its vocabulary value).
    pub fn df(handle: u64) -> u32 {
        (handle & 0xff_ffff) as u32
    }

    /// Calls `f(doc, optional)` for each document of a word.
    pub fn for_each_posting(&self, handle: u64, mut f: impl FnMut(u32, bool)) {
        if SearchIndex::<D>::df(handle) > KEEP_DECODED {
            for &v in self.postings(handle).iter() {
                f(v >> 1, v & 1 == 1);
            }
        } else {
            self.decode(handle, f);
        }
    }

    /// A word's postings as `doc << 1 | optional`, in document order. A
    /// long list (a common word: "left", "acute") is decoded once and
    /// kept, since every statement of a note and every keystroke that
    /// says the word reads it again.
    pub fn postings(&self, handle: u64) -> Rc<[u32]> {
        let read = || {
            let mut out = Vec::with_capacity(SearchIndex::<D>::df(handle) as usize);
            self.decode(handle, |doc, optional| {
                out.push(doc << 1 | u32::from(optional))
            });
            Rc::<[u32]>::from(out)
        };
        if SearchIndex::<D>::df(handle) <= KEEP_DECODED {
            return read();
        }
        let owner = (self.bytes(&self.s.postings).as_ptr() as usize, self.ndocs);
        DECODED.with(|cell| {
            let mut c = cell.borrow_mut();
            if let Some(list) = c.lists.get(&handle).filter(|_| c.owner == owner) {
                return list.clone();
            }
            let list = read();
            if c.owner != owner || c.held + list.len() > MAX_DECODED {
                *c = Decoded {
                    owner,
                    ..Decoded::default()
                };
            }
            c.held += list.len();
            c.lists.insert(handle, list.clone());
            list
        })
    }

    /// Decodes a word's postings, calling `f(doc, optional)` for each.
    fn decode(&self, handle: u64, mut f: impl FnMut(u32, bool)) {
        let bytes = self.bytes(&self.s.postings);
        let (mut at, count) = ((handle >> 24) as usize, SearchIndex::<D>::df(handle));
        let mut prev = 0u32;
        for i in 0..count {
            let (mut n, mut shift) = (0u32, 0u32);
            while let Some(&b) = bytes.get(at) {
                at += 1;
                n |= ((b & 0x7f) as u32).wrapping_shl(shift);
                shift += 7;
                if b & 0x80 == 0 || shift > 28 {
                    break;
                }
            }
            let v = if i == 0 { n } else { prev.wrapping_add(n) };
            prev = v;
            if ((v >> 1) as usize) < self.ndocs {
                f(v >> 1, v & 1 == 1);
            }
        }
    }

    /// The expansions of an abbreviation (normalized key, `.` removed).
    pub fn abbreviation(&self, key: &str) -> Option<Expansion<'_>> {
        let map = fst::Map::new(self.bytes(&self.s.abbr)).ok()?;
        let row = map.get(key)? as u32;
        let rows = Rows::unchecked(self.bytes(&self.s.abbr_rows), 2);
        let pool = StrPool::new(&self.offsets, self.bytes(&self.s.strs));
        Some(Expansion {
            meanings: pool
                .get(rows.get(row, 0))
                .split(" | ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect(),
            caps_only: rows.get(row, 1) == 1,
        })
    }

    /// Number of abbreviations.
    pub fn abbreviation_count(&self) -> usize {
        Rows::unchecked(self.bytes(&self.s.abbr_rows), 2).len()
    }
}
