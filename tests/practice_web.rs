//! The practice page's parts in a real browser (headless Chromium):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p icd-desk --test practice_web`.
//! Sessions read from the URL, the timed set's lock, the progress panel,
//! and the opt-in store against the browser's own IndexedDB.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use icd_core::practice::{Chapter, Item, Kind, Progress, Score, Scoring, Wrong};
use icd_desk::pages::practice_progress::{ProgressPanel, ProgressPanelProps};
use icd_desk::pages::practice_session::{
    answer, clock, lock, seconds_left, total, Feedback, Session,
};
use icd_desk::pages::practice_store as store;
use icd_desk::route::PracticeQuery;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn render<C>(props: C::Properties) -> Element
where
    C: BaseComponent,
{
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    root
}

fn find(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
}

fn query(kinds: &str, chapters: &str, feedback: &str, count: usize, timed: u32) -> PracticeQuery {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    PracticeQuery {
        seed: Some(7),
        count: Some(count),
        kinds: some(kinds),
        chapters: some(chapters),
        feedback: some(feedback),
        timed: (timed > 0).then_some(timed),
    }
}

#[wasm_bindgen_test]
fn a_session_url_reads_back_and_says_what_it_cannot_read() {
    let check = |q: PracticeQuery, expect: &str| {
        let (s, problems) = Session::from_query(&q);
        let got = format!("{} {:?}", s.describe(), problems);
        assert_eq!(got, expect);
        // What the page puts in the URL gives the same session back.
        assert_eq!(Session::from_query(&s.to_query()), (s, vec![]));
    };
    check(
        query("", "", "", 10, 0),
        "Set 7: all kinds; all chapters; untimed; feedback after each item. []",
    );
    check(
        query("seventh,excludes1", "19", "end", 10, 30),
        "Set 7: seventh, excludes1; chapter 19; timed, 30 min; feedback at the end. []",
    );
    check(
        query("seventh,tables,seventh", "9,6", "item", 5, 0),
        "Set 7: seventh, tables; chapters 9, 6; untimed; feedback after each item. []",
    );
    check(
        query("seventh,sevnth", "19,30", "later", 0, 999),
        "Set 7: seventh; chapter 19; timed, 240 min; feedback after each item. [\"'sevnth' is not a practice kind; choose one of: index_to_code, seventh, excludes1, sequencing, navigation, tables, audit, case, pcs\", \"'30' is not an ICD-10-CM chapter; give its number, 1 to 22 (19 for injuries, 9 for the circulatory system)\", \"feedback 'later' is not known: use feedback=item (after each item) or feedback=end (at the end)\", \"count 0 is out of range: a set has 1 to 100 items\", \"timed=999 is too long: a timed set lasts at most 240 minutes\"]",
    );
    // The items depend on the seed, count, kinds and chapters, not on when feedback comes.
    let key = |q| Session::from_query(&q).0.key();
    assert_eq!(
        key(query("seventh", "19", "item", 10, 0)),
        key(query("seventh", "19", "end", 10, 30))
    );
    assert_ne!(
        key(query("seventh", "19", "", 10, 0)),
        key(query("seventh", "18", "", 10, 0))
    );
    assert_ne!(
        key(query("seventh", "", "", 10, 0)),
        key(query("tables", "", "", 10, 0))
    );
    let exam = Session::exam(3);
    assert_eq!(
        (exam.count, exam.feedback, exam.minutes, exam.kinds.len()),
        (20, Feedback::End, Some(30), Kind::ALL.len())
    );
}

fn item(answers: &[&str], scoring: Scoring) -> Item {
    Item {
        kind: Kind::Seventh,
        chapter: Chapter::new(19),
        prompt: "p".into(),
        choices: vec!["S52.521A".into(), "S52.521D".into()],
        answers: answers.iter().map(|s| s.to_string()).collect(),
        scoring,
        explanation: "e".into(),
        wrong: vec![Wrong {
            answer: "S52.521D".into(),
            why: "D is the subsequent encounter".into(),
        }],
        source: "s".into(),
    }
}

#[wasm_bindgen_test]
fn time_up_locks_the_unanswered_items_with_no_points() {
    let items = vec![
        item(&["S52.521A"], Scoring::One),
        item(&["S52.521A"], Scoring::One),
        item(&["E11.22", "N18.31"], Scoring::PrincipalAndSecondaries),
    ];
    // The number of a choice picks it.
    let mut answers = vec![answer(&items[0], "1")];
    assert_eq!(answers[0].given, vec!["S52.521A"]);
    lock(&items, &mut answers);
    assert_eq!(answers.len(), 3);
    assert!(!answers[0].timed_out && answers[1].timed_out && answers[2].timed_out);
    let (earned, possible) = total(&answers);
    assert_eq!(earned, 1);
    assert!(possible >= 3, "{possible}");
    assert_eq!(seconds_left(0.0, 1_000.0, 1), 59);
    assert_eq!(seconds_left(0.0, 61_000.0, 1), 0);
    // A clock that last ticked before the set started shows the whole time.
    assert_eq!(seconds_left(5_000.0, 4_000.0, 1), 60);
    assert_eq!(clock(seconds_left(0.0, 500.0, 30)), "30:00");
    assert_eq!(clock(65), "1:05");
}

fn missed() -> Score {
    Score {
        earned: 0,
        possible: 1,
        correct: false,
        feedback: vec![],
    }
}

#[wasm_bindgen_test]
async fn the_progress_panel_shows_nothing_kept_until_the_switch_is_on() {
    let keep: Rc<RefCell<Vec<bool>>> = Rc::default();
    let props = |progress: Option<Progress>| ProgressPanelProps {
        progress,
        error: None,
        on_keep: {
            let keep = keep.clone();
            Callback::from(move |b| keep.borrow_mut().push(b))
        },
        on_drill: Callback::noop(),
        on_export: Callback::noop(),
        on_delete: Callback::noop(),
    };
    let off = render::<ProgressPanel>(props(None)).await;
    assert!(find(&off, "practice-drill").is_none());
    assert!(find(&off, "practice-export").is_none());
    let switch = find(&off, "practice-keep").unwrap();
    switch.unchecked_ref::<HtmlElement>().click();
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(*keep.borrow(), vec![true]);

    let mut p = Progress::default();
    p.record(Kind::Seventh, Chapter::new(19), &missed());
    p.record(Kind::Seventh, Chapter::new(19), &missed());
    let on = render::<ProgressPanel>(props(Some(p))).await;
    let weak = find(&on, "practice-weak").unwrap().text_content().unwrap();
    assert_eq!(weak, "seventh in chapter 19: 2 items, 0 of 2 points (0%)");
    assert!(on
        .query_selector("[data-testid='practice-drill']:disabled")
        .unwrap()
        .is_none());
    assert!(find(&on, "practice-delete").is_some());
}

fn local_keys() -> Vec<String> {
    let s = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn progress_is_kept_only_after_the_opt_in_and_deleted_with_it() {
    store::delete().await.unwrap();
    assert!(!store::opted_in());
    assert!(!local_keys().contains(&store::OPT_IN_KEY.to_string()));
    let mut p = Progress::default();
    p.record(Kind::Tables, Chapter::new(19), &missed());
    store::save(&p).await.unwrap();
    assert!(store::opted_in());
    assert_eq!(store::load().await.unwrap(), p);
    store::delete().await.unwrap();
    assert!(!store::opted_in());
    assert!(!local_keys().contains(&store::OPT_IN_KEY.to_string()));
}
