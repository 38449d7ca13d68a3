//! `icd check` end to end on the example files in `tests/fixtures/records/`,
//! with artifacts built from `../shared/data` (or `ICD_DATA_DIR`) into a
//! temporary folder.

mod common;
use common::*;

use std::process::{Command, Output};

fn icd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_icd"))
        .arg("check")
        .args(args)
        .arg("--index")
        .arg(index())
        .args(["--today", "2026-05-01"])
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/records")
        .join(name)
        .display()
        .to_string()
}

fn lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn json_records_stream_one_report_each_in_order() {
    let o = icd(&[&fixture("encounters.json"), "--json"]);
    assert_eq!(o.status.code(), Some(1), "errors found");
    let reports = lines(&o);
    assert_eq!(reports.len(), 3);
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["record"], i + 1);
        assert_eq!(r["id"], format!("enc-000{}", i + 1));
    }
    let second = rules_of(&reports[1]);
    for rule in [
        "record.unknown_field",
        "record.date_order",
        "record.poa_missing",
        "record.poa_invalid",
        "mce.invalid_discharge_status",
        "mce.manifestation_as_pdx",
        "tabular.excludes1",
        "tabular.seventh_missing",
        "tabular.placeholder_missing",
    ] {
        assert!(second.iter().any(|r| r == rule), "{rule} in {second:?}");
    }
    let mce = reports[1]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "mce.manifestation_as_pdx")
        .unwrap();
    assert_eq!(mce["authority"]["mce_edit"], "MANIFESTATION_AS_PDX");
    let third = rules_of(&reports[2]);
    assert!(
        third.contains(&"record.age_mismatch".to_string()),
        "{third:?}"
    );
    assert!(
        third.contains(&"tabular.header_code".to_string()),
        "{third:?}"
    );
    assert!(
        !third.iter().any(|r| r.starts_with("mce.")),
        "no MCE on outpatient"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("3 records read, 3 checked, 0 rejected"),
        "{err}"
    );
}

#[test]
fn csv_rows_are_records_and_a_broken_row_is_rejected_alone() {
    let o = icd(&[&fixture("encounters.csv"), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let reports = lines(&o);
    assert_eq!(reports.len(), 4);
    assert_eq!(rules_of(&reports[3]), ["input.unreadable"]);
    // The same encounters as the JSON example give the same findings.
    let json = lines(&icd(&[&fixture("encounters.json"), "--json"]));
    for i in 0..3 {
        let mut a = rules_of(&reports[i]);
        let mut b = rules_of(&json[i]);
        a.retain(|r| r != "record.unknown_field" && r != "record.required_field");
        b.retain(|r| r != "record.unknown_field" && r != "record.required_field");
        assert_eq!(a, b, "record {}", i + 1);
    }
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("4 records read, 3 checked, 1 rejected"),
        "{err}"
    );
}

#[test]
fn claims_use_the_mce_names_and_text_output_counts() {
    let o = icd(&[&fixture("claims.jsonl"), "--format", "claim"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("[MCE edit INVALID_DISCHARGE_STATUS]"), "{out}");
    assert!(out.contains("input.unreadable"), "{out}");
    assert!(
        out.contains("4 records read, 3 checked, 1 rejected"),
        "{out}"
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(icd(&["/nonexistent/records.json"]).status.code(), Some(2));
    assert_eq!(icd(&["x.json", "--format", "xml"]).status.code(), Some(2));
}

#[test]
fn ccmcc_capture_from_the_msdrg_definitions() {
    let xz = data_dir().join("msdrg/msdrg-v43.1-definitions.json.xz");
    let Ok(out) = Command::new("xz").arg("-dc").arg(&xz).output() else {
        eprintln!("xz not installed: skipped");
        return;
    };
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let defs = dir.path().join("msdrg.json");
    std::fs::write(&defs, &out.stdout).unwrap();
    let o = icd(&[
        &fixture("encounters.json"),
        "--json",
        "--ccmcc",
        defs.to_str().unwrap(),
    ]);
    let first = &lines(&o)[0];
    let cc: Vec<String> = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("drg."))
        .map(|f| format!("{} {}", f["rule_id"].as_str().unwrap(), f["codes"][0]))
        .collect();
    // N18.4 (CKD stage 4) and E11.22 are CCs with an AMI principal diagnosis.
    assert!(cc.iter().any(|c| c.contains("N18.4")), "{cc:?}");
}

/// `icd rules --json` lists the registry as one JSON array, and every rule
/// id `icd check` reports on the example files is in it.
#[test]
fn icd_rules_lists_every_rule_the_checks_report() {
    let o = Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(["rules", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), icd_core::record::RULES.len());
    for r in &rules {
        for key in ["id", "severity", "authority", "title"] {
            assert!(
                r[key].as_str().is_some_and(|v| !v.is_empty()),
                "{key} of {r}"
            );
        }
    }
    let excludes1 = rules
        .iter()
        .find(|r| r["id"] == "tabular.excludes1")
        .unwrap();
    assert_eq!(excludes1["severity"], "error");
    assert_eq!(excludes1["authority"], "Excludes1 note of the Tabular List");
    let mut seen = Vec::new();
    for (file, format) in [
        ("encounters.json", "record"),
        ("encounters.csv", "csv"),
        ("claims.jsonl", "claim"),
    ] {
        for report in lines(&icd(&[&fixture(file), "--json", "--format", format])) {
            seen.extend(rules_of(&report));
        }
    }
    assert!(seen.len() > 20, "{seen:?}");
    for id in &seen {
        assert!(
            ids.contains(&id.as_str()),
            "{id} is not listed by icd rules"
        );
    }
    // The text form: one line per rule, with its id and authority.
    let text = Command::new(env!("CARGO_BIN_EXE_icd"))
        .arg("rules")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("mce.age_conflict") && text.contains("[MCE edit AGE_CONFLICT]"));
}

/// Issue 16: a date of service after the last day the loaded release
/// covers is said to be so, by `icd validate` as by `icd check`.
#[test]
fn validate_says_when_the_date_is_beyond_the_release() {
    let validate = |date: &str| {
        Command::new(env!("CARGO_BIN_EXE_icd"))
            .args(["validate", "E11.9", "--date", date, "--index"])
            .arg(index())
            .output()
            .unwrap()
    };
    let late = validate("2027-06-01");
    assert_eq!(
        String::from_utf8_lossy(&late.stderr).trim(),
        "warning: the date of service 2027-06-01 is after 2026-09-30, the last day this release covers: codes may have changed on 2026-10-01; this release cannot tell"
    );
    let covered = validate("2026-09-30");
    assert!(covered.status.success());
    assert_eq!(String::from_utf8_lossy(&covered.stderr), "");
}

/// `icd check - ARGS` reading `stdin` through a pipe.
fn icd_piped(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(["check", "-"])
        .args(args)
        .arg("--index")
        .arg(index())
        .args(["--today", "2026-05-01"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

const RECORD: &str = r#"{"id":"enc-1","setting":"inpatient","patient":{"age":"65","sex":"M"},"admission":{"date":"2026-04-01"},"discharge":{"date":"2026-04-06","status":"01"},"principal_dx":{"code":"I21.4"},"secondary_dx":[{"code":"N17.9","poa":"Y"}],"procedures":[{"code":"02703DZ","date":"2026-04-01"}]}"#;

#[test]
fn a_broken_record_in_the_middle_of_a_piped_file_is_rejected_alone_with_its_place() {
    use std::io::Write;
    // 2,001 records, several 64 KiB chunks, the broken one in the middle.
    let mut input = String::new();
    for n in 0..2001 {
        input.push_str(if n == 1000 {
            r#"{"id":"enc-x","principal_dx":"#
        } else {
            RECORD
        });
        input.push('\n');
    }
    let mut child = icd_piped(&["--json"]);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let reports = lines(&o);
    assert_eq!(reports.len(), 2001);
    for (n, r) in reports.iter().enumerate() {
        assert_eq!(r["record"], n + 1);
        assert_eq!(r["place"], format!("line {}", n + 1));
        let unreadable = rules_of(r).iter().any(|id| id == "input.unreadable");
        assert_eq!(unreadable, n == 1000, "record {}: {r}", n + 1);
    }
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("2001 records read, 2000 checked, 1 rejected"),
        "{stderr}"
    );
}

#[test]
fn the_first_report_is_written_before_standard_input_closes() {
    let (first, rest, _) = first_line_before_eof(icd_piped(&["--json"]), RECORD);
    let first = first.expect("no report before standard input closed");
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        (v["record"].clone(), v["id"].clone()),
        (1.into(), "enc-1".into())
    );
    assert_eq!(rest.len(), 1, "{rest:?}");
}
