//! Reading notes on the official data: one line per case, the codes to
//! assign as a snapshot (`UPDATE_EXPECT=1 cargo test` rewrites them after a
//! deliberate change, never by hand), and the evidence of each code pointing
//! back into the text.

mod common;
use common::*;

use expect_test::{expect, Expect};
use icd_core::search::{read_note, Options, Patient, SearchIndex, Setting, Sex};
use icd_core::Library;

fn open() -> (Library<&'static [u8]>, SearchIndex<&'static [u8]>) {
    open_search()
}

/// The codes to assign, in order, each with the words it was read from.
fn codes(text: &str, opts: &Options) -> String {
    let (lib, idx) = open();
    let reading = read_note(&lib, &idx, text, opts);
    reading
        .codes
        .iter()
        .map(|c| {
            let e = &c.evidence[0];
            assert!(e.start < e.end && e.end <= text.len(), "{c:?}");
            format!("{} [{}]", c.code, &text[e.start..e.end])
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&codes(text, &Options::default()));
}

#[test]
fn statements_from_the_issue() {
    check(
        "78 y/o male admitted with community-acquired pneumonia, right lower lobe. Also acute kidney injury, resolved with fluids. PMH: COPD, type 2 diabetes on insulin, HTN. Denies chest pain. No evidence of sepsis. CT abdomen normal.",
        expect!["J44.0 [COPD]; E11.9 [type 2 diabetes]; Z79.4 [insulin]; N17.9 [acute kidney injury]; I10 [HTN]; J18.9 [pneumonia]"],
    );
    check(
        "malignant neoplasm of upper lobe of left lung, metastatic to brain",
        expect!["C34.12 [neoplasm of upper lobe of left lung]; C79.31 [metastatic to brain]"],
    );
    check(
        "acute on chronic systolic congestive heart failure with hypertension and CKD stage 4",
        expect!["I13.0 [heart failure with hypertension and CKD]; N18.4 [CKD stage 4]; I50.23 [acute on chronic systolic congestive heart failure]"],
    );
    check("history of breast cancer", expect!["Z85.3 [breast cancer]"]);
    check(
        "family history of breast cancer",
        expect!["Z80.3 [breast cancer]"],
    );
}

#[test]
fn what_is_not_a_diagnosis_gets_nothing() {
    for text in [
        "The patient was discharged from the outpatient clinic three years after the surgery",
        "Analytically, there was no parameter out of normal.",
        "Magnetic resonance imaging (MRI) showed no brain or spinal lesions",
        "Right renal pyeloplasty was performed according to And-Hynes technique.",
        "CT abdomen normal.",
        "Denies chest pain. No evidence of sepsis.",
        "He was seen in the clinic.",
    ] {
        assert_eq!(codes(text, &Options::default()), "", "{text}");
    }
}

#[test]
fn context_decides() {
    check("no fever but cough", expect!["R05.9 [cough]"]);
    check("family history of diabetes", expect!["Z83.3 [diabetes]"]);
    check("pneumonia was ruled out", expect![""]);
    // Inpatient: an uncertain diagnosis is coded as if established (II.H);
    // outpatient: not (IV.H), its symptoms are.
    check(
        "cough and fever, probable pneumonia",
        expect!["R05.9 [cough]; J18.9 [pneumonia]; R50.9 [fever]"],
    );
    let outpatient = Options {
        setting: Setting::Outpatient,
        ..Options::default()
    };
    assert_eq!(
        codes("cough and fever, probable pneumonia", &outpatient),
        "R05.9 [cough]; R50.9 [fever]"
    );
}

#[test]
fn the_patient_rules_out_codes() {
    // Pregnancy codes are impossible for a 78-year-old man, given or read.
    let (lib, _) = open();
    let man = Patient {
        age: Some(78),
        sex: Some(Sex::Male),
    };
    assert!(!man.allows(&lib, "O24.419"));
    assert!(man.allows(&lib, "E11.9"));
    let woman = Patient {
        age: Some(30),
        sex: Some(Sex::Female),
    };
    assert!(woman.allows(&lib, "O24.419"));
    // The MCE age group decides: maternity is 9 to 64 years.
    let older = Patient {
        age: Some(70),
        sex: Some(Sex::Female),
    };
    assert!(!older.allows(&lib, "O24.419"));
    // A man is never pregnant, whatever his age.
    let young_man = Patient {
        age: Some(30),
        sex: Some(Sex::Male),
    };
    assert!(!young_man.allows(&lib, "O24.419"));
    assert!(young_man.allows(&lib, "N40.0"));
    let read = Patient::default().or_from_text("A 78-year-old man with gestational diabetes");
    assert_eq!(read, man);
}

#[test]
fn codes_are_complete() {
    // No 7th character documented: initial encounter assumed, and said.
    let (lib, idx) = open();
    let r = read_note(
        &lib,
        &idx,
        "fracture of the left patella",
        &Options::default(),
    );
    let c = &r.codes[0];
    assert!(c.code.ends_with('A'), "{c:?}");
    assert!(
        c.assumed.as_deref().unwrap_or("").contains("initial"),
        "{c:?}"
    );
    assert!(!c.choices.is_empty());
    for text in [
        "poisoning by hydantoin derivatives",
        "sprain of ankle",
        "burn of forearm",
    ] {
        for c in read_note(&lib, &idx, text, &Options::default()).codes {
            let node = lib.tabular.find(&c.code.parse().unwrap()).unwrap();
            assert!(lib.tabular.billable(node), "{text}: {c:?}");
        }
    }
}

#[test]
fn kept_work_never_changes_a_reading() {
    // Reading keeps decoded posting lists and each refined code's family
    // between calls. A reading on a fresh thread (nothing kept) must equal
    // the same reading after many others on this one, twice over.
    let (lib, idx) = open();
    let notes = [
        "Acute on chronic systolic heart failure. Hypertension and chronic kidney disease stage 3.",
        "Left knee pain after a fall; fracture of the left patella. No fever.",
        "Type 2 diabetes with diabetic chronic kidney disease; history of acute myocardial infarction.",
        "Chronic obstructive pulmonary disease with acute exacerbation and pneumonia of the left lower lobe.",
        "Malignant neoplasm of the upper outer quadrant of the right female breast, metastatic to bone.",
    ];
    let opts = Options::default();
    let cold: Vec<String> = std::thread::scope(|s| {
        notes
            .iter()
            .map(|n| {
                s.spawn(|| format!("{:?}", read_note(&lib, &idx, n, &opts)))
                    .join()
                    .expect("the reading thread finishes")
            })
            .collect()
    });
    for _ in 0..2 {
        for (n, c) in notes.iter().zip(&cold) {
            assert_eq!(&format!("{:?}", read_note(&lib, &idx, n, &opts)), c, "{n}");
        }
    }
    // A common word's postings: every one, in document order, the same
    // list read fresh and kept.
    let h = idx.vocab().get("left").expect("\"left\" is indexed");
    let df = SearchIndex::<&[u8]>::df(h) as usize;
    assert!(df > 2_000, "\"left\" is a common word ({df} documents)");
    let kept = idx.postings(h);
    assert_eq!(kept.len(), df);
    assert!(kept.windows(2).all(|w| w[0] < w[1]));
    let mut walked = Vec::new();
    idx.for_each_posting(h, |doc, optional| {
        walked.push(doc << 1 | u32::from(optional))
    });
    assert_eq!(&walked[..], &kept[..]);
}

#[test]
fn note_knobs_are_the_weights() {
    // The note reading's thresholds are `Weights`, so `icd eval --weights`
    // tries them: a confidence nobody reaches assigns nothing, and fewer
    // alternatives list fewer suggestions.
    let (lib, idx) = open();
    let text = "Acute on chronic systolic heart failure. Type 2 diabetes with diabetic chronic kidney disease.";
    let opts = Options::default();
    let plain = read_note(&lib, &idx, text, &opts);
    assert!(!plain.codes.is_empty());
    let mut strict = opts.clone();
    strict.weights.min_confidence = 1.01;
    assert!(read_note(&lib, &idx, text, &strict).codes.is_empty());
    let mut few = opts.clone();
    few.weights.alternatives = 0;
    let count = |r: &icd_core::search::NoteReading| -> usize {
        r.statements.iter().map(|s| s.suggestions.len()).sum()
    };
    assert!(count(&read_note(&lib, &idx, text, &few)) < count(&plain));
}
