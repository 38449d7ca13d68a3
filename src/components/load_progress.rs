//! The indicator shown while the artifacts are fetched.

use yew::prelude::*;

/// Props of [`LoadProgress`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LoadProgressProps {
    /// Files fetched.
    pub done: usize,
    /// Files to fetch.
    pub total: usize,
    /// Bytes fetched so far.
    pub bytes: u64,
}

/// "Loading ICD-10-CM data…" with a progress bar.
#[function_component]
pub fn LoadProgress(props: &LoadProgressProps) -> Html {
    let mb = props.bytes as f64 / 1_000_000.0;
    html! {
        <section class="loading" role="status" aria-live="polite" data-testid="loading">
            <p>{ "Loading ICD-10-CM data…" }</p>
            <progress max={props.total.to_string()} value={props.done.to_string()}></progress>
            <p class="hint">{ format!("{} of {} files, {mb:.1} MB", props.done, props.total) }</p>
        </section>
    }
}
