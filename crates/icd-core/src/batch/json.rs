//! JSON input: records, MCE claims and FHIR Bundles.
//!
//! Three layouts are read, told apart by the first value:
//! - one value per line (JSON Lines, NDJSON): each line is read alone, so
//!   a broken line loses only itself;
//! - values written over several lines, one after another (a pretty-printed
//!   object or Bundle): read as a stream; after a broken value the reader
//!   starts again on the next line;
//! - an array: read whole, each element an entry.

use serde_json::Value;

use super::{Format, Item, Place};
use crate::record::model::{Claim, Record};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Not known yet.
    #[default]
    Unknown,
    /// One value per line.
    Lines,
    /// Values over several lines, one after another.
    Stream,
}

#[derive(Debug, Default)]
pub(super) struct JsonState {
    layout: Layout,
    /// After a broken value: `Some(true)` while its first line is still to
    /// drop, `Some(false)` while later lines are dropped.
    skipping: Option<bool>,
    /// After an incomplete value: parse again only once the pending text
    /// is this long (doubling keeps a huge Bundle pushed in small chunks
    /// linear, not quadratic).
    retry_at: usize,
}

/// Whether `text` (from a value's start) holds a whole JSON value, with the
/// byte length of the value.
enum Next {
    Value(Value, usize),
    /// More text is needed.
    Incomplete,
    /// Not JSON: the error and the line (1-based, in `text`) it is on.
    Broken(serde_json::Error),
}

fn next_value(text: &str) -> Next {
    let mut it = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match it.next() {
        Some(Ok(v)) => Next::Value(v, it.byte_offset()),
        Some(Err(e)) if e.is_eof() => Next::Incomplete,
        Some(Err(e)) => Next::Broken(e),
        None => Next::Incomplete,
    }
}

impl JsonState {
    /// Reads the whole units at the start of `text` (all of it when
    /// `last`); returns the bytes consumed.
    pub(super) fn drain(
        &mut self,
        format: Format,
        text: &str,
        first_line: usize,
        units: &mut usize,
        last: bool,
        out: &mut Vec<Item>,
    ) -> usize {
        let mut pos = 0;
        let mut line = first_line;
        loop {
            // Skip blank space, counting lines.
            let rest = &text[pos..];
            let skip = rest.len() - rest.trim_start().len();
            line += rest[..skip].matches('\n').count();
            pos += skip;
            let rest = &text[pos..];
            if rest.is_empty() {
                return pos;
            }
            if self.skipping.is_some() {
                let (bytes, lines, wait) = self.skip(rest, last);
                pos += bytes;
                line += lines;
                if wait || self.skipping.is_some() {
                    return pos;
                }
                continue;
            }
            if self.layout == Layout::Lines {
                let Some(len) = rest
                    .find('\n')
                    .map(|i| i + 1)
                    .or(last.then_some(rest.len()))
                else {
                    return pos;
                };
                let l = rest[..len].trim();
                match serde_json::from_str::<Value>(l) {
                    Ok(v) => emit(format, v, l, line, units, out),
                    Err(e) => out.push(Item::Broken {
                        place: Place::line(line),
                        reason: format!("not JSON: {e}"),
                    }),
                }
                pos += len;
                line += 1;
                continue;
            }
            if !last && rest.len() < self.retry_at {
                return pos;
            }
            match next_value(rest) {
                Next::Value(v, len) => {
                    self.retry_at = 0;
                    if !last && len == rest.len() && !(v.is_object() || v.is_array()) {
                        // A number may go on in the next chunk.
                        return pos;
                    }
                    if self.layout == Layout::Unknown && !rest.starts_with('[') {
                        // A first object on one line, followed by a line
                        // break or the end: JSON Lines.
                        let after = rest[len..].trim_start_matches([' ', '\t', '\r']);
                        let one_line = !rest[..len].contains('\n');
                        if one_line && (after.starts_with('\n') || (after.is_empty() && last)) {
                            self.layout = Layout::Lines;
                        } else if one_line && after.is_empty() {
                            // Cannot tell yet: wait for the line break.
                            return pos;
                        } else {
                            self.layout = Layout::Stream;
                        }
                    }
                    emit(format, v, &rest[..len], line, units, out);
                    line += rest[..len].matches('\n').count();
                    pos += len;
                }
                Next::Incomplete if !last => {
                    self.retry_at = rest.len() * 2;
                    return pos;
                }
                Next::Incomplete => {
                    out.push(Item::Broken {
                        place: Place::line(line),
                        reason: "not JSON: the file ends inside a value".into(),
                    });
                    return text.len();
                }
                Next::Broken(e)
                    if !last && rest.bytes().filter(|&b| b == b'\n').count() < e.line() =>
                {
                    // The error is on the last line, which may go on in
                    // the next chunk (and be found at another column).
                    self.retry_at = rest.len() + 1;
                    return pos;
                }
                Next::Broken(e) => {
                    out.push(Item::Broken {
                        place: Place::line(line),
                        reason: format!("not JSON: {e}"),
                    });
                    // Start again on the next line that opens a value.
                    self.skipping = Some(true);
                }
            }
        }
    }

    /// Drops lines after a broken value until one opens a value (the first
    /// line, where the broken value starts, always goes); returns the
    /// bytes and lines dropped, and whether more text is needed.
    fn skip(&mut self, rest: &str, last: bool) -> (usize, usize, bool) {
        let (mut bytes, mut lines) = (0, 0);
        for l in rest.split_inclusive('\n') {
            let first = self.skipping == Some(true);
            if !first && l.trim_start().starts_with(['{', '[']) {
                self.skipping = None;
                return (bytes, lines, false);
            }
            if !l.ends_with('\n') && !last {
                return (bytes, lines, true);
            }
            self.skipping = Some(false);
            bytes += l.len();
            lines += 1;
        }
        (bytes, lines, !last)
    }
}

/// One JSON value (`text`, starting on line `line`) as units: an array's
/// elements are entries, each placed on the line it starts on.
fn emit(format: Format, v: Value, text: &str, line: usize, units: &mut usize, out: &mut Vec<Item>) {
    let lines = match &v {
        Value::Array(_) => element_lines(text, line),
        _ => Vec::new(),
    };
    let at = |i: usize| lines.get(i).copied().unwrap_or(line);
    if format == Format::Fhir {
        // Entries are the Encounters, numbered across the file.
        match v {
            Value::Array(bundles) => {
                for (i, b) in bundles.into_iter().enumerate() {
                    super::fhir::read(b, at(i), units, out);
                }
            }
            other => super::fhir::read(other, line, units, out),
        }
        return;
    }
    match v {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                *units += 1;
                let place = Place::entry(*units, at(i));
                one(format, item, place, out);
            }
        }
        other => {
            let place = Place::line(line);
            one(format, other, place, out);
        }
    }
}

/// The line each element of the JSON array `text` (valid, starting on line
/// `first`) starts on: a scan of its top level, strings skipped.
fn element_lines(text: &str, first: usize) -> Vec<usize> {
    let (mut lines, mut line, mut depth) = (Vec::new(), first, 0usize);
    let (mut in_string, mut escaped, mut expect) = (false, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            if b == b'\n' {
                line += 1;
            }
            continue;
        }
        match b {
            b'\n' => line += 1,
            b' ' | b'\t' | b'\r' => {}
            _ => {
                if expect && depth == 1 && b != b']' {
                    lines.push(line);
                }
                expect = false;
                match b {
                    b'[' | b'{' => {
                        depth += 1;
                        expect = depth == 1;
                    }
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    b',' => expect = depth == 1,
                    b'"' => in_string = true,
                    _ => {}
                }
            }
        }
    }
    lines
}

fn one(format: Format, v: Value, place: Place, out: &mut Vec<Item>) {
    match format {
        Format::Claim => out.push(match serde_json::from_value::<Claim>(v) {
            Ok(c) => Item::Claim {
                place,
                claim: Box::new(c),
            },
            Err(e) => Item::Broken {
                place,
                reason: format!("not a claim: {e}"),
            },
        }),
        _ => out.push(match serde_json::from_value::<Record>(v) {
            Ok(r) => Item::Record {
                place,
                record: Box::new(r),
            },
            Err(e) => Item::Broken {
                place,
                reason: format!("not a record: {e}"),
            },
        }),
    }
}
