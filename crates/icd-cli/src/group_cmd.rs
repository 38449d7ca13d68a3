//! `icd group`: the MS-DRG v43.1 DRG of each inpatient record, in input
//! order, with its weight, lengths of stay and drivers. The input streams
//! ([`crate::input`]): each line is written as soon as its record is read.
//!
//! Input forms (`--format`) are those of `icd check`: `record` (JSON
//! records), `csv` (one encounter per row), `fhir`, `hl7`, and `claim`, which here is the
//! claim `msdrg`'s `MsdrgGrouper().group(claim)` takes (`version`, `age`,
//! `sex`, `discharge_status`, `hospital_status`, `pdx`, `sdx` with `poa`,
//! `procedures`), one per line. Records and CSV rows carry no hospital
//! status: they are grouped as for a hospital under the HAC policy
//! (`NOT_EXEMPT`), so a HAC code not present on admission is shown removed.
//!
//! With `--json`, one line per record:
//! `{"record", "id", "drg", "mdc", "title", "weight", "gmlos", "amlos",
//! "severity", "initial_drg", "drivers", "return_code"}`; a record that
//! cannot be read gets `{"record", "place", "error"}` in its place and the
//! rest are grouped.
//! Exit status: 0 every record grouped, 1 some record unreadable or
//! ungroupable, 2 usage or I/O error.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use icd_core::drg::{self, Claim, DrgTables, Grouping, HospitalStatus, MsdrgClaim};
use icd_core::record::Record;
use serde::Serialize;

use crate::check::Format;
use crate::input::{Split, Units};
use crate::IndexDir;
use icd_core::batch::Item;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// File of records; `-` reads standard input.
    file: PathBuf,
    /// One JSON object per record.
    #[arg(long)]
    json: bool,
    /// Input form (default: csv for *.csv files, else record).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The grouper artifact (default: drg.icdx in the index folder).
    #[arg(long, value_name = "FILE")]
    drg: Option<PathBuf>,
    #[command(flatten)]
    index: IndexDir,
}

/// One record's line with `--json`.
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// 1-based position in the input.
    pub record: usize,
    /// The record's id, if any.
    pub id: Option<String>,
    /// Final DRG.
    pub drg: u16,
    /// Final MDC (0 pre-MDC).
    pub mdc: Option<u8>,
    /// Title of the final DRG.
    pub title: &'a str,
    /// FY2026 relative weight.
    pub weight: Option<f64>,
    /// Geometric mean LOS.
    pub gmlos: Option<f64>,
    /// Arithmetic mean LOS.
    pub amlos: Option<f64>,
    /// CC/MCC severity of the final DRG.
    pub severity: drg::Severity,
    /// DRG with every code counted (before HAC removal).
    pub initial_drg: u16,
    /// What drives the DRG.
    pub drivers: &'a drg::Drivers,
    /// `OK` or why the DRG is 999.
    pub return_code: &'static str,
}

/// The DRG claim of a record, for a hospital under the HAC policy.
pub fn claim_of_record(record: &Record) -> Claim {
    Claim::from_record(record, HospitalStatus::NotExempt)
}

/// One unit of input for the grouper.
#[derive(Debug)]
pub enum Unit {
    /// A claim and the record's id.
    Claim(Box<Claim>, Option<String>),
    /// Unreadable: why.
    Broken(String),
}

/// The grouper's unit of one input unit: a claim line (`--format claim`)
/// or a record; anything else is broken, with why.
pub fn unit_of(input: crate::input::Unit) -> Unit {
    match input {
        crate::input::Unit::Line { text, .. } => match serde_json::from_str::<MsdrgClaim>(&text) {
            Ok(m) => match Claim::try_from(m) {
                Ok(c) => Unit::Claim(Box::new(c), None),
                Err(e) => Unit::Broken(format!("not a grouper claim: {e}")),
            },
            Err(e) => Unit::Broken(format!("not a grouper claim: {e}")),
        },
        crate::input::Unit::Item(Item::Record { record, .. }) => {
            let id = record.id.as_ref().map(|t| t.as_str().to_string());
            Unit::Claim(Box::new(claim_of_record(&record)), id)
        }
        crate::input::Unit::Item(Item::Claim { .. }) => {
            Unit::Broken("an MCE claim; use --format claim".into())
        }
        crate::input::Unit::Item(Item::Broken { place, reason }) => {
            Unit::Broken(format!("{place}: {reason}"))
        }
    }
}

/// Groups the input as it streams in: each record's line is written, in
/// input order, as soon as the record is read, and the output is flushed
/// before waiting for more input.
pub fn run(args: Args) -> Result<bool> {
    let path = args
        .drg
        .clone()
        .unwrap_or_else(|| args.index.dir.join(drg::FILE));
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "cannot read the grouper tables {}: build them with `icd build-index` (needs ../shared/data/msdrg) or pass --drg FILE",
            path.display()
        )
    })?;
    let tables = DrgTables::open(bytes)
        .with_context(|| format!("{}: rebuild with `icd build-index`", path.display()))?;
    let mut input = Units::open(&args.file, args.format, Split::ClaimLines)?;
    let out = std::io::stdout();
    let mut w = BufWriter::new(out.lock());
    let mut all_ok = true;
    let mut record = 0;
    let mut units = Vec::new();
    while input.next_batch(&mut units)? {
        for unit in units.drain(..) {
            record += 1;
            let place = unit.place();
            let res = match unit_of(unit) {
                Unit::Broken(e) => {
                    all_ok = false;
                    if args.json {
                        let line = serde_json::json!({
                            "record": record,
                            "place": place.to_string(),
                            "error": e,
                        });
                        writeln!(w, "{line}")
                    } else {
                        writeln!(w, "record {record} ({place}): unreadable: {e}")
                    }
                }
                Unit::Claim(c, id) => {
                    let g = tables.group(&c);
                    all_ok &= g.return_code == drg::ReturnCode::Ok;
                    if args.json {
                        write_json(&mut w, record, id, &g)
                    } else {
                        write_text(&mut w, record, id, &g)
                    }
                }
            };
            if let Err(e) = res {
                return crate::input::reader_gone(e).map(|()| all_ok);
            }
        }
        if let Err(e) = w.flush() {
            return crate::input::reader_gone(e).map(|()| all_ok);
        }
    }
    Ok(all_ok)
}

fn write_json(
    w: &mut impl Write,
    record: usize,
    id: Option<String>,
    g: &Grouping,
) -> std::io::Result<()> {
    let f = &g.final_;
    let line = Line {
        record,
        id,
        drg: f.drg,
        mdc: f.mdc,
        title: &f.title,
        weight: f.weight,
        gmlos: f.gmlos,
        amlos: f.amlos,
        severity: f.severity,
        initial_drg: g.initial.drg,
        drivers: &g.drivers,
        return_code: g.return_code.as_str(),
    };
    let s = serde_json::to_string(&line).map_err(std::io::Error::other)?;
    writeln!(w, "{s}")
}

fn write_text(
    w: &mut impl Write,
    record: usize,
    id: Option<String>,
    g: &Grouping,
) -> std::io::Result<()> {
    let f = &g.final_;
    let id = id.map(|i| format!(" ({i})")).unwrap_or_default();
    let weight = f.weight.map_or("-".to_string(), |v| format!("{v:.4}"));
    writeln!(
        w,
        "record {record}{id}: DRG {:03} {} (weight {weight}, {:?}, {})",
        f.drg,
        f.title,
        f.severity,
        g.return_code.as_str()
    )?;
    for d in &g.drivers.cc_mcc {
        match &d.excluded {
            None => writeln!(w, "  {} {:?} counts", d.code, d.level)?,
            Some(why) => writeln!(w, "  {} {:?} does not count: {why}", d.code, d.level)?,
        }
    }
    if let Some(p) = &g.drivers.surgical_procedure {
        writeln!(w, "  procedure {p} groups the record")?;
    }
    if g.initial.drg != f.drg {
        writeln!(w, "  initial DRG {:03} before HAC removal", g.initial.drg)?;
    }
    Ok(())
}
