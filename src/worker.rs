//! The data worker: a web worker that fetches the artifacts once, holds the
//! [`Library`], the search index and the CC/MCC tables, and answers the
//! page's [`Request`]s. The page never holds the index.
//!
//! The worker binary (`src/bin/worker.rs`) registers [`DataWorker`]; the page
//! spawns it through `static/worker_loader.js`, because the blob URL
//! gloo-worker would otherwise make is refused by the page's CSP. That
//! loader starts fetching [`first_files`] before this wasm is compiled;
//! [`fetch_file`] takes those fetches instead of starting its own.
//!
//! ```ignore
//! use gloo_worker::Spawnable;
//! let bridge = DataWorker::spawner()
//!     .encoding::<JsCodec>()
//!     .callback(|reply| { /* Reply */ })
//!     .spawn_with_loader("worker_loader.js");
//! ```
//!
//! Loading is on demand ([`icd_core::Engine`], [`icd_core::registry`]): the
//! worker fetches first the artifacts search reads ([`first_files`]), says
//! [`Progress::Ready`] when they are open, then fetches the rest in the
//! background [`AFTER_ANSWER_MS`] after the first answer (or, if no request comes,
//! [`BACKGROUND_AFTER_MS`] after Ready, the ICD-10-PCS tables only after
//! [`PCS_AFTER_MS`]), so they do not compete with the first result.
//! A request is answered as soon as its capability's artifacts are open;
//! until then it is queued (and answered [`Reply::NotReady`] if a file it
//! needs could not be loaded), and its files are fetched at once.
//!
//! When every artifact has settled the worker posts [`DATA_FETCHED`] on the
//! [`CHANNEL`] broadcast channel. `static/boot.js` registers the service
//! worker only then on a first visit: its install copies the files this
//! worker fetched from the HTTP cache instead of downloading them again
//! (`static/sw.js`), so a first visit downloads every file once and the
//! site then works offline.

use std::collections::HashSet;

use gloo_net::http::Request as HttpRequest;
use gloo_worker::{HandlerId, Worker, WorkerScope};
use icd_core::lookup::LookupError;
use icd_core::registry::{self, ArtifactId, ArtifactSpec, Capability};
use icd_core::search::{Options, StatementResult};
use icd_core::terms::{TermId, Terms};
use icd_core::{Code, Date, Engine, Library};
use wasm_bindgen::JsCast;

use crate::protocol::{
    BatchOp, BatchReply, DrgPanel, FindingView, Loaded, LookupReply, PcsBuildReply, Progress,
    Reply, Request, RequestId, RequestKind, TableReply, TableRow, TermLink, Tree, TABLE_ROWS,
};

/// The broadcast channel the worker tells `static/boot.js` on.
pub const CHANNEL: &str = "icd-desk";

/// Posted on [`CHANNEL`] when every artifact's fetch has ended, well or not.
pub const DATA_FETCHED: &str = "icd-desk:data-fetched";

/// With no request to answer, the background fetches start this long after
/// [`Progress::Ready`].
pub const BACKGROUND_AFTER_MS: u32 = 1_500;

/// After the first answer, the background fetches start this long after it.
pub const AFTER_ANSWER_MS: u32 = 1_000;

/// With still no request, the ICD-10-PCS tables follow this long after
/// [`Progress::Ready`] (so that a visit with no request still ends with
/// every file cached for offline use).
pub const PCS_AFTER_MS: u32 = 10_000;

/// The artifacts fetched before the first answer: those search reads.
pub fn first_files() -> Vec<&'static ArtifactSpec> {
    registry::needed_for(Capability::Search).collect()
}

/// The worker.
#[derive(Debug)]
pub struct DataWorker {
    engine: Engine<Vec<u8>>,
    /// Requests waiting for their artifacts.
    queue: Vec<(HandlerId, Request)>,
    /// Artifacts asked for (in flight or settled).
    requested: HashSet<ArtifactId>,
    /// Artifacts whose fetch ended, well or not.
    settled: HashSet<ArtifactId>,
    /// Artifacts that could not be fetched or opened.
    broken: HashSet<ArtifactId>,
    /// Bytes received so far.
    bytes: u64,
    clients: HashSet<HandlerId>,
    last_progress: Progress,
    started: f64,
    /// Milliseconds from start to the first [`Progress::Ready`].
    ready_ms: Option<u32>,
    /// The background fetches (every artifact) have been started.
    background: bool,
    /// Starts them if no answer has by then; dropping it cancels it.
    idle: Option<gloo_timers::callback::Timeout>,
    /// The first answer is out (the background fetch is timed from it).
    answered: bool,
    /// [`DATA_FETCHED`] has been posted.
    announced: bool,
    /// The batch being reviewed ([`crate::batch`]).
    batch: crate::batch::Batch,
}

/// Messages the worker sends itself while loading.
#[derive(Debug)]
pub enum Msg {
    /// One artifact's fetch ended.
    Fetched {
        /// Which.
        id: ArtifactId,
        /// Its bytes, or why not.
        result: Result<Vec<u8>, String>,
    },
    /// [`BACKGROUND_AFTER_MS`] passed after Ready with no request.
    Idle,
    /// [`PCS_AFTER_MS`] passed after Ready with still no request.
    IdleLong,
}

impl Worker for DataWorker {
    type Message = Msg;
    type Input = Request;
    type Output = Reply;

    fn create(scope: &WorkerScope<Self>) -> Self {
        let mut worker = DataWorker {
            engine: Engine::new(),
            queue: Vec::new(),
            requested: HashSet::new(),
            settled: HashSet::new(),
            broken: HashSet::new(),
            bytes: 0,
            clients: HashSet::new(),
            last_progress: Progress::Fetching {
                done: 0,
                total: first_files().len(),
                bytes: 0,
            },
            started: now(),
            ready_ms: None,
            background: false,
            idle: None,
            answered: false,
            announced: false,
            batch: crate::batch::Batch::default(),
        };
        worker.fetch(scope, first_files());
        worker
    }

    fn update(&mut self, scope: &WorkerScope<Self>, msg: Msg) {
        let (id, result) = match msg {
            Msg::Fetched { id, result } => (id, result),
            Msg::Idle => {
                // Everything but the ICD-10-PCS tables, which wait for the
                // first answer (or a longer pause): they never compete
                // with the first CM result.
                if !self.background {
                    let rest = registry::ARTIFACTS
                        .iter()
                        .filter(|a| !a.serves(Capability::Pcs) || a.serves(Capability::Search))
                        .collect();
                    self.fetch(scope, rest);
                    let scope = scope.clone();
                    self.idle = Some(gloo_timers::callback::Timeout::new(
                        PCS_AFTER_MS - BACKGROUND_AFTER_MS,
                        move || scope.send_message(Msg::IdleLong),
                    ));
                }
                return;
            }
            Msg::IdleLong => {
                self.idle = None;
                self.start_background(scope);
                return;
            }
        };
        self.settled.insert(id);
        let spec = registry::spec(id);
        let rebuild = "Rebuild the data with `cargo xtask build-index` (or deploy the data/ folder built with the app), then reload.";
        let opened = result.and_then(|bytes| {
            self.bytes += bytes.len() as u64;
            self.engine
                .add(id, bytes)
                .map_err(|e| format!("The data could not be opened: data/{e}. {rebuild}"))
        });
        let failed_before = self.lacks_required(Capability::Search);
        if let Err(message) = opened {
            self.broken.insert(id);
            if spec.required && !failed_before {
                self.broadcast(scope, Progress::Failed { message });
            }
        }
        let first = first_files();
        let failed = self.lacks_required(Capability::Search);
        let ready = !failed && self.ready(Capability::Search);
        if !failed {
            if ready {
                let loaded = Loaded {
                    releases: self
                        .engine
                        .releases()
                        .into_iter()
                        .map(|(set, release)| (set.to_string(), release.to_string()))
                        .collect(),
                    memory_bytes: memory_bytes(),
                    load_ms: *self
                        .ready_ms
                        .get_or_insert_with(|| (now() - self.started).max(0.0) as u32),
                    coverage_end: self
                        .engine
                        .library()
                        .ok()
                        .and_then(|lib| lib.mce.coverage_end())
                        .map(|d| d.to_string()),
                };
                // Ready once, then again as background files add releases.
                if !matches!(self.last_progress, Progress::Ready(_))
                    || !first.iter().any(|a| a.id == id)
                {
                    self.broadcast(scope, Progress::Ready(loaded));
                }
                // Everything else after the first answer, so the site works
                // offline after one visit; if no request comes, after a pause.
                if !self.background && self.idle.is_none() {
                    let scope = scope.clone();
                    self.idle = Some(gloo_timers::callback::Timeout::new(
                        BACKGROUND_AFTER_MS,
                        move || scope.send_message(Msg::Idle),
                    ));
                }
            } else {
                let done = first
                    .iter()
                    .filter(|a| self.settled.contains(&a.id))
                    .count();
                self.broadcast(
                    scope,
                    Progress::Fetching {
                        done,
                        total: first.len(),
                        bytes: self.bytes,
                    },
                );
            }
        }
        for (who, request) in std::mem::take(&mut self.queue) {
            self.received(scope, request, who);
        }
        if !self.announced && self.settled.len() == registry::ARTIFACTS.len() {
            self.announced = true;
            announce_data_fetched();
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
        if let Request::Batch { id, op } = request {
            // A batch checks and groups: it waits for both.
            let needs = [Capability::Check, Capability::Group];
            if needs.iter().any(|c| self.lacks_required(*c)) {
                let message = "The record check or grouper data could not be loaded; rebuild the data with `cargo xtask build-index` and reload.".to_string();
                let reply = Box::new(BatchReply::Failed { message });
                let kind = op.kind();
                scope.respond(who, Reply::Batch { id, kind, reply });
            } else if needs.iter().all(|c| self.ready(*c)) {
                let kind = op.kind();
                let reply = Box::new(self.batch_step(op));
                scope.respond(who, Reply::Batch { id, kind, reply });
                self.start_background(scope);
            } else {
                for c in needs {
                    let missing = registry::needed_for(c).collect();
                    self.fetch(scope, missing);
                }
                self.queue.push((who, Request::Batch { id, op }));
            }
            return;
        }
        let capability = request.capability();
        if self.lacks_required(capability) {
            scope.respond(who, Reply::NotReady { id: request.id() });
        } else if self.ready(capability) {
            scope.respond(who, answer(&self.engine, request));
            self.after_first_answer(scope);
        } else {
            let missing = registry::needed_for(capability).collect();
            self.fetch(scope, missing);
            self.queue.push((who, request));
        }
    }
}

impl DataWorker {
    /// One batch step, from open data.
    fn batch_step(&mut self, op: BatchOp) -> BatchReply {
        let started = now();
        let batch = &mut self.batch;
        match op {
            BatchOp::Probe { text } => crate::batch::probe(&text),
            BatchOp::Start {
                name,
                format,
                columns,
                today,
            } => {
                batch.start(&name, format, columns, today.parse().ok());
                BatchReply::Progress(batch.progress(), None)
            }
            BatchOp::Chunk { text, bytes, last } => {
                let read = batch.chunk(&self.engine, &text, bytes, last, 0.0);
                batch.add_ms(now() - started);
                match read {
                    Ok(()) => {
                        let mut progress = batch.progress();
                        progress.memory_bytes = memory_bytes();
                        let facets = progress.done.then(|| batch.facets());
                        BatchReply::Progress(progress, facets)
                    }
                    Err(message) => BatchReply::Failed { message },
                }
            }
            BatchOp::Cancel => {
                batch.cancel();
                BatchReply::Progress(batch.progress(), None)
            }
            BatchOp::Mark {
                row,
                finding,
                reviewed,
            } => {
                batch.mark(row, finding, reviewed);
                BatchReply::Progress(batch.progress(), Some(batch.facets()))
            }
            BatchOp::Rows(query) => {
                let (total, rows) = batch.rows(&query);
                BatchReply::Rows { query, total, rows }
            }
            BatchOp::Export { what, format } => {
                let (name, mime, text, lines) = batch.export(what, format);
                BatchReply::Export {
                    name,
                    mime,
                    text,
                    lines,
                }
            }
            BatchOp::Report => match batch.report_view() {
                Some(view) => BatchReply::Report(Box::new(view)),
                None => BatchReply::Failed {
                    message:
                        "No batch has been read to its end: import a file on the Batch page first."
                            .into(),
                },
            },
            BatchOp::Members { key } => match batch.members(&key) {
                Some((title, rows, total)) => BatchReply::Members {
                    key,
                    title,
                    rows,
                    total,
                },
                None => BatchReply::Failed {
                    message: format!("The report has no list `{key}`; import the file again."),
                },
            },
            BatchOp::Open { row } => match batch.record(row) {
                Some(record) => BatchReply::Open {
                    row,
                    record: Box::new(record.clone()),
                },
                None => BatchReply::Failed {
                    message: format!("Row {row} is not in the batch; import the file again."),
                },
            },
        }
    }

    fn broadcast(&mut self, scope: &WorkerScope<Self>, progress: Progress) {
        self.last_progress = progress.clone();
        for id in &self.clients {
            scope.respond(*id, Reply::Progress(progress.clone()));
        }
    }

    /// Starts fetching every artifact not asked for yet (once).
    /// The rest follows [`AFTER_ANSWER_MS`] after the first answer, once
    /// the page has had the time to show it.
    fn after_first_answer(&mut self, scope: &WorkerScope<Self>) {
        if !self.background && !self.answered {
            self.answered = true;
            let scope = scope.clone();
            // Replaces (and so cancels) a pending idle timer.
            self.idle = Some(gloo_timers::callback::Timeout::new(
                AFTER_ANSWER_MS,
                move || scope.send_message(Msg::IdleLong),
            ));
        }
    }

    fn start_background(&mut self, scope: &WorkerScope<Self>) {
        if !self.background {
            self.background = true;
            self.idle = None;
            self.fetch(scope, registry::ARTIFACTS.iter().collect());
        }
    }

    /// Starts fetching those of `specs` not asked for yet.
    fn fetch(&mut self, scope: &WorkerScope<Self>, specs: Vec<&'static ArtifactSpec>) {
        for spec in specs {
            if self.requested.insert(spec.id) {
                let (id, file) = (spec.id, spec.file);
                scope.send_future(async move {
                    Msg::Fetched {
                        id,
                        result: fetch_file(file).await,
                    }
                });
            }
        }
    }

    /// Every artifact `capability` reads has settled: open, or optional and
    /// not there (the record check then runs without CC/MCC capture).
    fn ready(&self, capability: Capability) -> bool {
        registry::needed_for(capability)
            .all(|a| self.engine.has(a.id) || (!a.required && self.settled.contains(&a.id)))
    }

    /// A required artifact of `capability` could not be loaded.
    fn lacks_required(&self, capability: Capability) -> bool {
        registry::needed_for(capability).any(|a| a.required && self.broken.contains(&a.id))
    }
}

/// The global `worker_loader.js` keeps its fetches in, by file name.
const PREFETCH: &str = "icdDeskPrefetch";

/// The fetch of `file` that `worker_loader.js` started, taken once: a
/// second request for the file (a retry) fetches it again.
fn prefetched(file: &str) -> Option<js_sys::Promise> {
    let all = js_sys::Reflect::get(&js_sys::global(), &PREFETCH.into()).ok()?;
    let all: js_sys::Object = all.dyn_into().ok()?;
    let key = wasm_bindgen::JsValue::from_str(file);
    let fetch = js_sys::Reflect::get(&all, &key).ok()?;
    js_sys::Reflect::delete_property(&all, &key).ok()?;
    fetch.dyn_into().ok()
}

/// The bytes of `data/{file}`, from the loader's fetch when it started one.
async fn fetch_file(file: &'static str) -> Result<Vec<u8>, String> {
    let hint =
        "ICD Desk must be served over http with its data/ folder, e.g. with `cargo xtask serve`";
    let failed = |e: String| {
        format!(
            "Could not fetch data/{file} ({e}). {hint}; check that the server is still running."
        )
    };
    let response = match prefetched(file) {
        Some(fetch) => {
            let raw = wasm_bindgen_futures::JsFuture::from(fetch)
                .await
                .map_err(|e| failed(js_error(&e)))?;
            let raw: web_sys::Response = raw
                .dyn_into()
                .map_err(|_| failed("the loader's fetch gave no response".into()))?;
            gloo_net::http::Response::from(raw)
        }
        None => HttpRequest::get(&format!("data/{file}"))
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?,
    };
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

/// What a rejected fetch says (a `TypeError`'s message).
fn js_error(e: &wasm_bindgen::JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "network error".into())
}

/// Posts [`DATA_FETCHED`] on [`CHANNEL`]. Without `BroadcastChannel` the
/// page registers the service worker after a delay instead (`boot.js`).
fn announce_data_fetched() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        // Not closed: a message posted just before `close` may be dropped.
        let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(DATA_FETCHED));
    }
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
///
/// Call it only once the request's [capability](Request::capability) is
/// loaded; a request that comes too early gets [`Reply::NotReady`].
pub fn answer(engine: &Engine<Vec<u8>>, request: Request) -> Reply {
    let started = now();
    let Ok(lib) = engine.library() else {
        return Reply::NotReady { id: request.id() };
    };
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
            let Ok(results) = engine.search(&query, &opts) else {
                return Reply::NotReady { id };
            };
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
            let Ok(reading) = engine.read_note(&text, &opts) else {
                return Reply::NotReady { id };
            };
            // Procedure statements are coded by a second request
            // (NoteProcedures), so the diagnoses never wait for the PCS
            // tables or the procedure search.
            let procedures_coded = reading.procedures.is_empty();
            let summaries = summaries(lib, &reading.statements);
            Reply::ReadNote {
                id,
                text,
                reading: Box::new(reading),
                summaries,
                procedures_coded,
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
        Request::Practice {
            id,
            cases: Some(text),
            ..
        } => {
            let checked = icd_core::practice::import_cases(lib, &text);
            Reply::Practice {
                id,
                items: checked.items,
                problems: checked.problems,
            }
        }
        Request::Practice {
            id,
            seed,
            count,
            kinds,
            chapters,
            cases: None,
        } => Reply::Practice {
            id,
            items: icd_core::practice::generate_with(
                lib,
                engine.pcs().ok(),
                &icd_core::practice::Options {
                    kinds,
                    chapters,
                    seed,
                    // A page of items at a time; more is never a quiz.
                    count: count.min(100),
                },
            )
            .items,
            problems: Vec::new(),
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
        // Batches hold state: `DataWorker::batch_step` answers them.
        Request::Batch { id, .. } => Reply::NotReady { id },
        Request::Check { id, record, today } => {
            let Ok(checker) = engine.checker(today.parse().ok()) else {
                return Reply::NotReady { id };
            };
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
            let drg = engine
                .group_record(&record)
                .ok()
                .flatten()
                .map(|(grouping, what_if)| Box::new(DrgPanel { grouping, what_if }));
            Reply::Check {
                id,
                findings,
                titles,
                drg,
                ms: now() - started,
            }
        }
        Request::PcsBuild { id, prefix } => {
            let pcs = match engine.pcs() {
                Ok(pcs) => pcs,
                Err(e) => return unavailable(id, RequestKind::PcsBuild, &e),
            };
            let build = icd_core::pcs::builder::build(pcs, &prefix);
            // A finished code, or seven characters only the MCE lists.
            let code = if build.complete() && build.invalid.is_none() {
                &build.code
            } else {
                &build.asked
            };
            let report = code
                .parse::<icd_core::PcsCode>()
                .ok()
                .and_then(|c| icd_core::pcs::report::report(pcs, &lib.mce, &c, None).ok());
            Reply::PcsBuild {
                id,
                build: Box::new(PcsBuildReply { build, report }),
            }
        }
        Request::NoteProcedures { id, mut procedures } => {
            let pcs = match engine.pcs() {
                Ok(p) => p,
                Err(e) => return unavailable(id, RequestKind::NoteProcedures, &e),
            };
            let opts = icd_core::search::procedures::note_options();
            with_pcs_search(pcs, |s| {
                for p in &mut procedures {
                    p.hits = s.search(&p.text, &opts);
                }
            });
            Reply::NoteProcedures { id, procedures }
        }
        Request::PcsSearch { id, query } => {
            let pcs = match engine.pcs() {
                Ok(pcs) => pcs,
                Err(e) => return unavailable(id, RequestKind::PcsSearch, &e),
            };
            let opts = icd_core::pcs::search::SearchOptions::default();
            let hits = with_pcs_search(pcs, |s| s.search(&query, &opts));
            Reply::PcsSearch {
                id,
                hits,
                ms: now() - started,
            }
        }
    }
}

/// The answer to a request whose optional artifact settled without
/// loading (the worker answers only once every file it reads has settled).
fn unavailable(id: RequestId, kind: RequestKind, e: &icd_core::NotLoaded) -> Reply {
    Reply::Unavailable {
        id,
        kind,
        why: format!(
            "This site could not load {}, so this cannot be answered here. \
             Whoever runs the site can add it: `icd build-index` writes it.",
            e.files.join(", ")
        ),
    }
}

thread_local! {
    /// The procedure searcher, made on the first procedure search.
    static PCS_SEARCH: std::cell::OnceCell<icd_core::pcs::search::PcsSearch<'static, Vec<u8>>> =
        const { std::cell::OnceCell::new() };
}

/// Runs `f` with the procedure searcher. Making one reads its vocabulary
/// out of the tables (about 70 ms natively), too slow for every keystroke,
/// and it borrows the tables it reads, so it is made once, over a copy of
/// them kept for the worker's life (1.4 MB, only once a procedure search
/// is asked for). The worker opens the PCS artifact once, so the copy
/// never goes stale.
fn with_pcs_search<T>(
    pcs: &icd_core::pcs::Pcs<Vec<u8>>,
    f: impl FnOnce(&icd_core::pcs::search::PcsSearch<'static, Vec<u8>>) -> T,
) -> T {
    PCS_SEARCH.with(|cell| {
        f(cell.get_or_init(|| {
            let kept: &'static icd_core::pcs::Pcs<Vec<u8>> = Box::leak(Box::new(pcs.clone()));
            icd_core::pcs::search::PcsSearch::new(kept)
        }))
    })
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
