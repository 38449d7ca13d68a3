//! Record checks on the official data (built in memory from
//! `../shared/data`, or `ICD_DATA_DIR`): one line per case. Each case
//! patches a clean inpatient record and shows every finding as
//! `severity rule_id fields: message`. Update the expectations with
//! `UPDATE_EXPECT=1 cargo test -p icd-cli --test check_records`.

use std::path::PathBuf;
use std::sync::OnceLock;

use expect_test::{expect, Expect};
use icd_cli::build::{build, open_all, Built};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::record::{Checker, Record, Severity};
use icd_core::Library;

fn data_dir() -> PathBuf {
    std::env::var_os("ICD_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn library() -> &'static Library<&'static [u8]> {
    static BUILT: OnceLock<Built> = OnceLock::new();
    static LIB: OnceLock<Library<&'static [u8]>> = OnceLock::new();
    LIB.get_or_init(|| {
        let built = BUILT.get_or_init(|| build(&data_dir()).expect("../shared/data builds"));
        let files = ARTIFACT_FILES.iter().map(|name| {
            built
                .files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, b)| b.as_slice())
                .unwrap_or_else(|| panic!("{name} not built"))
        });
        open_all(files.collect()).unwrap()
    })
}

fn checker() -> &'static Checker<'static, &'static [u8]> {
    static CHECKER: OnceLock<Checker<'static, &'static [u8]>> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(library()).today("2026-05-01".parse().unwrap()))
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

fn run(patch: &str, reminders: bool, expect: Expect) {
    let mut v: serde_json::Value = serde_json::from_str(BASE).unwrap();
    merge(&mut v, serde_json::from_str(patch).unwrap());
    let record: Record = serde_json::from_value(v).unwrap();
    let out: Vec<String> = checker()
        .check(&record)
        .iter()
        .filter(|f| {
            reminders
                || !matches!(
                    f.rule_id,
                    "tabular.use_additional_code" | "tabular.code_also"
                )
        })
        .map(|f| {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            format!("{sev} {} {}: {}", f.rule_id, f.fields.join(","), f.message)
        })
        .collect();
    expect.assert_eq(&out.join("\n"));
}

#[test]
fn clean_record_has_no_findings() {
    check_all(
        "{}",
        expect![[r#"
            info tabular.use_additional_code principal_dx: I21.4: Use additional code at I21: code, if applicable, to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); status post administration of tPA (rtPA) in a different facility within the last 24 hours prior to admission to current facility (Z92.82); tobacco dependence (F17.-); tobacco use (Z72.0) (none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: I10: Use additional code at I10-I1A: code to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); tobacco dependence (F17.-); tobacco use (Z72.0) (none of these is on the record)"#]],
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
        expect![[r#"
            error tabular.excludes1 secondary_dx[0],secondary_dx[1]: E11.9 and E10.9 may not be reported together: Excludes1 at E11: type 1 diabetes mellitus (E10.-)
            error tabular.excludes1 secondary_dx[0],secondary_dx[1]: E10.9 and E11.9 may not be reported together: Excludes1 at E10: type 2 diabetes mellitus (E11.-)"#]],
    );
    check_all(
        r#"{"secondary_dx": [{"code": "E11.22", "poa": "Y"}]}"#,
        expect![[r#"
            info tabular.code_also principal_dx: I21.4: Code also at I20-I25: the presence of hypertension (I10-I1A) (none of these is on the record)
            info tabular.use_additional_code principal_dx: I21.4: Use additional code at I21: code, if applicable, to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); status post administration of tPA (rtPA) in a different facility within the last 24 hours prior to admission to current facility (Z92.82); tobacco dependence (F17.-); tobacco use (Z72.0) (none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: E11.22: Use additional code at E11: code to identify control using: injectable non-insulin antidiabetic drugs (Z79.85); insulin (Z79.4); oral antidiabetic drugs (Z79.84); oral hypoglycemic drugs (Z79.84) (none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: E11.22: Use additional code at E11.22: code to identify stage of chronic kidney disease (N18.1-N18.6) (none of these is on the record)"#]],
    );
    check_all(
        r#"{"secondary_dx": [{"code": "E11.22", "poa": "Y"}, {"code": "N18.4", "poa": "Y"}]}"#,
        expect![[r#"
            info tabular.code_also principal_dx: I21.4: Code also at I20-I25: the presence of hypertension (I10-I1A) (none of these is on the record)
            info tabular.use_additional_code principal_dx: I21.4: Use additional code at I21: code, if applicable, to identify: exposure to environmental tobacco smoke (Z77.22); history of tobacco dependence (Z87.891); occupational exposure to environmental tobacco smoke (Z57.31); status post administration of tPA (rtPA) in a different facility within the last 24 hours prior to admission to current facility (Z92.82); tobacco dependence (F17.-); tobacco use (Z72.0) (none of these is on the record)
            info tabular.use_additional_code secondary_dx[0]: E11.22: Use additional code at E11: code to identify control using: injectable non-insulin antidiabetic drugs (Z79.85); insulin (Z79.4); oral antidiabetic drugs (Z79.84); oral hypoglycemic drugs (Z79.84) (none of these is on the record)
            info tabular.use_additional_code secondary_dx[1]: N18.4: Use additional code at N18: code, if applicable, to identify: associated cachexia (E88.A); kidney transplant status (Z94.0) (none of these is on the record)"#]],
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
            warning record.setting_missing setting: the setting is not given; the record was checked as inpatient
            error record.required_field patient.mrn: the medical record number is required for an inpatient record
            error record.required_field patient.sex: the patient's sex is required for an inpatient record
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
        r#"{"discharge": {"date": "2026-13-01"}, "patient": {"sex": "X"}}"#,
        expect![[r#"
            error record.bad_value discharge.date: '2026-13-01' is not a date: write it as YYYY-MM-DD (e.g. 2026-04-01) or YYYYMMDD
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
