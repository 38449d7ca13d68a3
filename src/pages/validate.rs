//! The code validator: paste codes (any separators) and a date of service;
//! each gets valid / invalid / not billable / not valid on that date.

use icd_core::validate::Verdict;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::desk::use_desk;
use crate::protocol::{Request, RequestKind};
use crate::route::code_href;

/// Today as `YYYY-MM-DD` in local time.
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// The validator page.
#[function_component]
pub fn ValidatePage() -> Html {
    let desk = use_desk();
    let codes = use_state(String::new);
    let date = use_state(today);
    // The date of service starts as today, or as the last day the release
    // covers when today is after it (until the date is edited).
    let date_edited = use_state(|| false);
    let coverage_end: Option<String> = match &desk.state.progress {
        crate::protocol::Progress::Ready(loaded) => loaded.coverage_end.clone(),
        _ => None,
    };
    {
        let (date, edited) = (date.clone(), date_edited.clone());
        use_effect_with(coverage_end.clone(), move |end| {
            if let Some(end) = end {
                if !*edited && *date > *end {
                    date.set(end.clone());
                }
            }
        });
    }
    let beyond = coverage_end
        .as_ref()
        .filter(|end| !date.is_empty() && *date > **end)
        .cloned();
    let asked = use_state(|| None::<String>);
    let copied = use_state(|| false);
    let on_codes = {
        let codes = codes.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            {
                codes.set(t.value());
            }
        })
    };
    let on_date = {
        let (date, edited) = (date.clone(), date_edited.clone());
        Callback::from(move |e: Event| {
            edited.set(true);
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                date.set(i.value());
            }
        })
    };
    let onsubmit = {
        let (desk, codes, date, asked, copied) = (
            desk.clone(),
            codes.clone(),
            date.clone(),
            asked.clone(),
            copied.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            copied.set(false);
            let key = format!("{}|{}", *date, *codes);
            asked.set(Some(key.clone()));
            let (codes, date) = ((*codes).clone(), (*date).clone());
            desk.ask(RequestKind::Validate, key, |id| Request::Validate {
                id,
                codes,
                date,
            });
        })
    };
    crate::pages::set_title("Validator");
    let results = match (&*asked, desk.state.validate.as_ref()) {
        (Some(k), Some(a)) if &a.key == k => match &*a.value {
            Err(message) => html! { <p role="alert">{ message }</p> },
            Ok(checks) if checks.is_empty() => {
                html! { <p role="alert">{ "No code found in what was pasted." }</p> }
            }
            Ok(checks) => {
                let valid = checks
                    .iter()
                    .filter(|c| c.verdict == Verdict::Valid)
                    .count();
                // Valid codes in their printed form (E11.9, not the e11.9
                // typed), each once, in the order pasted.
                let valid_codes: Vec<String> = checks
                    .iter()
                    .filter(|c| c.verdict == Verdict::Valid && c.duplicate_of.is_none())
                    .filter_map(|c| c.code.clone())
                    .collect();
                let duplicates = checks.iter().filter(|c| c.duplicate_of.is_some()).count();
                let on_copy = {
                    let (text, copied) = (valid_codes.join("\n"), copied.clone());
                    Callback::from(move |_: MouseEvent| {
                        if let Some(w) = web_sys::window() {
                            let _ = w.navigator().clipboard().write_text(&text);
                        }
                        copied.set(true);
                    })
                };
                html! {
                    <>
                        <p role="status">{ format!("{valid} of {} codes valid on {}.", checks.len(), *date) }
                            if duplicates > 0 { { format!(" {duplicates} repeated.") } }</p>
                        if !valid_codes.is_empty() {
                            <p>
                                <button type="button" data-testid="copy-valid" onclick={on_copy}>{ format!("Copy {} valid code{}", valid_codes.len(), if valid_codes.len() == 1 { "" } else { "s" }) }</button>
                                if *copied { <span class="copied" role="status">{ format!(" Copied: {}.", valid_codes.join(", ")) }</span> }
                            </p>
                        }
                        <table class="verdicts">
                            <thead><tr><th scope="col">{ "Code" }</th><th scope="col">{ "Verdict" }</th><th scope="col">{ "Details" }</th></tr></thead>
                            <tbody>{ for checks.iter().map(|c| {
                                let (class, verdict, details) = match &c.verdict {
                                    Verdict::Valid => ("ok", "Valid".to_string(), html! { { c.title.clone().unwrap_or_default() } }),
                                    Verdict::Invalid { reason } => ("err", "Invalid".to_string(), html! { { reason } }),
                                    Verdict::NotBillable { children, total } => ("warn", "Not billable".to_string(), html! {
                                        <>
                                            { format!("{} — report one of its {total} billable codes: ", c.title.clone().unwrap_or_default()) }
                                            { for children.iter().map(|ch| html! { <><a href={code_href(&ch.code)} class="code" title={ch.title.clone()}>{ &ch.code }</a>{ " " }</> }) }
                                            if *total > children.len() { { "…" } }
                                        </>
                                    }),
                                    Verdict::NotValidOnDate { valid } => ("err", format!("Not valid on {}", *date), html! { { valid } }),
                                };
                                html! {
                                    <tr class={class}>
                                        <td>
                                            if let Some(code) = &c.code { <a href={code_href(code)} class="code">{ &c.input }</a> }
                                            else { <span class="code">{ &c.input }</span> }
                                        </td>
                                        <td class="verdict">{ verdict }</td>
                                        <td>{ details }
                                            if let Some(j) = c.duplicate_of {
                                                <span class="duplicate">{ format!(" Repeats code {} of the list.", j + 1) }</span>
                                            }
                                        </td>
                                    </tr>
                                }
                            }) }</tbody>
                        </table>
                    </>
                }
            }
        },
        (Some(_), _) => crate::pages::waiting(),
        _ => Html::default(),
    };
    html! {
        <section class="validate-page">
            <h1>{ "Code validator" }</h1>
            <form {onsubmit}>
                <label for="codes">{ "Codes" }</label>
                <textarea id="codes" rows="6" spellcheck="false" value={(*codes).clone()} oninput={on_codes}
                    aria-describedby="codes-help" />
                <p id="codes-help" class="hint">{ "Paste codes separated by anything: spaces, commas, semicolons, lines." }</p>
                <label for="dos">{ "Date of service" }</label>
                <input id="dos" type="date" value={(*date).clone()} onchange={on_date} aria-describedby="dos-help" />
                <p id="dos-help" class={classes!("hint", beyond.is_some().then_some("warn"))} data-testid="dos-coverage">{
                    match (&beyond, &coverage_end) {
                        (Some(end), _) => format!("{} is after {end}, the last day this release covers: codes may have changed since; this release cannot tell.", *date),
                        (None, Some(end)) if today() > *end => format!("Set to {end}, the last day this release covers (today, {}, is after it).", today()),
                        (None, Some(end)) => format!("This release covers dates up to {end}."),
                        (None, None) => String::new(),
                    }
                }</p>
                <button type="submit">{ "Check codes" }</button>
            </form>
            { results }
        </section>
    }
}
