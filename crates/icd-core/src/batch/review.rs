//! Batch review: every record of a batch checked and grouped by one
//! [`Review`], which builds the checker once and keeps it for the batch.
//!
//! Each record becomes a [`Reviewed`] row: its place in the file, its id,
//! setting, findings, DRG, length of stay and diagnosis-code counts. Rows
//! are plain serde types with owned strings, so the worker can send them
//! to the page and the page can read them back; [`super::report`] turns a
//! stream of them into the HIM report.
//!
//! ```no_run
//! # fn engine() -> icd_core::Engine<Vec<u8>> { unimplemented!() }
//! use icd_core::batch::{self, review::Review, Format, Item};
//! let engine = engine();
//! let review = Review::new(&engine, None).expect("library loaded");
//! for item in batch::read("id,principal_dx\nA1,I10\n", Format::Csv) {
//!     if let Item::Record { place, record } = item {
//!         let row = review.review(place, &record);
//!         println!("{} {:?} {}", row.place, row.drg.map(|d| d.drg), row.findings.len());
//!     }
//! }
//! ```
//!
//! Caveats: a record that does not state its setting is reviewed as
//! inpatient, as the record check and the grouper treat it. The DRG needs
//! the grouper tables (`drg.icdx`); without them `drg` is `None` for every
//! record and the report says so.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Place;
use crate::drg::{self, DrgTables, ReturnCode};
use crate::mce::Table;
use crate::record::model::{Record, Setting};
use crate::record::{Authority, Checker, Finding, Severity};
use crate::{Date, Engine, NotLoaded};

/// A time of day, `HH:MM` (24-hour), as the record form writes admission
/// and discharge times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TimeOfDay {
    /// Minutes since midnight (0..1440).
    pub minutes: u16,
}

/// Why a time of day did not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a time of day: write it as HH:MM, 24-hour (14:30)")]
pub struct TimeError {
    /// The text as written.
    pub input: String,
}

impl FromStr for TimeOfDay {
    type Err = TimeError;
    /// Reads `HH:MM` or `HHMM` (and `HH:MM:SS`, seconds ignored).
    fn from_str(s: &str) -> Result<TimeOfDay, TimeError> {
        let t = s.trim();
        let err = || TimeError {
            input: t.to_string(),
        };
        let (h, m) = match t.len() {
            4 if t.bytes().all(|b| b.is_ascii_digit()) => (&t[..2], &t[2..]),
            5 | 8 if t.as_bytes()[2] == b':' => (&t[..2], &t[3..5]),
            _ => return Err(err()),
        };
        if t.len() == 8 && (t.as_bytes()[5] != b':' || !t[6..].bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(err());
        }
        let (Ok(h), Ok(m)) = (h.parse::<u16>(), m.parse::<u16>()) else {
            return Err(err());
        };
        if h > 23 || m > 59 {
            return Err(err());
        }
        Ok(TimeOfDay {
            minutes: h * 60 + m,
        })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// The UB-04 discharge status of a patient who died.
pub const EXPIRED: &str = "20";
/// The UB-04 discharge status of a patient still in the hospital (an
/// interim bill): not a discharge.
pub const STILL_A_PATIENT: &str = "30";

/// The stay of one record, read once: dates, times, discharge status.
/// Unreadable values are `None` (the record check reports them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stay {
    /// Admission date.
    pub admitted: Option<Date>,
    /// Admission time.
    pub admitted_at: Option<TimeOfDay>,
    /// Discharge date.
    pub discharged: Option<Date>,
    /// Discharge time.
    pub discharged_at: Option<TimeOfDay>,
    /// Discharge status as two digits (`"01"`, `"20"`), when it is a number.
    pub status: Option<[u8; 2]>,
}

impl Stay {
    /// The stay of `record`.
    pub fn of(record: &Record) -> Stay {
        let date = |d: &Option<String>| d.as_deref().and_then(|s| s.parse::<Date>().ok());
        let time = |t: &Option<String>| t.as_deref().and_then(|s| s.parse::<TimeOfDay>().ok());
        let status = record
            .discharge
            .status
            .as_ref()
            .and_then(|s| s.as_str().parse::<u8>().ok())
            .filter(|n| *n < 100)
            .map(|n| [b'0' + n / 10, b'0' + n % 10]);
        Stay {
            admitted: date(&record.admission.date),
            admitted_at: time(&record.admission.time),
            discharged: date(&record.discharge.date),
            discharged_at: time(&record.discharge.time),
            status,
        }
    }

    /// The discharge status as text (`"01"`), when stated.
    pub fn status(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| std::str::from_utf8(s).ok())
    }

    /// Length of stay in days: the discharge date minus the admission
    /// date, a same-day stay counting 1 (AHIMA). `None` when a date is
    /// missing or the discharge is before the admission.
    pub fn los(&self) -> Option<u32> {
        let days = self.admitted?.days_until(self.discharged?);
        match days {
            0 => Some(1),
            d if d > 0 => u32::try_from(d).ok(),
            _ => None,
        }
    }

    /// Minutes from admission to discharge, when both dates and both times
    /// are known and the discharge is not before the admission.
    pub fn minutes(&self) -> Option<i64> {
        let days = self.admitted?.days_until(self.discharged?);
        let m = days * 1440 + i64::from(self.discharged_at?.minutes)
            - i64::from(self.admitted_at?.minutes);
        (m >= 0).then_some(m)
    }

    /// Whether the patient died (discharge status 20).
    pub fn expired(&self) -> bool {
        self.status() == Some(EXPIRED)
    }
}

/// A finding as a row carries it: owned strings, so it reads back from
/// JSON (the engine's [`Finding`] borrows its rule id from the registry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLine {
    /// Stable rule id (`mce.age_conflict`).
    pub rule_id: String,
    /// How serious.
    pub severity: Severity,
    /// Plain language.
    pub message: String,
    /// Codes involved, as printed.
    pub codes: Vec<String>,
    /// Record fields involved.
    pub fields: Vec<String>,
    /// What it rests on, in words (`MCE edit AGE_CONFLICT`).
    pub authority: String,
    /// The note's text, for a Tabular note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_text: Option<String>,
    /// What to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl From<&Finding> for FindingLine {
    fn from(f: &Finding) -> FindingLine {
        FindingLine {
            rule_id: f.rule_id.to_string(),
            severity: f.severity,
            message: f.message.clone(),
            codes: f.codes.clone(),
            fields: f.fields.clone(),
            authority: f.authority.to_string(),
            authority_text: match &f.authority {
                Authority::TabularNote { text, .. } => Some(text.clone()),
                _ => None,
            },
            fix: f.fix.clone(),
        }
    }
}

/// Where a DRG stands in the CC/MCC severity split of its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// The family has no severity split (`Seizures` has; `Tracheostomy
    /// with MV >96 hours` has not).
    None,
    /// A "with MCC", "with CC" or "with CC/MCC" DRG of a split family.
    With,
    /// A "without MCC" or "without CC/MCC" DRG of a split family.
    Without,
}

impl Split {
    /// The split of a DRG, read from its title (`... with MCC`,
    /// `... without CC/MCC`), as the grouper derives its families.
    pub fn of_title(title: &str) -> Split {
        match drg::tables::split_of(title) {
            Some((true, _, _)) => Split::With,
            Some((false, _, _)) => Split::Without,
            None => Split::None,
        }
    }
}

/// A record's final MS-DRG, as a row carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrgLine {
    /// DRG number (999 ungroupable).
    pub drg: u16,
    /// MDC (0 pre-MDC), `None` when ungroupable.
    pub mdc: Option<u8>,
    /// Title.
    pub title: String,
    /// FY2026 relative weight (Table 5), `None` when the DRG has none.
    pub weight: Option<f64>,
    /// CC/MCC severity of the grouping.
    pub severity: drg::Severity,
    /// Where the DRG stands in its family's severity split.
    pub split: Split,
    /// `OK`, or why the DRG is 999.
    pub return_code: ReturnCode,
}

impl DrgLine {
    /// The final DRG of a grouping.
    pub fn of(g: &drg::Grouping) -> DrgLine {
        let f = &g.final_;
        DrgLine {
            drg: f.drg,
            mdc: f.mdc,
            title: f.title.clone(),
            weight: f.weight,
            severity: f.severity,
            split: Split::of_title(&f.title),
            return_code: g.return_code,
        }
    }

    /// Whether the record grouped (return code `OK`, a DRG with a weight).
    pub fn grouped(&self) -> bool {
        self.return_code == ReturnCode::Ok && self.weight.is_some()
    }
}

/// One record of a batch, checked and grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    /// Where it is in its file.
    pub place: Place,
    /// The record's id, if any.
    pub id: Option<String>,
    /// Its setting as stated (`None`: not stated or not recognized, which
    /// is reviewed as inpatient).
    pub setting: Option<Setting>,
    /// Every finding, most serious first.
    pub findings: Vec<FindingLine>,
    /// The final MS-DRG (inpatient records, once the grouper tables are
    /// loaded).
    pub drg: Option<DrgLine>,
    /// Length of stay in days ([`Stay::los`]).
    pub los: Option<u32>,
    /// Discharge status as written, two digits.
    pub status: Option<String>,
    /// Diagnosis codes on the record (principal and secondary).
    pub diagnoses: u32,
    /// Those whose MCE `unspecified` flag is set, as written.
    pub unspecified: Vec<String>,
}

impl Reviewed {
    /// Whether the record is reviewed as outpatient.
    pub fn outpatient(&self) -> bool {
        self.setting == Some(Setting::Outpatient)
    }

    /// The number of findings of each severity: errors, warnings, info.
    pub fn counts(&self) -> [usize; 3] {
        let mut c = [0; 3];
        for f in &self.findings {
            c[match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            }] += 1;
        }
        c
    }
}

/// Reviews the records of a batch: one checker for all of them. See the
/// [module docs](self).
#[derive(Debug)]
pub struct Review<'e, D> {
    engine: &'e Engine<D>,
    checker: Checker<'e, D>,
    drg: Option<&'e DrgTables<D>>,
    unspecified_bit: u64,
}

impl<'e, D: AsRef<[u8]>> Review<'e, D> {
    /// A reviewer over `engine`'s library (required), CC/MCC and grouper
    /// tables (when loaded), with `today` for dates in the future.
    pub fn new(engine: &'e Engine<D>, today: Option<Date>) -> Result<Review<'e, D>, NotLoaded> {
        let checker = engine.checker(today)?;
        let unspecified_bit = engine
            .library()?
            .mce
            .flag_bit(Table::Dx, "unspecified")
            .unwrap_or(0);
        Ok(Review {
            engine,
            checker,
            drg: engine.drg().ok(),
            unspecified_bit,
        })
    }

    /// Whether records get a DRG (the grouper tables are loaded).
    pub fn groups(&self) -> bool {
        self.drg.is_some()
    }

    /// Checks and groups one record.
    pub fn review(&self, place: Place, record: &Record) -> Reviewed {
        let findings = self.checker.check(record);
        let drg = self
            .engine
            .grouping(record)
            .ok()
            .flatten()
            .map(|g| DrgLine::of(&g));
        let stay = Stay::of(record);
        let (diagnoses, unspecified) = self.unspecified(record, stay.discharged);
        Reviewed {
            place,
            id: record.id.as_ref().map(|t| t.as_str().to_string()),
            setting: record.setting(),
            findings: findings.iter().map(FindingLine::from).collect(),
            drg,
            los: stay.los(),
            status: stay.status().map(str::to_string),
            diagnoses,
            unspecified,
        }
    }

    /// The diagnosis codes of a record, and those whose MCE `unspecified`
    /// flag is set in the period in force on the discharge date (the
    /// latest period when there is no date or none covers it).
    fn unspecified(&self, record: &Record, on: Option<Date>) -> (u32, Vec<String>) {
        let Ok(lib) = self.engine.library() else {
            return (0, Vec::new());
        };
        let mut n = 0;
        let mut out = Vec::new();
        for d in record.principal_dx.iter().chain(&record.secondary_dx) {
            let code = d.code.trim();
            if code.is_empty() {
                continue;
            }
            n += 1;
            if self.unspecified_bit == 0 {
                continue;
            }
            let periods = lib.mce.periods(Table::Dx, &drg::canonical(code));
            let period = on
                .and_then(|day| periods.iter().find(|p| p.contains(day)))
                .or(periods.last());
            if period.is_some_and(|p| p.flags & self.unspecified_bit != 0) {
                out.push(code.to_string());
            }
        }
        (n, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_read_and_bad_ones_say_how_to_write_them() {
        for (input, minutes) in [("14:30", 870), ("0000", 0), ("23:59:10", 1439)] {
            assert_eq!(
                input.parse::<TimeOfDay>().unwrap().minutes,
                minutes,
                "{input}"
            );
        }
        for bad in ["24:00", "9:30", "12:60", "noon", ""] {
            let e = bad.parse::<TimeOfDay>().unwrap_err();
            assert!(e.to_string().contains("HH:MM"), "{bad}: {e}");
        }
        assert_eq!("0705".parse::<TimeOfDay>().unwrap().to_string(), "07:05");
    }

    fn stay(adm: &str, at: &str, dis: &str, dt: &str) -> Stay {
        let mut r = Record::default();
        r.admission.date = Some(adm.into());
        r.admission.time = (!at.is_empty()).then(|| at.into());
        r.discharge.date = Some(dis.into());
        r.discharge.time = (!dt.is_empty()).then(|| dt.into());
        Stay::of(&r)
    }

    #[test]
    fn length_of_stay_counts_a_same_day_stay_as_one_day() {
        let cases = [
            ("2026-03-01", "2026-03-01", Some(1)),
            ("2026-03-01", "2026-03-02", Some(1)),
            ("2026-02-27", "2026-03-02", Some(3)),
            ("2026-03-05", "2026-03-01", None),
            ("2026-03-05", "not a date", None),
        ];
        for (adm, dis, los) in cases {
            assert_eq!(stay(adm, "", dis, "").los(), los, "{adm} {dis}");
        }
    }

    #[test]
    fn minutes_need_both_times() {
        assert_eq!(
            stay("2026-03-01", "22:00", "2026-03-03", "21:59").minutes(),
            Some(2 * 1440 - 1)
        );
        assert_eq!(
            stay("2026-03-01", "22:00", "2026-03-03", "").minutes(),
            None
        );
    }

    #[test]
    fn discharge_status_reads_as_two_digits() {
        let mut r = Record::default();
        for (written, read) in [("1", Some("01")), ("20", Some("20")), ("x", None)] {
            r.discharge.status = Some(written.into());
            assert_eq!(Stay::of(&r).status(), read, "{written}");
        }
    }

    #[test]
    fn severity_splits_read_from_titles() {
        for (title, split) in [
            ("Seizures with MCC", Split::With),
            ("Simple Pneumonia and Pleurisy with CC", Split::With),
            ("Concussion without CC/MCC", Split::Without),
            (
                "Heart Transplant or Implant of Heart Assist System without MCC",
                Split::Without,
            ),
            ("Lung Transplant", Split::None),
        ] {
            assert_eq!(Split::of_title(title), split, "{title}");
        }
    }
}
