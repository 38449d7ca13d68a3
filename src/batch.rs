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

use icd_core::batch::report::{Figure, Report, ReportBuilder, Table};
use icd_core::batch::review::Review;
use icd_core::batch::{ColumnMap, Format, Importer, Item, Place, CSV_FIELDS};
use icd_core::record::{Record, Severity};
use icd_core::{Date, Engine};

use crate::protocol::{
    BatchProgress, BatchReply, ExportFormat, ExportWhat, Facets, FigureView, ReportRow,
    ReportTable, ReportView, RowFilter, RowFinding, RowQuery, RowView, SortKey, BROKEN_SHOWN,
    MAX_WINDOW, MEMBERS_SHOWN, TABLE_SHOWN,
};

/// One finding of a reviewed record, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Rule id.
    pub rule_id: String,
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

/// Checks and groups one record ([`Review::review`], the engine's one
/// definition for the CLI and the app), feeding the report as it goes,
/// and keeps what the table shows.
pub fn review(
    reviewer: &Review<'_, Vec<u8>>,
    report: &mut ReportBuilder,
    index: usize,
    place: Place,
    record: Box<Record>,
) -> Row {
    let reviewed = reviewer.review(place, &record);
    report.add(index, &record, &reviewed);
    let drg = reviewed.drg.as_ref();
    Row {
        place,
        inpatient: !reviewed.outpatient(),
        drg: drg.map(|d| d.drg),
        mdc: drg.and_then(|d| d.mdc),
        weight: drg.and_then(|d| d.weight),
        findings: reviewed
            .findings
            .into_iter()
            .map(|f| Found {
                rule_id: f.rule_id,
                severity: f.severity,
                message: f.message,
                reviewed: false,
            })
            .collect(),
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
    /// The report, built as records come in.
    building: ReportBuilder,
    /// The report, once the file is read.
    pub report: Option<Report>,
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
        let reviewer = Review::new(engine, self.today)
            .map_err(|e| format!("The record check is not loaded ({e}); reload the page."))?;
        for item in items {
            match item {
                Item::Record { place, record } => {
                    let index = self.rows.len();
                    let row = review(&reviewer, &mut self.building, index, place, record);
                    self.rows.push(row);
                }
                Item::Claim { place, .. } => {
                    let reason = "an MCE claim, not a record: check claims with `icd check --format claim`, or convert them to records";
                    self.building.reject(place, reason);
                    self.broken.push((place, reason.into()));
                }
                Item::Broken { place, reason } => {
                    self.building.reject(place, reason.clone());
                    self.broken.push((place, reason));
                }
            }
        }
        if self.done {
            self.report = Some(std::mem::take(&mut self.building).finish());
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
            let mut seen: Vec<&str> = r.findings.iter().map(|f| f.rule_id.as_str()).collect();
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
                .any(|x| Some(x.rule_id.as_str()) == f.rule.as_deref()))
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
                    rule_id: f.rule_id.clone(),
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
                                Cell::Text(f.rule_id.clone()),
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

    /// The report as the page shows it, once the file is read.
    pub fn report_view(&self) -> Option<ReportView> {
        let r = self.report.as_ref()?;
        let mut excluded: BTreeMap<(&str, &str), u32> = BTreeMap::new();
        for e in &r.excluded {
            *excluded
                .entry((e.from.as_str(), e.why.as_str()))
                .or_default() += 1;
        }
        let out = &r.outpatient;
        let count = |id: &str, title: &str, records: &[usize], definition: &str| FigureView {
            id: id.into(),
            title: title.into(),
            value: records.len().to_string(),
            formula: "count of records".into(),
            numerator: Some(records.len().to_string()),
            denominator: None,
            numerator_records: records.len() as u32,
            denominator_records: 0,
            numerator_key: format!("out:{id}"),
            denominator_key: String::new(),
            note: None,
            definition: definition.into(),
            source: "ICD Desk record check (the setting as the record states it)".into(),
        };
        Some(ReportView {
            name: self.name.clone(),
            read: r.read as u32,
            reviewed: r.reviewed as u32,
            inpatient: r.inpatient as u32,
            rejected: r.rejected.len() as u32,
            excluded: excluded
                .into_iter()
                .map(|((from, why), n)| (from.to_string(), why.to_string(), n))
                .collect(),
            figures: r.figures.iter().map(|f| figure_view(f, "fig")).collect(),
            outpatient: vec![
                count(
                    "records",
                    "Outpatient records",
                    &out.records,
                    "Records whose setting is outpatient; they are left out of every inpatient figure.",
                ),
                count(
                    "with_errors",
                    "Outpatient records with an error",
                    &out.with_errors,
                    "Outpatient records with at least one finding of severity error.",
                ),
                figure_view(&out.unspecified_code_rate, "out"),
            ],
            tables: r.tables.iter().map(table_view).collect(),
            outpatient_findings: {
                let mut t = table_view(&out.findings);
                t.id = format!("out-{}", t.id);
                t
            },
        })
    }

    /// The records of a report list ([`FigureView::numerator_key`],
    /// [`crate::protocol::members_key`]): its title, (row, id or place) of
    /// the first [`MEMBERS_SHOWN`], and how many in all.
    pub fn members(&self, key: &str) -> Option<Members> {
        let r = self.report.as_ref()?;
        let (title, records): (String, &[usize]) = match key.split(':').collect::<Vec<_>>()[..] {
            ["fig", id, which] => {
                let f = r.figure(id)?;
                if which == "num" {
                    (format!("{}: numerator", f.title), &f.numerator_records)
                } else {
                    (format!("{}: denominator", f.title), &f.denominator_records)
                }
            }
            ["out", "records"] => ("Outpatient records".into(), &r.outpatient.records),
            ["out", "with_errors"] => (
                "Outpatient records with an error".into(),
                &r.outpatient.with_errors,
            ),
            ["out", _, which] => {
                let f = &r.outpatient.unspecified_code_rate;
                if which == "num" {
                    (
                        format!("Outpatient {}: numerator", f.title.to_lowercase()),
                        &f.numerator_records,
                    )
                } else {
                    (
                        format!("Outpatient {}: denominator", f.title.to_lowercase()),
                        &f.denominator_records,
                    )
                }
            }
            ["table", table, row] => {
                let t = match table.strip_prefix("out-") {
                    Some(_) => &r.outpatient.findings,
                    None => r.table(table)?,
                };
                let row = t.rows.iter().find(|x| x.key == row)?;
                (format!("{}: {}", t.title, row.label), &row.records)
            }
            _ => return None,
        };
        let rows = records
            .iter()
            .take(MEMBERS_SHOWN)
            .filter_map(|&i| {
                let row = self.rows.get(i)?;
                let id = row.id();
                let shown = if id.is_empty() {
                    row.place.to_string()
                } else {
                    id.to_string()
                };
                Some((i as u32, shown))
            })
            .collect();
        Some((title, rows, records.len() as u32))
    }

    /// The record of a row, to open in the record check.
    pub fn record(&self, row: u32) -> Option<&Record> {
        self.rows.get(row as usize).map(|r| &*r.record)
    }
}

/// A number as the report shows it: whole numbers without decimals.
pub fn number(v: f64, unit: &str) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    match unit {
        "weight" => format!("{v:.4}"),
        _ => format!("{v:.2}"),
    }
}

/// A figure's value with its unit (`4.25 days`, `2.10%`).
pub fn value_text(v: f64, unit: &str) -> String {
    match unit {
        "percent" => format!("{v:.2}%"),
        "days" => format!("{v:.2} days"),
        "weight" => format!("{v:.4}"),
        _ => number(v, unit),
    }
}

fn figure_view(f: &Figure, prefix: &str) -> FigureView {
    FigureView {
        id: f.id.clone(),
        title: f.title.clone(),
        value: match f.value {
            Some(v) => value_text(v, &f.unit),
            None => "not computed".into(),
        },
        formula: f.formula.clone(),
        numerator: f.numerator.map(|v| number(v, &f.unit)),
        denominator: f.denominator.map(|v| number(v, &f.unit)),
        numerator_records: f.numerator_records.len() as u32,
        denominator_records: f.denominator_records.len() as u32,
        numerator_key: format!("{prefix}:{}:num", f.id),
        denominator_key: format!("{prefix}:{}:den", f.id),
        note: f.note.clone(),
        definition: f.definition.clone(),
        source: f.source.clone(),
    }
}

fn table_view(t: &Table) -> ReportTable {
    ReportTable {
        id: t.id.clone(),
        title: t.title.clone(),
        base: t.base as u32,
        total_is: t.total_is.clone(),
        rows: t
            .rows
            .iter()
            .take(TABLE_SHOWN)
            .map(|r| ReportRow {
                key: r.key.clone(),
                label: r.label.clone(),
                count: r.count as u32,
                share: r.share,
                total: r.total,
            })
            .collect(),
        all_rows: t.rows.len() as u32,
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
    // The header line is all there is to read here.
    importer.finish(&mut items);
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

/// A report list: its title, (row, record id or place) of the first
/// [`MEMBERS_SHOWN`], and how many records it holds in all.
pub type Members = (String, Vec<(u32, String)>, u32);

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
