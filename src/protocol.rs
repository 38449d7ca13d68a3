//! The messages between the page and the data worker ([`crate::worker`]).
//!
//! Replies carry `icd_core`'s own report types (they are plain data with
//! serde derives), except findings, which the worker flattens into
//! [`FindingView`] so the page never needs the engine's `'static` tables.
//! Messages cross the worker boundary as structured-clone JavaScript values
//! ([`JsCodec`], serde-wasm-bindgen), not bincode: the record model uses
//! serde features bincode cannot carry.
//!
//! Every request carries a [`RequestId`]; the page asks with ids from one
//! [`Numbering`] and keeps a reply only when [`Numbering::accept`] says it
//! answers the newest request of its kind, so results typed three keystrokes
//! ago never overwrite the current ones.
//!
//! ```
//! use icd_desk::protocol::{Numbering, RequestKind};
//! let mut ids = Numbering::default();
//! let old = ids.next(RequestKind::Search);
//! let new = ids.next(RequestKind::Search);
//! assert!(!ids.accept(RequestKind::Search, old));
//! assert!(ids.accept(RequestKind::Search, new));
//! ```

use icd_core::lookup::{CodeReport, LookupError, TermReport};
use icd_core::record::{Authority, Finding, Record, Severity};
use icd_core::search::{Encounter, NoteReading, Patient, Setting, StatementResult};
use icd_core::terms::TermId;
use icd_core::validate::CodeCheck;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// The number of one request; increases for every request the page sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId(pub u32);

/// Which tree of terms: the Alphabetic Index, the External Cause Index or a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tree {
    /// The Alphabetic Index of diseases and injuries.
    Index,
    /// The External Cause Index.
    Eindex,
    /// The Table of Neoplasms.
    Neoplasm,
    /// The Table of Drugs and Chemicals.
    Drug,
}

impl Tree {
    /// All trees, in menu order.
    pub const ALL: [Tree; 4] = [Tree::Index, Tree::Eindex, Tree::Neoplasm, Tree::Drug];

    /// The name used in URLs (`#/term/index/42`).
    pub fn slug(self) -> &'static str {
        match self {
            Tree::Index => "index",
            Tree::Eindex => "eindex",
            Tree::Neoplasm => "neoplasm",
            Tree::Drug => "drug",
        }
    }

    /// The tree named by a URL slug.
    pub fn from_slug(slug: &str) -> Option<Tree> {
        Tree::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// Its title, as the official files name it.
    pub fn title(self) -> &'static str {
        match self {
            Tree::Index => "Alphabetic Index",
            Tree::Eindex => "External Cause Index",
            Tree::Neoplasm => "Table of Neoplasms",
            Tree::Drug => "Table of Drugs and Chemicals",
        }
    }
}

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Coding suggestions for what was typed (one statement per line).
    Search {
        /// The request's number.
        id: RequestId,
        /// The text as typed.
        query: String,
        /// Inpatient or outpatient (uncertain diagnoses differ).
        setting: Setting,
        /// The encounter assumed for a code that needs a 7th character.
        encounter: Encounter,
    },
    /// A pasted note read as a whole: the codes to assign with their
    /// evidence, and each statement's alternatives.
    ReadNote {
        /// The request's number.
        id: RequestId,
        /// The note as pasted (it is never stored, here or in the worker).
        text: String,
        /// Inpatient or outpatient (uncertain diagnoses differ).
        setting: Setting,
        /// The encounter assumed for a code that needs a 7th character.
        encounter: Encounter,
        /// Age and sex typed beside the note; the note's own words fill gaps.
        patient: Patient,
    },
    /// The full report of one code, as typed (`e1122`, `E11.22`).
    Lookup {
        /// The request's number.
        id: RequestId,
        /// The code as typed.
        code: String,
    },
    /// One term of a tree and its subterms.
    Term {
        /// The request's number.
        id: RequestId,
        /// Which tree.
        tree: Tree,
        /// The term.
        term: TermId,
    },
    /// The main terms of a tree starting with a letter or prefix.
    MainTerms {
        /// The request's number.
        id: RequestId,
        /// Which tree.
        tree: Tree,
        /// A letter or the start of a term.
        prefix: String,
    },
    /// Rows of a table (neoplasms, drugs) whose path contains every word of a filter.
    Table {
        /// The request's number.
        id: RequestId,
        /// Which table.
        tree: Tree,
        /// Words to look for; empty lists the table from the top.
        filter: String,
    },
    /// Validity of pasted codes on a date of service.
    Validate {
        /// The request's number.
        id: RequestId,
        /// The codes as pasted, any separators.
        codes: String,
        /// Date of service, `YYYY-MM-DD`.
        date: String,
    },
    /// Practice items ([`icd_core::practice::generate`]).
    Practice {
        /// The request's number.
        id: RequestId,
        /// The seed.
        seed: u64,
        /// How many items.
        count: usize,
        /// The kinds, taken in turn (a kind listed twice comes twice as
        /// often); empty: all.
        #[serde(default)]
        kinds: Vec<icd_core::practice::Kind>,
        /// Only items about codes of these chapters; empty: all.
        #[serde(default)]
        chapters: Vec<icd_core::practice::Chapter>,
        /// An instructor's cases (CSV or JSON): checked against the release
        /// ([`icd_core::practice::import_cases`]) and given instead of
        /// generated items.
        #[serde(default)]
        cases: Option<String>,
    },
    /// Every check of a coded encounter.
    Check {
        /// The request's number.
        id: RequestId,
        /// The record as the form holds it.
        record: Box<Record>,
        /// Today, `YYYY-MM-DD` (dates in the future are findings).
        today: String,
    },
    /// The ICD-10-PCS code builder at a partial code (`0DT`, `0DTJ4ZZ`).
    PcsBuild {
        /// The request's number.
        id: RequestId,
        /// The characters chosen so far, as in the URL.
        prefix: String,
    },
    /// Procedure search: complete ICD-10-PCS codes for a statement.
    PcsSearch {
        /// The request's number.
        id: RequestId,
        /// The statement as typed.
        query: String,
    },
}

impl Request {
    /// The request's number.
    pub fn id(&self) -> RequestId {
        match self {
            Request::Search { id, .. }
            | Request::ReadNote { id, .. }
            | Request::Lookup { id, .. }
            | Request::Term { id, .. }
            | Request::MainTerms { id, .. }
            | Request::Table { id, .. }
            | Request::Validate { id, .. }
            | Request::Practice { id, .. }
            | Request::Check { id, .. }
            | Request::PcsBuild { id, .. }
            | Request::PcsSearch { id, .. } => *id,
        }
    }

    /// What the engine needs loaded to answer it.
    pub fn capability(&self) -> icd_core::registry::Capability {
        use icd_core::registry::Capability;
        match self {
            Request::Search { .. } | Request::ReadNote { .. } => Capability::Search,
            Request::Check { .. } => Capability::Check,
            Request::PcsBuild { .. } | Request::PcsSearch { .. } => Capability::Pcs,
            Request::Lookup { .. }
            | Request::Term { .. }
            | Request::MainTerms { .. }
            | Request::Table { .. }
            | Request::Validate { .. }
            | Request::Practice { .. } => Capability::Browse,
        }
    }

    /// Which kind of request this is; only the newest of each kind counts.
    pub fn kind(&self) -> RequestKind {
        match self {
            Request::Search { .. } => RequestKind::Search,
            Request::ReadNote { .. } => RequestKind::ReadNote,
            Request::Lookup { .. } => RequestKind::Lookup,
            Request::Term { .. } => RequestKind::Term,
            Request::MainTerms { .. } => RequestKind::MainTerms,
            Request::Table { .. } => RequestKind::Table,
            Request::Validate { .. } => RequestKind::Validate,
            Request::Check { .. } => RequestKind::Check,
            Request::Practice { .. } => RequestKind::Practice,
            Request::PcsBuild { .. } => RequestKind::PcsBuild,
            Request::PcsSearch { .. } => RequestKind::PcsSearch,
        }
    }
}

/// The kinds of request, one slot each in [`Numbering`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestKind {
    /// [`Request::Search`].
    Search,
    /// [`Request::Lookup`].
    Lookup,
    /// [`Request::ReadNote`].
    ReadNote,
    /// [`Request::Term`].
    Term,
    /// [`Request::MainTerms`].
    MainTerms,
    /// [`Request::Table`].
    Table,
    /// [`Request::Validate`].
    Validate,
    /// [`Request::Check`].
    Check,
    /// [`Request::Practice`].
    Practice,
    /// [`Request::PcsBuild`].
    PcsBuild,
    /// [`Request::PcsSearch`].
    PcsSearch,
}

impl RequestKind {
    const ALL: usize = 11;

    fn slot(self) -> usize {
        self as usize
    }
}

/// How loading the data is going, sent by the worker before it can answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    /// Files arriving: `done` of `total`, `bytes` received so far.
    Fetching {
        /// Files fetched.
        done: usize,
        /// Files to fetch.
        total: usize,
        /// Bytes received (uncompressed).
        bytes: u64,
    },
    /// Everything fetched and opened; requests are answered from now on.
    Ready(Loaded),
    /// The data could not be loaded; the message says what to do.
    Failed {
        /// A sentence for the user.
        message: String,
    },
}

/// What the page learns once the data is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// (data set, release) for the footer.
    pub releases: Vec<(String, String)>,
    /// Size of the worker's WebAssembly memory, in bytes.
    pub memory_bytes: u64,
    /// Milliseconds from the worker's start to the data being open.
    pub load_ms: u32,
    /// The last day the loaded release covers (`YYYY-MM-DD`,
    /// [`icd_core::Mce::coverage_end`]): codes may change after it.
    #[serde(default)]
    pub coverage_end: Option<String>,
}

/// A code report, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LookupReply {
    /// The code's report.
    Found(Box<CodeReport>),
    /// What was typed is not a well-formed code.
    Invalid(String),
    /// Well formed but not in the tabular (unknown, or deleted).
    Missing(LookupError),
}

/// A main term, for the index browser's letter pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermLink {
    /// Its id in its tree.
    pub id: TermId,
    /// The term.
    pub term: String,
    /// Its code, if the term has one.
    pub code: String,
}

/// One row of a table (neoplasms, drugs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    /// Its id in its tree.
    pub id: TermId,
    /// Depth below the main term (0 for a main term).
    pub level: u32,
    /// The term as printed, with its nonessential modifiers.
    pub term: String,
    /// `Main > sub > ...`, for rows shown out of their context.
    pub path: String,
    /// One code (or `—`) per column.
    pub cells: Vec<String>,
    /// `see`/`see also` text.
    pub see: String,
}

/// Rows of a table matching a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableReply {
    /// Column headings after the term column.
    pub columns: Vec<String>,
    /// Matching rows, in table order (at most [`TABLE_ROWS`]).
    pub rows: Vec<TableRow>,
    /// How many rows match in all.
    pub matched: usize,
}

/// The most table rows sent at once; the page asks to narrow the filter.
pub const TABLE_ROWS: usize = 400;

/// A finding as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    /// Stable rule id (`mce.age_conflict`).
    pub rule_id: String,
    /// How serious.
    pub severity: Severity,
    /// Plain language.
    pub message: String,
    /// Codes involved.
    pub codes: Vec<String>,
    /// Record fields involved.
    pub fields: Vec<String>,
    /// What it rests on, in words (`MCE edit AGE_CONFLICT`).
    pub authority: String,
    /// The note or guideline text behind it, when there is one.
    pub authority_text: Option<String>,
    /// What to do.
    pub fix: Option<String>,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> FindingView {
        let authority_text = match &f.authority {
            Authority::TabularNote { text, .. } => Some(text.clone()),
            _ => None,
        };
        FindingView {
            rule_id: f.rule_id.to_string(),
            severity: f.severity,
            message: f.message.clone(),
            codes: f.codes.clone(),
            fields: f.fields.clone(),
            authority: f.authority.to_string(),
            authority_text,
            fix: f.fix.clone(),
        }
    }
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Loading news (sent to every page connected).
    Progress(Progress),
    /// Suggestions, one result per statement.
    Search {
        /// The request answered.
        id: RequestId,
        /// Per statement.
        results: Vec<StatementResult>,
        /// Per statement, per suggestion: the notes that matter ([`crate::summary`]).
        summaries: Vec<Vec<String>>,
        /// Time the worker spent, in milliseconds.
        ms: f64,
    },
    /// A note, read.
    ReadNote {
        /// The request answered.
        id: RequestId,
        /// The text that was read, which the evidence offsets point into
        /// (so an answer shown while a newer one is on its way still
        /// highlights the right words).
        text: String,
        /// Codes with evidence, statements with alternatives.
        reading: Box<NoteReading>,
        /// Per statement, per alternative: the notes that matter ([`crate::summary`]).
        summaries: Vec<Vec<String>>,
        /// Time the worker spent, in milliseconds.
        ms: f64,
    },
    /// A code's report.
    Lookup {
        /// The request answered.
        id: RequestId,
        /// The report or why not.
        reply: LookupReply,
    },
    /// A term with two levels of subterms; `None` when the id is out of range.
    Term {
        /// The request answered.
        id: RequestId,
        /// Which tree.
        tree: Tree,
        /// The term.
        report: Option<Box<TermReport>>,
        /// Its ancestors, main term first, for breadcrumbs.
        ancestors: Vec<TermLink>,
    },
    /// Main terms starting with the prefix.
    MainTerms {
        /// The request answered.
        id: RequestId,
        /// In index order.
        terms: Vec<TermLink>,
    },
    /// Table rows.
    Table {
        /// The request answered.
        id: RequestId,
        /// The rows.
        table: TableReply,
    },
    /// Validator verdicts, in the order pasted.
    Validate {
        /// The request answered.
        id: RequestId,
        /// One per code; `Err` for a date that does not parse.
        checks: Result<Vec<CodeCheck>, String>,
    },
    /// Record findings, most serious first.
    Check {
        /// The request answered.
        id: RequestId,
        /// All findings.
        findings: Vec<FindingView>,
        /// Title of each diagnosis code on the record that ICD-10-CM has (code as typed, title).
        titles: Vec<(String, String)>,
        /// The MS-DRG with its drivers and what-if list (inpatient records,
        /// once the grouper tables are loaded).
        #[serde(default)]
        drg: Option<Box<DrgPanel>>,
        /// Time the worker spent, in milliseconds.
        ms: f64,
    },
    /// Practice items, validated, in order.
    Practice {
        /// The request answered.
        id: RequestId,
        /// The items.
        items: Vec<icd_core::practice::Item>,
        /// What is wrong in an instructor's cases, with the line.
        #[serde(default)]
        problems: Vec<icd_core::practice::CaseProblem>,
    },
    /// The code builder at a prefix, and the code's report once all
    /// seven characters are there (a code only the MCE lists included).
    PcsBuild {
        /// The request answered.
        id: RequestId,
        /// The builder.
        build: Box<PcsBuildReply>,
    },
    /// Procedure codes for a statement, best first.
    PcsSearch {
        /// The request answered.
        id: RequestId,
        /// The codes, each with the axes the statement left open.
        hits: Vec<icd_core::pcs::search::Hit>,
        /// Time the worker spent, in milliseconds.
        ms: f64,
    },
    /// The worker cannot answer yet (still loading) or could not load.
    NotReady {
        /// The request that could not be answered.
        id: RequestId,
    },
}

impl Reply {
    /// The request this answers, and its kind; `None` for progress news.
    pub fn answers(&self) -> Option<(RequestKind, RequestId)> {
        Some(match self {
            Reply::Progress(_) => return None,
            Reply::Search { id, .. } => (RequestKind::Search, *id),
            Reply::ReadNote { id, .. } => (RequestKind::ReadNote, *id),
            Reply::Lookup { id, .. } => (RequestKind::Lookup, *id),
            Reply::Term { id, .. } => (RequestKind::Term, *id),
            Reply::MainTerms { id, .. } => (RequestKind::MainTerms, *id),
            Reply::Table { id, .. } => (RequestKind::Table, *id),
            Reply::Validate { id, .. } => (RequestKind::Validate, *id),
            Reply::Check { id, .. } => (RequestKind::Check, *id),
            Reply::Practice { id, .. } => (RequestKind::Practice, *id),
            Reply::PcsBuild { id, .. } => (RequestKind::PcsBuild, *id),
            Reply::PcsSearch { id, .. } => (RequestKind::PcsSearch, *id),
            Reply::NotReady { .. } => return None,
        })
    }
}

/// The DRG panel of the record check: the grouping and the what-if list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrgPanel {
    /// Initial and final DRG, return code, drivers.
    pub grouping: icd_core::drg::Grouping,
    /// The DRG without each CC/MCC and each procedure.
    pub what_if: icd_core::drg::WhatIf,
}

/// The code builder's answer ([`icd_core::pcs::builder::build`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcsBuildReply {
    /// The axes, chosen and to choose.
    pub build: icd_core::pcs::builder::Build,
    /// The report of the code, when the prefix is seven characters the
    /// Tables or the MCE master know ([`icd_core::pcs::report::report`]).
    pub report: Option<icd_core::pcs::report::PcsReport>,
}

/// Hands out [`RequestId`]s and remembers the newest per [`RequestKind`].
#[derive(Debug, Clone, Default)]
pub struct Numbering {
    last: u32,
    newest: [Option<RequestId>; RequestKind::ALL],
}

impl Numbering {
    /// A fresh id for a request of this kind; older ones of the kind go stale.
    pub fn next(&mut self, kind: RequestKind) -> RequestId {
        self.last = self.last.wrapping_add(1);
        let id = RequestId(self.last);
        self.newest[kind.slot()] = Some(id);
        id
    }

    /// Whether a reply with this id answers the newest request of its kind.
    pub fn accept(&self, kind: RequestKind, id: RequestId) -> bool {
        self.newest[kind.slot()] == Some(id)
    }
}

/// Messages cross the worker boundary as JavaScript values made by
/// serde-wasm-bindgen (structured clone), which carries every serde feature
/// the record model uses.
#[derive(Debug)]
pub struct JsCodec;

impl gloo_worker::Codec for JsCodec {
    fn encode<I: Serialize>(input: I) -> JsValue {
        // Maps become plain objects so `#[serde(flatten)]` reads them back.
        let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        input
            .serialize(&ser)
            .expect("worker messages are plain data and always serialize")
    }

    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        serde_wasm_bindgen::from_value(input)
            .expect("page and worker are built from the same source and agree on messages")
    }
}
