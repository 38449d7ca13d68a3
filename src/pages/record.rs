//! The record check: a coded encounter typed into a form, checked live
//! (MCE edits, tabular conventions, completeness, CC/MCC capture) with every
//! finding beside it. The record is held in this page's memory only: it is
//! never stored and never leaves the device.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use icd_core::record::model::Text;
use icd_core::record::{Diagnosis, Procedure, Record, Severity};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::desk::{use_desk, RecordSeed};
use crate::protocol::{FindingView, Request, RequestKind};
use crate::route::code_href;

/// A fixed option list as the select takes it.
fn owned(options: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
    options.iter().map(|(v, l)| (*v, l.to_string())).collect()
}

/// The discharge status select's options: blank, then the engine's list.
fn discharge_options() -> Vec<(&'static str, String)> {
    std::iter::once(("", "—".to_string()))
        .chain(
            icd_core::record::model::DISCHARGE_STATUSES
                .iter()
                .map(|(k, m)| (*k, format!("{k} — {m}"))),
        )
        .collect()
}

/// The POA select's options: blank, then the engine's indicators.
fn poa_options() -> Vec<(&'static str, String)> {
    std::iter::once(("", "—".to_string()))
        .chain(
            icd_core::record::model::POA_INDICATORS
                .iter()
                .map(|(k, m)| (*k, format!("{k} — {m}"))),
        )
        .collect()
}

/// UB-04 type of admission (form locator 14).
const ADMISSION_TYPE: [(&str, &str); 7] = [
    ("", "—"),
    ("1", "1 — emergency"),
    ("2", "2 — urgent"),
    ("3", "3 — elective"),
    ("4", "4 — newborn"),
    ("5", "5 — trauma center"),
    ("9", "9 — information not available"),
];

/// UB-04 point of origin for admission (form locator 15).
const POINT_OF_ORIGIN: [(&str, &str); 11] = [
    ("", "—"),
    ("1", "1 — non-health care facility"),
    ("2", "2 — clinic or physician's office"),
    ("4", "4 — transfer from a hospital"),
    ("5", "5 — transfer from a SNF, ICF or ALF"),
    ("6", "6 — transfer from another health care facility"),
    (
        "7",
        "7 — emergency room (retired 2010; ED visits use 1, 2...)",
    ),
    ("8", "8 — court or law enforcement"),
    ("9", "9 — information not available"),
    ("D", "D — transfer within the same hospital"),
    ("E", "E — transfer from an ambulatory surgery center"),
];

type Edit = Rc<dyn Fn(&mut Record, String)>;

/// A record read from JSON (the form of `icd check`), with what was
/// ignored. An array loads its first record.
fn record_from_json(json: &str) -> Result<(Record, Vec<String>), String> {
    let value = js_sys::JSON::parse(json.trim()).map_err(|e| {
        let why = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        format!("This is not JSON ({why}). Paste one record as `icd check` reads it: {{\"setting\": \"inpatient\", \"principal_dx\": {{\"code\": \"I50.9\", \"poa\": \"Y\"}}, ...}}.")
    })?;
    let mut notes = Vec::new();
    let value = if js_sys::Array::is_array(&value) {
        let all = js_sys::Array::from(&value);
        if all.length() == 0 {
            return Err("The array holds no record. Paste one record (a JSON object).".into());
        }
        if all.length() > 1 {
            notes.push(format!(
                "The JSON holds {} records; the first is loaded. `icd check FILE` checks them all.",
                all.length()
            ));
        }
        all.get(0)
    } else {
        value
    };
    if !value.is_object() {
        return Err(
            "The JSON is not a record: paste one JSON object, as `icd check` reads it.".into(),
        );
    }
    let mut record: Record = serde_wasm_bindgen::from_value(value).map_err(|e| {
        format!(
            "The record could not be read: a field has the wrong form ({e}). Diagnoses are objects, \
             {{\"code\": \"I50.9\", \"poa\": \"Y\"}}; secondary_dx and procedures are lists of them; \
             dates are \"YYYY-MM-DD\"."
        )
    })?;
    // POA indicators are upper case on the UB-04: `y` is `Y`.
    for d in record
        .principal_dx
        .iter_mut()
        .chain(record.secondary_dx.iter_mut())
    {
        if let Some(p) = &mut d.poa {
            *p = p.trim().to_ascii_uppercase();
        }
    }
    let unknown: Vec<String> = record.unknown_fields();
    if !unknown.is_empty() {
        notes.push(format!(
            "Ignored, not fields of a record: {}.",
            unknown.join(", ")
        ));
    }
    Ok((record, notes))
}

/// The record as JSON, as `icd check` reads it.
fn record_to_json(r: &Record) -> String {
    serde_wasm_bindgen::to_value(r)
        .ok()
        .and_then(|v| {
            js_sys::JSON::stringify_with_replacer_and_space(&v, &JsValue::NULL, &JsValue::from(2))
                .ok()
        })
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Whether typed text is meant as a code rather than words: the search's
/// own test ([`icd_core::search::code_query`]).
fn looks_like_code(s: &str) -> bool {
    icd_core::search::code_query(s).is_some()
}

/// The options of a select, `value` selected. A loaded value no option has
/// (POA `E`) is added as it is, so the reviewer sees it; the findings say
/// what is wrong with it.
fn select_options<L: AsRef<str>>(options: &[(&'static str, L)], value: Option<&str>) -> Html {
    let value = value.unwrap_or("");
    let listed = options.iter().any(|(o, _)| *o == value);
    html! {
        <>
            { for options.iter().map(|(v, l)| html! {
                <option value={*v} selected={value == *v}>{ l.as_ref().to_string() }</option>
            }) }
            if !listed {
                <option value={value.to_string()} selected=true>{ format!("{value} — not on the list") }</option>
            }
        </>
    }
}

/// A field's text as typed (trimming here would eat the space before the
/// next word), or nothing when blank. The checks trim what they read.
fn text(v: String) -> Option<String> {
    (!v.trim().is_empty()).then_some(v)
}

fn value_of(e: &Event) -> String {
    let Some(t) = e.target() else {
        return String::new();
    };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        i.value()
    } else if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.value()
    } else if let Some(a) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        a.value()
    } else {
        String::new()
    }
}

/// Props of [`CodeField`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CodeFieldProps {
    /// Element id (also keys its searches).
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// The code as typed.
    pub value: AttrValue,
    /// Its title, once the code is known.
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// The new text.
    pub on_change: Callback<String>,
}

/// A diagnosis code box: a code is taken as typed; words search as you type
/// and a suggestion fills the box.
#[function_component]
pub fn CodeField(props: &CodeFieldProps) -> Html {
    let desk = use_desk();
    let timer = use_mut_ref(|| None::<Timeout>);
    // The ARIA combobox pattern: no option is selected until ↓ or ↑.
    let selected = use_state(|| None::<usize>);
    let open = use_state(|| false);
    let value = props.value.to_string();
    let words = value.trim().len() >= 3 && !looks_like_code(&value);
    let key = format!("field:{}|{}", props.id, value.trim());
    let options: Vec<(String, String)> = desk
        .state
        .search
        .as_ref()
        .filter(|a| a.key == key && words && *open)
        .map(|a| {
            a.value
                .results
                .iter()
                .flat_map(|r| r.suggestions.iter())
                .filter(|s| s.billable)
                .take(6)
                .map(|s| (s.code.clone(), s.title.clone()))
                .collect()
        })
        .unwrap_or_default();
    let oninput = {
        let (desk, on_change, open, selected) = (
            desk.clone(),
            props.on_change.clone(),
            open.clone(),
            selected.clone(),
        );
        let id = props.id.clone();
        Callback::from(move |e: InputEvent| {
            let v = value_of(&e.into());
            on_change.emit(v.clone());
            open.set(true);
            selected.set(None);
            let q = v.trim().to_string();
            if q.len() >= 3 && !looks_like_code(&q) {
                let desk = desk.clone();
                let key = format!("field:{id}|{q}");
                *timer.borrow_mut() = Some(Timeout::new(120, move || {
                    desk.ask(RequestKind::Search, key, |id| Request::Search {
                        id,
                        query: q,
                        setting: icd_core::search::Setting::Inpatient,
                        encounter: icd_core::search::Encounter::Initial,
                    });
                }));
            }
        })
    };
    let pick = {
        let (on_change, open) = (props.on_change.clone(), open.clone());
        move |code: String| {
            on_change.emit(code);
            open.set(false);
        }
    };
    let onkeydown = {
        let (options, selected, open, pick) = (
            options.clone(),
            selected.clone(),
            open.clone(),
            pick.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            let n = options.len();
            match e.key().as_str() {
                "ArrowDown" if n > 0 => {
                    e.prevent_default();
                    selected.set(Some(selected.map_or(0, |i| (i + 1).min(n - 1))));
                }
                "ArrowUp" if n > 0 => {
                    e.prevent_default();
                    selected.set(Some(selected.map_or(n - 1, |i| i.saturating_sub(1))));
                }
                // Enter picks only an option chosen with the arrows; with
                // none chosen, what was typed stays.
                "Enter" if n > 0 => {
                    if let Some(i) = *selected {
                        e.prevent_default();
                        pick(options[i.min(n - 1)].0.clone());
                    }
                }
                "Escape" => open.set(false),
                _ => {}
            }
        })
    };
    let list_id = format!("{}-options", props.id);
    let expanded = !options.is_empty();
    html! {
        <div class="field code-field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input id={props.id.clone()} type="text" role="combobox" autocomplete="off" spellcheck="false"
                aria-autocomplete="list" aria-expanded={expanded.to_string()} aria-controls={list_id.clone()}
                aria-activedescendant={selected.filter(|_| expanded).map(|i| format!("{list_id}-{i}"))}
                value={props.value.clone()} {oninput} {onkeydown} />
            if let Some(t) = &props.title { <span class="code-title">{ t.clone() }</span> }
            <ul id={list_id.clone()} role="listbox" aria-label="Suggested codes" class="field-options" hidden={!expanded}>
                { for options.iter().enumerate().map(|(i, (code, title))| {
                    let onclick = { let (pick, code) = (pick.clone(), code.clone()); Callback::from(move |_| pick(code.clone())) };
                    html! {
                        <li id={format!("{list_id}-{i}")} role="option" aria-selected={(Some(i) == *selected).to_string()}
                            class={classes!((Some(i) == *selected).then_some("selected"))} {onclick}>
                            <span class="code">{ code }</span>{ " " }{ title }
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

/// A new record; with the codes accepted on a note (the first principal,
/// the rest secondary), its setting and the patient it was read for.
pub fn seeded_record(seed: Option<&RecordSeed>) -> Record {
    use icd_core::search::{Setting, Sex};
    let mut r = Record {
        setting: Some("inpatient".into()),
        principal_dx: Some(Diagnosis::default()),
        ..Record::default()
    };
    let Some(seed) = seed else {
        return r;
    };
    if let Some(whole) = &seed.record {
        return (**whole).clone();
    }
    let dx = |code: &String| Diagnosis {
        code: code.clone(),
        ..Diagnosis::default()
    };
    if let Some((first, rest)) = seed.codes.split_first() {
        r.principal_dx = Some(dx(first));
        r.secondary_dx = rest.iter().map(dx).collect();
    }
    if seed.setting == Setting::Outpatient {
        r.setting = Some("outpatient".into());
    }
    r.procedures = seed
        .procedures
        .iter()
        .map(|code| Procedure {
            code: code.clone(),
            ..Procedure::default()
        })
        .collect();
    r.patient.age = seed.patient.age.map(|a| Text(a.to_string()));
    r.patient.sex = seed.patient.sex.map(|s| {
        match s {
            Sex::Male => "M",
            Sex::Female => "F",
        }
        .to_string()
    });
    r
}

/// The record form and its findings.
#[function_component]
pub fn RecordPage() -> Html {
    let desk = use_desk();
    // Codes sent from a note are read once, then let go.
    let record = {
        let seed = desk.state.record_seed.clone();
        use_state(move || seeded_record(seed.as_ref()))
    };
    {
        let desk = desk.clone();
        use_effect_with((), move |_| {
            if desk.state.record_seed.is_some() {
                desk.seed_record(None);
            }
        });
    }
    let timer = use_mut_ref(|| None::<Timeout>);
    let key = use_state(String::new);
    {
        // Every change re-checks after a short pause.
        let (desk, key) = (desk.clone(), key.clone());
        use_effect_with((*record).clone(), move |r: &Record| {
            let r = r.clone();
            let fire = move || {
                let k = format!("{r:?}");
                key.set(k.clone());
                desk.ask(RequestKind::Check, k, |id| Request::Check {
                    id,
                    record: Box::new(r),
                    today: crate::pages::validate::today(),
                });
            };
            *timer.borrow_mut() = Some(Timeout::new(150, fire));
        });
    }
    let edit = |f: Edit| {
        let record = record.clone();
        Callback::from(move |e: Event| {
            let mut r = (*record).clone();
            f(&mut r, value_of(&e));
            record.set(r);
        })
    };
    // Date fields whose text is not a real date (02/30/2026): the browser
    // then gives an empty value, which alone would read as "required".
    let bad_dates = use_state(Vec::<&'static str>::new);
    let input = |id: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 value: String,
                 f: Edit| {
        let note_bad = {
            let bad_dates = bad_dates.clone();
            move |e: &Event| {
                let bad = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .is_some_and(|i| i.type_() == "date" && !i.check_validity());
                if bad != bad_dates.contains(&id) {
                    let mut list = (*bad_dates).clone();
                    list.retain(|x| *x != id);
                    if bad {
                        list.push(id);
                    }
                    bad_dates.set(list);
                }
            }
        };
        let onchange = {
            let (cb, note_bad) = (edit(f.clone()), note_bad.clone());
            Callback::from(move |e: Event| {
                note_bad(&e);
                cb.emit(e);
            })
        };
        // Chromium fires neither input nor change while a date field's
        // value stays empty (a date that does not exist), so leaving the
        // field is when it is checked too.
        let onblur = {
            let note_bad = note_bad.clone();
            Callback::from(move |e: FocusEvent| note_bad(&e.into()))
        };
        let oninput = {
            let cb = edit(f);
            Callback::from(move |e: InputEvent| {
                let e: Event = e.into();
                note_bad(&e);
                cb.emit(e);
            })
        };
        let bad = bad_dates.contains(&id);
        let error_id = format!("{id}-error");
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <input {id} type={kind} value={value} {onchange} {oninput} {onblur}
                    aria-invalid={bad.then_some("true")} aria-describedby={bad.then(|| error_id.clone())} />
                if bad {
                    <p id={error_id} class="field-error" role="alert">{ "Not a real date (February 30 does not exist): check the day and the month." }</p>
                }
            </div>
        }
    };
    let r = &*record;
    let poa_select = |id: String, label: String, value: Option<String>, f: Edit| {
        html! {
            <select {id} aria-label={label} onchange={edit(f)}>
                { select_options(&poa_options(), value.as_deref()) }
            </select>
        }
    };
    let choice = |id: &'static str,
                  label: &'static str,
                  options: &[(&'static str, String)],
                  value: Option<String>,
                  f: Edit| {
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <select {id} onchange={edit(f)}>
                    { select_options(options, value.as_deref()) }
                </select>
            </div>
        }
    };
    // A row just added takes the focus (its code box), once it is drawn.
    let focus_next = use_state(|| None::<String>);
    {
        let focus_next = focus_next.clone();
        use_effect_with((*focus_next).clone(), move |id| {
            if let Some(id) = id {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(id))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                    focus_next.set(None);
                }
            }
        });
    }
    let add_dx = {
        let (record, focus_next) = (record.clone(), focus_next.clone());
        Callback::from(move |_| {
            let mut r = (*record).clone();
            r.secondary_dx.push(Diagnosis::default());
            focus_next.set(Some(format!("sdx-{}", r.secondary_dx.len() - 1)));
            record.set(r);
        })
    };
    let add_px = {
        let (record, focus_next) = (record.clone(), focus_next.clone());
        Callback::from(move |_| {
            let mut r = (*record).clone();
            r.procedures.push(Procedure::default());
            focus_next.set(Some(format!("px-{}", r.procedures.len() - 1)));
            record.set(r);
        })
    };
    let remove = |what: &'static str, i: usize| {
        let record = record.clone();
        Callback::from(move |_| {
            let mut r = (*record).clone();
            if what == "dx" {
                r.secondary_dx.remove(i);
            } else {
                r.procedures.remove(i);
            }
            record.set(r);
        })
    };
    let pdx = r.principal_dx.clone().unwrap_or_default();
    let answer = desk
        .state
        .check
        .as_ref()
        .filter(|a| a.key == *key)
        .map(|a| a.value.clone());
    let titles = desk
        .state
        .check
        .as_ref()
        .map(|a| a.value.1.clone())
        .unwrap_or_default();
    let title_of = |code: &str| -> Option<AttrValue> {
        titles
            .iter()
            .find(|(c, _)| c == code.trim())
            .map(|(_, t)| AttrValue::from(t.clone()))
    };
    let set_code = |f: Edit| {
        let record = record.clone();
        Callback::from(move |v: String| {
            let mut r = (*record).clone();
            // Kept as typed (a space between words must survive the
            // next render); the checks trim codes themselves.
            f(&mut r, v);
            record.set(r);
        })
    };
    let json_panel = html! { <RecordJson record={r.clone()} on_load={{
        let record = record.clone();
        Callback::from(move |r: Record| record.set(r))
    }} /> };
    crate::pages::set_title("Record check");
    html! {
        <section class="record-page">
            <h1>{ "Record check" }</h1>
            <p class="hint">{ "Type a coded encounter; findings update as you type. The record stays in this page's memory only." }</p>
            <div class="record-layout">
                <form class="record-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    <fieldset>
                        <legend>{ "Encounter" }</legend>
                        <div class="field">
                            <label for="setting">{ "Setting" }</label>
                            <select id="setting" onchange={edit(Rc::new(|r, v| r.setting = text(v)))}>
                                <option value="inpatient" selected={r.setting.as_deref() == Some("inpatient")}>{ "Inpatient" }</option>
                                <option value="outpatient" selected={r.setting.as_deref() == Some("outpatient")}>{ "Outpatient" }</option>
                            </select>
                        </div>
                        { input("record-id", "Record ID (optional)", "text", r.id.as_ref().map(|t| t.0.clone()).unwrap_or_default(), Rc::new(|r, v| r.id = text(v).map(Text))) }
                        { input("mrn", "MRN", "text", r.patient.mrn.as_ref().map(|t| t.0.clone()).unwrap_or_default(), Rc::new(|r, v| r.patient.mrn = text(v).map(Text))) }
                        { input("patient-name", "Patient name", "text", r.patient.name.clone().unwrap_or_default(), Rc::new(|r, v| r.patient.name = text(v))) }
                        { input("dob", "Date of birth", "date", r.patient.dob.clone().unwrap_or_default(), Rc::new(|r, v| r.patient.dob = text(v))) }
                        { input("age", "Age (years)", "number", r.patient.age.as_ref().map(|t| t.0.clone()).unwrap_or_default(), Rc::new(|r, v| r.patient.age = text(v).map(Text))) }
                        <div class="field">
                            <label for="sex">{ "Sex" }</label>
                            <select id="sex" onchange={edit(Rc::new(|r, v| r.patient.sex = text(v)))}>
                                <option value="" selected={r.patient.sex.is_none()}>{ "—" }</option>
                                <option value="F" selected={r.patient.sex.as_deref() == Some("F")}>{ "Female" }</option>
                                <option value="M" selected={r.patient.sex.as_deref() == Some("M")}>{ "Male" }</option>
                                <option value="U" selected={r.patient.sex.as_deref() == Some("U")}>{ "Unknown" }</option>
                            </select>
                        </div>
                        { input("admit-date", "Admission date", "date", r.admission.date.clone().unwrap_or_default(), Rc::new(|r, v| r.admission.date = text(v))) }
                        { choice("admission-type", "Type of admission (UB-04)", &owned(&ADMISSION_TYPE), r.admission.kind.as_ref().map(|t| t.0.clone()), Rc::new(|r, v| r.admission.kind = text(v).map(Text))) }
                        { choice("point-of-origin", "Point of origin (UB-04)", &owned(&POINT_OF_ORIGIN), r.admission.source.as_ref().map(|t| t.0.clone()), Rc::new(|r, v| r.admission.source = text(v).map(Text))) }
                        { input("discharge-date", "Discharge date", "date", r.discharge.date.clone().unwrap_or_default(), Rc::new(|r, v| r.discharge.date = text(v))) }
                        { choice("discharge-status", "Discharge status (UB-04)", &discharge_options(), r.discharge.status.as_ref().map(|t| t.0.clone()), Rc::new(|r, v| r.discharge.status = text(v).map(Text))) }
                        { input("attending", "Attending provider", "text", r.attending.clone().unwrap_or_default(), Rc::new(|r, v| r.attending = text(v))) }
                        <CodeField id="admitting-dx" label="Admitting diagnosis" value={r.admitting_dx.clone().unwrap_or_default()}
                            title={title_of(r.admitting_dx.as_deref().unwrap_or(""))} on_change={set_code(Rc::new(|r, v| r.admitting_dx = text(v)))} />
                        <div class="field">
                            <label for="reason">{ "Reason for visit" }</label>
                            <textarea id="reason" rows="2" value={r.reason_for_visit.clone().unwrap_or_default()}
                                oninput={let cb = edit(Rc::new(|r: &mut Record, v: String| r.reason_for_visit = text(v))); Callback::from(move |e: InputEvent| cb.emit(e.into()))} />
                        </div>
                    </fieldset>
                    <fieldset>
                        <legend>{ "Diagnoses" }</legend>
                        <div class="code-row">
                            <CodeField id="pdx" label="Principal diagnosis" value={pdx.code.clone()} title={title_of(&pdx.code)}
                                on_change={set_code(Rc::new(|r, v| r.principal_dx.get_or_insert_with(Diagnosis::default).code = v))} />
                            { poa_select("pdx-poa".into(), "Present on admission (principal)".into(), pdx.poa.clone(), Rc::new(|r, v| r.principal_dx.get_or_insert_with(Diagnosis::default).poa = text(v))) }
                        </div>
                        { for r.secondary_dx.iter().enumerate().map(|(i, d)| {
                            let n = i + 1;
                            html! {
                                <div class="code-row">
                                    <CodeField id={format!("sdx-{i}")} label={format!("Secondary diagnosis {n}")} value={d.code.clone()} title={title_of(&d.code)}
                                        on_change={set_code(Rc::new(move |r, v| if let Some(d) = r.secondary_dx.get_mut(i) { d.code = v }))} />
                                    { poa_select(format!("sdx-poa-{i}"), format!("Present on admission (secondary {n})"), d.poa.clone(), Rc::new(move |r, v| if let Some(d) = r.secondary_dx.get_mut(i) { d.poa = text(v) })) }
                                    <button type="button" class="secondary" onclick={remove("dx", i)} aria-label={format!("Remove secondary diagnosis {n}")}>{ "Remove" }</button>
                                </div>
                            }
                        }) }
                        <button type="button" onclick={add_dx}>{ "Add secondary diagnosis" }</button>
                    </fieldset>
                    <fieldset>
                        <legend>{ "Procedures (ICD-10-PCS)" }</legend>
                        { for r.procedures.iter().enumerate().map(|(i, p)| {
                            let n = i + 1;
                            html! {
                                <div class="code-row">
                                    <div class="field">
                                        <label for={format!("px-{i}")}>{ format!("Procedure {n}") }</label>
                                        <input id={format!("px-{i}")} type="text" value={p.code.clone()}
                                            oninput={let cb = edit(Rc::new(move |r: &mut Record, v: String| if let Some(p) = r.procedures.get_mut(i) { p.code = v.trim().to_string() })); Callback::from(move |e: InputEvent| cb.emit(e.into()))} />
                                    </div>
                                    <div class="field">
                                        <label for={format!("px-date-{i}")}>{ format!("Date of procedure {n}") }</label>
                                        <input id={format!("px-date-{i}")} type="date" value={p.date.clone().unwrap_or_default()}
                                            onchange={edit(Rc::new(move |r, v| if let Some(p) = r.procedures.get_mut(i) { p.date = text(v) }))} />
                                    </div>
                                    <button type="button" class="secondary" onclick={remove("px", i)} aria-label={format!("Remove procedure {n}")}>{ "Remove" }</button>
                                </div>
                            }
                        }) }
                        <button type="button" onclick={add_px}>{ "Add procedure" }</button>
                    </fieldset>
                    { json_panel }
                </form>
                <section class="findings" aria-live="polite">
                    <h2>{ "Findings" }</h2>
                    { match &answer {
                        None => crate::pages::waiting(),
                        Some(a) => findings_list(&a.0),
                    } }
                </section>
                if let Some(panel) = answer.as_ref().and_then(|a| a.2.as_deref()) {
                    { drg_panel(panel) }
                }
            </div>
        </section>
    }
}

/// "1 note", "2 notes".
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A message as a sentence: its first letter capitalized, unless it starts
/// with a field name or a code (`patient.dob`, `e11`).
fn sentence(message: &str) -> String {
    let first = message.split(' ').next().unwrap_or("");
    if !first.chars().all(|c| c.is_ascii_lowercase()) {
        return message.to_string();
    }
    let mut chars = message.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The MS-DRG of the record: the DRG and its weight, what drives it, and
/// what it would be without each CC/MCC and each procedure.
fn drg_panel(p: &crate::protocol::DrgPanel) -> Html {
    use icd_core::drg::{ReturnCode, Severity as DrgSeverity};
    let g = &p.grouping;
    let f = &g.final_;
    let num =
        |v: Option<f64>, digits: usize| v.map_or("—".to_string(), |x| format!("{x:.digits$}"));
    let level = |s: DrgSeverity| match s {
        DrgSeverity::Mcc => "MCC",
        DrgSeverity::Cc => "CC",
        DrgSeverity::None => "no CC/MCC",
    };
    let a_level = |s: DrgSeverity| match s {
        DrgSeverity::Mcc => "an MCC",
        DrgSeverity::Cc => "a CC",
        DrgSeverity::None => "neither a CC nor an MCC",
    };
    let drg_link = |drg: u16| format!("MS-DRG {drg:03}");
    html! {
        <section class="drg-panel" aria-labelledby="drg-heading" data-testid="drg-panel">
            <h2 id="drg-heading">{ "MS-DRG" }</h2>
            <p class="drg-final" data-testid="drg-final">
                <strong>{ drg_link(f.drg) }</strong>{ " " }{ &f.title }
            </p>
            <dl class="drg-figures">
                <div><dt>{ "MDC" }</dt><dd>{ f.mdc.map_or("—".to_string(), |m| format!("{m:02}")) }</dd></div>
                <div><dt>{ "Relative weight (FY2026)" }</dt><dd data-testid="drg-weight">{ num(f.weight, 4) }</dd></div>
                <div><dt>{ "GMLOS" }</dt><dd>{ num(f.gmlos, 1) }</dd></div>
                <div><dt>{ "AMLOS" }</dt><dd>{ num(f.amlos, 1) }</dd></div>
                <div><dt>{ "Severity" }</dt><dd>{ level(f.severity) }</dd></div>
            </dl>
            if g.return_code != ReturnCode::Ok {
                <p class="err" role="alert">{ format!("Ungroupable: {}", g.return_code.as_str()) }</p>
            }
            if g.initial.drg != f.drg {
                <p>{ format!("Initial DRG {:03} ({}); the final DRG differs because HAC codes not present on admission were removed.", g.initial.drg, g.initial.title) }</p>
            }
            <h3>{ "What drives it" }</h3>
            <ul class="drg-drivers" data-testid="drg-drivers">
                if let Some(px) = &g.drivers.surgical_procedure {
                    <li>{ format!("{px} makes the DRG surgical.") }</li>
                }
                { for g.drivers.cc_mcc.iter().map(|d| html! {
                    <li>
                        <a href={code_href(&d.code)} class="code">{ &d.code }</a>{ " " }
                        { match (&d.excluded, d.counts) {
                            (_, true) => format!("is {} and counts.", a_level(d.level)),
                            (Some(why), false) => format!("is {} but does not count: {why}.", a_level(d.level)),
                            (None, false) => format!("is {} but does not count here.", a_level(d.level)),
                        } }
                    </li>
                }) }
                { for g.drivers.hac_removed.iter().map(|c| html! { <li>{ format!("{c} was removed: a HAC not present on admission.") }</li> }) }
                if g.drivers.cc_mcc.is_empty() && g.drivers.surgical_procedure.is_none() {
                    <li>{ "No secondary diagnosis is a CC or MCC, and no procedure makes it surgical." }</li>
                }
            </ul>
            if !p.what_if.without_sdx.is_empty() || !p.what_if.without_procedure.is_empty() {
                <h3>{ "What if" }</h3>
                <ul class="drg-what-if" data-testid="drg-what-if">
                    { for p.what_if.without_sdx.iter().chain(&p.what_if.without_procedure).map(|w| html! {
                        <li>{ format!("Without {}: {}{}", w.code, drg_link(w.drg), if w.changes { " (changes)" } else { " (no change)" }) }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// Findings, most serious first, each with its authority and fix.
pub fn findings_list(findings: &[FindingView]) -> Html {
    if findings.is_empty() {
        return html! { <p class="ok">{ "No finding." }</p> };
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    html! {
        <>
            <p role="status">{ format!("{}, {}, {}.", plural(count(Severity::Error), "error"), plural(count(Severity::Warning), "warning"), plural(count(Severity::Info), "note")) }</p>
            <ul class="finding-list">
                { for findings.iter().map(|f| {
                    let (class, label) = match f.severity {
                        Severity::Error => ("err", "Error"),
                        Severity::Warning => ("warn", "Warning"),
                        Severity::Info => ("info", "Note"),
                    };
                    html! {
                        <li class={classes!("finding", class)}>
                            <p><span class={classes!("severity", class)}>{ label }</span>{ " " }{ sentence(&f.message) }</p>
                            if !f.codes.is_empty() {
                                <p class="codes">{ for f.codes.iter().map(|c| html! { <><a class="code" href={code_href(c)}>{ c }</a>{ " " }</> }) }</p>
                            }
                            <p class="authority">{ &f.authority }{ " · " }<a href={crate::route::rule_href(&f.rule_id)} title="What this rule checks"><code>{ &f.rule_id }</code></a></p>
                            if let Some(t) = &f.authority_text { <p class="authority-text">{ t }</p> }
                            if let Some(fix) = &f.fix { <p class="fix">{ "Fix: " }{ fix }</p> }
                        </li>
                    }
                }) }
            </ul>
        </>
    }
}

/// Props of [`RecordJson`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct RecordJsonProps {
    /// The record in the form.
    pub record: Record,
    /// A record read from pasted JSON.
    pub on_load: Callback<Record>,
}

/// Loads a record from JSON (as `icd check` reads it) into the form, copies
/// the form's record as JSON, or clears the form. Pasted text that cannot be
/// read stays where it is, with the reason.
#[function_component]
pub fn RecordJson(props: &RecordJsonProps) -> Html {
    let pasted = use_state(String::new);
    let outcome = use_state(|| None::<Result<Vec<String>, String>>);
    let oninput = {
        let pasted = pasted.clone();
        Callback::from(move |e: InputEvent| pasted.set(value_of(&e.into())))
    };
    let load = {
        let (pasted, outcome, on_load) = (pasted.clone(), outcome.clone(), props.on_load.clone());
        Callback::from(move |_: MouseEvent| match record_from_json(&pasted) {
            Ok((mut record, notes)) => {
                if record.principal_dx.is_none() {
                    record.principal_dx = Some(Diagnosis::default());
                }
                on_load.emit(record);
                outcome.set(Some(Ok(notes)));
            }
            Err(e) => outcome.set(Some(Err(e))),
        })
    };
    let copy = {
        let (record, outcome) = (props.record.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            let json = record_to_json(&record);
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&json);
            }
            outcome.set(Some(Ok(vec![
                "The record is on the clipboard as JSON.".into()
            ])));
        })
    };
    let clear = {
        let (on_load, outcome) = (props.on_load.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            on_load.emit(Record {
                setting: Some("inpatient".into()),
                principal_dx: Some(Diagnosis::default()),
                ..Record::default()
            });
            outcome.set(Some(Ok(vec!["The form is cleared.".into()])));
        })
    };
    html! {
        <details class="record-json">
            <summary>{ "Load, copy or clear the record (JSON)" }</summary>
            <div class="field">
                <label for="record-json">{ "Record JSON" }</label>
                <textarea id="record-json" rows="6" spellcheck="false" value={(*pasted).clone()} {oninput}
                    placeholder="{\"setting\": \"inpatient\", \"principal_dx\": {\"code\": \"I50.9\", \"poa\": \"Y\"}}" />
            </div>
            <div class="buttons">
                <button type="button" onclick={load}>{ "Load into the form" }</button>
                <button type="button" class="secondary" onclick={copy}>{ "Copy the record as JSON" }</button>
                <button type="button" class="secondary" onclick={clear}>{ "Clear the form" }</button>
            </div>
            { match &*outcome {
                None => Html::default(),
                Some(Ok(notes)) if notes.is_empty() => html! { <p role="status">{ "Loaded." }</p> },
                Some(Ok(notes)) => html! { <p role="status">{ notes.join(" ") }</p> },
                Some(Err(e)) => html! { <p role="alert" class="error">{ e.clone() }</p> },
            } }
        </details>
    }
}
