//! Note reading latency on the real artifacts, as percentiles.
//!
//! Build the artifacts first (`cargo xtask build-index`), then
//! `cargo bench -p icd-core --bench notes`. The notes are `benches/notes.txt`
//! (written for this benchmark, about 280 words each), read whole and as
//! 400-word notes made of two of them back to back.

mod common;

use std::time::{Duration, Instant};

use icd_core::registry::Capability;
use icd_core::search::{read_note, Options};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let files = common::files(Capability::Search)
        .expect("the search artifacts (run `cargo xtask build-index`)");
    let engine = common::open(&files);
    let (lib, idx) = engine.search_parts().expect("search is loaded");
    let text = include_str!("notes.txt");
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    // 400 words: two notes back to back, cut at the 400th word.
    let mut long: Vec<String> = Vec::new();
    for (i, a) in notes.iter().enumerate() {
        let b = notes[(i + 1) % notes.len()];
        let joined = format!("{a}\n{b}");
        let words: Vec<&str> = joined.split(' ').take(400).collect();
        long.push(words.join(" "));
    }
    let opts = Options::default();
    for n in &long {
        std::hint::black_box(read_note(lib, idx, n, &opts));
    }
    let runs = 40;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        for n in &long {
            let t = Instant::now();
            std::hint::black_box(read_note(lib, idx, n, &opts));
            times.push(t.elapsed());
        }
    }
    times.sort();
    let codes: usize = long
        .iter()
        .map(|n| read_note(lib, idx, n, &opts).codes.len())
        .sum();
    println!(
        "read_note, 400-word notes, {} reads ({} notes x {runs}; {codes} codes in all): p50 {:?}, p95 {:?}, max {:?}",
        times.len(),
        long.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );
}
