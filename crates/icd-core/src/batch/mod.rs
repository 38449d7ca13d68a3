//! Batch import: the files a technician is handed (CSV, JSON Lines records,
//! MCE claims, FHIR R4 Bundles, HL7 v2 ADT messages) read into [`Record`]s,
//! streaming, with the place of every unit in its file.
//!
//! One reader for the CLI and the web worker: [`Importer`] takes the text
//! in chunks of any size (a `File` read slice by slice in the browser, a
//! file or standard input natively) and hands back every unit as soon as
//! it is complete. A unit that cannot be read is an [`Item::Broken`] with
//! its [`Place`] and the reason; the others are still read, so nothing is
//! lost silently.
//!
//! ```
//! use icd_core::batch::{Format, Importer, Item};
//! let mut imp = Importer::new(Format::Csv);
//! let mut items = Vec::new();
//! imp.push("id,principal_dx\nA1,I10\nA2,E1", &mut items);
//! imp.push("1.9\n", &mut items);
//! imp.finish(&mut items);
//! assert_eq!(items.len(), 2);
//! assert!(matches!(&items[1], Item::Record { record, .. } if record.principal_dx.as_ref().unwrap().code == "E11.9"));
//! ```

mod csv;
pub mod fhir;
pub mod hl7;
mod json;
pub mod report;
pub mod review;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::record::model::{Claim, Record};

pub use self::csv::{ColumnMap, CsvField, CSV_FIELDS};

/// The form of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// ICD Desk records: a JSON object, an array of them, or JSON Lines.
    Record,
    /// CMS MCE claims as `msdrg` takes them, one JSON object per line.
    Claim,
    /// One encounter per row, with a header (the columns of [`CSV_FIELDS`],
    /// or others mapped to them with a [`ColumnMap`]).
    Csv,
    /// FHIR R4 Bundles (one, an array, or one per line).
    Fhir,
    /// HL7 v2 ADT^A03 / ADT^A08 messages, several to a file.
    Hl7,
}

impl Format {
    /// Every format, in the order a picker lists them.
    pub const ALL: [Format; 5] = [
        Format::Csv,
        Format::Record,
        Format::Fhir,
        Format::Hl7,
        Format::Claim,
    ];

    /// The name the CLI's `--format` and the app use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Record => "record",
            Format::Claim => "claim",
            Format::Csv => "csv",
            Format::Fhir => "fhir",
            Format::Hl7 => "hl7",
        }
    }

    /// Reads a name of [`Format::name`], in any case.
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
    }

    /// The likely form of a file from its name and its first bytes: the
    /// extension when it says (`.csv`, `.hl7`, `.ndjson`...), else the
    /// content (`MSH|` starts HL7; a JSON `"resourceType"` is FHIR; other
    /// JSON is records; anything else is CSV).
    pub fn guess(file_name: &str, start: &str) -> Format {
        let lower = file_name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        let head = start.trim_start_matches('\u{feff}').trim_start();
        match ext {
            "csv" | "tsv" => return Format::Csv,
            "hl7" => return Format::Hl7,
            _ => {}
        }
        if head.starts_with("MSH|") {
            Format::Hl7
        } else if head.starts_with('{') || head.starts_with('[') {
            let sample = &head[..head.len().min(4096)];
            if sample.contains("\"resourceType\"") {
                Format::Fhir
            } else if sample.contains("\"pdx\"") && sample.contains("\"discharge_date\"") {
                Format::Claim
            } else {
                Format::Record
            }
        } else {
            Format::Csv
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a [`Place`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A line (CSV row, JSON line).
    Line,
    /// An entry: a value of a JSON array, an encounter of a FHIR Bundle.
    Entry,
    /// An HL7 message.
    Message,
}

/// Where a unit is in its file: the line it starts on (1-based), and for
/// entries and messages their number (1-based) as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// What is counted.
    pub unit: Unit,
    /// The unit's number (for [`Unit::Line`], the line).
    pub n: usize,
    /// The line it starts on.
    pub line: usize,
}

impl Place {
    /// Line `line`.
    pub fn line(line: usize) -> Place {
        Place {
            unit: Unit::Line,
            n: line,
            line,
        }
    }

    /// Entry `n`, starting on line `line`.
    pub fn entry(n: usize, line: usize) -> Place {
        Place {
            unit: Unit::Entry,
            n,
            line,
        }
    }

    /// Message `n`, starting on line `line`.
    pub fn message(n: usize, line: usize) -> Place {
        Place {
            unit: Unit::Message,
            n,
            line,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.unit {
            Unit::Line => write!(f, "line {}", self.line),
            Unit::Entry => write!(f, "entry {} (line {})", self.n, self.line),
            Unit::Message => write!(f, "message {} (line {})", self.n, self.line),
        }
    }
}

/// One unit read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A record.
    Record {
        /// Where it is.
        place: Place,
        /// The record.
        record: Box<Record>,
    },
    /// An MCE claim.
    Claim {
        /// Where it is.
        place: Place,
        /// The claim.
        claim: Box<Claim>,
    },
    /// A unit that could not be read.
    Broken {
        /// Where it is.
        place: Place,
        /// Why, in words that say what to correct.
        reason: String,
    },
}

impl Item {
    /// Where the unit is.
    pub fn place(&self) -> Place {
        match self {
            Item::Record { place, .. } | Item::Claim { place, .. } | Item::Broken { place, .. } => {
                *place
            }
        }
    }
}

/// A streaming reader of one file: [`push`](Importer::push) the text in
/// chunks (split anywhere, even inside a character's UTF-8 is the caller's
/// business: chunks are `&str`), then [`finish`](Importer::finish).
#[derive(Debug)]
pub struct Importer {
    format: Format,
    /// Text not yet made into units.
    pending: String,
    /// The line `pending` starts on (1-based).
    line: usize,
    /// Units handed out so far (entries, messages).
    units: usize,
    csv: csv::CsvState,
    json: json::JsonState,
    hl7: hl7::Hl7State,
    /// Bytes pushed so far.
    read: u64,
}

impl Importer {
    /// A reader of `format` (CSV with its own header names).
    pub fn new(format: Format) -> Importer {
        Importer {
            format,
            pending: String::new(),
            line: 1,
            units: 0,
            csv: csv::CsvState::default(),
            json: json::JsonState::default(),
            hl7: hl7::Hl7State,
            read: 0,
        }
    }

    /// A CSV reader whose columns are named by `map` (header -> field).
    pub fn with_columns(mut self, map: ColumnMap) -> Importer {
        self.csv.map = Some(map);
        self
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Bytes pushed so far (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// The CSV header, once read (for the column-mapping step).
    pub fn csv_header(&self) -> Option<&[String]> {
        self.csv.header.as_deref()
    }

    /// Reads `chunk`, appending to `out` every unit it completes.
    pub fn push(&mut self, chunk: &str, out: &mut Vec<Item>) {
        let first = self.read == 0;
        self.read += chunk.len() as u64;
        let chunk = if first {
            chunk.strip_prefix('\u{feff}').unwrap_or(chunk)
        } else {
            chunk
        };
        self.pending.push_str(chunk);
        self.drain(false, out);
    }

    /// Reads what is left at the end of the file.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        self.drain(true, out);
    }

    fn drain(&mut self, last: bool, out: &mut Vec<Item>) {
        let consumed = match self.format {
            Format::Csv => self.csv.drain(&self.pending, self.line, last, out),
            Format::Record | Format::Claim | Format::Fhir => self.json.drain(
                self.format,
                &self.pending,
                self.line,
                &mut self.units,
                last,
                out,
            ),
            Format::Hl7 => self
                .hl7
                .drain(&self.pending, self.line, &mut self.units, last, out),
        };
        self.line += self.pending[..consumed].matches('\n').count();
        self.pending.drain(..consumed);
    }
}

/// Reads the whole of `text` in `format`.
pub fn read(text: &str, format: Format) -> Vec<Item> {
    let mut imp = Importer::new(format);
    let mut out = Vec::new();
    imp.push(text, &mut out);
    imp.finish(&mut out);
    out
}

#[cfg(test)]
mod tests;
