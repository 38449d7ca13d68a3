//! The one app state: load progress and the latest answer of each kind,
//! shared by context. Pages ask through [`Desk::ask`]; the data worker
//! answers; replies to stale requests are dropped before they reach the
//! state.
//!
//! ```ignore
//! let desk = use_desk();
//! desk.ask(RequestKind::Lookup, "E11.22", |id| Request::Lookup { id, code: "E11.22".into() });
//! match desk.state.lookup.as_ref().filter(|a| a.key == "E11.22") { .. }
//! ```
//!
//! The worker's timings and memory are also published on
//! `window.__icdDesk` (`searchTimings`, `workerMemoryBytes`, `loadMs`) for
//! the benchmark script; nothing else reads them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};
use icd_core::lookup::TermReport;
use icd_core::search::{Encounter, NoteReading, Patient, Setting, Sex, StatementResult};
use icd_core::validate::CodeCheck;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::protocol::{
    BatchReply, Facets, FindingView, JsCodec, LookupReply, Numbering, Progress, Reply, Request,
    RequestId, RequestKind, TableReply, TermLink, Tree,
};
use crate::worker::DataWorker;

/// Where Trunk puts the worker's loader shim (index.html, `data-loader-shim`).
pub const WORKER_LOADER: &str = "worker_loader.js";

/// How long the worker may stay silent after being started.
const WORKER_SILENCE_MS: u32 = 15_000;

/// An answer and the key (query, code, term) it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    /// What was asked, as the page keyed it.
    pub key: String,
    /// The answer.
    pub value: Rc<T>,
}

/// A term with its breadcrumbs.
#[derive(Debug, Clone, PartialEq)]
pub struct TermAnswer {
    /// Which tree.
    pub tree: Tree,
    /// The term, `None` when the id is not in the tree.
    pub report: Option<Box<TermReport>>,
    /// Ancestors, main term first.
    pub ancestors: Vec<TermLink>,
}

/// Suggestions with the note summary of each (same shape as `results`).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchAnswer {
    /// Per statement.
    pub results: Vec<StatementResult>,
    /// Per statement, per suggestion: the notes that matter (`Excludes1 · code first`).
    pub summaries: Vec<Vec<String>>,
}

/// A note as the worker read it, with the text its evidence points into.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteAnswer {
    /// The text read; evidence offsets are byte offsets into it.
    pub text: String,
    /// Codes with evidence, statements with alternatives.
    pub reading: NoteReading,
    /// Per statement, per alternative: the notes that matter.
    pub summaries: Vec<Vec<String>>,
    /// The procedure statements have their ICD-10-PCS suggestions (or
    /// there are none).
    pub procedures_coded: bool,
}

/// A coder's verdict on a code read from a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// To be reported.
    Accepted,
    /// Not to be reported.
    Rejected,
}

/// What the search page is working on, kept in the page's memory (never
/// stored) so that a note, its verdicts and the settings survive a visit to
/// a code's view and back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NoteDraft {
    /// What is in the search box.
    pub text: String,
    /// Inpatient or outpatient.
    pub setting: Setting,
    /// The encounter assumed for codes needing a 7th character.
    pub encounter: Encounter,
    /// The age typed beside the note (digits, or empty).
    pub age: String,
    /// The sex chosen beside the note.
    pub sex: Option<Sex>,
    /// Verdicts, by the code as the note reading gave it.
    pub decisions: BTreeMap<String, Decision>,
    /// An alternative 7th character chosen instead of the assumed one:
    /// code as read → code chosen.
    pub chosen: BTreeMap<String, String>,
}

impl NoteDraft {
    /// The patient as typed beside the note.
    pub fn patient(&self) -> Patient {
        Patient {
            age: self.age.trim().parse().ok(),
            sex: self.sex,
        }
    }
}

/// Diagnoses handed from a coded note to the record check, which reads
/// them once when it opens.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordSeed {
    /// Principal first, then the secondary diagnoses (dotted codes).
    pub codes: Vec<String>,
    /// The note's setting.
    pub setting: Setting,
    /// The patient the codes were read for.
    pub patient: Patient,
    /// ICD-10-PCS procedure codes (from the code builder).
    pub procedures: Vec<String>,
    /// A whole record (opened from a batch), loaded as it is instead.
    pub record: Option<Box<icd_core::record::Record>>,
}

/// The latest batch answers ([`crate::pages::batch`]); the worker holds
/// the records themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchAnswers {
    /// The last import step's answer (header, progress or failure), keyed
    /// by its request number so each reply is news.
    pub import: Option<Answer<BatchReply>>,
    /// What the batch holds, for the filter menus (once it is read).
    pub facets: Option<Rc<Facets>>,
    /// The last window of the table.
    pub rows: Option<Answer<BatchReply>>,
    /// The last export.
    pub export: Option<Answer<BatchReply>>,
    /// The report.
    pub report: Option<Answer<BatchReply>>,
    /// A figure's records.
    pub members: Option<Answer<BatchReply>>,
    /// A record to open.
    pub open: Option<Answer<BatchReply>>,
}

/// Findings and the titles of the record's codes (code as typed, title).
pub type CheckAnswer = (
    Vec<FindingView>,
    Vec<(String, String)>,
    Option<Box<crate::protocol::DrgPanel>>,
);

/// Everything the pages render.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskState {
    /// Loading, ready or failed.
    pub progress: Progress,
    /// Latest suggestions.
    pub search: Option<Answer<SearchAnswer>>,
    /// Latest note reading.
    pub note: Option<Answer<NoteAnswer>>,
    /// The search page's note, verdicts and settings.
    pub draft: NoteDraft,
    /// Codes on their way to the record check.
    pub record_seed: Option<RecordSeed>,
    /// Latest code report.
    pub lookup: Option<Answer<LookupReply>>,
    /// Latest term.
    pub term: Option<Answer<TermAnswer>>,
    /// Latest list of main terms.
    pub main_terms: Option<Answer<Vec<TermLink>>>,
    /// Latest table rows.
    pub table: Option<Answer<TableReply>>,
    /// Latest validator verdicts.
    pub validate: Option<Answer<Result<Vec<CodeCheck>, String>>>,
    /// The latest practice set, and the problems of an instructor's cases.
    pub practice: Option<
        Answer<(
            Vec<icd_core::practice::Item>,
            Vec<icd_core::practice::CaseProblem>,
        )>,
    >,
    /// Latest record findings, with the titles of the record's codes.
    pub check: Option<Answer<CheckAnswer>>,
    /// The last request that needed a file this site could not load, keyed
    /// as its page asked, with why.
    pub unavailable: Option<Answer<String>>,
    /// The latest state of the ICD-10-PCS code builder.
    pub pcs_build: Option<Answer<crate::protocol::PcsBuildReply>>,
    /// The latest procedure codes found.
    pub pcs_search: Option<Answer<Vec<icd_core::pcs::search::Hit>>>,
    /// The batch page's answers.
    pub batch: BatchAnswers,
    pending: HashMap<RequestId, String>,
}

impl Default for DeskState {
    fn default() -> Self {
        DeskState {
            progress: Progress::Fetching {
                done: 0,
                total: crate::worker::first_files().len(),
                bytes: 0,
            },
            search: None,
            note: None,
            draft: NoteDraft::default(),
            record_seed: None,
            lookup: None,
            term: None,
            main_terms: None,
            table: None,
            validate: None,
            practice: None,
            check: None,
            unavailable: None,
            pcs_build: None,
            pcs_search: None,
            batch: BatchAnswers::default(),
            pending: HashMap::new(),
        }
    }
}

impl DeskState {
    /// Whether the data is open.
    pub fn ready(&self) -> bool {
        matches!(self.progress, Progress::Ready(_))
    }
}

/// A change to the [`NoteDraft`].
pub struct DraftEdit(pub Box<dyn Fn(&mut NoteDraft)>);

impl std::fmt::Debug for DraftEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DraftEdit(..)")
    }
}

/// What changes the state.
#[derive(Debug)]
pub enum DeskAction {
    /// A request went out with this key.
    Asked(RequestId, String),
    /// The worker answered (already checked to be current).
    Replied(Reply),
    /// A change to the search page's draft, applied to the newest draft
    /// (two clicks before a render both count).
    EditDraft(DraftEdit),
    /// Codes are handed to the record check (`None`: it has taken them).
    Seed(Option<RecordSeed>),
}

fn answer<T>(key: String, value: T) -> Option<Answer<T>> {
    Some(Answer {
        key,
        value: Rc::new(value),
    })
}

impl Reducible for DeskState {
    type Action = DeskAction;

    fn reduce(self: Rc<Self>, action: DeskAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            DeskAction::Asked(id, key) => {
                next.pending.insert(id, key);
            }
            DeskAction::Replied(Reply::Progress(p)) => next.progress = p,
            DeskAction::EditDraft(DraftEdit(edit)) => edit(&mut next.draft),
            DeskAction::Seed(seed) => next.record_seed = seed,
            DeskAction::Replied(reply) => {
                let Some((_, id)) = reply.answers() else {
                    return self;
                };
                let Some(key) = next.pending.remove(&id) else {
                    return self;
                };
                match reply {
                    Reply::Search {
                        results, summaries, ..
                    } => next.search = answer(key, SearchAnswer { results, summaries }),
                    Reply::ReadNote {
                        text,
                        reading,
                        summaries,
                        procedures_coded,
                        ..
                    } => {
                        next.note = answer(
                            key,
                            NoteAnswer {
                                text,
                                reading: *reading,
                                summaries,
                                procedures_coded,
                            },
                        )
                    }
                    Reply::NoteProcedures { procedures, .. } => {
                        // For the note shown, if it is still the one asked about.
                        if let Some(note) = next.note.as_mut().filter(|n| n.key == key) {
                            let mut value = (*note.value).clone();
                            value.reading.procedures = procedures;
                            value.procedures_coded = true;
                            note.value = Rc::new(value);
                        }
                    }
                    Reply::Lookup { reply, .. } => next.lookup = answer(key, reply),
                    Reply::Term {
                        tree,
                        report,
                        ancestors,
                        ..
                    } => {
                        next.term = answer(
                            key,
                            TermAnswer {
                                tree,
                                report,
                                ancestors,
                            },
                        )
                    }
                    Reply::MainTerms { terms, .. } => next.main_terms = answer(key, terms),
                    Reply::Table { table, .. } => next.table = answer(key, table),
                    Reply::Validate { checks, .. } => next.validate = answer(key, checks),
                    Reply::Practice {
                        items, problems, ..
                    } => next.practice = answer(key, (items, problems)),
                    Reply::Check {
                        findings,
                        titles,
                        drg,
                        ..
                    } => next.check = answer(key, (findings, titles, drg)),
                    Reply::Unavailable { why, .. } => next.unavailable = answer(key, why),
                    Reply::PcsBuild { build, .. } => next.pcs_build = answer(key, *build),
                    Reply::PcsSearch { hits, .. } => next.pcs_search = answer(key, hits),
                    Reply::Batch { reply, kind, .. } => {
                        let b = &mut next.batch;
                        if matches!(&*reply, BatchReply::Progress(p, _) if p.records == 0 && p.bytes == 0 && !p.done)
                        {
                            // A new batch (or a cancel): what was shown of the last one goes.
                            *b = BatchAnswers::default();
                        }
                        if let BatchReply::Progress(_, Some(facets)) = &*reply {
                            b.facets = Some(Rc::new(facets.clone()));
                        }
                        let slot = match kind {
                            RequestKind::BatchRows => &mut b.rows,
                            RequestKind::BatchExport => &mut b.export,
                            RequestKind::BatchReport => &mut b.report,
                            RequestKind::BatchMembers => &mut b.members,
                            RequestKind::BatchOpen => &mut b.open,
                            _ => &mut b.import,
                        };
                        *slot = answer(key, *reply);
                    }
                    Reply::Progress(_) | Reply::NotReady { .. } => return self,
                }
            }
        }
        Rc::new(next)
    }
}

/// The state and the way to ask the worker, shared by context.
#[derive(Clone)]
pub struct Desk {
    /// What the pages render.
    pub state: UseReducerHandle<DeskState>,
    asker: Option<Rc<Asker>>,
}

struct Asker {
    bridge: WorkerBridge<DataWorker>,
    numbering: Rc<RefCell<Numbering>>,
    _watchdog: gloo_timers::callback::Timeout,
}

impl PartialEq for Desk {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("state", &*self.state)
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// Sends a request keyed by `key`; older requests of the kind go stale.
    pub fn ask(
        &self,
        kind: RequestKind,
        key: impl Into<String>,
        make: impl FnOnce(RequestId) -> Request,
    ) {
        let Some(asker) = &self.asker else {
            return;
        };
        let id = asker.numbering.borrow_mut().next(kind);
        self.state.dispatch(DeskAction::Asked(id, key.into()));
        asker.bridge.send(make(id));
    }

    /// Changes the search page's draft.
    pub fn edit_draft(&self, edit: Box<dyn Fn(&mut NoteDraft)>) {
        self.state.dispatch(DeskAction::EditDraft(DraftEdit(edit)));
    }

    /// Hands diagnoses to the record check (or clears them, once taken).
    pub fn seed_record(&self, seed: Option<RecordSeed>) {
        self.state.dispatch(DeskAction::Seed(seed));
    }
}

/// Spawns the worker once and provides the [`Desk`].
#[hook]
pub fn use_desk_provider() -> Desk {
    let state = use_reducer(DeskState::default);
    let asker = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            let numbering = Rc::new(RefCell::new(Numbering::default()));
            let accept = numbering.clone();
            let heard = Rc::new(std::cell::Cell::new(false));
            // A worker script that is missing or refused never says a word:
            // say so instead of showing "Loading" forever.
            let watchdog = {
                let (heard, dispatcher) = (heard.clone(), dispatcher.clone());
                gloo_timers::callback::Timeout::new(WORKER_SILENCE_MS, move || {
                    if !heard.get() {
                        dispatcher.dispatch(DeskAction::Replied(Reply::Progress(Progress::Failed {
                            message: format!(
                                "The data worker ({WORKER_LOADER}) did not start. Serve the whole built site (dist/), \
                                 e.g. with `cargo xtask serve`, and reload; a browser extension or policy that blocks \
                                 web workers also causes this."
                            ),
                        })));
                    }
                })
            };
            let bridge = DataWorker::spawner()
                .encoding::<JsCodec>()
                .callback(move |reply: Reply| {
                    heard.set(true);
                    publish(&reply);
                    let current = reply
                        .answers()
                        .is_none_or(|(kind, id)| accept.borrow().accept(kind, id));
                    if current {
                        dispatcher.dispatch(DeskAction::Replied(reply));
                    }
                })
                .spawn_with_loader(WORKER_LOADER);
            Asker {
                bridge,
                numbering,
                _watchdog: watchdog,
            }
        })
    };
    Desk {
        state,
        asker: Some(asker),
    }
}

/// A desk with no worker, for rendering pages in tests.
#[hook]
pub fn use_idle_desk() -> Desk {
    Desk {
        state: use_reducer(DeskState::default),
        asker: None,
    }
}

/// The desk from context.
#[hook]
pub fn use_desk() -> Desk {
    use_context::<Desk>().expect("pages are rendered inside the app's Desk provider")
}

/// Figures for the benchmark script, on `window.__icdDesk`.
fn publish(reply: &Reply) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str("__icdDesk");
    let obj = js_sys::Reflect::get(&window, &key)
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| {
            let o = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&o, &"searchTimings".into(), &js_sys::Array::new());
            let _ = js_sys::Reflect::set(&window, &key, &o);
            o.into()
        });
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(&obj, &k.into(), &v.into());
    };
    match reply {
        Reply::Search { ms, .. } => push(&obj, "searchTimings", *ms),
        Reply::ReadNote { ms, .. } => push(&obj, "noteTimings", *ms),
        Reply::Progress(Progress::Ready(loaded)) => {
            set("workerMemoryBytes", loaded.memory_bytes as f64);
            set("loadMs", f64::from(loaded.load_ms));
            set("pageMemoryBytes", memory_bytes(wasm_bindgen::memory()));
            if let Some(body) = window.document().and_then(|d| d.body()) {
                let _ = body.set_attribute("data-ready", "true");
            }
        }
        _ => {}
    }
}

/// Appends a timing to the list `key` of `obj`, starting the list if needed.
fn push(obj: &JsValue, key: &str, ms: f64) {
    use wasm_bindgen::JsCast;
    let list = js_sys::Reflect::get(obj, &key.into())
        .ok()
        .filter(js_sys::Array::is_array)
        .unwrap_or_else(|| {
            let list: JsValue = js_sys::Array::new().into();
            let _ = js_sys::Reflect::set(obj, &key.into(), &list);
            list
        });
    list.unchecked_into::<js_sys::Array>().push(&ms.into());
}

fn memory_bytes(memory: JsValue) -> f64 {
    use wasm_bindgen::JsCast;
    memory
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| f64::from(b.byte_length()))
        .unwrap_or(0.0)
}
