//! ICD Desk's engine: the artifact format, the data model of ICD-10-CM and
//! the Medicare Code Editor tables, and every lookup the app and the `icd`
//! command line offer.
//!
//! `icd-core` does no I/O and knows nothing of the browser: callers hand it
//! bytes (read from disk by `icd`, fetched by the web worker) and get typed
//! answers. It builds for `wasm32-unknown-unknown` and natively.
//!
//! ```no_run
//! # fn read(_: &str) -> Vec<u8> { unimplemented!() }
//! use icd_core::{Library, Code};
//! let lib = Library::open(icd_core::Artifacts {
//!     tabular: read("tabular.icdx"), index: read("index.icdx"), eindex: read("eindex.icdx"),
//!     neoplasm: read("neoplasm.icdx"), drug: read("drug.icdx"), mce: read("mce.icdx"),
//! }).unwrap();
//! let report = lib.lookup(&"E11.22".parse().unwrap(), None).unwrap();
//! println!("{}", report.title);
//! ```
//!
//! Caveat: the Alphabetic Index and the tables are FY2025 while the tabular
//! is FY2026; an index code that now has children is reported as not
//! billable with its billable children, never as a final code.

pub mod artifact;
pub mod batch;
pub mod code;
pub mod date;
pub mod drg;
pub mod engine;
pub mod lookup;
pub mod mce;
pub mod pcs;
pub mod practice;
pub mod record;
pub mod registry;
pub mod search;
pub mod tabular;
pub mod terms;
pub mod text;
pub mod validate;

pub use artifact::ArtifactError;
pub use code::{Code, CodeError, IndexCode, PcsCode};
pub use date::Date;
pub use engine::{Engine, NotLoaded};
pub use lookup::{Artifacts, Library};
pub use mce::Mce;
pub use tabular::Tabular;
pub use terms::Terms;
