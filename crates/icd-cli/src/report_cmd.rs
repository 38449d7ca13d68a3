//! `icd report`: the HIM report of a file of encounters, from the engine
//! function the app's batch page calls ([`icd_core::batch::report`]).
//!
//! The file is streamed: read in chunks of [`CHUNK`] bytes into the
//! engine's [`Importer`], so a file of millions of records is never held
//! whole. Records are checked and grouped on a pool of worker threads in
//! batches of [`BATCH`]; the batches are added to the report in file
//! order, so the figures and their record lists do not depend on the
//! number of threads.
//!
//! With `--json`: one object, `{"read", "reviewed", "inpatient",
//! "outpatient", "rejected", "rejected_units", "excluded",
//! "excluded_by_reason", "discharges", "total_los", "alos",
//! "gross_death_rate", "net_death_rate", "case_mix_index",
//! "cc_mcc_capture_rate", "unspecified_code_rate", "figures", "tables"}`:
//! each figure is `{"value", "numerator", "denominator", "unit",
//! "formula", "note"}`; `--full` prints the whole report instead, with
//! the record indices behind every figure. Exit status: 0 every unit
//! read, 1 some unit rejected, 2 usage or I/O error.

use std::collections::BTreeMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use anyhow::{Context, Result};
use icd_core::batch::report::{Figure, Report, ReportBuilder};
use icd_core::batch::review::{Review, Reviewed};
use icd_core::batch::{Importer, Item, Place};
use icd_core::record::Record;
use icd_core::registry::Capability;
use icd_core::Date;
use serde_json::json;

use crate::check::{self, Format};
use crate::IndexDir;

/// Bytes read from the file at a time: small, so the importer's pending
/// text stays small (see the README's "Millions of claims").
pub const CHUNK: usize = 1 << 16;
/// Records a worker reviews at a time.
pub const BATCH: usize = 2048;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// File of encounters; `-` reads standard input.
    file: PathBuf,
    /// Input form (default: from the file's name and first bytes).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// One JSON object with the figures and counts.
    #[arg(long)]
    json: bool,
    /// With --json: the whole report, with the record indices behind every figure and table row.
    #[arg(long, requires = "json")]
    full: bool,
    /// Today's date, for "nothing in the future" (default: the system clock).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Worker threads (default: the machine's cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    index: IndexDir,
}

/// A file read in chunks of text, split on character boundaries.
#[derive(Debug)]
pub struct Chunks<R> {
    reader: R,
    buf: Vec<u8>,
    /// Bytes of a character cut by the end of the last read.
    carry: Vec<u8>,
    offset: u64,
}

impl<R: Read> Chunks<R> {
    /// Chunks of `reader`.
    pub fn new(reader: R) -> Chunks<R> {
        Chunks {
            reader,
            buf: vec![0; CHUNK],
            carry: Vec::new(),
            offset: 0,
        }
    }

    /// The next chunk; `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<String>> {
        loop {
            let n = self
                .reader
                .read(&mut self.buf)
                .context("cannot read the input")?;
            if n == 0 {
                if self.carry.is_empty() {
                    return Ok(None);
                }
                let at = self.offset;
                anyhow::bail!("not UTF-8 text: the input ends inside a character (byte {at}); save the file as UTF-8");
            }
            let mut bytes = std::mem::take(&mut self.carry);
            bytes.extend_from_slice(&self.buf[..n]);
            let good = match std::str::from_utf8(&bytes) {
                Ok(_) => bytes.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(e) => anyhow::bail!(
                    "not UTF-8 text at byte {}: save the file as UTF-8",
                    self.offset + e.valid_up_to() as u64
                ),
            };
            self.carry = bytes.split_off(good);
            self.offset += good as u64;
            if bytes.is_empty() {
                continue;
            }
            return Ok(Some(
                String::from_utf8(bytes).unwrap_or_else(|_| unreachable!("checked")),
            ));
        }
    }
}

/// One unit, reviewed.
enum Done {
    Record(usize, Box<Record>, Reviewed),
    Rejected(Place, String),
}

/// The input, streamed: every unit of `input` in `format`, checked and
/// grouped by `review` on `threads` threads, and handed to `sink` in file
/// order (with the record's 0-based index among the records).
pub fn review_stream<R: Read + Send>(
    input: R,
    first: Option<String>,
    format: icd_core::batch::Format,
    review: &Review<'_, Vec<u8>>,
    threads: usize,
    mut sink: impl FnMut(usize, &Record, &Reviewed) + Send,
    mut reject: impl FnMut(Place, String) + Send,
) -> Result<()> {
    let threads = threads.max(1);
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<(usize, Item)>)>(threads * 2);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Vec<Done>)>(threads * 2);
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || loop {
                let next = work_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((seq, items))) = next else { break };
                let out = items
                    .into_iter()
                    .map(|(index, item)| match item {
                        Item::Record { place, record } => {
                            let row = review.review(place, &record);
                            Done::Record(index, record, row)
                        }
                        Item::Claim { place, .. } => Done::Rejected(
                            place,
                            "an MCE claim has no admission date or setting: report on records (--format record or csv)".into(),
                        ),
                        Item::Broken { place, reason } => Done::Rejected(place, reason),
                    })
                    .collect();
                if done_tx.send((seq, out)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        // The collector puts batches back in file order.
        let collector = s.spawn(move || {
            let mut pending: BTreeMap<u64, Vec<Done>> = BTreeMap::new();
            let mut next = 0u64;
            for (seq, batch) in done_rx {
                pending.insert(seq, batch);
                while let Some(batch) = pending.remove(&next) {
                    for d in batch {
                        match d {
                            Done::Record(i, record, row) => sink(i, &record, &row),
                            Done::Rejected(place, reason) => reject(place, reason),
                        }
                    }
                    next += 1;
                }
            }
        });
        let mut imp = Importer::new(format);
        let mut chunks = Chunks::new(input);
        let mut items = Vec::new();
        let mut batch: Vec<(usize, Item)> = Vec::with_capacity(BATCH);
        let (mut seq, mut records) = (0u64, 0usize);
        let send = |batch: &mut Vec<(usize, Item)>, seq: &mut u64| -> Result<()> {
            let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
            work_tx
                .send((*seq, full))
                .map_err(|_| anyhow::anyhow!("a worker thread stopped"))?;
            *seq += 1;
            Ok(())
        };
        let mut take = |items: &mut Vec<Item>, batch: &mut Vec<(usize, Item)>, seq: &mut u64| {
            for item in items.drain(..) {
                let index = records;
                if matches!(item, Item::Record { .. }) {
                    records += 1;
                }
                batch.push((index, item));
                if batch.len() == BATCH {
                    send(batch, seq)?;
                }
            }
            Ok::<(), anyhow::Error>(())
        };
        if let Some(text) = first {
            imp.push(&text, &mut items);
            take(&mut items, &mut batch, &mut seq)?;
        }
        while let Some(text) = chunks.next_chunk()? {
            imp.push(&text, &mut items);
            take(&mut items, &mut batch, &mut seq)?;
        }
        imp.finish(&mut items);
        take(&mut items, &mut batch, &mut seq)?;
        if !batch.is_empty() {
            let full = std::mem::take(&mut batch);
            work_tx
                .send((seq, full))
                .map_err(|_| anyhow::anyhow!("a worker thread stopped"))?;
        }
        drop(work_tx);
        collector
            .join()
            .map_err(|_| anyhow::anyhow!("the collector thread panicked"))?;
        Ok(())
    })
}

/// The threads to use: `--threads`, else the machine's cores.
pub fn threads(given: Option<usize>) -> usize {
    given.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The input and its form: the first bytes are read to guess it.
pub fn open_input(
    file: &Path,
    given: Option<Format>,
) -> Result<(Box<dyn Read + Send>, Option<String>, Format)> {
    let mut input: Box<dyn Read + Send> = if file == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
        )
    };
    if let Some(f) = given {
        return Ok((input, None, f));
    }
    let mut chunks = Chunks::new(&mut input);
    chunks.buf.truncate(1 << 16);
    let first = chunks.next_chunk()?;
    let carry = std::mem::take(&mut chunks.carry);
    let format = Format::or_guess(None, file, first.as_deref().unwrap_or(""));
    let rest: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(carry).chain(input));
    Ok((rest, first, format))
}

/// The report of `file`.
pub fn report(args: &Args) -> Result<Report> {
    let today = match &args.today {
        Some(t) => Some(t.parse::<Date>()?),
        None => check::system_today(),
    };
    let engine = crate::open_engine(&args.index.dir, Capability::Check)?;
    let review = Review::new(&engine, today)?.lean();
    if !review.groups() {
        eprintln!(
            "warning: {} has no drg.icdx: no record is grouped, so there is no case mix index or CC/MCC capture (build it with `icd build-index`)",
            args.index.dir.display()
        );
    }
    let (input, first, format) = open_input(&args.file, args.format)?;
    let builder = Mutex::new(ReportBuilder::default());
    review_stream(
        input,
        first,
        format.core(),
        &review,
        threads(args.threads),
        |i, r, row| {
            if let Ok(mut b) = builder.lock() {
                b.add(i, r, row)
            }
        },
        |place, reason| {
            if let Ok(mut b) = builder.lock() {
                b.reject(place, reason)
            }
        },
    )?;
    let builder = builder
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
    Ok(builder.finish())
}

/// `{"value", "numerator", "denominator", "unit", "formula", "note"}`.
fn figure_json(f: &Figure) -> serde_json::Value {
    json!({
        "value": f.value,
        "numerator": f.numerator,
        "denominator": f.denominator,
        "unit": f.unit,
        "formula": f.formula,
        "note": f.note,
    })
}

/// Excluded records by (figure, why), with counts, most frequent first.
fn excluded_by_reason(r: &Report) -> Vec<(String, String, usize)> {
    let mut by: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for e in &r.excluded {
        *by.entry((e.from.as_str(), e.why.as_str())).or_default() += 1;
    }
    let mut v: Vec<(String, String, usize)> = by
        .into_iter()
        .map(|((f, w), n)| (f.to_string(), w.to_string(), n))
        .collect();
    v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The `--json` object.
pub fn summary_json(r: &Report) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    o.insert("read".into(), json!(r.read));
    o.insert("reviewed".into(), json!(r.reviewed));
    o.insert("inpatient".into(), json!(r.inpatient));
    o.insert("outpatient".into(), json!(r.outpatient.records.len()));
    o.insert("rejected".into(), json!(r.rejected.len()));
    o.insert(
        "rejected_units".into(),
        json!(r
            .rejected
            .iter()
            .map(|x| json!({"place": x.place.to_string(), "reason": x.reason}))
            .collect::<Vec<_>>()),
    );
    o.insert("excluded".into(), json!(r.excluded.len()));
    o.insert(
        "excluded_by_reason".into(),
        json!(excluded_by_reason(r)
            .into_iter()
            .map(|(from, why, count)| json!({"from": from, "why": why, "count": count}))
            .collect::<Vec<_>>()),
    );
    for f in &r.figures {
        o.insert(f.id.clone(), figure_json(f));
    }
    o.insert(
        "outpatient_unspecified_code_rate".into(),
        figure_json(&r.outpatient.unspecified_code_rate),
    );
    let tables: serde_json::Map<String, serde_json::Value> = r
        .tables
        .iter()
        .chain([&r.outpatient.findings])
        .enumerate()
        .map(|(i, t)| {
            let name = if i == r.tables.len() {
                "outpatient_findings".to_string()
            } else {
                t.id.clone()
            };
            let rows: Vec<serde_json::Value> = t
                .rows
                .iter()
                .map(|x| json!({"key": x.key, "label": x.label, "count": x.count, "share": x.share, "total": x.total}))
                .collect();
            (name, json!(rows))
        })
        .collect();
    o.insert("tables".into(), serde_json::Value::Object(tables));
    serde_json::Value::Object(o)
}

fn number(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "-".into(),
        Some(x) if unit == "discharges" || (x.fract() == 0.0 && unit == "days") => {
            format!("{x:.0}")
        }
        Some(x) if unit == "weight" => format!("{x:.4}"),
        Some(x) if unit == "percent" => format!("{x:.2}%"),
        Some(x) => format!("{x:.2}"),
    }
}

/// The text report.
pub fn write_text(w: &mut impl Write, r: &Report) -> std::io::Result<()> {
    writeln!(
        w,
        "{} units read: {} records reviewed ({} inpatient, {} outpatient), {} rejected",
        r.read,
        r.reviewed,
        r.inpatient,
        r.outpatient.records.len(),
        r.rejected.len()
    )?;
    writeln!(w)?;
    writeln!(w, "Inpatient figures")?;
    for f in &r.figures {
        let work = match (f.numerator, f.denominator) {
            (Some(n), Some(d)) => format!("= {} / {}", trim(n), trim(d)),
            _ => String::new(),
        };
        writeln!(
            w,
            "  {:<24} {:>12}  {}",
            f.title,
            number(f.value, &f.unit),
            work
        )?;
        writeln!(w, "  {:<24} {:>12}  {}", "", "", f.formula)?;
        if let Some(n) = &f.note {
            writeln!(w, "  {:<24} {:>12}  {}", "", "", n)?;
        }
    }
    let u = &r.outpatient.unspecified_code_rate;
    writeln!(w)?;
    writeln!(
        w,
        "Outpatient (counted apart): {} records, {} with an error finding; unspecified code rate {} ({} / {})",
        r.outpatient.records.len(),
        r.outpatient.with_errors.len(),
        number(u.value, &u.unit),
        trim(u.numerator.unwrap_or(0.0)),
        trim(u.denominator.unwrap_or(0.0))
    )?;
    for t in &r.tables {
        writeln!(w)?;
        writeln!(w, "{} (of {})", t.title, t.base)?;
        for row in t.rows.iter().take(10) {
            let total = row
                .total
                .map(|x| format!("  {}: {}", t.total_is.as_deref().unwrap_or(""), trim(x)))
                .unwrap_or_default();
            writeln!(
                w,
                "  {:<22} {:>8} {:>7.2}%  {}{}",
                row.key,
                row.count,
                row.share,
                cut(&row.label, 60),
                total
            )?;
        }
        if t.rows.len() > 10 {
            writeln!(w, "  ... {} more", t.rows.len() - 10)?;
        }
    }
    if !r.excluded.is_empty() {
        writeln!(w)?;
        writeln!(w, "Excluded ({} records-figure pairs)", r.excluded.len())?;
        for (from, why, n) in excluded_by_reason(r) {
            writeln!(w, "  {n:>8}  from {from}: {why}")?;
        }
    }
    if !r.rejected.is_empty() {
        writeln!(w)?;
        writeln!(w, "Rejected ({})", r.rejected.len())?;
        for x in r.rejected.iter().take(20) {
            writeln!(w, "  {}: {}", x.place, x.reason)?;
        }
        if r.rejected.len() > 20 {
            writeln!(w, "  ... {} more (see --json)", r.rejected.len() - 20)?;
        }
    }
    Ok(())
}

fn trim(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Runs `icd report`. Ok(false) when some unit was rejected.
pub fn run(args: Args) -> Result<bool> {
    let r = report(&args)?;
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let res = if args.full {
        serde_json::to_writer(&mut w, &r)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(w))
    } else if args.json {
        serde_json::to_writer_pretty(&mut w, &summary_json(&r))
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(w))
    } else {
        write_text(&mut w, &r)
    };
    match res.and_then(|_| w.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(r.rejected.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_on_character_boundaries() {
        let text = "é".repeat(CHUNK + 1); // two bytes each: a read ends mid-character
        let mut c = Chunks::new(text.as_bytes());
        let mut back = String::new();
        while let Some(s) = c.next_chunk().unwrap() {
            back.push_str(&s);
        }
        assert_eq!(back, text);
    }

    #[test]
    fn invalid_utf8_names_its_byte() {
        let mut c = Chunks::new(&b"ab\xffcd"[..]);
        let e = c.next_chunk().unwrap_err().to_string();
        assert!(e.contains("byte 2") && e.contains("UTF-8"), "{e}");
        let mut c = Chunks::new(&b"ab\xc3"[..]);
        assert_eq!(c.next_chunk().unwrap().as_deref(), Some("ab"));
        assert!(c
            .next_chunk()
            .unwrap_err()
            .to_string()
            .contains("ends inside"));
    }
}
