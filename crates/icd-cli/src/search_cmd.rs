//! `icd search` and `icd eval`: coding suggestions on the command line, and
//! their quality on the evaluation set.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, Result};
use icd_core::registry::Capability;
use icd_core::search::{read_note, search, Options, SearchIndex, Setting, StatementResult};
use icd_core::Library;

use crate::IndexDir;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The statement or note; without it, one query per line is read from standard input and one JSON line printed per query.
    query: Option<String>,
    /// Suggestions per statement.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Care setting, inpatient or outpatient (ip, op): decides what happens to uncertain diagnoses.
    #[arg(long, default_value = "inpatient", value_parser = parse_setting)]
    setting: Setting,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Which classification: ICD-10-CM diagnoses or ICD-10-PCS procedures.
    #[arg(long, value_enum, default_value_t = System::Cm)]
    system: System,
    #[command(flatten)]
    index: IndexDir,
}

fn parse_setting(s: &str) -> Result<Setting, String> {
    Setting::parse(s).ok_or_else(|| format!("'{s}' is not a setting: give inpatient or outpatient"))
}

/// Which classification a search or evaluation is about.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    /// ICD-10-CM diagnoses.
    Cm,
    /// ICD-10-PCS procedures.
    Pcs,
}

fn json_line(query: &str, results: &[StatementResult]) -> serde_json::Value {
    // A single statement prints flat results, as the line format says.
    let flat: Vec<serde_json::Value> = results
        .iter()
        .flat_map(|r| r.suggestions.iter())
        .map(|s| serde_json::json!({"code": s.code, "title": s.title, "score": s.score, "via": s.via, "path": s.path, "billable": s.billable, "needs": s.needs}))
        .collect();
    serde_json::json!({ "query": query, "results": flat, "statements": results })
}

pub fn run(args: Args) -> Result<bool> {
    if args.system == System::Pcs {
        return crate::pcs_cmd::search(&args.index.dir, args.query.as_deref(), args.top, args.json);
    }
    let engine = crate::open_engine(&args.index.dir, Capability::Search)?;
    let (lib, idx) = engine.search_parts()?;
    let opts = Options {
        top: args.top,
        setting: args.setting,
        ..Options::default()
    };
    let Some(query) = args.query else {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("cannot read standard input")?;
            let results = search(lib, idx, &line, &opts);
            outln!("{}", json_line(&line, &results));
        }
        return Ok(true);
    };
    // A note, or a statement naming several conditions, gets the codes to
    // assign; JSON always carries them beside the ranked suggestions.
    let several = icd_core::search::split_statements(&query).len() > 1
        || read_note(lib, idx, &query, &opts).codes.len() > 1;
    if several || args.json {
        return note(lib, idx, &args.index.dir, &query, &opts, args.json);
    }
    let results = search(lib, idx, &query, &opts);
    for r in &results {
        if results.len() > 1 {
            outln!("== {}", r.statement);
        }
        if let Some(note) = &r.note {
            outln!("  ({note})");
        }
        for s in &r.suggestions {
            let status = match &s.needs {
                None => String::new(),
                Some(n) => format!("  [needs {n}: {}]", s.choices.join(", ")),
            };
            outln!("{:<9} {:.3}  {}{}", s.code, s.score, s.title, status);
            outln!("          {:?}: {}", s.via, s.path);
        }
    }
    Ok(results.iter().any(|r| !r.suggestions.is_empty()))
}

/// A note of several statements: the codes to assign with their evidence,
/// then each statement's alternatives.
fn note(
    lib: &Library<Vec<u8>>,
    idx: &SearchIndex<Vec<u8>>,
    dir: &std::path::Path,
    text: &str,
    opts: &Options,
    json: bool,
) -> Result<bool> {
    let mut reading = read_note(lib, idx, text, opts);
    // Procedure statements get ICD-10-PCS suggestions when the PCS tables
    // are built; without them they are listed uncoded, with why.
    let pcs_missing = if reading.procedures.is_empty() {
        None
    } else {
        match crate::pcs_cmd::open(dir) {
            Ok(pcs) => {
                let s = icd_core::pcs::search::PcsSearch::new(&pcs);
                reading.code_procedures(&s, &icd_core::search::procedures::note_options());
                None
            }
            Err(e) => Some(format!("{e:#}")),
        }
    };
    if json {
        let single = reading.statements.len() == 1;
        let statements = if single {
            // One statement keeps the ranked search as typed terms get it.
            search(lib, idx, text, opts)
        } else {
            reading.statements.clone()
        };
        let mut line = json_line(text, &statements);
        line["codes"] = serde_json::to_value(&reading.codes)?;
        line["patient"] = serde_json::to_value(reading.patient)?;
        if !reading.procedures.is_empty() {
            line["procedures"] = serde_json::to_value(&reading.procedures)?;
        }
        if let Some(why) = &pcs_missing {
            line["procedures_not_coded"] = serde_json::Value::String(why.clone());
        }
        outln!("{line}");
        // Found: a code to assign, or a suggestion (a code typed as such,
        // "E11", is suggested with its choices but assigns nothing).
        return Ok(
            !reading.codes.is_empty() || statements.iter().any(|r| !r.suggestions.is_empty())
        );
    }
    outln!("Codes to assign:");
    for c in &reading.codes {
        let spans: Vec<&str> = c
            .evidence
            .iter()
            .filter_map(|e| text.get(e.start..e.end))
            .collect();
        outln!("{:<9} {:.2}  {}", c.code, c.confidence, c.title);
        outln!("          from {spans:?} via {}", c.evidence[0].path);
        if let Some(a) = &c.assumed {
            outln!("          {a}; other choices {}", c.choices.join(", "));
        }
    }
    if !reading.procedures.is_empty() {
        outln!("Procedures (ICD-10-PCS), to choose from:");
        if let Some(why) = &pcs_missing {
            outln!("  (not coded: {why})");
        }
        for p in &reading.procedures {
            outln!("  {:?}", text.get(p.start..p.end).unwrap_or(&p.text));
            for h in p.hits.iter().take(3) {
                outln!("  {}  {:.2}  {}", h.code, h.score, h.title);
            }
        }
    }
    for r in &reading.statements {
        outln!("== {}", r.statement);
        if let Some(note) = &r.note {
            outln!("  ({note})");
        }
        for s in r.suggestions.iter().take(3) {
            outln!("  {:<9} {:.3}  {}", s.code, s.score, s.title);
        }
    }
    Ok(!reading.codes.is_empty())
}

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The evaluation set: `query<TAB>expected codes<TAB>kind` lines.
    #[arg(default_value = "eval/queries.tsv")]
    file: PathBuf,
    /// Print every miss.
    #[arg(long)]
    misses: bool,
    /// Score the note-level codes of clinical notes in the CodiEsp layout
    /// (`DIR/text_files_en/ID.txt` and `DIR/*D.tsv`): precision, recall, F1
    /// (exact and 3-character) and MAP.
    #[arg(long, value_name = "DIR", conflicts_with = "titles")]
    notes: Option<PathBuf>,
    /// Score titles with the codes they map to (`query<TAB>codes`, a hit is
    /// a mapped code or a descendant): hit@1/5/10.
    #[arg(long, value_name = "FILE")]
    titles: Option<PathBuf>,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
    /// Ranking weights to try, as JSON (`icd_core::search::Weights`: any
    /// subset, e.g. `{"doc_coverage": 0.8, "via": {"inclusion": 0.9}}`; the
    /// rest keep their defaults), without recompiling.
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
    /// Which classification the titles (`--titles`) or the notes'
    /// codes (`--notes`: `*D.tsv` diagnoses or `*P.tsv` procedures) are in.
    #[arg(long, value_enum, default_value_t = System::Cm)]
    system: System,
    #[command(flatten)]
    index: IndexDir,
}

/// Hits per kind of the evaluation set: `[queries, hit@1, hit@5, hit@10]`.
pub type Scores = std::collections::BTreeMap<String, [usize; 4]>;

/// Runs every query of an evaluation set; `miss` sees each query not ranked first.
pub fn evaluate<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    text: &str,
    miss: impl FnMut(&str, &str, &str, &[&str]),
) -> Result<Scores> {
    evaluate_with(lib, idx, text, &Options::default(), miss)
}

/// [`evaluate`] with other search options (`icd eval --weights`).
pub fn evaluate_with<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    text: &str,
    opts: &Options,
    mut miss: impl FnMut(&str, &str, &str, &[&str]),
) -> Result<Scores> {
    let mut kinds = Scores::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split('\t');
        let (Some(query), Some(expected), Some(kind)) = (f.next(), f.next(), f.next()) else {
            anyhow::bail!("line {}: expected query<TAB>codes<TAB>kind", n + 1);
        };
        let results = search(lib, idx, query, opts);
        let codes: Vec<&str> = results
            .iter()
            .flat_map(|r| r.suggestions.iter())
            .map(|s| s.code.as_str())
            .collect();
        let rank = if expected == "NONE" {
            codes.is_empty().then_some(0)
        } else {
            let want: Vec<&str> = expected.split(' ').collect();
            codes.iter().position(|c| want.contains(c))
        };
        let e = kinds.entry(kind.to_string()).or_default();
        e[0] += 1;
        for (slot, k) in [(1, 1), (2, 5), (3, 10)] {
            if rank.is_some_and(|r| r < k) {
                e[slot] += 1;
            }
        }
        if rank.is_none_or(|r| r > 0) {
            miss(kind, query, expected, &codes[..codes.len().min(5)]);
        }
    }
    Ok(kinds)
}

/// The totals over every kind.
pub fn total(scores: &Scores) -> [usize; 4] {
    let mut all = [0usize; 4];
    for v in scores.values() {
        for i in 0..4 {
            all[i] += v[i];
        }
    }
    all
}

/// Prints hit@1/hit@5/hit@10 overall and per kind.
pub fn eval(args: EvalArgs) -> Result<bool> {
    if let (System::Pcs, Some(file)) = (args.system, &args.titles) {
        return crate::pcs_cmd::eval_titles(&args.index.dir, file, args.misses, args.json);
    }
    let engine = crate::open_engine(&args.index.dir, Capability::Search)?;
    let (lib, idx) = engine.search_parts()?;
    let mut opts = Options::default();
    if let Some(path) = &args.weights {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the weights file {}", path.display()))?;
        opts.weights = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not search weights (a JSON object of Weights fields, e.g. {{\"doc_coverage\": 0.8}})",
                path.display()
            )
        })?;
        eprintln!(
            "weights from {}: {}",
            path.display(),
            serde_json::to_string(&opts.weights)?
        );
    }
    if let Some(dir) = &args.notes {
        let show = |id: &str, gold: &[String], got: &[String]| {
            if args.misses {
                let miss: Vec<&String> = gold.iter().filter(|g| !got.contains(g)).collect();
                let wrong: Vec<&String> = got.iter().filter(|g| !gold.contains(g)).collect();
                outln!("NOTE {id}: missed {miss:?}; wrong {wrong:?}");
            }
        };
        let s = if args.system == System::Pcs {
            let notes = crate::eval_sets::read_procedure_notes(dir)?;
            let pcs = crate::pcs_cmd::open(&args.index.dir)?;
            let searcher = icd_core::pcs::search::PcsSearch::new(&pcs);
            crate::eval_sets::score_procedure_notes(
                lib,
                idx,
                &searcher,
                &notes,
                &opts,
                &icd_core::search::procedures::note_options(),
                show,
            )
        } else {
            let notes = crate::eval_sets::read_notes(dir)?;
            crate::eval_sets::score_notes(lib, idx, &notes, &opts, show)
        };
        if args.json {
            outln!("{}", serde_json::to_string(&s)?);
        } else {
            outln!("{} notes", s.notes);
            for (what, p) in [("exact", &s.exact), ("category", &s.category)] {
                outln!(
                    "{what:<9} precision {:.3}  recall {:.3}  F1 {:.3}  ({} right of {} assigned; {} expected)",
                    p.precision(),
                    p.recall(),
                    p.f1(),
                    p.true_pos,
                    p.predicted,
                    p.gold
                );
            }
            outln!("MAP {:.3}", s.map);
        }
        return Ok(true);
    }
    if let Some(file) = &args.titles {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let titles = crate::eval_sets::read_titles(&text)?;
        let s = crate::eval_sets::score_titles(lib, idx, &titles, &opts, |q, want, rank, got| {
            if args.misses && rank.is_none_or(|r| r > 0) {
                outln!("MISS {q:?} want {want:?}; rank {rank:?}; got {got:?}");
            }
        });
        let [h1, h5, h10] = s.rates();
        if args.json {
            outln!(
                "{}",
                serde_json::json!({"titles": s.titles, "hit@1": h1, "hit@5": h5, "hit@10": h10})
            );
        } else {
            outln!(
                "{} titles: hit@1 {h1:.3}  hit@5 {h5:.3}  hit@10 {h10:.3}",
                s.titles
            );
        }
        return Ok(true);
    }
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let kinds = evaluate_with(lib, idx, &text, &opts, |kind, query, expected, got| {
        if args.misses {
            outln!("MISS [{kind}] {query:?} want {expected}; got {got:?}");
        }
    })?;
    outln!(
        "{:<10} {:>5} {:>7} {:>7} {:>7}",
        "kind",
        "n",
        "hit@1",
        "hit@5",
        "hit@10"
    );
    let row = |k: &str, v: &[usize; 4]| {
        let pct = |x: usize| 100.0 * x as f64 / v[0].max(1) as f64;
        outln!(
            "{:<10} {:>5} {:>6.1}% {:>6.1}% {:>6.1}%",
            k,
            v[0],
            pct(v[1]),
            pct(v[2]),
            pct(v[3])
        );
    };
    for (k, v) in &kinds {
        row(k, v);
    }
    row("all", &total(&kinds));
    Ok(true)
}
