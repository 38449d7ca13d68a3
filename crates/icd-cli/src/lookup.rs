//! `icd lookup`: a code's full report, or an index/table term.

use anyhow::{bail, Context, Result};
use icd_core::lookup::{CodeReport, TermReport};
use icd_core::registry::Capability;
use icd_core::terms::Terms;
use icd_core::{Code, Date, Library};

use crate::IndexDir;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The code, typed any way (E11.22, e1122, " E11.22 ").
    code: Option<String>,
    /// Date of service: report validity on this day (YYYY-MM-DD).
    #[arg(long)]
    date: Option<String>,
    /// Build the full code with this 7th character.
    #[arg(long)]
    seventh: Option<char>,
    /// Look up a term of the Alphabetic Index (`Failure, heart`).
    #[arg(long, conflicts_with_all = ["code", "ecause", "neoplasm", "drug"])]
    term: Option<String>,
    /// Look up a term of the External Cause Index.
    #[arg(long, conflicts_with_all = ["code", "neoplasm", "drug"])]
    ecause: Option<String>,
    /// Look up a site in the Table of Neoplasms (`lung, upper lobe`).
    #[arg(long, conflicts_with_all = ["code", "drug"])]
    neoplasm: Option<String>,
    /// Look up a substance in the Table of Drugs and Chemicals.
    #[arg(long, conflicts_with = "code")]
    drug: Option<String>,
    /// Show an ICD-10-PCS table with every row (`0DT`; a longer prefix shows the rows allowing it).
    #[arg(long, value_name = "TABLE", conflicts_with = "code")]
    pcs_table: Option<String>,
    /// Levels of subterms to show under a term.
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    index: IndexDir,
}

pub fn run(args: Args) -> Result<bool> {
    let engine = crate::open_engine(&args.index.dir, Capability::Browse)?;
    let lib = engine.library()?;
    let date: Option<Date> = args.date.as_deref().map(str::parse).transpose()?;
    let trees: [(&Option<String>, &Terms<Vec<u8>>); 4] = [
        (&args.term, &lib.index),
        (&args.ecause, &lib.eindex),
        (&args.neoplasm, &lib.neoplasm),
        (&args.drug, &lib.drug),
    ];
    for (query, tree) in trees {
        if let Some(q) = query {
            return terms(lib, tree, q, args.depth, args.json);
        }
    }
    if let Some(t) = &args.pcs_table {
        return crate::pcs_cmd::table(&crate::pcs_cmd::open(&args.index.dir)?, t, args.json);
    }
    let Some(raw) = args.code.as_deref() else {
        bail!("give a code (icd lookup E11.22, icd lookup 0DTJ4ZZ) or a term (--term, --ecause, --neoplasm, --drug)");
    };
    // ICD-10-PCS: a 7-character procedure code or a table, when ICD-10-CM has no such code.
    // A CM code counts when the tabular has it or the MCE ever listed it
    // (S52521B, retired); without the PCS artifact, a CM-shaped code is
    // looked up as CM and the report says what it is.
    let cm_shaped = raw.parse::<Code>().ok();
    let cm = cm_shaped.as_ref().filter(|c| {
        lib.tabular.find(c).is_some()
            || !lib
                .mce
                .periods(icd_core::mce::Table::Dx, c.as_str())
                .is_empty()
    });
    if cm.is_none() && crate::pcs_cmd::looks_like_pcs(raw) {
        match crate::pcs_cmd::open(&args.index.dir) {
            Ok(pcs) => return crate::pcs_cmd::lookup(&pcs, &lib.mce, raw, date, args.json),
            Err(e) if cm_shaped.is_none() => return Err(e),
            Err(_) => {}
        }
    }
    let code: Code = raw.parse()?;
    let report = match lib.lookup(&code, date) {
        Ok(r) => r,
        Err(e) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::json!({ "code": raw.trim(), "error": e.to_string(), "detail": e })
                );
                return Ok(false);
            }
            bail!("{e}");
        }
    };
    if let Some(ch) = args.seventh {
        let id = lib.tabular.find(&code).context("code vanished")?;
        let full = lib.tabular.with_seventh(id, ch)?;
        let r = lib.lookup(&full, date)?;
        print_report(&r, args.json)?;
        return Ok(true);
    }
    print_report(&report, args.json)?;
    Ok(true)
}

fn print_report(r: &CodeReport, json: bool) -> Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    outln!("{}  {}", r.code, r.title);
    let status = if r.billable {
        "billable code".to_string()
    } else if r.seventh.is_some() {
        "not billable: needs a 7th character".to_string()
    } else {
        format!("not billable: {:?}; choose a more specific code", r.kind).to_lowercase()
    };
    outln!("  {status}");
    for (depth, p) in r.path.iter().enumerate() {
        outln!("  {}{} {}", "  ".repeat(depth), p.code, p.title);
    }
    if !r.validity_periods.is_empty() {
        outln!("  valid (MCE): {}", periods_text(&r.validity_periods));
    }
    if let Some(v) = &r.validity {
        outln!("  on {}: {}", v.date, v.reason);
    }
    if !r.mce_flags.is_empty() {
        let flags: Vec<String> = r
            .mce_flags
            .iter()
            .map(|f| match icd_core::record::mce_edits::flag_meaning(f) {
                Some(m) => format!("{f} ({m})"),
                None => f.clone(),
            })
            .collect();
        outln!("  MCE edit flags: {}", flags.join(", "));
    }
    if !r.notes.is_empty() {
        outln!("Notes:");
        for n in &r.notes {
            let from = if n.inherited {
                format!(" (from {})", n.from)
            } else {
                String::new()
            };
            outln!("  {}{}: {}", n.label, from, n.text);
        }
    }
    if let Some(s) = &r.seventh {
        outln!("7th character (defined at {}):", s.defined_at);
        for o in &s.options {
            outln!("  {}  {:<10} {}", o.ch, o.code, o.meaning);
        }
    }
    if !r.children.is_empty() {
        outln!("Children:");
        for c in &r.children {
            outln!(
                "  {:<10} {}{}",
                c.code,
                c.title,
                if c.billable { "" } else { "  (not billable)" }
            );
        }
    }
    if !r.billable && !r.billable_children.is_empty() && r.seventh.is_none() {
        outln!("Billable codes below ({}):", r.billable_children.len());
        for c in r.billable_children.iter().take(30) {
            outln!("  {:<10} {}", c.code, c.title);
        }
    }
    Ok(())
}

fn terms(
    lib: &Library<Vec<u8>>,
    tree: &Terms<Vec<u8>>,
    query: &str,
    depth: usize,
    json: bool,
) -> Result<bool> {
    let mut ids = tree.resolve(query).into_iter().collect::<Vec<_>>();
    if ids.is_empty() {
        ids = tree.find(query);
    }
    if ids.is_empty() {
        ids = tree.main_terms_with_prefix(query, 20);
    }
    let reports: Vec<TermReport> = ids
        .iter()
        .take(20)
        .map(|id| lib.term_report(tree, *id, depth))
        .collect();
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "query": query, "tree": tree.title(), "terms": reports })
            )?
        );
        return Ok(!reports.is_empty());
    }
    if reports.is_empty() {
        outln!("no term '{query}' in the {}", tree.title());
        return Ok(false);
    }
    for r in &reports {
        print_term(r, 0, true);
    }
    Ok(true)
}

fn print_term(r: &TermReport, indent: usize, head: bool) {
    let pad = "  ".repeat(indent);
    let title = if head { &r.path } else { &r.term };
    let mut line = format!("{pad}{title}");
    if !r.nemod.is_empty() {
        line.push_str(&format!(" {}", r.nemod));
    }
    if !r.code.is_empty() {
        line.push_str(&format!("  {}", r.code));
        if let Some(t) = &r.code_target {
            if t.incomplete {
                line.push_str("  (more characters needed)");
            }
        }
    }
    outln!("{line}");
    if !r.see.is_empty() {
        outln!("{pad}  see {}", r.see);
    }
    if !r.see_also.is_empty() {
        outln!("{pad}  see also {}", r.see_also);
    }
    for (col, code) in &r.cells {
        outln!(
            "{pad}  {col}: {}",
            if code.is_empty() { "--" } else { code }
        );
    }
    for c in &r.children {
        print_term(c, indent + 1, false);
    }
}

/// MCE validity periods in words: `2015-10-01 to 2024-09-30, 2024-10-01 to now`.
pub fn periods_text(periods: &[icd_core::lookup::ValidityPeriod]) -> String {
    periods
        .iter()
        .map(|p| {
            format!(
                "{} to {}",
                p.start,
                p.end.map(|e| e.to_string()).unwrap_or_else(|| "now".into())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
