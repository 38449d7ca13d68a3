//! The artifact registry: every compiled data file ICD Desk reads, once.
//!
//! The build (`icd build-index`), `icd verify`, the manifest, the CLI's
//! loader, the web worker's fetches, the service worker's precache list and
//! the README's size table all walk [`ARTIFACTS`]. Adding an artifact is one
//! entry here plus its own module (a writer, a reader with `open`), and a
//! slot in [`crate::Engine`] where it is opened.
//!
//! ```
//! use icd_core::registry::{self, ArtifactId, Capability};
//! let search: Vec<&str> = registry::needed_for(Capability::Search).map(|a| a.file).collect();
//! assert!(search.contains(&"search.icdx"));
//! assert!(!search.contains(&"ccmcc.icdx"));
//! assert_eq!(registry::by_file("mce.icdx").map(|a| a.id), Some(ArtifactId::Mce));
//! ```

use serde::{Deserialize, Serialize};

/// What a user can ask for; each needs some artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Capability {
    /// Code lookup, the index and the tables, the validator.
    Browse,
    /// Search and note reading.
    Search,
    /// The record check, with CC/MCC capture.
    Check,
    /// MS-DRG grouping.
    Group,
    /// ICD-10-PCS: lookup, the code builder, procedure search.
    Pcs,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 5] = [
        Capability::Browse,
        Capability::Search,
        Capability::Check,
        Capability::Group,
        Capability::Pcs,
    ];
}

/// One artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArtifactId {
    /// The Tabular List.
    Tabular,
    /// The Alphabetic Index.
    Index,
    /// The External Cause Index.
    Eindex,
    /// The Table of Neoplasms.
    Neoplasm,
    /// The Table of Drugs and Chemicals.
    Drug,
    /// The MCE tables.
    Mce,
    /// The search index.
    Search,
    /// The MS-DRG CC/MCC tables.
    CcMcc,
    /// The MS-DRG v43.1 grouper tables and the FY2026 weights.
    Drg,
    /// The ICD-10-PCS Tables, Definitions and Index.
    Pcs,
}

/// What the registry says about an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArtifactSpec {
    /// Which one.
    pub id: ArtifactId,
    /// Its file name in the data folder (`static/data/`).
    pub file: &'static str,
    /// The kind tag in its header ([`crate::artifact`]).
    pub kind: [u8; 4],
    /// What it holds, for people (the footer, `icd verify`).
    pub title: &'static str,
    /// The build fails without it. An optional one is built when its
    /// source data is there, and the capabilities needing it say so when
    /// it is not.
    pub required: bool,
    /// The capabilities that read it.
    pub needed_by: &'static [Capability],
}

impl ArtifactSpec {
    /// Whether `capability` reads it.
    pub fn serves(&self, capability: Capability) -> bool {
        self.needed_by.contains(&capability)
    }
}

use Capability::{Browse, Check, Group, Pcs, Search};

/// The library's six: every capability reads them, through [`crate::Library`].
const LIBRARY: &[Capability] = &[Browse, Search, Check, Group, Pcs];

/// Every artifact, in build and fetch order, which is [`ArtifactId`] order.
pub const ARTIFACTS: [ArtifactSpec; 10] = [
    ArtifactSpec {
        id: ArtifactId::Tabular,
        file: "tabular.icdx",
        kind: crate::tabular::KIND,
        title: "Tabular List",
        required: true,
        needed_by: LIBRARY,
    },
    ArtifactSpec {
        id: ArtifactId::Index,
        file: "index.icdx",
        kind: crate::terms::KIND,
        title: "Alphabetic Index",
        required: true,
        needed_by: LIBRARY,
    },
    ArtifactSpec {
        id: ArtifactId::Eindex,
        file: "eindex.icdx",
        kind: crate::terms::KIND,
        title: "External Cause Index",
        required: true,
        needed_by: LIBRARY,
    },
    ArtifactSpec {
        id: ArtifactId::Neoplasm,
        file: "neoplasm.icdx",
        kind: crate::terms::KIND,
        title: "Table of Neoplasms",
        required: true,
        needed_by: LIBRARY,
    },
    ArtifactSpec {
        id: ArtifactId::Drug,
        file: "drug.icdx",
        kind: crate::terms::KIND,
        title: "Table of Drugs and Chemicals",
        required: true,
        needed_by: LIBRARY,
    },
    ArtifactSpec {
        id: ArtifactId::Mce,
        file: "mce.icdx",
        kind: crate::mce::KIND,
        title: "Medicare Code Editor",
        required: true,
        needed_by: LIBRARY,
    },
    ArtifactSpec {
        id: ArtifactId::Search,
        file: "search.icdx",
        kind: crate::search::KIND,
        title: "Search index",
        required: true,
        needed_by: &[Search],
    },
    ArtifactSpec {
        id: ArtifactId::CcMcc,
        file: "ccmcc.icdx",
        kind: crate::record::ccmcc::KIND,
        title: "MS-DRG CC/MCC",
        required: false,
        needed_by: &[Check],
    },
    ArtifactSpec {
        id: ArtifactId::Drg,
        file: "drg.icdx",
        kind: crate::drg::KIND,
        title: "MS-DRG grouper",
        required: false,
        needed_by: &[Check, Group],
    },
    ArtifactSpec {
        id: ArtifactId::Pcs,
        file: "pcs.icdx",
        kind: crate::pcs::KIND,
        title: "ICD-10-PCS",
        required: false,
        needed_by: &[Pcs],
    },
];

/// The entry of `id` ([`ARTIFACTS`] is in [`ArtifactId`] order, tested).
pub fn spec(id: ArtifactId) -> &'static ArtifactSpec {
    let all: &'static [ArtifactSpec] = &ARTIFACTS;
    &all[id as usize]
}

/// The file name of `id`, for constants (`const F: &str = file(…)`).
pub const fn file(id: ArtifactId) -> &'static str {
    ARTIFACTS[id as usize].file
}

/// The entry whose file is `file`.
pub fn by_file(file: &str) -> Option<&'static ArtifactSpec> {
    ARTIFACTS.iter().find(|a| a.file == file)
}

/// The artifacts `capability` reads, in fetch order.
pub fn needed_for(capability: Capability) -> impl Iterator<Item = &'static ArtifactSpec> {
    ARTIFACTS.iter().filter(move |a| a.serves(capability))
}

/// The six files [`crate::Library`] opens, in [`crate::Artifacts`] order.
pub const LIBRARY_FILES: [&str; 6] = [
    ARTIFACTS[0].file,
    ARTIFACTS[1].file,
    ARTIFACTS[2].file,
    ARTIFACTS[3].file,
    ARTIFACTS[4].file,
    ARTIFACTS[5].file,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_one_entry_and_files_are_unique() {
        let ids = [
            ArtifactId::Tabular,
            ArtifactId::Index,
            ArtifactId::Eindex,
            ArtifactId::Neoplasm,
            ArtifactId::Drug,
            ArtifactId::Mce,
            ArtifactId::Search,
            ArtifactId::CcMcc,
            ArtifactId::Drg,
            ArtifactId::Pcs,
        ];
        for (i, id) in ids.into_iter().enumerate() {
            assert_eq!(ARTIFACTS.iter().filter(|a| a.id == id).count(), 1, "{id:?}");
            assert_eq!(ARTIFACTS[i].id, id, "ARTIFACTS is in ArtifactId order");
            assert_eq!(spec(id).id, id);
            assert_eq!(file(id), spec(id).file);
        }
        assert_eq!(ids.len(), ARTIFACTS.len());
        let mut files: Vec<_> = ARTIFACTS.iter().map(|a| a.file).collect();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), ARTIFACTS.len());
        assert!(ARTIFACTS.iter().all(|a| a.file.ends_with(".icdx")));
    }

    #[test]
    fn every_capability_reads_something_and_every_artifact_serves_one() {
        for c in Capability::ALL {
            assert!(needed_for(c).next().is_some(), "{c:?}");
        }
        for a in &ARTIFACTS {
            assert!(!a.needed_by.is_empty(), "{}", a.file);
        }
    }

    #[test]
    fn the_library_files_are_the_first_six_and_every_capability_needs_them() {
        for f in LIBRARY_FILES {
            let a = by_file(f).unwrap();
            assert!(a.required);
            for c in Capability::ALL {
                assert!(a.serves(c), "{f} {c:?}");
            }
        }
        assert_eq!(crate::lookup::ARTIFACT_FILES, LIBRARY_FILES);
        assert_eq!(crate::record::ccmcc::FILE, file(ArtifactId::CcMcc));
        assert_eq!(crate::drg::FILE, file(ArtifactId::Drg));
        assert_eq!(crate::pcs::FILE, file(ArtifactId::Pcs));
    }
}
