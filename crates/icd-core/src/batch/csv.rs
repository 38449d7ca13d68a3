//! CSV: one encounter per row, with a header. The columns `icd check`
//! reads are [`CSV_FIELDS`]; a file with other headers is read through a
//! [`ColumnMap`]. Lists (`secondary_dx`, `procedures`) hold `;`-separated
//! items, a diagnosis as `CODE` or `CODE:POA`, a procedure as `CODE` or
//! `CODE:DATE`; several columns mapped to one list field append to it.
//! A tab-separated file (a tab and no comma in its header) is read too.

use serde::{Deserialize, Serialize};

use super::{Item, Place};
use crate::record::model::{Diagnosis, Procedure, Record, Text};

/// A column of the record CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CsvField {
    /// The header `icd check` reads.
    pub name: &'static str,
    /// What it holds.
    pub title: &'static str,
}

/// Every column of the record CSV, in form order.
pub const CSV_FIELDS: [CsvField; 20] = [
    CsvField {
        name: "id",
        title: "encounter or account number",
    },
    CsvField {
        name: "setting",
        title: "inpatient or outpatient",
    },
    CsvField {
        name: "mrn",
        title: "medical record number",
    },
    CsvField {
        name: "name",
        title: "patient name",
    },
    CsvField {
        name: "dob",
        title: "date of birth",
    },
    CsvField {
        name: "age",
        title: "age in years",
    },
    CsvField {
        name: "sex",
        title: "M, F or U",
    },
    CsvField {
        name: "admission_date",
        title: "admission date",
    },
    CsvField {
        name: "admission_time",
        title: "admission time, HH:MM",
    },
    CsvField {
        name: "admission_source",
        title: "point of origin (UB-04 FL 15)",
    },
    CsvField {
        name: "admission_type",
        title: "type of admission (UB-04 FL 14)",
    },
    CsvField {
        name: "discharge_date",
        title: "discharge date",
    },
    CsvField {
        name: "discharge_time",
        title: "discharge time, HH:MM",
    },
    CsvField {
        name: "discharge_status",
        title: "patient discharge status (UB-04 FL 17)",
    },
    CsvField {
        name: "attending",
        title: "attending provider",
    },
    CsvField {
        name: "admitting_dx",
        title: "admitting diagnosis",
    },
    CsvField {
        name: "principal_dx",
        title: "principal diagnosis, CODE or CODE:POA",
    },
    CsvField {
        name: "secondary_dx",
        title: "secondary diagnoses, CODE:POA;CODE:POA",
    },
    CsvField {
        name: "procedures",
        title: "procedures, CODE:DATE;CODE",
    },
    CsvField {
        name: "reason_for_visit",
        title: "reason for visit",
    },
];

/// Which field each of a file's columns holds: `(header, field)` pairs,
/// headers compared without case, fields among [`CSV_FIELDS`]. A column
/// not named here is read by its own header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// `(header in the file, field name)`.
    pub columns: Vec<(String, String)>,
}

impl ColumnMap {
    /// The field a header holds.
    fn field<'a>(&'a self, header: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|(h, _)| h.trim().eq_ignore_ascii_case(header))
            .map_or(header, |(_, f)| f.as_str())
    }

    /// Field names that are not columns of the record CSV, if any.
    pub fn unknown_fields(&self) -> Vec<&str> {
        self.columns
            .iter()
            .map(|(_, f)| f.as_str())
            .filter(|f| !f.is_empty() && !CSV_FIELDS.iter().any(|c| c.name == *f))
            .collect()
    }
}

#[derive(Debug, Default)]
pub(super) struct CsvState {
    pub(super) header: Option<Vec<String>>,
    pub(super) map: Option<ColumnMap>,
    delimiter: u8,
}

/// The length of the longest prefix of `text` made of whole CSV records
/// (ending in a newline outside quotes).
fn whole_records(text: &str) -> usize {
    let mut quoted = false;
    let mut end = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => end = i + 1,
            _ => {}
        }
    }
    end
}

/// Lines counted up to a byte of a text, moving forward only (so a chunk
/// of n rows costs O(length), not O(n x length)).
struct LineCursor<'a> {
    text: &'a str,
    at: usize,
    lines: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            at: 0,
            lines: 0,
        }
    }

    /// The 0-based line of the record at byte `at`: csv's own line counter
    /// points at a blank line skipped before the record.
    fn line_of(&mut self, at: usize) -> usize {
        let at = at.min(self.text.len()).max(self.at);
        self.lines += self.text[self.at..at].matches('\n').count();
        self.at = at;
        let rest = &self.text[at..];
        let blank = &rest[..rest.len() - rest.trim_start().len()];
        self.lines + blank.matches('\n').count()
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `CODE:EXTRA` -> (`CODE`, `EXTRA`).
fn split_code(item: &str) -> (String, Option<String>) {
    match item.trim().split_once(':') {
        Some((c, x)) => (c.trim().to_string(), non_empty(x)),
        None => (item.trim().to_string(), None),
    }
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').filter(|x| !x.trim().is_empty())
}

impl CsvState {
    /// Reads the whole records at the start of `text` (all of it when
    /// `last`); returns the bytes consumed.
    pub(super) fn drain(
        &mut self,
        text: &str,
        first_line: usize,
        last: bool,
        out: &mut Vec<Item>,
    ) -> usize {
        let end = if last {
            text.len()
        } else {
            whole_records(text)
        };
        if end == 0 {
            return 0;
        }
        let slice = &text[..end];
        if self.header.is_none() && self.delimiter == 0 {
            let first = slice.lines().next().unwrap_or("");
            self.delimiter = if first.contains('\t') && !first.contains(',') {
                b'\t'
            } else {
                b','
            };
        }
        let mut rdr = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(::csv::Trim::All)
            .delimiter(self.delimiter)
            .from_reader(slice.as_bytes());
        let mut cursor = LineCursor::new(slice);
        for row in rdr.records() {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    out.push(Item::Broken {
                        place: Place::line(first_line + line.saturating_sub(1)),
                        reason: format!("unreadable CSV row: {e}"),
                    });
                    continue;
                }
            };
            let line = first_line + cursor.line_of(row.position().map_or(0, |p| p.byte() as usize));
            if row.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let Some(header) = &self.header else {
                let names: Vec<String> =
                    row.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
                self.header = Some(names);
                continue;
            };
            if row.len() > header.len() {
                out.push(Item::Broken {
                    place: Place::line(line),
                    reason: format!(
                        "the row has {} fields but the header has {}; quote a field that holds a comma",
                        row.len(),
                        header.len()
                    ),
                });
                continue;
            }
            let record = self.record(header, &row);
            out.push(Item::Record {
                place: Place::line(line),
                record: Box::new(record),
            });
        }
        end
    }

    fn record(&self, header: &[String], row: &::csv::StringRecord) -> Record {
        let mut r = Record::default();
        for (h, v) in header.iter().zip(row.iter()) {
            let field = self.map.as_ref().map_or(h.as_str(), |m| m.field(h));
            let val = non_empty(v);
            match field {
                "id" => r.id = val.map(Text),
                "setting" => r.setting = val,
                "mrn" => r.patient.mrn = val.map(Text),
                "name" => r.patient.name = val,
                "dob" => r.patient.dob = val,
                "age" => r.patient.age = val.map(Text),
                "sex" => r.patient.sex = val,
                "admission_date" => r.admission.date = val,
                "admission_time" => r.admission.time = val,
                "admission_source" => r.admission.source = val.map(Text),
                "admission_type" => r.admission.kind = val.map(Text),
                "discharge_date" => r.discharge.date = val,
                "discharge_time" => r.discharge.time = val,
                "discharge_status" => r.discharge.status = val.map(Text),
                "attending" => r.attending = val,
                "admitting_dx" => r.admitting_dx = val,
                "principal_dx" => {
                    if let Some(s) = val {
                        let (code, poa) = split_code(&s);
                        r.principal_dx = Some(Diagnosis {
                            code,
                            poa,
                            ..Default::default()
                        });
                    }
                }
                "secondary_dx" => r.secondary_dx.extend(list(v).map(|x| {
                    let (code, poa) = split_code(x);
                    Diagnosis {
                        code,
                        poa,
                        ..Default::default()
                    }
                })),
                "procedures" => r.procedures.extend(list(v).map(|x| {
                    let (code, date) = split_code(x);
                    Procedure {
                        code,
                        date,
                        ..Default::default()
                    }
                })),
                "reason_for_visit" => r.reason_for_visit = val,
                "" => {}
                other => {
                    if val.is_some() {
                        r.unknown.insert(other.to_string(), serde::de::IgnoredAny);
                    }
                }
            }
        }
        r
    }
}
