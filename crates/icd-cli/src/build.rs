//! `icd build-index`: official files in, artifacts and manifest out.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::mce::{Mce, Table};
use icd_core::pcs::Pcs;
use icd_core::record::ccmcc::CcMcc;
use icd_core::registry;
use icd_core::search::SearchIndex;
use icd_core::{Artifacts, Code, Date, Engine, Library};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::xml_reader::read_file;
use crate::{index_csv, mce_tsv, pcs_xml, tabular_xml, terms_xml};

/// The search artifact's file name.
pub const SEARCH_FILE: &str = registry::file(registry::ArtifactId::Search);

/// The MS-DRG CC/MCC artifact's file name (`icd check` and the web app's
/// record check read it). It is optional in the registry: built when the
/// data folder has `msdrg/msdrg-*-definitions.json.xz`, listed in the
/// manifest and checked by `icd verify`. The manifest's totals count only
/// what the first search result waits for (the registry's
/// [`Capability::Search`](registry::Capability::Search) files), against the
/// 3 MB gzipped budget; the CC/MCC tables (18,391 codes and 180,403
/// principal-diagnosis exclusions, 347 kB, 76 kB gzipped) come after it.
/// What a first visit transfers in all is measured by `cargo xtask dist`
/// and `cargo xtask bench-web`.
pub const CCMCC_FILE: &str = registry::file(registry::ArtifactId::CcMcc);

/// The MS-DRG grouper artifact's file name (`icd group`). Built, listed and
/// checked like [`CCMCC_FILE`], and like it not counted in the totals.
pub const DRG_FILE: &str = registry::file(registry::ArtifactId::Drg);

/// The ICD-10-PCS artifact's file name. Optional in the registry, read by
/// `Capability::Pcs` only, so not counted in the manifest's totals: the app
/// fetches it after the first CM result. It is built when
/// the data folder has `icd10pcs/`, and checked by `icd verify` when listed.
pub const PCS_FILE: &str = registry::file(registry::ArtifactId::Pcs);

/// The curated abbreviation dictionary, kept as data in the repository.
pub const ABBREVIATIONS: &str = include_str!("../../icd-core/data/abbreviations.tsv");

/// The newest file in `dir` named `prefix*suffix` (release dates sort).
fn find(dir: &Path, prefix: &str, suffix: &str) -> Result<PathBuf> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot read the data folder {}: pass --data DIR or set ICD_DATA_DIR",
            dir.display()
        )
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    found.sort();
    found.pop().with_context(|| {
        format!(
            "no {prefix}*{suffix} in {}: see ../shared/data/README.md for the expected files",
            dir.display()
        )
    })
}

/// The first day of a release named `...-YYYY-MM.xml` (FY releases start on the 1st).
fn release_date(p: &Path) -> Result<Date> {
    let s = stem(p);
    let ym = s.get(s.len().saturating_sub(7)..).unwrap_or("");
    format!("{ym}-01").parse().with_context(|| {
        format!(
            "{}: the file name should end in the release month, YYYY-MM",
            p.display()
        )
    })
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string()
}

/// One file in the manifest.
#[derive(Debug, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub release: String,
    pub bytes: u64,
    pub gzip_bytes: u64,
    pub sha256: String,
}

/// `manifest.json`: what was built, from what, and how big it is.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub files: Vec<FileEntry>,
    pub total_bytes: u64,
    pub total_gzip_bytes: u64,
    pub counts: std::collections::BTreeMap<String, u64>,
}

pub fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).ok();
    enc.finish().map(|v| v.len() as u64).unwrap_or(0)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Everything built, in memory.
#[derive(Debug)]
pub struct Built {
    pub files: Vec<(&'static str, Vec<u8>)>,
    pub manifest: Manifest,
    pub dropped: Vec<Code>,
}

/// Reads every source and builds every artifact in memory.
pub fn build(data: &Path) -> Result<Built> {
    let cm = data.join("icd10cm");
    let mce_dir = data.join("mce");
    let mut mce_src = mce_tsv::read(&mce_dir, "")?;
    let latest = mce_src.dx.iter().chain(&mce_src.sg).map(|r| r.start).max();
    mce_src.release = format!(
        "CMS Medicare Code Editor tables (latest change {})",
        latest.map(|d| d.to_string()).unwrap_or_default()
    );
    let tab_path = find(&cm, "icd10cm-tabular-", ".xml")?;
    let effective = release_date(&tab_path)?;
    // A seventh-character code exists in this release when the MCE master
    // lists it as valid on the release's first day or later.
    let mce_codes: HashSet<&str> = mce_src
        .dx
        .iter()
        .filter(|r| r.end.is_none_or(|e| e >= effective))
        .map(|r| r.code.as_str())
        .collect();

    let tab_bytes = read_file(&tab_path)?;
    let tab_src = tabular_xml::read(
        &tab_path,
        &tab_bytes,
        &format!(
            "ICD-10-CM {}",
            stem(&tab_path).trim_start_matches("icd10cm-tabular-")
        ),
    )?;
    let tab = tab_src
        .build(|c| mce_codes.contains(c.as_str()))
        .with_context(|| format!("{}", tab_path.display()))?;

    let idx_path = find(&cm, "icd10cm-index-", ".csv")?;
    let idx_src = index_csv::read(
        &idx_path,
        &read_file(&idx_path)?,
        &format!(
            "ICD-10-CM Index {}",
            stem(&idx_path).trim_start_matches("icd10cm-index-")
        ),
    )?;
    let idx = idx_src
        .build()
        .with_context(|| format!("{}", idx_path.display()))?;

    let mut trees = Vec::new();
    for (prefix, title) in [
        ("icd10cm-eindex-", "External Cause of Injuries Index"),
        ("icd10cm-neoplasm-", "Table of Neoplasms"),
        ("icd10cm-drug-", "Table of Drugs and Chemicals"),
    ] {
        let p = find(&cm, prefix, ".xml")?;
        let src = terms_xml::read(
            &p,
            &read_file(&p)?,
            &format!("ICD-10-CM {title} {}", stem(&p).trim_start_matches(prefix)),
            title,
        )?;
        trees.push(src.build().with_context(|| format!("{}", p.display()))?);
    }
    let mce = mce_src.build();
    let drug = trees.pop().unwrap_or_default();
    let neoplasm = trees.pop().unwrap_or_default();
    let eindex = trees.pop().unwrap_or_default();
    let files: Vec<(&'static str, Vec<u8>)> = ARTIFACT_FILES
        .into_iter()
        .zip([tab.bytes, idx, eindex, neoplasm, drug, mce])
        .collect();

    // Open what was built, exactly as the app will, and count it.
    let lib = open_all(files.iter().map(|(_, b)| b.as_slice()).collect())?;
    let search_release = format!(
        "search over {} and {}",
        lib.tabular.release(),
        lib.index.release()
    );
    let search = icd_core::search::build(&lib, ABBREVIATIONS, &search_release);
    let search_index = SearchIndex::open(search.as_slice())?;
    let mut counts = counts(&lib);
    counts.insert("search_documents".into(), search_index.len() as u64);
    counts.insert(
        "abbreviations".into(),
        search_index.abbreviation_count() as u64,
    );
    let mut entries = Vec::new();
    let releases: Vec<String> = lib
        .releases()
        .into_iter()
        .map(|(_, r)| r.to_string())
        .chain([search_release])
        .collect();
    drop(lib);
    let mut files = files;
    files.push((SEARCH_FILE, search));
    let mut releases = releases;
    if let Some(pcs) = build_pcs(data)? {
        let p = Pcs::open(pcs.as_slice())?;
        let mce = Mce::open(files[5].1.as_slice())?;
        counts.extend(pcs_counts(&p, &mce));
        releases.push(p.release().to_string());
        files.push((PCS_FILE, pcs));
    }
    if let Some(ccmcc) = build_ccmcc(data)? {
        let t = CcMcc::open(ccmcc.as_slice())?;
        counts.extend(ccmcc_counts(&t));
        releases.push(t.release().to_string());
        files.push((CCMCC_FILE, ccmcc));
    }
    if let Some((drg, debris)) = crate::drg_build::build(data)? {
        let t = icd_core::drg::DrgTables::open(drg.as_slice())?;
        counts.extend(drg_counts(&t));
        counts.insert("drg_debris_keys".into(), debris.total() as u64);
        releases.push(t.release().to_string());
        files.push((DRG_FILE, drg));
    }
    for ((name, bytes), release) in files.iter().zip(releases) {
        entries.push(FileEntry {
            name: name.to_string(),
            release,
            bytes: bytes.len() as u64,
            gzip_bytes: gzip_len(bytes),
            sha256: sha256_hex(bytes),
        });
    }
    // The totals are what the first search result waits for (see `CCMCC_FILE`).
    let counted = || {
        entries.iter().filter(|e| {
            registry::by_file(&e.name).is_some_and(|a| a.serves(registry::Capability::Search))
        })
    };
    let manifest = Manifest {
        format_version: icd_core::artifact::FORMAT_VERSION,
        total_bytes: counted().map(|e| e.bytes).sum(),
        total_gzip_bytes: counted().map(|e| e.gzip_bytes).sum(),
        files: entries,
        counts,
    };
    Ok(Built {
        files,
        manifest,
        dropped: tab.dropped,
    })
}

/// The CC/MCC artifact from `msdrg/msdrg-*-definitions.json.xz`, if the
/// data folder has the MS-DRG definitions.
pub fn build_ccmcc(data: &Path) -> Result<Option<Vec<u8>>> {
    let dir = data.join("msdrg");
    if !dir.is_dir() {
        return Ok(None);
    }
    let path = find(&dir, "msdrg-", "-definitions.json.xz")?;
    let xz = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut json = Vec::new();
    lzma_rs::xz_decompress(&mut xz.as_slice(), &mut json)
        .map_err(|e| anyhow::anyhow!("{}: not an xz file ({e:?})", path.display()))?;
    let v: serde_json::Value = serde_json::from_slice(&json)
        .with_context(|| format!("{}: not the MS-DRG definitions JSON", path.display()))?;
    let src = crate::check::ccmcc_from_json(&v).with_context(|| path.display().to_string())?;
    Ok(Some(src.build()))
}

fn drg_counts<D: AsRef<[u8]>>(t: &icd_core::drg::DrgTables<D>) -> Vec<(String, u64)> {
    t.counts()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// The PCS artifact from `icd10pcs/` (Tables, Definitions, Index), if the
/// data folder has it.
pub fn build_pcs(data: &Path) -> Result<Option<Vec<u8>>> {
    let dir = data.join("icd10pcs");
    if !dir.is_dir() {
        return Ok(None);
    }
    let tables = find(&dir, "icd10pcs-tables-", ".xml")?;
    let defs = find(&dir, "icd10pcs-definitions-", ".xml")?;
    let index = find(&dir, "icd10pcs-index-", ".xml")?;
    let year = |p: &Path, prefix: &str| stem(p).trim_start_matches(prefix).to_string();
    let release = format!(
        "ICD-10-PCS Tables FY{}, Definitions FY{}, Index FY{}",
        year(&tables, "icd10pcs-tables-"),
        year(&defs, "icd10pcs-definitions-"),
        year(&index, "icd10pcs-index-")
    );
    let src = pcs_xml::read(&tables, &defs, &index, &release)?;
    Ok(Some(
        src.build().with_context(|| tables.display().to_string())?,
    ))
}

/// Codes the MCE master lists as valid on `date` that no row of the Tables
/// allows (the April update's additions), in code order.
pub fn pcs_mce_only<D: AsRef<[u8]>, E: AsRef<[u8]>>(
    pcs: &Pcs<D>,
    mce: &Mce<E>,
    date: Date,
) -> Vec<String> {
    mce.codes(Table::Sg)
        .into_iter()
        .filter(|c| mce.period_on(Table::Sg, c, date).is_some())
        .filter(|c| c.parse().map_or(true, |code| pcs.find(&code).is_none()))
        .collect()
}

fn pcs_counts<D: AsRef<[u8]>, E: AsRef<[u8]>>(p: &Pcs<D>, mce: &Mce<E>) -> [(String, u64); 6] {
    let date: Date = COUNT_DATE.parse().unwrap_or_else(|_| unreachable!());
    [
        ("pcs_tables".into(), p.table_count() as u64),
        ("pcs_rows".into(), p.row_count() as u64),
        ("pcs_codes".into(), p.code_count()),
        (
            "pcs_mce_only_2026_04_01".into(),
            pcs_mce_only(p, mce, date).len() as u64,
        ),
        ("pcs_definitions".into(), p.key_count() as u64),
        ("pcs_index_terms".into(), p.index_len() as u64),
    ]
}

fn ccmcc_counts<D: AsRef<[u8]>>(t: &CcMcc<D>) -> [(String, u64); 3] {
    let (cc, mcc) = t.counts();
    [
        ("drg_cc_codes".into(), cc as u64),
        ("drg_mcc_codes".into(), mcc as u64),
        ("drg_pdx_exclusions".into(), t.exclusion_count() as u64),
    ]
}

pub fn open_all<D: AsRef<[u8]>>(files: Vec<D>) -> Result<Library<D>> {
    let artifacts = Artifacts::from_files(files).with_context(|| {
        format!(
            "expected the {} artifact files {:?}",
            ARTIFACT_FILES.len(),
            ARTIFACT_FILES
        )
    })?;
    Ok(Library::open(artifacts)?)
}

/// The reference date for counts: the first day of the tabular's release.
pub const COUNT_DATE: &str = "2026-04-01";

fn counts<D: AsRef<[u8]>>(lib: &Library<D>) -> std::collections::BTreeMap<String, u64> {
    let date: Date = COUNT_DATE.parse().unwrap_or_else(|_| unreachable!());
    let billable = lib.tabular.billable_codes();
    let valid = billable
        .iter()
        .filter(|c| lib.mce.period_on(Table::Dx, c.as_str(), date).is_some())
        .count();
    [
        ("tabular_nodes", lib.tabular.len() as u64),
        ("billable_codes", billable.len() as u64),
        ("billable_codes_valid_2026_04_01", valid as u64),
        ("index_terms", lib.index.len() as u64),
        ("eindex_terms", lib.eindex.len() as u64),
        ("neoplasm_rows", lib.neoplasm.len() as u64),
        ("drug_rows", lib.drug.len() as u64),
        ("mce_dx_codes", lib.mce.codes(Table::Dx).len() as u64),
        ("mce_sg_codes", lib.mce.codes(Table::Sg).len() as u64),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Writes the artifacts into `out`, replacing older ones only once every
/// file is fully written (each goes to a temporary name, then is renamed).
pub fn write(out: &Path, built: &Built) -> Result<()> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let manifest = serde_json::to_vec_pretty(&built.manifest)?;
    let mut all: Vec<(&str, &[u8])> = built
        .files
        .iter()
        .map(|(n, b)| (*n, b.as_slice()))
        .collect();
    all.push(("manifest.json", &manifest));
    let mut temps = Vec::new();
    for (name, bytes) in &all {
        let tmp = out.join(format!(".{name}.partial"));
        let result = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        if let Err(e) = result {
            for t in temps.iter().chain([&tmp]) {
                std::fs::remove_file(t).ok();
            }
            return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
        }
        temps.push(tmp);
    }
    for ((name, _), tmp) in all.iter().zip(&temps) {
        std::fs::rename(tmp, out.join(name))
            .with_context(|| format!("cannot move {} into place", tmp.display()))?;
    }
    Ok(())
}

/// The bytes of a file the manifest lists, checked against its size and sha256.
fn listed_file(dir: &Path, manifest: &Manifest, name: &str) -> Result<Vec<u8>> {
    let mpath = dir.join("manifest.json");
    let entry = manifest
        .files
        .iter()
        .find(|e| e.name == name)
        .with_context(|| {
            format!(
                "{} does not list {name}: rebuild with `icd build-index`",
                mpath.display()
            )
        })?;
    let path = dir.join(name);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "{} is missing: rebuild with `icd build-index`",
            path.display()
        )
    })?;
    if bytes.len() as u64 != entry.bytes || sha256_hex(&bytes) != entry.sha256 {
        bail!("{} does not match the manifest (size or sha256 differ): rebuild with `icd build-index`", path.display());
    }
    Ok(bytes)
}

/// `icd verify`: every file listed, intact, and readable.
pub fn verify(dir: &Path) -> Result<Manifest> {
    let mpath = dir.join("manifest.json");
    let text = std::fs::read(&mpath).with_context(|| {
        format!(
            "no manifest at {}: run `icd build-index` (or `cargo xtask serve`)",
            mpath.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).with_context(|| {
        format!(
            "{} is not a valid manifest: rebuild with `icd build-index`",
            mpath.display()
        )
    })?;
    if manifest.format_version != icd_core::artifact::FORMAT_VERSION {
        bail!(
            "{}: format version {} but this build reads {}: rebuild with `icd build-index`",
            mpath.display(),
            manifest.format_version,
            icd_core::artifact::FORMAT_VERSION
        );
    }
    // Every registered artifact: a required one must be listed; an optional
    // one (built only from data that has its source) is checked when listed.
    let mut engine = Engine::new();
    for spec in &registry::ARTIFACTS {
        if !spec.required && !manifest.files.iter().any(|e| e.name == spec.file) {
            continue;
        }
        let bytes = listed_file(dir, &manifest, spec.file)?;
        engine
            .add(spec.id, bytes)
            .with_context(|| format!("{}: rebuild with `icd build-index`", spec.file))?;
    }
    let (lib, search) = engine.search_parts()?;
    let mut now = counts(lib);
    now.insert("search_documents".into(), search.len() as u64);
    now.insert("abbreviations".into(), search.abbreviation_count() as u64);
    if let Some(t) = engine.ccmcc() {
        now.extend(ccmcc_counts(t));
    }
    if let Ok(t) = engine.drg() {
        now.extend(drg_counts(t));
        if let Some(n) = manifest.counts.get("drg_debris_keys") {
            now.insert("drg_debris_keys".into(), *n);
        }
    }
    if let Ok(p) = engine.pcs() {
        now.extend(pcs_counts(p, &lib.mce));
    }
    if now != manifest.counts {
        bail!("{}: the artifacts' contents do not match the manifest's counts: rebuild with `icd build-index`", dir.display());
    }
    Ok(manifest)
}
