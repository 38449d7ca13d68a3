//! Records checked and grouped per second: the record check (MCE edits,
//! conventions, CC/MCC capture) and the MS-DRG grouping of each record,
//! together, as `icd check` and `icd group` do them, on the 6,000 generated
//! claims of tests/drg (every MDC, CC/MCC, O.R. and non-O.R. procedures)
//! turned into inpatient records.
//!
//! Build the artifacts first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench drg`. `ICD_INDEX_DIR` points elsewhere.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use icd_core::drg::{Claim, HospitalStatus};
use icd_core::record::model::{Diagnosis, Discharge, Patient, Procedure, Text};
use icd_core::record::{Checker, Record};
use icd_core::registry::Capability;

#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn dx(v: &serde_json::Value) -> Diagnosis {
    Diagnosis {
        code: v["code"].as_str().unwrap_or("").to_string(),
        poa: v["poa"].as_str().map(str::to_string),
        ..Default::default()
    }
}

/// The generated claims as inpatient records discharged 2026-04-06.
fn records() -> Vec<Record> {
    let path = common::root().join("tests/drg/claims-6000.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/drg/claims-6000.jsonl");
    text.lines()
        .map(|l| {
            let c: serde_json::Value = serde_json::from_str(l).unwrap();
            Record {
                setting: Some("inpatient".into()),
                patient: Patient {
                    age: Some(Text(c["age"].to_string())),
                    sex: Some(
                        ["M", "F", "U"][c["sex"].as_u64().unwrap_or(2).min(2) as usize].into(),
                    ),
                    ..Default::default()
                },
                discharge: Discharge {
                    date: Some("2026-04-06".into()),
                    status: Some(Text(format!(
                        "{:02}",
                        c["discharge_status"].as_i64().unwrap_or(1)
                    ))),
                    ..Default::default()
                },
                principal_dx: Some(dx(&c["pdx"])),
                secondary_dx: c["sdx"].as_array().unwrap().iter().map(dx).collect(),
                procedures: c["procedures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| Procedure {
                        code: p["code"].as_str().unwrap_or("").to_string(),
                        date: Some("2026-04-03".into()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    // Check reads the library, the CC/MCC and the grouper tables.
    let Some(files) = common::files(Capability::Check) else {
        return;
    };
    let engine = common::open(&files);
    let lib = engine.library().expect("the library is loaded");
    let cc = engine.ccmcc().expect("ccmcc.icdx is loaded");
    let tables = engine.drg().expect("drg.icdx is loaded");
    let checker = Checker::new(lib).with_ccmcc(cc);
    let records = records();
    let mut g = c.benchmark_group("drg");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.sample_size(10);
    g.bench_function("group 6000 claims", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| {
                    tables
                        .group(&Claim::from_record(r, HospitalStatus::NotExempt))
                        .final_
                        .drg as u64
                })
                .sum::<u64>()
        })
    });
    g.bench_function("check 6000 records", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| checker.check(r).len() as u64)
                .sum::<u64>()
        })
    });
    g.bench_function("check and group 6000 records", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| {
                    let f = checker.check(r).len() as u64;
                    f + tables
                        .group(&Claim::from_record(r, HospitalStatus::NotExempt))
                        .final_
                        .drg as u64
                })
                .sum::<u64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
