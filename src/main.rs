//! ICD Desk in the browser: mounts the app on the page body.
//!
//! Trunk builds this binary for `wasm32-unknown-unknown`; everything it
//! shows lives in the `icd_desk` library so browser tests can render it.

fn main() {
    // The static "Starting…" notice in index.html has done its job.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    yew::Renderer::<icd_desk::app::App>::new().render();
}
