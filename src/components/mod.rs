//! Views. Each renders its props and reports clicks and typing through
//! callbacks; none fetches or looks anything up.

pub mod code_link;
pub mod code_view;
pub mod footer;
pub mod load_error;
pub mod load_progress;
pub mod lookup_error;
pub mod note_procedures;
pub mod note_view;

pub use code_link::{CodeLink, CodeLinkProps};
pub use code_view::{CodeView, CodeViewProps};
pub use footer::{Footer, FooterProps};
pub use load_error::{LoadErrorProps, LoadErrorView};
pub use load_progress::{LoadProgress, LoadProgressProps};
pub use lookup_error::{LookupErrorProps, LookupErrorView};
pub use note_procedures::{NoteProcedures, NoteProceduresProps};
pub use note_view::{NoteView, NoteViewProps};
