//! Practice items over the full data: `icd practice --count 300 --seed 7
//! --json` end to end, every kind's generator with its produced and
//! rejected counts, an independent check of every item (answers billable
//! and valid on the release date by `Library::lookup`, every wrong choice
//! explained, grading consistent with the answers), and explanation
//! snapshots (`UPDATE_EXPECT=1` updates them).

mod common;
use common::*;

use std::collections::HashSet;
use std::process::Command;
use std::sync::OnceLock;

use expect_test::{expect, Expect};
use icd_core::practice::{
    generate, grade, release_date, Batch, Chapter, Item, Kind, Options, Scoring,
};
use icd_core::{Code, Library};

fn lib() -> &'static Library<&'static [u8]> {
    static LIB: OnceLock<Library<&'static [u8]>> = OnceLock::new();
    LIB.get_or_init(|| open_search().0)
}

fn batch(kinds: &[Kind], count: usize, seed: u64) -> Batch {
    generate(
        lib(),
        &Options {
            kinds: kinds.to_vec(),
            chapters: Vec::new(),
            count,
            seed,
        },
    )
}

/// Everything an item must satisfy, checked without the generator's code:
/// the answers are billable and valid on the release date, every wrong
/// choice has a reason, the answers score full marks and each wrong
/// choice scores nothing, with its reason as the feedback.
fn assert_valid(item: &Item) {
    let lib = lib();
    let date = release_date(lib);
    assert!(
        !item.prompt.is_empty() && !item.explanation.is_empty(),
        "{item:?}"
    );
    assert!(!item.source.is_empty(), "{item:?}");
    assert!(!item.answers.is_empty(), "{item:?}");
    for a in &item.answers {
        if a == "yes" || a == "no" {
            assert_eq!(item.kind, Kind::Excludes1, "{item:?}");
            continue;
        }
        let code: Code = a.parse().unwrap_or_else(|e| panic!("{a}: {e} in {item:?}"));
        let report = lib.lookup(&code, Some(date)).expect("the answer is a code");
        let valid = report.validity.expect("asked on a date");
        // An audit's answers are the codes at fault: they need not be valid.
        if item.kind != Kind::Audit {
            assert!(
                valid.valid,
                "{a} is not valid on {date}: {}; {item:?}",
                valid.reason
            );
        }
    }
    for c in &item.choices {
        if !item.answers.contains(c) {
            assert!(
                item.wrong.iter().any(|w| &w.answer == c),
                "the choice {c} has no stated reason: {item:?}"
            );
        }
    }
    assert!(!item.wrong.is_empty(), "{item:?}");
    for w in &item.wrong {
        // A case's wrong answers are codes wrong as the principal: they
        // may be right among the secondaries.
        if item.scoring != Scoring::PrincipalAndSecondaries {
            assert!(!item.answers.contains(&w.answer), "{item:?}");
        }
        assert!(!w.why.is_empty(), "{item:?}");
    }
    let full = grade(lib, item, &item.answers);
    assert!(
        full.correct,
        "the answers do not score full marks: {full:?} {item:?}"
    );
    if item.scoring == Scoring::One {
        for w in &item.wrong {
            let s = grade(lib, item, std::slice::from_ref(&w.answer));
            assert_eq!(s.earned, 0, "{item:?}");
            assert_eq!(s.feedback, vec![w.why.clone()], "{item:?}");
        }
    }
}

#[test]
fn icd_practice_300_seed_7_gives_300_valid_distinct_explained_items() {
    let out = Command::new(env!("CARGO_BIN_EXE_icd"))
        .args([
            "practice", "--count", "300", "--seed", "7", "--json", "--index",
        ])
        .arg(index())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let items: Vec<Item> = stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            for field in [
                "kind",
                "prompt",
                "choices",
                "answers",
                "explanation",
                "source",
            ] {
                assert!(v.get(field).is_some(), "no {field} in {l}");
            }
            serde_json::from_value(v).unwrap()
        })
        .collect();
    assert_eq!(items.len(), 300);
    let prompts: HashSet<&str> = items.iter().map(|i| i.prompt.as_str()).collect();
    assert_eq!(prompts.len(), 300, "the prompts are not distinct");
    let kinds: HashSet<Kind> = items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds.len(),
        Kind::CM.len(),
        "every ICD-10-CM kind takes its turn"
    );
    for item in &items {
        assert_valid(item);
    }
    // The same seed gives the same items, through the library too.
    assert_eq!(batch(&[], 300, 7).items, items);
}

#[test]
fn another_seed_gives_other_items() {
    let a = batch(&[], 16, 1).items;
    let b = batch(&[], 16, 2).items;
    let same = a.iter().filter(|i| b.contains(i)).count();
    assert!(same < 4, "{same} of 16 items repeat under another seed");
}

#[test]
fn every_kind_generates_valid_items_and_counts_its_rejections() {
    let mut report = Vec::new();
    // The ICD-10-PCS kind: `pcs_items_describe_the_root_operation_and_ask_for_the_code`.
    for kind in Kind::CM {
        let b = batch(&[kind], 60, 11);
        assert!(b.exhausted.is_empty(), "{kind:?} ran out: {:?}", b.rejected);
        assert_eq!(b.items.len(), 60, "{kind:?}");
        assert_eq!(b.produced.get(&kind), Some(&60));
        for item in &b.items {
            assert_eq!(item.kind, kind);
            assert_valid(item);
        }
        report.push(format!(
            "{:<14} produced {:>3}  rejected {:>4}  {:?}",
            kind.name(),
            b.items.len(),
            b.rejected_count(kind),
            b.rejected.get(&kind).cloned().unwrap_or_default()
        ));
    }
    // The counts, for the record (`cargo test -- --nocapture`).
    eprintln!("{}", report.join("\n"));
}

#[test]
fn the_record_checker_confirms_excludes1_sequencing_audit_and_case_items() {
    use icd_core::record::{Checker, Severity};
    let lib = lib();
    let checker = Checker::new(lib);
    let record = |codes: &[String]| {
        let mut v = serde_json::json!({
            "setting": "inpatient",
            "patient": {"mrn": "1", "name": "P, P", "dob": "1980-01-15", "sex": "F"},
            "admission": {"date": "2026-04-01", "source": "1", "type": "1"},
            "discharge": {"date": "2026-04-04", "status": "01"},
            "attending": "A (NPI 1234567890)",
        });
        v["principal_dx"] = serde_json::json!({"code": codes[0], "poa": "Y"});
        v["secondary_dx"] = codes[1..]
            .iter()
            .map(|c| serde_json::json!({"code": c, "poa": "Y"}))
            .collect();
        serde_json::from_value::<icd_core::record::Record>(v).unwrap()
    };
    let errors = |codes: &[String]| -> Vec<(&'static str, Vec<String>)> {
        checker
            .check(&record(codes))
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.rule_id, f.codes))
            .collect()
    };
    for item in batch(&[Kind::Sequencing, Kind::Case, Kind::Audit], 30, 3).items {
        match item.kind {
            Kind::Sequencing => {
                let first = item.answers[0].clone();
                let other = item.wrong[0].answer.clone();
                assert!(
                    !errors(&[other.clone(), first.clone()]).is_empty(),
                    "{item:?}"
                );
            }
            Kind::Case => assert_eq!(errors(&item.answers), vec![], "{item:?}"),
            Kind::Audit => {
                let found: HashSet<String> = errors(&item.choices)
                    .into_iter()
                    .flat_map(|(_, c)| c)
                    .collect();
                for a in &item.answers {
                    assert!(found.contains(a), "{a} is not flagged: {item:?}");
                }
            }
            _ => unreachable!(),
        }
    }
}

fn snapshot(kind: Kind, expect: Expect) {
    let item = &batch(&[kind], 1, 1).items[0];
    let mut out = format!(
        "{}\nanswer: {}\n{}",
        item.prompt,
        item.answers.join(", "),
        item.explanation
    );
    for w in &item.wrong {
        out.push_str(&format!("\nnot {}: {}", w.answer, w.why));
    }
    expect.assert_eq(&out);
}

#[test]
fn explanation_snapshots() {
    snapshot(
        Kind::IndexToCode,
        expect![[r#"
        Code the diagnostic statement: "Infection, infected, infective, Phialophora, jeanselmei".
        answer: B43.2
        Index: Infection, infected, infective > Phialophora > jeanselmei gives B43.2. Tabular: B43.2 Subcutaneous pheomycotic abscess and cyst is a billable code with no further characters, so it is reported as is.
        not B43.0: B43.0 is indexed at 'Infection, infected, infective > Phialophora > verrucosa': the statement does not document 'verrucosa'
        not B43: B43 is a category: it needs more characters
        not B43.8: B43.8 is Other forms of chromomycosis: the prompt does not document that"#]],
    );
    snapshot(
        Kind::Seventh,
        expect![[r#"
        T23.139 Burn of first degree of unspecified multiple fingers (nail), not including thumb: the encounter is the sequela. Give the complete code.
        answer: T23.139S
        Tabular: T23.139 Burn of first degree of unspecified multiple fingers (nail), not including thumb needs a 7th character. The 7th characters are defined at T23: S is the sequela, so the code is T23.139S.
        not T23.139: T23.139 needs a 7th character: S for the sequela
        not T23.139D: T23.139D has 7th character D, subsequent encounter: the encounter is the sequela
        not T23.139A: T23.139A has 7th character A, initial encounter: the encounter is the sequela"#]],
    );
    snapshot(
        Kind::Excludes1,
        expect![[r#"
        Can S76.821S (Laceration of other specified muscles, fascia and tendons at thigh level, right thigh, sequela) and S73.119A (Iliofemoral ligament sprain of unspecified hip, initial encounter) be reported together on one record?
        answer: yes
        Tabular: S76.821S Laceration of other specified muscles, fascia and tendons at thigh level, right thigh, sequela falls under an Excludes2 note at S76: "sprain of joint and ligament of hip (S73.1)". Excludes2 means "not included here": when the patient has both conditions, both S76.821S and S73.119A are reported.
        not no: the note at S76 is Excludes2, not Excludes1: it allows S76.821S and S73.119A together when the patient has both"#]],
    );
    snapshot(
        Kind::Sequencing,
        expect![[r#"
        The patient has Hereditary factor VIII deficiency (D66) with Hemophilic arthropathy (M36.2). Which code is sequenced first?
        answer: D66
        Tabular: M36.2 Hemophilic arthropathy is a manifestation code with a code first note at M36.2: "factor VIII deficiency (D66)". The etiology, D66 Hereditary factor VIII deficiency, is sequenced first and M36.2 follows it.
        not M36.2: D66 must be sequenced first: code first note at M36.2"#]],
    );
    snapshot(
        Kind::Navigation,
        expect![[r#"
        Find "Pain, heart" in the Alphabetic Index and follow its cross-reference. Which code does it lead to?
        answer: R07.2
        Index: Pain > heart: see Pain, precordial. Index: Pain > precordial gives R07.2. Tabular: R07.2 Precordial pain is billable.
        not R07: R07 is a category: it needs more characters
        not R07.1: R07.1 is Chest pain on breathing: the prompt does not document that"#]],
    );
    snapshot(
        Kind::Tables,
        expect![[r#"
        Table of Drugs and Chemicals: Pitkin's solution (underdosing), initial encounter. Which code?
        answer: T41.3X6A
        Table of Drugs and Chemicals: Pitkin's solution, column Underdosing: T41.3X6, with 7th character A for the initial encounter. Tabular: T41.3X6A Underdosing of local anesthetics, initial encounter.
        not T41.3X1A: T41.3X1A is in the column Poisoning Accidental (unintentional), not Underdosing
        not T41.3X2A: T41.3X2A is in the column Poisoning Intentional self-harm, not Underdosing
        not T41.3X3A: T41.3X3A is in the column Poisoning Assault, not Underdosing"#]],
    );
    snapshot(
        Kind::Audit,
        expect![[r#"
            Audit this inpatient record (female patient, 45): principal R51.9 Headache, unspecified; secondary D75.9 Disease of blood and blood-forming organs, unspecified; secondary L25 Unspecified contact dermatitis. Which codes are in error?
            answer: L25
            The record check finds: L25 is not a valid ICD-10-CM code on the discharge date 2026-04-04 (MCE edit INVALID_CODE); L25 is a category (header), not a billable code; 8 billable codes lie below it (Official Guidelines I.B.2: Level of Detail in Coding).
            not R51.9: R51.9 is not at fault: the record check finds nothing against it
            not D75.9: D75.9 is not at fault: the record check finds nothing against it"#]],
    );
    snapshot(
        Kind::Case,
        expect![[r#"
        Case: the patient is admitted for hereditary factor viii deficiency, with hemophilic arthropathy. Also documented: "Spasm, muscle NEC, back". Code the encounter: the principal diagnosis first, then the secondary diagnoses.
        answer: D66, M36.2, M62.830
        Principal: D66 Hereditary factor VIII deficiency, the reason for admission; the code first note at M36.2 ("factor VIII deficiency (D66)") puts it before its manifestation. Secondary: M36.2 Hemophilic arthropathy. Secondary: M62.830, from the index at Spasm > muscle NEC > back. The record check finds no error in D66, M36.2, M62.830.
        not M36.2: M36.2 may not be the principal diagnosis: D66 must be sequenced first (code first note at M36.2)"#]],
    );
}

#[test]
fn wrong_answers_nobody_foresaw_are_explained_from_the_library() {
    use icd_core::practice::why_wrong;
    let lib = lib();
    let date = release_date(lib);
    let check = |given: &str, expected: &str, expect: Expect| {
        let e: Code = expected.parse().unwrap();
        expect.assert_eq(&why_wrong(lib, given, Some(&e), date));
    };
    check(
        "E11",
        "E11.9",
        expect!["E11 is a category: it needs more characters"],
    );
    check(
        "S52.521",
        "S52.521A",
        expect!["S52.521 needs a 7th character: A for the initial encounter for closed fracture"],
    );
    check("S52.521", "S52.521D", expect!["S52.521 needs a 7th character: D for the subsequent encounter for fracture with routine healing"]);
    check("E11.8", "E11.9", expect!["E11.8 is Type 2 diabetes mellitus with unspecified complications; the answer is E11.9 Type 2 diabetes mellitus without complications"]);
    check(
        "Q99.99",
        "E11.9",
        expect!["Q99.99 is not an ICD-10-CM code"],
    );
    check("11", "E11.9", expect!["'11' is not a code: '11': character '1' at position 1 is not allowed; the first character is a letter"]);
}

fn batch_in(kinds: &[Kind], chapters: &[u8], count: usize, seed: u64) -> Batch {
    generate(
        lib(),
        &Options {
            kinds: kinds.to_vec(),
            chapters: chapters.iter().map(|n| Chapter::new(*n).unwrap()).collect(),
            count,
            seed,
        },
    )
}

/// The first letters of the codes of a chapter, from the tabular's own
/// chapter ranges (19 is S00-T88), read without the generator's code.
fn letters_of(chapter: u8) -> Vec<char> {
    let t = &lib().tabular;
    let id = t.chapters()[usize::from(chapter) - 1];
    let blocks = t.children(id);
    let first = t.key(blocks[0]).chars().next().unwrap();
    let last_key = t.key(*blocks.last().unwrap()).to_string();
    let last = last_key
        .split('-')
        .next_back()
        .unwrap()
        .chars()
        .next()
        .unwrap();
    (first..=last).collect()
}

#[test]
fn chapters_select_items_about_codes_of_those_chapters() {
    for (kinds, chapters) in [
        (
            vec![Kind::Seventh, Kind::Excludes1, Kind::Tables],
            vec![19u8],
        ),
        (vec![Kind::IndexToCode, Kind::Sequencing], vec![9, 6]),
    ] {
        let b = batch_in(&kinds, &chapters, 12, 5);
        assert_eq!(
            b.items.len(),
            12,
            "{kinds:?} {chapters:?}: {:?}",
            b.exhausted
        );
        let letters: Vec<char> = chapters.iter().flat_map(|c| letters_of(*c)).collect();
        for item in &b.items {
            assert!(kinds.contains(&item.kind), "{item:?}");
            let n = item.chapter.expect("a chapter").number();
            assert!(chapters.contains(&n), "{item:?}");
            // The code the item is about: the answer, or the first code of the pair.
            let about = item
                .answers
                .iter()
                .chain(item.wrong.iter().map(|w| &w.answer))
                .find(|a| *a != "yes" && *a != "no")
                .cloned()
                .unwrap_or_else(|| item.prompt.split_whitespace().nth(1).unwrap().to_string());
            let first = about.chars().next().unwrap();
            assert!(
                letters.contains(&first),
                "{about} is not in chapters {chapters:?}: {item:?}"
            );
            assert_valid(item);
        }
    }
    // The same options give the same items; the filter changes them.
    assert_eq!(
        batch_in(&[Kind::Seventh], &[19], 5, 3).items,
        batch_in(&[Kind::Seventh], &[19], 5, 3).items
    );
}

#[test]
fn a_kind_listed_twice_comes_twice_as_often() {
    let b = batch(&[Kind::Seventh, Kind::Tables, Kind::Seventh], 9, 4);
    let n = |k| b.items.iter().filter(|i| i.kind == k).count();
    assert_eq!((n(Kind::Seventh), n(Kind::Tables)), (6, 3));
}

#[test]
fn icd_practice_chapter_selects_and_a_wrong_chapter_says_how_to_fix_it() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_icd"))
            .arg("practice")
            .args(args)
            .arg("--index")
            .arg(index())
            .output()
            .unwrap()
    };
    let out = run(&[
        "--kind",
        "seventh",
        "--chapter",
        "19",
        "--count",
        "4",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: Vec<Item> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|i| i.chapter == Chapter::new(19)));
    let out = run(&["--chapter", "23"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'23' is not an ICD-10-CM chapter; give its number, 1 to 22"),
        "{err}"
    );
}

/// The problems of an instructor's file as `line: message`, and the items
/// that pass as `prompt => answers (scoring)`.
fn imported(file: &str, expect: Expect) {
    let text =
        std::fs::read_to_string(root().join("crates/icd-cli/tests/fixtures").join(file)).unwrap();
    let checked = icd_core::practice::import_cases(lib(), &text);
    let mut out: Vec<String> = checked
        .items
        .iter()
        .map(|i| format!("{} => {} ({:?})", i.prompt, i.answers.join(", "), i.scoring))
        .collect();
    out.extend(
        checked
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.line, p.message)),
    );
    out.push(format!("read {}", checked.read));
    expect.assert_eq(&out.join("\n"));
    for item in &checked.items {
        let full = grade(lib(), item, &item.answers);
        assert!(full.correct, "{item:?}");
    }
}

#[test]
fn instructor_cases_are_checked_against_the_release_with_their_lines() {
    imported(
        "practice_cases.csv",
        expect![[r#"
            Type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a => E11.22, N18.31 (PrincipalAndSecondaries)
            Essential hypertension => I10 (One)
            4: E11 is not billable: E11 is a category: it needs more characters
            5: S52.301 is not billable: S52.301 needs a 7th character: A for the initial encounter for closed fracture
            6: Q99.99 is not an ICD-10-CM code; the nearest existing code is Q99.9 Chromosomal abnormality, unspecified
            8: the prompt is empty: write the scenario the student codes
            read 6"#]],
    );
    imported(
        "practice_cases.json",
        expect![[r#"
            Essential hypertension => I10 (One)
            7: E11 is not billable: E11 is a category: it needs more characters
            12: the case needs "prompt", "codes" (a list or a string) and "rationale": missing field `codes`
            read 3"#]],
    );
}

#[test]
fn icd_practice_cases_prints_what_passes_and_every_problem_with_its_line() {
    let file = root().join("crates/icd-cli/tests/fixtures/practice_cases.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(["practice", "--json", "--cases"])
        .arg(&file)
        .arg("--index")
        .arg(index())
        .output()
        .unwrap();
    assert!(!out.status.success(), "problems give exit status 1");
    let items: Vec<Item> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.kind == Kind::Case));
    let err = String::from_utf8_lossy(&out.stderr);
    let at = |line: usize| format!("{}:{line}: ", file.display());
    assert!(
        err.contains(&format!("{}E11 is not billable", at(4))),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}Q99.99 is not an ICD-10-CM code", at(6))),
        "{err}"
    );
    assert!(err.contains("2 of 6 cases pass"), "{err}");
}

fn pcs() -> &'static icd_core::pcs::Pcs<&'static [u8]> {
    static PCS: OnceLock<icd_core::pcs::Pcs<&'static [u8]>> = OnceLock::new();
    PCS.get_or_init(|| {
        let bytes = built()
            .files
            .iter()
            .find(|(n, _)| *n == "pcs.icdx")
            .map(|(_, b)| b.as_slice())
            .expect("the build writes pcs.icdx");
        icd_core::pcs::Pcs::open(bytes).unwrap()
    })
}

fn pcs_batch(count: usize, seed: u64) -> Batch {
    icd_core::practice::generate_with(
        lib(),
        Some(pcs()),
        &Options {
            kinds: vec![Kind::Pcs],
            chapters: Vec::new(),
            count,
            seed,
        },
    )
}

/// Each ICD-10-PCS item, checked without the generator: every choice is in
/// the Tables and differs from the answer in the root operation alone; the
/// answer is valid in the MCE on the release date; the prompt gives the
/// answer's root operation definition and no choice's other; grading gives
/// the answer full marks and each wrong choice nothing, with its reason.
#[test]
fn pcs_items_describe_the_root_operation_and_ask_for_the_code() {
    use icd_core::mce::Table;
    use icd_core::PcsCode;
    let (lib, p) = (lib(), pcs());
    let date = release_date(lib);
    let b = pcs_batch(40, 3);
    assert_eq!(b.items.len(), 40, "{:?}", b.rejected);
    eprintln!(
        "pcs produced {}  rejected {}  {:?}",
        b.items.len(),
        b.rejected_count(Kind::Pcs),
        b.rejected.get(&Kind::Pcs).cloned().unwrap_or_default()
    );
    assert!(b.exhausted.is_empty());
    let definition = |code: &str| {
        let label = p.axes(&code.parse::<PcsCode>().unwrap()).unwrap()[2]
            .label
            .clone();
        (
            label.clone(),
            p.definition('0', 3, &label).unwrap().definition,
        )
    };
    for item in &b.items {
        assert_eq!(
            (item.kind, item.scoring, item.answers.len()),
            (Kind::Pcs, Scoring::One, 1),
            "{item:?}"
        );
        let answer = &item.answers[0];
        assert!(
            item.choices.contains(answer) && (3..=4).contains(&item.choices.len()),
            "{item:?}"
        );
        assert!(
            lib.mce.period_on(Table::Sg, answer, date).is_some(),
            "{answer} is not valid on {date}"
        );
        let (label, meaning) = definition(answer);
        assert!(
            item.prompt.contains(meaning.trim_end_matches('.')),
            "{item:?}"
        );
        assert!(item.explanation.contains(&label), "{item:?}");
        for c in &item.choices {
            let code: PcsCode = c.parse().unwrap_or_else(|e| panic!("{c}: {e}"));
            assert!(p.check(&code).is_ok(), "{c} is not in the Tables");
            let differ: Vec<usize> = (0..7)
                .filter(|&i| c.as_bytes()[i] != answer.as_bytes()[i])
                .collect();
            if c != answer {
                assert_eq!(
                    differ,
                    [2],
                    "{c} against {answer}: only the root operation differs"
                );
                let (other, theirs) = definition(c);
                // The prompt's description is not the other's definition
                // (one may begin with another: Removal's is the start of Change's).
                let described = item
                    .prompt
                    .trim_start_matches("ICD-10-PCS: ")
                    .split(", on the ")
                    .next()
                    .unwrap();
                assert_ne!(described, theirs.trim_end_matches('.'), "{item:?}");
                let why = &item
                    .wrong
                    .iter()
                    .find(|w| w.answer == *c)
                    .expect("a reason")
                    .why;
                assert!(why.contains(&other), "{why}");
                let s = grade(lib, item, std::slice::from_ref(c));
                assert_eq!(
                    (s.earned, s.feedback.clone()),
                    (0, vec![why.clone()]),
                    "{c}"
                );
            }
        }
        let s = grade(lib, item, &[answer.to_lowercase()]);
        assert_eq!((s.earned, s.possible), (1, 1), "{item:?}");
    }
    // The same seed, the same items; without the tables the kind says why.
    assert_eq!(pcs_batch(40, 3).items, b.items);
    let none = batch(&[Kind::Pcs], 2, 3);
    assert!(none.items.is_empty());
    assert_eq!(none.exhausted, [Kind::Pcs]);
    assert!(
        none.rejected[&Kind::Pcs]
            .keys()
            .any(|k| k.contains("pcs.icdx")),
        "{:?}",
        none.rejected
    );
    // Kinds left empty are the ICD-10-CM ones, with or without the tables.
    let default = icd_core::practice::generate_with(
        lib,
        Some(p),
        &Options {
            count: 20,
            ..Options::default()
        },
    );
    assert!(default.items.iter().all(|i| i.kind != Kind::Pcs));
}

#[test]
fn pcs_explanation_snapshot() {
    let item = &pcs_batch(1, 1).items[0];
    let mut out = format!(
        "{}\nchoices: {}\nanswer: {}\n{}",
        item.prompt,
        item.choices.join(", "),
        item.answers.join(", "),
        item.explanation
    );
    for w in &item.wrong {
        out.push_str(&format!("\nnot {}: {}", w.answer, w.why));
    }
    expect![[r#"
        ICD-10-PCS: Correcting, to the extent possible, a portion of a malfunctioning device or the position of a displaced device, on the Peritoneal Cavity, percutaneous endoscopic approach, device: Other Device. Which root operation is it, and which code?
        choices: 0WWG4YZ, 0WHG4YZ, 0WPG4YZ
        answer: 0WWG4YZ
        The root operation is Revision (W): Correcting, to the extent possible, a portion of a malfunctioning device or the position of a displaced device. Table 0WW (Medical and Surgical, Anatomical Regions, General, Revision); body part Peritoneal Cavity (G), approach Percutaneous Endoscopic (4), device Other Device (Y), qualifier No Qualifier (Z): 0WWG4YZ.
        not 0WHG4YZ: 0WHG4YZ is Insertion (H): putting in a nonbiological appliance that monitors, assists, performs, or prevents a physiological function but does not physically take the place of a body part
        not 0WPG4YZ: 0WPG4YZ is Removal (P): taking out or off a device from a body part"#]].assert_eq(&out);
}
