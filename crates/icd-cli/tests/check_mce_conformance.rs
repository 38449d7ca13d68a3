//! Conformance of the MCE edits with the CMS reference: every claim of
//! `tests/mce/claims-6000.jsonl` (made by `tests/mce/gen_claims.py`) must
//! give exactly the edit names and counts that `msdrg` 1.1.0 gave in
//! `tests/mce/oracle-6000.jsonl` (made by `tests/mce/oracle.py`; `cargo xtask
//! test` regenerates it with msdrg and compares it with the committed file).
//! The MCE tables are read from `../shared/data/mce` (or `ICD_DATA_DIR`).

mod common;
use common::*;

use std::collections::BTreeMap;

use icd_core::mce::Mce;
use icd_core::record::mce_edits::MceEditor;
use icd_core::record::{check_claim, Claim};

/// The claim-level result type, from the edit names (as the reference derives it).
fn edit_type(edits: &BTreeMap<String, u64>) -> &'static str {
    const POST: [&str; 5] = [
        "NONSPECIFIC_PDX",
        "MEDICARE_IS_SECONDARY_PAYER",
        "NONSPECIFIC_OR",
        "OPEN_BIOPSY",
        "BILATERAL",
    ];
    const NONE: [&str; 3] = ["INVALID_ADMIT_DX", "TYPE_OF_AGE_CONFLICT", "INVALID_POA"];
    let pre = edits
        .keys()
        .any(|k| !POST.contains(&k.as_str()) && !NONE.contains(&k.as_str()));
    let post = edits.keys().any(|k| POST.contains(&k.as_str()));
    match (pre, post) {
        (true, true) => "BOTH",
        (true, false) => "PREPAYMENT",
        (false, true) => "POSTPAYMENT",
        _ => "NONE",
    }
}

#[test]
fn mce_edits_match_msdrg_on_every_claim() {
    let src = icd_cli::mce_tsv::read(&data_dir().join("mce"), "MCE 43.1")
        .expect("the MCE tables in ../shared/data/mce");
    let mce = Mce::open(src.build()).unwrap();
    let editor = MceEditor::new(&mce);
    let claims = std::fs::read_to_string(root().join("tests/mce/claims-6000.jsonl")).unwrap();
    let oracle = std::fs::read_to_string(root().join("tests/mce/oracle-6000.jsonl")).unwrap();
    let expected: BTreeMap<usize, serde_json::Value> = oracle
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["claim"].as_u64().unwrap() as usize, v)
        })
        .collect();
    let (mut total, mut matching, mut shown) = (0, 0, 0);
    let mut failures = String::new();
    for (n, line) in claims.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        let claim: Claim = serde_json::from_str(line).unwrap_or_else(|e| panic!("claim {n}: {e}"));
        let findings = check_claim(&editor, &claim);
        let mut edits: BTreeMap<String, u64> = BTreeMap::new();
        let mut invalid_date = false;
        for f in &findings {
            match f.mce_edit() {
                Some("INVALID_DISCHARGE_DATE") => invalid_date = true,
                Some(name) => *edits.entry(name.to_string()).or_default() += 1,
                None => panic!("claim {n}: a non-MCE finding {}", f.rule_id),
            }
        }
        let ours_type = if invalid_date {
            "INVALID_DISCHARGE_DATE"
        } else {
            edit_type(&edits)
        };
        let exp = &expected[&n];
        let exp_edits: BTreeMap<String, u64> = exp["edits"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        if exp_edits == edits && exp["edit_type"] == ours_type {
            matching += 1;
        } else if shown < 20 {
            shown += 1;
            failures.push_str(&format!(
                "claim {n}: ours {ours_type} {edits:?}\n  msdrg {exp}\n  {line}\n"
            ));
        }
    }
    assert_eq!(total, 6000);
    assert_eq!(
        matching, total,
        "{matching}/{total} claims match msdrg\n{failures}"
    );
}
