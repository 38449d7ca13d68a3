//! The MS-DRG CC/MCC artifact that `icd build-index` writes from
//! `../shared/data/msdrg/msdrg-v43.1-definitions.json.xz` (or `ICD_DATA_DIR`):
//! its counts, a principal-diagnosis exclusion, and `icd check` reading it
//! from the index folder by default.

mod common;
use common::*;

use std::sync::OnceLock;

use icd_cli::build::{build_ccmcc, open_all, CCMCC_FILE};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::record::ccmcc::{CcLevel, CcMcc};
use icd_core::record::{Checker, Record};
use icd_core::Library;

fn file(name: &str) -> &'static [u8] {
    built()
        .files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b.as_slice())
        .unwrap_or_else(|| panic!("{name} not built"))
}

fn ccmcc() -> CcMcc<&'static [u8]> {
    CcMcc::open(file(CCMCC_FILE)).unwrap()
}

fn library() -> &'static Library<&'static [u8]> {
    static LIB: OnceLock<Library<&'static [u8]>> = OnceLock::new();
    LIB.get_or_init(|| open_all(ARTIFACT_FILES.iter().map(|n| file(n)).collect()).unwrap())
}

#[test]
fn msdrg_counts_15078_ccs_and_3354_mccs() {
    // The definitions' 15,038 CCs and 3,353 MCCs, and the 40 CCs and 1 MCC
    // they leave out (`icd_core::drg::omitted`), which no principal excludes.
    let t = ccmcc();
    assert_eq!(t.release(), "MS-DRG v43.1");
    assert_eq!(t.counts(), (15_078, 3_354));
    let m = &built().manifest;
    assert_eq!(m.counts["drg_cc_codes"], 15_078);
    assert_eq!(m.counts["drg_mcc_codes"], 3_354);
    for (code, level) in [
        ("L493", CcLevel::Cc),
        ("J1282", CcLevel::Mcc),
        ("Z5900", CcLevel::Cc),
    ] {
        let e = t
            .entry(code)
            .unwrap_or_else(|| panic!("{code} is a CC or MCC"));
        assert_eq!(e.level, level, "{code}");
        assert!(!t.excluded(e.collection, code), "{code} excludes nothing");
        assert!(!t.excluded(e.collection, "A419"), "{code} excludes nothing");
    }
    // Listed in the manifest, but not in its totals, which count what the
    // first search result waits for (the registry's Search files): not the
    // CC/MCC, grouper or PCS artifacts, fetched after it.
    let entry = m.files.iter().find(|e| e.name == CCMCC_FILE).unwrap();
    let first: Vec<&str> = icd_core::registry::needed_for(icd_core::registry::Capability::Search)
        .map(|a| a.file)
        .collect();
    assert!(!first.contains(&CCMCC_FILE));
    let others: u64 = m
        .files
        .iter()
        .filter(|e| first.contains(&e.name.as_str()))
        .map(|e| e.gzip_bytes)
        .sum();
    assert_eq!(m.total_gzip_bytes, others);
    assert!(entry.gzip_bytes > 0);
    // The same bytes from a second build.
    assert!(build_ccmcc(&data_dir()).unwrap().unwrap() == file(CCMCC_FILE));
}

#[test]
fn a_principal_diagnosis_exclusion_holds() {
    let t = ccmcc();
    // I50.21 (acute systolic heart failure) is an MCC, but not with another
    // heart failure code (I50.23) as the principal diagnosis.
    let e = t.entry("I5021").unwrap();
    assert_eq!(e.level, CcLevel::Mcc);
    assert!(t.excluded(e.collection, "I5023"));
    assert!(!t.excluded(e.collection, "J189"));
    assert_eq!(t.entry("I10"), None);

    let checker = Checker::new(library()).with_ccmcc(&t);
    let drg = |pdx: &str| -> Vec<String> {
        let record: Record = serde_json::from_value(serde_json::json!({
            "setting": "inpatient",
            "patient": {"dob": "1950-02-11", "sex": "F"},
            "admission": {"date": "2026-04-02"},
            "discharge": {"date": "2026-04-06", "status": "01"},
            "principal_dx": {"code": pdx, "poa": "Y"},
            "secondary_dx": [{"code": "I50.21", "poa": "Y"}, {"code": "E87.1", "poa": "Y"}]
        }))
        .unwrap();
        checker
            .check(&record)
            .into_iter()
            .filter(|f| f.rule_id.starts_with("drg."))
            .map(|f| format!("{} {}", f.rule_id, f.codes[0]))
            .collect()
    };
    assert_eq!(drg("J18.9"), ["drg.mcc I50.21", "drg.cc E87.1"]);
    assert_eq!(drg("I50.23"), ["drg.cc_excluded I50.21", "drg.cc E87.1"]);
}

#[test]
fn icd_check_reads_the_artifact_from_the_index_folder() {
    let dir = tempfile::tempdir().unwrap();
    icd_cli::build::write(dir.path(), built()).unwrap();
    let records = dir.path().join("r.json");
    std::fs::write(
        &records,
        r#"{"setting": "inpatient", "discharge": {"date": "2026-04-06", "status": "01"},
            "principal_dx": {"code": "I50.23", "poa": "Y"},
            "secondary_dx": [{"code": "I50.21", "poa": "Y"}]}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(["check", "--json", "--today", "2026-05-01", "--index"])
        .arg(dir.path())
        .arg(&records)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"drg.cc_excluded\""), "{text}");
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_icd"))
        .arg("verify")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");
    // A damaged CC/MCC file is refused.
    std::fs::write(dir.path().join(CCMCC_FILE), b"ICDX damaged").unwrap();
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_icd"))
        .arg("verify")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stderr).contains(CCMCC_FILE));
}
