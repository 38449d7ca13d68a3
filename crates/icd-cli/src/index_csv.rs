//! Reads the flattened Alphabetic Index CSV into a [`TermSource`].

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use icd_core::terms::{SourceTerm, TermSource};

const HEADER: [&str; 8] = [
    "RowID",
    "Letter",
    "Level",
    "Term",
    "See",
    "SeeAlso",
    "NonEssModif",
    "Code",
];

pub fn read(path: &Path, bytes: &[u8], release: &str) -> Result<TermSource> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| anyhow!("{}: cannot read the header: {e}", path.display()))?
        .clone();
    if header.iter().collect::<Vec<_>>() != HEADER {
        bail!(
            "{}:1: header is {:?}; expected {}",
            path.display(),
            header.iter().collect::<Vec<_>>(),
            HEADER.join(",")
        );
    }
    let mut terms = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| anyhow!("{}:{line}: malformed CSV row: {e}", path.display()))?;
        if rec.len() != HEADER.len() {
            bail!(
                "{}:{line}: {} fields; expected {}",
                path.display(),
                rec.len(),
                HEADER.len()
            );
        }
        let level: u8 = rec[2].trim().parse().map_err(|_| {
            anyhow!(
                "{}:{line}: Level '{}' is not a number",
                path.display(),
                &rec[2]
            )
        })?;
        // A few terms are only a nonessential modifier (`(somatoform)`).
        if rec[3].trim().is_empty() && rec[6].trim().is_empty() {
            bail!(
                "{}:{line}: empty Term and NonEssModif; every row names a term",
                path.display()
            );
        }
        terms.push(SourceTerm {
            level,
            title: rec[3].trim().to_string(),
            see: rec[4].trim().to_string(),
            see_also: rec[5].trim().to_string(),
            nemod: rec[6].trim().to_string(),
            code: rec[7].trim().to_string(),
            cells: Vec::new(),
        });
    }
    if terms.is_empty() {
        bail!(
            "{}: no index rows: the file is empty or truncated",
            path.display()
        );
    }
    Ok(TermSource {
        release: release.to_string(),
        title: "Alphabetic Index to Diseases and Injuries".to_string(),
        columns: Vec::new(),
        terms,
        key_all_levels: false,
    })
}
