//! The ICD-10-PCS code builder (`#/pcs`, `#/pcs/0DT`, `#/pcs/0DTJ4ZZ`):
//! section, body system, root operation, body part, approach, device,
//! qualifier, one axis after the other. Each step offers only the values
//! some row of the Tables allows given the characters before it, with their
//! definitions and key entries ([`icd_core::pcs::builder`], answered by the
//! worker); a value that is the only one left is shown chosen and filled
//! in. The code so far is the URL, so it can be linked and back/forward
//! walk through the choices. A finished code shows its title, validity and
//! MCE flags, and is copied or added to the record check's procedures.
//!
//! Keyboard first: the step to choose is a listbox that has the focus;
//! ↑ ↓ (Home, End, or the value's character) move, Enter chooses,
//! Backspace goes back one axis.
//!
//! The procedure search's results ([`pcs_results`]) live here too, for the
//! search page's PCS switch.

use std::rc::Rc;

use icd_core::pcs::builder::Build;
use icd_core::pcs::report::PcsReport;
use icd_core::pcs::search::Hit;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::desk::{use_desk, RecordSeed};
use crate::protocol::{PcsBuildReply, Request, RequestKind};
use crate::route::{pcs_href, Route};

/// Props of [`PcsPage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct Props {
    /// The characters chosen so far, as in the URL (empty at `#/pcs`).
    #[prop_or_default]
    pub code: AttrValue,
}

/// The route of the builder at `prefix`.
pub fn route_of(prefix: &str) -> Route {
    if prefix.is_empty() {
        Route::Pcs
    } else {
        Route::PcsCode {
            code: prefix.to_string(),
        }
    }
}

/// The prefix one axis back from the builder's code: the values that were
/// the only ones left go with the last real choice before them
/// (`0DTJ4Z`, whose device had one value, goes back to `0DTJ`).
pub fn back_prefix(build: &Build) -> String {
    let mut n = build.code.len();
    while n > 0 && build.steps.get(n - 1).is_some_and(|s| s.only) {
        n -= 1;
    }
    n = n.saturating_sub(1);
    build.code.get(..n).unwrap_or("").to_string()
}

/// Where a procedure search result leads in the builder: the code itself
/// when the statement decided every axis, else the code up to the first
/// axis it left open, to be chosen there.
pub fn hit_target(hit: &Hit) -> String {
    let code = hit.code.as_str();
    match hit.open.iter().min() {
        Some(pos) => code
            .get(..(*pos as usize).saturating_sub(1))
            .unwrap_or(code)
            .to_string(),
        None => code.to_string(),
    }
}

/// The builder page: asks the worker for the builder at the URL's code.
#[function_component]
pub fn PcsPage(props: &Props) -> Html {
    let desk = use_desk();
    let navigator = use_navigator();
    let asked = props.code.to_string();
    let answer = desk.state.pcs_build.clone();
    // The answer to what the URL says, or one whose code it already is.
    let current = answer
        .as_ref()
        .is_some_and(|a| a.key == asked || a.value.build.code == asked);
    {
        let (desk, have) = (desk.clone(), current);
        use_effect_with(asked.clone(), move |prefix| {
            if !have {
                let prefix = prefix.clone();
                desk.ask(RequestKind::PcsBuild, prefix.clone(), |id| {
                    Request::PcsBuild { id, prefix }
                });
            }
        });
    }
    {
        // Values filled in (or lower case made upper): the URL follows,
        // replacing the entry, so Back goes to the choice before.
        let navigator = navigator.clone();
        let target = answer
            .as_ref()
            .filter(|a| a.key == asked && a.value.build.invalid.is_none())
            .map(|a| a.value.build.code.clone())
            .filter(|code| *code != asked);
        use_effect_with(target, move |target| {
            if let (Some(code), Some(nav)) = (target, navigator) {
                nav.replace(&route_of(code));
            }
        });
    }
    let on_choose = {
        let navigator = navigator.clone();
        Callback::from(move |prefix: String| {
            if let Some(nav) = &navigator {
                nav.push(&route_of(&prefix));
            }
        })
    };
    let on_add = {
        let (desk, navigator) = (desk.clone(), navigator.clone());
        Callback::from(move |code: String| {
            desk.seed_record(Some(RecordSeed {
                procedures: vec![code],
                ..RecordSeed::default()
            }));
            if let Some(nav) = &navigator {
                nav.push(&Route::Record);
            }
        })
    };
    crate::pages::set_title(&if asked.is_empty() {
        "ICD-10-PCS code builder".to_string()
    } else {
        format!("{asked} – ICD-10-PCS code builder")
    });
    let missing = desk
        .state
        .unavailable
        .as_ref()
        .filter(|u| u.key == asked)
        .map(|u| u.value.clone());
    let body = match (answer, missing) {
        (_, Some(why)) if !current => html! {
            <p class="error" role="alert" data-testid="pcs-unavailable">{ why.as_str() }</p>
        },
        (Some(a), _) => html! {
            <PcsBuilder reply={a.value.clone()} stale={!current} {on_choose} {on_add} />
        },
        (None, _) => crate::pages::waiting(),
    };
    html! {
        <section class="pcs-page">
            <h1>{ "ICD-10-PCS code builder" }</h1>
            <p class="hint" id="pcs-help">
                { "Choose one value per axis: only values that some row of the FY2026 Tables allows after the characters before it are offered. ↑ ↓ move, Enter chooses, Backspace goes back one axis; a value that is the only one left is filled in." }
            </p>
            { body }
        </section>
    }
}

/// Props of [`PcsBuilder`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct PcsBuilderProps {
    /// The worker's answer.
    pub reply: Rc<PcsBuildReply>,
    /// A newer answer is on its way.
    #[prop_or_default]
    pub stale: bool,
    /// A new prefix: a value chosen, one axis back, a code typed.
    pub on_choose: Callback<String>,
    /// Add the finished code to the record check's procedures.
    pub on_add: Callback<String>,
}

/// The steps of the builder and, for a finished code, its report.
#[function_component]
pub fn PcsBuilder(props: &PcsBuilderProps) -> Html {
    let b = &props.reply.build;
    let code = b.code.clone();
    let open_at = b.code.len();
    let offers = b
        .steps
        .get(open_at)
        .filter(|_| open_at < 7)
        .map(|s| s.offers.clone())
        .unwrap_or_default();
    let active = use_state(|| 0usize);
    let list_ref = use_node_ref();
    {
        // Another code: start at the first value, and keep the focus on
        // the step to choose.
        let (active, list_ref) = (active.clone(), list_ref.clone());
        use_effect_with(code.clone(), move |_| {
            active.set(0);
            // A finished code has no step left: its Copy button takes the
            // focus, so Backspace still goes back.
            let el = list_ref.cast::<web_sys::HtmlElement>().or_else(|| {
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("pcs-copy"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            });
            if let Some(el) = el {
                let _ = el.focus();
            }
        });
    }
    {
        // The active value stays in view.
        use_effect_with((*active, code.clone()), move |(i, _)| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("pcs-opt-{i}")))
            {
                el.scroll_into_view_with_bool(false);
            }
        });
    }
    let back = back_prefix(b);
    let choose = {
        let (on_choose, code) = (props.on_choose.clone(), code.clone());
        move |ch: char| {
            let mut next = code.clone();
            next.push(ch);
            on_choose.emit(next);
        }
    };
    let onkeydown_list = {
        let (active, offers, choose) = (active.clone(), offers.clone(), choose.clone());
        Callback::from(move |e: KeyboardEvent| {
            let n = offers.len();
            if n == 0 {
                return;
            }
            let key = e.key();
            let to = match key.as_str() {
                "ArrowDown" => Some((*active + 1).min(n - 1)),
                "ArrowUp" => Some(active.saturating_sub(1)),
                "Home" => Some(0),
                "End" => Some(n - 1),
                "Enter" | " " => {
                    e.prevent_default();
                    if let Some(o) = offers.get(*active) {
                        choose(o.ch);
                    }
                    return;
                }
                k if k.chars().count() == 1 && !e.ctrl_key() && !e.meta_key() && !e.alt_key() => {
                    let c = k.chars().next().unwrap_or(' ').to_ascii_uppercase();
                    offers.iter().position(|o| o.ch == c)
                }
                _ => None,
            };
            if let Some(i) = to {
                e.prevent_default();
                active.set(i);
            }
        })
    };
    // Backspace anywhere in the builder but a text box: one axis back.
    let onkeydown = {
        let (on_choose, back, code) = (props.on_choose.clone(), back.clone(), code.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Backspace" || code.is_empty() {
                return;
            }
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if !typing {
                e.prevent_default();
                on_choose.emit(back.clone());
            }
        })
    };
    let on_typed = {
        let on_choose = props.on_choose.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                on_choose.emit(i.value().trim().to_string());
            }
        })
    };
    let shown: String = (0..7)
        .map(|i| code.as_bytes().get(i).map(|c| *c as char).unwrap_or('_'))
        .collect();
    let steps = b.steps.iter().map(|s| {
        let i = s.pos as usize - 1;
        if i < open_at {
            let ch = s.chosen.unwrap_or('?');
            let label = s
                .offers
                .iter()
                .find(|o| o.ch == ch)
                .map(|o| o.label.clone())
                .unwrap_or_default();
            let change = code.get(..i).unwrap_or("").to_string();
            html! {
                <li class="pcs-step chosen" data-testid={format!("pcs-step-{}", s.pos)}>
                    <span class="axis">{ &s.title }</span>
                    <span class="ch">{ ch }</span>
                    <span class="label">{ label }</span>
                    if s.only {
                        <span class="hint">{ " (the only value)" }</span>
                    } else {
                        { " " }
                        <a href={pcs_href(&change)} aria-label={format!("Change the {} ({ch})", s.title.to_lowercase())}>{ "Change" }</a>
                    }
                </li>
            }
        } else if i == open_at {
            let activedescendant = (!offers.is_empty()).then(|| format!("pcs-opt-{}", *active));
            html! {
                <li class="pcs-step current" data-testid={format!("pcs-step-{}", s.pos)}>
                    <h2 id="pcs-current-label" class="axis">{ format!("{} {}: choose one of {}", s.pos, s.title, s.offers.len()) }</h2>
                    <ul role="listbox" id="pcs-current" ref={list_ref.clone()} tabindex="0" data-testid="pcs-current"
                        aria-labelledby="pcs-current-label" aria-describedby="pcs-help"
                        aria-activedescendant={activedescendant} onkeydown={onkeydown_list.clone()}>
                        { for s.offers.iter().enumerate().map(|(k, o)| {
                            let onclick = {
                                let (choose, ch) = (choose.clone(), o.ch);
                                Callback::from(move |_: MouseEvent| choose(ch))
                            };
                            let selected = k == *active;
                            html! {
                                <li role="option" id={format!("pcs-opt-{k}")} data-ch={o.ch.to_string()}
                                    aria-selected={selected.to_string()}
                                    class={classes!("pcs-offer", selected.then_some("selected"))} {onclick}>
                                    <span class="ch">{ o.ch }</span>
                                    <span class="label">{ &o.label }</span>
                                    if !o.definition.is_empty() {
                                        <span class="definition">{ &o.definition }</span>
                                    }
                                    if !o.includes.is_empty() {
                                        <span class="includes">{ "Includes: " }{ o.includes.join("; ") }</span>
                                    }
                                </li>
                            }
                        }) }
                    </ul>
                </li>
            }
        } else {
            let values = s
                .offers
                .iter()
                .map(|o| format!("{} {}", o.ch, o.label))
                .collect::<Vec<_>>()
                .join(" · ");
            html! {
                <li class="pcs-step later" data-testid={format!("pcs-step-{}", s.pos)}>
                    <span class="axis">{ &s.title }</span>
                    if s.only {
                        <span class="ch">{ s.offers[0].ch }</span>
                        <span class="label">{ &s.offers[0].label }</span>
                        <span class="hint">{ " (the only value left)" }</span>
                    } else if s.offers.is_empty() {
                        <span class="hint">{ "after the steps above" }</span>
                    } else {
                        <span class="hint">{ format!("still possible: {values}") }</span>
                    }
                </li>
            }
        }
    });
    let invalid = b.invalid.as_ref().map(|e| {
        let mce_only = props.reply.report.as_ref().is_some_and(|r| !r.in_tables);
        html! {
            <p class={if mce_only { "notice" } else { "error" }} role={(!mce_only).then_some("alert")} data-testid="pcs-invalid">
                { e.to_string() }{ "." }
            </p>
        }
    });
    let result = props.reply.report.as_ref().map(|r| {
        html! { <PcsResult report={Rc::new(r.clone())} stale={props.stale} on_add={props.on_add.clone()} /> }
    });
    html! {
        <div class={classes!("pcs-builder", props.stale.then_some("stale"))} aria-busy={props.stale.to_string()} {onkeydown}>
            <div class="pcs-code-row">
                <label for="pcs-code-input">{ "Code" }</label>
                <input id="pcs-code-input" class="pcs-code-input" type="text" autocomplete="off" spellcheck="false"
                    maxlength="7" value={b.asked.clone()} onchange={on_typed} data-testid="pcs-code-input" />
                <output class="pcs-code" data-testid="pcs-code" aria-label={format!("Code so far: {}", if code.is_empty() { "none" } else { code.as_str() })}>
                    { for shown.chars().enumerate().map(|(i, c)| html! {
                        <span class={classes!("pcs-char", (i >= open_at).then_some("open"))}>{ c }</span>
                    }) }
                </output>
                if !code.is_empty() {
                    <a href={pcs_href(&back)} class="pcs-back">{ "One axis back" }</a>
                }
            </div>
            { for invalid }
            <ol class="pcs-steps">{ for steps }</ol>
            { for result }
        </div>
    }
}

/// Props of [`PcsResult`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct PcsResultProps {
    /// The finished code's report.
    pub report: Rc<PcsReport>,
    /// The URL already asks for another code: adding this one would add
    /// the wrong code, so Add waits for the new answer.
    #[prop_or_default]
    pub stale: bool,
    /// Add it to the record check's procedures.
    pub on_add: Callback<String>,
}

/// A finished code: title, validity, flags, definitions and keys; copy it
/// or add it to the record check.
#[function_component]
pub fn PcsResult(props: &PcsResultProps) -> Html {
    let r = &props.report;
    let code = r.code.as_str().to_string();
    let copied = use_state(|| None::<String>);
    let copy = {
        let (code, copied) = (code.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                // A refusal (no permission) leaves the code shown to copy by hand.
                let _ = w.navigator().clipboard().write_text(&code);
            }
            copied.set(Some(code.clone()));
        })
    };
    let add = {
        let (code, on_add) = (code.clone(), props.on_add.clone());
        Callback::from(move |_: MouseEvent| on_add.emit(code.clone()))
    };
    let copied = (*copied)
        .clone()
        .filter(|c| *c == code)
        .map(|c| format!("Copied {c}."))
        .unwrap_or_default();
    let periods: Vec<String> = r
        .validity_periods
        .iter()
        .map(|p| match p.end {
            Some(end) => format!("{} to {end}", p.start),
            None => format!("since {}", p.start),
        })
        .collect();
    let flags: Vec<&str> = r
        .mce_flags
        .iter()
        .map(|f| crate::components::code_view::flag_text(f))
        .collect();
    let key = |what: &str, k: &icd_core::pcs::KeyReport| {
        html! {
            <li><span class="axis">{ format!("{what} ({})", k.titles.join(" / ")) }</span>{ ": includes " }{ k.includes.join("; ") }</li>
        }
    };
    html! {
        <section class="pcs-result" data-testid="pcs-result">
            <h2>
                <span class="code" data-testid="pcs-result-code">{ &code }</span>{ " " }
                <span class="title" data-testid="pcs-title">{ r.title.clone().unwrap_or_else(|| "No title: no row of the Tables has this code".into()) }</span>
            </h2>
            if !r.in_tables {
                <p class="notice" data-testid="pcs-mce-only">
                    { "Valid without a row: " }{ r.note.clone().unwrap_or_default() }{ "." }
                </p>
            }
            <p class="validity" data-testid="pcs-validity">
                if periods.is_empty() {
                    { "Not listed by the Medicare Code Editor: not valid for reporting." }
                } else {
                    { "Valid (Medicare Code Editor): " }{ periods.join(", ") }
                }
            </p>
            <p class="flags" data-testid="pcs-flags">
                { "MCE procedure flags: " }
                { if flags.is_empty() { "none".to_string() } else { flags.join("; ") } }
            </p>
            <ul class="pcs-notes">
                { for r.operation.iter().map(|k| html! {
                    <li><span class="axis">{ format!("Root operation {}", k.titles.join(", ")) }</span>{ ": " }{ &k.definition }
                        if !k.explanation.is_empty() { { " " }{ &k.explanation } }
                        if !k.includes.is_empty() { { " Includes: " }{ k.includes.join("; ") } }
                    </li>
                }) }
                { for r.approach.iter().map(|k| html! {
                    <li><span class="axis">{ format!("Approach {}", k.titles.join(", ")) }</span>{ ": " }{ &k.definition }</li>
                }) }
                { for r.body_part_key.iter().map(|k| key("Body part key", k)) }
                { for r.device_key.iter().map(|k| key(&format!("{} key", k.axis_title), k)) }
                { for r.device_aggregation.iter().map(|a| html! {
                    <li><span class="axis">{ "Device aggregation" }</span>{ format!(": {} ({}) is coded {} {} in {}", a.device, a.operation, a.parent_ch, a.parent, a.body_systems.join(", ")) }</li>
                }) }
            </ul>
            <p class="pcs-actions">
                <button type="button" id="pcs-copy" onclick={copy} data-testid="pcs-copy">{ format!("Copy {code}") }</button>
                { " " }
                <button type="button" onclick={add} disabled={props.stale} data-testid="pcs-add">{ "Add to the record check" }</button>
                <span id="pcs-copied" class="copied" role="status">{ copied }</span>
            </p>
        </section>
    }
}

/// The procedure search's results as a listbox: each code with its title
/// and the axes the statement left open; `selected` is the option the
/// arrow keys are on; each option leads to [`hit_target`] in the builder.
pub fn pcs_results(
    hits: &[Hit],
    selected: Option<usize>,
    stale: bool,
    open: &Callback<String>,
) -> Html {
    if hits.is_empty() {
        return html! {
            <p class="hint">{ "No procedure code: name the operation (\"resection\", \"-ectomy\"), the body part and the approach, or open the code builder." }</p>
        };
    }
    html! {
        <div class={classes!("results", stale.then_some("stale"))}>
            <ul role="listbox" aria-label="Procedure codes">
                { for hits.iter().enumerate().map(|(i, h)| {
                    let target = hit_target(h);
                    let onclick = {
                        let (open, target) = (open.clone(), target.clone());
                        Callback::from(move |e: MouseEvent| {
                            e.prevent_default();
                            open.emit(target.clone());
                        })
                    };
                    let open = open_axes(h);
                    html! {
                        <li id={format!("result-{i}")} role="option" aria-selected={(selected == Some(i)).to_string()}
                            tabindex={crate::pages::search::tab_stop(selected, i)}
                            class={classes!("result", (selected == Some(i)).then_some("selected"))} {onclick}
                            data-target={target.clone()}>
                            <div class="result-head">
                                <span class="code">{ h.code.as_str() }</span>
                                <span class="title">{ &h.title }</span>
                                if !h.open.is_empty() {
                                    <span class="badge badge-not-billable">{ format!("Choose {open}") }</span>
                                }
                            </div>
                            if !h.via.is_empty() {
                                <p class="via"><span class="via-kind">{ "Index: " }</span>{ h.via.join("; ") }</p>
                            }
                            if !h.open.is_empty() {
                                <p class="summary">{ format!("The statement does not say the {open}: the code shows the plainest value; Enter opens the builder at {target} to choose.") }</p>
                            }
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

/// "approach, device" for the axes a hit left open (Medical and Surgical
/// names; other sections name their axes otherwise, so "axis 6").
fn open_axes(h: &Hit) -> String {
    let surgical = h.code.as_str().starts_with('0');
    h.open
        .iter()
        .map(|p| match (surgical, p) {
            (true, 4) => "body part".to_string(),
            (true, 5) => "approach".to_string(),
            (true, 6) => "device".to_string(),
            (true, 7) => "qualifier".to_string(),
            (_, p) => format!("axis {p}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
