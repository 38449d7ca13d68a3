//! The page: header, code box, the report or message below it, footer.
//!
//! ```no_run
//! yew::Renderer::<icd_desk::app::App>::new().render();
//! ```

use yew::prelude::*;

use crate::components::{
    CodeInput, CodeView, Footer, LoadErrorView, LoadProgress, LookupErrorView,
};
use crate::hooks::{use_code_query, use_code_report, use_library, LibraryState, LookupOutcome};

/// The whole app.
#[function_component]
pub fn App() -> Html {
    let library = use_library();
    let query = use_code_query();
    let ready = match &*library {
        LibraryState::Ready(lib) => Some(lib.clone()),
        _ => None,
    };
    let outcome = use_code_report(ready.clone(), query.text.clone());
    let releases: Vec<(AttrValue, AttrValue)> = ready
        .as_ref()
        .map(|lib| {
            lib.0
                .releases()
                .into_iter()
                .map(|(set, release)| (AttrValue::from(set), AttrValue::from(release.to_string())))
                .collect()
        })
        .unwrap_or_default();

    let body = match (&*library, outcome.as_ref()) {
        (LibraryState::Loading { done, total, bytes }, _) => {
            html! { <LoadProgress done={*done} total={*total} bytes={*bytes} /> }
        }
        (LibraryState::Failed(error), _) => html! { <LoadErrorView error={error.clone()} /> },
        (LibraryState::Ready(_), None | Some(LookupOutcome::Empty)) => html! {
            <p class="hint">{ "Type a code such as E11.22, S52.521A or i10 — with or without the dot." }</p>
        },
        (LibraryState::Ready(_), Some(LookupOutcome::Invalid(e))) => html! {
            <LookupErrorView message={e.to_string()} on_select={query.on_go.clone()} />
        },
        (LibraryState::Ready(_), Some(LookupOutcome::Missing(e))) => html! {
            <LookupErrorView message={e.to_string()} error={e.clone()} on_select={query.on_go.clone()} />
        },
        (LibraryState::Ready(_), Some(LookupOutcome::Found(report))) => html! {
            <CodeView report={report.clone()} on_select={query.on_go.clone()} />
        },
    };

    html! {
        <>
            <header class="site-header">
                <h1>{ "ICD Desk" }</h1>
                <p class="tagline">{ "ICD-10-CM code lookup, on this device" }</p>
            </header>
            <main>
                <CodeInput value={query.text.clone()} on_input={query.on_type.clone()} />
                { body }
            </main>
            <Footer {releases} />
        </>
    }
}
