//! Shared plumbing for the official XML files: positions as line numbers,
//! errors that name the file, the line and what was expected.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Reads a whole source file, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| {
        format!(
            "cannot read {}: check --data / ICD_DATA_DIR",
            path.display()
        )
    })
}

/// A pull parser over a file's bytes that knows line numbers.
#[allow(missing_debug_implementations)] // quick-xml's reader is not Debug.
pub struct Xml<'a> {
    pub path: &'a Path,
    bytes: &'a [u8],
    reader: Reader<&'a [u8]>,
}

impl<'a> Xml<'a> {
    pub fn new(path: &'a Path, bytes: &'a [u8]) -> Xml<'a> {
        let mut reader = Reader::from_reader(bytes);
        reader.config_mut().trim_text(false);
        Xml {
            path,
            bytes,
            reader,
        }
    }

    /// The current byte position (cheap; turn it into a line with [`Xml::line_at`] on error).
    pub fn pos(&self) -> usize {
        (self.reader.buffer_position() as usize).min(self.bytes.len())
    }

    /// 1-based line of a byte position.
    pub fn line_at(&self, pos: usize) -> usize {
        1 + self.bytes[..pos.min(self.bytes.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }

    /// 1-based line of the current position. Counts from the start: for errors only.
    pub fn line(&self) -> usize {
        self.line_at(self.pos())
    }

    pub fn error(&self, what: impl std::fmt::Display) -> anyhow::Error {
        anyhow!("{}:{}: {}", self.path.display(), self.line(), what)
    }

    pub fn event(&mut self) -> Result<Event<'a>> {
        self.reader
            .read_event()
            .map_err(|e| self.error(format!("malformed XML: {e}")))
    }

    /// The text up to the end of the element just opened, with the text of
    /// nested `nemod` elements returned separately. Other nested elements
    /// contribute their text.
    pub fn text_with_nemod(&mut self, name: &[u8]) -> Result<(String, String)> {
        let mut text = String::new();
        let mut nemod = String::new();
        let mut in_nemod = 0;
        loop {
            match self.event()? {
                Event::Start(e) if e.name().as_ref() == b"nemod" => in_nemod += 1,
                Event::End(e) if e.name().as_ref() == b"nemod" => in_nemod -= 1,
                Event::Text(t) => {
                    let s = t
                        .unescape()
                        .map_err(|e| self.error(format!("bad text: {e}")))?;
                    if in_nemod > 0 {
                        push_spaced(&mut nemod, &s);
                    } else {
                        text.push_str(&s);
                    }
                }
                Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
                Event::End(e) if e.name().as_ref() == name => break,
                Event::Eof => {
                    return Err(self.error(format!(
                        "file ends inside <{}>: the file is truncated",
                        String::from_utf8_lossy(name)
                    )))
                }
                _ => {}
            }
        }
        Ok((collapse(&text), collapse(&nemod)))
    }

    /// The plain text of the element just opened.
    pub fn text(&mut self, name: &[u8]) -> Result<String> {
        let (mut t, n) = self.text_with_nemod(name)?;
        if !n.is_empty() {
            push_spaced(&mut t, &n);
        }
        Ok(t)
    }

    /// Skips to the end of the element just opened.
    pub fn skip(&mut self, start: &BytesStart) -> Result<()> {
        let end = start.to_end().into_owned();
        self.reader
            .read_to_end(end.name())
            .map_err(|e| self.error(format!("malformed XML: {e}")))?;
        Ok(())
    }

    /// An attribute's value.
    pub fn attr(&self, e: &BytesStart, name: &str) -> Result<Option<String>> {
        for a in e.attributes() {
            let a = a.map_err(|err| self.error(format!("bad attribute: {err}")))?;
            if a.key.as_ref() == name.as_bytes() {
                let v = a
                    .unescape_value()
                    .map_err(|err| self.error(format!("bad attribute: {err}")))?;
                return Ok(Some(v.into_owned()));
            }
        }
        Ok(None)
    }
}

fn push_spaced(out: &mut String, s: &str) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(s.trim());
}

/// Collapses runs of white space.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
