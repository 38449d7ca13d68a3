//! A pasted note's procedure statements get ICD-10-PCS suggestions and no
//! diagnosis code; negated, planned and past procedures are not this
//! encounter's (`note_procedures.tsv`). And `icd eval --notes DIR --system
//! pcs` scores them against a CodiEsp-layout folder. Artifacts are built
//! from `../shared/data` (or `ICD_DATA_DIR`) into a temporary folder.

mod common;
use common::*;

use std::process::Command;

fn icd(args: &[&str]) -> (String, Option<i32>) {
    let o = icd_with_index(args);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.code(),
    )
}

#[test]
fn procedure_statements_get_pcs_codes_and_no_diagnosis() {
    let cases = include_str!("note_procedures.tsv");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let (note, want) = line.split_once('\t').expect("note<TAB>want");
        let note = note.replace(" | ", "\n");
        let (out, _) = icd(&["search", "--json", &note]);
        let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        let procedures = v["procedures"].as_array().cloned().unwrap_or_default();
        n += 1;
        if want == "NONE" {
            if !procedures.is_empty() {
                failures.push(format!("{note:?}: no procedure wanted, got {procedures:?}"));
            }
            continue;
        }
        let codes: Vec<String> = procedures
            .iter()
            .flat_map(|p| p["hits"].as_array().cloned().unwrap_or_default())
            .filter_map(|h| h["code"].as_str().map(str::to_string))
            .collect();
        if !codes.iter().any(|c| c.starts_with(want)) {
            failures.push(format!(
                "{note:?}: want {want} in the first 5, got {codes:?}"
            ));
        }
        // The procedure statement names no diagnosis: none of its codes is
        // a PCS code, and the statement says where it went.
        let assigned: Vec<&str> = v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["code"].as_str())
            .collect();
        if assigned.iter().any(|c| codes.iter().any(|p| p == c)) {
            failures.push(format!(
                "{note:?}: a PCS code among the diagnoses {assigned:?}"
            ));
        }
    }
    assert_eq!(n, 12, "cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_procedure_statement_says_it_is_one_in_text_output() {
    let (out, _) = icd(&[
        "search",
        "Acute appendicitis.\nLaparoscopic appendectomy was performed.",
    ]);
    assert!(
        out.contains("Procedures (ICD-10-PCS), to choose from:"),
        "{out}"
    );
    assert!(out.contains("0DTJ4ZZ"), "{out}");
    assert!(
        out.contains(
            "(a procedure: coded in ICD-10-PCS (the note's procedures), not as a diagnosis)"
        ),
        "{out}"
    );
}

/// Precision, recall and F1 worked out by hand on a two-note folder: the
/// first note's appendectomy is coded (its gold is cut to 4 characters, as
/// CodiEsp gives some); the second note, with no procedure codes, names a
/// procedure anyway, which counts against precision.
#[test]
fn eval_notes_scores_procedures_against_the_p_file() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("text_files_en");
    std::fs::create_dir(&texts).unwrap();
    std::fs::write(
        texts.join("a.txt"),
        "Acute appendicitis.\nLaparoscopic appendectomy was performed.\n",
    )
    .unwrap();
    std::fs::write(texts.join("b.txt"), "A kidney transplant was performed.\n").unwrap();
    std::fs::write(dir.path().join("xP.tsv"), "a\t0dtj\na\t0dtj4zz\n").unwrap();
    let (out, code) = icd(&[
        "eval",
        "--notes",
        dir.path().to_str().unwrap(),
        "--system",
        "pcs",
        "--json",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["notes"], 2);
    // Two predictions (one per note), two gold codes (one note), one match:
    // 0DTJ4ZZ matches either gold code, once.
    assert_eq!(v["exact"]["predicted"], 2, "{v}");
    assert_eq!(v["exact"]["gold"], 2, "{v}");
    assert_eq!(v["exact"]["true_pos"], 1, "{v}");
    // A folder without a P file says what it needs.
    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_icd"))
        .args([
            "eval",
            "--notes",
            empty.path().to_str().unwrap(),
            "--system",
            "pcs",
            "--index",
        ])
        .arg(index())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "a usage error");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("has no *P.tsv file of procedure codes"),
        "{err}"
    );
}
