//! The worker's side of batch review: the [`Importer`] of the file being
//! read, every record with its findings and DRG, and the answers to the
//! page's windowed, filtered and sorted queries. The page never holds more
//! than the rows it shows.
//!
//! ```ignore
//! let mut batch = Batch::default();
//! batch.start("day.csv", Format::Csv, None, today);
//! batch.chunk(&engine, "id,principal_dx\nA1,I10\n", 22, true);
//! let (total, rows) = batch.rows(&RowQuery { limit: 50, ..RowQuery::default() });
//! ```
//!
//! Each record is reviewed by [`review`] once, when it is read; its
//! findings keep only what the table and the exports show (rule, severity,
//! message), so 100,000 records fit the worker's memory.

use std::collections::BTreeMap;

use icd_core::batch::{ColumnMap, Format, Importer, Item, Place, CSV_FIELDS};
use icd_core::record::{Record, Severity};
use icd_core::{Date, Engine};

use crate::protocol::{
    BatchProgress, BatchReply, ExportFormat, ExportWhat, Facets, ReportView, RowFilter, RowFinding,
    RowQuery, RowView, SortKey, BROKEN_SHOWN, MAX_WINDOW, MEMBERS_SHOWN,
};

/// One finding of a reviewed record, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Rule id.
    pub rule_id: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Plain language.
    pub message: String,
    /// Marked reviewed on the page.
    pub reviewed: bool,
}

/// A record read, checked and grouped.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where it is in the file.
    pub place: Place,
    /// The record as read.
    pub record: Box<Record>,
    /// Not an outpatient record.
    pub inpatient: bool,
    /// Final MS-DRG (inpatient).
    pub drg: Option<u16>,
    /// Its MDC.
    pub mdc: Option<u8>,
    /// Its relative weight.
    pub weight: Option<f64>,
    /// Findings, most serious first.
    pub findings: Vec<Found>,
}

impl Row {
    fn id(&self) -> &str {
        self.record.id.as_ref().map_or("", |t| t.0.trim())
    }

    fn count(&self, severity: Severity) -> u16 {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
            .min(u16::MAX as usize) as u16
    }

    fn setting(&self) -> &'static str {
        if self.inpatient {
            "inpatient"
        } else {
            "outpatient"
        }
    }
}

/// Checks and groups one record: the one place the batch asks the engine
/// about a record.
pub fn review(
    engine: &Engine<Vec<u8>>,
    checker: &icd_core::record::Checker<'_, Vec<u8>>,
    place: Place,
    record: Box<Record>,
) -> Row {
    let findings = checker
        .check(&record)
        .into_iter()
        .map(|f| Found {
            rule_id: f.rule_id,
            severity: f.severity,
            message: f.message,
            reviewed: false,
        })
        .collect();
    let inpatient = record.setting() != Some(icd_core::record::model::Setting::Outpatient);
    let grouping = engine.drg().ok().filter(|_| inpatient).map(|tables| {
        let claim = icd_core::drg::Claim::from_record(&record, Default::default());
        tables.group(&claim)
    });
    let final_ = grouping.as_ref().map(|g| &g.final_);
    Row {
        place,
        inpatient,
        drg: final_.map(|f| f.drg),
        mdc: final_.and_then(|f| f.mdc),
        weight: final_.and_then(|f| f.weight),
        findings,
        record,
    }
}

/// The batch the worker holds.
#[derive(Debug, Default)]
pub struct Batch {
    /// The file's name.
    pub name: String,
    importer: Option<Importer>,
    today: Option<Date>,
    /// Records read, in file order.
    pub rows: Vec<Row>,
    /// Units that could not be read.
    pub broken: Vec<(Place, String)>,
    bytes: u64,
    done: bool,
    ms: f64,
    /// The rows of the last filter and order, so that scrolling does not
    /// filter and sort again.
    view: Option<(RowFilter, SortKey, bool, Vec<u32>)>,
}

impl Batch {
    /// Forgets everything and starts reading a file.
    pub fn start(
        &mut self,
        name: &str,
        format: Format,
        columns: Option<ColumnMap>,
        today: Option<Date>,
    ) {
        let importer = Importer::new(format);
        *self = Batch {
            name: name.to_string(),
            importer: Some(match columns {
                Some(map) => importer.with_columns(map),
                None => importer,
            }),
            today,
            ..Batch::default()
        };
    }

    /// Forgets the batch.
    pub fn cancel(&mut self) {
        *self = Batch::default();
    }

    /// Reads one slice, checking and grouping every record it completes.
    /// `ms` is the time spent, for the progress figures.
    pub fn chunk(
        &mut self,
        engine: &Engine<Vec<u8>>,
        text: &str,
        bytes: u64,
        last: bool,
        ms: f64,
    ) -> Result<(), String> {
        let Some(importer) = self.importer.as_mut() else {
            return Err("No file is being read: choose the file again.".into());
        };
        let mut items = Vec::new();
        importer.push(text, &mut items);
        if last {
            importer.finish(&mut items);
            self.importer = None;
            self.done = true;
        }
        let checker = engine
            .checker(self.today)
            .map_err(|e| format!("The record check is not loaded ({e}); reload the page."))?;
        for item in items {
            match item {
                Item::Record { place, record } => {
                    self.rows.push(review(engine, &checker, place, record))
                }
                Item::Claim { place, .. } => self.broken.push((
                    place,
                    "an MCE claim, not a record: import claims with `icd check --format claim`, or convert them to records".into(),
                )),
                Item::Broken { place, reason } => self.broken.push((place, reason)),
            }
        }
        self.bytes = bytes;
        self.ms += ms;
        self.view = None;
        Ok(())
    }

    /// How the import is going.
    pub fn progress(&self) -> BatchProgress {
        BatchProgress {
            bytes: self.bytes,
            records: self.rows.len() as u32,
            broken: self.broken.len() as u32,
            with_errors: self
                .rows
                .iter()
                .filter(|r| r.findings.iter().any(|f| f.severity == Severity::Error))
                .count() as u32,
            done: self.done,
            broken_list: self
                .broken
                .iter()
                .take(BROKEN_SHOWN)
                .map(|(p, r)| (p.to_string(), r.clone()))
                .collect(),
            worker_ms: self.ms,
            memory_bytes: 0,
        }
    }

    /// The rules, DRGs and MDCs present, for the filter menus.
    pub fn facets(&self) -> Facets {
        let mut rules: BTreeMap<&str, u32> = BTreeMap::new();
        let mut drgs: BTreeMap<u16, u32> = BTreeMap::new();
        let mut mdcs: BTreeMap<u8, u32> = BTreeMap::new();
        for r in &self.rows {
            let mut seen: Vec<&str> = r.findings.iter().map(|f| f.rule_id).collect();
            seen.sort_unstable();
            seen.dedup();
            for rule in seen {
                *rules.entry(rule).or_default() += 1;
            }
            if let Some(d) = r.drg {
                *drgs.entry(d).or_default() += 1;
            }
            if let Some(m) = r.mdc {
                *mdcs.entry(m).or_default() += 1;
            }
        }
        Facets {
            rules: rules.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            drgs: drgs.into_iter().collect(),
            mdcs: mdcs.into_iter().collect(),
        }
    }

    /// Marks a finding reviewed (or not); `false` when there is no such finding.
    pub fn mark(&mut self, row: u32, finding: u16, reviewed: bool) -> bool {
        let Some(f) = self
            .rows
            .get_mut(row as usize)
            .and_then(|r| r.findings.get_mut(finding as usize))
        else {
            return false;
        };
        f.reviewed = reviewed;
        // Hiding reviewed records depends on it.
        if self.view.as_ref().is_some_and(|v| v.0.hide_reviewed) {
            self.view = None;
        }
        true
    }

    fn matches(f: &RowFilter, r: &Row, search: &str) -> bool {
        (f.rule.is_none()
            || r.findings
                .iter()
                .any(|x| Some(x.rule_id) == f.rule.as_deref()))
            && (f.severity.is_none() || r.findings.iter().any(|x| Some(x.severity) == f.severity))
            && (f.drg.is_none() || r.drg == f.drg)
            && (f.mdc.is_none() || r.mdc == f.mdc)
            && f.setting.as_deref().is_none_or(|s| s == r.setting())
            && (search.is_empty() || r.id().to_lowercase().contains(search))
            && !(f.hide_reviewed && !r.findings.is_empty() && r.findings.iter().all(|x| x.reviewed))
    }

    /// Rows matching `q.filter` in `q.sort` order: how many in all, and the
    /// window `q.offset..q.offset + q.limit`.
    pub fn rows(&mut self, q: &RowQuery) -> (u32, Vec<RowView>) {
        let fresh = self
            .view
            .as_ref()
            .is_some_and(|(f, s, d, _)| *f == q.filter && *s == q.sort && *d == q.descending);
        if !fresh {
            let search = q.filter.search.trim().to_lowercase();
            let mut order: Vec<u32> = (0..self.rows.len() as u32)
                .filter(|&i| Self::matches(&q.filter, &self.rows[i as usize], &search))
                .collect();
            let rows = &self.rows;
            let key = |i: &u32| &rows[*i as usize];
            match q.sort {
                SortKey::Place => {}
                SortKey::Id => order.sort_by(|a, b| key(a).id().cmp(key(b).id())),
                SortKey::Drg => order.sort_by_key(|i| key(i).drg),
                SortKey::Mdc => order.sort_by_key(|i| key(i).mdc),
                SortKey::Weight => order.sort_by(|a, b| {
                    key(a)
                        .weight
                        .unwrap_or(-1.0)
                        .total_cmp(&key(b).weight.unwrap_or(-1.0))
                }),
                SortKey::Findings => order.sort_by_key(|i| {
                    let r = key(i);
                    (r.count(Severity::Error), r.count(Severity::Warning))
                }),
            }
            if q.descending {
                order.reverse();
            }
            self.view = Some((q.filter.clone(), q.sort, q.descending, order));
        }
        let order = &self.view.as_ref().expect("set above").3;
        let start = (q.offset as usize).min(order.len());
        let end = (start + q.limit.min(MAX_WINDOW) as usize).min(order.len());
        let rows = order[start..end]
            .iter()
            .map(|&i| self.row_view(i))
            .collect();
        (order.len() as u32, rows)
    }

    fn row_view(&self, i: u32) -> RowView {
        let r = &self.rows[i as usize];
        RowView {
            row: i,
            place: r.place.to_string(),
            id: r.id().to_string(),
            setting: r.setting().to_string(),
            drg: r.drg,
            mdc: r.mdc,
            weight: r.weight,
            errors: r.count(Severity::Error),
            warnings: r.count(Severity::Warning),
            findings: r
                .findings
                .iter()
                .map(|f| RowFinding {
                    rule_id: f.rule_id.to_string(),
                    severity: f.severity,
                    message: f.message.clone(),
                    reviewed: f.reviewed,
                })
                .collect(),
        }
    }

    /// Findings or records as the text of a file: (name, MIME type, text,
    /// data lines).
    pub fn export(&self, what: ExportWhat, format: ExportFormat) -> (String, String, String, u32) {
        let base = self
            .name
            .rsplit_once('.')
            .map_or(self.name.as_str(), |(b, _)| b);
        let base = if base.is_empty() { "batch" } else { base };
        let (header, lines): (Vec<&str>, Vec<Vec<Cell>>) = match what {
            ExportWhat::Findings => (
                vec![
                    "record_id",
                    "place",
                    "setting",
                    "drg",
                    "rule_id",
                    "severity",
                    "message",
                    "reviewed",
                ],
                self.rows
                    .iter()
                    .flat_map(|r| {
                        r.findings.iter().map(move |f| {
                            vec![
                                Cell::Text(r.id().to_string()),
                                Cell::Text(r.place.to_string()),
                                Cell::Text(r.setting().to_string()),
                                Cell::num(r.drg.map(f64::from)),
                                Cell::Text(f.rule_id.to_string()),
                                Cell::Text(f.severity.to_string()),
                                Cell::Text(f.message.clone()),
                                Cell::Bool(f.reviewed),
                            ]
                        })
                    })
                    .collect(),
            ),
            ExportWhat::Records => (
                vec![
                    "record_id",
                    "place",
                    "setting",
                    "principal_dx",
                    "secondary_dx",
                    "procedures",
                    "drg",
                    "mdc",
                    "weight",
                    "errors",
                    "warnings",
                ],
                self.rows
                    .iter()
                    .map(|r| {
                        let rec = &r.record;
                        vec![
                            Cell::Text(r.id().to_string()),
                            Cell::Text(r.place.to_string()),
                            Cell::Text(r.setting().to_string()),
                            Cell::Text(
                                rec.principal_dx
                                    .as_ref()
                                    .map(|d| d.code.clone())
                                    .unwrap_or_default(),
                            ),
                            Cell::Text(
                                rec.secondary_dx
                                    .iter()
                                    .map(|d| d.code.as_str())
                                    .collect::<Vec<_>>()
                                    .join(";"),
                            ),
                            Cell::Text(
                                rec.procedures
                                    .iter()
                                    .map(|p| p.code.as_str())
                                    .collect::<Vec<_>>()
                                    .join(";"),
                            ),
                            Cell::num(r.drg.map(f64::from)),
                            Cell::num(r.mdc.map(f64::from)),
                            Cell::num(r.weight),
                            Cell::num(Some(f64::from(r.count(Severity::Error)))),
                            Cell::num(Some(f64::from(r.count(Severity::Warning)))),
                        ]
                    })
                    .collect(),
            ),
        };
        let n = lines.len() as u32;
        let kind = match what {
            ExportWhat::Findings => "findings",
            ExportWhat::Records => "records",
        };
        match format {
            ExportFormat::Csv => {
                let mut out = header.join(",");
                out.push('\n');
                for line in &lines {
                    let cells: Vec<String> = line.iter().map(Cell::csv).collect();
                    out.push_str(&cells.join(","));
                    out.push('\n');
                }
                (format!("{base}-{kind}.csv"), "text/csv".into(), out, n)
            }
            ExportFormat::Json => {
                let items: Vec<serde_json::Value> = lines
                    .iter()
                    .map(|line| {
                        serde_json::Value::Object(
                            header
                                .iter()
                                .zip(line)
                                .map(|(h, c)| (h.to_string(), c.json()))
                                .collect(),
                        )
                    })
                    .collect();
                let text =
                    serde_json::to_string_pretty(&items).expect("plain values always serialize");
                (
                    format!("{base}-{kind}.json"),
                    "application/json".into(),
                    text,
                    n,
                )
            }
        }
    }

    /// Adds worker time to the progress figures.
    pub fn add_ms(&mut self, ms: f64) {
        self.ms += ms;
    }

    /// The report's figures (filled by [`crate::batch::report_view`]).
    pub fn report(&self) -> ReportView {
        ReportView {
            name: self.name.clone(),
            ..ReportView::default()
        }
    }

    /// The records of a figure's numerator or denominator: (row, id), the
    /// first [`MEMBERS_SHOWN`], and how many in all.
    pub fn members(&self, _figure: &str, _numerator: bool) -> (Vec<(u32, String)>, u32) {
        (Vec::new(), 0)
    }

    /// The record of a row, to open in the record check.
    pub fn record(&self, row: u32) -> Option<&Record> {
        self.rows.get(row as usize).map(|r| &*r.record)
    }
}

/// The header of a CSV file from its first slice, and whether it is the
/// record CSV already (every column a field of [`CSV_FIELDS`]).
pub fn probe(text: &str) -> BatchReply {
    // The header alone: the rows are read once the columns are known.
    let end = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut importer = Importer::new(Format::Csv);
    let mut items = Vec::new();
    importer.push(&text[..end], &mut items);
    importer.push("\n", &mut items);
    let columns: Vec<String> = importer
        .csv_header()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let known = !columns.is_empty()
        && columns.iter().all(|c| {
            CSV_FIELDS
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case(c.trim()))
        });
    BatchReply::Header { columns, known }
}

/// One cell of an export.
enum Cell {
    Text(String),
    Num(Option<f64>),
    Bool(bool),
}

impl Cell {
    fn num(v: Option<f64>) -> Cell {
        Cell::Num(v)
    }

    fn csv(&self) -> String {
        match self {
            Cell::Text(s) if s.contains([',', '"', '\n', '\r']) => {
                format!("\"{}\"", s.replace('"', "\"\""))
            }
            Cell::Text(s) => s.clone(),
            Cell::Num(Some(v)) => v.to_string(),
            Cell::Num(None) => String::new(),
            Cell::Bool(b) => b.to_string(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(s) => s.clone().into(),
            Cell::Num(Some(v)) if v.fract() == 0.0 && v.abs() < 1e15 => (*v as i64).into(),
            Cell::Num(Some(v)) => (*v).into(),
            Cell::Num(None) => serde_json::Value::Null,
            Cell::Bool(b) => (*b).into(),
        }
    }
}
