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
pub mod drg_build;
pub mod eval_sets;
pub mod group_cmd;
pub mod index_csv;
pub mod input;
pub mod lookup;
pub mod mce_tsv;
pub mod pcs_cmd;
pub mod pcs_xml;
pub mod practice_cmd;
pub mod report_cmd;
pub mod sample_cmd;
pub mod search_cmd;
pub mod tabular_xml;
pub mod terms_xml;
pub mod validate_cmd;
pub mod xml_reader;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use icd_core::registry::{self, ArtifactSpec, Capability};
use icd_core::Engine;

/// The engine over the artifacts in `dir` that `capability` reads (a
/// lookup never reads the search index). A required file that is missing
/// or damaged is an error naming it; a missing optional one is left out.
pub fn open_engine(dir: &Path, capability: Capability) -> Result<Engine<Vec<u8>>> {
    let mut engine = Engine::new();
    for spec in registry::needed_for(capability) {
        if let Some(bytes) = read_artifact(dir, spec)? {
            engine.add(spec.id, bytes)?;
        }
    }
    Ok(engine)
}

/// One artifact's bytes: `None` when an optional one is not in `dir`.
pub fn read_artifact(dir: &Path, spec: &ArtifactSpec) -> Result<Option<Vec<u8>>> {
    let p = dir.join(spec.file);
    match std::fs::read(&p) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !spec.required => Ok(None),
        Err(e) => Err(e).with_context(|| {
            format!(
                "cannot read {}: build the artifacts with `icd build-index` or point --index / ICD_INDEX_DIR at them",
                p.display()
            )
        }),
    }
}

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
