//! Search latency and load time on the real artifacts, as percentiles.
//!
//! Build the artifacts first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench search`. The query mix is every
//! statement of `eval/queries.tsv` and every prefix of it as typed key by
//! key (what the app sends while the user types), at least 5,000 queries.

mod common;

use std::time::{Duration, Instant};

use icd_core::registry::Capability;
use icd_core::search::{search, Options};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let root = common::root();
    let files = common::files(Capability::Search)
        .expect("the search artifacts (run `cargo xtask build-index`)");
    let mut loads: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(common::open(&files));
            t.elapsed()
        })
        .collect();
    loads.sort();
    let engine = common::open(&files);
    let (lib, idx) = engine.search_parts().expect("search is loaded");

    let eval = std::fs::read_to_string(root.join("eval/queries.tsv")).expect("eval/queries.tsv");
    let mut queries: Vec<String> = Vec::new();
    for line in eval.lines().filter(|l| !l.starts_with('#')) {
        let q = line.split('\t').next().unwrap_or("");
        for (i, _) in q.char_indices().skip(1) {
            queries.push(q[..i].to_string());
        }
        queries.push(q.to_string());
    }
    assert!(queries.len() >= 5_000, "{} queries", queries.len());
    let opts = Options::default();
    // Warm up once, then time every query.
    for q in queries.iter().take(500) {
        std::hint::black_box(search(lib, idx, q, &opts));
    }
    let mut times: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(search(lib, idx, q, &opts));
            t.elapsed()
        })
        .collect();
    if std::env::var_os("SLOWEST").is_some() {
        let mut by: Vec<(Duration, &String)> = times.iter().copied().zip(&queries).collect();
        by.sort();
        for (t, q) in by.iter().rev().take(15) {
            println!("{t:?} {q:?}");
        }
    }
    times.sort();
    println!(
        "load (open all artifacts and the search index), 20 runs: median {:?}, max {:?}",
        percentile(&loads, 0.5),
        loads[loads.len() - 1]
    );
    println!(
        "search, {} queries (statements and their keystroke prefixes): p50 {:?}, p95 {:?}, p99 {:?}, max {:?}",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
}
