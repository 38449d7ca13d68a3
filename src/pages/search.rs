//! Search (home): one box, results as you type. Keyboard first: `/`
//! focuses the box, arrows move through the results, Enter opens one. A
//! pasted note (several lines) switches to one result list per statement.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use icd_core::search::{Setting, StatementResult, Suggestion, Via};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::desk::{use_desk, SearchAnswer};
use crate::protocol::{Request, RequestKind};
use crate::route::{Route, SearchQuery};

/// Milliseconds of quiet typing before a search is sent.
const DEBOUNCE_MS: u32 = 60;

/// The search page.
#[function_component]
pub fn SearchPage() -> Html {
    let desk = use_desk();
    let navigator = use_navigator();
    let location = use_location();
    let initial = location
        .and_then(|l| l.query::<SearchQuery>().ok())
        .map(|q| q.q)
        .unwrap_or_default();
    let text = use_state(|| initial.clone());
    let setting = use_state(|| Setting::Inpatient);
    let selected = use_state(|| None::<usize>);
    let timer = use_mut_ref(|| None::<Timeout>);
    let input_ref = use_node_ref();
    let multiline = text.contains('\n');

    // Sends the search for `q` after a pause; the URL follows the box.
    let send = {
        let desk = desk.clone();
        let navigator = navigator.clone();
        let timer = timer.clone();
        let setting = *setting;
        Rc::new(move |q: String, delay: u32| {
            let desk = desk.clone();
            let navigator = navigator.clone();
            let fire = move || {
                if let Some(nav) = &navigator {
                    let _ = nav.replace_with_query(&Route::Search, &SearchQuery { q: q.clone() });
                }
                if q.trim().is_empty() {
                    return;
                }
                let key = format!("{setting:?}|{q}");
                desk.ask(RequestKind::Search, key, |id| Request::Search {
                    id,
                    query: q,
                    setting,
                });
            };
            *timer.borrow_mut() = Some(Timeout::new(delay, fire));
        })
    };

    // First render: the box gets focus; a query from the URL is searched.
    {
        let send = send.clone();
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            focus(&input_ref);
            if !initial.trim().is_empty() {
                send(initial, 0);
            }
        });
    }
    // The setting changes: search again.
    {
        let send = send.clone();
        let text = (*text).clone();
        use_effect_with(*setting, move |_| {
            if !text.trim().is_empty() {
                send(text, 0);
            }
        });
    }
    // `/` anywhere (outside a text field) focuses the box.
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            let listener = crate::pages::on_slash(move || focus(&input_ref));
            move || drop(listener)
        });
    }

    // The record form's code boxes search too; their answers are not ours.
    let answer: Option<Rc<SearchAnswer>> = desk
        .state
        .search
        .as_ref()
        .filter(|a| !a.key.starts_with("field:"))
        .map(|a| a.value.clone());
    let current = desk
        .state
        .search
        .as_ref()
        .is_some_and(|a| a.key == format!("{:?}|{}", *setting, *text));
    // Every suggestion in display order, for the arrow keys.
    let flat: Vec<String> = answer
        .as_ref()
        .map(|a| {
            a.results
                .iter()
                .flat_map(|r| r.suggestions.iter().map(|s| s.code.clone()))
                .collect()
        })
        .unwrap_or_default();

    let on_text = {
        let text = text.clone();
        let selected = selected.clone();
        let send = send.clone();
        move |value: String| {
            selected.set(None);
            text.set(value.clone());
            send(value, DEBOUNCE_MS);
        }
    };
    let oninput = {
        let on_text = on_text.clone();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target()
                .and_then(|t| {
                    t.dyn_ref::<HtmlInputElement>()
                        .map(|i| i.value())
                        .or_else(|| t.dyn_ref::<HtmlTextAreaElement>().map(|t| t.value()))
                })
                .unwrap_or_default();
            on_text(value);
        })
    };
    let onpaste = {
        let on_text = on_text.clone();
        let input_ref = input_ref.clone();
        Callback::from(move |e: Event| {
            let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                return;
            };
            let pasted = e
                .clipboard_data()
                .and_then(|d| d.get_data("text/plain").ok())
                .unwrap_or_default();
            if pasted.contains('\n') && input_ref.cast::<HtmlInputElement>().is_some() {
                // An <input> would drop the line breaks: switch to a text area.
                e.prevent_default();
                on_text(pasted.replace("\r\n", "\n"));
            }
        })
    };
    let open = {
        let navigator = navigator.clone();
        move |code: String| {
            if let Some(nav) = &navigator {
                nav.push(&Route::Code { code });
            }
        }
    };
    let onkeydown = {
        let selected = selected.clone();
        let flat = flat.clone();
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            let n = flat.len();
            match e.key().as_str() {
                "ArrowDown" if n > 0 => {
                    e.prevent_default();
                    selected.set(Some(selected.map_or(0, |i| (i + 1).min(n - 1))));
                }
                "ArrowUp" if n > 0 => {
                    e.prevent_default();
                    selected.set(selected.and_then(|i| i.checked_sub(1)));
                }
                "Enter" if !e.shift_key() && n > 0 => {
                    if let Some(code) = selected.map(|i| flat[i].clone()) {
                        e.prevent_default();
                        open(code);
                    } else if e
                        .target()
                        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                        .is_some()
                    {
                        e.prevent_default();
                        open(flat[0].clone());
                    }
                }
                "Escape" => selected.set(None),
                _ => {}
            }
        })
    };
    let clear = {
        let on_text = on_text.clone();
        let input_ref = input_ref.clone();
        Callback::from(move |_| {
            on_text(String::new());
            focus(&input_ref);
        })
    };
    let on_setting = {
        let setting = setting.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .map(|s| s.value())
                .unwrap_or_default();
            setting.set(if v == "outpatient" {
                Setting::Outpatient
            } else {
                Setting::Inpatient
            });
        })
    };

    let active = selected.map(|i| format!("result-{i}"));
    let box_html = if multiline {
        html! {
            <textarea id="search-box" ref={input_ref.clone()} class="search-box multiline" rows="6"
                aria-describedby="search-help" aria-controls="results"
                aria-activedescendant={active.clone()}
                value={(*text).clone()} {oninput} onkeydown={onkeydown.clone()} spellcheck="false" />
        }
    } else {
        html! {
            <input id="search-box" ref={input_ref.clone()} class="search-box" type="search"
                autocomplete="off" spellcheck="false" aria-describedby="search-help"
                aria-controls="results" aria-activedescendant={active.clone()}
                value={(*text).clone()} {oninput} onpaste={onpaste} onkeydown={onkeydown.clone()} />
        }
    };
    let results_html = match &answer {
        Some(a) if !text.trim().is_empty() => {
            render_results(a, *selected, !current, multiline, &open)
        }
        _ => Html::default(),
    };
    crate::pages::set_title(if text.is_empty() { "" } else { "Search" });
    html! {
        <section class="search-page">
            <h1 class="visually-hidden">{ "Search" }</h1>
            <div class="search-row">
                <label for="search-box" class="search-label">{ "Search diagnoses, terms or codes" }</label>
                <div class="search-controls">
                    { box_html }
                    if !text.is_empty() {
                        <button type="button" class="secondary" onclick={clear}>{ "Clear" }</button>
                    }
                    <label class="setting">{ "Setting " }
                        <select onchange={on_setting}>
                            <option value="inpatient" selected={*setting == Setting::Inpatient}>{ "Inpatient" }</option>
                            <option value="outpatient" selected={*setting == Setting::Outpatient}>{ "Outpatient" }</option>
                        </select>
                    </label>
                </div>
                <p id="search-help" class="hint">
                    { "Type a diagnosis (\"chf\", \"type 2 diabetes with ckd 3\") or a code. Press / to come back here, ↑ ↓ to choose, Enter to open. Paste a note or problem list to code it statement by statement." }
                </p>
            </div>
            <div id="results" aria-live="polite" aria-busy={(!current).to_string()}>{ results_html }</div>
        </section>
    }
}

fn focus(node: &NodeRef) {
    if let Some(el) = node.cast::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

fn render_results(
    a: &SearchAnswer,
    selected: Option<usize>,
    stale: bool,
    multiline: bool,
    open: &(impl Fn(String) + Clone + 'static),
) -> Html {
    let mut n = 0usize;
    let several = multiline || a.results.len() > 1;
    let lists: Vec<Html> = a
        .results
        .iter()
        .enumerate()
        .map(|(si, r)| {
            let summaries = a.summaries.get(si).cloned().unwrap_or_default();
            let items: Vec<Html> = r
                .suggestions
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let index = n;
                    n += 1;
                    let summary = summaries.get(i).cloned().unwrap_or_default();
                    suggestion(s, index, selected == Some(index), summary, open)
                })
                .collect();
            statement(r, items, several)
        })
        .collect();
    html! { <div class={classes!("results", stale.then_some("stale"))}>{ for lists }</div> }
}

fn statement(r: &StatementResult, items: Vec<Html>, several: bool) -> Html {
    let flags = [
        (r.negated, "Negated", "flag-negated"),
        (r.uncertain, "Uncertain", "flag-uncertain"),
        (r.history, "History", "flag-history"),
    ];
    let label = if several {
        format!("Suggestions for “{}”", r.statement)
    } else {
        "Suggestions".to_string()
    };
    let empty = items.is_empty();
    let body = html! {
        <>
            { for flags.iter().filter(|f| f.0).map(|(_, text, class)| html! { <span class={classes!("flag", *class)}>{ *text }</span> }) }
            { for r.note.as_ref().map(|n| html! { <p class="statement-note">{ n }</p> }) }
            if empty && !r.negated {
                <p class="hint">{ "No suggestion: try other words, an abbreviation's full form, or the index browser." }</p>
            }
            if !empty {
                <ul role="listbox" aria-label={label}>{ for items }</ul>
            }
        </>
    };
    if several {
        html! {
            <section class="statement">
                <h2 class="statement-text">{ &r.statement }</h2>
                { body }
            </section>
        }
    } else {
        body
    }
}

fn suggestion(
    s: &Suggestion,
    index: usize,
    selected: bool,
    summary: String,
    open: &(impl Fn(String) + Clone + 'static),
) -> Html {
    let onclick = {
        let (open, code) = (open.clone(), s.code.clone());
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            open(code.clone());
        })
    };
    let badge = if s.billable {
        html! { <span class="badge badge-billable">{ "Billable" }</span> }
    } else {
        let needs = s.needs.clone().unwrap_or_else(|| "more characters".into());
        html! { <span class="badge badge-not-billable">{ format!("Needs {needs}") }</span> }
    };
    let via = match s.via {
        Via::Index => "Index",
        Via::Tabular => "Tabular",
        Via::Inclusion => "Inclusion term",
        Via::Neoplasm => "Neoplasm table",
        Via::Drug => "Drug table",
        Via::Eindex => "External cause index",
        Via::Code => "Code",
    };
    html! {
        <li id={format!("result-{index}")} role="option" aria-selected={selected.to_string()}
            class={classes!("result", selected.then_some("selected"))} {onclick}>
            <div class="result-head">
                <span class="code">{ &s.code }</span>
                <span class="title">{ &s.title }</span>
                { badge }
            </div>
            <p class="via"><span class="via-kind">{ via }{ ": " }</span>{ &s.path }</p>
            if !summary.is_empty() {
                <p class="summary">{ summary }</p>
            }
            if !s.billable && !s.choices.is_empty() {
                <p class="choices">{ "Choose: " }{ s.choices.join(", ") }</p>
            }
        </li>
    }
}
