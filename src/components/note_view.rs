//! A note as read: its text with every evidence span highlighted, and the
//! codes to assign, each with its evidence, confidence, assumptions and the
//! coder's verdict. A code links to its spans in the text and each span
//! links back to its codes (and to their views).
//!
//! The note is only rendered here: verdicts and chosen alternatives are
//! props, and changes go out through callbacks.

use std::collections::BTreeMap;
use std::rc::Rc;

use icd_core::search::NoteCode;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::desk::{Decision, NoteAnswer};
use crate::route::code_href;

/// Props of [`NoteView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct NoteViewProps {
    /// The note and its reading.
    pub answer: Rc<NoteAnswer>,
    /// The reading answers older text (a newer one is on its way).
    #[prop_or_default]
    pub stale: bool,
    /// Verdicts by the code as read.
    pub decisions: BTreeMap<String, Decision>,
    /// Alternatives chosen instead of an assumed 7th character.
    pub chosen: BTreeMap<String, String>,
    /// A verdict given (`None`: undecided again).
    pub on_decide: Callback<(String, Option<Decision>)>,
    /// An alternative chosen for a code (`None`: back to the code as read).
    pub on_choose: Callback<(String, Option<String>)>,
    /// "Send to record check" with the accepted codes, in list order.
    pub on_send: Callback<Vec<String>>,
}

/// A run of the note's text that is evidence for one or more codes.
#[derive(Debug, Clone, PartialEq)]
struct Span {
    start: usize,
    end: usize,
    /// Indices into the reading's codes.
    codes: Vec<usize>,
}

/// The evidence spans of all codes, overlapping ones merged, in text order.
/// Spans that do not fall on the text's character boundaries are left out.
fn spans(text: &str, codes: &[NoteCode]) -> Vec<Span> {
    let mut all: Vec<(usize, usize, usize)> = codes
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.evidence.iter().map(move |e| (e.start, e.end, i)))
        .filter(|(s, e, _)| s < e && text.get(*s..*e).is_some())
        .collect();
    all.sort_unstable();
    let mut out: Vec<Span> = Vec::new();
    for (start, end, code) in all {
        match out.last_mut() {
            Some(last) if start < last.end => {
                last.end = last.end.max(end);
                if !last.codes.contains(&code) {
                    last.codes.push(code);
                }
            }
            _ => out.push(Span {
                start,
                end,
                codes: vec![code],
            }),
        }
    }
    out
}

/// The id of the span holding byte `at`, if any.
fn span_at(spans: &[Span], at: usize) -> Option<usize> {
    spans.iter().position(|s| s.start <= at && at < s.end)
}

fn span_id(i: usize) -> String {
    format!("evidence-{i}")
}

fn code_id(i: usize) -> String {
    format!("note-code-{i}")
}

/// Moves the focus to an element of the page (scrolling it into view).
fn focus_id(id: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
        el.scroll_into_view_with_bool(false);
    }
}

/// The codes of a note in the order shown, with each code's displayed form
/// (the chosen alternative if any) and verdict.
fn shown(
    codes: &[NoteCode],
    chosen: &BTreeMap<String, String>,
    decisions: &BTreeMap<String, Decision>,
) -> Vec<(String, Option<Decision>)> {
    codes
        .iter()
        .map(|c| {
            let code = chosen.get(&c.code).unwrap_or(&c.code).clone();
            (code, decisions.get(&c.code).copied())
        })
        .collect()
}

/// The accepted codes, one per line, as the clipboard gets them.
pub fn accepted_text(codes: &[String]) -> String {
    codes.join("\n")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The note and its codes.
#[function_component]
pub fn NoteView(props: &NoteViewProps) -> Html {
    let copied = use_state(|| None::<String>);
    let a = &props.answer;
    let text = a.text.as_str();
    let codes = &a.reading.codes;
    let spans = spans(text, codes);
    let shown = shown(codes, &props.chosen, &props.decisions);
    let accepted: Vec<String> = shown
        .iter()
        .filter(|(_, d)| *d == Some(Decision::Accepted))
        .map(|(c, _)| c.clone())
        .collect();
    let rejected = shown
        .iter()
        .filter(|(_, d)| *d == Some(Decision::Rejected))
        .count();
    let undecided = shown.len() - accepted.len() - rejected;

    // The note's text, each span a <mark> holding a button back to its code.
    let mut pieces: Vec<Html> = Vec::new();
    let mut at = 0;
    for (si, s) in spans.iter().enumerate() {
        if s.start > at {
            pieces.push(html! { { &text[at..s.start] } });
        }
        let first = s.codes[0];
        let names: Vec<&str> = s.codes.iter().map(|&i| shown[i].0.as_str()).collect();
        let onclick = Callback::from(move |_: MouseEvent| focus_id(&code_id(first)));
        let all_rejected = s
            .codes
            .iter()
            .all(|&i| shown[i].1 == Some(Decision::Rejected));
        pieces.push(html! {
            <>
                <mark class={classes!("evidence", all_rejected.then_some("rejected"))} data-testid="evidence-span" data-codes={names.join(" ")}>
                    <button type="button" id={span_id(si)} class="span-link" {onclick}
                        title={format!("Evidence for {}: go to the code", names.join(", "))}>{ &text[s.start..s.end] }</button>
                </mark>
                <sup class="span-codes">
                    { for s.codes.iter().map(|&i| html! {
                        <a href={code_href(&shown[i].0)} class="code">{ &shown[i].0 }</a>
                    }) }
                </sup>
            </>
        });
        at = s.end;
    }
    if at < text.len() {
        pieces.push(html! { { &text[at..] } });
    }

    let items = codes.iter().enumerate().map(|(i, c)| {
        let (code, decision) = shown[i].clone();
        let decide = |d: Decision| {
            let (on_decide, key) = (props.on_decide.clone(), c.code.clone());
            let next = (decision != Some(d)).then_some(d);
            Callback::from(move |_: MouseEvent| on_decide.emit((key.clone(), next)))
        };
        let evidence = c.evidence.iter().filter_map(|e| {
            let words = text.get(e.start..e.end)?;
            let span = span_at(&spans, e.start)?;
            let onclick = Callback::from(move |_: MouseEvent| focus_id(&span_id(span)));
            Some(html! {
                <li>
                    <button type="button" class="evidence-link" data-testid="evidence-link" {onclick}
                        title="Show these words in the note">{ format!("“{words}”") }</button>
                    if !e.path.is_empty() {
                        <span class="via">{ " matched " }{ &e.path }</span>
                    }
                </li>
            })
        });
        let assumed = c.assumed.as_ref().map(|why| {
            let choose = |alt: Option<String>| {
                let (on_choose, key) = (props.on_choose.clone(), c.code.clone());
                Callback::from(move |_: MouseEvent| on_choose.emit((key.clone(), alt.clone())))
            };
            html! {
                <details class="assumed" data-testid="assumed">
                    <summary><span class="badge badge-assumed">{ "Assumed" }</span>{ " " }{ why }</summary>
                    <p>{ "Another 7th character:" }</p>
                    <ul class="alternatives-list">
                        if code != c.code {
                            <li><button type="button" class="secondary" onclick={choose(None)}>{ format!("Back to {}", c.code) }</button></li>
                        }
                        { for c.choices.iter().filter(|alt| **alt != code).map(|alt| html! {
                            <li><button type="button" class="secondary" onclick={choose(Some(alt.clone()))}>{ format!("Use {alt}") }</button></li>
                        }) }
                    </ul>
                </details>
            }
        });
        let state_class = match decision {
            Some(Decision::Accepted) => Some("accepted"),
            Some(Decision::Rejected) => Some("rejected"),
            None => None,
        };
        html! {
            <li id={code_id(i)} tabindex="-1" class={classes!("note-code", state_class)}
                data-testid="note-code" data-code={code.clone()}>
                <div class="result-head">
                    <a class="code" href={code_href(&code)} data-testid="note-code-link">{ &code }</a>
                    <span class="title">{ &c.title }</span>
                    <span class="confidence" title="How sure the reading is">{ format!("confidence {:.0}%", c.confidence * 100.0) }</span>
                    if c.uncertain {
                        <span class="badge badge-uncertain" title="An uncertain diagnosis, coded as if established (inpatient)">{ "Uncertain" }</span>
                    }
                    { match decision {
                        Some(Decision::Accepted) => html! { <span class="badge badge-billable">{ "Accepted" }</span> },
                        Some(Decision::Rejected) => html! { <span class="badge badge-not-billable">{ "Rejected" }</span> },
                        None => Html::default(),
                    } }
                </div>
                if code != c.code {
                    <p class="hint">{ format!("Chosen instead of {} (whose title is shown).", c.code) }</p>
                }
                <ul class="evidence-list" aria-label={format!("Evidence for {code}")}>{ for evidence }</ul>
                { for assumed }
                <div class="decision" role="group" aria-label={format!("Verdict on {code}")}>
                    <button type="button" class="secondary" data-testid="accept" aria-label={format!("Accept {code}")}
                        aria-pressed={(decision == Some(Decision::Accepted)).to_string()} onclick={decide(Decision::Accepted)}>{ "Accept" }</button>
                    <button type="button" class="secondary" data-testid="reject" aria-label={format!("Reject {code}")}
                        aria-pressed={(decision == Some(Decision::Rejected)).to_string()} onclick={decide(Decision::Rejected)}>{ "Reject" }</button>
                </div>
            </li>
        }
    });

    let copy = {
        let (copied, accepted) = (copied.clone(), accepted.clone());
        Callback::from(move |_: MouseEvent| {
            let text = accepted_text(&accepted);
            if let Some(w) = web_sys::window() {
                // A refusal (no permission) leaves the codes shown to copy by hand.
                let _ = w.navigator().clipboard().write_text(&text);
            }
            copied.set(Some(format!(
                "Copied {}: {}.",
                plural(accepted.len(), "code", "codes"),
                accepted.join(", ")
            )));
        })
    };
    let send = {
        let (on_send, accepted) = (props.on_send.clone(), accepted.clone());
        Callback::from(move |_: MouseEvent| on_send.emit(accepted.clone()))
    };
    let none = accepted.is_empty();
    html! {
        <div class={classes!("note-view", props.stale.then_some("stale"))} data-testid="note-view">
            <section class="note-codes" aria-labelledby="note-codes-heading">
                <h2 id="note-codes-heading">{ "Codes to assign" }</h2>
                if codes.is_empty() {
                    <p class="hint">{ "Nothing codable: no statement of this note names a diagnosis the engine is sure of. The statements and their alternatives are below." }</p>
                } else {
                    <p role="status" data-testid="note-counts">
                        { format!("{}: {} accepted, {} rejected, {} undecided.", plural(codes.len(), "code", "codes"), accepted.len(), rejected, undecided) }
                    </p>
                    <ol class="note-code-list" data-testid="note-codes">{ for items }</ol>
                    <div class="buttons">
                        <button type="button" data-testid="copy-accepted" disabled={none} onclick={copy}>{ "Copy accepted codes" }</button>
                        <button type="button" data-testid="send-to-record" disabled={none} onclick={send}>{ "Send to record check" }</button>
                    </div>
                    if none {
                        <p class="hint">{ "Accept codes to copy them or send them to the record check (the first becomes the principal diagnosis)." }</p>
                    }
                    if let Some(m) = &*copied {
                        <p role="status" data-testid="copied">{ m }</p>
                    }
                }
            </section>
            <section class="note-text-section" aria-labelledby="note-text-heading">
                <h2 id="note-text-heading">{ "The note" }</h2>
                <p class="note-text" data-testid="note-text">{ for pieces }</p>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icd_core::search::Evidence;

    fn code(code: &str, spans: &[(usize, usize)]) -> NoteCode {
        NoteCode {
            code: code.into(),
            title: String::new(),
            confidence: 0.9,
            evidence: spans
                .iter()
                .map(|&(start, end)| Evidence {
                    start,
                    end,
                    statement: 0,
                    path: String::new(),
                })
                .collect(),
            assumed: None,
            choices: vec![],
            uncertain: false,
        }
    }

    #[test]
    fn overlapping_spans_merge_and_bad_offsets_are_dropped() {
        let text = "type 2 diabetes on insulin";
        let codes = [
            code("E11.9", &[(0, 15)]),
            code("Z79.4", &[(19, 26), (0, 6)]),
            code("X", &[(3, 99)]),
        ];
        assert_eq!(
            spans(text, &codes),
            [
                Span {
                    start: 0,
                    end: 15,
                    codes: vec![1, 0]
                },
                Span {
                    start: 19,
                    end: 26,
                    codes: vec![1]
                },
            ]
        );
    }
}
