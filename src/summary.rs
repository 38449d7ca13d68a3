//! The one-line note summary shown under each search result: which Tabular
//! List instructions apply to a code, so a coder sees at a glance that more
//! work is needed before opening the full report.
//!
//! ```ignore
//! let line = note_summary(&lib.lookup(&code, date)?); // "Excludes1 · use additional code"
//! ```
//!
//! Caveat: it names the kinds of note (own and inherited), not their text;
//! the code view shows the text.

use icd_core::lookup::CodeReport;
use icd_core::tabular::NoteKind;

/// The kinds of note worth a mention, in the order they are listed.
const MENTIONED: [(NoteKind, &str); 3] = [
    (NoteKind::Excludes1, "Excludes1"),
    (NoteKind::CodeFirst, "code first"),
    (NoteKind::UseAdditionalCode, "use additional code"),
];

/// The instructions that apply to the report's code, joined by " · ";
/// empty when none does. A code that still needs its 7th character says so.
pub fn note_summary(report: &CodeReport) -> String {
    let kinds: Vec<NoteKind> = report.notes.iter().map(|n| n.kind).collect();
    summary(&kinds, report.seventh.is_some() && !report.billable)
}

/// The same line from the kinds of note that apply and whether a 7th
/// character is still missing; the worker uses this on every keystroke
/// because it needs no full report.
pub fn summary(kinds: &[NoteKind], needs_seventh: bool) -> String {
    let mut parts: Vec<&str> = MENTIONED
        .iter()
        .filter(|(kind, _)| kinds.contains(kind))
        .map(|(_, label)| *label)
        .collect();
    if needs_seventh {
        parts.push("7th character required");
    }
    parts.join(" · ")
}
