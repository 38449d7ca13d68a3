//! The progress panel of the practice page: the opt-in switch and, once it
//! is on, the points by kind and by chapter, the weak topics, and the
//! "drill my weak spots", export and delete buttons. Renders props and
//! emits callbacks; keeping the progress is [`super::practice_store`]'s.

use icd_core::practice::{Progress, Tally, MIN_ITEMS, WEAK_BELOW};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The panel's props.
#[derive(Debug, Properties, PartialEq)]
pub struct ProgressPanelProps {
    /// The progress kept, when the student opted in.
    pub progress: Option<Progress>,
    /// What went wrong keeping or reading it.
    #[prop_or_default]
    pub error: Option<String>,
    /// The switch turned on (true) or off (false: everything is deleted).
    pub on_keep: Callback<bool>,
    /// Start a set weighted to the weak topics.
    pub on_drill: Callback<()>,
    /// Download the progress as JSON.
    pub on_export: Callback<()>,
    /// Delete everything kept.
    pub on_delete: Callback<()>,
}

fn rate(t: &Tally) -> String {
    format!(
        "{} items, {} of {} points ({:.0}%)",
        t.items,
        t.earned,
        t.possible,
        t.rate() * 100.0
    )
}

/// The opt-in switch and the progress kept.
#[function_component]
pub fn ProgressPanel(props: &ProgressPanelProps) -> Html {
    let on_change = {
        let cb = props.on_keep.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                cb.emit(i.checked());
            }
        })
    };
    let kept = props.progress.as_ref();
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section class="practice-progress" aria-labelledby="practice-progress-title" data-testid="practice-progress">
            <h2 id="practice-progress-title">{ "Progress" }</h2>
            <label for="practice-keep" class="inline">
                <input type="checkbox" id="practice-keep" data-testid="practice-keep" checked={kept.is_some()} onchange={on_change} />
                { " Keep my progress on this device" }
            </label>
            <p class="hint">{ if kept.is_some() {
                "Your scores by kind and chapter are kept in this browser only (IndexedDB), never sent anywhere. Turning this off deletes them."
            } else {
                "Off: nothing about your answers is stored, on this device or anywhere else."
            } }</p>
            if let Some(err) = &props.error {
                <p class="err" role="alert" data-testid="practice-progress-error">{ err }</p>
            }
            if let Some(p) = kept {
                <p data-testid="practice-progress-items">{ format!("{} items answered.", p.items()) }</p>
                if !p.by_kind.is_empty() {
                    <h3>{ "By kind" }</h3>
                    <ul data-testid="practice-progress-kinds">
                        { for p.by_kind.iter().map(|(k, t)| html! { <li>{ format!("{}: {}", k.name().replace('_', " "), rate(t)) }</li> }) }
                    </ul>
                }
                if !p.by_chapter.is_empty() {
                    <h3>{ "By chapter" }</h3>
                    <ul data-testid="practice-progress-chapters">
                        { for p.by_chapter.iter().map(|(c, t)| html! { <li>{ format!("Chapter {c}: {}", rate(t)) }</li> }) }
                    </ul>
                }
                <h3>{ "Weak spots" }</h3>
                {{
                    let weak = p.weak();
                    if weak.is_empty() {
                        html! { <p class="hint" data-testid="practice-weak-none">{ format!("None yet: a kind in a chapter is weak after {MIN_ITEMS} or more items below {:.0}% of the points.", WEAK_BELOW * 100.0) }</p> }
                    } else {
                        html! {
                            <ul data-testid="practice-weak">
                                { for weak.iter().map(|w| html! {
                                    <li>{ format!("{}{}: {}", w.kind.name().replace('_', " "),
                                        w.chapter.map(|c| format!(" in chapter {c}")).unwrap_or_default(), rate(&w.tally)) }</li>
                                }) }
                            </ul>
                        }
                    }
                }}
                <p>
                    <button type="button" onclick={click(&props.on_drill)} disabled={p.weak().is_empty()} data-testid="practice-drill">{ "Drill my weak spots" }</button>
                    { " " }
                    <button type="button" onclick={click(&props.on_export)} data-testid="practice-export">{ "Export (JSON)" }</button>
                    { " " }
                    <button type="button" onclick={click(&props.on_delete)} data-testid="practice-delete">{ "Delete my progress" }</button>
                </p>
            }
        </section>
    }
}
