//! Batch review (`#/batch`): a file chosen or dropped is read on the
//! device, slice by slice, and each slice goes to the worker, which reads,
//! checks and groups its records and keeps them ([`crate::batch`]). The
//! page waits for each slice's answer before it reads the next: the worker
//! is never flooded, the page stays responsive and a cancel is immediate.
//! The results table shows only the rows in view and asks the worker for
//! them, filtered and sorted there.
//!
//! ```ignore
//! html! { <BatchPage /> }
//! ```
//!
//! Nothing is uploaded: the `File` is read with `Blob.slice` and
//! `arrayBuffer()`, and exports are built in the page as a `Blob`.

use std::cell::RefCell;
use std::rc::Rc;

use icd_core::batch::{ColumnMap, Format, CSV_FIELDS};
use icd_core::record::Severity;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::desk::{use_desk, Desk, RecordSeed};
use crate::protocol::{
    BatchOp, BatchProgress, BatchReply, ExportFormat, ExportWhat, Request, RequestKind, RowFilter,
    RowQuery, RowView, SortKey,
};
use crate::route::Route;

/// Bytes read from the file per slice.
pub const SLICE_BYTES: f64 = 1024.0 * 1024.0;

/// Bytes read to guess the format and find a CSV header.
pub const HEAD_BYTES: f64 = 64.0 * 1024.0;

/// Height of one table row, in CSS pixels (`.batch-table tr`).
pub const ROW_PX: f64 = 36.0;

/// Height of the table's scrolling box, in CSS pixels (`.batch-scroll`).
pub const VIEW_PX: f64 = 504.0;

/// Rows fetched beyond those in view, above and below.
pub const OVERSCAN: u32 = 10;

/// Where to cut a slice's bytes so that what is sent ends a line (the rest
/// waits for the next slice): after the last newline, or at the end of the
/// file; with no newline in the slice, at the last character boundary.
pub fn cut(bytes: &[u8], last: bool) -> usize {
    if last {
        return bytes.len();
    }
    if let Some(i) = bytes.iter().rposition(|&b| b == b'\n') {
        return i + 1;
    }
    // A UTF-8 continuation byte is 0b10xx_xxxx: find the last character's
    // lead byte, and cut before it if the slice ends inside it.
    let Some(lead) = bytes.iter().rposition(|&b| b & 0xC0 != 0x80) else {
        return bytes.len();
    };
    let len = match bytes[lead] {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    };
    if lead + len <= bytes.len() {
        bytes.len()
    } else {
        lead
    }
}

/// The rows to ask for when the table is scrolled to `scroll_top`: (first
/// row, how many), with [`OVERSCAN`] rows either side.
pub fn window(scroll_top: f64, total: u32) -> (u32, u32) {
    let first = (scroll_top / ROW_PX).floor().max(0.0) as u32;
    let shown = (VIEW_PX / ROW_PX).ceil() as u32;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (first + shown + OVERSCAN).min(total);
    (start, end - start)
}

/// The field each column holds, before the user changes any: a remembered
/// mapping for the same header, else the column's own name when it is a
/// field, else nothing (the column is ignored).
pub fn initial_mapping(columns: &[String], remembered: Option<&ColumnMap>) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            if let Some(field) = remembered.and_then(|m| {
                m.columns
                    .iter()
                    .find(|(h, _)| h.eq_ignore_ascii_case(c.trim()))
                    .map(|(_, f)| f.clone())
            }) {
                return field;
            }
            let own = c.trim().to_ascii_lowercase();
            CSV_FIELDS
                .iter()
                .find(|f| f.name == own)
                .map(|f| f.name.to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// The [`ColumnMap`] of the choices made, one per column ("" ignores it:
/// the column is mapped to a name no field has).
pub fn column_map(columns: &[String], fields: &[String]) -> ColumnMap {
    ColumnMap {
        columns: columns
            .iter()
            .zip(fields)
            .map(|(c, f)| {
                let field = if f.is_empty() {
                    // Read as an unknown column, which the check ignores.
                    format!("ignored:{}", c.trim())
                } else {
                    f.clone()
                };
                (c.trim().to_string(), field)
            })
            .collect(),
    }
}

/// The localStorage key of a remembered mapping: the header itself.
pub fn mapping_key(columns: &[String]) -> String {
    let joined: Vec<String> = columns.iter().map(|c| c.trim().to_lowercase()).collect();
    format!("icd-desk.csv-map.{}", joined.join("\u{1f}"))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn remembered(columns: &[String]) -> Option<ColumnMap> {
    let text = storage()?.get_item(&mapping_key(columns)).ok()??;
    serde_json::from_str(&text).ok()
}

fn remember(columns: &[String], map: &ColumnMap) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(map)) {
        let _ = s.set_item(&mapping_key(columns), &text);
    }
}

/// Bytes as `1.2 MB`.
pub fn size_text(bytes: f64) -> String {
    if bytes < 1024.0 * 1024.0 {
        format!("{:.0} kB", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    }
}

/// The file being read and where the reading is.
#[derive(Default)]
struct Reader {
    file: Option<web_sys::File>,
    /// Bytes sliced off so far.
    offset: f64,
    /// The end of the last slice, waiting for its line to end.
    carry: Vec<u8>,
    /// Reading (not done, not cancelled).
    running: bool,
    /// Milliseconds since the import started, as the page saw it.
    started: f64,
}

async fn read_bytes(blob: &web_sys::Blob) -> Result<Vec<u8>, String> {
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| format!("The file could not be read ({e:?}); choose it again."))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Reads the next slice and sends it; the worker's answer brings the next.
fn send_next(desk: Desk, reader: Rc<RefCell<Reader>>, failed: Callback<String>) {
    wasm_bindgen_futures::spawn_local(async move {
        let (blob, end, size) = {
            let r = reader.borrow();
            let Some(file) = r.file.clone() else { return };
            let size = file.size();
            let end = (r.offset + SLICE_BYTES).min(size);
            match file.slice_with_f64_and_f64(r.offset, end) {
                Ok(b) => (b, end, size),
                Err(_) => return,
            }
        };
        let read = read_bytes(&blob).await;
        let mut r = reader.borrow_mut();
        if !r.running {
            return;
        }
        let mut bytes = std::mem::take(&mut r.carry);
        match read {
            Ok(b) => bytes.extend(b),
            Err(message) => {
                r.running = false;
                drop(r);
                failed.emit(message);
                return;
            }
        }
        let last = end >= size;
        let at = cut(&bytes, last);
        r.carry = bytes.split_off(at);
        r.offset = end;
        drop(r);
        let text = text_of(bytes);
        let sent = end as u64;
        desk.ask(RequestKind::BatchImport, format!("chunk:{sent}"), |id| {
            Request::Batch {
                id,
                op: BatchOp::Chunk {
                    text,
                    bytes: sent,
                    last,
                },
            }
        });
    });
}

/// What was chosen, before the import starts.
#[derive(Debug, Clone, PartialEq)]
struct Chosen {
    name: String,
    size: f64,
    format: Format,
}

/// The batch page.
#[function_component]
pub fn BatchPage() -> Html {
    crate::pages::set_title("Batch review");
    let desk = use_desk();
    let reader = use_mut_ref(Reader::default);
    let chosen = use_state(|| None::<Chosen>);
    let fields = use_state(Vec::<String>::new);
    let keep_mapping = use_state(|| false);
    let dragging = use_state(|| false);
    let read_error = use_state(|| None::<String>);
    let import = desk.state.batch.import.clone();
    let on_read_error = {
        let read_error = read_error.clone();
        Callback::from(move |m: String| read_error.set(Some(m)))
    };

    // Each answer to a slice brings the next slice (or the end).
    {
        let (desk, reader) = (desk.clone(), reader.clone());
        let on_read_error = on_read_error.clone();
        use_effect_with(import.clone(), move |import| {
            if let Some(a) = import {
                if let BatchReply::Progress(p, _) = &*a.value {
                    let running = reader.borrow().running;
                    if running && p.done {
                        reader.borrow_mut().running = false;
                        publish_done(p, now() - reader.borrow().started);
                    } else if running && (a.key.starts_with("chunk:") || a.key == "start") {
                        send_next(desk, reader, on_read_error);
                    }
                } else if let BatchReply::Failed { .. } = &*a.value {
                    reader.borrow_mut().running = false;
                }
            }
        });
    }
    // A CSV header that is not the record CSV: start the mapping step.
    let header = match import.as_deref_value() {
        Some(BatchReply::Header { columns, known }) => Some((columns.clone(), *known)),
        _ => None,
    };
    {
        let fields = fields.clone();
        use_effect_with(header.clone(), move |header| {
            if let Some((columns, _)) = header {
                fields.set(initial_mapping(columns, remembered(columns).as_ref()));
            }
        });
    }

    let choose = {
        let (desk, chosen, reader) = (desk.clone(), chosen.clone(), reader.clone());
        Rc::new(move |file: web_sys::File| {
            let (desk, chosen) = (desk.clone(), chosen.clone());
            {
                let mut r = reader.borrow_mut();
                r.running = false;
                r.file = Some(file.clone());
            }
            wasm_bindgen_futures::spawn_local(async move {
                let size = file.size();
                let Ok(head) = file.slice_with_f64_and_f64(0.0, HEAD_BYTES.min(size)) else {
                    return;
                };
                let head = read_bytes(&head).await.map(text_of).unwrap_or_default();
                let format = Format::guess(&file.name(), &head);
                chosen.set(Some(Chosen {
                    name: file.name(),
                    size,
                    format,
                }));
                desk.ask(RequestKind::BatchImport, "probe", |id| Request::Batch {
                    id,
                    op: BatchOp::Probe { text: head },
                });
            });
        })
    };
    let on_pick = {
        let choose = choose.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                choose(file);
            }
        })
    };
    let on_drop = {
        let (choose, dragging) = (choose.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                choose(file);
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_format = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let (Some(c), Some(format)) = ((*chosen).clone(), Format::parse(&select.value())) {
                chosen.set(Some(Chosen { format, ..c }));
            }
        })
    };
    let needs_mapping = chosen.as_ref().is_some_and(|c| c.format == Format::Csv)
        && header.as_ref().is_some_and(|(_, known)| !known);
    let on_start = {
        let read_error = read_error.clone();
        let (desk, reader, chosen, fields, keep) = (
            desk.clone(),
            reader.clone(),
            chosen.clone(),
            fields.clone(),
            keep_mapping.clone(),
        );
        let header = header.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(c) = (*chosen).clone() else { return };
            read_error.set(None);
            let columns = match (&header, needs_mapping) {
                (Some((columns, _)), true) => {
                    let map = column_map(columns, &fields);
                    if *keep {
                        remember(columns, &map);
                    }
                    Some(map)
                }
                _ => None,
            };
            {
                let mut r = reader.borrow_mut();
                r.offset = 0.0;
                r.carry.clear();
                r.running = true;
                r.started = now();
            }
            desk.ask(RequestKind::BatchImport, "start", |id| Request::Batch {
                id,
                op: BatchOp::Start {
                    name: c.name.clone(),
                    format: c.format,
                    columns,
                    today: crate::pages::validate::today(),
                },
            });
        })
    };
    let on_cancel = {
        let (desk, reader) = (desk.clone(), reader.clone());
        Callback::from(move |_: MouseEvent| {
            reader.borrow_mut().running = false;
            desk.ask(RequestKind::BatchImport, "cancel", |id| Request::Batch {
                id,
                op: BatchOp::Cancel,
            });
        })
    };

    let running = reader.borrow().running;
    let progress = match import.as_deref_value() {
        Some(BatchReply::Progress(p, _)) => Some(p.clone()),
        _ => None,
    };
    let failed = match import.as_deref_value() {
        Some(BatchReply::Failed { message }) => Some(message.clone()),
        _ => (*read_error).clone(),
    };
    let size = chosen.as_ref().map_or(0.0, |c| c.size);

    let mapping = match (&header, needs_mapping) {
        (Some((columns, _)), true) => {
            let rows = columns.iter().enumerate().map(|(i, c)| {
                let fields = fields.clone();
                let value = fields.get(i).cloned().unwrap_or_default();
                let onchange = Callback::from(move |e: Event| {
                    let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
                    let mut next = (*fields).clone();
                    if next.len() <= i {
                        next.resize(i + 1, String::new());
                    }
                    next[i] = select.value();
                    fields.set(next);
                });
                let id = format!("map-{i}");
                html! {
                    <tr>
                        <th scope="row"><label for={id.clone()}>{ c.clone() }</label></th>
                        <td>
                            <select id={id} {onchange} data-testid="batch-map-select">
                                <option value="" selected={value.is_empty()}>{ "(ignore this column)" }</option>
                                { for CSV_FIELDS.iter().map(|f| html! {
                                    <option value={f.name} selected={value == f.name}>
                                        { format!("{} — {}", f.name, f.title) }
                                    </option>
                                }) }
                            </select>
                        </td>
                    </tr>
                }
            });
            let on_keep = {
                let keep = keep_mapping.clone();
                Callback::from(move |e: Event| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    keep.set(input.checked());
                })
            };
            html! {
                <section class="batch-mapping" aria-labelledby="map-title">
                    <h2 id="map-title">{ "Map the columns" }</h2>
                    <p class="hint">{ "This CSV's header is not the record CSV `icd check` reads. Say which field each column holds." }</p>
                    <table class="batch-map">
                        <thead><tr><th scope="col">{ "Column in the file" }</th><th scope="col">{ "Field" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                    <p>
                        <label>
                            <input type="checkbox" checked={*keep_mapping} onchange={on_keep} data-testid="batch-remember" />
                            { " Remember this mapping on this device (for files with the same header)" }
                        </label>
                    </p>
                </section>
            }
        }
        _ => Html::default(),
    };

    let chosen_view = chosen.as_ref().map(|c| {
        html! {
            <div class="batch-chosen">
                <p>{ format!("{} — {}", c.name, size_text(c.size)) }</p>
                <p>
                    <label for="batch-format">{ "Format " }</label>
                    <select id="batch-format" onchange={on_format} disabled={running} data-testid="batch-format">
                        { for Format::ALL.iter().filter(|f| **f != Format::Claim).map(|f| html! {
                            <option value={f.name()} selected={*f == c.format}>{ format_title(*f) }</option>
                        }) }
                    </select>
                </p>
                { mapping }
                <p class="batch-actions">
                    <button type="button" onclick={on_start} disabled={running} data-testid="batch-start">{ "Import, check and group" }</button>
                    if running {
                        <button type="button" class="secondary" onclick={on_cancel} data-testid="batch-cancel">{ "Cancel" }</button>
                    }
                </p>
            </div>
        }
    });

    let progress_view = progress.as_ref().filter(|p| p.bytes > 0 || p.done).map(|p| {
        let max = size.max(p.bytes as f64).max(1.0);
        html! {
            <div class="batch-progress" data-testid="batch-progress"
                data-records={p.records.to_string()} data-done={p.done.to_string()}>
                <progress max={max.to_string()} value={(p.bytes as f64).to_string()} aria-label="Import progress"></progress>
                <p role="status">
                    { format!("{} of {} read · {} records checked and grouped · {} with errors · {} could not be read{}",
                        size_text(p.bytes as f64), size_text(max), p.records, p.with_errors, p.broken,
                        if p.done { " · done" } else { "" }) }
                </p>
            </div>
        }
    });
    let cancelled = progress
        .as_ref()
        .is_some_and(|p| p.bytes == 0 && !p.done && !running)
        && import.as_ref().is_some_and(|a| a.key == "cancel");

    html! {
        <section class="batch">
            <h1>{ "Batch review" }</h1>
            <p>{ "Import a day's or a year's encounters: every record is checked and grouped here, on this device. " }
               <strong>{ "Nothing is uploaded" }</strong>{ ": the file is read by your browser and stays on this computer." }</p>
            <p class="hint">{ "CSV (the columns `icd check` reads, or others you map), JSON Lines records, FHIR R4 Bundles, HL7 v2 ADT messages." }</p>
            <div class={classes!("batch-drop", dragging.then_some("over"))}
                ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave} data-testid="batch-drop">
                <label for="batch-file">{ "Choose a file" }</label>
                <input id="batch-file" type="file" onchange={on_pick} data-testid="batch-file"
                    accept=".csv,.tsv,.txt,.json,.jsonl,.ndjson,.hl7" />
                <p class="hint">{ "or drop it here" }</p>
            </div>
            { for chosen_view }
            if let Some(message) = failed {
                <p class="error" role="alert">{ message }</p>
            }
            if cancelled {
                <p role="status">{ "Import cancelled; nothing was kept." }</p>
            }
            { for progress_view }
            if let Some(p) = progress.as_ref().filter(|p| !p.broken_list.is_empty()) {
                { broken_list(p) }
            }
            if progress.as_ref().is_some_and(|p| p.done) {
                <p><a href={format!("#{}", Route::BatchReport.to_path())} data-testid="batch-report-link">{ "Open the report" }</a></p>
                <BatchTable />
            }
        </section>
    }
}

fn format_title(f: Format) -> &'static str {
    match f {
        Format::Csv => "CSV (or TSV)",
        Format::Record => "JSON records (lines or array)",
        Format::Fhir => "FHIR R4 Bundles",
        Format::Hl7 => "HL7 v2 ADT messages",
        Format::Claim => "MCE claims",
    }
}

fn broken_list(p: &BatchProgress) -> Html {
    html! {
        <details class="batch-broken" open={p.broken <= 20} data-testid="batch-broken">
            <summary>{ format!("{} could not be read", plural(p.broken as usize, "unit")) }</summary>
            <ul>
                { for p.broken_list.iter().map(|(place, reason)| html! {
                    <li><strong>{ place.clone() }</strong>{ ": " }{ reason.clone() }</li>
                }) }
            </ul>
            if (p.broken as usize) > p.broken_list.len() {
                <p class="hint">{ format!("The first {} are listed.", p.broken_list.len()) }</p>
            }
        </details>
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// For the benchmark script: when the import ended, as the page saw it.
fn publish_done(p: &BatchProgress, page_ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let obj = js_sys::Object::new();
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(&obj, &k.into(), &v.into());
    };
    set("records", f64::from(p.records));
    set("broken", f64::from(p.broken));
    set("bytes", p.bytes as f64);
    set("pageMs", page_ms);
    set("workerMs", p.worker_ms);
    set("workerMemoryBytes", p.memory_bytes as f64);
    if let Ok(desk) = js_sys::Reflect::get(&window, &"__icdDesk".into()) {
        if desk.is_object() {
            let _ = js_sys::Reflect::set(&desk, &"batch".into(), &obj);
        }
    }
}

/// Small helper: the value of an optional answer.
pub trait AnswerValue<T> {
    /// The answer's value, if there is one.
    fn as_deref_value(&self) -> Option<&T>;
}

impl<T> AnswerValue<T> for Option<crate::desk::Answer<T>> {
    fn as_deref_value(&self) -> Option<&T> {
        self.as_ref().map(|a| &*a.value)
    }
}

/// A callback that opens a batch row in the record check: it asks the
/// worker for the record, and when it comes, hands it to the record page.
#[hook]
pub fn use_record_opener() -> Callback<u32> {
    let desk = use_desk();
    let opening = use_mut_ref(|| false);
    let navigator = use_navigator();
    {
        let (desk, opening) = (desk.clone(), opening.clone());
        use_effect_with(desk.state.batch.open.clone(), move |open| {
            if let Some(BatchReply::Open { record, .. }) = open.as_deref_value() {
                if std::mem::take(&mut *opening.borrow_mut()) {
                    desk.seed_record(Some(RecordSeed {
                        record: Some(record.clone()),
                        ..RecordSeed::default()
                    }));
                    if let Some(nav) = navigator {
                        nav.push(&Route::Record);
                    }
                }
            }
        });
    }
    Callback::from(move |row: u32| {
        *opening.borrow_mut() = true;
        desk.ask(RequestKind::BatchOpen, format!("open:{row}"), |id| {
            Request::Batch {
                id,
                op: BatchOp::Open { row },
            }
        });
    })
}

/// The results table: filters, sort, the rows in view, the selected
/// record's findings, exports.
#[function_component]
pub fn BatchTable() -> Html {
    let desk = use_desk();
    let filter = use_state(RowFilter::default);
    let sort = use_state(|| (SortKey::Place, false));
    let scroll = use_state(|| 0.0_f64);
    let selected = use_state(|| None::<u32>);
    let exporting = use_mut_ref(|| false);
    let open_record = use_record_opener();

    let total = match desk.state.batch.rows.as_deref_value() {
        Some(BatchReply::Rows { total, .. }) => *total,
        _ => match desk.state.batch.import.as_deref_value() {
            Some(BatchReply::Progress(p, _)) => p.records,
            _ => 0,
        },
    };
    let (offset, limit) = window(*scroll, total.max(1));
    // Ask for the window whenever the filter, the order or the window changes.
    {
        let desk = desk.clone();
        let q = RowQuery {
            filter: (*filter).clone(),
            sort: sort.0,
            descending: sort.1,
            offset,
            limit: limit.max(1),
        };
        use_effect_with(q, move |q| {
            let q = q.clone();
            desk.ask(RequestKind::BatchRows, "rows", |id| Request::Batch {
                id,
                op: BatchOp::Rows(q),
            });
        });
    }
    // An export's text becomes a download.
    {
        let exporting = exporting.clone();
        use_effect_with(desk.state.batch.export.clone(), move |export| {
            if let Some(BatchReply::Export {
                name, mime, text, ..
            }) = export.as_deref_value()
            {
                if std::mem::take(&mut *exporting.borrow_mut()) {
                    download(name, mime, text);
                }
            }
        });
    }

    let (rows, shown_offset): (Vec<RowView>, u32) = match desk.state.batch.rows.as_deref_value() {
        Some(BatchReply::Rows { rows, query, .. }) => (rows.clone(), query.offset),
        _ => (Vec::new(), 0),
    };
    let facets = desk.state.batch.facets.clone().unwrap_or_default();

    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::Element = e.target_unchecked_into();
            let top = f64::from(el.scroll_top());
            // Ask again only when the window moves by a few rows.
            if (top - *scroll).abs() >= ROW_PX * 3.0 || top == 0.0 {
                scroll.set(top);
            }
        })
    };
    let set_filter = |edit: fn(&mut RowFilter, String)| {
        let (filter, scroll) = (filter.clone(), scroll.clone());
        Callback::from(move |e: Event| {
            let value = e
                .target()
                .and_then(|t| {
                    t.dyn_ref::<web_sys::HtmlSelectElement>()
                        .map(|s| s.value())
                        .or_else(|| t.dyn_ref::<web_sys::HtmlInputElement>().map(|i| i.value()))
                })
                .unwrap_or_default();
            let mut next = (*filter).clone();
            edit(&mut next, value);
            filter.set(next);
            scroll.set(0.0);
        })
    };
    let on_rule = set_filter(|f, v| f.rule = (!v.is_empty()).then_some(v));
    let on_severity = set_filter(|f, v| {
        f.severity = match v.as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    });
    let on_drg = set_filter(|f, v| f.drg = v.parse().ok());
    let on_mdc = set_filter(|f, v| f.mdc = v.parse().ok());
    let on_setting = set_filter(|f, v| f.setting = (!v.is_empty()).then_some(v));
    let on_search = {
        let (filter, scroll) = (filter.clone(), scroll.clone());
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*filter).clone();
            next.search = input.value();
            filter.set(next);
            scroll.set(0.0);
        })
    };
    let on_hide = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*filter).clone();
            next.hide_reviewed = input.checked();
            filter.set(next);
        })
    };
    let sort_button = |key: SortKey, label: &'static str| {
        let sort = sort.clone();
        let current = sort.0 == key;
        let aria = match (current, sort.1) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        let arrow = match (current, sort.1) {
            (false, _) => "",
            (true, false) => " ↑",
            (true, true) => " ↓",
        };
        let onclick = Callback::from(move |_: MouseEvent| {
            let desc = sort.0 == key && !sort.1;
            sort.set((key, desc));
        });
        html! {
            <th scope="col" aria-sort={aria}>
                <button type="button" class="sort" {onclick}>{ label }{ arrow }</button>
            </th>
        }
    };
    let export = |what: ExportWhat,
                  format: ExportFormat,
                  label: &'static str,
                  testid: &'static str| {
        let (desk, exporting) = (desk.clone(), exporting.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            *exporting.borrow_mut() = true;
            desk.ask(RequestKind::BatchExport, "export", |id| Request::Batch {
                id,
                op: BatchOp::Export { what, format },
            });
        });
        html! { <button type="button" class="secondary" {onclick} data-testid={testid}>{ label }</button> }
    };
    let open = |row: u32| {
        let open_record = open_record.clone();
        Callback::from(move |_: MouseEvent| open_record.emit(row))
    };
    let top_pad = f64::from(shown_offset) * ROW_PX;
    let bottom_pad = f64::from(total.saturating_sub(shown_offset + rows.len() as u32)) * ROW_PX;
    let detail = selected
        .and_then(|s| rows.iter().find(|r| r.row == s))
        .map(|r| {
            let marks = r.findings.iter().enumerate().map(|(i, f)| {
                let (desk, filter, sort, row) = (desk.clone(), filter.clone(), sort.clone(), r.row);
                let reviewed = f.reviewed;
                let (offset, limit) = (offset, limit);
                let onchange = Callback::from(move |_: Event| {
                    desk.ask(RequestKind::BatchImport, format!("mark:{row}:{i}:{}", !reviewed), |id| Request::Batch {
                        id,
                        op: BatchOp::Mark { row, finding: i as u16, reviewed: !reviewed },
                    });
                    // Asked after the mark, so answered with it.
                    let q = RowQuery { filter: (*filter).clone(), sort: sort.0, descending: sort.1, offset, limit: limit.max(1) };
                    desk.ask(RequestKind::BatchRows, "rows", |id| Request::Batch { id, op: BatchOp::Rows(q) });
                });
                html! {
                    <li class={classes!("finding", severity_class(f.severity))}>
                        <label>
                            <input type="checkbox" checked={f.reviewed} {onchange} data-testid="batch-mark" />
                            { " Reviewed · " }
                        </label>
                        <strong>{ f.severity.to_string() }</strong>{ " " }
                        <a href={crate::route::rule_href(&f.rule_id)}><code>{ f.rule_id.clone() }</code></a>{ ": " }{ f.message.clone() }
                    </li>
                }
            });
            html! {
                <section class="batch-detail" aria-labelledby="detail-title" data-testid="batch-detail">
                    <h2 id="detail-title">{ format!("Record {} ({})", if r.id.is_empty() { "without id" } else { &r.id }, r.place) }</h2>
                    <p><button type="button" onclick={open(r.row)} data-testid="batch-open">{ "Open in the record check" }</button></p>
                    if r.findings.is_empty() {
                        <p>{ "No findings." }</p>
                    } else {
                        <ul class="findings">{ for marks }</ul>
                    }
                </section>
            }
        });

    html! {
        <section class="batch-results" aria-labelledby="results-title">
            <h2 id="results-title">{ "Results" }</h2>
            <div class="batch-filters" role="group" aria-label="Filters">
                <label>{ "Rule " }
                    <select onchange={on_rule} data-testid="filter-rule">
                        <option value="">{ "any" }</option>
                        { for facets.rules.iter().map(|(r, n)| html! {
                            <option value={r.clone()} selected={filter.rule.as_deref() == Some(r)}>{ format!("{r} ({n})") }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Severity " }
                    <select onchange={on_severity} data-testid="filter-severity">
                        <option value="">{ "any" }</option>
                        <option value="error">{ "error" }</option>
                        <option value="warning">{ "warning" }</option>
                        <option value="info">{ "info" }</option>
                    </select>
                </label>
                <label>{ "DRG " }
                    <select onchange={on_drg} data-testid="filter-drg">
                        <option value="">{ "any" }</option>
                        { for facets.drgs.iter().map(|(d, n)| html! { <option value={d.to_string()}>{ format!("{d:03} ({n})") }</option> }) }
                    </select>
                </label>
                <label>{ "MDC " }
                    <select onchange={on_mdc} data-testid="filter-mdc">
                        <option value="">{ "any" }</option>
                        { for facets.mdcs.iter().map(|(m, n)| html! { <option value={m.to_string()}>{ format!("{m:02} ({n})") }</option> }) }
                    </select>
                </label>
                <label>{ "Setting " }
                    <select onchange={on_setting} data-testid="filter-setting">
                        <option value="">{ "any" }</option>
                        <option value="inpatient">{ "inpatient" }</option>
                        <option value="outpatient">{ "outpatient" }</option>
                    </select>
                </label>
                <label>{ "Record id " }
                    <input type="search" oninput={on_search} value={filter.search.clone()} data-testid="filter-search" />
                </label>
                <label><input type="checkbox" checked={filter.hide_reviewed} onchange={on_hide} />{ " Hide reviewed" }</label>
            </div>
            <p role="status" data-testid="batch-total">{ format!("{} shown", plural(total as usize, "record")) }</p>
            <div class="batch-scroll" onscroll={on_scroll} tabindex="0" role="region" aria-label="Results, scrollable" data-testid="batch-scroll">
                <table class="batch-table" aria-rowcount={(total + 1).to_string()}>
                    <thead>
                        <tr aria-rowindex="1">
                            { sort_button(SortKey::Id, "Record") }
                            <th scope="col">{ "Setting" }</th>
                            { sort_button(SortKey::Drg, "DRG") }
                            { sort_button(SortKey::Mdc, "MDC") }
                            { sort_button(SortKey::Weight, "Weight") }
                            { sort_button(SortKey::Findings, "Errors / warnings") }
                            <th scope="col">{ "Top finding" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        if top_pad > 0.0 {
                            { pad(top_pad) }
                        }
                        { for rows.iter().enumerate().map(|(i, r)| {
                            let select = {
                                let (selected, row) = (selected.clone(), r.row);
                                Callback::from(move |_: MouseEvent| selected.set(Some(row)))
                            };
                            let top = r.findings.first();
                            html! {
                                <tr aria-rowindex={(shown_offset as usize + i + 2).to_string()}
                                    class={classes!((*selected == Some(r.row)).then_some("selected"))} data-testid="batch-row">
                                    <td><button type="button" class="link" onclick={select}>{ if r.id.is_empty() { r.place.clone() } else { r.id.clone() } }</button></td>
                                    <td>{ r.setting.clone() }</td>
                                    <td>{ r.drg.map(|d| format!("{d:03}")).unwrap_or_default() }</td>
                                    <td>{ r.mdc.map(|m| format!("{m:02}")).unwrap_or_default() }</td>
                                    <td>{ r.weight.map(|w| format!("{w:.4}")).unwrap_or_default() }</td>
                                    <td>{ format!("{} / {}", r.errors, r.warnings) }</td>
                                    <td class="top-finding">{ top.map(|f| html! {
                                        <span class={severity_class(f.severity)}>{ format!("{}{}: {}", if f.reviewed { "✓ " } else { "" }, f.rule_id, f.message) }</span>
                                    }).unwrap_or_default() }</td>
                                </tr>
                            }
                        }) }
                        if bottom_pad > 0.0 {
                            { pad(bottom_pad) }
                        }
                    </tbody>
                </table>
            </div>
            { for detail }
            <div class="batch-export" role="group" aria-label="Export">
                <p>{ "Export (built here, saved by your browser): " }
                    { export(ExportWhat::Findings, ExportFormat::Csv, "Findings CSV", "export-findings-csv") }
                    { export(ExportWhat::Findings, ExportFormat::Json, "Findings JSON", "export-findings-json") }
                    { export(ExportWhat::Records, ExportFormat::Csv, "Records with DRG CSV", "export-records-csv") }
                    { export(ExportWhat::Records, ExportFormat::Json, "Records with DRG JSON", "export-records-json") }
                </p>
            </div>
        </section>
    }
}

/// A spacer row standing for the rows out of view. Its height is an SVG
/// `height` attribute: the page's CSP refuses inline styles.
fn pad(px: f64) -> Html {
    html! {
        <tr class="pad" aria-hidden="true">
            <td colspan="7"><svg class="pad" width="1" height={px.to_string()} focusable="false"></svg></td>
        </tr>
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

/// Saves `text` as a file: a `Blob`, an object URL and a click on a
/// download link (nothing leaves the device).
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // The click has started the download; the URL can go once it has.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}
