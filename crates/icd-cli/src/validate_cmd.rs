//! `icd validate`: a pasted list of codes, each with its verdict on a date of service.

use std::io::Read;

use anyhow::{Context, Result};
use icd_core::record::completeness::outside_coverage;
use icd_core::validate::{validate_with_pcs, Verdict};
use icd_core::Date;

use crate::IndexDir;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Codes separated by anything (spaces, commas, semicolons, lines); `-` or nothing reads standard input.
    codes: Vec<String>,
    /// Date of service (YYYY-MM-DD); default today.
    #[arg(long)]
    date: Option<String>,
    /// Print one JSON object per code.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    index: IndexDir,
}

/// Exit status: true when every code is valid on the date.
pub fn run(args: Args) -> Result<bool> {
    let engine = crate::open_engine(&args.index.dir, icd_core::registry::Capability::Browse)?;
    let lib = engine.library()?;
    let date: Date = match &args.date {
        Some(d) => d.parse().with_context(|| format!("--date {d}"))?,
        None => {
            crate::check::system_today().context("the system clock is before 1970: pass --date")?
        }
    };
    let text = if args.codes.is_empty() || args.codes == ["-"] {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read codes from standard input")?;
        s
    } else {
        args.codes.join(" ")
    };
    if let Some(why) = lib
        .mce
        .coverage_end()
        .and_then(|last| outside_coverage(date, last))
    {
        eprintln!("warning: the date of service {why}");
    }
    // PCS codes get titles and positions when the PCS artifact was built.
    let pcs = crate::pcs_cmd::open(&args.index.dir).ok();
    let checks = validate_with_pcs(lib, pcs.as_ref(), &text, date);
    let mut all_valid = true;
    for c in &checks {
        all_valid &= c.verdict == Verdict::Valid;
        if args.json {
            outln!("{}", serde_json::to_string(c)?);
            continue;
        }
        let shown = c.code.as_deref().unwrap_or(&c.input);
        let title = c.title.as_deref().unwrap_or("");
        match &c.verdict {
            Verdict::Valid => outln!("{shown:<10} valid on {date}  {title}"),
            Verdict::Invalid { reason } => outln!("{:<10} INVALID: {reason}", c.input),
            Verdict::NotBillable { children, total } => {
                let list: Vec<&str> = children.iter().map(|c| c.code.as_str()).collect();
                let more = if *total > children.len() { ", …" } else { "" };
                outln!(
                    "{shown:<10} NOT BILLABLE  {title}; report one of its {total} billable codes: {}{more}",
                    list.join(", ")
                )
            }
            Verdict::NotValidOnDate { valid } => {
                outln!("{shown:<10} NOT VALID on {date}: {valid}  {title}")
            }
        }
        if let Some(j) = c.duplicate_of {
            outln!(
                "{:<10} duplicate: the same code as code {} of the list",
                "",
                j + 1
            );
        }
    }
    Ok(all_valid)
}
