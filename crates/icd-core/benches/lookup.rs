//! Artifact load time and lookup latency on the real artifacts.
//!
//! Build them first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench lookup`. `ICD_INDEX_DIR` points elsewhere.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::{Artifacts, Code, Library};

fn artifacts() -> Option<Vec<Vec<u8>>> {
    let dir = std::env::var_os("ICD_INDEX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../static/data"));
    ARTIFACT_FILES
        .iter()
        .map(|f| std::fs::read(dir.join(f)).ok())
        .collect()
}

fn open(files: &[Vec<u8>]) -> Library<&[u8]> {
    Library::open(
        Artifacts::from_files(files.iter().map(Vec::as_slice).collect()).expect("six artifacts"),
    )
    .expect("artifacts open")
}

fn bench(c: &mut Criterion) {
    let Some(files) = artifacts() else {
        eprintln!("no artifacts: run `cargo xtask build-index` first");
        return;
    };
    c.bench_function("open all artifacts", |b| b.iter(|| open(&files)));
    let lib = open(&files);
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
