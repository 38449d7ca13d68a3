//! `icd build-index`, `verify` and `lookup` on tiny hand-written fixtures:
//! what is built, that it is deterministic, and that every broken input is
//! refused with a message naming the file and the line, leaving the output
//! folder untouched.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data")
}

fn icd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(args)
        .env_remove("ICD_INDEX_DIR")
        .env_remove("ICD_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the fixture data folder that a test may damage.
fn data_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["icd10cm", "mce"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(fixtures().join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

#[test]
fn builds_and_looks_up_the_fixture() {
    let out = tempfile::tempdir().unwrap();
    let built = icd_cli::build::build(&fixtures()).unwrap();
    assert_eq!(
        built.manifest.counts["billable_codes"], 2,
        "I10 and S52.521A"
    );
    assert_eq!(built.dropped.len(), 0);
    icd_cli::build::write(out.path(), &built).unwrap();
    let o = out.path().to_str().unwrap();
    let (code, stdout, _) = icd(&["lookup", "--index", o, "s52.521", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["billable"], false);
    assert_eq!(v["seventh"]["defined_at"], "S52.52");
    assert_eq!(
        v["seventh"]["options"].as_array().unwrap().len(),
        1,
        "S52.52 narrows S52's list to A"
    );
    let (code, stdout, _) = icd(&["lookup", "--index", o, "I10", "--date", "2026-04-01"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Excludes1: hypertensive disease complicating pregnancy (O10-O11)"),
        "{stdout}"
    );
    assert!(stdout.contains("Use additional code (from I10-I1A): code to identify exposure to tobacco smoke (Z77.22)"), "{stdout}");
    assert!(stdout.contains("on 2026-04-01: valid"), "{stdout}");
    let (code, stdout, _) = icd(&["lookup", "--index", o, "--ecause", "Fall, lightning"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("T75.0-"),
        "subcat kept as an incomplete code: {stdout}"
    );
    let (code, _, stderr) = icd(&["lookup", "--index", o, "I1.0"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the dot goes after the third character"),
        "{stderr}"
    );
    let (code, _, stderr) = icd(&["lookup", "--index", o, "S52521B"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "no longer in the ICD-10-CM tabular; it was valid from 2015-10-01 to 2016-09-30"
        ),
        "{stderr}"
    );
}

#[test]
fn builds_are_byte_identical() {
    let a = icd_cli::build::build(&fixtures()).unwrap();
    let b = icd_cli::build::build(&fixtures()).unwrap();
    assert_eq!(a.files, b.files);
    assert_eq!(
        serde_json::to_string(&a.manifest).unwrap(),
        serde_json::to_string(&b.manifest).unwrap()
    );
}

#[test]
fn verify_catches_damage() {
    let out = tempfile::tempdir().unwrap();
    icd_cli::build::write(out.path(), &icd_cli::build::build(&fixtures()).unwrap()).unwrap();
    let o = out.path().to_str().unwrap();
    assert_eq!(icd(&["verify", o]).0, 0);
    let p = out.path().join("tabular.icdx");
    let good = std::fs::read(&p).unwrap();
    let mut bytes = good.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&p, &bytes).unwrap();
    let (code, _, stderr) = icd(&["verify", o]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("tabular.icdx does not match the manifest"),
        "{stderr}"
    );
    std::fs::write(&p, &good).unwrap();
    std::fs::remove_file(out.path().join("mce.icdx")).unwrap();
    let (_, _, stderr) = icd(&["verify", o]);
    assert!(stderr.contains("mce.icdx is missing"), "{stderr}");
}

/// Damages the text of one input file.
type Damage = dyn Fn(&str) -> String;

/// Each case damages one input file and names what the error must say.
#[test]
fn broken_inputs_are_refused_and_named() {
    let cases: &[(&str, &Damage, &str)] = &[
        (
            "icd10cm/icd10cm-tabular-2026-04.xml",
            &|s| s[..s.len() / 2].to_string(),
            "the file is truncated",
        ),
        (
            "icd10cm/icd10cm-tabular-2026-04.xml",
            &|s| s.replace("<name>I10</name>", "<name>I1.0</name>"),
            "tabular node 'I1.0' is not a valid code",
        ),
        (
            "icd10cm/icd10cm-tabular-2026-04.xml",
            &|s| s.replace("<desc>Fracture of forearm</desc>", ""),
            "has no <desc>",
        ),
        (
            "icd10cm/icd10cm-tabular-2026-04.xml",
            &|s| {
                s.replace("<excludes1>", "<excludes3>")
                    .replace("</excludes1>", "</excludes3>")
            },
            "unexpected element <excludes3>",
        ),
        (
            "icd10cm/icd10cm-tabular-2026-04.xml",
            &|s| s.replace("</diag>\n    </section>", "</dia>\n    </section>"),
            "malformed XML",
        ),
        (
            "icd10cm/icd10cm-index-2025.csv",
            &|s| s.replace("3,T,0,", "3,T,zero,"),
            "icd10cm-index-2025.csv:4: Level 'zero' is not a number",
        ),
        (
            "icd10cm/icd10cm-index-2025.csv",
            &|s| s.replace("RowID,", "Row,"),
            "icd10cm-index-2025.csv:1: header",
        ),
        (
            "icd10cm/icd10cm-index-2025.csv",
            &|s| s.replace("4,T,1,", "4,T,3,"),
            "levels may only grow by one",
        ),
        (
            "icd10cm/icd10cm-neoplasm-2025.xml",
            &|s| s.replace("col=\"3\">-", "col=\"9\">-"),
            "<cell> column must be 2 to 3",
        ),
        (
            "icd10cm/icd10cm-drug-2025.xml",
            &|_| String::new(),
            "icd10cm-drug-2025.xml",
        ),
        (
            "mce/i10dx.tsv",
            &|s| s.replace("20151001", "2015-13-01"),
            "i10dx.tsv:2: '2015-13-01' is not a date",
        ),
        (
            "mce/i10dx.tsv",
            &|s| s.replace("I10\t20151001\t\t", "I10\t20151001"),
            "i10dx.tsv:2: 2 fields; expected 4",
        ),
        (
            "mce/age_ranges.tsv",
            &|s| s.replace("\t15\t", "\tfifteen\t"),
            "age_ranges.tsv:2: age 'fifteen' is not a whole number",
        ),
        (
            "mce/discharge_status.tsv",
            &|_| "code\tstart\tend\n".into(),
            "discharge_status.tsv: no rows",
        ),
    ];
    for (file, damage, want) in cases {
        let data = data_copy();
        let path = data.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, damage(&text)).unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("tabular.icdx"), b"previous build").unwrap();
        let (code, _, stderr) = icd(&[
            "build-index",
            "--data",
            data.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(
            stderr.contains(want),
            "{file}: expected '{want}' in: {stderr}"
        );
        let left: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            ["tabular.icdx"],
            "{file}: the output folder was touched"
        );
        assert_eq!(
            std::fs::read(out.path().join("tabular.icdx")).unwrap(),
            b"previous build"
        );
    }
    let (code, _, stderr) = icd(&["build-index", "--data", "/nonexistent", "--out", "/tmp/x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read") && stderr.contains("ICD_DATA_DIR"),
        "{stderr}"
    );
}
