//! Hooks: where the app fetches, reads the URL and asks the library.
//! Components only render what these return.

pub mod use_code_query;
pub mod use_code_report;
pub mod use_library;

pub use use_code_query::{use_code_query, CodeQuery};
pub use use_code_report::{use_code_report, LookupOutcome};
pub use use_library::{use_library, LibraryState, LoadError, SharedLibrary};
