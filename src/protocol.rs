//! The messages between the page and the data worker: small plain types,
//! separate from `icd_core`'s, so the worker boundary (structured clone of
//! serialized values) never carries engine internals.
//!
//! Every request carries a [`RequestId`]; the page asks with ids from one
//! [`Numbering`] and keeps a reply only when [`Numbering::accept`] says it
//! answers the newest request of its kind, so results typed three keystrokes
//! ago never overwrite the current ones.
//!
//! ```
//! use icd_desk::protocol::{Numbering, RequestKind};
//! let mut ids = Numbering::default();
//! let old = ids.next(RequestKind::Search);
//! let new = ids.next(RequestKind::Search);
//! assert!(!ids.accept(RequestKind::Search, old));
//! assert!(ids.accept(RequestKind::Search, new));
//! ```
//!
//! Caveat: the worker transport itself (gloo-worker) is not wired yet; the
//! page still opens the library on the main thread (see `hooks::use_library`).

use serde::{Deserialize, Serialize};

/// The number of one request; increases for every request the page sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId(pub u32);

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Coding suggestions for what was typed (one statement per line).
    Search {
        /// The request's number.
        id: RequestId,
        /// The text as typed.
        query: String,
    },
    /// The full report of one code, as typed (`e1122`, `E11.22`).
    Lookup {
        /// The request's number.
        id: RequestId,
        /// The code as typed.
        code: String,
        /// Date of service, `YYYY-MM-DD`; none for the current release.
        date: Option<String>,
    },
    /// One Alphabetic Index term and its subterms.
    Term {
        /// The request's number.
        id: RequestId,
        /// A path such as `Failure, heart, congestive`.
        path: String,
        /// How many levels of subterms to include.
        depth: u8,
    },
    /// Main terms of the Alphabetic Index starting with a prefix.
    MainTerms {
        /// The request's number.
        id: RequestId,
        /// A letter or the start of a term.
        prefix: String,
    },
    /// Validity of pasted codes on a date of service.
    Validate {
        /// The request's number.
        id: RequestId,
        /// The codes as pasted, any separators.
        codes: String,
        /// Date of service, `YYYY-MM-DD`.
        date: Option<String>,
    },
}

impl Request {
    /// The request's number.
    pub fn id(&self) -> RequestId {
        match self {
            Request::Search { id, .. }
            | Request::Lookup { id, .. }
            | Request::Term { id, .. }
            | Request::MainTerms { id, .. }
            | Request::Validate { id, .. } => *id,
        }
    }

    /// Which kind of request this is; only the newest of each kind counts.
    pub fn kind(&self) -> RequestKind {
        match self {
            Request::Search { .. } => RequestKind::Search,
            Request::Lookup { .. } => RequestKind::Lookup,
            Request::Term { .. } => RequestKind::Term,
            Request::MainTerms { .. } => RequestKind::MainTerms,
            Request::Validate { .. } => RequestKind::Validate,
        }
    }
}

/// The kinds of request, one slot each in [`Numbering`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestKind {
    /// [`Request::Search`].
    Search,
    /// [`Request::Lookup`].
    Lookup,
    /// [`Request::Term`].
    Term,
    /// [`Request::MainTerms`].
    MainTerms,
    /// [`Request::Validate`].
    Validate,
}

impl RequestKind {
    const ALL: usize = 5;

    fn slot(self) -> usize {
        self as usize
    }
}

/// How loading the data is going, sent by the worker before it can answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    /// Bytes received so far of the total announced by the manifest.
    Fetching {
        /// Bytes received.
        received: u64,
        /// Bytes expected (0 while unknown).
        total: u64,
    },
    /// Everything fetched and opened; requests are answered from now on.
    Ready,
    /// The data could not be loaded; the message says what to do.
    Failed {
        /// A sentence for the user.
        message: String,
    },
}

/// The validity of one pasted code on the date of service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    /// Billable and valid on the date.
    Valid,
    /// Not a code; the explanation names the nearest one when there is one.
    Invalid {
        /// Why, in a sentence.
        reason: String,
    },
    /// A category or subcategory: code one of its billable descendants.
    NotBillable {
        /// Billable descendants (a bounded list).
        children: Vec<String>,
    },
    /// A code, but not valid on the date of service.
    NotValidOnDate {
        /// When it was valid, in a sentence.
        valid: String,
    },
}

/// One pasted code and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCheck {
    /// The code as pasted.
    pub input: String,
    /// The verdict.
    pub validity: Validity,
}

/// Splits pasted codes on anything that cannot be part of a code (spaces,
/// commas, semicolons, new lines, tabs), keeping letters, digits and dots.
pub fn split_codes(pasted: &str) -> Vec<&str> {
    pasted
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .filter(|part| !part.is_empty())
        .collect()
}

/// Hands out [`RequestId`]s and remembers the newest per [`RequestKind`].
#[derive(Debug, Clone, Default)]
pub struct Numbering {
    last: u32,
    newest: [Option<RequestId>; RequestKind::ALL],
}

impl Numbering {
    /// A fresh id for a request of this kind; older ones of the kind go stale.
    pub fn next(&mut self, kind: RequestKind) -> RequestId {
        self.last = self.last.wrapping_add(1);
        let id = RequestId(self.last);
        self.newest[kind.slot()] = Some(id);
        id
    }

    /// Whether a reply with this id answers the newest request of its kind.
    pub fn accept(&self, kind: RequestKind, id: RequestId) -> bool {
        self.newest[kind.slot()] == Some(id)
    }
}
