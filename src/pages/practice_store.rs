//! Progress on the device, only when the student opts in: one IndexedDB
//! database ([`DB_NAME`]) with one record, the [`Progress`] as JSON, and
//! one localStorage key ([`OPT_IN_KEY`]) that remembers the choice across
//! reloads. Before the switch is turned on neither exists, and turning it
//! off deletes both: nothing about the student is on the device unless
//! asked for. No JavaScript beyond the app's own wasm (the page's CSP is
//! `script-src 'self'`): IndexedDB is called through `web-sys`.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use icd_core::practice::Progress;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

/// The IndexedDB database, created on opt-in only.
pub const DB_NAME: &str = "icd-desk-practice";
/// Its one object store.
const STORE: &str = "progress";
/// The key of the one record.
const RECORD: &str = "progress";
/// The localStorage key that says the student opted in.
pub const OPT_IN_KEY: &str = "icd-desk.practice.keep-progress";

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether the student opted in on this device (the key is there).
pub fn opted_in() -> bool {
    local()
        .and_then(|s| s.get_item(OPT_IN_KEY).ok().flatten())
        .is_some()
}

/// Waits for an IndexedDB request: its result, or its error.
async fn wait(req: &IdbRequest) -> Result<JsValue, String> {
    let (tx, rx) = oneshot::channel::<Result<JsValue, String>>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let done = {
        let (tx, req) = (tx.clone(), req.clone());
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(t) = tx.borrow_mut().take() {
                let _ = t.send(req.result().map_err(js_error));
            }
        })
    };
    let failed = {
        let (tx, req) = (tx.clone(), req.clone());
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(t) = tx.borrow_mut().take() {
                let why = req
                    .error()
                    .ok()
                    .flatten()
                    .map(|e| e.message())
                    .unwrap_or_else(|| "the request failed".into());
                let _ = t.send(Err(why));
            }
        })
    };
    req.set_onsuccess(Some(done.as_ref().unchecked_ref()));
    req.set_onerror(Some(failed.as_ref().unchecked_ref()));
    let out = rx
        .await
        .unwrap_or_else(|_| Err("the request was dropped".into()));
    req.set_onsuccess(None);
    req.set_onerror(None);
    out
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser gives the page no IndexedDB (a private window may not): progress cannot be kept")?;
    let req: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, 1).map_err(js_error)?;
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
        let req = req.clone();
        move |_| {
            if let Some(db) = req
                .result()
                .ok()
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok())
            {
                if !db.object_store_names().contains(STORE) {
                    let _ = db.create_object_store(STORE);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = wait(&req).await;
    req.set_onupgradeneeded(None);
    db?.dyn_into::<IdbDatabase>().map_err(js_error)
}

/// The progress kept on the device; empty when nothing is kept yet. Only
/// called after the opt-in: opening creates the database.
pub async fn load() -> Result<Progress, String> {
    let db = open().await?;
    let tx = db.transaction_with_str(STORE).map_err(js_error)?;
    let store = tx.object_store(STORE).map_err(js_error)?;
    let got = wait(&store.get(&RECORD.into()).map_err(js_error)?).await?;
    db.close();
    match got.as_string() {
        None => Ok(Progress::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            format!(
                "the progress kept on this device cannot be read ({e}); Delete it to start again"
            )
        }),
    }
}

/// Keeps `progress` (opting in: the database and the key are created).
pub async fn save(progress: &Progress) -> Result<(), String> {
    let json = serde_json::to_string(progress).map_err(|e| e.to_string())?;
    if let Some(s) = local() {
        s.set_item(OPT_IN_KEY, "1").map_err(js_error)?;
    }
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(js_error)?;
    let store = tx.object_store(STORE).map_err(js_error)?;
    wait(
        &store
            .put_with_key(&json.into(), &RECORD.into())
            .map_err(js_error)?,
    )
    .await?;
    db.close();
    Ok(())
}

/// Deletes everything kept: the database and the opt-in key.
pub async fn delete() -> Result<(), String> {
    if let Some(s) = local() {
        s.remove_item(OPT_IN_KEY).map_err(js_error)?;
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser gives the page no IndexedDB")?;
    let req = factory.delete_database(DB_NAME).map_err(js_error)?;
    wait(&req).await.map(|_| ())
}

/// Offers `progress` as a JSON file to download (`icd-desk-progress.json`).
pub fn export(progress: &Progress) -> Result<(), String> {
    let json = serde_json::to_string_pretty(progress).map_err(|e| e.to_string())?;
    let parts = js_sys::Array::of1(&json.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    a.set_href(&url);
    a.set_download("icd-desk-progress.json");
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(js_error)
}
