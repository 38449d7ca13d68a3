//! What every benchmark reads: the artifacts `cargo xtask build-index`
//! writes (or those of `ICD_INDEX_DIR`), found through the registry and
//! opened by [`Engine`], as the app and the CLI open them.

#![allow(dead_code)] // each benchmark uses its own part

use std::path::PathBuf;

use icd_core::registry::{self, ArtifactId, Capability};
use icd_core::Engine;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The artifact folder: `ICD_INDEX_DIR`, else `static/data`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("ICD_INDEX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("static/data"))
}

/// The bytes of every artifact `capability` needs, by id; `None` (with the
/// command that builds them on standard error) when one is missing.
pub fn files(capability: Capability) -> Option<Vec<(ArtifactId, Vec<u8>)>> {
    let dir = data_dir();
    let mut out = Vec::new();
    for spec in registry::needed_for(capability) {
        match std::fs::read(dir.join(spec.file)) {
            Ok(bytes) => out.push((spec.id, bytes)),
            Err(_) => {
                eprintln!(
                    "{}: missing; run `cargo xtask build-index` first (or set ICD_INDEX_DIR)",
                    dir.join(spec.file).display()
                );
                return None;
            }
        }
    }
    Some(out)
}

/// An engine over borrowed `files` (opening it is what a load costs).
pub fn open(files: &[(ArtifactId, Vec<u8>)]) -> Engine<&[u8]> {
    let mut engine = Engine::new();
    for (id, bytes) in files {
        engine
            .add(*id, bytes.as_slice())
            .unwrap_or_else(|e| panic!("{e}: rebuild with `cargo xtask build-index`"));
    }
    engine
}

/// The bytes of one more artifact when the folder has it (`ccmcc.icdx`,
/// `drg.icdx`, `pcs.icdx`).
pub fn optional(id: ArtifactId) -> Option<(ArtifactId, Vec<u8>)> {
    std::fs::read(data_dir().join(registry::file(id)))
        .ok()
        .map(|b| (id, b))
}
