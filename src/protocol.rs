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
    /// One step of a batch (import, query, export, report): the worker
    /// keeps the records and their results ([`crate::batch`]).
    Batch {
        /// The request's number.
        id: RequestId,
        /// What to do.
        op: BatchOp,
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
    /// The ICD-10-PCS suggestions of a note's procedure statements, asked
    /// for once the note is read (the worker fetches the PCS tables first
    /// if they are not open).
    NoteProcedures {
        /// The request's number.
        id: RequestId,
        /// The procedure statements as the note reading found them.
        procedures: Vec<icd_core::search::NoteProcedure>,
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
            | Request::PcsSearch { id, .. }
            | Request::NoteProcedures { id, .. } => *id,
            Request::Batch { id, .. } => *id,
        }
    }

    /// What the engine needs loaded to answer it.
    pub fn capability(&self) -> icd_core::registry::Capability {
        use icd_core::registry::Capability;
        match self {
            Request::Search { .. } | Request::ReadNote { .. } => Capability::Search,
            Request::Check { .. } => Capability::Check,
            Request::PcsBuild { .. }
            | Request::PcsSearch { .. }
            | Request::NoteProcedures { .. } => Capability::Pcs,
            // ICD-10-PCS items need the PCS tables, asked for by name only.
            Request::Practice { kinds, .. } if kinds.contains(&icd_core::practice::Kind::Pcs) => {
                Capability::Pcs
            }
            // The worker also waits for the check tables (`DataWorker::received`).
            Request::Batch { .. } => Capability::Group,
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
            Request::NoteProcedures { .. } => RequestKind::NoteProcedures,
            Request::Batch { op, .. } => op.kind(),
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
    /// [`Request::NoteProcedures`].
    NoteProcedures,
    /// [`BatchOp`]s that import (start, chunk, cancel, mark reviewed).
    BatchImport,
    /// [`BatchOp::Rows`].
    BatchRows,
    /// [`BatchOp::Export`].
    BatchExport,
    /// [`BatchOp::Report`].
    BatchReport,
    /// [`BatchOp::Members`].
    BatchMembers,
    /// [`BatchOp::Open`].
    BatchOpen,
}

impl RequestKind {
    /// How many kinds there are: the last one's slot plus one (a kind
    /// added after `BatchOpen` must take its place here).
    const ALL: usize = RequestKind::BatchOpen as usize + 1;

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
        /// There are no procedure statements to code; otherwise the page
        /// asks for their ICD-10-PCS suggestions with
        /// [`Request::NoteProcedures`].
        procedures_coded: bool,
        /// Time the worker spent, in milliseconds.
        ms: f64,
    },
    /// A note's procedure statements with their ICD-10-PCS suggestions.
    NoteProcedures {
        /// The request answered.
        id: RequestId,
        /// The statements, each with its codes.
        procedures: Vec<icd_core::search::NoteProcedure>,
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
    /// A batch step's answer.
    Batch {
        /// The request answered.
        id: RequestId,
        /// Its kind ([`BatchOp::kind`]): a failure answers any kind.
        kind: RequestKind,
        /// The answer.
        reply: Box<BatchReply>,
    },
    /// The request needs a data file this site could not load (an optional
    /// artifact, such as `pcs.icdx`): why, in words that name the file.
    Unavailable {
        /// The request answered.
        id: RequestId,
        /// Its kind.
        kind: RequestKind,
        /// What is missing and what to do.
        why: String,
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
            Reply::NoteProcedures { id, .. } => (RequestKind::NoteProcedures, *id),
            Reply::Batch { id, kind, .. } => (*kind, *id),
            Reply::Unavailable { id, kind, .. } => (*kind, *id),
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

/// What a batch step asks ([`Request::Batch`]). The page reads the file
/// slice by slice and sends [`BatchOp::Chunk`]s one at a time, waiting
/// for each [`BatchReply::Progress`]: the worker is never flooded, and a
/// cancel is heard at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BatchOp {
    /// The header of a CSV file's first slice, for the column-mapping step.
    Probe {
        /// The start of the file.
        text: String,
    },
    /// Forget any batch and start reading a file.
    Start {
        /// The file's name (shown on the report).
        name: String,
        /// Its form.
        format: icd_core::batch::Format,
        /// For a CSV whose header is not the record CSV.
        columns: Option<icd_core::batch::ColumnMap>,
        /// Today, `YYYY-MM-DD` (dates in the future are findings).
        today: String,
    },
    /// The next slice of the file; `last` on the final one.
    Chunk {
        /// Text, cut at a line end.
        text: String,
        /// Bytes of the file read so far, this slice included.
        bytes: u64,
        /// The file ends here.
        last: bool,
    },
    /// Stop reading and forget the batch.
    Cancel,
    /// Marks (or unmarks) one finding of a record reviewed.
    Mark {
        /// The row (import order).
        row: u32,
        /// The finding's position on the record.
        finding: u16,
        /// Reviewed or not.
        reviewed: bool,
    },
    /// A window of the results table.
    Rows(RowQuery),
    /// Findings or records, as a file's text.
    Export {
        /// Findings (one line each) or records with their DRG.
        what: ExportWhat,
        /// CSV or JSON.
        format: ExportFormat,
    },
    /// The report's figures.
    Report,
    /// The records behind a figure's numerator or denominator, or a
    /// table row ([`FigureView::numerator_key`], [`members_key`]).
    Members {
        /// Which list.
        key: String,
    },
    /// One record in full, to open in the record check.
    Open {
        /// The row (import order).
        row: u32,
    },
}

impl BatchOp {
    /// Its [`RequestKind`].
    pub fn kind(&self) -> RequestKind {
        match self {
            BatchOp::Probe { .. }
            | BatchOp::Start { .. }
            | BatchOp::Chunk { .. }
            | BatchOp::Cancel
            | BatchOp::Mark { .. } => RequestKind::BatchImport,
            BatchOp::Rows(_) => RequestKind::BatchRows,
            BatchOp::Export { .. } => RequestKind::BatchExport,
            BatchOp::Report => RequestKind::BatchReport,
            BatchOp::Members { .. } => RequestKind::BatchMembers,
            BatchOp::Open { .. } => RequestKind::BatchOpen,
        }
    }
}

/// Which rows of the results table, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RowFilter {
    /// Only records with a finding of this rule.
    pub rule: Option<String>,
    /// Only records with a finding of this severity.
    pub severity: Option<Severity>,
    /// Only this final DRG.
    pub drg: Option<u16>,
    /// Only this MDC.
    pub mdc: Option<u8>,
    /// Only `inpatient` or `outpatient`.
    pub setting: Option<String>,
    /// Record ids containing this (any case).
    pub search: String,
    /// Hide records whose findings are all reviewed.
    pub hide_reviewed: bool,
}

/// The column the table is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// Import order.
    #[default]
    Place,
    /// Record id.
    Id,
    /// Final DRG.
    Drg,
    /// MDC.
    Mdc,
    /// Relative weight.
    Weight,
    /// Errors, then warnings.
    Findings,
}

/// A window of filtered, sorted rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RowQuery {
    /// Which rows.
    pub filter: RowFilter,
    /// Sorted by.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
    /// The first row wanted (of the filtered rows).
    pub offset: u32,
    /// How many (the page asks for what it shows, at most [`MAX_WINDOW`]).
    pub limit: u32,
}

/// The most rows one [`BatchOp::Rows`] answers.
pub const MAX_WINDOW: u32 = 200;

/// One row of the results table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    /// Import order (what [`BatchOp::Open`] and [`BatchOp::Mark`] take).
    pub row: u32,
    /// Where it is in the file (`line 12`).
    pub place: String,
    /// The record id.
    pub id: String,
    /// `inpatient` or `outpatient`.
    pub setting: String,
    /// Final DRG (inpatient).
    pub drg: Option<u16>,
    /// Its MDC.
    pub mdc: Option<u8>,
    /// Its FY2026 relative weight.
    pub weight: Option<f64>,
    /// Error findings.
    pub errors: u16,
    /// Warning findings.
    pub warnings: u16,
    /// The record's findings (most serious first): rule, severity,
    /// message, reviewed.
    pub findings: Vec<RowFinding>,
}

/// A finding in the results table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowFinding {
    /// Rule id.
    pub rule_id: String,
    /// How serious.
    pub severity: Severity,
    /// Plain language.
    pub message: String,
    /// Marked reviewed.
    pub reviewed: bool,
}

/// What a batch holds, for the filter menus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Rule ids found, with how many records have one.
    pub rules: Vec<(String, u32)>,
    /// Final DRGs, with their record counts.
    pub drgs: Vec<(u16, u32)>,
    /// MDCs, with their record counts.
    pub mdcs: Vec<(u8, u32)>,
}

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportWhat {
    /// One line per finding.
    Findings,
    /// One line per record, with its DRG.
    Records,
}

/// The form of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    /// Comma-separated, with a header.
    Csv,
    /// A JSON array.
    Json,
}

/// How an import is going.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchProgress {
    /// Bytes read of the file.
    pub bytes: u64,
    /// Records read, checked and grouped.
    pub records: u32,
    /// Units that could not be read.
    pub broken: u32,
    /// Records with at least one error.
    pub with_errors: u32,
    /// The file has been read to its end.
    pub done: bool,
    /// The first units that could not be read (place, reason), at most
    /// [`BROKEN_SHOWN`].
    pub broken_list: Vec<(String, String)>,
    /// Milliseconds the worker spent on the batch so far.
    pub worker_ms: f64,
    /// Size of the worker's WebAssembly memory now, in bytes.
    pub memory_bytes: u64,
}

/// The most unreadable units listed on the page (all are counted and exported).
pub const BROKEN_SHOWN: usize = 200;

/// A batch step's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BatchReply {
    /// A CSV header (`known`: it is the record CSV, no mapping needed).
    Header {
        /// The columns, as in the file.
        columns: Vec<String>,
        /// Every column is a field of the record CSV.
        known: bool,
    },
    /// After a start, chunk, cancel or mark.
    Progress(BatchProgress, Option<Facets>),
    /// A window of the table.
    Rows {
        /// The query answered.
        query: RowQuery,
        /// Rows matching the filter in all.
        total: u32,
        /// The window.
        rows: Vec<RowView>,
    },
    /// An export's text.
    Export {
        /// A file name to save it as.
        name: String,
        /// Its MIME type.
        mime: String,
        /// The text.
        text: String,
        /// Data lines in it (the header not counted).
        lines: u32,
    },
    /// The report.
    Report(Box<ReportView>),
    /// The records of a figure's numerator or denominator, or a table row.
    Members {
        /// Which list.
        key: String,
        /// Its title.
        title: String,
        /// (row, record id or place), at most [`MEMBERS_SHOWN`].
        rows: Vec<(u32, String)>,
        /// How many in all.
        total: u32,
    },
    /// A record in full.
    Open {
        /// The row.
        row: u32,
        /// The record.
        record: Box<Record>,
    },
    /// The step could not be done; the message says what to do.
    Failed {
        /// A sentence for the user.
        message: String,
    },
}

/// The [`BatchOp::Members`] key of a report table's row.
pub fn members_key(table: &str, row: &str) -> String {
    format!("table:{table}:{row}")
}

/// The most records a [`BatchReply::Members`] lists.
pub const MEMBERS_SHOWN: usize = 500;

/// One figure of the report, with its work shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureView {
    /// Stable id (`alos`).
    pub id: String,
    /// Title.
    pub title: String,
    /// The value as shown (`4.2 days`), or why it is not computed.
    pub value: String,
    /// The formula, in words.
    pub formula: String,
    /// Numerator as shown.
    pub numerator: Option<String>,
    /// Denominator as shown.
    pub denominator: Option<String>,
    /// Records counted in the numerator (clickable when some).
    pub numerator_records: u32,
    /// Records counted in the denominator.
    pub denominator_records: u32,
    /// The [`BatchOp::Members`] key of the numerator's records.
    pub numerator_key: String,
    /// The key of the denominator's records.
    pub denominator_key: String,
    /// Why it is not computed, or what was left out.
    pub note: Option<String>,
    /// What it means.
    pub definition: String,
    /// Where the definition comes from.
    pub source: String,
}

/// A table of the report (dispositions, findings, DRGs, MDCs), most
/// frequent first, at most [`TABLE_SHOWN`] rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportTable {
    /// `dispositions`, `findings`, `drgs`, `mdcs`.
    pub id: String,
    /// Title.
    pub title: String,
    /// What the shares are percent of.
    pub base: u32,
    /// What `total` holds, when rows have one.
    pub total_is: Option<String>,
    /// Rows: key, label, records, percent of base, total.
    pub rows: Vec<ReportRow>,
    /// Rows in all.
    pub all_rows: u32,
}

/// A row of a [`ReportTable`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// What it counts (`20`, `291`).
    pub key: String,
    /// In words.
    pub label: String,
    /// Records.
    pub count: u32,
    /// Percent of the table's base.
    pub share: f64,
    /// Findings or the sum of weights, when the table has them.
    pub total: Option<f64>,
}

/// The most rows of a report table sent to the page.
pub const TABLE_SHOWN: usize = 25;

/// The report page's figures and tables ([`icd_core::batch::report::Report`],
/// without its record lists: [`BatchOp::Members`] asks for those).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    /// The file's name.
    pub name: String,
    /// Units read (records and units that could not be read).
    pub read: u32,
    /// Records reviewed.
    pub reviewed: u32,
    /// Records reviewed as inpatient.
    pub inpatient: u32,
    /// Units that could not be read.
    pub rejected: u32,
    /// Records left out: (figure or `inpatient`, why, how many).
    pub excluded: Vec<(String, String, u32)>,
    /// The inpatient figures.
    pub figures: Vec<FigureView>,
    /// Outpatient records, those with errors, and their unspecified code rate.
    pub outpatient: Vec<FigureView>,
    /// Dispositions, findings, DRGs, MDCs (inpatient discharges).
    pub tables: Vec<ReportTable>,
    /// Outpatient findings by rule.
    pub outpatient_findings: ReportTable,
}
