//! `icd practice`: practice items for coding students, generated from the
//! artifacts and validated ([`icd_core::practice`]). The same seed gives
//! the same items.

use anyhow::Result;
use icd_core::practice::{generate, Batch, Item, Kind, Options};
use serde::Serialize;

use crate::IndexDir;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Kinds to generate, taken in turn (repeat the flag): index_to_code, seventh, excludes1, sequencing, navigation, tables, audit, case. Default: all.
    #[arg(long = "kind", value_name = "K")]
    kinds: Vec<Kind>,
    /// How many items.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// The seed: the same seed gives the same items.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// One JSON object per line: kind, prompt, choices, answers, scoring, explanation, wrong, source.
    #[arg(long)]
    json: bool,
    /// Print the counts of items produced and rejected by kind on standard error.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    index: IndexDir,
}

/// The items of `args` over the artifacts in its folder.
pub fn items(args: &Args) -> Result<Batch> {
    let engine = crate::open_engine(&args.index.dir, icd_core::registry::Capability::Browse)?;
    let lib = engine.library()?;
    Ok(generate(
        lib,
        &Options {
            kinds: args.kinds.clone(),
            count: args.count,
            seed: args.seed,
        },
    ))
}

/// One JSON line per item, or a readable listing. Exit status: true when
/// every item asked for was generated.
pub fn run(args: Args) -> Result<bool> {
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
