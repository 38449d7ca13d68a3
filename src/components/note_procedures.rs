//! A note's procedure statements with their ICD-10-PCS suggestions: each
//! statement's words, and the codes to choose from, each opening the code
//! builder (at the code, or before the axes the statement left open).

use icd_core::search::NoteProcedure;
use yew::prelude::*;

use crate::pages::pcs::hit_target;
use crate::route::pcs_href;

/// Props of [`NoteProcedures`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct NoteProceduresProps {
    /// The note's text: the statements' offsets point into it.
    pub text: AttrValue,
    /// The procedure statements, in note order.
    pub procedures: Vec<NoteProcedure>,
    /// Whether their suggestions are in (false: the PCS tables are still
    /// being fetched).
    pub coded: bool,
    /// Why they cannot be coded here, if the PCS tables cannot be loaded.
    #[prop_or_default]
    pub unavailable: Option<AttrValue>,
}

/// The procedures a note names, for ICD-10-PCS: never diagnosis codes.
#[function_component]
pub fn NoteProcedures(props: &NoteProceduresProps) -> Html {
    if props.procedures.is_empty() {
        return Html::default();
    }
    let status = match (&props.unavailable, props.coded) {
        (Some(why), _) => html! { <p class="error" role="alert">{ why.as_str() }</p> },
        (None, false) => {
            html! { <p class="hint" role="status">{ "Fetching the ICD-10-PCS tables to suggest procedure codes…" }</p> }
        }
        (None, true) => Html::default(),
    };
    let items = props.procedures.iter().enumerate().map(|(i, p)| {
        let words = props.text.get(p.start..p.end).unwrap_or(&p.text).to_string();
        let hits = p.hits.iter().map(|h| {
            let target = hit_target(h);
            html! {
                <li>
                    <a href={pcs_href(&target)} class="code">{ h.code.as_str() }</a>
                    { " " }<span class="title">{ &h.title }</span>
                    if !h.open.is_empty() {
                        { " " }<span class="badge badge-not-billable">{ "Axes to choose in the builder" }</span>
                    }
                </li>
            }
        });
        html! {
            <li class="note-procedure" data-testid={format!("note-procedure-{i}")}>
                <p><span class="evidence">{ format!("“{words}”") }</span>{ " in: " }<q>{ &p.text }</q></p>
                if props.coded && p.hits.is_empty() {
                    <p class="hint">{ "No ICD-10-PCS code found: open the code builder." }</p>
                } else {
                    <ol class="pcs-choices" aria-label={format!("ICD-10-PCS codes for {words}")}>{ for hits }</ol>
                }
            </li>
        }
    });
    html! {
        <section class="note-procedures" data-testid="note-procedures" aria-labelledby="note-procedures-h">
            <h2 id="note-procedures-h">{ format!("Procedures ({}): ICD-10-PCS codes to choose from", props.procedures.len()) }</h2>
            <p class="hint">{ "These statements name a procedure done in this encounter: they get no diagnosis code. The first suggestion is the search's best reading; confirm it in the builder." }</p>
            { status }
            <ul>{ for items }</ul>
        </section>
    }
}
