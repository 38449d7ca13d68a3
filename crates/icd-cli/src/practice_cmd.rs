//! `icd practice`: practice items for coding students, generated from the
//! artifacts and validated ([`icd_core::practice`]). The same seed gives
//! the same items. `--cases FILE` checks an instructor's cases (CSV or
//! JSON) against the release instead, and prints those that pass.

use std::path::PathBuf;

use anyhow::{Context, Result};
use icd_core::practice::{generate_with, import_cases, Batch, Chapter, Item, Kind, Options};
use serde::Serialize;

use crate::IndexDir;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Kinds to generate, taken in turn (repeat the flag): index_to_code, seventh, excludes1, sequencing, navigation, tables, audit, case, pcs (ICD-10-PCS: needs pcs.icdx). Default: every ICD-10-CM kind.
    #[arg(long = "kind", value_name = "K")]
    kinds: Vec<Kind>,
    /// Only items about codes of these ICD-10-CM chapters, 1 to 22 (repeat the flag: `--chapter 19 --chapter 9`). Default: all.
    #[arg(long = "chapter", value_name = "N")]
    chapters: Vec<Chapter>,
    /// How many items.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// The seed: the same seed gives the same items.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// One JSON object per line: kind, prompt, choices, answers, scoring, explanation, wrong, source.
    #[arg(long)]
    json: bool,
    /// Check an instructor's cases (CSV with the columns prompt, codes, rationale; or JSON) against the release: every problem is printed with its line on standard error, the cases that pass as items. Exit status 1 if any problem.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["kinds", "chapters"])]
    cases: Option<PathBuf>,
    /// Print the counts of items produced and rejected by kind on standard error.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    index: IndexDir,
}

/// The items of `args` over the artifacts in its folder.
pub fn items(args: &Args) -> Result<Batch> {
    use icd_core::registry::Capability;
    // The PCS tables only when their kind is asked for.
    let pcs_asked = args.kinds.contains(&Kind::Pcs);
    let capability = if pcs_asked {
        Capability::Pcs
    } else {
        Capability::Browse
    };
    let engine = crate::open_engine(&args.index.dir, capability)?;
    let lib = engine.library()?;
    Ok(generate_with(
        lib,
        engine.pcs().ok(),
        &Options {
            kinds: args.kinds.clone(),
            chapters: args.chapters.clone(),
            count: args.count,
            seed: args.seed,
        },
    ))
}

/// One JSON line per item, or a readable listing. Exit status: true when
/// every item asked for was generated.
pub fn run(args: Args) -> Result<bool> {
    if let Some(path) = &args.cases {
        return cases(&args, path);
    }
    let batch = items(&args)?;
    for (i, item) in batch.items.iter().enumerate() {
        if args.json {
            outln!("{}", serde_json::to_string(item)?);
        } else {
            print_item(i + 1, item);
        }
    }
    if args.stats {
        eprintln!("{}", stats(&batch));
    }
    if batch.items.len() < args.count {
        eprintln!(
            "warning: {} of {} items generated; the data gave no more valid items of: {}",
            batch.items.len(),
            args.count,
            batch
                .exhausted
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(false);
    }
    Ok(true)
}

/// `--cases FILE`: the problems on standard error (`FILE:LINE: ...`), the
/// cases that pass on standard output.
fn cases(args: &Args, path: &std::path::Path) -> Result<bool> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the cases file {}", path.display()))?;
    let engine = crate::open_engine(&args.index.dir, icd_core::registry::Capability::Browse)?;
    let checked = import_cases(engine.library()?, &text);
    for (i, item) in checked.items.iter().enumerate() {
        if args.json {
            outln!("{}", serde_json::to_string(item)?);
        } else {
            print_item(i + 1, item);
        }
    }
    for p in &checked.problems {
        eprintln!("{}:{}: {}", path.display(), p.line, p.message);
    }
    eprintln!(
        "{} of {} cases pass; {} problem(s)",
        checked.items.len(),
        checked.read,
        checked.problems.len()
    );
    Ok(checked.problems.is_empty())
}

fn print_item(n: usize, item: &Item) {
    outln!("{n}. [{}] {}", item.kind.name(), item.prompt);
    if !item.choices.is_empty() {
        outln!("   choices: {}", item.choices.join(" | "));
    }
    outln!("   answer: {}", item.answers.join(", "));
    outln!("   why: {}", item.explanation);
    for w in &item.wrong {
        outln!("   not {}: {}", w.answer, w.why);
    }
    outln!("   source: {}", item.source);
}

/// Produced and rejected items by kind, as one JSON object.
pub fn stats(batch: &Batch) -> String {
    #[derive(Serialize)]
    struct Stats<'a> {
        produced: &'a std::collections::BTreeMap<Kind, usize>,
        rejected: &'a std::collections::BTreeMap<Kind, std::collections::BTreeMap<String, usize>>,
        exhausted: &'a [Kind],
    }
    serde_json::to_string(&Stats {
        produced: &batch.produced,
        rejected: &batch.rejected,
        exhausted: &batch.exhausted,
    })
    .unwrap_or_default()
}
