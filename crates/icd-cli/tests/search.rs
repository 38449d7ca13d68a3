//! Coding suggestions on the official data: one line per case, the top
//! codes as a snapshot (`UPDATE_EXPECT=1 cargo test` rewrites them after a
//! deliberate change, never by hand), plus the quality floor on the
//! evaluation set and bad input.

mod common;
use common::*;

use std::path::PathBuf;

use expect_test::{expect, Expect};
use icd_core::search::{search, Options, SearchIndex, Setting};
use icd_core::Library;

fn open() -> (Library<&'static [u8]>, SearchIndex<&'static [u8]>) {
    open_search()
}

fn run(query: &str, setting: Setting) -> String {
    let (lib, idx) = open();
    let opts = Options {
        top: 3,
        setting,
        ..Options::default()
    };
    search(&lib, &idx, query, &opts)
        .iter()
        .map(|r| {
            let flags = [
                (r.negated, "negated"),
                (r.uncertain, "uncertain"),
                (r.history, "history"),
            ]
            .iter()
            .filter(|f| f.0)
            .map(|f| f.1)
            .collect::<Vec<_>>()
            .join(",");
            let codes = r
                .suggestions
                .iter()
                .map(|s| {
                    if s.billable {
                        s.code.clone()
                    } else {
                        format!("{}({})", s.code, s.needs.as_deref().unwrap_or(""))
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            format!("[{flags}] {codes}")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn check(query: &str, expect: Expect) {
    expect.assert_eq(&run(query, Setting::Inpatient));
}

#[test]
fn statements_from_the_issue() {
    check(
        "acute on chronic systolic CHF",
        expect!["[] I50.23 I50.22 I50.21"],
    );
    check(
        "type 2 DM with diabetic CKD stage 3a",
        expect!["[] E11.22 N18.31 N18.2"],
    );
    check(
        "closed fx L distal radius, initial encounter",
        expect!["[] S52.502A S59.202A S52.522A"],
    );
    check("MRSA pneumonia", expect!["[] J15.212 J15.211 A49.02"]);
    check("hx of breast ca", expect!["[history] Z85.3 Z86.000 Z85.9"]);
    check("chf", expect!["[] I50.9 I50.20 I50.30"]);
}

#[test]
fn sources_and_words() {
    check(
        "malignant neoplasm of upper lobe left lung",
        expect!["[] C34.12 C34.10 C34.11"],
    );
    check(
        "accidental overdose of acetaminophen, initial encounter",
        expect!["[] T39.1X1A Y63.2 O9A.219"],
    );
    check(
        "intentional overdose of alprazolam, initial encounter",
        expect!["[] T42.4X2A Y63.2 O9A.219"],
    );
    check(
        "fall from ladder, initial encounter",
        expect!["[] W11.XXXA R29.6 W19.XXXA"],
    );
    check("pnuemonia", expect!["[] J18.9 J69.0 J84.10"]);
    check("pneum", expect!["[] J64 J18.9 J98.4"]);
    check(
        "diabetes mellitus without mention of complication, not stated as uncontrolled",
        expect!["[] E11.9 E10.9 E11.8"],
    );
    // "Subluxation and dislocation of tarsal joint" divides into
    // subluxations and dislocations: a dislocation is one of the latter.
    check(
        "dislocation of tarsal joint",
        expect!["[] S93.316A S93.306A S93.326A"],
    );
    // ICD-9-CM's amputation status is ICD-10-CM's acquired absence.
    check(
        "amputation status of left great toe",
        expect!["[] Z89.412 Z89.411 Z89.419"],
    );
}

#[test]
fn a_mapped_code_divided_since_is_answered_by_its_heirs() {
    use icd_cli::eval_sets::heir;
    let (lib, _) = open();
    // S02.10 was divided by side: its old placeholder code's heirs fill the X.
    assert!(heir(&lib, "S0210XB", "S02109B"));
    assert!(heir(&lib, "S0210XB", "S02101B"));
    assert!(!heir(&lib, "S0210XB", "S02109A"));
    // A placeholder code that still exists is answered by itself only.
    assert!(heir(&lib, "S0190XA", "S0190XA"));
    assert!(!heir(&lib, "S0190XA", "S01901A"));
    // Descendants as before.
    assert!(heir(&lib, "E119", "E119"));
    assert!(heir(&lib, "T1490", "T1490XA"));
    assert!(!heir(&lib, "E119", "E118"));
}

#[test]
fn pregnancy_conditions_and_their_trimesters() {
    // A condition of another chapter is led by the Chapter 15 code whose
    // "Conditions in" note takes it in; an unstated trimester gives the
    // unspecified-trimester code, then the codes that name one.
    check(
        "malaria in pregnancy",
        expect!["[] O98.619 O98.611 O98.612"],
    );
    check(
        "varicose veins of legs in pregnancy, third trimester",
        expect!["[] O22.03 O22.00 O22.01"],
    );
    // The pregnancy and trimester words alone find many obstetric codes of
    // other conditions; the condition's own Chapter 15 code still leads.
    check(
        "malaria in pregnancy, unspecified trimester",
        expect!["[] O98.619 O98.611 O98.612"],
    );
}

/// "with" and "without" find nothing themselves but tell codes apart: a path
/// or title saying the opposite of the query ranks lower.
#[test]
fn with_and_without_are_opposites() {
    check(
        "type 2 diabetes without complications",
        expect!["[] E11.9 E11.8 O24.12"],
    );
    check(
        "type 2 diabetes with complications",
        expect!["[] E11.8 O24.12 E11.59"],
    );
    check(
        "inguinal hernia without obstruction",
        expect!["[] K40.20 K40.90 K40.21"],
    );
}

#[test]
fn codes_typed_directly() {
    check("e1122", expect!["[] E11.22"]);
    check(
        "S52.5",
        expect!["[] S52.5(more characters) S52.50(more characters) S52.501(7th character)"],
    );
    check(
        "T36.0X1",
        expect!["[] T36.0X1(7th character) T36.0X1A T36.0X1D"],
    );
}

#[test]
fn negation_uncertainty_and_notes() {
    check("no evidence of pneumonia", expect!["[negated] "]);
    check("denies chest pain", expect!["[negated] "]);
    // "Absence of" negates a finding, but the index codes the absence of
    // a part or a function under its main term Absence.
    check("absence of fever", expect!["[negated] "]);
    check("absence of gallbladder", expect!["[] Z90.49 Q44.0 K81.0"]);
    check("r/o MI", expect!["[uncertain] I21.9 I34.0 I20.0"]);
    assert_eq!(run("r/o MI", Setting::Outpatient), "[uncertain] ");
    check(
        "1. CHF\n2. negative for DVT\n3. probable UTI",
        expect!["[] I50.9 I50.20 I50.30 | [negated]  | [uncertain] N39.0 P39.3 O86.20"],
    );
}

#[test]
fn bad_input_never_panics() {
    let (lib, idx) = open();
    let long = "chronic kidney disease ".repeat(500);
    let garbage: String = (0u8..=255).map(char::from).collect();
    for q in [
        "",
        " ",
        "\u{0}",
        "🙂🙂",
        "'; DROP TABLE codes; --",
        "<script>alert(1)</script>",
        long.as_str(),
        garbage.as_str(),
        "E",
        "E1",
        "-",
        "/////",
        "??",
    ] {
        let r = search(&lib, &idx, q, &Options::default());
        assert!(r.iter().all(|s| s.suggestions.len() <= 10), "{q:?}");
    }
}

#[test]
fn evaluation_set_meets_the_bar() {
    let (lib, idx) = open();
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../eval/queries.tsv"),
    )
    .unwrap();
    let scores = icd_cli::search_cmd::evaluate(&lib, &idx, &text, |_, _, _, _| {}).unwrap();
    let [n, at1, _, at10] = icd_cli::search_cmd::total(&scores);
    assert!(n >= 300, "{n}");
    // The issue's bar on held-out statements: top 10 for 85%, first for 55%.
    assert!(at10 * 100 >= n * 85, "hit@10 {at10}/{n}");
    assert!(at1 * 100 >= n * 55, "hit@1 {at1}/{n}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn any_text_is_safe(q in "\\PC{0,60}") {
        let (lib, idx) = open();
        let _ = search(&lib, &idx, &q, &Options::default());
    }
}

/// Every entry of the abbreviation dictionary expands to words the search
/// index holds, so each expansion can find something.
#[test]
fn every_abbreviation_expands_to_indexed_words() {
    let (_, idx) = open();
    let vocab = idx.vocab();
    // Context words handled by the statement analysis, not looked up.
    let handled = [
        "rule",
        "out",
        "probabl",
        "possibl",
        "suspect",
        "histori",
        "status",
        "post",
        "secondari",
    ];
    let mut entries = 0;
    let mut missing = Vec::new();
    for line in icd_cli::build::ABBREVIATIONS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split('\t');
        let (Some(abbr), Some(exp)) = (f.next(), f.next()) else {
            panic!("malformed line: {line:?}");
        };
        entries += 1;
        let key = icd_core::text::normalize(&abbr.replace('.', ""));
        assert!(
            idx.abbreviation(&key).is_some(),
            "{abbr} is not found by its own key {key:?}"
        );
        for meaning in exp.split(" | ") {
            for w in icd_core::search::text::words(meaning) {
                if !handled.contains(&w.as_str())
                    && vocab.get(&w).is_none()
                    && !icd_core::search::is_steering(&w)
                {
                    missing.push(format!("{abbr}: {meaning} ({w})"));
                }
            }
        }
    }
    assert!(entries >= 400, "{entries} entries");
    assert!(
        missing.is_empty(),
        "{} words not in the index: {:?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
}
