//! Components rendered in a real browser (headless Chromium):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p icd-desk`.
//!
//! Reports are built by hand, as `Library::lookup` would return them, so the
//! tests need no artifacts.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use icd_core::lookup::{CodeRef, CodeReport, NoteReport, SeventhChoice, SeventhReport};
use icd_core::tabular::{NodeKind, NoteKind};
use icd_desk::app::ReleaseNotice;
use icd_desk::components::{
    CodeView, CodeViewProps, Footer, FooterProps, LoadErrorProps, LoadErrorView,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn code_ref(code: &str, title: &str, billable: bool) -> CodeRef {
    CodeRef {
        code: code.into(),
        title: title.into(),
        billable,
    }
}

fn note(kind: NoteKind, text: &str, from: &str, inherited: bool) -> NoteReport {
    NoteReport {
        kind,
        label: kind.label().to_string(),
        text: text.into(),
        from: from.into(),
        inherited,
    }
}

/// E11.22 as the 2026 tabular reports it, trimmed.
fn e11_22() -> CodeReport {
    CodeReport {
        code: "E11.22".into(),
        title: "Type 2 diabetes mellitus with diabetic chronic kidney disease".into(),
        kind: NodeKind::Code,
        billable: true,
        path: vec![
            code_ref(
                "Chapter 4",
                "Endocrine, nutritional and metabolic diseases (E00-E89)",
                false,
            ),
            code_ref("E08-E13", "Diabetes mellitus (E08-E13)", false),
            code_ref("E11", "Type 2 diabetes mellitus", false),
            code_ref(
                "E11.2",
                "Type 2 diabetes mellitus with kidney complications",
                false,
            ),
        ],
        children: vec![],
        billable_children: vec![],
        notes: vec![
            note(
                NoteKind::Excludes1,
                "diabetes mellitus due to underlying condition (E08.-)",
                "E11",
                true,
            ),
            note(
                NoteKind::UseAdditionalCode,
                "code to identify stage of chronic kidney disease (N18.1-N18.6)",
                "E11.22",
                false,
            ),
        ],
        seventh: None,
        validity_periods: vec![],
        validity: None,
        mce_flags: vec![],
    }
}

/// S52.521, which needs a 7th character.
fn s52_521() -> CodeReport {
    let choice = |ch: char, meaning: &str| SeventhChoice {
        ch,
        meaning: meaning.into(),
        code: format!("S52.521{ch}"),
    };
    CodeReport {
        code: "S52.521".into(),
        title: "Torus fracture of lower end of right radius".into(),
        kind: NodeKind::Subcategory,
        billable: false,
        path: vec![code_ref("S52", "Fracture of forearm", false)],
        children: vec![code_ref(
            "S52.521A",
            "Torus fracture of lower end of right radius, initial encounter for closed fracture",
            true,
        )],
        billable_children: vec![code_ref(
            "S52.521A",
            "Torus fracture of lower end of right radius, initial encounter for closed fracture",
            true,
        )],
        notes: vec![],
        seventh: Some(SeventhReport {
            defined_at: "S52.52".into(),
            options: vec![
                choice('A', "initial encounter for closed fracture"),
                choice('S', "sequela"),
            ],
        }),
        validity_periods: vec![],
        validity: None,
        mce_flags: vec![],
    }
}

/// Renders a component into a fresh div and waits for Yew to paint it.
async fn render<C>(props: C::Properties) -> Element
where
    C: BaseComponent,
{
    let document = document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    root
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

#[wasm_bindgen_test]
async fn code_view_shows_title_badge_path_and_notes() {
    let props = CodeViewProps {
        report: Rc::new(e11_22()),
        on_select: Callback::noop(),
    };
    let root = render::<CodeView>(props).await;
    assert_eq!(
        by_testid(&root, "code-title").text_content().unwrap(),
        "Type 2 diabetes mellitus with diabetic chronic kidney disease"
    );
    assert_eq!(
        by_testid(&root, "billable-badge").text_content().unwrap(),
        "Billable"
    );
    let notes = by_testid(&root, "notes").text_content().unwrap();
    assert!(
        notes.contains("From E11") && notes.contains("inherited"),
        "{notes}"
    );
    assert!(
        notes.contains("Excludes1 diabetes mellitus due to underlying condition (E08.-)"),
        "{notes}"
    );
    assert!(
        notes.contains("At this code") && notes.contains("Use additional code"),
        "{notes}"
    );
    // Own notes first, inherited after.
    assert!(
        notes.find("At this code") < notes.find("From E11"),
        "{notes}"
    );
    let text = root.text_content().unwrap();
    assert!(
        text.contains("E11.2 Type 2 diabetes mellitus with kidney complications"),
        "{text}"
    );
    assert!(root
        .query_selector("[data-testid='seventh-options']")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn picking_a_seventh_character_builds_the_full_code() {
    let chosen = Rc::new(RefCell::new(Vec::<String>::new()));
    let on_select = {
        let chosen = chosen.clone();
        Callback::from(move |code: String| chosen.borrow_mut().push(code))
    };
    let root = render::<CodeView>(CodeViewProps {
        report: Rc::new(s52_521()),
        on_select,
    })
    .await;
    assert_eq!(
        by_testid(&root, "billable-badge").text_content().unwrap(),
        "Not billable"
    );
    let seventh = by_testid(&root, "seventh-options");
    assert!(seventh
        .text_content()
        .unwrap()
        .contains("Defined at S52.52"));
    let labels: Vec<String> = (0..seventh.query_selector_all("label").unwrap().length())
        .map(|i| {
            seventh
                .query_selector_all("label")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(
        labels,
        ["A — initial encounter for closed fracture", "S — sequela"]
    );
    assert_eq!(
        by_testid(&root, "built-code").text_content().unwrap(),
        "choose a 7th character"
    );
    let radio: HtmlElement = seventh
        .query_selector("input[type=radio]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    radio.click();
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        by_testid(&root, "built-code").text_content().unwrap(),
        "S52.521A"
    );
    assert!(seventh.text_content().unwrap().contains("Copy S52.521A"));
    // A child is a link to its view; clicking it reports the code.
    let child: HtmlElement = by_testid(&root, "children")
        .query_selector("a")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(
        child.get_attribute("href").as_deref(),
        Some("#/code/S52.521A")
    );
    child.click();
    assert_eq!(*chosen.borrow(), ["S52.521A"]);
}

#[wasm_bindgen_test]
async fn codes_in_note_text_are_links() {
    let root = render::<CodeView>(CodeViewProps {
        report: Rc::new(e11_22()),
        on_select: Callback::noop(),
    })
    .await;
    let notes = by_testid(&root, "notes");
    let links = notes.query_selector_all("a").unwrap();
    let hrefs: Vec<String> = (0..links.length())
        .map(|i| {
            links
                .item(i)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
                .get_attribute("href")
                .unwrap()
        })
        .collect();
    // The code's own note (use additional code N18.1-N18.6) comes first.
    assert_eq!(hrefs, ["#/code/N18.1", "#/code/N18.6", "#/code/E08"]);
}

#[wasm_bindgen_test]
async fn load_error_shows_the_workers_message() {
    let message = "Could not fetch data/tabular.icdx: the server answered 404 Not Found.";
    let root = render::<LoadErrorView>(LoadErrorProps {
        message: message.into(),
    })
    .await;
    let alert = root.query_selector("[role=alert]").unwrap().unwrap();
    assert!(alert.text_content().unwrap().contains(message));
}

#[wasm_bindgen_test]
async fn footer_lists_releases_and_the_privacy_sentence() {
    let releases = vec![("Tabular List".into(), "ICD-10-CM 2026-04".into())];
    let root = render::<Footer>(FooterProps {
        releases: releases.clone(),
        coverage_end: Some("2026-09-30".into()),
    })
    .await;
    let text = root.text_content().unwrap();
    assert!(
        by_testid(&root, "coverage")
            .text_content()
            .unwrap_or_default()
            .contains("up to 2026-09-30"),
        "{text}"
    );
    let unknown = render::<Footer>(FooterProps {
        releases: releases.clone(),
        coverage_end: None,
    })
    .await;
    assert!(unknown
        .query_selector("[data-testid='coverage']")
        .unwrap()
        .is_none());
    assert!(
        text.contains("Nothing you type leaves this device."),
        "{text}"
    );
    assert!(
        text.contains("Tabular List") && text.contains("ICD-10-CM 2026-04"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn routes_round_trip() {
    use icd_desk::route::Route;
    use yew_router::Routable;
    for route in [
        Route::Search,
        Route::Code {
            code: "S52.521A".into(),
        },
        Route::Letter { letter: "F".into() },
        Route::Term {
            tree: "index".into(),
            id: 4711,
        },
        Route::Table {
            tree: "drug".into(),
        },
        Route::Validate,
        Route::Record,
        Route::Rules,
        Route::Rule {
            id: "mce.age_conflict".into(),
        },
    ] {
        assert_eq!(
            Route::recognize(&route.to_path()),
            Some(route.clone()),
            "{route:?}"
        );
    }
    assert_eq!(Route::recognize("/nowhere/at/all"), Some(Route::NotFound));
}

#[wasm_bindgen_test]
fn stale_replies_are_dropped_per_kind() {
    use icd_desk::protocol::{Numbering, RequestKind};
    let mut ids = Numbering::default();
    let first = ids.next(RequestKind::Search);
    let lookup = ids.next(RequestKind::Lookup);
    let second = ids.next(RequestKind::Search);
    assert!(!ids.accept(RequestKind::Search, first));
    assert!(ids.accept(RequestKind::Search, second));
    // A newer search does not make the pending lookup stale.
    assert!(ids.accept(RequestKind::Lookup, lookup));
    assert!(!ids.accept(RequestKind::Validate, lookup));
}

#[wasm_bindgen_test]
fn requests_know_their_id_and_kind() {
    use icd_desk::protocol::{Request, RequestId, RequestKind};
    let request = Request::Validate {
        id: RequestId(7),
        codes: "E11".into(),
        date: "2026-04-01".into(),
    };
    assert_eq!(request.id(), RequestId(7));
    assert_eq!(request.kind(), RequestKind::Validate);
}

/// What crosses the worker boundary comes back equal, including the record
/// model's flattened unknown fields and the reports' nested types.
#[wasm_bindgen_test]
fn messages_survive_the_worker_codec() {
    use gloo_worker::Codec;
    use icd_core::record::Record;
    use icd_desk::protocol::{JsCodec, LookupReply, Reply, Request, RequestId};
    let record: Record = serde_json::from_str(
        r#"{"setting":"inpatient","patient":{"age":"67","sex":"F","shoe":"9"},
            "principal_dx":{"code":"I50.9","poa":"Y"},
            "secondary_dx":[{"code":"E11.22","poa":"N"}],"colour":"blue"}"#,
    )
    .unwrap();
    assert_eq!(record.unknown_fields(), ["colour", "patient.shoe"]);
    let request = Request::Check {
        id: RequestId(3),
        record: Box::new(record.clone()),
        today: "2026-11-25".into(),
    };
    let back: Request = JsCodec::decode(JsCodec::encode(&request));
    let Request::Check { record: got, .. } = back else {
        panic!("not a check request");
    };
    // Unknown fields are reported by the editor, not carried across.
    assert_eq!(got.principal_dx, record.principal_dx);
    assert_eq!(got.secondary_dx, record.secondary_dx);
    assert_eq!(got.patient.age, record.patient.age);
    let reply = Reply::Lookup {
        id: RequestId(4),
        reply: LookupReply::Found(Box::new(s52_521())),
    };
    assert_eq!(JsCodec::decode::<Reply>(JsCodec::encode(&reply)), reply);
}

#[wasm_bindgen_test]
fn note_summary_names_instructions_and_missing_seventh() {
    use icd_desk::summary::note_summary;
    assert_eq!(note_summary(&e11_22()), "Excludes1 · use additional code");
    assert_eq!(note_summary(&s52_521()), "7th character required");
}

/// Answers land under the key they were asked with; an answer nobody asked
/// for (or asked for twice) changes nothing.
#[wasm_bindgen_test]
fn desk_keeps_answers_under_their_key() {
    use icd_desk::desk::{DeskAction, DeskState};
    use icd_desk::protocol::{LookupReply, Progress, Reply, RequestId};
    use yew::functional::Reducible;
    let state = Rc::new(DeskState::default());
    assert!(!state.ready());
    let state = state.reduce(DeskAction::Asked(RequestId(1), "S52.521".into()));
    let reply = Reply::Lookup {
        id: RequestId(1),
        reply: LookupReply::Found(Box::new(s52_521())),
    };
    let state = state.reduce(DeskAction::Replied(reply.clone()));
    let answer = state.lookup.as_ref().expect("the lookup answer is kept");
    assert_eq!(answer.key, "S52.521");
    let before = state.clone();
    let state = state.reduce(DeskAction::Replied(reply));
    assert!(
        Rc::ptr_eq(&before, &state),
        "a second answer to the same request is ignored"
    );
    let state = state.reduce(DeskAction::Replied(Reply::Progress(Progress::Failed {
        message: "no data".into(),
    })));
    assert!(!state.ready());
    assert_eq!(
        state.lookup.as_ref().map(|a| a.key.as_str()),
        Some("S52.521")
    );
}

/// A request whose optional file the site could not load (pcs.icdx) gets
/// an answer that says so, kept under the page's key, instead of nothing.
#[wasm_bindgen_test]
fn desk_keeps_why_a_file_is_missing_under_the_key() {
    use icd_desk::desk::{DeskAction, DeskState};
    use icd_desk::protocol::{Reply, RequestId, RequestKind};
    use yew::functional::Reducible;
    let state = Rc::new(DeskState::default());
    let state = state.reduce(DeskAction::Asked(RequestId(7), "0DT".into()));
    let state = state.reduce(DeskAction::Replied(Reply::Unavailable {
        id: RequestId(7),
        kind: RequestKind::PcsBuild,
        why: "This site could not load pcs.icdx".into(),
    }));
    let u = state.unavailable.as_ref().expect("the reason is kept");
    assert_eq!(u.key, "0DT");
    assert!(u.value.contains("pcs.icdx"), "{}", u.value);
    assert!(state.pcs_build.is_none(), "no builder answer is made up");
}

/// Sends the window event static/boot.js makes of the service worker's
/// message, as `{ replaced, changed }`.
fn announce_release(replaced: bool, changed: &[&str]) {
    let detail = js_sys::Object::new();
    js_sys::Reflect::set(&detail, &"version".into(), &"test".into()).unwrap();
    js_sys::Reflect::set(&detail, &"replaced".into(), &replaced.into()).unwrap();
    let list: js_sys::Array = changed.iter().map(|c| JsValue::from_str(c)).collect();
    js_sys::Reflect::set(&detail, &"changed".into(), &list).unwrap();
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    let event = web_sys::CustomEvent::new_with_event_init_dict("icd-desk:release", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn a_release_installed_under_the_page_asks_for_a_reload() {
    let root = render::<ReleaseNotice>(()).await;
    let settle = || yew::platform::time::sleep(Duration::from_millis(20));
    // The first visit's release replaces nothing: no banner.
    announce_release(false, &["./index.html", "./data/tabular.icdx"]);
    settle().await;
    assert_eq!(root.text_content().unwrap(), "");
    // A new data release names the files that changed.
    announce_release(
        true,
        &["./index.html", "./data/tabular.icdx", "./data/search.icdx"],
    );
    settle().await;
    let status = root
        .query_selector("[role=status]")
        .unwrap()
        .expect("a banner");
    let text = status.text_content().unwrap();
    assert!(
        text.contains("new data release") && text.contains("tabular.icdx, search.icdx"),
        "{text}"
    );
    assert!(text.contains("Reload to use it."), "{text}");
    // "Later" puts it away.
    let later = root.query_selector("button.secondary").unwrap().unwrap();
    later.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    settle().await;
    assert_eq!(root.text_content().unwrap(), "");
    // A new version of the app alone says so without naming data.
    announce_release(true, &["./worker_bg.wasm"]);
    settle().await;
    let text = root.text_content().unwrap();
    assert!(
        text.contains("A new version of ICD Desk is installed."),
        "{text}"
    );
}

/// A note reading as the worker would send it: two codes, one of them
/// from a span the denied "chest pain" is not part of.
fn diabetes_note() -> icd_desk::desk::NoteAnswer {
    use icd_core::search::{Evidence, NoteCode, NoteReading, Patient};
    let code = |code: &str, title: &str, start: usize, end: usize| NoteCode {
        code: code.into(),
        title: title.into(),
        confidence: 0.87,
        evidence: vec![Evidence {
            start,
            end,
            statement: 1,
            path: title.into(),
        }],
        assumed: None,
        choices: vec![],
        uncertain: false,
    };
    icd_desk::desk::NoteAnswer {
        text: "Denies chest pain. Type 2 diabetes on insulin.".into(),
        reading: NoteReading {
            statements: vec![],
            codes: vec![
                code(
                    "E11.9",
                    "Type 2 diabetes mellitus without complications",
                    19,
                    34,
                ),
                code("Z79.4", "Long term (current) use of insulin", 38, 45),
            ],
            patient: Patient::default(),
            procedures: vec![],
        },
        summaries: vec![],
        procedures_coded: true,
    }
}

#[wasm_bindgen_test]
async fn a_notes_procedures_wait_for_the_pcs_tables_then_link_to_the_builder() {
    use icd_desk::components::{NoteProcedures, NoteProceduresProps};
    let text = "Appendicitis. Laparoscopic appendectomy was performed.";
    let procedure = icd_core::search::NoteProcedure {
        statement: 1,
        start: 27,
        end: 39,
        text: "Laparoscopic appendectomy was performed".into(),
        hits: vec![],
    };
    let props = |coded: bool, hits: Vec<icd_core::pcs::search::Hit>| NoteProceduresProps {
        text: text.into(),
        procedures: vec![icd_core::search::NoteProcedure {
            hits,
            ..procedure.clone()
        }],
        coded,
        unavailable: None,
    };
    let waiting = render::<NoteProcedures>(props(false, vec![])).await;
    let shown = by_testid(&waiting, "note-procedures")
        .text_content()
        .unwrap();
    assert!(shown.contains("“appendectomy”"), "{shown}");
    assert!(shown.contains("Fetching the ICD-10-PCS tables"), "{shown}");
    let hit = icd_core::pcs::search::Hit {
        code: "0DTJ4ZZ".parse().unwrap(),
        title: "Resection of Appendix, Percutaneous Endoscopic Approach".into(),
        score: 1.0,
        open: vec![6, 7],
        table: "0DT".into(),
        via: vec![],
    };
    let coded = render::<NoteProcedures>(props(true, vec![hit])).await;
    let link = coded
        .query_selector(".pcs-choices a.code")
        .unwrap()
        .unwrap();
    assert_eq!(link.text_content().unwrap(), "0DTJ4ZZ");
    // The builder at the code before the first open axis.
    assert_eq!(link.get_attribute("href").unwrap(), "#/pcs/0DTJ4");
    let shown = by_testid(&coded, "note-procedures").text_content().unwrap();
    assert!(!shown.contains("Fetching"), "{shown}");
    let none = render::<NoteProcedures>(props(true, vec![])).await;
    let shown = by_testid(&none, "note-procedures").text_content().unwrap();
    assert!(shown.contains("No ICD-10-PCS code found"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_note_marks_its_evidence_and_reports_verdicts() {
    use icd_desk::components::{NoteView, NoteViewProps};
    use icd_desk::desk::Decision;
    let decided = Rc::new(RefCell::new(Vec::new()));
    let on_decide = {
        let decided = decided.clone();
        Callback::from(move |d: (String, Option<Decision>)| decided.borrow_mut().push(d))
    };
    let mut decisions = std::collections::BTreeMap::new();
    decisions.insert("Z79.4".to_string(), Decision::Accepted);
    let root = render::<NoteView>(NoteViewProps {
        answer: Rc::new(diabetes_note()),
        stale: false,
        decisions,
        chosen: Default::default(),
        on_decide,
        on_choose: Callback::noop(),
        on_send: Callback::noop(),
    })
    .await;
    let marks = root
        .query_selector_all("[data-testid='evidence-span']")
        .unwrap();
    let texts: Vec<(String, String)> = (0..marks.length())
        .map(|i| {
            let m: Element = marks.get(i).unwrap().dyn_into().unwrap();
            (
                m.text_content().unwrap(),
                m.get_attribute("data-codes").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            ("Type 2 diabetes".to_string(), "E11.9".to_string()),
            ("insulin".to_string(), "Z79.4".to_string()),
        ]
    );
    let text = by_testid(&root, "note-text").text_content().unwrap();
    assert!(text.starts_with("Denies chest pain. "), "{text}");
    assert_eq!(
        by_testid(&root, "note-counts").text_content().unwrap(),
        "2 codes: 1 accepted, 0 rejected, 1 undecided."
    );
    let accept: HtmlElement = root
        .query_selector("[data-code='E11.9'] [data-testid='accept']")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    accept.click();
    let again: HtmlElement = root
        .query_selector("[data-code='Z79.4'] [data-testid='accept']")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    // Accept on an accepted code makes it undecided again.
    again.click();
    assert_eq!(
        *decided.borrow(),
        [
            ("E11.9".to_string(), Some(Decision::Accepted)),
            ("Z79.4".to_string(), None),
        ]
    );
    let link = root
        .query_selector("mark[data-codes='E11.9'] + sup a")
        .unwrap()
        .unwrap();
    assert_eq!(link.get_attribute("href").unwrap(), "#/code/E11.9");
}

#[wasm_bindgen_test]
async fn rules_page_lists_every_rule_and_opens_the_one_linked() {
    use icd_core::record::rules::RULES;
    use icd_desk::pages::rules::{Props, RulesPage};
    let open = RULES[RULES.len() / 2];
    let root = render::<RulesPage>(Props {
        id: open.id.to_string(),
    })
    .await;
    let entries = root.query_selector_all(".rule").unwrap();
    assert_eq!(entries.length() as usize, RULES.len());
    let opened = root
        .query_selector(".rule.open")
        .unwrap()
        .expect("the linked rule is open");
    let text = opened.text_content().unwrap_or_default();
    assert!(text.contains(open.id), "{text}");
    assert!(text.contains(open.explanation), "{text}");
    assert!(text.contains(&open.authority.to_string()), "{text}");
    // Only the linked one shows its explanation.
    assert_eq!(
        root.query_selector_all(".rule-explanation")
            .unwrap()
            .length(),
        1
    );
    let unknown = render::<RulesPage>(Props {
        id: "no.such_rule".into(),
    })
    .await;
    let alert = unknown
        .query_selector("[role=alert]")
        .unwrap()
        .expect("an unknown id is said");
    assert!(alert
        .text_content()
        .unwrap_or_default()
        .contains("no.such_rule"));
}

// ---------------------------------------------------------------------------
// The ICD-10-PCS code builder (src/pages/pcs.rs), on steps built by hand as
// `icd_core::pcs::builder::build` gives them for table 0DT, cut down.

fn offer(ch: char, label: &str, definition: &str) -> icd_core::pcs::Offer {
    icd_core::pcs::Offer {
        ch,
        label: label.into(),
        definition: definition.into(),
        includes: vec![],
    }
}

/// The builder at `code`: axes 1-4 of 0DTJ chosen, approach 0 or 4, one
/// device and one qualifier.
fn build_0dtj(code: &str) -> icd_core::pcs::builder::Build {
    use icd_core::pcs::builder::{Build, Step};
    let axes: [(&str, Vec<icd_core::pcs::Offer>); 7] = [
        (
            "Section",
            vec![
                offer('0', "Medical and Surgical", ""),
                offer('B', "Imaging", ""),
            ],
        ),
        (
            "Body System",
            vec![
                offer('D', "Gastrointestinal System", ""),
                offer('F', "Hepatobiliary System and Pancreas", ""),
            ],
        ),
        (
            "Operation",
            vec![
                offer(
                    'B',
                    "Excision",
                    "Cutting out or off, without replacement, a portion of a body part",
                ),
                offer(
                    'T',
                    "Resection",
                    "Cutting out or off, without replacement, all of a body part",
                ),
            ],
        ),
        (
            "Body Part",
            vec![offer('J', "Appendix", ""), offer('N', "Sigmoid Colon", "")],
        ),
        (
            "Approach",
            vec![
                offer('0', "Open", "Cutting through the skin or mucous membrane"),
                offer(
                    '4',
                    "Percutaneous Endoscopic",
                    "Entry, by puncture or minor incision",
                ),
            ],
        ),
        ("Device", vec![offer('Z', "No Device", "")]),
        ("Qualifier", vec![offer('Z', "No Qualifier", "")]),
    ];
    let steps = axes
        .into_iter()
        .enumerate()
        .map(|(i, (title, offers))| Step {
            pos: i as u8 + 1,
            title: title.into(),
            only: offers.len() == 1,
            offers,
            chosen: code.chars().nth(i),
        })
        .collect();
    Build {
        asked: code.into(),
        code: code.into(),
        typed: code.len(),
        steps,
        invalid: None,
    }
}

fn pcs_report(code: &str, in_tables: bool) -> icd_core::pcs::report::PcsReport {
    icd_core::pcs::report::PcsReport {
        code: code.parse().unwrap(),
        in_tables,
        title: in_tables.then(|| "Resection of Appendix, Percutaneous Endoscopic Approach".into()),
        note: (!in_tables).then(|| {
            format!("{code} is listed by the MCE master but no row of the Tables allows it")
        }),
        axes: vec![],
        operation: None,
        approach: None,
        body_part_key: vec![],
        device_key: vec![],
        device_aggregation: vec![],
        validity_periods: vec![icd_core::lookup::ValidityPeriod {
            start: "2026-04-01".parse().unwrap(),
            end: None,
        }],
        validity: None,
        mce_flags: vec![],
    }
}

fn key(target: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

#[wasm_bindgen_test]
fn one_axis_back_skips_the_values_that_were_the_only_ones() {
    use icd_desk::pages::pcs::back_prefix;
    assert_eq!(back_prefix(&build_0dtj("0DTJ4ZZ")), "0DTJ");
    assert_eq!(back_prefix(&build_0dtj("0DTJ")), "0DT");
    assert_eq!(back_prefix(&build_0dtj("0")), "");
    assert_eq!(back_prefix(&build_0dtj("")), "");
}

#[wasm_bindgen_test]
fn a_search_hit_leads_to_the_builder_before_its_first_open_axis() {
    use icd_desk::pages::pcs::hit_target;
    let hit = |open: Vec<u8>| icd_core::pcs::search::Hit {
        code: "0DTJ4ZZ".parse().unwrap(),
        title: "Resection of Appendix, Percutaneous Endoscopic Approach".into(),
        score: 1.0,
        open,
        table: "0DT".into(),
        via: vec![],
    };
    assert_eq!(hit_target(&hit(vec![6, 7])), "0DTJ4");
    assert_eq!(hit_target(&hit(vec![7, 5])), "0DTJ");
    assert_eq!(hit_target(&hit(vec![])), "0DTJ4ZZ");
}

#[wasm_bindgen_test]
async fn the_builder_offers_the_next_axis_and_is_driven_by_the_keyboard() {
    use icd_desk::pages::pcs::{PcsBuilder, PcsBuilderProps};
    use icd_desk::protocol::PcsBuildReply;
    let chosen = Rc::new(RefCell::new(Vec::<String>::new()));
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |p: String| chosen.borrow_mut().push(p))
    };
    let root = render::<PcsBuilder>(PcsBuilderProps {
        reply: Rc::new(PcsBuildReply {
            build: build_0dtj("0DTJ"),
            report: None,
        }),
        stale: false,
        on_choose,
        on_add: Callback::noop(),
    })
    .await;
    let settle = || yew::platform::time::sleep(Duration::from_millis(20));
    // Chosen axes show their value; the later ones their only value.
    let step = |n: u8| {
        by_testid(&root, &format!("pcs-step-{n}"))
            .text_content()
            .unwrap()
    };
    assert!(
        step(3).contains("Operation") && step(3).contains("Resection"),
        "{}",
        step(3)
    );
    assert!(step(4).contains("Appendix"), "{}", step(4));
    assert!(
        step(6).contains("No Device") && step(6).contains("only value"),
        "{}",
        step(6)
    );
    assert_eq!(
        by_testid(&root, "pcs-code").text_content().unwrap(),
        "0DTJ___"
    );
    // The approach is the step to choose: a listbox with the focus.
    let list = by_testid(&root, "pcs-current");
    assert_eq!(list.get_attribute("role").as_deref(), Some("listbox"));
    let active = document().active_element().unwrap();
    assert_eq!(
        active.id(),
        "pcs-current",
        "the step to choose has the focus"
    );
    let options = list.query_selector_all("[role=option]").unwrap();
    let chars: Vec<String> = (0..options.length())
        .map(|i| {
            options
                .item(i)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
                .get_attribute("data-ch")
                .unwrap()
        })
        .collect();
    assert_eq!(chars, ["0", "4"]);
    assert!(list
        .text_content()
        .unwrap()
        .contains("Entry, by puncture or minor incision"));
    // ↓ then Enter chooses the second value.
    key(&list, "ArrowDown");
    settle().await;
    assert_eq!(
        list.get_attribute("aria-activedescendant").as_deref(),
        Some("pcs-opt-1")
    );
    key(&list, "Enter");
    // A value's character moves to it; Enter chooses it.
    key(&list, "ArrowUp");
    settle().await;
    key(&list, "4");
    settle().await;
    key(&list, "Enter");
    // Backspace goes one axis back.
    key(&list, "Backspace");
    assert_eq!(*chosen.borrow(), ["0DTJ4", "0DTJ4", "0DT"]);
}

#[wasm_bindgen_test]
async fn a_finished_code_shows_its_title_and_an_mce_only_code_its_validity() {
    use icd_desk::pages::pcs::{PcsBuilder, PcsBuilderProps};
    use icd_desk::protocol::PcsBuildReply;
    let added = Rc::new(RefCell::new(Vec::<String>::new()));
    let on_add = {
        let added = added.clone();
        Callback::from(move |c: String| added.borrow_mut().push(c))
    };
    let root = render::<PcsBuilder>(PcsBuilderProps {
        reply: Rc::new(PcsBuildReply {
            build: build_0dtj("0DTJ4ZZ"),
            report: Some(pcs_report("0DTJ4ZZ", true)),
        }),
        stale: false,
        on_choose: Callback::noop(),
        on_add,
    })
    .await;
    assert!(root.query_selector("[role=listbox]").unwrap().is_none());
    assert_eq!(
        by_testid(&root, "pcs-title").text_content().unwrap(),
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    );
    assert!(by_testid(&root, "pcs-validity")
        .text_content()
        .unwrap()
        .contains("since 2026-04-01"));
    by_testid(&root, "pcs-add")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    assert_eq!(*added.borrow(), ["0DTJ4ZZ"]);
    // A code only the MCE lists: valid, without a row or a title.
    let mut build = build_0dtj("02HM3");
    build.asked = "02HM3JZ".into();
    let root = render::<PcsBuilder>(PcsBuilderProps {
        reply: Rc::new(PcsBuildReply {
            build,
            report: Some(pcs_report("02HM3JZ", false)),
        }),
        stale: false,
        on_choose: Callback::noop(),
        on_add: Callback::noop(),
    })
    .await;
    let notice = by_testid(&root, "pcs-mce-only").text_content().unwrap();
    assert!(notice.contains("Valid without a row"), "{notice}");
    assert!(by_testid(&root, "pcs-validity")
        .text_content()
        .unwrap()
        .contains("since 2026-04-01"));
}

#[wasm_bindgen_test]
fn builder_routes_and_the_system_switch_round_trip() {
    use icd_desk::route::{pcs_href, Route, SearchQuery, System};
    use yew_router::Routable;
    for route in [
        Route::Pcs,
        Route::PcsCode {
            code: "0DTJ4ZZ".into(),
        },
    ] {
        assert_eq!(Route::recognize(&route.to_path()), Some(route.clone()));
    }
    assert_eq!(pcs_href(""), "#/pcs");
    assert_eq!(pcs_href("0DT"), "#/pcs/0DT");
    let q = SearchQuery {
        q: "appendectomy".into(),
        setting: None,
        system: Some(System::Pcs),
    };
    let json = serde_json::to_string(&q).unwrap();
    assert_eq!(json, r#"{"q":"appendectomy","system":"pcs"}"#);
    assert_eq!(serde_json::from_str::<SearchQuery>(&json).unwrap(), q);
}

// Batch review: the page's slicing, windowing and mapping logic, and the
// worker's table queries and exports on hand-made rows.

mod batch {
    use icd_core::batch::{ColumnMap, Place};
    use icd_core::record::{Record, Severity};
    use icd_desk::batch::{Batch, Found, Row};
    use icd_desk::pages::batch::{column_map, cut, initial_mapping, mapping_key, window, ROW_PX};
    use icd_desk::pages::batch_report::bar_width;
    use icd_desk::protocol::{ExportFormat, ExportWhat, RowFilter, RowQuery, SortKey};
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn slices_are_cut_after_the_last_line_end_or_a_character() {
        for (bytes, last, at) in [
            (&b"a,b\nc,d\nhalf"[..], false, 8),
            (b"a,b\nc,d\nhalf", true, 12),
            (b"no line end", false, 11),
            // "é" is C3 A9: a slice ending inside it is cut before it.
            (b"caf\xC3", false, 3),
            (b"caf\xC3\xA9", false, 5),
            (b"\xE2\x82", false, 0),
            (b"", false, 0),
        ] {
            assert_eq!(cut(bytes, last), at, "{bytes:?} last={last}");
        }
    }

    #[wasm_bindgen_test]
    fn the_window_covers_the_rows_in_view_with_overscan_and_stays_in_range() {
        assert_eq!(window(0.0, 100_000), (0, 24));
        assert_eq!(window(ROW_PX * 1000.0, 100_000), (990, 34));
        assert_eq!(window(ROW_PX * 1000.0, 1005), (990, 15));
        assert_eq!(window(0.0, 3), (0, 3));
        assert_eq!(window(ROW_PX * 50.0, 0), (0, 0));
    }

    #[wasm_bindgen_test]
    fn a_mapping_starts_from_what_is_remembered_then_from_field_names() {
        let columns: Vec<String> = ["Account", "ID", "Dx1", "Age"].map(String::from).to_vec();
        let remembered = ColumnMap {
            columns: vec![
                ("account".into(), "id".into()),
                ("dx1".into(), "principal_dx".into()),
            ],
        };
        assert_eq!(
            initial_mapping(&columns, Some(&remembered)),
            ["id", "id", "principal_dx", "age"]
        );
        assert_eq!(initial_mapping(&columns, None), ["", "id", "", "age"]);
        let map = column_map(
            &columns,
            &["".into(), "id".into(), "principal_dx".into(), "age".into()],
        );
        assert_eq!(
            map.columns[0],
            ("Account".to_string(), "ignored:Account".to_string())
        );
        assert_eq!(
            map.columns[2],
            ("Dx1".to_string(), "principal_dx".to_string())
        );
        assert_eq!(
            mapping_key(&columns),
            mapping_key(&["account".into(), "id".into(), "DX1".into(), "age".into()])
        );
        assert_ne!(mapping_key(&columns), mapping_key(&columns[..3]));
    }

    #[wasm_bindgen_test]
    fn bars_scale_to_the_largest_and_a_small_one_stays_visible() {
        assert_eq!(bar_width(50.0, 100.0, 300.0), 150.0);
        assert_eq!(bar_width(0.001, 100.0, 300.0), 1.0);
        assert_eq!(bar_width(0.0, 100.0, 300.0), 0.0);
        assert_eq!(bar_width(5.0, 0.0, 300.0), 0.0);
    }

    fn row(id: &str, drg: Option<u16>, inpatient: bool, findings: &[(&str, Severity)]) -> Row {
        let mut record = Record::default();
        record.id = Some(icd_core::record::model::Text(id.into()));
        Row {
            place: Place::line(2),
            record: Box::new(record),
            inpatient,
            drg,
            mdc: drg.map(|d| (d / 100) as u8),
            weight: drg.map(|d| f64::from(d) / 100.0),
            findings: findings
                .iter()
                .map(|(rule, severity)| Found {
                    rule_id: rule.to_string(),
                    severity: *severity,
                    message: format!("{rule}, with a comma"),
                    reviewed: false,
                })
                .collect(),
        }
    }

    fn batch() -> Batch {
        let mut b = Batch::default();
        b.name = "day.csv".into();
        b.rows = vec![
            row(
                "A3",
                Some(291),
                true,
                &[("mce.age_conflict", Severity::Error)],
            ),
            row("A1", Some(871), true, &[]),
            row(
                "B2",
                None,
                false,
                &[
                    ("record.required_field", Severity::Warning),
                    ("mce.age_conflict", Severity::Error),
                ],
            ),
        ];
        b
    }

    fn ids(b: &mut Batch, q: RowQuery) -> (u32, Vec<String>) {
        let (total, rows) = b.rows(&RowQuery { limit: 50, ..q });
        (total, rows.into_iter().map(|r| r.id).collect())
    }

    #[wasm_bindgen_test]
    fn rows_are_filtered_sorted_and_windowed_in_the_worker() {
        let mut b = batch();
        let f = |filter: RowFilter| RowQuery {
            filter,
            ..RowQuery::default()
        };
        for (q, expect) in [
            (RowQuery::default(), (3, vec!["A3", "A1", "B2"])),
            (
                RowQuery {
                    sort: SortKey::Id,
                    ..RowQuery::default()
                },
                (3, vec!["A1", "A3", "B2"]),
            ),
            (
                RowQuery {
                    sort: SortKey::Drg,
                    descending: true,
                    ..RowQuery::default()
                },
                (3, vec!["A1", "A3", "B2"]),
            ),
            (
                RowQuery {
                    sort: SortKey::Findings,
                    descending: true,
                    ..RowQuery::default()
                },
                (3, vec!["B2", "A3", "A1"]),
            ),
            (
                f(RowFilter {
                    rule: Some("mce.age_conflict".into()),
                    ..RowFilter::default()
                }),
                (2, vec!["A3", "B2"]),
            ),
            (
                f(RowFilter {
                    severity: Some(Severity::Warning),
                    ..RowFilter::default()
                }),
                (1, vec!["B2"]),
            ),
            (
                f(RowFilter {
                    drg: Some(871),
                    ..RowFilter::default()
                }),
                (1, vec!["A1"]),
            ),
            (
                f(RowFilter {
                    mdc: Some(2),
                    ..RowFilter::default()
                }),
                (1, vec!["A3"]),
            ),
            (
                f(RowFilter {
                    setting: Some("outpatient".into()),
                    ..RowFilter::default()
                }),
                (1, vec!["B2"]),
            ),
            (
                f(RowFilter {
                    search: " a".into(),
                    ..RowFilter::default()
                }),
                (2, vec!["A3", "A1"]),
            ),
            (
                RowQuery {
                    offset: 1,
                    ..RowQuery::default()
                },
                (3, vec!["A1", "B2"]),
            ),
            (
                RowQuery {
                    offset: 9,
                    ..RowQuery::default()
                },
                (3, vec![]),
            ),
        ] {
            let (total, got) = ids(&mut b, q.clone());
            assert_eq!(
                (total, got.iter().map(String::as_str).collect::<Vec<_>>()),
                expect,
                "{q:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    fn a_reviewed_record_can_be_hidden_and_a_missing_finding_is_refused() {
        let mut b = batch();
        let hide = RowQuery {
            filter: RowFilter {
                hide_reviewed: true,
                ..RowFilter::default()
            },
            ..RowQuery::default()
        };
        assert_eq!(ids(&mut b, hide.clone()).0, 3);
        assert!(b.mark(0, 0, true));
        assert!(!b.mark(0, 5, true));
        assert!(!b.mark(9, 0, true));
        assert_eq!(ids(&mut b, hide.clone()).1, ["A1", "B2"]);
        assert!(b.mark(0, 0, false));
        assert_eq!(ids(&mut b, hide).0, 3);
    }

    #[wasm_bindgen_test]
    fn exports_hold_one_line_per_finding_or_record_and_quote_commas() {
        let b = batch();
        let (name, mime, text, lines) = b.export(ExportWhat::Findings, ExportFormat::Csv);
        assert_eq!(
            (name.as_str(), mime.as_str(), lines),
            ("day-findings.csv", "text/csv", 3)
        );
        let body: Vec<&str> = text.lines().collect();
        assert_eq!(body.len(), 4);
        assert_eq!(
            body[0],
            "record_id,place,setting,drg,rule_id,severity,message,reviewed"
        );
        assert_eq!(body[1], "A3,line 2,inpatient,291,mce.age_conflict,error,\"mce.age_conflict, with a comma\",false");
        let (name, _, text, lines) = b.export(ExportWhat::Records, ExportFormat::Json);
        assert_eq!((name.as_str(), lines), ("day-records.json", 3));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json[0]["drg"], 291);
        assert_eq!(json[0]["weight"], 2.91);
        assert_eq!(json[2]["drg"], serde_json::Value::Null);
        assert_eq!(json[2]["errors"], 1);
    }
}

/// The header step reads a CSV's header line alone (the rows are read once
/// the columns are mapped): a foreign header is found and not taken for
/// the record CSV.
#[wasm_bindgen_test]
fn probe_reads_a_foreign_csv_header_line() {
    use icd_desk::protocol::BatchReply;
    match icd_desk::batch::probe("Account,Dx1,Other Dx\nA1,I10,E11.9\n") {
        BatchReply::Header { columns, known } => {
            assert_eq!(columns, ["account", "dx1", "other dx"]);
            assert!(!known);
        }
        other => panic!("not a header: {other:?}"),
    }
}
