//! Record checks per second on the real artifacts, for a realistic mix: one
//! principal diagnosis, eight secondary diagnoses and two procedures per
//! inpatient record, codes drawn (deterministically) from every billable
//! ICD-10-CM code and every ICD-10-PCS code valid on the discharge date.
//!
//! Build the artifacts first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench check`. `ICD_INDEX_DIR` points elsewhere;
//! with a folder written by `icd build-index` (which has `ccmcc.icdx`) the
//! records are also checked with CC/MCC capture.
//!
//! The allocator is mimalloc, as in `icd` (a record's findings are a few
//! dozen small strings); `--features system-allocator` measures with the
//! system's instead.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use icd_core::mce::Table;
use icd_core::record::{ccmcc, Checker, Diagnosis, Procedure, Record};
use icd_core::registry::{ArtifactId, Capability};
use icd_core::{Date, Library};

#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small deterministic generator (no dependency needed for a benchmark mix).
struct Lcg(u64);
impl Lcg {
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        &v[(self.0 >> 33) as usize % v.len()]
    }
}

fn records(lib: &Library<&[u8]>, n: usize) -> Vec<Record> {
    let date: Date = "2026-04-06".parse().unwrap();
    let dx: Vec<String> = lib
        .tabular
        .billable_codes()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let pcs: Vec<String> = lib
        .mce
        .codes(Table::Sg)
        .into_iter()
        .filter(|c| lib.mce.period_on(Table::Sg, c, date).is_some())
        .collect();
    let mut rng = Lcg(43);
    let poa = ["Y", "N", "U", "W", "1"];
    (0..n)
        .map(|i| {
            let diag = |rng: &mut Lcg| Diagnosis {
                code: rng.pick(&dx).clone(),
                poa: Some(rng.pick(&poa).to_string()),
                ..Default::default()
            };
            let mut r = Record {
                id: Some(format!("enc-{i}").as_str().into()),
                setting: Some("inpatient".into()),
                attending: Some("Smith, A".into()),
                admitting_dx: Some("R07.9".into()),
                reason_for_visit: Some("chest pain".into()),
                ..Default::default()
            };
            r.patient.mrn = Some(format!("{i:06}").as_str().into());
            r.patient.dob = Some(format!("19{:02}-03-15", 20 + i % 80));
            r.patient.sex = Some(if i % 2 == 0 { "F" } else { "M" }.into());
            r.admission.date = Some("2026-04-02".into());
            r.discharge.date = Some("2026-04-06".into());
            r.discharge.status = Some("01".into());
            r.principal_dx = Some(diag(&mut rng));
            r.secondary_dx = (0..8).map(|_| diag(&mut rng)).collect();
            r.procedures = (0..2)
                .map(|_| Procedure {
                    code: rng.pick(&pcs).clone(),
                    date: Some("2026-04-03".into()),
                    ..Default::default()
                })
                .collect();
            r
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let Some(files) = common::files(Capability::Browse) else {
        return;
    };
    let engine = common::open(&files);
    let lib = engine.library().expect("the library is loaded");
    let records = records(lib, 1000);
    let checker = Checker::new(lib).today("2026-05-01".parse().unwrap());
    let findings: usize = records.iter().map(|r| checker.check(r).len()).sum();
    eprintln!("{} findings on {} records", findings, records.len());
    let mut by_rule = std::collections::BTreeMap::new();
    for f in records.iter().flat_map(|r| checker.check(r)) {
        *by_rule.entry(f.rule_id).or_insert(0usize) += 1;
    }
    eprintln!("by rule: {by_rule:?}");
    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("1000 records (1 pdx, 8 sdx, 2 procedures)", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| checker.check(r).len())
                .sum::<usize>()
        })
    });
    // `icd check` also reports CC/MCC capture when the index folder has
    // `ccmcc.icdx` (`icd build-index` writes it; the app's folder may not).
    let ccmcc_bytes = common::optional(ArtifactId::CcMcc);
    let ccmcc = ccmcc_bytes
        .as_ref()
        .and_then(|(_, b)| ccmcc::CcMcc::open(b.as_slice()).ok());
    if let Some(t) = &ccmcc {
        let checker = Checker::new(lib)
            .today("2026-05-01".parse().unwrap())
            .with_ccmcc(t);
        g.bench_function("1000 records with CC/MCC capture", |b| {
            b.iter(|| {
                records
                    .iter()
                    .map(|r| checker.check(r).len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
    c.bench_function("Checker::new (MCE flags, discharge status rows)", |b| {
        b.iter(|| Checker::new(lib))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
