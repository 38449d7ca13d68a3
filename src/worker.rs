//! The data worker: a web worker that fetches the artifacts once, holds the
//! [`Library`], the search index and the CC/MCC tables, and answers the
//! page's [`Request`]s. The page never holds the index.
//!
//! The worker binary (`src/bin/worker.rs`) registers [`DataWorker`]; the page
//! spawns it through Trunk's loader shim (`worker_loader.js`), because the
//! blob URL gloo-worker would otherwise make is refused by the page's CSP.
//!
//! ```ignore
//! use gloo_worker::Spawnable;
//! let bridge = DataWorker::spawner()
//!     .encoding::<JsCodec>()
//!     .callback(|reply| { /* Reply */ })
//!     .spawn_with_loader("worker_loader.js");
//! ```
//!
//! Requests that arrive while loading are queued and answered once the data
//! is open (or answered [`Reply::NotReady`] if loading failed).

use std::collections::HashSet;

use gloo_net::http::Request as HttpRequest;
use gloo_worker::{HandlerId, Worker, WorkerScope};
use icd_core::lookup::{LookupError, ARTIFACT_FILES};
use icd_core::record::ccmcc::CcMcc;
use icd_core::record::Checker;
use icd_core::search::{read_note, search, Options, SearchIndex, StatementResult};
use icd_core::terms::{TermId, Terms};
use icd_core::{Artifacts, Code, Date, Library};
use wasm_bindgen::JsCast;

use crate::protocol::{
    FindingView, Loaded, LookupReply, Progress, Reply, Request, TableReply, TableRow, TermLink,
    Tree, TABLE_ROWS,
};

/// The search index file, beside the six artifacts.
pub const SEARCH_FILE: &str = "search.icdx";
/// The MS-DRG CC/MCC tables.
pub const CCMCC_FILE: &str = "ccmcc.icdx";

/// Everything the worker answers from.
#[derive(Debug)]
pub struct Data {
    /// Tabular, index, tables, MCE.
    pub lib: Library<Vec<u8>>,
    /// The search index.
    pub search: SearchIndex<Vec<u8>>,
    /// The CC/MCC tables.
    pub ccmcc: CcMcc<Vec<u8>>,
}

/// Where the worker stands.
#[derive(Debug)]
enum State {
    Loading(Vec<(HandlerId, Request)>),
    Ready(Box<Data>),
    Failed,
}

/// The worker.
#[derive(Debug)]
pub struct DataWorker {
    state: State,
    clients: HashSet<HandlerId>,
    last_progress: Progress,
    started: f64,
}

/// Messages the worker sends itself while loading.
#[derive(Debug)]
pub enum Msg {
    /// One more file arrived.
    Fetched {
        /// Files so far.
        done: usize,
        /// Bytes so far.
        bytes: u64,
    },
    /// Loading ended.
    Loaded(Result<Box<Data>, String>),
}

impl Worker for DataWorker {
    type Message = Msg;
    type Input = Request;
    type Output = Reply;

    fn create(scope: &WorkerScope<Self>) -> Self {
        let progress = scope.callback(|(done, bytes)| Msg::Fetched { done, bytes });
        scope.send_future(async move { Msg::Loaded(load(&*progress).await) });
        DataWorker {
            state: State::Loading(Vec::new()),
            clients: HashSet::new(),
            last_progress: Progress::Fetching {
                done: 0,
                total: FILES.len(),
                bytes: 0,
            },
            started: now(),
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, msg: Msg) {
        match msg {
            Msg::Fetched { done, bytes } => self.broadcast(
                scope,
                Progress::Fetching {
                    done,
                    total: FILES.len(),
                    bytes,
                },
            ),
            Msg::Loaded(result) => {
                let State::Loading(queue) =
                    std::mem::replace(&mut self.state, State::Loading(vec![]))
                else {
                    return;
                };
                match result {
                    Ok(data) => {
                        let loaded = Loaded {
                            releases: data
                                .lib
                                .releases()
                                .into_iter()
                                .map(|(set, release)| (set.to_string(), release.to_string()))
                                .chain([
                                    (
                                        "Search index".to_string(),
                                        data.search.release().to_string(),
                                    ),
                                    (
                                        "MS-DRG CC/MCC".to_string(),
                                        data.ccmcc.release().to_string(),
                                    ),
                                ])
                                .collect(),
                            memory_bytes: memory_bytes(),
                            load_ms: (now() - self.started).max(0.0) as u32,
                        };
                        self.state = State::Ready(data);
                        self.broadcast(scope, Progress::Ready(loaded));
                    }
                    Err(message) => {
                        self.state = State::Failed;
                        self.broadcast(scope, Progress::Failed { message });
                    }
                }
                for (who, request) in queue {
                    self.received(scope, request, who);
                }
            }
        }
    }

    fn connected(&mut self, scope: &WorkerScope<Self>, id: HandlerId) {
        self.clients.insert(id);
        scope.respond(id, Reply::Progress(self.last_progress.clone()));
    }

    fn disconnected(&mut self, _scope: &WorkerScope<Self>, id: HandlerId) {
        self.clients.remove(&id);
    }

    fn received(&mut self, scope: &WorkerScope<Self>, request: Request, who: HandlerId) {
        match &mut self.state {
            State::Loading(queue) => queue.push((who, request)),
            State::Failed => scope.respond(who, Reply::NotReady { id: request.id() }),
            State::Ready(data) => scope.respond(who, answer(data, request)),
        }
    }
}

impl DataWorker {
    fn broadcast(&mut self, scope: &WorkerScope<Self>, progress: Progress) {
        self.last_progress = progress.clone();
        for id in &self.clients {
            scope.respond(*id, Reply::Progress(progress.clone()));
        }
    }
}

/// The files fetched, in the order [`load`] expects.
const FILES: [&str; 8] = [
    ARTIFACT_FILES[0],
    ARTIFACT_FILES[1],
    ARTIFACT_FILES[2],
    ARTIFACT_FILES[3],
    ARTIFACT_FILES[4],
    ARTIFACT_FILES[5],
    SEARCH_FILE,
    CCMCC_FILE,
];

async fn load(progress: &dyn Fn((usize, u64))) -> Result<Box<Data>, String> {
    let done = std::cell::Cell::new((0usize, 0u64));
    let fetch = |file: &'static str| {
        let done = &done;
        async move {
            let bytes = fetch_file(file).await?;
            let (n, b) = done.get();
            done.set((n + 1, b + bytes.len() as u64));
            progress(done.get());
            Ok::<_, String>(bytes)
        }
    };
    let files = futures::future::try_join_all(FILES.map(fetch)).await?;
    let mut files = files.into_iter();
    let artifacts: Vec<Vec<u8>> = files.by_ref().take(ARTIFACT_FILES.len()).collect();
    let (Some(search_bytes), Some(ccmcc_bytes)) = (files.next(), files.next()) else {
        return Err("internal error: a data file went missing while loading".into());
    };
    let artifacts = Artifacts::from_files(artifacts)
        .ok_or_else(|| "internal error: the six artifacts were not all fetched".to_string())?;
    let rebuild = "Rebuild the data with `cargo xtask build-index` (or deploy the data/ folder built with the app), then reload.";
    let lib = Library::open(artifacts)
        .map_err(|e| format!("The data could not be opened: data/{e}. {rebuild}"))?;
    let search = SearchIndex::open(search_bytes)
        .map_err(|e| format!("The data could not be opened: data/{SEARCH_FILE}: {e}. {rebuild}"))?;
    let ccmcc = CcMcc::open(ccmcc_bytes)
        .map_err(|e| format!("The data could not be opened: data/{CCMCC_FILE}: {e}. {rebuild}"))?;
    Ok(Box::new(Data { lib, search, ccmcc }))
}

async fn fetch_file(file: &'static str) -> Result<Vec<u8>, String> {
    let hint =
        "ICD Desk must be served over http with its data/ folder, e.g. with `cargo xtask serve`";
    let response = HttpRequest::get(&format!("data/{file}"))
        .send()
        .await
        .map_err(|e| format!("Could not fetch data/{file} ({e}). {hint}; check that the server is still running."))?;
    if !response.ok() {
        return Err(format!(
            "Could not fetch data/{file}: the server answered {} {}. {hint}.",
            response.status(),
            response.status_text()
        ));
    }
    response
        .binary()
        .await
        .map_err(|e| format!("Could not read data/{file} ({e}). {hint}."))
}

fn now() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as u64)
        .unwrap_or(0)
}

/// Answers one request from open data. Pure apart from the clock.
pub fn answer(data: &Data, request: Request) -> Reply {
    let started = now();
    let lib = &data.lib;
    match request {
        Request::Search {
            id,
            query,
            setting,
            encounter,
        } => {
            let opts = Options {
                setting,
                encounter,
                ..Options::default()
            };
            let results = search(lib, &data.search, &query, &opts);
            let summaries = summaries(lib, &results);
            Reply::Search {
                id,
                results,
                summaries,
                ms: now() - started,
            }
        }
        Request::ReadNote {
            id,
            text,
            setting,
            encounter,
            patient,
        } => {
            let opts = Options {
                setting,
                encounter,
                patient,
                ..Options::default()
            };
            let reading = read_note(lib, &data.search, &text, &opts);
            let summaries = summaries(lib, &reading.statements);
            Reply::ReadNote {
                id,
                text,
                reading: Box::new(reading),
                summaries,
                ms: now() - started,
            }
        }
        Request::Lookup { id, code } => {
            let reply = match code.trim().parse::<Code>() {
                Err(e) => LookupReply::Invalid(e.to_string()),
                Ok(code) => match lib.lookup(&code, None) {
                    Ok(report) => LookupReply::Found(Box::new(report)),
                    Err(e @ (LookupError::Unknown { .. } | LookupError::Retired { .. })) => {
                        LookupReply::Missing(e)
                    }
                },
            };
            Reply::Lookup { id, reply }
        }
        Request::Term { id, tree, term } => {
            let terms = tree_of(lib, tree);
            let report = ((term.0 as usize) < terms.len())
                .then(|| Box::new(lib.term_report(terms, term, 3)));
            let ancestors = if report.is_some() {
                terms
                    .path(term)
                    .into_iter()
                    .filter(|t| *t != term)
                    .map(|t| link(terms, t))
                    .collect()
            } else {
                Vec::new()
            };
            Reply::Term {
                id,
                tree,
                report,
                ancestors,
            }
        }
        Request::MainTerms { id, tree, prefix } => {
            let terms = tree_of(lib, tree);
            let found = if prefix.trim().is_empty() {
                terms.main_terms()
            } else {
                terms.main_terms_with_prefix(&prefix, 5_000)
            };
            Reply::MainTerms {
                id,
                terms: found.into_iter().map(|t| link(terms, t)).collect(),
            }
        }
        Request::Table { id, tree, filter } => Reply::Table {
            id,
            table: table(tree_of(lib, tree), &filter),
        },
        Request::Validate { id, codes, date } => Reply::Validate {
            id,
            checks: if date.trim().is_empty() {
                // A date field holding an impossible date (2023-02-30) reads as empty.
                Err("Date of service: enter a complete, real date (the field is empty or holds an impossible date such as 30 February).".into())
            } else {
                date.trim()
                    .parse::<Date>()
                    .map(|d| icd_core::validate::validate(lib, &codes, d))
                    .map_err(|e| format!("Date of service: {e}"))
            },
        },
        Request::Check { id, record, today } => {
            let mut checker = Checker::new(lib).with_ccmcc(&data.ccmcc);
            if let Ok(today) = today.parse() {
                checker = checker.today(today);
            }
            // The engine orders findings (errors, CC/MCC, warnings, reminders).
            let findings: Vec<FindingView> = checker
                .check(&record)
                .iter()
                .map(FindingView::from)
                .collect();
            let typed = record
                .principal_dx
                .iter()
                .chain(&record.secondary_dx)
                .map(|d| d.code.as_str())
                .chain(record.admitting_dx.as_deref());
            let titles = typed
                .filter_map(|typed| {
                    let code = typed.trim().parse::<Code>().ok()?;
                    let node = lib.tabular.find(&code)?;
                    Some((typed.to_string(), lib.tabular.title(node).into_owned()))
                })
                .collect();
            Reply::Check {
                id,
                findings,
                titles,
                ms: now() - started,
            }
        }
    }
}

/// Per statement, per suggestion: the notes that matter (`Excludes1 · code first`).
fn summaries(lib: &Library<Vec<u8>>, results: &[StatementResult]) -> Vec<Vec<String>> {
    let tab = &lib.tabular;
    results
        .iter()
        .map(|r| {
            r.suggestions
                .iter()
                .map(|s| {
                    let Some(node) = s.code.parse::<Code>().ok().and_then(|c| tab.find(&c)) else {
                        return String::new();
                    };
                    let kinds: Vec<_> = tab.notes(node).iter().map(|n| n.kind).collect();
                    let seventh = tab.needs_seventh(node) && !tab.billable(node);
                    crate::summary::summary(&kinds, seventh)
                })
                .collect()
        })
        .collect()
}

fn tree_of(lib: &Library<Vec<u8>>, tree: Tree) -> &Terms<Vec<u8>> {
    match tree {
        Tree::Index => &lib.index,
        Tree::Eindex => &lib.eindex,
        Tree::Neoplasm => &lib.neoplasm,
        Tree::Drug => &lib.drug,
    }
}

fn link(terms: &Terms<Vec<u8>>, t: TermId) -> TermLink {
    TermLink {
        id: t,
        term: terms.term(t).to_string(),
        code: terms.code(t).to_string(),
    }
}

/// Rows matching the filter ([`Terms::matching`]), the first [`TABLE_ROWS`] in full.
fn table(terms: &Terms<Vec<u8>>, filter: &str) -> TableReply {
    let mut rows = Vec::new();
    let mut matched = 0;
    for t in terms.matching(filter) {
        matched += 1;
        if rows.len() >= TABLE_ROWS {
            continue;
        }
        let nemod = terms.nemod(t);
        let see = [("see ", terms.see(t)), ("see also ", terms.see_also(t))]
            .into_iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(k, s)| format!("{k}{s}"))
            .collect::<Vec<_>>()
            .join("; ");
        rows.push(TableRow {
            id: t,
            level: terms.level(t),
            term: if nemod.is_empty() {
                terms.term(t).to_string()
            } else {
                format!("{} {nemod}", terms.term(t))
            },
            path: terms.path_text(t),
            cells: terms.cells(t).into_iter().map(str::to_string).collect(),
            see,
        });
    }
    TableReply {
        columns: terms
            .columns()
            .into_iter()
            .skip(1)
            .map(str::to_string)
            .collect(),
        rows,
        matched,
    }
}
