//! Turns the typed text into a lookup outcome: nothing typed, a parse
//! error, a report, or why the code has none.
//!
//! ```ignore
//! let outcome = use_code_report(library, "e11.22".into());
//! ```
//!
//! The lookup runs again only when the text or the library changes.

use std::rc::Rc;

use icd_core::lookup::{CodeReport, LookupError};
use icd_core::{Code, CodeError};
use yew::prelude::*;

use super::use_library::{SharedLibrary, WebLibrary};

/// What the code box currently shows.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupOutcome {
    /// Nothing typed yet.
    Empty,
    /// The text is not a code.
    Invalid(CodeError),
    /// The code's report.
    Found(Rc<CodeReport>),
    /// A well-formed code with no report (unknown or retired).
    Missing(LookupError),
}

/// Looks the text up in the library.
pub fn lookup(library: &WebLibrary, text: &str) -> LookupOutcome {
    if text.trim().is_empty() {
        return LookupOutcome::Empty;
    }
    match text.parse::<Code>() {
        Err(e) => LookupOutcome::Invalid(e),
        Ok(code) => match library.lookup(&code, None) {
            Ok(report) => LookupOutcome::Found(Rc::new(report)),
            Err(e) => LookupOutcome::Missing(e),
        },
    }
}

/// The outcome for `text`, or `None` while the library is not open.
#[hook]
pub fn use_code_report(library: Option<SharedLibrary>, text: String) -> Rc<Option<LookupOutcome>> {
    use_memo((library, text), |(library, text)| {
        library.as_ref().map(|lib| lookup(&lib.0, text))
    })
}
