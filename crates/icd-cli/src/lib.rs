//! `icd`: compiles the official ICD-10-CM and MCE releases into ICD Desk
//! artifacts and exposes every capability of the engine on the command line.
//! The library half holds the readers of the official files, so tests can
//! call them directly.

/// `println!` that ignores a closed pipe (`icd lookup E11 | head`).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod build;
pub mod check;
pub mod eval_sets;
pub mod index_csv;
pub mod lookup;
pub mod mce_tsv;
pub mod pcs_cmd;
pub mod pcs_xml;
pub mod search_cmd;
pub mod tabular_xml;
pub mod terms_xml;
pub mod validate_cmd;
pub mod xml_reader;

use std::path::PathBuf;

/// Where the artifacts are.
#[derive(clap::Args, Debug)]
pub struct IndexDir {
    /// Folder of built artifacts.
    #[arg(
        long = "index",
        env = "ICD_INDEX_DIR",
        default_value = "static/data",
        value_name = "DIR"
    )]
    pub dir: PathBuf,
}
