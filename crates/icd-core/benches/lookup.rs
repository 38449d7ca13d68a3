//! Artifact load time and lookup latency on the real artifacts.
//!
//! Build them first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench lookup`. `ICD_INDEX_DIR` points elsewhere.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use icd_core::registry::Capability;
use icd_core::Code;

fn bench(c: &mut Criterion) {
    let Some(files) = common::files(Capability::Browse) else {
        return;
    };
    c.bench_function("open all artifacts", |b| b.iter(|| common::open(&files)));
    let engine = common::open(&files);
    let lib = engine.library().expect("the library is loaded");
    // Every 50th billable code: a spread over all chapters.
    let codes: Vec<Code> = lib
        .tabular
        .billable_codes()
        .into_iter()
        .step_by(50)
        .collect();
    let date = "2026-04-01".parse().ok();
    let mut i = 0;
    c.bench_function("find code", |b| {
        b.iter(|| {
            i = (i + 1) % codes.len();
            lib.tabular.find(&codes[i])
        })
    });
    c.bench_function("full code report", |b| {
        b.iter(|| {
            i = (i + 1) % codes.len();
            lib.lookup(&codes[i], date)
        })
    });
    c.bench_function("resolve index cross reference", |b| {
        b.iter(|| lib.index.resolve("Failure, heart, congestive"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
