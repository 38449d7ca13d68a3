//! What the fuzz targets share: the real artifacts, loaded once per process.
//!
//! The targets that check records, claims and search queries need a built
//! index. It is read from `ICD_INDEX_DIR` (`cargo xtask fuzz` sets it), else
//! from the project's `static/data`; when neither holds one, those targets
//! say so once and fuzz only the parsing.

use std::path::PathBuf;
use std::sync::OnceLock;

use icd_core::batch::{read, Format, Importer, Item};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::record::ccmcc::CcMcc;
use icd_core::record::Checker;
use icd_core::search::SearchIndex;
use icd_core::{Artifacts, Date, Library};

/// The opened artifacts.
#[derive(Debug)]
pub struct Loaded {
    /// The six artifacts of the library.
    pub lib: Library<Vec<u8>>,
    /// `search.icdx`.
    pub search: SearchIndex<Vec<u8>>,
    /// `ccmcc.icdx`, when it was built.
    pub ccmcc: Option<CcMcc<Vec<u8>>>,
}

fn index_dir() -> PathBuf {
    std::env::var_os("ICD_INDEX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static/data")))
}

fn load() -> Result<Loaded, String> {
    let dir = index_dir();
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let files = ARTIFACT_FILES
        .iter()
        .map(|f| read(f))
        .collect::<Result<Vec<_>, _>>()?;
    let artifacts = Artifacts::from_files(files).ok_or("not six artifacts")?;
    let lib = Library::open(artifacts).map_err(|e| e.to_string())?;
    let search = SearchIndex::open(read("search.icdx")?).map_err(|e| e.to_string())?;
    let ccmcc = read("ccmcc.icdx").ok().and_then(|b| CcMcc::open(b).ok());
    Ok(Loaded { lib, search, ccmcc })
}

/// The artifacts, or `None` (said once on standard error) when there are none.
pub fn loaded() -> Option<&'static Loaded> {
    static LOADED: OnceLock<Option<Loaded>> = OnceLock::new();
    LOADED
        .get_or_init(|| match load() {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!(
                    "fuzz: no artifacts ({e}); set ICD_INDEX_DIR or run `cargo xtask build-index`. \
                     Only parsing is fuzzed."
                );
                None
            }
        })
        .as_ref()
}

thread_local! {
    /// One checker per thread: building one allocates a slot per tabular
    /// node, far too slow to do per input.
    static CHECKER: Option<Checker<'static, Vec<u8>>> = loaded().map(|l| {
        let today = Date::from_ymd(2026, 5, 1).expect("a valid date");
        let checker = Checker::new(&l.lib).today(today);
        match &l.ccmcc {
            Some(t) => checker.with_ccmcc(t),
            None => checker,
        }
    });
}

/// Runs `f` with the checker over the real artifacts, if there are any.
pub fn with_checker(f: impl FnOnce(&Checker<'static, Vec<u8>>)) {
    CHECKER.with(|c| {
        if let Some(c) = c {
            f(c)
        }
    });
}

/// What every batch reader target asserts: `data` read whole and pushed to
/// an [`Importer`] in two chunks, split where its first byte says, gives the
/// same items; then, with artifacts, the first 16 records are checked.
/// Not UTF-8: nothing to read (the app and the CLI decode first).
pub fn import_split_and_check(data: &[u8], format: Format) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = read(text, format);
    let mut cut = data
        .first()
        .map_or(0, |b| usize::from(*b) * text.len() / 256);
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let mut imp = Importer::new(format);
    let mut chunked = Vec::new();
    imp.push(&text[..cut], &mut chunked);
    imp.push(&text[cut..], &mut chunked);
    imp.finish(&mut chunked);
    assert_eq!(inputs, chunked, "{format} split at byte {cut}");
    with_checker(|checker| {
        for input in inputs.iter().take(16) {
            if let Item::Record { record, .. } = input {
                let _ = checker.check(record);
            }
        }
    });
}
