//! What the integration tests share: where the official data is, and one
//! build of it per test binary.

// Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use icd_cli::build::{build, Built};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `ICD_DATA_DIR`, else `../shared/data` beside the project root.
pub fn data_dir() -> PathBuf {
    std::env::var_os("ICD_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"))
}

/// The artifacts built from the official data, once per test binary.
pub fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(&data_dir()).expect("the official data builds; is ../shared/data present?")
    })
}

/// A folder holding the built artifacts, written once per test binary, for
/// tests that run the `icd` binary with `--index`.
pub fn index() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        icd_cli::build::write(dir.path(), built()).expect("the artifacts are written");
        dir
    })
    .path()
}

/// Runs `icd ARGS --index DIR` on the folder of [`index`] and waits for it.
pub fn icd_with_index(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(args)
        .arg("--index")
        .arg(index())
        .output()
        .expect("icd runs")
}

/// The MS-DRG tables built from the official definitions, once per test
/// binary.
pub fn drg_tables() -> &'static icd_core::drg::DrgTables<Vec<u8>> {
    static T: OnceLock<icd_core::drg::DrgTables<Vec<u8>>> = OnceLock::new();
    T.get_or_init(|| {
        let (bytes, _) = icd_cli::drg_build::build(&data_dir())
            .expect("the MS-DRG definitions build")
            .expect("../shared/data holds the MS-DRG definitions");
        icd_core::drg::DrgTables::open(bytes).expect("the MS-DRG tables open")
    })
}

/// The library and the search index over the built artifacts.
pub fn open_search() -> (
    icd_core::Library<&'static [u8]>,
    icd_core::search::SearchIndex<&'static [u8]>,
) {
    use icd_cli::build::{open_all, SEARCH_FILE};
    use icd_core::lookup::ARTIFACT_FILES;
    let files = built()
        .files
        .iter()
        .filter(|(n, _)| ARTIFACT_FILES.contains(n))
        .map(|(_, b)| b.as_slice())
        .collect();
    let search = built()
        .files
        .iter()
        .find(|(n, _)| *n == SEARCH_FILE)
        .map(|(_, b)| b.as_slice())
        .expect("the build writes the search index");
    (
        open_all(files).expect("the artifacts open"),
        icd_core::search::SearchIndex::open(search).expect("the search index opens"),
    )
}

/// Writes `line` to a spawned `icd` reading standard input, reads the first
/// line it prints while standard input is still open (on another thread,
/// so a program that answers only at the end fails the test after 60 s
/// instead of hanging it), then writes `line` again, closes standard input
/// and returns the first line and the lines after it.
pub fn first_line_before_eof(
    mut child: std::process::Child,
    line: &str,
) -> (Option<String>, Vec<String>, std::process::ExitStatus) {
    use std::io::{BufRead, BufReader, Write};
    let mut stdin = child.stdin.take().expect("a piped standard input");
    writeln!(stdin, "{line}").unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().expect("a piped standard output");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        tx.send(lines.next()).unwrap();
        lines.map(Result::unwrap).collect::<Vec<_>>()
    });
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .ok()
        .flatten()
        .map(Result::unwrap);
    // Close standard input either way, so the process ends.
    writeln!(stdin, "{line}").unwrap();
    drop(stdin);
    let rest = reader.join().unwrap();
    (first, rest, child.wait().unwrap())
}
