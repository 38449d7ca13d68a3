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
    let asked = use_state(|| None::<String>);
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
        let date = date.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                date.set(i.value());
            }
        })
    };
    let onsubmit = {
        let (desk, codes, date, asked) = (desk.clone(), codes.clone(), date.clone(), asked.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
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
                html! {
                    <>
                        <p role="status">{ format!("{valid} of {} codes valid on {}.", checks.len(), *date) }</p>
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
                                        <td>{ details }</td>
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
                <input id="dos" type="date" value={(*date).clone()} onchange={on_date} />
                <button type="submit">{ "Check codes" }</button>
            </form>
            { results }
        </section>
    }
}
