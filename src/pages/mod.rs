//! The routed views. Each asks the worker through the [`crate::desk::Desk`]
//! when its route or input changes, and renders the answer from the shared
//! state; the leaf components in [`crate::components`] only render props.

pub mod code;
pub mod index;
pub mod record;
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
