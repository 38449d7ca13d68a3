//! The Tabular List: chapters, blocks, categories, subcategories and codes,
//! with every instructional note, seventh characters and billable flags.
//!
//! Built from a [`TabularSource`] (which `icd build-index` parses from the
//! official XML) into one artifact; read back zero-copy by [`Tabular`].
//!
//! ```
//! use icd_core::tabular::{NoteKind, SourceKind, SourceNode, TabularSource, Tabular};
//! let mut cat = SourceNode::new(SourceKind::Diag, "I10", "Essential (primary) hypertension");
//! cat.notes.push((NoteKind::Excludes1, "hypertensive disease complicating pregnancy (O10-O11)".into()));
//! let mut block = SourceNode::new(SourceKind::Block, "I10-I1A", "Hypertensive diseases");
//! block.children.push(cat);
//! let mut chapter = SourceNode::new(SourceKind::Chapter, "9", "Diseases of the circulatory system");
//! chapter.children.push(block);
//! let src = TabularSource { release: "test".into(), chapters: vec![chapter] };
//! let built = src.build(|_| true).unwrap();
//! let tab = Tabular::open(built.bytes).unwrap();
//! let id = tab.find(&"I10".parse().unwrap()).unwrap();
//! assert!(tab.billable(id));
//! assert_eq!(tab.notes(id).len(), 1);
//! ```
//!
//! Caveat: whether a generated 7-character code exists is decided by the
//! caller's `exists` predicate at build time (the MCE master is the
//! authority); a few exceptions live only in free-text notes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use crate::artifact::{
    check_fst, empty_map, ArtifactError, ArtifactWriter, Layout, Planes, Rows, RowsBuilder,
    StrPool, StrPoolBuilder, Tree, NONE,
};
use crate::code::{Code, CodeError};

/// Artifact kind of the tabular file.
pub const KIND: [u8; 4] = *b"TABL";

/// The kinds of instructional note of the Tabular List, named as in the XML.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum NoteKind {
    /// `includes`: further defines the content of the category.
    Includes,
    /// `inclusionTerm`: conditions coded here.
    InclusionTerm,
    /// `excludes1`: never coded together with this code.
    Excludes1,
    /// `excludes2`: not included here; may be coded together.
    Excludes2,
    /// `codeFirst`: this is a manifestation; sequence the etiology first.
    CodeFirst,
    /// `useAdditionalCode`: add a code for the manifestation or detail.
    UseAdditionalCode,
    /// `codeAlso`: another code may be needed; sequencing by circumstances.
    CodeAlso,
    /// `notes`: free-text notes.
    Notes,
    /// `sevenChrNote`: the note introducing seventh characters.
    SevenChrNote,
}

impl NoteKind {
    /// All kinds, in the order the Tabular List prints them.
    pub const ALL: [NoteKind; 9] = [
        NoteKind::Notes,
        NoteKind::Includes,
        NoteKind::InclusionTerm,
        NoteKind::Excludes1,
        NoteKind::Excludes2,
        NoteKind::CodeFirst,
        NoteKind::UseAdditionalCode,
        NoteKind::CodeAlso,
        NoteKind::SevenChrNote,
    ];

    /// The XML element name.
    pub fn xml_name(self) -> &'static str {
        match self {
            NoteKind::Includes => "includes",
            NoteKind::InclusionTerm => "inclusionTerm",
            NoteKind::Excludes1 => "excludes1",
            NoteKind::Excludes2 => "excludes2",
            NoteKind::CodeFirst => "codeFirst",
            NoteKind::UseAdditionalCode => "useAdditionalCode",
            NoteKind::CodeAlso => "codeAlso",
            NoteKind::Notes => "notes",
            NoteKind::SevenChrNote => "sevenChrNote",
        }
    }

    /// The kind for an XML element name.
    pub fn from_xml_name(name: &str) -> Option<NoteKind> {
        NoteKind::ALL.into_iter().find(|k| k.xml_name() == name)
    }

    /// The heading a coder knows.
    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Includes => "Includes",
            NoteKind::InclusionTerm => "Inclusion term",
            NoteKind::Excludes1 => "Excludes1",
            NoteKind::Excludes2 => "Excludes2",
            NoteKind::CodeFirst => "Code first",
            NoteKind::UseAdditionalCode => "Use additional code",
            NoteKind::CodeAlso => "Code also",
            NoteKind::Notes => "Note",
            NoteKind::SevenChrNote => "7th character",
        }
    }

    fn to_u32(self) -> u32 {
        NoteKind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u32
    }

    fn from_u32(n: u32) -> NoteKind {
        NoteKind::ALL
            .get(n as usize)
            .copied()
            .unwrap_or(NoteKind::Notes)
    }
}

/// What a source node is in the XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `chapter`, keyed by its number.
    Chapter,
    /// `section`, keyed by its range (`A00-A09`).
    Block,
    /// `diag`: a category, subcategory or code.
    Diag,
}

/// One node of the Tabular List as parsed from the source.
#[derive(Debug, Clone)]
pub struct SourceNode {
    /// What it is.
    pub kind: SourceKind,
    /// Chapter number, block range, or code as the XML writes it.
    pub key: String,
    /// Title (`desc`).
    pub title: String,
    /// Notes in source order.
    pub notes: Vec<(NoteKind, String)>,
    /// Seventh characters defined at this node (`sevenChrDef`).
    pub seventh: Vec<(char, String)>,
    /// Children in source order.
    pub children: Vec<SourceNode>,
}

impl SourceNode {
    /// A node with no notes or children.
    pub fn new(kind: SourceKind, key: &str, title: &str) -> SourceNode {
        SourceNode {
            kind,
            key: key.to_string(),
            title: title.to_string(),
            notes: Vec::new(),
            seventh: Vec::new(),
            children: Vec::new(),
        }
    }
}

/// The whole Tabular List as parsed from the source.
#[derive(Debug, Clone)]
pub struct TabularSource {
    /// Release label, e.g. `ICD-10-CM FY2026 (April 1, 2026)`.
    pub release: String,
    /// The chapters.
    pub chapters: Vec<SourceNode>,
}

/// Why a tabular source cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A `diag` whose name is not a code.
    #[error("tabular node '{key}' is not a valid code: {reason}")]
    BadCode {
        /// The name as written.
        key: String,
        /// Why.
        reason: CodeError,
    },
    /// The same code twice.
    #[error("tabular code '{key}' appears twice")]
    Duplicate {
        /// The code.
        key: String,
    },
    /// A seventh character that is not a letter or digit.
    #[error("seventh character '{ch}' defined at '{key}' is not a letter or digit")]
    BadSeventh {
        /// Where.
        key: String,
        /// What.
        ch: char,
    },
}

/// The result of a build: the artifact and what the `exists` predicate removed.
#[derive(Debug)]
pub struct Built {
    /// The artifact file.
    pub bytes: Vec<u8>,
    /// Seventh-character expansions the tabular allows but `exists` rejected.
    pub dropped: Vec<Code>,
}

/// Node columns: key, title, flags (kind, billable, generated, needs a
/// seventh character, the seventh character, depth), own note count, own
/// seventh-character definition. Parents, children and note offsets follow
/// from the preorder and the depths, and are rebuilt on open.
const NODE_W: usize = 5;
const R_KEY: usize = 0;
const R_TITLE: usize = 1;
const R_FLAGS: usize = 2;
const R_NOTE_LEN: usize = 3;
const R_SEVENTH: usize = 4;
/// The node columns stored as byte planes: the string ids of keys and
/// titles grow with the preorder, and note counts are small. Flags and
/// seventh-character rows compress better as they are (measured with
/// brotli 11 on the FY2026 data: 152 KB as plain columns, 66 KB so).
const NODE_PLANES: Planes = Planes::of(&[R_KEY, R_TITLE, R_NOTE_LEN]);
/// Both note columns (kind, text id) as byte planes: 37 KB to 27 KB.
const NOTE_PLANES: Planes = Planes::of(&[0, 1]);

const F_KIND_MASK: u32 = 0b11;
const F_BILLABLE: u32 = 1 << 4;
const F_GENERATED: u32 = 1 << 5;
const F_NEEDS_SEVENTH: u32 = 1 << 6;

const T_NODES: [u8; 4] = *b"NODE";
const T_NOTES: [u8; 4] = *b"NOTE";
const T_SDEF: [u8; 4] = *b"SDEF";
const T_SEXT: [u8; 4] = *b"SEXT";
const T_KEYS: [u8; 4] = *b"KFST";
const T_STR_OFF: [u8; 4] = *b"SOFF";
const T_STR: [u8; 4] = *b"STRS";

struct Builder<'a, F> {
    nodes: RowsBuilder,
    notes: RowsBuilder,
    sdef: RowsBuilder,
    sext: RowsBuilder,
    strings: StrPoolBuilder,
    keys: BTreeMap<String, u64>,
    dropped: Vec<Code>,
    exists: &'a F,
}

impl TabularSource {
    /// Compiles the source into an artifact. `exists` says whether a
    /// generated seventh-character code exists (the MCE master's word).
    pub fn build<F: Fn(&Code) -> bool>(&self, exists: F) -> Result<Built, BuildError> {
        let mut b = Builder {
            nodes: RowsBuilder::new(NODE_W),
            notes: RowsBuilder::new(2),
            sdef: RowsBuilder::new(2),
            sext: RowsBuilder::new(2),
            strings: StrPoolBuilder::default(),
            keys: BTreeMap::new(),
            dropped: Vec::new(),
            exists: &exists,
        };
        for chapter in &self.chapters {
            b.node(chapter, 0, None)?;
        }
        let mut keys = fst::MapBuilder::memory();
        for (k, v) in &b.keys {
            keys.insert(k, *v)
                .map_err(|_| BuildError::Duplicate { key: k.clone() })?;
        }
        let mut w = ArtifactWriter::new(KIND, &self.release);
        // Parents, child lists and note offsets are rebuilt on open.
        w.section(T_NODES, b.nodes.to_bytes_with(NODE_PLANES));
        w.section(T_NOTES, b.notes.to_bytes_with(NOTE_PLANES));
        w.section(T_SDEF, b.sdef.to_bytes());
        w.section(T_SEXT, b.sext.to_bytes());
        w.section(T_KEYS, keys.into_inner().unwrap_or_default());
        b.strings.write(&mut w, T_STR_OFF, T_STR);
        Ok(Built {
            bytes: w.finish(),
            dropped: b.dropped,
        })
    }
}

impl<F: Fn(&Code) -> bool> Builder<'_, F> {
    /// Adds `src` and its subtree; `seventh` is the nearest ancestor's
    /// seventh-character definition id.
    fn node(
        &mut self,
        src: &SourceNode,
        depth: u32,
        seventh: Option<u32>,
    ) -> Result<u32, BuildError> {
        let (kind, key) = match src.kind {
            SourceKind::Chapter => (0, src.key.trim().to_string()),
            SourceKind::Block => (1, src.key.trim().to_string()),
            SourceKind::Diag => {
                let code: Code = src.key.parse().map_err(|reason| BuildError::BadCode {
                    key: src.key.clone(),
                    reason,
                })?;
                (2, code.as_str().to_string())
            }
        };
        let key_id = self.strings.add(&key);
        let title_id = self.strings.add(src.title.trim());
        for (k, text) in &src.notes {
            let t = self.strings.add(text.trim());
            self.notes.push(&[k.to_u32(), t]);
        }
        let own_seventh = if src.seventh.is_empty() {
            NONE
        } else {
            let start = self.sext.len() as u32;
            for (ch, text) in &src.seventh {
                if !ch.is_ascii_alphanumeric() {
                    return Err(BuildError::BadSeventh {
                        key: src.key.clone(),
                        ch: *ch,
                    });
                }
                let t = self.strings.add(text.trim());
                self.sext.push(&[ch.to_ascii_uppercase() as u32, t]);
            }
            self.sdef.push(&[start, src.seventh.len() as u32])
        };
        let effective = if own_seventh != NONE {
            Some(own_seventh)
        } else {
            seventh
        };
        let leaf = src.children.is_empty();
        let needs_seventh = kind == 2 && leaf && effective.is_some();
        let billable = kind == 2 && leaf && !needs_seventh;
        let mut flags = kind | (depth.min(255) << 16);
        if billable {
            flags |= F_BILLABLE;
        }
        if needs_seventh {
            flags |= F_NEEDS_SEVENTH;
        }
        let id = self
            .nodes
            .push(&[key_id, title_id, flags, src.notes.len() as u32, own_seventh]);
        // A one-category block (`B10`) is keyed `B10-B10` so it does not
        // shadow its category.
        let fst_key = if kind == 1 && !key.contains('-') {
            format!("{key}-{key}")
        } else {
            key.clone()
        };
        if kind != 0 && self.keys.insert(fst_key, id as u64).is_some() {
            return Err(BuildError::Duplicate { key });
        }

        for child in &src.children {
            self.node(child, depth + 1, effective)?;
        }
        if let (true, Some(def)) = (needs_seventh, effective) {
            let base: Code = key.parse().map_err(|reason| BuildError::BadCode {
                key: key.clone(),
                reason,
            })?;
            let (start, len) = (self.sdef.get(def, 0), self.sdef.get(def, 1));
            for ext in start..start + len {
                let ch = char::from_u32(self.sext.get(ext, 0)).unwrap_or('?');
                let full = base
                    .with_seventh(ch)
                    .map_err(|reason| BuildError::BadCode {
                        key: format!("{key}+{ch}"),
                        reason,
                    })?;
                if !(self.exists)(&full) {
                    self.dropped.push(full);
                    continue;
                }
                // The key of a generated code is derived from its parent and
                // seventh character, so it is not stored.
                let k = 0;
                let flags = 2
                    | F_BILLABLE
                    | F_GENERATED
                    | ((ch as u32) << 8)
                    | ((depth + 1).min(255) << 16);
                let gid = self.nodes.push(&[k, self.sext.get(ext, 1), flags, 0, NONE]);
                if self
                    .keys
                    .insert(full.as_str().to_string(), gid as u64)
                    .is_some()
                {
                    return Err(BuildError::Duplicate {
                        key: full.to_string(),
                    });
                }
            }
        }
        Ok(id)
    }
}

/// A node of the tabular, by position in the artifact.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct NodeId(pub u32);

/// What a node is, as a coder names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A chapter (`1` to `22`).
    Chapter,
    /// A block of categories (`A00-A09`).
    Block,
    /// A three-character category.
    Category,
    /// A subcategory: more characters are needed.
    Subcategory,
    /// A complete, billable code.
    Code,
}

/// A note that applies to a node, with the node it is written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedNote<'a> {
    /// Which kind of note.
    pub kind: NoteKind,
    /// Its text.
    pub text: &'a str,
    /// The node the note is written at (the node itself or an ancestor).
    pub from: NodeId,
}

/// One seventh character available for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeventhOption<'a> {
    /// The character.
    pub ch: char,
    /// What it means (`initial encounter for closed fracture`).
    pub meaning: &'a str,
    /// The full code it builds.
    pub code: Code,
}

/// Why a seventh character cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeventhError {
    /// The code takes no seventh character.
    #[error("{code} does not take a 7th character")]
    NotNeeded {
        /// The code.
        code: String,
    },
    /// That character is not allowed here.
    #[error("'{ch}' is not a valid 7th character for {code}; choose one of: {allowed}")]
    NotAllowed {
        /// The code.
        code: String,
        /// The character given.
        ch: char,
        /// The allowed characters.
        allowed: String,
    },
}

#[derive(Debug, Clone)]
struct Sections {
    nodes: Range<usize>,
    notes: Range<usize>,
    sdef: Range<usize>,
    sext: Range<usize>,
    keys: Range<usize>,
    str_off: Range<usize>,
    strs: Range<usize>,
}

/// A read-only Tabular List over any byte storage.
#[derive(Debug, Clone)]
pub struct Tabular<D> {
    data: D,
    release: String,
    s: Sections,
    offsets: Vec<u32>,
    tree: Tree,
    /// Where each node's own notes start (prefix sums of the note counts).
    note_starts: Vec<u32>,
}

impl<D: AsRef<[u8]>> Tabular<D> {
    /// Opens a tabular artifact, checking its header, checksum and sections.
    pub fn open(data: D) -> Result<Tabular<D>, ArtifactError> {
        let bytes = data.as_ref();
        let layout = Layout::read(bytes, KIND)?;
        let s = Sections {
            nodes: layout.section(&T_NODES)?,
            notes: layout.section(&T_NOTES)?,
            sdef: layout.section(&T_SDEF)?,
            sext: layout.section(&T_SEXT)?,
            keys: layout.section(&T_KEYS)?,
            str_off: layout.section(&T_STR_OFF)?,
            strs: layout.section(&T_STR)?,
        };
        let nodes = Rows::new(&bytes[s.nodes.clone()], NODE_W, &T_NODES)?.planes(NODE_PLANES);
        let tree = Tree::from_depths(
            nodes.len(),
            |i| (nodes.get(i, R_FLAGS) >> 16) & 0xff,
            &T_NODES,
        )?;
        let mut note_starts = Vec::with_capacity(nodes.len() + 1);
        let mut at = 0u32;
        for i in 0..nodes.len() as u32 {
            note_starts.push(at);
            at = at.saturating_add(nodes.get(i, R_NOTE_LEN));
        }
        let notes = Rows::new(&bytes[s.notes.clone()], 2, &T_NOTES)?.planes(NOTE_PLANES);
        if at as usize != notes.len() {
            return Err(ArtifactError::section(
                &T_NOTES,
                "note counts do not match the notes",
            ));
        }
        Rows::new(&bytes[s.sdef.clone()], 2, &T_SDEF)?;
        Rows::new(&bytes[s.sext.clone()], 2, &T_SEXT)?;
        check_fst(&bytes[s.keys.clone()], &T_KEYS)?;
        let offsets = StrPool::offsets(&bytes[s.str_off.clone()], &bytes[s.strs.clone()], &T_STR)?;
        Ok(Tabular {
            release: layout.release,
            data,
            s,
            offsets,
            tree,
            note_starts,
        })
    }

    /// The source release the artifact was built from.
    pub fn release(&self) -> &str {
        &self.release
    }

    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        &self.data.as_ref()[r.clone()]
    }
    fn nodes(&self) -> Rows<'_> {
        Rows::unchecked(self.bytes(&self.s.nodes), NODE_W).planes(NODE_PLANES)
    }
    fn strings(&self) -> StrPool<'_> {
        StrPool::new(&self.offsets, self.bytes(&self.s.strs))
    }
    fn keys(&self) -> fst::Map<&[u8]> {
        // Checked on open, so this cannot fail; an empty map is the fallback.
        fst::Map::new(self.bytes(&self.s.keys)).unwrap_or_else(|_| empty_map())
    }
    fn field(&self, id: NodeId, col: usize) -> u32 {
        self.nodes().get(id.0, col)
    }
    fn flags(&self, id: NodeId) -> u32 {
        self.field(id, R_FLAGS)
    }

    /// Number of nodes, generated seventh-character codes included.
    pub fn len(&self) -> usize {
        self.nodes().len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every node id.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.len() as u32).map(NodeId)
    }

    /// The chapters, in order.
    pub fn chapters(&self) -> Vec<NodeId> {
        self.tree.roots.iter().map(|i| NodeId(*i)).collect()
    }

    /// The node of a code (category, subcategory or full code).
    pub fn find(&self, code: &Code) -> Option<NodeId> {
        self.find_key(code.as_str())
    }

    /// The node of a canonical key: a code without dot or a block range (`A00-A09`).
    pub fn find_key(&self, key: &str) -> Option<NodeId> {
        self.keys().get(key).map(|v| NodeId(v as u32))
    }

    /// Every code node whose code starts with `prefix` (canonical, no dot), in code order.
    pub fn with_prefix(&self, prefix: &str) -> Vec<NodeId> {
        use fst::{IntoStreamer, Streamer};
        let map = self.keys();
        let mut out = Vec::new();
        let mut stream = map.range().ge(prefix).into_stream();
        while let Some((k, v)) = stream.next() {
            if !k.starts_with(prefix.as_bytes()) {
                break;
            }
            if !k.contains(&b'-') {
                out.push(NodeId(v as u32));
            }
        }
        out
    }

    /// Chapter number, block range or canonical code.
    pub fn key(&self, id: NodeId) -> Cow<'_, str> {
        if self.is_generated(id) {
            return Cow::Owned(
                self.code(id)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            );
        }
        Cow::Borrowed(self.strings().get(self.field(id, R_KEY)))
    }

    /// The code of a category/subcategory/code node.
    pub fn code(&self, id: NodeId) -> Option<Code> {
        let flags = self.flags(id);
        if flags & F_KIND_MASK != 2 {
            return None;
        }
        if flags & F_GENERATED != 0 {
            let parent = self.parent(id).filter(|p| !self.is_generated(*p))?;
            let ch = char::from_u32((flags >> 8) & 0xff)?;
            return self.code(parent)?.with_seventh(ch).ok();
        }
        self.strings().get(self.field(id, R_KEY)).parse().ok()
    }

    /// The key as printed: `E11.22`, `A00-A09`, `Chapter 4`.
    pub fn display_key(&self, id: NodeId) -> String {
        match self.flags(id) & F_KIND_MASK {
            0 => format!("Chapter {}", self.key(id)),
            2 => self.code(id).map(|c| c.to_string()).unwrap_or_default(),
            _ => self.key(id).into_owned(),
        }
    }

    /// The title. A generated seventh-character code's title is its parent's
    /// title followed by the meaning of the seventh character, as the
    /// official code descriptions read.
    pub fn title(&self, id: NodeId) -> Cow<'_, str> {
        let own = self.strings().get(self.field(id, R_TITLE));
        if self.is_generated(id) {
            if let Some(p) = self.parent(id) {
                return Cow::Owned(format!(
                    "{}, {}",
                    self.strings().get(self.field(p, R_TITLE)),
                    own
                ));
            }
        }
        Cow::Borrowed(own)
    }

    /// What the node is.
    pub fn kind(&self, id: NodeId) -> NodeKind {
        let f = self.flags(id);
        match f & F_KIND_MASK {
            0 => NodeKind::Chapter,
            1 => NodeKind::Block,
            _ if self.key(id).len() == 3 => NodeKind::Category,
            _ if f & F_BILLABLE != 0 => NodeKind::Code,
            _ => NodeKind::Subcategory,
        }
    }

    /// Whether the node is a complete code that can be reported.
    pub fn billable(&self, id: NodeId) -> bool {
        self.flags(id) & F_BILLABLE != 0
    }

    /// Whether the node is a code built from a seventh character.
    pub fn is_generated(&self, id: NodeId) -> bool {
        self.flags(id) & F_GENERATED != 0
    }

    /// Whether the node is a code that needs a seventh character.
    pub fn needs_seventh(&self, id: NodeId) -> bool {
        self.flags(id) & F_NEEDS_SEVENTH != 0
    }

    /// Depth: chapter 0, block 1, category 2, and so on.
    pub fn depth(&self, id: NodeId) -> u32 {
        (self.flags(id) >> 16) & 0xff
    }

    /// The parent node.
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.tree.parent(id.0).map(NodeId)
    }

    /// Ancestors from the chapter down to the parent.
    pub fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.parent(id);
        // Depth bounds the walk even in a forged file.
        while let Some(p) = cur {
            if out.len() > 16 {
                break;
            }
            out.push(p);
            cur = self.parent(p);
        }
        out.reverse();
        out
    }

    /// The children, in tabular order (generated seventh-character codes last).
    pub fn children(&self, id: NodeId) -> Vec<NodeId> {
        self.tree
            .children(id.0)
            .iter()
            .map(|c| NodeId(*c))
            .collect()
    }

    /// The billable codes at or below a node (for a header code: what to choose from).
    pub fn billable_descendants(&self, id: NodeId) -> Vec<NodeId> {
        self.billable_descendants_up_to(id, usize::MAX)
    }

    /// The first `limit` billable codes at or below a node, in code order,
    /// without walking the rest of the subtree.
    pub fn billable_descendants_up_to(&self, id: NodeId, limit: usize) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            if self.billable(n) {
                out.push(n);
            }
            stack.extend(self.tree.children(n.0).iter().rev().map(|c| NodeId(*c)));
        }
        out
    }

    /// The notes written at this node.
    pub fn own_notes(&self, id: NodeId) -> Vec<AppliedNote<'_>> {
        let notes = Rows::unchecked(self.bytes(&self.s.notes), 2).planes(NOTE_PLANES);
        let strings = self.strings();
        let (start, len) = (
            self.note_starts.get(id.0 as usize).copied().unwrap_or(0),
            self.field(id, R_NOTE_LEN),
        );
        (start..start.saturating_add(len))
            .filter(|i| (*i as usize) < notes.len())
            .map(|i| AppliedNote {
                kind: NoteKind::from_u32(notes.get(i, 0)),
                text: strings.get(notes.get(i, 1)),
                from: id,
            })
            .collect()
    }

    /// Every note that applies to the node: those of its chapter, block and
    /// ancestors first, then its own. Notes inherit down the hierarchy.
    pub fn notes(&self, id: NodeId) -> Vec<AppliedNote<'_>> {
        let mut out = Vec::new();
        for a in self.ancestors(id) {
            out.extend(self.own_notes(a));
        }
        out.extend(self.own_notes(id));
        out
    }

    /// The node whose seventh-character definition applies to `id`.
    pub fn seventh_source(&self, id: NodeId) -> Option<NodeId> {
        std::iter::once(id)
            .chain(self.ancestors(id).into_iter().rev())
            .find(|n| self.field(*n, R_SEVENTH) != NONE)
    }

    /// The seventh-character definitions that apply to `id` (own or
    /// inherited), as written in the tabular.
    pub fn seventh_definitions(&self, id: NodeId) -> Vec<(char, &str)> {
        let Some(src) = self.seventh_source(id) else {
            return Vec::new();
        };
        let def = self.field(src, R_SEVENTH);
        let sdef = Rows::unchecked(self.bytes(&self.s.sdef), 2);
        let sext = Rows::unchecked(self.bytes(&self.s.sext), 2);
        let strings = self.strings();
        let (start, len) = (sdef.get(def, 0), sdef.get(def, 1));
        (start..start.saturating_add(len).min(sext.len() as u32))
            .map(|i| {
                (
                    char::from_u32(sext.get(i, 0)).unwrap_or('?'),
                    strings.get(sext.get(i, 1)),
                )
            })
            .collect()
    }

    /// The seventh characters a code needing one can take: those of the
    /// definition that applies, less any the MCE master does not list.
    pub fn seventh_options(&self, id: NodeId) -> Vec<SeventhOption<'_>> {
        if !self.needs_seventh(id) {
            return Vec::new();
        }
        let strings = self.strings();
        self.children(id)
            .into_iter()
            .filter(|c| self.is_generated(*c))
            .filter_map(|c| {
                Some(SeventhOption {
                    ch: char::from_u32((self.flags(c) >> 8) & 0xff)?,
                    meaning: strings.get(self.field(c, R_TITLE)),
                    code: self.code(c)?,
                })
            })
            .collect()
    }

    /// The full code for `id` with seventh character `ch`.
    pub fn with_seventh(&self, id: NodeId, ch: char) -> Result<Code, SeventhError> {
        let options = self.seventh_options(id);
        if options.is_empty() {
            return Err(SeventhError::NotNeeded {
                code: self.display_key(id),
            });
        }
        let up = ch.to_ascii_uppercase();
        options
            .iter()
            .find(|o| o.ch == up)
            .map(|o| o.code)
            .ok_or_else(|| SeventhError::NotAllowed {
                code: self.display_key(id),
                ch,
                allowed: options
                    .iter()
                    .map(|o| o.ch.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Every billable code, in code order.
    pub fn billable_codes(&self) -> Vec<Code> {
        use fst::{IntoStreamer, Streamer};
        let map = self.keys();
        let mut stream = map.into_stream();
        let mut out = Vec::new();
        while let Some((_, v)) = stream.next() {
            let id = NodeId(v as u32);
            if self.billable(id) {
                if let Some(c) = self.code(id) {
                    out.push(c);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// S52 with a category-level seventh-character list and a subcategory that narrows it.
    fn fixture() -> Tabular<Vec<u8>> {
        let mut s52 = SourceNode::new(SourceKind::Diag, "S52", "Fracture of forearm");
        s52.notes.push((
            NoteKind::Excludes1,
            "traumatic amputation of forearm (S58.-)".into(),
        ));
        s52.seventh = vec![
            ('A', "initial encounter for closed fracture".into()),
            (
                'B',
                "initial encounter for open fracture type I or II".into(),
            ),
            (
                'D',
                "subsequent encounter for closed fracture with routine healing".into(),
            ),
        ];
        let mut s525 =
            SourceNode::new(SourceKind::Diag, "S52.5", "Fracture of lower end of radius");
        let mut s5252 = SourceNode::new(
            SourceKind::Diag,
            "S52.52",
            "Torus fracture of lower end of radius",
        );
        s5252.seventh = vec![
            ('A', "initial encounter for closed fracture".into()),
            (
                'D',
                "subsequent encounter for fracture with routine healing".into(),
            ),
        ];
        s5252.children.push(SourceNode::new(
            SourceKind::Diag,
            "S52.521",
            "Torus fracture of lower end of right radius",
        ));
        s525.children.push(s5252);
        s525.children.push(SourceNode::new(
            SourceKind::Diag,
            "S52.59",
            "Other fractures of lower end of radius",
        ));
        s52.children.push(s525);
        let mut w11 = SourceNode::new(SourceKind::Diag, "W11", "Fall on and from ladder");
        w11.seventh = vec![('A', "initial encounter".into()), ('S', "sequela".into())];
        let mut block = SourceNode::new(
            SourceKind::Block,
            "S50-S59",
            "Injuries to the elbow and forearm",
        );
        block.children.push(s52);
        block.children.push(w11);
        let mut ch = SourceNode::new(SourceKind::Chapter, "19", "Injury, poisoning");
        ch.notes.push((
            NoteKind::Notes,
            "Use secondary code(s) from Chapter 20".into(),
        ));
        ch.children.push(block);
        let src = TabularSource {
            release: "fixture".into(),
            chapters: vec![ch],
        };
        // The "MCE" of this fixture has no S52.59B.
        let built = src.build(|c| c.as_str() != "S5259XB").unwrap();
        assert_eq!(
            built
                .dropped
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            ["S52.59XB"]
        );
        Tabular::open(built.bytes).unwrap()
    }

    fn id(t: &Tabular<Vec<u8>>, code: &str) -> NodeId {
        t.find(&code.parse().unwrap())
            .unwrap_or_else(|| panic!("{code}"))
    }

    #[test]
    fn seventh_characters_narrow_and_use_placeholders() {
        let t = fixture();
        let s = id(&t, "S52.521");
        assert!(t.needs_seventh(s) && !t.billable(s));
        let opts: Vec<_> = t
            .seventh_options(s)
            .iter()
            .map(|o| (o.ch, o.code.to_string()))
            .collect();
        assert_eq!(
            opts,
            [('A', "S52.521A".to_string()), ('D', "S52.521D".to_string())]
        );
        assert_eq!(t.with_seventh(s, 'a').unwrap().to_string(), "S52.521A");
        assert_eq!(
            t.with_seventh(s, 'B').unwrap_err().to_string(),
            "'B' is not a valid 7th character for S52.521; choose one of: A, D"
        );
        let other = id(&t, "S52.59");
        assert_eq!(
            t.seventh_options(other)
                .iter()
                .map(|o| o.code.to_string())
                .collect::<Vec<_>>(),
            ["S52.59XA", "S52.59XD"]
        );
        let w = id(&t, "W11.XXXS");
        assert_eq!(t.title(w), "Fall on and from ladder, sequela");
        assert_eq!(t.kind(w), NodeKind::Code);
        assert!(t.with_seventh(id(&t, "S52.5"), 'A').is_err());
    }

    #[test]
    fn notes_inherit_with_their_level() {
        let t = fixture();
        let n = id(&t, "S52.521A");
        let notes: Vec<_> = t
            .notes(n)
            .iter()
            .map(|x| (t.display_key(x.from), x.kind, x.text.to_string()))
            .collect();
        assert_eq!(
            notes,
            [
                (
                    "Chapter 19".to_string(),
                    NoteKind::Notes,
                    "Use secondary code(s) from Chapter 20".to_string()
                ),
                (
                    "S52".to_string(),
                    NoteKind::Excludes1,
                    "traumatic amputation of forearm (S58.-)".to_string()
                )
            ]
        );
        let path: Vec<_> = t.ancestors(n).iter().map(|a| t.display_key(*a)).collect();
        assert_eq!(
            path,
            ["Chapter 19", "S50-S59", "S52", "S52.5", "S52.52", "S52.521"]
        );
        assert_eq!(t.chapters(), [NodeId(0)]);
        assert_eq!(t.kind(id(&t, "S52.5")), NodeKind::Subcategory);
        assert_eq!(t.billable_descendants(id(&t, "S52.52")).len(), 2);
    }

    #[test]
    fn bad_source_is_named() {
        let mut ch = SourceNode::new(SourceKind::Chapter, "1", "x");
        ch.children
            .push(SourceNode::new(SourceKind::Diag, "E1.1", "y"));
        let err = TabularSource {
            release: "t".into(),
            chapters: vec![ch],
        }
        .build(|_| true)
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("tabular node 'E1.1' is not a valid code"),
            "{err}"
        );
    }
}
