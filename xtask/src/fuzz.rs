//! `cargo xtask fuzz [--seconds N]`: every coverage-guided target of `fuzz/`
//! (cargo-fuzz, libFuzzer) for N seconds each, one after another.
//!
//! `cargo xtask test` runs them too, but as a fixed walk ([`Budget::Fixed`]):
//! seed 1 and a set number of inputs per target, so a clean checkout gives
//! the same run every time and a red test means the code changed, not the
//! dice. Searching for new crashes is `cargo xtask fuzz`'s job.
//!
//! Installs what it needs: a nightly toolchain through rustup, as
//! cargo-fuzz expects (when nightly cannot be had, the stable toolchain
//! builds the same targets, since no sanitizer means no `-Z` flag), and
//! cargo-fuzz itself. The targets that check
//! records, claims and queries read the real artifacts (`static/data`,
//! built when missing and the data is there), else tiny ones built from the
//! `icd-cli` test fixtures. Seed corpora come from the repository's
//! fixtures and are written under `target/fuzz/corpus/<target>/`, where
//! libFuzzer keeps the inputs it finds. A crash fails the run; cargo-fuzz
//! saves the input under `fuzz/artifacts/<target>/`.
//!
//! Built without a sanitizer (`-s none`): the project forbids `unsafe`, so
//! AddressSanitizer would only slow the build; debug assertions and overflow
//! checks stay on, and a panic is a crash.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{build_index, data_dir, output, root, run, rustup};

/// The targets in `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: [&str; 8] = [
    "code",
    "record_json",
    "csv_rows",
    "fhir_bundle",
    "hl7_messages",
    "mce_claim",
    "artifact_open",
    "search",
];

const CARGO_FUZZ: &str = "cargo-fuzz";

/// `cargo` of the toolchain cargo-fuzz builds with.
fn cargo_on(toolchain: &str) -> Command {
    let mut cmd = rustup();
    cmd.args(["run", toolchain, "cargo"]);
    cmd
}

/// The toolchain for cargo-fuzz: `ICD_FUZZ_TOOLCHAIN`, else nightly,
/// installed through rustup when missing. When nightly cannot be had, the
/// toolchain running xtask (stable): a build without a sanitizer passes no
/// `-Z` flag, so cargo-fuzz works on stable too.
fn toolchain() -> Result<String> {
    if let Ok(t) = std::env::var("ICD_FUZZ_TOOLCHAIN") {
        return Ok(t);
    }
    let installed = || {
        output(rustup().args(["toolchain", "list"]))
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("nightly"))
    };
    if installed()
        || run(rustup().args(["toolchain", "install", "nightly", "--profile", "minimal"])).is_ok()
            && installed()
    {
        return Ok("nightly".into());
    }
    let active = output(rustup().args(["show", "active-toolchain"]))
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .context("neither nightly nor an active rustup toolchain")?;
    eprintln!("fuzz: nightly cannot be installed; building the targets with {active} (no sanitizer needs no -Z flag)");
    Ok(active)
}

fn ensure_cargo_fuzz() -> Result<()> {
    if output(Command::new(CARGO_FUZZ).arg("--version")).is_none() {
        run(crate::cargo().args(["install", "--locked", CARGO_FUZZ]))?;
    }
    Ok(())
}

/// The folder of artifacts the targets read: the real ones, else the
/// fixtures'. Both need `target/release/icd`.
fn index_dir(fixture_index: &Path) -> Result<PathBuf> {
    let real = root().join("static/data");
    let complete = |dir: &Path| dir.join("manifest.json").exists();
    if !complete(&real) && data_dir().exists() {
        build_index()?;
    }
    Ok(if complete(&real) {
        real
    } else {
        eprintln!(
            "fuzz: no real artifacts (static/data, from {}): the targets read the fixtures' tiny ones",
            data_dir().display()
        );
        fixture_index.to_path_buf()
    })
}

/// Tiny but complete artifacts from the `icd-cli` test fixtures: seeds for
/// `artifact_open`, small enough for the fuzzer to mutate.
fn fixture_index(out: &Path) -> Result<()> {
    run(crate::cargo().args(["build", "--release", "-p", "icd-cli"]))?;
    run(Command::new(root().join("target/release/icd"))
        .arg("build-index")
        .arg("--data")
        .arg(root().join("crates/icd-cli/tests/fixtures/data"))
        .arg("--out")
        .arg(out))
}

fn write_seed(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::write(dir.join(name), bytes).with_context(|| format!("cannot write seed {name}"))
}

/// Lines of a file, at most `limit`, without blank lines and comments.
fn lines(path: &str, limit: usize) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(root().join(path)).with_context(|| format!("{path} is missing"))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .take(limit)
        .map(str::to_string)
        .collect())
}

/// Writes each target's seeds into `corpus/<target>/`.
fn seed(corpus: &Path, fixture_index: &Path) -> Result<()> {
    for target in TARGETS {
        std::fs::create_dir_all(corpus.join(target))?;
    }
    let dir = |t: &str| corpus.join(t);
    let codes = [
        "E11.22",
        "e1122",
        " E11.22 ",
        "S52.521A",
        "T36.0X1A",
        "W11.XXXA",
        "H93.29-",
        "E11.-",
        "0DTJ4ZZ",
        "02703DZ",
        "E11",
        "E11.",
        "QA0",
        "Z79.4",
        "E11.22, I10; S52.521A\nT36.0X1",
    ];
    for (i, c) in codes.iter().enumerate() {
        write_seed(&dir("code"), &format!("seed-{i}"), c.as_bytes())?;
    }
    let records = std::fs::read(root().join("tests/fixtures/records/encounters.json"))
        .context("tests/fixtures/records/encounters.json is missing")?;
    write_seed(&dir("record_json"), "encounters.json", &records)?;
    let csv = std::fs::read(root().join("tests/fixtures/records/encounters.csv"))
        .context("tests/fixtures/records/encounters.csv is missing")?;
    write_seed(&dir("csv_rows"), "encounters.csv", &csv)?;
    // The import fixtures of crates/icd-cli/tests/import_formats.rs: the
    // eight encounters and a broken file, in each format.
    let batch = root().join("crates/icd-cli/tests/fixtures/batch");
    for (target, ext) in [("fhir_bundle", "fhir.json"), ("hl7_messages", "hl7")] {
        for stem in ["encounters", "broken"] {
            let name = format!("{stem}.{ext}");
            let bytes = std::fs::read(batch.join(&name))
                .with_context(|| format!("{} is missing", batch.join(&name).display()))?;
            write_seed(&dir(target), &name, &bytes)?;
        }
    }
    let claims = lines("tests/fixtures/records/claims.jsonl", 100)?
        .into_iter()
        .chain(lines("tests/mce/claims-6000.jsonl", 200)?);
    for (i, c) in claims.enumerate() {
        write_seed(&dir("mce_claim"), &format!("seed-{i}"), c.as_bytes())?;
    }
    for (i, line) in lines("eval/queries.tsv", 500)?.iter().enumerate() {
        let query = line.split('\t').next().unwrap_or_default();
        let mut bytes = vec![if i % 2 == 0 { 0x09 } else { 0x89 }];
        bytes.extend_from_slice(query.as_bytes());
        write_seed(&dir("search"), &format!("seed-{i}"), &bytes)?;
    }
    // The first byte picks the reader (fuzz_targets/artifact_open.rs).
    let readers = [
        "tabular.icdx",
        "index.icdx",
        "mce.icdx",
        "search.icdx",
        "ccmcc.icdx",
        "drg.icdx",
    ];
    for (i, name) in readers.iter().enumerate() {
        let Ok(bytes) = std::fs::read(fixture_index.join(name)) else {
            continue;
        };
        for repair in [0u8, 0x80] {
            let mut seed = vec![i as u8 | repair];
            seed.extend_from_slice(&bytes);
            write_seed(&dir("artifact_open"), &format!("{name}-{repair:x}"), &seed)?;
        }
    }
    Ok(())
}

/// How long each target runs.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// Random search for this many seconds per target.
    Seconds(u64),
    /// The repeatable walk of `cargo xtask test`: seed 1 and
    /// [`fixed_runs`] inputs per target (about 5 s each on a 2-core
    /// machine), with a time ceiling in case a machine is far slower.
    Fixed,
}

/// Inputs per target in [`Budget::Fixed`], measured to take about 5 s each
/// (the targets differ by three orders of magnitude in speed).
fn fixed_runs(target: &str) -> u64 {
    match target {
        "artifact_open" => 1_000_000,
        "mce_claim" => 600_000,
        "code" => 150_000,
        "record_json" => 120_000,
        "csv_rows" => 25_000,
        // Measured on 2026-12-01 with the machine at a load of 17 (four
        // builds), when `code` took 48 s for its 150,000: 58 s and 20 s.
        "fhir_bundle" => 20_000,
        "hl7_messages" => 20_000,
        _ => 1_000,
    }
}

impl Budget {
    fn args(self, target: &str) -> Vec<String> {
        match self {
            Budget::Seconds(s) => vec![format!("-max_total_time={s}")],
            Budget::Fixed => vec![
                "-seed=1".into(),
                format!("-runs={}", fixed_runs(target)),
                "-max_total_time=60".into(),
            ],
        }
    }
    fn describe(self, target: &str) -> String {
        match self {
            Budget::Seconds(s) => format!("{s}s"),
            Budget::Fixed => format!("seed 1, {} inputs", fixed_runs(target)),
        }
    }
}

/// Runs every target within `budget`; fails naming the targets that crashed.
pub fn fuzz(budget: Budget) -> Result<()> {
    let start = Instant::now();
    let toolchain = toolchain()?;
    ensure_cargo_fuzz()?;
    let work = root().join("target/fuzz");
    let fixtures = work.join("fixture-index");
    fixture_index(&fixtures)?;
    let index = index_dir(&fixtures)?;
    let corpus = work.join("corpus");
    seed(&corpus, &fixtures)?;
    let built = Instant::now();
    run(cargo_on(&toolchain).args(["fuzz", "build", "-s", "none"]))?;
    eprintln!(
        "fuzz: targets built in {:.1}s",
        built.elapsed().as_secs_f64()
    );
    let logs = work.join("logs");
    std::fs::create_dir_all(&logs)?;
    let mut crashed = Vec::new();
    for target in TARGETS {
        let log_path = logs.join(format!("{target}.log"));
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot write {}", log_path.display()))?;
        let mut cmd = cargo_on(&toolchain);
        cmd.args(["fuzz", "run", "-s", "none", target])
            .arg(corpus.join(target))
            .arg("--")
            .args(budget.args(target))
            .args(["-timeout=10", "-rss_limit_mb=4096", "-print_final_stats=1"])
            .args(extra_args(target))
            .env("ICD_INDEX_DIR", &index)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(log);
        eprintln!(
            "$ cargo fuzz run {target} ({}, log {})",
            budget.describe(target),
            log_path.display()
        );
        let status = cmd
            .status()
            .with_context(|| format!("cannot start cargo fuzz run {target}"))?;
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if status.success() {
            eprintln!("  {target}: {}", summary(&text));
        } else {
            // The panic, libFuzzer's verdict and where the input went; the
            // whole report is in the log.
            let mut lines = text.lines();
            while let Some(line) = lines.next() {
                if line.contains("panicked at") {
                    eprintln!("  | {line}");
                    lines.next().inspect(|l| eprintln!("  | {l}"));
                } else if line.starts_with("==") || line.contains("Test unit written to") {
                    eprintln!("  | {line}");
                }
            }
            eprintln!("  {target}: CRASHED ({status}); the input is in fuzz/artifacts/{target}/");
            crashed.push(target);
        }
    }
    eprintln!(
        "fuzz: {} targets, {:.1}s in all",
        TARGETS.len(),
        start.elapsed().as_secs_f64()
    );
    if !crashed.is_empty() {
        bail!("fuzz: crashed: {}", crashed.join(", "));
    }
    Ok(())
}

/// libFuzzer options of one target.
///
/// `artifact_open` runs without comparison feedback (`-use_cmp=0`): with
/// it, libFuzzer solves the 32-bit checksum comparisons and forges the
/// CRC-32C of an `fst` map as well as the file's CRC-32, and `fst` 0.4.7
/// panics walking a crafted map whose checksums are right (it trusts node
/// addresses). What the readers promise is a typed error for damaged
/// files, which is what this target checks; a crafted artifact needs the
/// site's own origin, which serves the code too. The input that showed it
/// is kept, ignored, in crates/icd-core/tests/fuzz_regressions.rs.
fn extra_args(target: &str) -> &'static [&'static str] {
    match target {
        "artifact_open" => &["-use_cmp=0"],
        _ => &[],
    }
}

/// "N runs, corpus C inputs, coverage E edges" from libFuzzer's final stats.
fn summary(log: &str) -> String {
    let stat = |key: &str| {
        log.lines()
            .rev()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    let last_status = log
        .lines()
        .rev()
        .find(|l| l.starts_with('#') && l.contains("cov:"))
        .unwrap_or_default();
    let field = |name: &str| {
        last_status
            .split_whitespace()
            .skip_while(|w| *w != name)
            .nth(1)
            .unwrap_or("?")
            .to_string()
    };
    format!(
        "{} runs, {} edges covered, corpus {} inputs, no crash",
        stat("stat::number_of_executed_units:"),
        field("cov:"),
        field("corp:").split('/').next().unwrap_or("?"),
    )
}

/// `--seconds N` (default 60), or `--fixed` for the walk `cargo xtask test` takes.
pub fn main(args: &[String]) -> Result<()> {
    let mut budget = Budget::Seconds(60);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().context("--seconds needs a number")?;
                budget = Budget::Seconds(
                    value
                        .parse()
                        .with_context(|| format!("--seconds {value}: not a number of seconds"))?,
                );
            }
            "--fixed" => budget = Budget::Fixed,
            other => bail!(
                "fuzz: unknown option {other}\nusage: cargo xtask fuzz [--seconds N | --fixed]"
            ),
        }
    }
    fuzz(budget)
}
