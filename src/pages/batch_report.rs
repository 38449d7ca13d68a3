//! The batch's report (`#/batch/report`): every figure with its work shown.

use yew::prelude::*;

/// The report page.
#[function_component]
pub fn ReportPage() -> Html {
    crate::pages::set_title("Batch report");
    html! { <section><h1>{ "Batch report" }</h1></section> }
}
