//! Search latency and load time on the real artifacts, as percentiles.
//!
//! Build the artifacts first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench search`. The query mix is every
//! statement of `eval/queries.tsv` and every prefix of it as typed key by
//! key (what the app sends while the user types), at least 5,000 queries.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use icd_core::lookup::ARTIFACT_FILES;
use icd_core::search::{search, Options, SearchIndex};
use icd_core::{Artifacts, Library};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var_os("ICD_INDEX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("static/data"));
    let read = |f: &str| {
        std::fs::read(dir.join(f)).unwrap_or_else(|_| {
            panic!(
                "{}: run `cargo xtask build-index` first",
                dir.join(f).display()
            )
        })
    };
    let files: Vec<Vec<u8>> = ARTIFACT_FILES.iter().map(|f| read(f)).collect();
    let search_bytes = read("search.icdx");
    let open = || {
        let lib = Library::open(
            Artifacts::from_files(files.iter().map(Vec::as_slice).collect())
                .expect("six artifacts"),
        )
        .expect("artifacts open");
        let idx = SearchIndex::open(search_bytes.as_slice()).expect("search opens");
        (lib, idx)
    };
    let mut loads: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(open());
            t.elapsed()
        })
        .collect();
    loads.sort();
    let (lib, idx) = open();

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
        std::hint::black_box(search(&lib, &idx, q, &opts));
    }
    let mut times: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(search(&lib, &idx, q, &opts));
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
