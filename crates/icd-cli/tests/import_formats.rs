//! One set of eight encounters written in the four import formats
//! (`tests/fixtures/batch/encounters.{csv,jsonl,fhir.json,hl7}`) reads into
//! the same records, and `icd check --json` and `icd group --json` give the
//! same findings and DRGs for each, and `icd report` the same figures;
//! broken files in each format report every broken unit with its place and
//! still read the others.
//!
//! The fixtures vary what each format allows: FHIR references by
//! `urn:uuid:`, `Type/id` and absolute URL, diagnoses linked from the
//! Encounter and from the Condition, a patient shared by two encounters,
//! NUBC and base-specification codes; HL7 segments ending in `\r`, `\n`
//! and `\r\n`, one message in MLLP framing, escapes, repeated PID-3,
//! coding-system names `I10`, `I10C`, `ICD10CM`.
//!
//! The end-to-end tests build the artifacts from `../shared/data` (or
//! `ICD_DATA_DIR`) into a temporary folder, once.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use icd_core::batch::{read, Format, Item};
use icd_core::record::Record;

fn fixture(name: &str) -> PathBuf {
    root()
        .join("crates/icd-cli/tests/fixtures/batch")
        .join(name)
}

/// The four files of the same encounters, with their formats.
const SAME: [(&str, Format); 4] = [
    ("encounters.csv", Format::Csv),
    ("encounters.jsonl", Format::Record),
    ("encounters.fhir.json", Format::Fhir),
    ("encounters.hl7", Format::Hl7),
];

fn items(name: &str, format: Format) -> Vec<Item> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    read(&text, format)
}

fn records(name: &str, format: Format) -> Vec<Record> {
    items(name, format)
        .into_iter()
        .map(|i| match i {
            Item::Record { record, .. } => *record,
            other => panic!("{name}: not a record: {other:?}"),
        })
        .collect()
}

#[test]
fn the_four_formats_read_the_same_records() {
    // Every format carries every field these fixtures use, so nothing is
    // normalised away.
    let want = records("encounters.csv", Format::Csv);
    assert_eq!(want.len(), 8);
    for (name, format) in SAME {
        let got = records(name, format);
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                g,
                w,
                "{name}: record {} differs from the CSV's",
                w.id.as_ref().map_or("-", |t| t.as_str())
            );
        }
    }
}

#[test]
fn the_places_name_entries_and_messages() {
    let places = |name, format| -> Vec<String> {
        items(name, format)
            .iter()
            .map(|i| i.place().to_string())
            .collect()
    };
    let fhir = places("encounters.fhir.json", Format::Fhir);
    // Entries are placed on the line their Bundle starts on, in the array.
    assert_eq!(fhir[0], "entry 1 (line 2)");
    assert_eq!(fhir[4], "entry 5 (line 1398)");
    assert_eq!(fhir[7], "entry 8 (line 1398)");
    let hl7 = places("encounters.hl7", Format::Hl7);
    assert_eq!(hl7.len(), 8);
    assert_eq!(hl7[0], "message 1 (line 1)");
    // Message 2 ends its segments in \r only: message 3 starts on its line, 11.
    assert_eq!(hl7[2], "message 3 (line 11)");
}

/// Each broken file, with the place and the start of the reason of every
/// unit it holds, in order.
#[test]
fn broken_files_report_each_broken_unit_and_read_the_others() {
    let cases: [(&str, Format, &[&str]); 4] = [
        (
            "broken.csv",
            Format::Csv,
            &[
                "line 2: record B1",
                "line 3: broken the row has 5 fields but the header has 3",
                "line 4: record B3",
            ],
        ),
        (
            "broken.jsonl",
            Format::Record,
            &[
                "line 1: record B1",
                "line 2: broken not JSON",
                "line 3: broken not a record",
                "line 4: record B4",
            ],
        ),
        (
            "broken.fhir.json",
            Format::Fhir,
            &[
                "entry 1 (line 1): record B1",
                "entry 2 (line 1): broken Encounter/b2: the patient Patient/nobody is not in the Bundle",
                "entry 3 (line 1): broken Encounter/b3: Condition/c3 has no ICD-10-CM coding (code 22298006)",
                "entry 4 (line 1): record B4",
                "line 2: broken not a FHIR Bundle (resourceType Patient)",
                "line 3: broken not JSON",
                "line 4: broken the Bundle holds no Encounter",
                "entry 5 (line 5): record B5",
            ],
        ),
        (
            "broken.hl7",
            Format::Hl7,
            &[
                "line 1: broken a segment before any MSH segment (PID|1||X^^^^MR||Nobo...)",
                "message 1 (line 2): record B1",
                "message 2 (line 5): broken control id M2: message type \"ORU^R01\" (MSH-9) is not an ADT^A03/A08",
                "message 3 (line 7): broken bad field delimiter 'A' after MSH",
                "message 4 (line 8): broken control id M4: no PID segment",
                "message 5 (line 10): broken control id M5: DG1 1: diagnosis 410.71 is coded in I9, not ICD-10-CM",
                "message 6 (line 13): broken bad encoding characters \"^^\\\\&\" in MSH-2",
                "message 7 (line 14): record B7",
            ],
        ),
    ];
    for (name, format, want) in cases {
        let got: Vec<String> = items(name, format)
            .iter()
            .map(|i| match i {
                Item::Record { place, record } => format!(
                    "{place}: record {}",
                    record.id.as_ref().map_or("-", |t| t.as_str())
                ),
                Item::Claim { place, .. } => format!("{place}: claim"),
                Item::Broken { place, reason } => format!("{place}: broken {reason}"),
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{name}: {got:#?}");
        for (g, w) in got.iter().zip(want) {
            assert!(g.starts_with(w), "{name}:\n  got  {g}\n  want {w}...");
        }
    }
}

fn icd(cmd: &str, file: &Path, format: Option<Format>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_icd"));
    c.arg(cmd).arg(file).arg("--json");
    if let Some(f) = format {
        c.args(["--format", f.name()]);
    }
    if cmd == "check" {
        c.arg("--index")
            .arg(index())
            .args(["--today", "2026-05-01"]);
    } else {
        c.arg("--drg").arg(index().join("drg.icdx"));
    }
    c.output().unwrap()
}

/// The JSON lines of a command's output, without the `place` (which
/// differs by format by design).
fn lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("place");
            v
        })
        .collect()
}

#[test]
fn check_and_group_agree_across_formats_given_or_guessed() {
    for cmd in ["check", "group"] {
        let want = lines(&icd(cmd, &fixture("encounters.csv"), None));
        assert_eq!(want.len(), 8, "{cmd}");
        for (name, format) in SAME {
            for given in [Some(format), None] {
                let o = icd(cmd, &fixture(name), given);
                let got = lines(&o);
                assert_eq!(
                    got,
                    want,
                    "icd {cmd} {name} --format {given:?}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
    }
    // The DRGs are real groupings, not errors: the AMI with a PTCA groups
    // to a PCI DRG, the pneumonia death to a respiratory one.
    let group = lines(&icd("group", &fixture("encounters.hl7"), None));
    for g in &group {
        assert!(g.get("error").is_none(), "{g}");
    }
    let check = lines(&icd("check", &fixture("encounters.fhir.json"), None));
    for c in &check {
        let unreadable = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "input.unreadable");
        assert!(!unreadable, "{c}");
    }
}

#[test]
fn check_names_the_place_of_a_broken_fhir_entry_and_hl7_message() {
    for (name, format, place) in [
        ("broken.fhir.json", Format::Fhir, "entry 2 (line 1)"),
        ("broken.hl7", Format::Hl7, "message 2 (line 5)"),
    ] {
        let o = icd("check", &fixture(name), Some(format));
        let text = String::from_utf8_lossy(&o.stdout);
        let hit = text.lines().find(|l| l.contains(place)).unwrap_or_else(|| {
            panic!("{name}: no report names {place}:\n{text}");
        });
        assert!(hit.contains("input.unreadable"), "{hit}");
        assert_eq!(o.status.code(), Some(1), "{name}: a rejected record fails");
    }
}

/// `v` without any `place` key, at any depth (places differ by format by
/// design: line, entry, message).
fn without_places(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.remove("place");
            map.values_mut().for_each(without_places);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_places),
        _ => {}
    }
}

#[test]
fn report_figures_agree_across_formats() {
    // The figures (`--json`) and the whole report with the records behind
    // every figure and table row (`--full`).
    let report = |name: &str, full: bool| {
        let o = Command::new(env!("CARGO_BIN_EXE_icd"))
            .arg("report")
            .arg(fixture(name))
            .args(["--json", "--today", "2026-05-01", "--index"])
            .arg(index())
            .args(full.then_some("--full"))
            .output()
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "icd report {name}: not JSON ({e}): {}",
                String::from_utf8_lossy(&o.stderr)
            )
        });
        without_places(&mut v);
        v
    };
    let want = report("encounters.csv", false);
    // Real figures, not empty ones: every encounter read, some discharged.
    assert_eq!(want["read"], 8, "{want}");
    let discharges = &want["discharges"]["value"];
    assert!(
        discharges.as_f64().is_some_and(|n| n > 0.0),
        "discharges: {discharges}"
    );
    let want_full = report("encounters.csv", true);
    for (name, _) in SAME {
        assert_eq!(report(name, false), want, "icd report {name} --json");
        assert_eq!(
            report(name, true),
            want_full,
            "icd report {name} --json --full"
        );
    }
}
