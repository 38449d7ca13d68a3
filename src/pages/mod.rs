//! The routed views. Each asks the worker through the [`crate::desk::Desk`]
//! when its route or input changes, and renders the answer from the shared
//! state; the leaf components in [`crate::components`] only render props.

pub mod batch;
pub mod batch_report;
pub mod code;
pub mod index;
pub mod pcs;
pub mod practice;
pub mod practice_progress;
pub mod practice_session;
pub mod practice_store;
pub mod record;
pub mod rules;
pub mod search;
pub mod table;
pub mod validate;

use yew::prelude::*;

use crate::protocol::Tree;
use crate::route::Route;

/// The view for a route.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Search => html! { <search::SearchPage /> },
        Route::Code { code } => html! { <code::CodePage {code} /> },
        Route::Index => html! { <index::Letters tree={Tree::Index} /> },
        Route::Eindex => html! { <index::Letters tree={Tree::Eindex} /> },
        Route::Letter { letter } => html! { <index::LetterPage tree={Tree::Index} {letter} /> },
        Route::Term { tree, id } => match Tree::from_slug(&tree) {
            Some(tree) => html! { <index::TermPage {tree} {id} /> },
            None => not_found(),
        },
        Route::Table { tree } => match Tree::from_slug(&tree) {
            Some(tree @ (Tree::Neoplasm | Tree::Drug)) => html! { <table::TablePage {tree} /> },
            _ => not_found(),
        },
        Route::Validate => html! { <validate::ValidatePage /> },
        Route::Record => html! { <record::RecordPage /> },
        Route::Rules => rules::view(None),
        Route::Rule { id } => rules::view(Some(id)),
        Route::Practice => html! { <practice::PracticePage /> },
        Route::Pcs => html! { <pcs::PcsPage /> },
        Route::PcsCode { code } => html! { <pcs::PcsPage code={code} /> },
        Route::Batch => html! { <batch::BatchPage /> },
        Route::BatchReport => html! { <batch_report::ReportPage /> },
        Route::NotFound => not_found(),
    }
}

fn not_found() -> Html {
    set_title("Page not found");
    html! {
        <section>
            <h1>{ "Page not found" }</h1>
            <p>{ "This link does not name a view of ICD Desk. Use the menu above, or " }
               <a href="#/">{ "start a search" }</a>{ "." }</p>
        </section>
    }
}

/// A "Loading…" line for a view whose answer has not come yet.
pub fn waiting() -> Html {
    html! { <p class="hint" role="status">{ "Looking it up…" }</p> }
}

/// Sets the document title (`E11.22 – ICD Desk`).
pub fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(&if title.is_empty() {
            "ICD Desk".to_string()
        } else {
            format!("{title} – ICD Desk")
        });
    }
}

/// Listens on the window for `/` pressed outside a text field and calls
/// `then`. Not passive: the `/` must not also be typed where focus lands.
pub fn on_slash(then: impl Fn() + 'static) -> Option<gloo_events::EventListener> {
    use wasm_bindgen::JsCast;
    let w = web_sys::window()?;
    let options = gloo_events::EventListenerOptions::enable_prevent_default();
    Some(gloo_events::EventListener::new_with_options(
        &w,
        "keydown",
        options,
        move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if e.key() != "/" || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let typing = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|a| {
                    matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        || a.get_attribute("contenteditable").is_some()
                });
            if !typing {
                e.prevent_default();
                then();
            }
        },
    ))
}
