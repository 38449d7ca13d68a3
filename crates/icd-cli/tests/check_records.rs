//! Record checks on the official data (built in memory from
//! `../shared/data`, or `ICD_DATA_DIR`): one line per case. Each case
//! patches a clean inpatient record and shows every finding as
//! `severity rule_id fields: message`. Update the expectations with
//! `UPDATE_EXPECT=1 cargo test -p icd-cli --test check_records`.

use std::path::PathBuf;
use std::sync::OnceLock;

use expect_test::{expect, Expect};
use icd_cli::build::{build, open_all, Built, CCMCC_FILE};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::record::ccmcc::CcMcc;
use icd_core::record::{Checker, Record};
use icd_core::Library;

fn data_dir() -> PathBuf {
    std::env::var_os("ICD_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn file(name: &str) -> &'static [u8] {
    static BUILT: OnceLock<Built> = OnceLock::new();
    let built = BUILT.get_or_init(|| build(&data_dir()).expect("../shared/data builds"));
    built
        .files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b.as_slice())
        .unwrap_or_else(|| panic!("{name} not built"))
}

fn library() -> &'static Library<&'static [u8]> {
    static LIB: OnceLock<Library<&'static [u8]>> = OnceLock::new();
    LIB.get_or_init(|| open_all(ARTIFACT_FILES.iter().map(|n| file(n)).collect()).unwrap())
}

fn checker() -> &'static Checker<'static, &'static [u8]> {
    static CHECKER: OnceLock<Checker<'static, &'static [u8]>> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(library()).today("2026-05-01".parse().unwrap()))
}

/// The same with the MS-DRG CC/MCC tables.
fn checker_with_ccmcc() -> &'static Checker<'static, &'static [u8]> {
    static TABLES: OnceLock<CcMcc<&'static [u8]>> = OnceLock::new();
    static CHECKER: OnceLock<Checker<'static, &'static [u8]>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| CcMcc::open(file(CCMCC_FILE)).unwrap());
    CHECKER.get_or_init(|| {
        Checker::new(library())
            .today("2026-05-01".parse().unwrap())
            .with_ccmcc(tables)
    })
}

const BASE: &str = r#"{
  "id": "enc-1", "setting": "inpatient",
  "patient": {"mrn": "000123", "name": "Doe, Jane", "dob": "1950-02-11", "sex": "F"},
  "admission": {"date": "2026-04-02", "source": "1", "type": "1"},
  "discharge": {"date": "2026-04-06", "status": "01"},
  "attending": "Smith, A", "admitting_dx": "R07.9",
  "principal_dx": {"code": "I21.4", "poa": "Y"},
  "secondary_dx": [{"code": "I10", "poa": "Y"}],
  "procedures": [{"code": "02703DZ", "date": "2026-04-03"}],
  "reason_for_visit": "chest pain"
}"#;

/// Applies `patch` (a JSON object; `null` removes a key, objects merge) to the base record.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(&k);
                } else if v.is_object() && b.get(&k).is_some_and(|x| x.is_object()) {
                    merge(b.get_mut(&k).unwrap(), v);
                } else {
                    b.insert(k, v);
                }
            }
        }
        (b, p) => *b = p,
    }
}

/// Every finding but the use-additional-code and code-also reminders.
fn check(patch: &str, expect: Expect) {
    run(patch, false, expect)
}

/// Every finding.
fn check_all(patch: &str, expect: Expect) {
    run(patch, true, expect)
}

/// Every finding, with CC/MCC capture.
fn check_billing(patch: &str, expect: Expect) {
    run_with(checker_with_ccmcc(), patch, true, expect)
}

fn run(patch: &str, reminders: bool, expect: Expect) {
    run_with(checker(), patch, reminders, expect)
}

fn run_with(
    checker: &Checker<'static, &'static [u8]>,
    patch: &str,
    reminders: bool,
    expect: Expect,
) {
    let mut v: serde_json::Value = serde_json::from_str(BASE).unwrap();
    merge(&mut v, serde_json::from_str(patch).unwrap());
    let record: Record = serde_json::from_value(v).unwrap();
    let findings = checker.check(&record);
    for f in &findings {
        let rule = f
            .rule()
            .unwrap_or_else(|| panic!("{} is not a registered rule", f.rule_id));
        assert!(
            f.severity >= rule.severity,
            "{} is more serious than its rule",
            f.rule_id
        );
    }
    let out: Vec<String> = findings
        .iter()
        .filter(|f| {
            reminders
                || !matches!(
                    f.rule_id,
                    "tabular.use_additional_code" | "tabular.code_also"
                )
        })
        .map(|f| {
            format!(
                "{} {} {}: {}",
                f.severity,
                f.rule_id,
                f.fields.join(","),
                f.message
            )
        })
        .collect();
    expect.assert_eq(&out.join("\n"));
}

#[test]
fn clean_record_has_no_findings() {
    check_all(
        "{}",
        expect![[r#"
            info tabular.use_additional_code principal_dx: I21.4: Use additional code, if applicable, to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); status post administration of tPA (rtPA) in a different facility within the last 24 hours prior to admission to current facility (Z92.82); tobacco dependence (F17.-); tobacco use (Z72.0) (note at I21; none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: I10: Use additional code to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); tobacco dependence (F17.-); tobacco use (Z72.0) (note at I10-I1A; none of these is on the record)"#]],
    );
}

#[test]
fn mce_edits_on_records() {
    check(
        r#"{"principal_dx": {"code": "O80", "poa": "Y"}, "patient": {"dob": "1950-02-11", "sex": "M"}}"#,
        expect!["error mce.age_conflict principal_dx: O80 is a maternity code but the patient's age is 76"],
    );
    check(
        r#"{"principal_dx": {"code": "W19.XXXA", "poa": "Y"}}"#,
        expect!["error mce.e_code_as_pdx principal_dx: W19.XXXA is an external cause code and may not be the principal diagnosis"],
    );
    check(
        r#"{"principal_dx": {"code": "G63", "poa": "Y"}}"#,
        expect![[r#"
            error mce.manifestation_as_pdx principal_dx: G63 is a manifestation code and may not be the principal diagnosis
            error tabular.manifestation_without_etiology principal_dx: G63 is a manifestation code but no etiology it names is on the record: code first amyloidosis (E85.-)"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "I21.4", "poa": "Y"}]}"#,
        expect!["error mce.duplicate_of_pdx secondary_dx[0]: secondary diagnosis I21.4 duplicates the principal diagnosis"],
    );
    check(r#"{"discharge": {"status": "44"}}"#, expect!["error mce.invalid_discharge_status discharge.status: discharge status 44 is not a valid patient discharge status on 2026-04-06"]);
    check(
        r#"{"patient": {"dob": null, "age": 130}}"#,
        expect!["error mce.invalid_age patient.age: age 130 is not a valid age (0 to 124 years)"],
    );
    check(
        r#"{"principal_dx": {"code": "Z51.89", "poa": "Y"}, "secondary_dx": []}"#,
        expect!["error mce.requires_sdx principal_dx: Z51.89 as principal diagnosis requires a secondary diagnosis"],
    );
    check(
        r#"{"setting": "outpatient", "principal_dx": {"code": "W19.XXXA"}, "secondary_dx": []}"#,
        expect!["warning record.length_of_stay admission.date,discharge.date: an outpatient encounter spanning 4 days (2026-04-02 to 2026-04-06)"],
    );
}

#[test]
fn tabular_conventions() {
    check(
        r#"{"secondary_dx": [{"code": "E11.9", "poa": "Y"}, {"code": "E10.9", "poa": "Y"}]}"#,
        expect!["error tabular.excludes1 secondary_dx[0],secondary_dx[1]: E11.9 and E10.9 may not be reported together: Excludes1 at E11: type 1 diabetes mellitus (E10.-)"],
    );
    check_all(
        r#"{"secondary_dx": [{"code": "E11.22", "poa": "Y"}]}"#,
        expect![[r#"
            info tabular.code_also principal_dx: I21.4: Code also the presence of hypertension (I10-I1A) (note at I20-I25; none of these is on the record)
            info tabular.use_additional_code principal_dx: I21.4: Use additional code, if applicable, to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); status post administration of tPA (rtPA) in a different facility within the last 24 hours prior to admission to current facility (Z92.82); tobacco dependence (F17.-); tobacco use (Z72.0) (note at I21; none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: E11.22: Use additional code to identify control using: injectable non-insulin antidiabetic drugs (Z79.85); insulin (Z79.4); oral antidiabetic drugs (Z79.84); oral hypoglycemic drugs (Z79.84) (note at E11; none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: E11.22: Use additional code to identify stage of chronic kidney disease (N18.1-N18.6) (note at E11.22; none of these is on the record)"#]],
    );
    check_all(
        r#"{"secondary_dx": [{"code": "E11.22", "poa": "Y"}, {"code": "N18.4", "poa": "Y"}]}"#,
        expect![[r#"
            info tabular.code_also principal_dx: I21.4: Code also the presence of hypertension (I10-I1A) (note at I20-I25; none of these is on the record)
            info tabular.use_additional_code principal_dx: I21.4: Use additional code, if applicable, to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); status post administration of tPA (rtPA) in a different facility within the last 24 hours prior to admission to current facility (Z92.82); tobacco dependence (F17.-); tobacco use (Z72.0) (note at I21; none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: E11.22: Use additional code to identify control using: injectable non-insulin antidiabetic drugs (Z79.85); insulin (Z79.4); oral antidiabetic drugs (Z79.84); oral hypoglycemic drugs (Z79.84) (note at E11; none of these is on the record)
            info tabular.use_additional_code secondary_dx[1]: N18.4: Use additional code, if applicable, to identify: associated cachexia (E88.A); kidney transplant status (Z94.0) (note at N18; none of these is on the record)"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "F02.80", "poa": "Y"}, {"code": "G30.9", "poa": "Y"}]}"#,
        expect!["error tabular.manifestation_before_etiology secondary_dx[0],secondary_dx[1]: manifestation F02.80 is sequenced before its etiology G30.9"],
    );
    check(
        r#"{"secondary_dx": [{"code": "G30.9", "poa": "Y"}, {"code": "F02.80", "poa": "Y"}]}"#,
        expect![[""]],
    );
    check(
        r#"{"secondary_dx": [{"code": "F02.80", "poa": "Y"}]}"#,
        expect!["error tabular.manifestation_without_etiology secondary_dx[0]: F02.80 is a manifestation code but no etiology it names is on the record: code first Alzheimer's (G30.-)"],
    );
    check(
        r#"{"secondary_dx": [{"code": "S52.521", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: S52.521 is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.seventh_missing secondary_dx[0]: S52.521 needs a 7th character"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "S52.521Z", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: S52.521Z is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.seventh_not_allowed secondary_dx[0]: S52.521Z: 'Z' is not a valid 7th character for S52.521; choose one of: A, D, G, K, P, S"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "E11.65A", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: E11.65A is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.extra_character secondary_dx[0]: E11.65A is not a code: E11.65 is complete and takes no further character"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "W11A", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: W11.A is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.placeholder_missing secondary_dx[0]: W11.A lacks the placeholder X: a 7th character must be the 7th character of the code"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "T36.01A", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: T36.01A is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.placeholder_missing secondary_dx[0]: T36.01A lacks the placeholder X: a 7th character must be the 7th character of the code"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "E11", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: E11 is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.header_code secondary_dx[0]: E11 is a category (header), not a billable code; 87 billable codes lie below it"#]],
    );
    // E87.2 gained children on 2022-10-01: billable on a stay before then.
    check(
        r#"{"admission": {"date": "2022-01-02"}, "discharge": {"date": "2022-01-05"}, "procedures": [], "secondary_dx": [{"code": "E87.2", "poa": "Y"}]}"#,
        expect![""],
    );
    check(
        r#"{"secondary_dx": [{"code": "E87.2", "poa": "Y"}]}"#,
        expect![[r#"
            error record.code_not_valid_on_date secondary_dx[0]: E87.2 is not valid on 2026-04-06; it is valid 2015-10-01 to 2022-09-30
            error mce.invalid_code secondary_dx[0]: E87.2 is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.header_code secondary_dx[0]: E87.2 is a subcategory (header), not a billable code; 4 billable codes lie below it"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "E11.99", "poa": "Y"}]}"#,
        expect![[r#"
            error mce.invalid_code secondary_dx[0]: E11.99 is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.extra_character secondary_dx[0]: E11.99 is not a code: E11.9 is complete and takes no further character"#]],
    );
}

#[test]
fn completeness_and_consistency() {
    check(
        r#"{"setting": null, "patient": {"mrn": null, "sex": null}, "attending": null}"#,
        expect![[r#"
            error record.required_field patient.mrn: the medical record number is required for an inpatient record
            error record.required_field patient.sex: the patient's sex is required for an inpatient record
            warning record.setting_missing setting: the setting is not given; the record was checked as inpatient
            warning record.required_field attending: the attending provider is required for an inpatient record"#]],
    );
    check(
        r#"{"setting": "outpatient", "reason_for_visit": null, "discharge": {"status": null}}"#,
        expect![[r#"
            warning record.required_field reason_for_visit: the reason for visit is required for an outpatient record
            warning record.length_of_stay admission.date,discharge.date: an outpatient encounter spanning 4 days (2026-04-02 to 2026-04-06)"#]],
    );
    check(r#"{"principal_dx": {"poa": null}}"#, expect!["error record.poa_missing principal_dx.poa: I21.4 has no present-on-admission indicator"]);
    check(
        r#"{"setting": "outpatient", "principal_dx": {"poa": null}, "discharge": {"date": "2026-04-02"}}"#,
        expect!["warning record.procedure_date_outside_stay procedures[0].date: procedure 02703DZ is dated 2026-04-03, after the stay"],
    );
    check(
        r#"{"admission": {"date": "2026-04-08"}}"#,
        expect![[r#"
        error record.date_order admission.date,discharge.date: the admission date 2026-04-08 is after the discharge date 2026-04-06
        warning record.procedure_date_outside_stay procedures[0].date: procedure 02703DZ is dated 2026-04-03, before the stay"#]],
    );
    check(r#"{"patient": {"dob": "2026-04-03"}}"#, expect!["error record.date_order patient.dob,admission.date: the date of birth 2026-04-03 is after the admission date 2026-04-02"]);
    check(
        r#"{"procedures": [{"code": "02703DZ", "date": "2026-04-09"}]}"#,
        expect!["warning record.procedure_date_outside_stay procedures[0].date: procedure 02703DZ is dated 2026-04-09, after the stay"],
    );
    check(r#"{"discharge": {"date": "2026-06-01"}}"#, expect!["error record.future_date discharge.date: discharge.date 2026-06-01 is in the future (today is 2026-05-01)"]);
    check(r#"{"admission": {"date": "2024-01-02"}}"#, expect!["warning record.length_of_stay admission.date,discharge.date: a length of stay of 825 days (2024-01-02 to 2026-04-06)"]);
    check(r#"{"patient": {"age": 50}}"#, expect!["error record.age_mismatch patient.age,patient.dob: the stated age 50 does not agree with the date of birth 1950-02-11 (age 76 on 2026-04-02)"]);
    check(
        r#"{"principal_dx": {"code": "I21.4"}, "secondary_dx": [{"code": "I10", "poa": "X"}]}"#,
        expect!["error record.poa_invalid secondary_dx[0].poa: 'X' is not a present-on-admission indicator (for I10)"],
    );
    check(
        r#"{"secondary_dx": [{"code": "I10", "poa": "Y"}, {"code": "i10", "poa": "Y"}]}"#,
        expect!["error record.duplicate_code secondary_dx[0],secondary_dx[1]: I10 is reported twice (secondary_dx[0] and secondary_dx[1])"],
    );
    check(
        r#"{"secondary_dx": [{"code": "D71", "poa": "Y"}]}"#,
        expect![[r#"
            error record.code_not_valid_on_date secondary_dx[0]: D71 is not valid on 2026-04-06; it is valid 2015-10-01 to 2025-09-30
            error mce.invalid_code secondary_dx[0]: D71 is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error tabular.header_code secondary_dx[0]: D71 is a category (header), not a billable code; 3 billable codes lie below it"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "E11..9", "poa": "Y"}], "procedures": [{"code": "02703D"}]}"#,
        expect![[r#"
            error code.malformed secondary_dx[0]: 'E11..9': the dot goes after the third character (e.g. E11.22)
            error code.malformed procedures[0]: '02703D' is not an ICD-10-PCS code: PCS codes have exactly 7 letters or digits (e.g. 0DTJ4ZZ), without I or O
            error mce.invalid_code secondary_dx[0]: E11..9 is not a valid ICD-10-CM code on the discharge date 2026-04-06
            error mce.invalid_code procedures[0]: 02703D is not a valid ICD-10-PCS code on the discharge date 2026-04-06"#]],
    );
    check(
        r#"{"admission": {"date": "2026-02-30"}, "patient": {"sex": "X"}}"#,
        expect![[r#"
            error record.bad_value admission.date: '2026-02-30' is not a date: February 30 does not exist (February 2026 has 28 days)
            error record.bad_value patient.sex: sex 'x' is not M, F or U"#]],
    );
    check(
        r#"{"admission": {"date": "2026-10-02"}, "discharge": {"date": "2026-10-05"}, "procedures": []}"#,
        expect![[r#"
            error record.future_date admission.date: admission.date 2026-10-02 is in the future (today is 2026-05-01)
            error record.future_date discharge.date: discharge.date 2026-10-05 is in the future (today is 2026-05-01)
            error mce.invalid_discharge_date discharge.date: discharge date 20261005 is outside the dates the MCE tables cover (19851001 to 20260930); no MCE edit was run
            warning record.date_outside_release discharge.date: discharge.date 2026-10-05 is after 2026-09-30, the last day this release covers: codes may have changed on 2026-10-01; this release cannot tell"#]],
    );
    check(
        r#"{"discharge": {"date": "2026-13-01"}, "patient": {"sex": "X"}}"#,
        expect![[r#"
            error record.bad_value discharge.date: '2026-13-01' is not a date: there is no month 13; months run from 01 to 12
            error record.bad_value patient.sex: sex 'x' is not M, F or U"#]],
    );
    check(
        r#"{"patient": {"race": "x"}, "secondary_dx": [{"code": "I10", "poa": "Y", "note": 1}], "extra": true}"#,
        expect![[r#"
            info record.unknown_field extra: 'extra' is not a field of the record form; it was ignored
            info record.unknown_field patient.race: 'patient.race' is not a field of the record form; it was ignored
            info record.unknown_field secondary_dx[0].note: 'secondary_dx[0].note' is not a field of the record form; it was ignored"#]],
    );
}

/// Issue 16: an Excludes1 note that names only some codes of a range
/// (`E08-E13 with .42`) excludes only those; a qualifier the check cannot
/// read gives a note, never an error; a pair is reported once.
#[test]
fn excludes1_reads_its_qualifier() {
    // G63 excludes "diabetes mellitus (E08-E13 with .42)": not E11.9 or E11.22.
    check(
        r#"{"secondary_dx": [{"code": "E11.22", "poa": "Y"}, {"code": "G63", "poa": "Y"}, {"code": "E11.9", "poa": "Y"}]}"#,
        expect![[r#"
            error tabular.manifestation_without_etiology secondary_dx[1]: G63 is a manifestation code but no etiology it names is on the record: code first amyloidosis (E85.-)
            error combination.diabetes_without_complications secondary_dx[0],secondary_dx[2]: E11.22, E11.9: E11.9 is diabetes without complications, but E11.22 names a complication"#]],
    );
    check(
        r#"{"secondary_dx": [{"code": "E11.42", "poa": "Y"}, {"code": "G63", "poa": "Y"}]}"#,
        expect![[r#"
            error tabular.manifestation_without_etiology secondary_dx[1]: G63 is a manifestation code but no etiology it names is on the record: code first amyloidosis (E85.-)
            error tabular.excludes1 secondary_dx[0],secondary_dx[1]: G63 and E11.42 may not be reported together: Excludes1 at G63: diabetes mellitus (E08-E13 with .42)"#]],
    );
    // F80.81 excludes "(I69. with final characters -23)": a qualifier the
    // check does not read, so a note and no error.
    check(
        r#"{"secondary_dx": [{"code": "F80.81", "poa": "Y"}, {"code": "I69.323", "poa": "Y"}]}"#,
        expect!["info tabular.excludes1_qualified secondary_dx[0],secondary_dx[1]: F80.81 and I69.323: the Excludes1 note at F80.81 excludes only the codes with final characters -23: fluency disorder (stuttering) following cerebrovascular disease (I69. with final characters -23)"],
    );
    // E10.9 and E11.9 exclude each other: one finding.
    check(
        r#"{"secondary_dx": [{"code": "E10.9", "poa": "Y"}, {"code": "E11.9", "poa": "Y"}]}"#,
        expect!["error tabular.excludes1 secondary_dx[0],secondary_dx[1]: E10.9 and E11.9 may not be reported together: Excludes1 at E10: type 2 diabetes mellitus (E11.-)"],
    );
}

/// Issue 16: combinations the guidelines presume, each with its rule.
#[test]
fn combination_codes() {
    let codes = |dx: &[&str]| -> String {
        let list: Vec<String> = dx
            .iter()
            .map(|c| format!(r#"{{"code": "{c}", "poa": "Y"}}"#))
            .collect();
        format!(r#"{{"secondary_dx": [{}]}}"#, list.join(", "))
    };
    let fixes = |dx: &[&str], expect: Expect| {
        let mut v: serde_json::Value = serde_json::from_str(BASE).unwrap();
        merge(&mut v, serde_json::from_str(&codes(dx)).unwrap());
        let record: Record = serde_json::from_value(v).unwrap();
        let out: Vec<String> = checker()
            .check(&record)
            .iter()
            .filter(|f| f.rule_id.starts_with("combination."))
            .map(|f| {
                format!(
                    "{} {}: {}",
                    f.severity,
                    f.rule_id,
                    f.fix.as_deref().unwrap_or("")
                )
            })
            .collect();
        expect.assert_eq(&out.join("\n"));
    };
    fixes(
        &["I10", "N18.4"],
        expect!["warning combination.hypertensive_ckd: Report I12.9 with N18.4 instead of I10"],
    );
    fixes(
        &["I10", "N18.9"],
        expect!["warning combination.hypertensive_ckd: Report I12.9 with N18.9 instead of I10"],
    );
    fixes(
        &["N18.6", "I10"],
        expect!["warning combination.hypertensive_ckd: Report I12.0 with N18.6 instead of I10"],
    );
    fixes(
        &["I10", "N18.5"],
        expect!["warning combination.hypertensive_ckd: Report I12.0 with N18.5 instead of I10"],
    );
    fixes(&["I10", "N18.4", "N18.6"], expect!["warning combination.hypertensive_ckd: Report a code of I12.- with N18.4, N18.6 instead of I10"]);
    fixes(&["I10", "I50.9"], expect!["warning combination.hypertensive_heart_disease: Report I11.0 with I50.9 instead of I10"]);
    fixes(
        &["I10", "I51.7"],
        expect![
            "warning combination.hypertensive_heart_disease: Report I11.9 instead of I10, I51.7"
        ],
    );
    fixes(&["I50.23", "I10", "N18.4"], expect!["warning combination.hypertensive_heart_ckd: Report I13.0 with I50.23, N18.4 instead of I10"]);
    fixes(&["I50.23", "I10", "N18.6"], expect!["warning combination.hypertensive_heart_ckd: Report I13.2 with I50.23, N18.6 instead of I10"]);
    fixes(&["I51.9", "I10", "N18.32"], expect!["warning combination.hypertensive_heart_ckd: Report I13.10 with N18.32 instead of I10, I51.9"]);
    fixes(&["I51.9", "I10", "N18.6"], expect!["warning combination.hypertensive_heart_ckd: Report I13.11 with N18.6 instead of I10, I51.9"]);
    fixes(
        &["E11.9", "E11.65"],
        expect!["error combination.diabetes_without_complications: Remove E11.9; keep E11.65"],
    );
    fixes(&["E10.9", "E10.A1"], expect![""]);
    fixes(&["E11.9", "E10.22"], expect![""]);
    fixes(&["J44.9", "J18.9"], expect!["warning combination.copd_lower_respiratory_infection: Report J44.0 with J18.9 instead of J44.9"]);
    fixes(&["J44.9", "J15.212"], expect!["warning combination.copd_lower_respiratory_infection: Report J44.0 with J15.212 instead of J44.9"]);
    fixes(&["J44.0", "J18.9"], expect![""]);
    fixes(&["J44.9", "J45.909"], expect![""]);
    fixes(&["I12.9", "N18.4"], expect![""]);
    // An I11 or I12 code counts for what its notes ask for.
    fixes(
        &["I11.0", "N18.4"],
        expect![
            "warning combination.hypertensive_heart_ckd: Report I13.0 with N18.4 instead of I11.0"
        ],
    );
    fixes(&["I11.0", "I50.9", "N18.4"], expect!["warning combination.hypertensive_heart_ckd: Report I13.0 with I50.9, N18.4 instead of I11.0"]);
    fixes(
        &["I12.9", "I50.9"],
        expect![
            "warning combination.hypertensive_heart_ckd: Report I13.0 with I50.9 instead of I12.9"
        ],
    );
    fixes(
        &["I12.9", "N18.6"],
        expect!["warning combination.hypertensive_ckd: Report I12.0 with N18.6 instead of I12.9"],
    );
    fixes(&["I11.9", "I50.9"], expect!["warning combination.hypertensive_heart_disease: Report I11.0 with I50.9 instead of I11.9"]);
    fixes(&["I11.9", "N18.30"], expect!["warning combination.hypertensive_heart_ckd: Report I13.10 with N18.30 instead of I11.9"]);
    fixes(
        &["I10", "I11.0", "I50.9"],
        expect!["warning combination.hypertensive_heart_disease: Remove I10; keep I50.9"],
    );
    fixes(&["I11.0"], expect![""]);
    fixes(&["I11.0", "I50.23"], expect![""]);
    fixes(&["I12.0", "N18.6"], expect![""]);
    fixes(&["I12.9"], expect![""]);
    fixes(&["I13.0", "I50.23", "N18.4"], expect![""]);
    fixes(&["I10", "N17.9"], expect![""]);
}

/// Issue 16: the walk-through record shows what matters for billing before
/// the reminders: errors, then CC/MCC capture, then warnings (the J44.0
/// combination), then the reminders, those of one note in one finding.
#[test]
fn walk_through_record_puts_billing_first() {
    let walk = r#"{"patient": {"dob": "1948-01-05", "age": 78, "sex": "M"},
            "admission": {"date": "2026-04-02"}, "discharge": {"date": "2026-04-06"},
            "admitting_dx": "J18.9", "procedures": [],
            "principal_dx": {"code": "J18.9", "poa": "Y"},
            "secondary_dx": [{"code": "N17.9", "poa": "Y"}, {"code": "J44.9", "poa": "Y"}, {"code": "E11.9", "poa": "Y"},
                             {"code": "Z79.4", "poa": "1"}, {"code": "I10", "poa": "Y"}]}"#;
    check_billing(
        walk,
        expect![[r#"
            info drg.cc secondary_dx[0],principal_dx: N17.9 is a CC with principal diagnosis J18.9
            warning combination.copd_lower_respiratory_infection principal_dx,secondary_dx[1]: J18.9, J44.9: COPD with a lower respiratory infection is J44.0, with the infection coded also
            info tabular.use_additional_code principal_dx,secondary_dx[1]: J18.9, J44.9: Use additional code, where applicable, to identify: exposure to environmental tobacco smoke (Z77.22); exposure to tobacco smoke in the perinatal period (P96.81); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); tobacco dependence (F17.-); tobacco use (Z72.0) (note at Chapter 10; none of these is on the record)
            info tabular.use_additional_code principal_dx: J18.9: Use additional code, if applicable, to identify resistance to antimicrobial drugs (Z16.-) (note at J09-J18; none of these is on the record)
            info tabular.code_also principal_dx: J18.9: Code also, if applicable, any associated condition such as: aspiration pneumonia (J69.-) (note at J18; none of these is on the record)
            info tabular.code_also secondary_dx[1]: J44.9: Code also type of asthma, if applicable (J45.-) (note at J44; none of these is on the record)
            info tabular.code_also secondary_dx[3]: Z79.4: Code also any follow-up examination (Z08-Z09) (note at Z77-Z99; none of these is on the record)
            info tabular.code_also secondary_dx[3]: Z79.4: Code also any therapeutic drug level monitoring (Z51.81) (note at Z79; none of these is on the record)
            info tabular.use_additional_code secondary_dx[4]: I10: Use additional code to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); tobacco dependence (F17.-); tobacco use (Z72.0) (note at I10-I1A; none of these is on the record)"#]],
    );
    // The same, said directly: CC capture and the J44.0 combination come
    // before every reminder, and each note's reminder is given once.
    let mut v: serde_json::Value = serde_json::from_str(BASE).unwrap();
    merge(&mut v, serde_json::from_str(walk).unwrap());
    let findings = checker_with_ccmcc().check(&serde_json::from_value(v).unwrap());
    let at = |pred: &dyn Fn(&icd_core::record::Finding) -> bool| findings.iter().position(pred);
    let cc = at(&|f| {
        f.rule_id == "drg.cc" && f.message == "N17.9 is a CC with principal diagnosis J18.9"
    });
    let copd = at(&|f| {
        f.rule_id == "combination.copd_lower_respiratory_infection"
            && f.fix.as_deref() == Some("Report J44.0 with J18.9 instead of J44.9")
    });
    let first_reminder = at(&|f| {
        f.rule_id.starts_with("tabular.use_additional") || f.rule_id == "tabular.code_also"
    });
    assert!(
        cc.is_some() && copd.is_some() && first_reminder.is_some(),
        "{findings:#?}"
    );
    assert!(cc < copd && copd < first_reminder);
    let mut notes: Vec<(&str, &str)> = findings
        .iter()
        .filter_map(|f| match &f.authority {
            icd_core::record::Authority::TabularNote { note, text, .. } => {
                Some((*note, text.as_str()))
            }
            _ => None,
        })
        .collect();
    let all = notes.len();
    notes.sort();
    notes.dedup();
    assert_eq!(notes.len(), all, "a note is reminded twice");
}

/// Issue 16: "Code also at J18: , if applicable..." and "Use additional
/// code code, where applicable". Every use-additional-code, code-also and
/// code-first note of the tabular, as the checks print it, has no empty
/// part and no word said twice.
#[test]
fn every_note_sentence_reads_cleanly() {
    let t = &library().tabular;
    let (mut sentences, mut bad) = (0, Vec::new());
    for id in t.ids() {
        for s in icd_core::record::conventions::note_sentences(t, id) {
            sentences += 1;
            // "code code": the same word twice with only a space between.
            let lower = s.to_lowercase();
            let words: Vec<&str> = lower.split_whitespace().collect();
            let doubled = words
                .windows(2)
                .find(|w| w[0] == w[1].trim_end_matches([',', ';', ':', '.']));
            let empty = [": ,", ", ,", ",,", ": :", "; ;", "( )", "()"]
                .iter()
                .find(|p| s.contains(*p));
            let leading = s.split(": ").any(|x| x.starts_with(','))
                || s.split("; ").any(|x| x.starts_with(','));
            if doubled.is_some() || empty.is_some() || leading {
                bad.push(format!("{}: {s}", t.display_key(id)));
            }
        }
    }
    assert!(sentences > 1_000, "only {sentences} note sentences");
    assert!(
        bad.is_empty(),
        "{} sentences read badly:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
