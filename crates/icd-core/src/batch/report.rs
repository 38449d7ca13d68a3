//! The HIM report of a batch: discharges, length of stay, death rates,
//! case mix index, CC/MCC capture and unspecified codes, each with its
//! work shown (formula, numerator, denominator, the records behind them,
//! definition and source), and the tables of dispositions, findings, DRGs
//! and MDCs.
//!
//! [`ReportBuilder`] takes the batch one record at a time
//! ([`add`](ReportBuilder::add) a record with its [`Reviewed`] row,
//! [`reject`](ReportBuilder::reject) a unit that could not be read) and
//! keeps only counts and record indices, so a worker can report on
//! 100,000 records; [`finish`](ReportBuilder::finish) computes the
//! [`Report`]. The CLI's `icd report` and the app's batch page both call
//! it: one definition of every figure.
//!
//! ```
//! use icd_core::batch::report::{ReportBuilder, figure};
//! use icd_core::batch::review::Reviewed;
//! use icd_core::batch::Place;
//! use icd_core::record::Record;
//! let r: Record = serde_json::from_str(r#"{"admission": {"date": "2026-03-01"},
//!     "discharge": {"date": "2026-03-04", "status": "01"}}"#).unwrap();
//! let row = Reviewed { place: Place::line(2), id: None, setting: None, findings: vec![],
//!     drg: None, los: Some(3), status: Some("01".into()), diagnoses: 0, unspecified: vec![] };
//! let mut b = ReportBuilder::default();
//! b.add(0, &r, &row);
//! let report = b.finish();
//! assert_eq!(report.figure(figure::ALOS).unwrap().value, Some(3.0));
//! ```
//!
//! Who counts: a record is inpatient unless it says `outpatient` (as the
//! record check and the grouper treat it). An inpatient record is a
//! discharge when it has a discharge date and its status is not 30 ("still
//! a patient", an interim bill); the others are excluded, each with why.
//! Outpatient records are counted apart ([`Outpatient`]). A figure whose
//! denominator is 0 has no value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::review::{Reviewed, Split, Stay, STILL_A_PATIENT};
use super::Place;
use crate::record::model::{Record, DISCHARGE_STATUSES};
use crate::record::{rules, Severity};

/// The ids of the figures, as [`Report::figure`] and `icd report --json` name them.
pub mod figure {
    /// Discharges.
    pub const DISCHARGES: &str = "discharges";
    /// Total length of stay (discharge days).
    pub const TOTAL_LOS: &str = "total_los";
    /// Average length of stay.
    pub const ALOS: &str = "alos";
    /// Gross death rate.
    pub const GROSS_DEATH_RATE: &str = "gross_death_rate";
    /// Net death rate.
    pub const NET_DEATH_RATE: &str = "net_death_rate";
    /// Case mix index.
    pub const CASE_MIX_INDEX: &str = "case_mix_index";
    /// CC/MCC capture rate.
    pub const CC_MCC_CAPTURE_RATE: &str = "cc_mcc_capture_rate";
    /// Unspecified code rate.
    pub const UNSPECIFIED_CODE_RATE: &str = "unspecified_code_rate";
}

/// What a figure is: declared once, here, and copied into every
/// [`Figure`] so the page and the CLI show the same words.
#[derive(Debug, Clone, Copy)]
pub struct FigureSpec {
    /// Stable id ([`figure`]).
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Unit of the value (`discharges`, `days`, `percent`, `weight`).
    pub unit: &'static str,
    /// The formula, in words.
    pub formula: &'static str,
    /// What is counted and what is left out.
    pub definition: &'static str,
    /// Where the definition comes from.
    pub source: &'static str,
}

const AHIMA: &str = "AHIMA, Calculating and Reporting Healthcare Statistics (Horton), inpatient statistics: discharges, length of stay, hospital death rates";

/// Every figure of the inpatient report, in the order it is shown.
pub const FIGURES: [FigureSpec; 8] = [
    FigureSpec {
        id: figure::DISCHARGES,
        title: "Discharges",
        unit: "discharges",
        formula: "count of inpatient discharges",
        definition: "Inpatient records (setting not outpatient) with a discharge date whose discharge status is not 30 (still a patient). Deaths are discharges.",
        source: "AHIMA, Calculating and Reporting Healthcare Statistics: a discharge is the formal release of an inpatient, by discharge, transfer or death; UB-04 FL 17 (NUBC) status 30 is an interim bill, not a discharge",
    },
    FigureSpec {
        id: figure::TOTAL_LOS,
        title: "Total length of stay",
        unit: "days",
        formula: "sum over discharges of (discharge date - admission date), a same-day stay counting 1",
        definition: "Length of stay is the number of calendar days from admission to discharge: the discharge date minus the admission date; a patient admitted and discharged on the same day counts 1 day. Discharges without a readable admission date, or discharged before admitted, are excluded.",
        source: AHIMA,
    },
    FigureSpec {
        id: figure::ALOS,
        title: "Average length of stay",
        unit: "days",
        formula: "total length of stay / discharges with a length of stay",
        definition: "The mean length of stay of the discharges whose length of stay is known (see total length of stay).",
        source: AHIMA,
    },
    FigureSpec {
        id: figure::GROSS_DEATH_RATE,
        title: "Gross death rate",
        unit: "percent",
        formula: "inpatient deaths (discharge status 20) / discharges (including deaths) x 100",
        definition: "Every inpatient death, however soon after admission, per 100 discharges.",
        source: AHIMA,
    },
    FigureSpec {
        id: figure::NET_DEATH_RATE,
        title: "Net death rate",
        unit: "percent",
        formula: "(deaths - deaths under 48 hours) / (discharges - deaths under 48 hours) x 100",
        definition: "Deaths 48 hours or more after admission per 100 discharges, deaths under 48 hours left out of both. The 48 hours run from the admission date and time to the discharge date and time, so the rate is computed only when every death has both times.",
        source: AHIMA,
    },
    FigureSpec {
        id: figure::CASE_MIX_INDEX,
        title: "Case mix index",
        unit: "weight",
        formula: "sum of FY2026 MS-DRG relative weights / grouped discharges",
        definition: "The mean MS-DRG v43.1 relative weight (FY2026 IPPS Table 5 `weight`) of the discharges' final DRGs. Ungroupable discharges (DRG 999, or a DRG without a weight) are excluded.",
        source: "CMS FY2026 IPPS Final Rule, Table 5 (MS-DRG relative weights); case mix index as the sum of the relative weights divided by the number of discharges (CMS; California HCAI/OSHPD case mix index method)",
    },
    FigureSpec {
        id: figure::CC_MCC_CAPTURE_RATE,
        title: "CC/MCC capture rate",
        unit: "percent",
        formula: "discharges in a 'with MCC', 'with CC' or 'with CC/MCC' DRG / discharges in DRG families split by CC/MCC x 100",
        definition: "Among grouped discharges whose base DRG is split by the presence of a CC or an MCC, the share grouped to the DRG of a higher severity level. Discharges in DRGs without a severity split do not count in either.",
        source: "American Hospital Directory, MS-DRG Coding Indicators: CC/MCC rate (cases in MS-DRGs defined by the presence of a CC or MCC / cases in the base MS-DRGs affected by CCs or MCCs)",
    },
    FigureSpec {
        id: figure::UNSPECIFIED_CODE_RATE,
        title: "Unspecified code rate",
        unit: "percent",
        formula: "diagnosis codes flagged unspecified by the MCE / diagnosis codes x 100",
        definition: "Principal and secondary diagnosis codes on the discharges whose Medicare Code Editor `unspecified` flag is set (in the table period of the discharge date), per 100 such codes. Admitting diagnoses are not counted.",
        source: "CMS Medicare Code Editor v43.1, diagnosis code table (i10dx) `unspecified` edit flag",
    },
];

/// The spec of a figure id.
pub fn spec(id: &str) -> Option<&'static FigureSpec> {
    FIGURES.iter().find(|f| f.id == id)
}

/// One figure with its work shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable id ([`figure`]).
    pub id: String,
    /// Title.
    pub title: String,
    /// The figure; `None` when it is not computed ([`Figure::note`] says why).
    pub value: Option<f64>,
    /// What is counted over.
    pub numerator: Option<f64>,
    /// What it is counted against.
    pub denominator: Option<f64>,
    /// Unit of the value.
    pub unit: String,
    /// The formula.
    pub formula: String,
    /// The definition.
    pub definition: String,
    /// Where it comes from.
    pub source: String,
    /// Why it is not computed, or what was left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The records (indices given to [`ReportBuilder::add`]) behind the numerator.
    pub numerator_records: Vec<usize>,
    /// The records behind the denominator.
    pub denominator_records: Vec<usize>,
}

impl Figure {
    fn new(id: &str) -> Figure {
        let s = spec(id).unwrap_or_else(|| unreachable!("figure ids come from FIGURES"));
        Figure {
            id: s.id.to_string(),
            title: s.title.to_string(),
            value: None,
            numerator: None,
            denominator: None,
            unit: s.unit.to_string(),
            formula: s.formula.to_string(),
            definition: s.definition.to_string(),
            source: s.source.to_string(),
            note: None,
            numerator_records: Vec::new(),
            denominator_records: Vec::new(),
        }
    }

    /// `numerator / denominator x scale`, none when the denominator is 0.
    fn ratio(mut self, num: f64, den: f64, scale: f64) -> Figure {
        self.numerator = Some(num);
        self.denominator = Some(den);
        self.value = (den > 0.0).then(|| num / den * scale);
        if den <= 0.0 {
            self.note = Some("not computed: the denominator is 0".into());
        }
        self
    }

    fn records(mut self, num: &[usize], den: &[usize]) -> Figure {
        self.numerator_records = num.to_vec();
        self.denominator_records = den.to_vec();
        self
    }
}

/// A unit of the file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Where it is.
    pub place: Place,
    /// Why.
    pub reason: String,
}

/// A record left out of a figure (or of every inpatient figure), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The record's index.
    pub index: usize,
    /// The figure it is left out of ([`figure`]), or `inpatient` for all of them.
    pub from: String,
    /// Why.
    pub why: String,
}

/// A row of a report table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// What the row counts (`20`, `mce.unspecified`, `291`, `5`).
    pub key: String,
    /// In words.
    pub label: String,
    /// Records.
    pub count: usize,
    /// Percent of the table's base.
    pub share: f64,
    /// Findings (findings tables), or the sum of relative weights (DRG and MDC tables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// The records.
    pub records: Vec<usize>,
}

/// A table of the report, rows most frequent first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// `dispositions`, `findings`, `drgs`, `mdcs`.
    pub id: String,
    /// Title.
    pub title: String,
    /// What the shares are percent of.
    pub base: usize,
    /// What `total` holds, when rows have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_is: Option<String>,
    /// Rows.
    pub rows: Vec<Row>,
}

/// The outpatient records, counted apart from the inpatient figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outpatient {
    /// The outpatient records.
    pub records: Vec<usize>,
    /// Records with at least one error finding.
    pub with_errors: Vec<usize>,
    /// The unspecified code rate of outpatient diagnosis codes.
    pub unspecified_code_rate: Figure,
    /// Findings by rule.
    pub findings: Table,
}

/// The report of a batch. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Units read: records added and units rejected.
    pub read: usize,
    /// Records added (reviewed).
    pub reviewed: usize,
    /// Records reviewed as inpatient (discharges and excluded ones).
    pub inpatient: usize,
    /// Units that could not be read.
    pub rejected: Vec<Rejected>,
    /// Records left out of figures, and why.
    pub excluded: Vec<Excluded>,
    /// The inpatient figures, in [`FIGURES`] order.
    pub figures: Vec<Figure>,
    /// Discharges by disposition, findings by rule, DRGs, MDCs (inpatient discharges).
    pub tables: Vec<Table>,
    /// Outpatient records.
    pub outpatient: Outpatient,
}

impl Report {
    /// A figure by id ([`figure`]).
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }

    /// A table by id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The records left out of figure `id` (or of every inpatient figure).
    pub fn excluded_from<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Excluded> + 'a {
        self.excluded.iter().filter(move |e| e.from == id)
    }
}

#[derive(Debug, Default)]
struct RuleTally {
    findings: usize,
    records: Vec<usize>,
}

#[derive(Debug, Default)]
struct DrgTally {
    title: String,
    /// Sum of weights in ten-thousandths (Table 5 has four decimals), so
    /// the sum is exact whatever the order.
    weight: u64,
    records: Vec<usize>,
}

#[derive(Debug, Default)]
struct Codes {
    codes: u64,
    unspecified: u64,
    records: Vec<usize>,
    unspecified_records: Vec<usize>,
}

impl Codes {
    fn add(&mut self, index: usize, row: &Reviewed) {
        if row.diagnoses > 0 {
            self.codes += u64::from(row.diagnoses);
            self.records.push(index);
        }
        if !row.unspecified.is_empty() {
            self.unspecified += row.unspecified.len() as u64;
            self.unspecified_records.push(index);
        }
    }

    fn figure(&self) -> Figure {
        Figure::new(figure::UNSPECIFIED_CODE_RATE)
            .ratio(self.unspecified as f64, self.codes as f64, 100.0)
            .records(&self.unspecified_records, &self.records)
    }
}

/// Builds a [`Report`] one record at a time. See the [module docs](self).
#[derive(Debug, Default)]
pub struct ReportBuilder {
    reviewed: usize,
    inpatient: usize,
    rejected: Vec<Rejected>,
    excluded: Vec<Excluded>,
    discharges: Vec<usize>,
    los_days: u64,
    los_records: Vec<usize>,
    deaths: Vec<usize>,
    deaths_under_48h: Vec<usize>,
    deaths_untimed: Vec<usize>,
    grouped: Vec<usize>,
    weight: u64,
    split: Vec<usize>,
    split_with: Vec<usize>,
    codes: Codes,
    by_status: BTreeMap<String, Vec<usize>>,
    by_rule: BTreeMap<String, RuleTally>,
    by_drg: BTreeMap<u16, DrgTally>,
    by_mdc: BTreeMap<Option<u8>, DrgTally>,
    outpatient: Vec<usize>,
    outpatient_errors: Vec<usize>,
    outpatient_codes: Codes,
    outpatient_rules: BTreeMap<String, RuleTally>,
}

/// 48 hours in minutes.
const NET_DEATH_MINUTES: i64 = 48 * 60;

fn tally(map: &mut BTreeMap<String, RuleTally>, index: usize, row: &Reviewed) {
    for f in &row.findings {
        let t = map.entry(f.rule_id.clone()).or_default();
        t.findings += 1;
        // A rule's findings on one record need not be adjacent (they are
        // sorted by rank): the record is counted once all the same.
        if t.records.last() != Some(&index) {
            t.records.push(index);
        }
    }
}

impl ReportBuilder {
    /// Adds record `index` (the caller's number for it, which the figures'
    /// record lists hold) with its review.
    pub fn add(&mut self, index: usize, record: &Record, row: &Reviewed) {
        self.reviewed += 1;
        if row.outpatient() {
            self.outpatient.push(index);
            if row.findings.iter().any(|f| f.severity == Severity::Error) {
                self.outpatient_errors.push(index);
            }
            self.outpatient_codes.add(index, row);
            tally(&mut self.outpatient_rules, index, row);
            return;
        }
        self.inpatient += 1;
        let stay = Stay::of(record);
        let exclude = |this: &mut Self, from: &str, why: String| {
            this.excluded.push(Excluded {
                index,
                from: from.to_string(),
                why,
            })
        };
        if stay.discharged.is_none() {
            let why = match record.discharge.date.as_deref().map(str::trim) {
                None | Some("") => "no discharge date: not a discharge".to_string(),
                Some(d) => format!("discharge date '{d}' does not read: not counted as a discharge (write it as YYYY-MM-DD)"),
            };
            exclude(self, "inpatient", why);
            return;
        }
        if stay.status() == Some(STILL_A_PATIENT) {
            exclude(
                self,
                "inpatient",
                "discharge status 30 (still a patient): not a discharge".into(),
            );
            return;
        }
        self.discharges.push(index);
        self.by_status
            .entry(stay.status().unwrap_or("").to_string())
            .or_default()
            .push(index);
        match stay.los() {
            Some(days) => {
                self.los_days += u64::from(days);
                self.los_records.push(index);
            }
            None => {
                let why = if stay.admitted.is_none() {
                    "no readable admission date: length of stay unknown"
                } else {
                    "discharged before admitted: length of stay unknown"
                };
                exclude(self, figure::ALOS, why.into());
            }
        }
        if stay.expired() {
            self.deaths.push(index);
            match stay.minutes() {
                Some(m) if m < NET_DEATH_MINUTES => self.deaths_under_48h.push(index),
                Some(_) => {}
                None => {
                    self.deaths_untimed.push(index);
                    exclude(
                        self,
                        figure::NET_DEATH_RATE,
                        "a death without admission and discharge dates and times: the 48-hour rule cannot be applied".into(),
                    );
                }
            }
        }
        match &row.drg {
            Some(d) if d.grouped() => {
                let w = (d.weight.unwrap_or(0.0) * 1e4).round() as u64;
                self.grouped.push(index);
                self.weight += w;
                match d.split {
                    Split::With => {
                        self.split.push(index);
                        self.split_with.push(index);
                    }
                    Split::Without => self.split.push(index),
                    Split::None => {}
                }
                let t = self.by_drg.entry(d.drg).or_default();
                if t.title.is_empty() {
                    t.title = d.title.clone();
                }
                t.weight += w;
                t.records.push(index);
                let m = self.by_mdc.entry(d.mdc).or_default();
                m.weight += w;
                m.records.push(index);
            }
            Some(d) => {
                let why = if d.weight.is_none() && d.return_code == crate::drg::ReturnCode::Ok {
                    format!("DRG {:03} has no FY2026 relative weight", d.drg)
                } else {
                    format!("ungroupable: DRG {:03} ({})", d.drg, d.return_code.as_str())
                };
                exclude(self, figure::CASE_MIX_INDEX, why);
            }
            None => exclude(
                self,
                figure::CASE_MIX_INDEX,
                "no DRG: the grouper tables (drg.icdx) are not loaded".into(),
            ),
        }
        self.codes.add(index, row);
        tally(&mut self.by_rule, index, row);
    }

    /// Counts a unit of the file that could not be read.
    pub fn reject(&mut self, place: Place, reason: impl Into<String>) {
        self.rejected.push(Rejected {
            place,
            reason: reason.into(),
        });
    }

    /// The report.
    pub fn finish(self) -> Report {
        let n = self.discharges.len() as f64;
        let mut discharges = Figure::new(figure::DISCHARGES).records(&self.discharges, &[]);
        discharges.value = Some(n);
        discharges.numerator = Some(n);
        let los = self.los_records.len() as f64;
        let mut total_los = Figure::new(figure::TOTAL_LOS).records(&self.los_records, &[]);
        total_los.value = Some(self.los_days as f64);
        total_los.numerator = Some(self.los_days as f64);
        let alos = Figure::new(figure::ALOS)
            .ratio(self.los_days as f64, los, 1.0)
            .records(&self.los_records, &self.los_records);
        let lacking = self.discharges.len() - self.los_records.len();
        let alos = with_note(
            alos,
            lacking,
            "discharges without a length of stay are left out",
        );
        let gross = Figure::new(figure::GROSS_DEATH_RATE)
            .ratio(self.deaths.len() as f64, n, 100.0)
            .records(&self.deaths, &self.discharges);
        let net = self.net_death_rate();
        let grouped = self.grouped.len() as f64;
        let cmi = Figure::new(figure::CASE_MIX_INDEX)
            .ratio(self.weight as f64 / 1e4, grouped, 1.0)
            .records(&self.grouped, &self.grouped);
        let cmi = with_note(
            cmi,
            self.discharges.len() - self.grouped.len(),
            "discharges without a weighted DRG are left out",
        );
        let cc = Figure::new(figure::CC_MCC_CAPTURE_RATE)
            .ratio(self.split_with.len() as f64, self.split.len() as f64, 100.0)
            .records(&self.split_with, &self.split);
        let figures = vec![
            discharges,
            total_los,
            alos,
            gross,
            net,
            cmi,
            cc,
            self.codes.figure(),
        ];
        let base = self.discharges.len();
        let tables = vec![
            dispositions(&self.by_status, base),
            findings(&self.by_rule, base),
            drgs(&self.by_drg, self.grouped.len()),
            mdcs(&self.by_mdc, self.grouped.len()),
        ];
        let outpatient = Outpatient {
            unspecified_code_rate: self.outpatient_codes.figure(),
            findings: findings(&self.outpatient_rules, self.outpatient.len()),
            records: self.outpatient,
            with_errors: self.outpatient_errors,
        };
        let mut excluded = self.excluded;
        excluded.sort_by_key(|e| e.index);
        Report {
            read: self.reviewed + self.rejected.len(),
            reviewed: self.reviewed,
            inpatient: self.inpatient,
            rejected: self.rejected,
            excluded,
            figures,
            tables,
            outpatient,
        }
    }

    fn net_death_rate(&self) -> Figure {
        let f = Figure::new(figure::NET_DEATH_RATE);
        if !self.deaths_untimed.is_empty() {
            let mut f = f.records(&self.deaths_untimed, &[]);
            f.note = Some(format!(
                "not computed: {} of {} deaths lack admission/discharge times (the 48-hour rule needs both dates and times)",
                self.deaths_untimed.len(),
                self.deaths.len()
            ));
            return f;
        }
        let early: std::collections::BTreeSet<usize> =
            self.deaths_under_48h.iter().copied().collect();
        let keep = |v: &[usize]| -> Vec<usize> {
            v.iter().copied().filter(|i| !early.contains(i)).collect()
        };
        let (late, den) = (keep(&self.deaths), keep(&self.discharges));
        f.ratio(late.len() as f64, den.len() as f64, 100.0)
            .records(&late, &den)
    }
}

fn with_note(mut f: Figure, left_out: usize, what: &str) -> Figure {
    if left_out > 0 && f.note.is_none() {
        f.note = Some(format!("{left_out} {what}"));
    }
    f
}

fn share(count: usize, base: usize) -> f64 {
    if base == 0 {
        0.0
    } else {
        count as f64 / base as f64 * 100.0
    }
}

/// Rows most frequent first, then by key.
fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    rows
}

fn dispositions(by: &BTreeMap<String, Vec<usize>>, base: usize) -> Table {
    let rows = by
        .iter()
        .map(|(status, records)| Row {
            key: status.clone(),
            label: if status.is_empty() {
                "discharge status not stated".to_string()
            } else {
                DISCHARGE_STATUSES
                    .iter()
                    .find(|(k, _)| k == status)
                    .map_or("not a UB-04 discharge status", |(_, v)| v)
                    .to_string()
            },
            count: records.len(),
            share: share(records.len(), base),
            total: None,
            records: records.clone(),
        })
        .collect();
    Table {
        id: "dispositions".into(),
        title: "Discharges by disposition (UB-04 discharge status)".into(),
        base,
        total_is: None,
        rows: sorted(rows),
    }
}

fn findings(by: &BTreeMap<String, RuleTally>, base: usize) -> Table {
    let rows = by
        .iter()
        .map(|(id, t)| Row {
            key: id.clone(),
            label: rules::find(id).map_or_else(|| id.clone(), |r| r.title.to_string()),
            count: t.records.len(),
            share: share(t.records.len(), base),
            total: Some(t.findings as f64),
            records: t.records.clone(),
        })
        .collect();
    Table {
        id: "findings".into(),
        title: "Findings by rule (records with the finding)".into(),
        base,
        total_is: Some("findings".into()),
        rows: sorted(rows),
    }
}

fn drgs(by: &BTreeMap<u16, DrgTally>, base: usize) -> Table {
    let rows = by
        .iter()
        .map(|(drg, t)| Row {
            key: format!("{drg:03}"),
            label: t.title.clone(),
            count: t.records.len(),
            share: share(t.records.len(), base),
            total: Some(t.weight as f64 / 1e4),
            records: t.records.clone(),
        })
        .collect();
    Table {
        id: "drgs".into(),
        title: "Top MS-DRGs (grouped discharges)".into(),
        base,
        total_is: Some("sum of relative weights".into()),
        rows: sorted(rows),
    }
}

fn mdcs(by: &BTreeMap<Option<u8>, DrgTally>, base: usize) -> Table {
    let rows = by
        .iter()
        .map(|(mdc, t)| Row {
            key: mdc.map_or_else(String::new, |m| format!("{m:02}")),
            label: match mdc {
                Some(0) => "Pre-MDC".to_string(),
                Some(m) => format!("MDC {m:02}"),
                None => "no MDC".to_string(),
            },
            count: t.records.len(),
            share: share(t.records.len(), base),
            total: Some(t.weight as f64 / 1e4),
            records: t.records.clone(),
        })
        .collect();
    Table {
        id: "mdcs".into(),
        title: "DRG mix by MDC (grouped discharges)".into(),
        base,
        total_is: Some("sum of relative weights".into()),
        rows: sorted(rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::review::{DrgLine, FindingLine};
    use crate::drg::ReturnCode;

    /// The hand-worked batch. Columns: id, setting (I/O), admission date
    /// and time, discharge date and time, status, DRG, weight, split
    /// (+ with, - without, . none), diagnosis codes, unspecified codes,
    /// rules with a finding (`!` marks an error).
    const BATCH: &str = "\
A1 I 2026-03-01 08:00 2026-03-04 10:00 01 291 1.3000 + 4 1 r.a
A2 I 2026-03-02 07:00 2026-03-02 19:00 01 313 0.6000 . 2 0 -
A3 I 2026-03-01 09:00 2026-03-02 08:00 20 871 1.9000 - 3 1 -
A4 I 2026-03-01 10:00 2026-03-05 12:00 20 291 1.3000 + 5 2 r.a,r.b,r.a
A5 I 2026-03-03 - 2026-03-08 - 06 194 0.9000 + 3 0 r.b
A6 I 2026-03-04 - 2026-03-06 - 03 195 0.7000 - 2 1 -
A7 I - - 2026-03-06 - 01 999 - . 1 0 !r.c
A8 I 2026-03-05 - 2026-03-07 - 30 - - . 2 0 -
A9 I 2026-03-05 - - - - - - . 1 0 -
O1 O 2026-03-05 - 2026-03-05 - - - - . 2 1 !r.c
O2 O 2026-03-06 - 2026-03-06 - - - - . 1 0 -";

    // Worked by hand:
    // discharges: A1-A7 = 7 (A8 status 30, A9 no discharge date: excluded)
    // LOS: A1 3, A2 1 (same day), A3 1, A4 4, A5 5, A6 2, A7 none (no admission date)
    //   total 16 over 6 discharges; ALOS 16 / 6 = 2.6667
    // deaths: A3 (23 h), A4 (98 h); gross 2 / 7 x 100 = 28.571
    //   net (2 - 1) / (7 - 1) x 100 = 16.667
    // CMI: A1-A6 grouped, A7 999: (1.3 + 0.6 + 1.9 + 1.3 + 0.9 + 0.7) / 6 = 6.7 / 6 = 1.11667
    // CC/MCC: split families A1 + A3 - A4 + A5 + A6 -: 3 / 5 x 100 = 60
    // unspecified: (1 + 0 + 1 + 2 + 0 + 1 + 0) / (4 + 2 + 3 + 5 + 3 + 2 + 1) = 5 / 20 x 100 = 25
    // outpatient: O1, O2; unspecified 1 / 3 x 100 = 33.333; errors: O1
    // read: 11 records + 1 rejected = 12
    /// Figure id, value, numerator, denominator.
    type Expect = (&'static str, Option<f64>, Option<f64>, Option<f64>);
    const EXPECTED: [Expect; 8] = [
        (figure::DISCHARGES, Some(7.0), Some(7.0), None),
        (figure::TOTAL_LOS, Some(16.0), Some(16.0), None),
        (figure::ALOS, Some(16.0 / 6.0), Some(16.0), Some(6.0)),
        (
            figure::GROSS_DEATH_RATE,
            Some(200.0 / 7.0),
            Some(2.0),
            Some(7.0),
        ),
        (
            figure::NET_DEATH_RATE,
            Some(100.0 / 6.0),
            Some(1.0),
            Some(6.0),
        ),
        (
            figure::CASE_MIX_INDEX,
            Some(6.7 / 6.0),
            Some(6.7),
            Some(6.0),
        ),
        (
            figure::CC_MCC_CAPTURE_RATE,
            Some(60.0),
            Some(3.0),
            Some(5.0),
        ),
        (
            figure::UNSPECIFIED_CODE_RATE,
            Some(25.0),
            Some(5.0),
            Some(20.0),
        ),
    ];

    fn opt(s: &str) -> Option<String> {
        (s != "-").then(|| s.to_string())
    }

    fn encounter(line: &str) -> (Record, Reviewed) {
        let c: Vec<&str> = line.split_whitespace().collect();
        let mut r = Record {
            id: Some(c[0].into()),
            setting: Some(
                if c[1] == "O" {
                    "outpatient"
                } else {
                    "inpatient"
                }
                .into(),
            ),
            ..Record::default()
        };
        r.admission.date = opt(c[2]);
        r.admission.time = opt(c[3]);
        r.discharge.date = opt(c[4]);
        r.discharge.time = opt(c[5]);
        r.discharge.status = opt(c[6]).map(|s| s.as_str().into());
        let drg = opt(c[7]).map(|d| {
            let drg: u16 = d.parse().unwrap();
            DrgLine {
                drg,
                mdc: (drg != 999).then_some(1),
                title: format!("DRG {drg}"),
                weight: c[8].parse().ok(),
                severity: crate::drg::Severity::None,
                split: match c[9] {
                    "+" => Split::With,
                    "-" => Split::Without,
                    _ => Split::None,
                },
                return_code: if drg == 999 {
                    ReturnCode::InvalidPdx
                } else {
                    ReturnCode::Ok
                },
            }
        });
        let findings = c[12]
            .split(',')
            .filter(|s| *s != "-")
            .map(|id| FindingLine {
                rule_id: id.trim_start_matches('!').to_string(),
                severity: if id.starts_with('!') {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: String::new(),
                codes: vec![],
                fields: vec![],
                authority: String::new(),
                authority_text: None,
                fix: None,
            })
            .collect();
        let stay = Stay::of(&r);
        let row = Reviewed {
            place: Place::line(2),
            id: Some(c[0].into()),
            setting: r.setting(),
            findings,
            drg,
            los: stay.los(),
            status: stay.status().map(str::to_string),
            diagnoses: c[10].parse().unwrap(),
            unspecified: vec!["R69".into(); c[11].parse().unwrap()],
        };
        (r, row)
    }

    fn report(batch: &str) -> Report {
        let mut b = ReportBuilder::default();
        for (i, line) in batch.lines().enumerate() {
            let (r, row) = encounter(line);
            b.add(i, &r, &row);
        }
        b.reject(Place::line(13), "not a row");
        b.finish()
    }

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn figures_equal_the_values_worked_by_hand() {
        let r = report(BATCH);
        for (id, value, num, den) in EXPECTED {
            let f = r.figure(id).unwrap();
            assert!(close(f.value, value), "{id}: {:?} != {value:?}", f.value);
            assert!(close(f.numerator, num), "{id}: numerator {:?}", f.numerator);
            assert!(
                close(f.denominator, den),
                "{id}: denominator {:?}",
                f.denominator
            );
        }
        assert_eq!(r.figures.len(), FIGURES.len());
        assert_eq!((r.read, r.reviewed, r.inpatient), (12, 11, 9));
        assert_eq!(r.rejected.len(), 1);
    }

    #[test]
    fn the_records_behind_each_figure_are_listed() {
        let r = report(BATCH);
        let recs = |id: &str| {
            let f = r.figure(id).unwrap();
            (f.numerator_records.clone(), f.denominator_records.clone())
        };
        assert_eq!(recs(figure::DISCHARGES).0, [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(recs(figure::GROSS_DEATH_RATE).0, [2, 3]);
        assert_eq!(
            recs(figure::NET_DEATH_RATE),
            (vec![3], vec![0, 1, 3, 4, 5, 6])
        );
        assert_eq!(
            recs(figure::CC_MCC_CAPTURE_RATE),
            (vec![0, 3, 4], vec![0, 2, 3, 4, 5])
        );
        assert_eq!(recs(figure::UNSPECIFIED_CODE_RATE).0, [0, 2, 3, 5]);
    }

    #[test]
    fn excluded_records_are_counted_with_why() {
        let r = report(BATCH);
        let ex: Vec<(usize, &str)> = r
            .excluded
            .iter()
            .map(|e| (e.index, e.from.as_str()))
            .collect();
        assert_eq!(
            ex,
            [
                (6, figure::ALOS),
                (6, figure::CASE_MIX_INDEX),
                (7, "inpatient"),
                (8, "inpatient")
            ]
        );
        assert!(
            r.excluded[1]
                .why
                .contains("ungroupable: DRG 999 (INVALID_PDX)"),
            "{:?}",
            r.excluded[1]
        );
        assert!(
            r.excluded[2].why.contains("status 30"),
            "{:?}",
            r.excluded[2]
        );
        assert!(
            r.excluded[3].why.contains("no discharge date"),
            "{:?}",
            r.excluded[3]
        );
        assert_eq!(
            r.figure(figure::CASE_MIX_INDEX).unwrap().note.as_deref(),
            Some("1 discharges without a weighted DRG are left out")
        );
    }

    #[test]
    fn outpatient_records_are_counted_apart() {
        let r = report(BATCH);
        assert_eq!(r.outpatient.records, [9, 10]);
        assert_eq!(r.outpatient.with_errors, [9]);
        let u = &r.outpatient.unspecified_code_rate;
        assert!(close(u.value, Some(100.0 / 3.0)), "{:?}", u.value);
        assert_eq!(r.outpatient.findings.rows[0].key, "r.c");
    }

    #[test]
    fn the_net_death_rate_is_not_computed_when_a_death_lacks_its_times() {
        let batch = BATCH.replace(
            "A4 I 2026-03-01 10:00 2026-03-05 12:00",
            "A4 I 2026-03-01 10:00 2026-03-05 -",
        );
        let r = report(&batch);
        let net = r.figure(figure::NET_DEATH_RATE).unwrap();
        assert_eq!(net.value, None);
        assert_eq!(
            net.note.as_deref(),
            Some("not computed: 1 of 2 deaths lack admission/discharge times (the 48-hour rule needs both dates and times)")
        );
        assert_eq!(net.numerator_records, [3]);
        // The gross rate does not need the times.
        assert!(close(
            r.figure(figure::GROSS_DEATH_RATE).unwrap().value,
            Some(200.0 / 7.0)
        ));
    }

    #[test]
    fn tables_count_dispositions_findings_drgs_and_mdcs() {
        let r = report(BATCH);
        let rows = |id: &str| -> Vec<(String, usize)> {
            r.table(id)
                .unwrap()
                .rows
                .iter()
                .map(|x| (x.key.clone(), x.count))
                .collect()
        };
        let own = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
            v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        assert_eq!(
            rows("dispositions"),
            own(&[("01", 3), ("20", 2), ("03", 1), ("06", 1)])
        );
        // A4 has r.a twice: two findings, one record.
        assert_eq!(rows("findings"), own(&[("r.a", 2), ("r.b", 2), ("r.c", 1)]));
        let ra = &r.table("findings").unwrap().rows[0];
        assert_eq!(ra.total, Some(3.0));
        assert_eq!(rows("drgs")[0], ("291".to_string(), 2));
        assert_eq!(r.table("drgs").unwrap().rows[0].total, Some(2.6));
        assert_eq!(rows("mdcs"), own(&[("01", 6)]));
    }

    #[test]
    fn an_empty_batch_has_no_rates() {
        let r = ReportBuilder::default().finish();
        assert_eq!(r.figure(figure::DISCHARGES).unwrap().value, Some(0.0));
        assert_eq!(r.figure(figure::ALOS).unwrap().value, None);
        assert_eq!(r.figure(figure::GROSS_DEATH_RATE).unwrap().value, None);
    }

    #[test]
    fn a_report_reads_back_from_json() {
        let r = report(BATCH);
        let back: Report = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
