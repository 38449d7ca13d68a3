//! `icd report` end to end on `tests/fixtures/report/batch.csv`, with
//! artifacts built from `../shared/data` (or `ICD_DATA_DIR`) into a
//! temporary folder. Every expected figure is worked out by hand below from
//! the fixture and IPPS Table 5 (`msdrg/msdrg-fy2026-weights.tsv`); the
//! DRGs are those `icd group` gives (held to msdrg 1.2.0's by the
//! `drg_conformance` tests).

mod common;
use common::*;

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report/batch.csv")
        .display()
        .to_string()
}

fn icd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(args)
        .arg("--index")
        .arg(index())
        .output()
        .unwrap()
}

fn report_json(extra: &[&str]) -> serde_json::Value {
    let file = fixture();
    let mut args = vec!["report", file.as_str(), "--json", "--today", "2026-05-01"];
    args.extend_from_slice(extra);
    let o = icd(&args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "one row is rejected: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

// The fixture, worked by hand. DRG (Table 5 weight, severity split):
// R01 J18.9 + L03.119 (CC)   194 (0.8059, with)     LOS 3  2 dx, 1 unspecified (L03.119)
// R02 J18.9 + N17.9 (CC)     194 (0.8059, with)     LOS 1 (same day)  2 dx
// R03 J18.9 + J96.01 (MCC)   193 (1.3144, with)     LOS 1  expired 23 h after admission  2 dx
// R04 I21.4                  285 (0.5989, without)  LOS 4  expired 98 h after admission  1 dx
// R05 I50.9 + N17.9 + L03.119 292 (0.8490, with)    LOS 5  3 dx, 1 unspecified
// R06 R07.9                  313 (0.7200, no split) LOS 2  1 dx
// R07 J18 (not a code)       999 INVALID_PDX        no admission date  1 dx
// R08 status 30: not a discharge; R09 no discharge date: not a discharge
// R10 N39.0 + E87.1          690 (0.8095, without)  LOS 3  2 dx
// O01, O02 outpatient: 3 dx, 1 unspecified (L03.119)
// line 14: 15 fields for a 12-column header: rejected
//
// discharges 8 (R01-R07, R10)
// total LOS 3+1+1+4+5+2+3 = 19 over 7; ALOS 19/7
// gross death rate 2/8 x 100 = 25; net (2-1)/(8-1) x 100 = 100/7
// CMI (0.8059+0.8059+1.3144+0.5989+0.8490+0.7200+0.8095)/7 = 5.9036/7
// CC/MCC capture 4 (R01, R02, R03, R05) / 6 (R01-R05, R10: not R06, whose DRG has no split) x 100
// unspecified 2/14 x 100; outpatient 1/3 x 100
// read 13 = 12 records + 1 rejected
/// Figure id, value, and numerator and denominator where there are both.
type Expect = (&'static str, f64, Option<(f64, f64)>);
const FIGURES: [Expect; 8] = [
    ("discharges", 8.0, None),
    ("total_los", 19.0, None),
    ("alos", 19.0 / 7.0, Some((19.0, 7.0))),
    ("gross_death_rate", 25.0, Some((2.0, 8.0))),
    ("net_death_rate", 100.0 / 7.0, Some((1.0, 7.0))),
    ("case_mix_index", 5.9036 / 7.0, Some((5.9036, 7.0))),
    ("cc_mcc_capture_rate", 400.0 / 6.0, Some((4.0, 6.0))),
    ("unspecified_code_rate", 200.0 / 14.0, Some((2.0, 14.0))),
];

fn close(v: &serde_json::Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

#[test]
fn report_json_gives_the_figures_worked_by_hand() {
    let v = report_json(&[]);
    for (id, value, work) in FIGURES {
        let f = &v[id];
        assert!(close(&f["value"], value), "{id}: {f} != {value}");
        if let Some((num, den)) = work {
            assert!(close(&f["numerator"], num), "{id} numerator: {f}");
            assert!(close(&f["denominator"], den), "{id} denominator: {f}");
        }
    }
    assert!(close(
        &v["outpatient_unspecified_code_rate"]["value"],
        100.0 / 3.0
    ));
    assert_eq!(v["read"], 13);
    assert_eq!(v["reviewed"], 12);
    assert_eq!(v["inpatient"], 10);
    assert_eq!(v["outpatient"], 2);
}

#[test]
fn rejected_and_excluded_records_are_counted_with_why() {
    let v = report_json(&[]);
    assert_eq!(v["rejected"], 1);
    let unit = &v["rejected_units"][0];
    assert_eq!(unit["place"], "line 14");
    assert!(
        unit["reason"].as_str().unwrap().contains("15 fields"),
        "{unit}"
    );
    // R07 from ALOS and CMI, R08 and R09 from every inpatient figure.
    assert_eq!(v["excluded"], 4);
    let reasons: Vec<String> = v["excluded_by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}: {}",
                r["count"],
                r["from"].as_str().unwrap(),
                r["why"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "1 alos: no readable admission date",
        "1 case_mix_index: ungroupable: DRG 999 (INVALID_PDX)",
        "1 inpatient: discharge status 30 (still a patient)",
        "1 inpatient: no discharge date",
    ] {
        assert!(
            reasons.iter().any(|r| r.starts_with(want)),
            "{want} in {reasons:?}"
        );
    }
}

#[test]
fn the_tables_and_the_full_report_list_the_records() {
    let v = report_json(&[]);
    let drgs: Vec<(String, u64)> = v["tables"]["drgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut keys: Vec<&str> = drgs.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["193", "194", "285", "292", "313", "690"]);
    let dispositions = &v["tables"]["dispositions"];
    assert_eq!(dispositions[0]["key"], "01");
    assert_eq!(dispositions[0]["count"], 4);
    // --full: the records behind the gross death rate are R03 and R04.
    let full = report_json(&["--full"]);
    let gross = full["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "gross_death_rate")
        .unwrap();
    assert_eq!(gross["numerator_records"], serde_json::json!([2, 3]));
}

#[test]
fn the_figures_do_not_depend_on_the_number_of_threads() {
    let one = report_json(&["--threads", "1", "--full"]);
    let three = report_json(&["--threads", "3", "--full"]);
    assert_eq!(one, three);
}

#[test]
fn the_text_report_shows_formulas_and_why_a_figure_is_missing() {
    let file = fixture();
    let o = icd(&["report", &file, "--today", "2026-05-01"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Gross death rate"), "{text}");
    assert!(
        text.contains(
            "inpatient deaths (discharge status 20) / discharges (including deaths) x 100"
        ),
        "{text}"
    );
    assert!(text.contains("25.00%  = 2 / 8"), "{text}");
    // Without R04's discharge time the 48-hour rule cannot be applied.
    let dir = tempfile::tempdir().unwrap();
    let cut = std::fs::read_to_string(&file)
        .unwrap()
        .replace("2026-03-05,12:00,20", "2026-03-05,,20");
    let path = dir.path().join("cut.csv");
    std::fs::write(&path, cut).unwrap();
    let o = icd(&[
        "report",
        path.to_str().unwrap(),
        "--json",
        "--today",
        "2026-05-01",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["net_death_rate"]["value"].is_null(),
        "{}",
        v["net_death_rate"]
    );
    assert_eq!(
        v["net_death_rate"]["note"],
        "not computed: 1 of 2 deaths lack admission/discharge times (the 48-hour rule needs both dates and times)"
    );
}

#[test]
fn a_sample_is_the_same_for_a_seed_and_reads_back_whole() {
    let a = icd(&["sample", "--count", "300", "--seed", "5"]);
    let b = icd(&["sample", "--count", "300", "--seed", "5"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    std::fs::write(&path, &a.stdout).unwrap();
    let o = icd(&[
        "report",
        path.to_str().unwrap(),
        "--json",
        "--today",
        "2026-12-01",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["read"], 300);
    assert_eq!(v["rejected"], 0);
    let r = icd(&[
        "sample", "--count", "300", "--seed", "5", "--format", "record",
    ]);
    let path = dir.path().join("s.jsonl");
    std::fs::write(&path, &r.stdout).unwrap();
    let o = icd(&[
        "report",
        path.to_str().unwrap(),
        "--json",
        "--today",
        "2026-12-01",
    ]);
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The same encounters as JSON Lines give the same figures.
    for (id, _, _) in FIGURES {
        assert_eq!(v[id], w[id], "{id}");
    }
}
