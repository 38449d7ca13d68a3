//! Search (home): one box, results as you type. Keyboard first: `/`
//! focuses the box, arrows move through the results, Enter opens one. A
//! pasted note (several statements) is read as a whole: its codes with
//! their evidence highlighted in its text, a verdict for each, and every
//! statement's alternatives below. The note never goes into the URL or any
//! storage; it stays in the page's memory ([`NoteDraft`]) so that a code's
//! view and back does not lose it.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use icd_core::search::{
    split_statements, Encounter, Patient, Setting, Sex, StatementResult, Suggestion, Via,
};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{NoteProcedures, NoteView};
use crate::desk::{use_desk, Decision, NoteDraft, RecordSeed, SearchAnswer};
use crate::protocol::{Request, RequestKind};
use crate::route::{Route, SearchQuery, System};

/// Milliseconds of quiet typing before a search is sent.
const DEBOUNCE_MS: u32 = 60;

/// Whether text is a note to read as a whole: more than one statement.
pub fn is_note(text: &str) -> bool {
    split_statements(text).len() > 1
}

/// The key a search is kept under.
fn search_key(setting: Setting, encounter: Encounter, q: &str) -> String {
    format!("{setting:?}|{encounter:?}|{q}")
}

/// The key a note reading is kept under.
fn note_key(setting: Setting, encounter: Encounter, patient: Patient, text: &str) -> String {
    format!(
        "{setting:?}|{encounter:?}|{:?}|{:?}|{text}",
        patient.age, patient.sex
    )
}

fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The search page.
#[function_component]
pub fn SearchPage() -> Html {
    let desk = use_desk();
    let navigator = use_navigator();
    let location = use_location();
    let draft = desk.state.draft.clone();
    let url_query = location
        .and_then(|l| l.query::<SearchQuery>().ok())
        .unwrap_or_default();
    let url_setting = url_query.setting;
    // CM or PCS: kept in the URL only (`&system=pcs`), like the setting.
    let system = url_query.system.unwrap_or_default();
    let pcs = system == System::Pcs;
    let url_q = url_query.q;
    let initial = Some(url_q.clone())
        .filter(|q| !q.is_empty())
        // Back from a code's view: the note is still in memory.
        .unwrap_or_else(|| {
            if is_note(&draft.text) {
                draft.text.clone()
            } else {
                String::new()
            }
        });
    let text = use_state(|| initial.clone());
    let setting = draft.setting;
    let encounter = draft.encounter;
    let patient = draft.patient();
    let selected = use_state(|| None::<usize>);
    let timer = use_mut_ref(|| None::<Timeout>);
    // What this page last wrote into the URL, to tell it from an edit of
    // the address bar (or a link) that must be followed.
    let written = use_mut_ref(|| initial.clone());
    let input_ref = use_node_ref();
    // A procedure statement is searched whole: notes are read as diagnoses.
    let note = !pcs && is_note(&text);
    let multiline = text.contains('\n') || note;

    // Sends the search or note reading for `q` after a pause; the URL
    // follows the box, except for a note, which never goes into it.
    let send = {
        let desk = desk.clone();
        let navigator = navigator.clone();
        let timer = timer.clone();
        let written = written.clone();
        Rc::new(move |q: String, delay: u32| {
            let desk = desk.clone();
            let navigator = navigator.clone();
            let written = written.clone();
            let fire = move || {
                let note = !pcs && is_note(&q);
                *written.borrow_mut() = if note { String::new() } else { q.clone() };
                if let Some(nav) = &navigator {
                    let query = SearchQuery {
                        q: if note { String::new() } else { q.clone() },
                        // Only a non-default setting is written.
                        setting: (setting != Setting::default()).then_some(setting),
                        system: pcs.then_some(System::Pcs),
                    };
                    let _ = nav.replace_with_query(&Route::Search, &query);
                }
                if q.trim().is_empty() {
                    return;
                }
                if pcs {
                    desk.ask(RequestKind::PcsSearch, q.clone(), |id| Request::PcsSearch {
                        id,
                        query: q,
                    });
                } else if note {
                    let key = note_key(setting, encounter, patient, &q);
                    desk.ask(RequestKind::ReadNote, key, |id| Request::ReadNote {
                        id,
                        text: q,
                        setting,
                        encounter,
                        patient,
                    });
                } else {
                    let key = search_key(setting, encounter, &q);
                    desk.ask(RequestKind::Search, key, |id| Request::Search {
                        id,
                        query: q,
                        setting,
                        encounter,
                    });
                }
            };
            *timer.borrow_mut() = Some(Timeout::new(delay, fire));
        })
    };

    // First render: the box gets focus.
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| focus(&input_ref));
    }
    // The box turns into a text area (or back): keep typing in it.
    {
        let input_ref = input_ref.clone();
        use_effect_with(multiline, move |_| focus_at_end(&input_ref));
    }
    // First render, or a setting changes: search (again).
    {
        let send = send.clone();
        let text = (*text).clone();
        use_effect_with((setting, encounter, patient, system), move |_| {
            // An empty box still writes a non-default setting into the URL.
            if !text.trim().is_empty() || setting != Setting::default() || pcs {
                send(text, 0);
            }
        });
    }
    // The URL's query changed from outside (the address bar edited from
    // `#/?q=chf` to `#/?q=copd`, a link): the box and results follow it.
    {
        let (send, text, written) = (send.clone(), text.clone(), written.clone());
        use_effect_with(url_q.clone(), move |q| {
            if *q != *written.borrow() && !q.is_empty() && *q != *text {
                *written.borrow_mut() = q.clone();
                text.set(q.clone());
                send(q.clone(), 0);
            }
        });
    }
    // The setting in the URL (a reload, a shared link) becomes the draft's.
    {
        let desk = desk.clone();
        use_effect_with(url_setting, move |s| {
            if let Some(s) = *s {
                if s != setting {
                    desk.edit_draft(Box::new(move |d: &mut NoteDraft| d.setting = s));
                }
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
    let pcs_hits = desk
        .state
        .pcs_search
        .as_ref()
        .filter(|_| pcs)
        .map(|a| a.value.clone());
    let current = if pcs {
        desk.state
            .pcs_search
            .as_ref()
            .is_some_and(|a| a.key == *text)
    } else if note {
        desk.state
            .note
            .as_ref()
            .is_some_and(|a| a.key == note_key(setting, encounter, patient, &text))
    } else {
        desk.state
            .search
            .as_ref()
            .is_some_and(|a| a.key == search_key(setting, encounter, &text))
    };
    // Every suggestion in display order, for the arrow keys (not for a note,
    // whose codes and alternatives are reached with Tab).
    let flat: Vec<String> = if let Some(hits) = &pcs_hits {
        hits.iter().map(crate::pages::pcs::hit_target).collect()
    } else {
        answer
            .as_ref()
            .filter(|_| !note)
            .map(|a| {
                a.results
                    .iter()
                    .flat_map(|r| r.suggestions.iter().flat_map(options_of))
                    .collect()
            })
            .unwrap_or_default()
    };

    let update = {
        let desk = desk.clone();
        move |f: Box<dyn Fn(&mut NoteDraft)>| desk.edit_draft(f)
    };
    let on_text = {
        let text = text.clone();
        let selected = selected.clone();
        let send = send.clone();
        let update = update.clone();
        move |value: String| {
            selected.set(None);
            text.set(value.clone());
            let typed = value.clone();
            update(Box::new(move |d| {
                if typed.is_empty() {
                    // Cleared: the note's verdicts go with it.
                    d.decisions.clear();
                    d.chosen.clear();
                }
                d.text = typed.clone();
            }));
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
            if (pasted.contains('\n') || is_note(&pasted))
                && input_ref.cast::<HtmlInputElement>().is_some()
            {
                // An <input> would drop the line breaks (and is too small
                // for a note): switch to a text area.
                e.prevent_default();
                on_text(pasted.replace("\r\n", "\n"));
            }
        })
    };
    let open = {
        let navigator = navigator.clone();
        move |code: String| {
            if let Some(nav) = &navigator {
                if pcs {
                    // A procedure opens in the code builder.
                    nav.push(&crate::pages::pcs::route_of(&code));
                } else {
                    nav.push(&Route::Code { code });
                }
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
    // Focus in the results (Tab reaches the current option): the arrows
    // move the focus from option to option, Enter opens, Escape and ↑ on
    // the first go back to the box.
    let on_results_key = {
        let (selected, flat, open, input_ref) = (
            selected.clone(),
            flat.clone(),
            open.clone(),
            input_ref.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            let Some(at) = option_index(e.target()) else {
                return;
            };
            let n = flat.len();
            let to = match e.key().as_str() {
                "ArrowDown" => Some((at + 1).min(n.saturating_sub(1))),
                "ArrowUp" if at == 0 => None,
                "ArrowUp" => Some(at - 1),
                "Home" => Some(0),
                "End" => Some(n.saturating_sub(1)),
                "Escape" => None,
                "Enter" | " " => {
                    e.prevent_default();
                    if let Some(code) = flat.get(at) {
                        open(code.clone());
                    }
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            match to {
                Some(i) if i < n => {
                    selected.set(Some(i));
                    focus_option(i);
                }
                _ => {
                    selected.set(None);
                    focus(&input_ref);
                }
            }
        })
    };
    let on_results_focus = {
        let selected = selected.clone();
        Callback::from(move |e: FocusEvent| {
            if let Some(i) = option_index(e.target()) {
                selected.set(Some(i));
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
        let update = update.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            update(Box::new(move |d| {
                d.setting = if v == "outpatient" {
                    Setting::Outpatient
                } else {
                    Setting::Inpatient
                }
            }));
        })
    };
    let on_encounter = {
        let update = update.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            update(Box::new(move |d| {
                d.encounter = match v.as_str() {
                    "subsequent" => Encounter::Subsequent,
                    "sequela" => Encounter::Sequela,
                    "ask" => Encounter::Ask,
                    _ => Encounter::Initial,
                }
            }));
        })
    };
    let on_age = {
        let update = update.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .map(|i| i.value())
                .unwrap_or_default();
            update(Box::new(move |d| d.age = v.trim().to_string()));
        })
    };
    let on_sex = {
        let update = update.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            update(Box::new(move |d| {
                d.sex = match v.as_str() {
                    "female" => Some(Sex::Female),
                    "male" => Some(Sex::Male),
                    _ => None,
                }
            }));
        })
    };

    let active = selected.map(|i| format!("result-{i}"));
    let controls = if note { "note-reading" } else { "results" };
    let box_html = if multiline {
        html! {
            <textarea id="search-box" ref={input_ref.clone()} class="search-box multiline" rows="6"
                aria-describedby="search-help" aria-controls={controls}
                aria-activedescendant={active.clone()} data-testid="search-box"
                value={(*text).clone()} {oninput} onkeydown={onkeydown.clone()} spellcheck="false" />
        }
    } else {
        html! {
            <input id="search-box" ref={input_ref.clone()} class="search-box" type="search"
                autocomplete="off" spellcheck="false" aria-describedby="search-help"
                aria-controls={controls} aria-activedescendant={active.clone()} data-testid="search-box"
                value={(*text).clone()} {oninput} onpaste={onpaste} onkeydown={onkeydown.clone()} />
        }
    };
    let on_system = {
        let (navigator, text) = (navigator.clone(), text.clone());
        Callback::from(move |to: System| {
            if let Some(nav) = &navigator {
                let query = SearchQuery {
                    q: if is_note(&text) {
                        String::new()
                    } else {
                        (*text).clone()
                    },
                    setting: (setting != Setting::default()).then_some(setting),
                    system: (to == System::Pcs).then_some(to),
                };
                let _ = nav.replace_with_query(&Route::Search, &query);
            }
        })
    };
    let results_html = match &answer {
        _ if pcs => match &pcs_hits {
            _ if !current
                && desk
                    .state
                    .unavailable
                    .as_ref()
                    .is_some_and(|u| u.key == *text) =>
            {
                let why = desk.state.unavailable.as_ref().map(|u| u.value.clone());
                html! {
                    <p class="error" role="alert" data-testid="pcs-unavailable">
                        { why.as_deref().map(String::as_str).unwrap_or_default() }
                    </p>
                }
            }
            Some(hits) if !text.trim().is_empty() => {
                let open = Callback::from(open.clone());
                crate::pages::pcs::pcs_results(hits, *selected, !current, &open)
            }
            _ => Html::default(),
        },
        Some(a) if !text.trim().is_empty() && !note => {
            render_results(a, *selected, !current, multiline, &open)
        }
        _ => Html::default(),
    };
    {
        // A note's procedure statements are coded by a second request, so
        // the diagnoses never wait for the PCS tables or their search.
        let desk = desk.clone();
        let pending = desk
            .state
            .note
            .as_ref()
            .filter(|a| !a.value.procedures_coded && !a.value.reading.procedures.is_empty())
            .map(|a| (a.key.clone(), a.value.reading.procedures.clone()));
        let key = pending.as_ref().map(|(k, _)| k.clone());
        use_effect_with(key, move |_| {
            if let Some((key, procedures)) = pending {
                desk.ask(RequestKind::NoteProcedures, key, |id| {
                    Request::NoteProcedures { id, procedures }
                });
            }
        });
    }
    let note_html = match desk.state.note.as_ref() {
        Some(a) if note => {
            let on_decide = {
                let update = update.clone();
                Callback::from(move |(code, d): (String, Option<Decision>)| {
                    update(Box::new(move |draft| match d {
                        Some(d) => {
                            draft.decisions.insert(code.clone(), d);
                        }
                        None => {
                            draft.decisions.remove(&code);
                        }
                    }))
                })
            };
            let on_choose = {
                let update = update.clone();
                Callback::from(move |(code, alt): (String, Option<String>)| {
                    update(Box::new(move |draft| match &alt {
                        Some(alt) => {
                            draft.chosen.insert(code.clone(), alt.clone());
                        }
                        None => {
                            draft.chosen.remove(&code);
                        }
                    }))
                })
            };
            let on_send = {
                let (desk, navigator) = (desk.clone(), navigator.clone());
                let patient = a.value.reading.patient;
                Callback::from(move |codes: Vec<String>| {
                    desk.seed_record(Some(RecordSeed {
                        codes,
                        setting,
                        patient,
                        ..RecordSeed::default()
                    }));
                    if let Some(nav) = &navigator {
                        nav.push(&Route::Record);
                    }
                })
            };
            // Why the PCS tables cannot be had, if the worker said so for this note.
            let unavailable = desk
                .state
                .unavailable
                .as_ref()
                .filter(|u| u.key == a.key && !a.value.procedures_coded)
                .map(|u| AttrValue::from(u.value.to_string()));
            let n = a.value.reading.statements.len();
            let alternatives = render_results(
                &SearchAnswer {
                    results: a.value.reading.statements.clone(),
                    summaries: a.value.summaries.clone(),
                },
                None,
                !current,
                true,
                &open,
            );
            html! {
                <>
                    <NoteView answer={a.value.clone()} stale={!current}
                        decisions={draft.decisions.clone()} chosen={draft.chosen.clone()}
                        {on_decide} {on_choose} {on_send} />
                    <NoteProcedures text={AttrValue::from(a.value.text.clone())}
                        procedures={a.value.reading.procedures.clone()}
                        coded={a.value.procedures_coded} {unavailable} />
                    <details class="alternatives" data-testid="alternatives">
                        <summary>{ format!("Statement by statement: the alternatives ({})", plural(n, "statement")) }</summary>
                        { alternatives }
                    </details>
                </>
            }
        }
        _ => Html::default(),
    };
    let read = desk
        .state
        .note
        .as_ref()
        .filter(|_| note && patient.age.is_none() && patient.sex.is_none())
        .map(|a| a.value.reading.patient)
        .filter(|p| p.age.is_some() || p.sex.is_some());
    let patient_html = if note {
        html! {
            <div class="note-patient">
                <label class="setting">{ "Age " }
                    <input id="note-age" type="number" min="0" max="124" inputmode="numeric"
                        value={draft.age.clone()} oninput={on_age} data-testid="note-age" />
                </label>
                <label class="setting">{ "Sex " }
                    <select onchange={on_sex} data-testid="note-sex">
                        <option value="" selected={draft.sex.is_none()}>{ "—" }</option>
                        <option value="female" selected={draft.sex == Some(Sex::Female)}>{ "Female" }</option>
                        <option value="male" selected={draft.sex == Some(Sex::Male)}>{ "Male" }</option>
                    </select>
                </label>
                if let Some(p) = read {
                    <span class="hint">{ format!("Read from the note: {}.", patient_words(p)) }</span>
                }
            </div>
        }
    } else {
        Html::default()
    };
    crate::pages::set_title(if text.is_empty() { "" } else { "Search" });
    html! {
        <section class="search-page">
            <h1 class="visually-hidden">{ "Search" }</h1>
            <div class="search-row">
                <label for="search-box" class="search-label">{ if pcs { "Search procedures (ICD-10-PCS)" } else { "Search diagnoses, terms or codes" } }</label>
                <div class="search-controls">
                    { box_html }
                    if !text.is_empty() {
                        <button type="button" class="secondary" onclick={clear}>{ "Clear" }</button>
                    }
                    <fieldset class="system-switch" data-testid="system">
                        <legend class="visually-hidden">{ "Classification" }</legend>
                        { for [(System::Cm, "cm", "CM diagnoses"), (System::Pcs, "pcs", "PCS procedures")].into_iter().map(|(sys, slug, label)| {
                            let onchange = {
                                let on_system = on_system.clone();
                                Callback::from(move |_: Event| on_system.emit(sys))
                            };
                            html! {
                                <label class="setting">
                                    <input type="radio" name="system" value={slug} checked={system == sys} {onchange}
                                        data-testid={format!("system-{slug}")} />
                                    { " " }{ label }
                                </label>
                            }
                        }) }
                    </fieldset>
                    if !pcs {
                    <label class="setting">{ "Setting " }
                        <select onchange={on_setting} data-testid="setting">
                            <option value="inpatient" selected={setting == Setting::Inpatient}>{ "Inpatient" }</option>
                            <option value="outpatient" selected={setting == Setting::Outpatient}>{ "Outpatient" }</option>
                        </select>
                    </label>
                    <label class="setting">{ "Encounter " }
                        <select onchange={on_encounter} data-testid="encounter">
                            <option value="initial" selected={encounter == Encounter::Initial}>{ "Initial" }</option>
                            <option value="subsequent" selected={encounter == Encounter::Subsequent}>{ "Subsequent" }</option>
                            <option value="sequela" selected={encounter == Encounter::Sequela}>{ "Sequela" }</option>
                            <option value="ask" selected={encounter == Encounter::Ask}>{ "Ask (no 7th character assumed)" }</option>
                        </select>
                    </label>
                    }
                </div>
                { patient_html }
                <p id="search-help" class="hint">
                    if pcs {
                        { "Type a procedure (\"laparoscopic appendectomy\", \"open reduction of femur fracture\"). ↑ ↓ choose, Enter opens the code builder at it: an axis the words leave open is chosen there." }
                    } else {
                    { "Type a diagnosis (\"chf\", \"type 2 diabetes with ckd 3\") or a code. Press / to come back here, ↑ ↓ to choose, Enter to open. Paste a note or problem list to code it as a whole: the note stays in this page's memory only." }
                    }
                </p>
            </div>
            if note {
                <div id="note-reading" aria-busy={(!current).to_string()}>{ note_html }</div>
            } else {
                <div id="results" aria-live="polite" aria-busy={(!current).to_string()}
                    onkeydown={on_results_key} onfocusin={on_results_focus}>{ results_html }</div>
            }
        </section>
    }
}

/// "78, male" for the patient read from a note.
fn patient_words(p: Patient) -> String {
    let sex = p.sex.map(|s| match s {
        Sex::Male => "male",
        Sex::Female => "female",
    });
    match (p.age, sex) {
        (Some(a), Some(s)) => format!("age {a}, {s}"),
        (Some(a), None) => format!("age {a}"),
        (None, Some(s)) => s.to_string(),
        (None, None) => String::new(),
    }
}

/// "1 statement", "3 statements".
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn focus(node: &NodeRef) {
    if let Some(el) = node.cast::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// Focuses the box with the caret after the text.
fn focus_at_end(node: &NodeRef) {
    focus(node);
    if let Some(t) = node.cast::<HtmlTextAreaElement>() {
        let n = t.value().encode_utf16().count() as u32;
        let _ = t.set_selection_range(n, n);
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
                    n += options_of(s).len();
                    let summary = summaries.get(i).cloned().unwrap_or_default();
                    suggestion(s, index, selected, summary, open)
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
    selected_at: Option<usize>,
    summary: String,
    open: &(impl Fn(String) + Clone + 'static),
) -> Html {
    let selected = selected_at == Some(index);
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
    let choices = options_of(s).into_iter().skip(1).enumerate().map(|(k, code)| {
        let at = index + 1 + k;
        let chosen = selected_at == Some(at);
        let onclick = {
            let (open, code) = (open.clone(), code.clone());
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                open(code.clone());
            })
        };
        html! {
            <span id={format!("result-{at}")} role="option" aria-selected={chosen.to_string()}
                tabindex={tab_stop(selected_at, at)} class={classes!("choice", chosen.then_some("selected"))}
                {onclick} data-testid="choice">{ code }</span>
        }
    });
    html! {
        <>
            <li id={format!("result-{index}")} role="option" aria-selected={selected.to_string()}
                tabindex={tab_stop(selected_at, index)}
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
            </li>
            if !s.billable && !s.choices.is_empty() {
                <li role="group" class="choices" aria-label={format!("Choose a code of {}", s.code)}>
                    <span aria-hidden="true">{ "Choose: " }</span>{ for choices }
                </li>
            }
        </>
    }
}

/// The codes a suggestion offers to the arrow keys, in order: its own,
/// then, for a code that is not billable, its billable choices.
fn options_of(s: &Suggestion) -> Vec<String> {
    let mut codes = vec![s.code.clone()];
    if !s.billable {
        codes.extend(s.choices.iter().cloned());
    }
    codes
}

/// Roving tab stop: the option the arrows are on (the first when none is)
/// is the one Tab reaches; the others are reached with the arrows.
pub(crate) fn tab_stop(selected: Option<usize>, at: usize) -> &'static str {
    if selected.unwrap_or(0) == at {
        "0"
    } else {
        "-1"
    }
}

/// The index of the result option an event happened in (`result-{i}`).
fn option_index(target: Option<web_sys::EventTarget>) -> Option<usize> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let option = el.closest("[role=option]").ok()??;
    option.id().strip_prefix("result-")?.parse().ok()
}

/// Moves the focus to result option `i`.
fn focus_option(i: usize) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("result-{i}")))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}
