//! Finishes the site Trunk built in `dist/`: writes the service worker from
//! its template (`static/sw.js`) with the list of files to keep offline and a
//! version that changes with their content, then adds a brotli and a gzip
//! copy of every file worth compressing, which the server sends with
//! `Content-Encoding` (`xtask/src/server.rs`; any static host that serves
//! precompressed files does the same).
//!
//! ```text
//! dist/data/tabular.icdx      what Trunk copied
//! dist/data/tabular.icdx.br   brotli, quality 11
//! dist/data/tabular.icdx.gz   gzip, best
//! dist/sw.js                  static/sw.js with VERSION and PRECACHE filled in
//! ```
//!
//! Data files are the ones [`icd_core::registry`] lists: a required artifact
//! missing from `dist/data/` fails the build, and a `.icdx` the registry does
//! not know (left over from an older build) is neither kept offline nor
//! counted. The data size table (`cargo xtask dist` prints it in Markdown
//! for the README) walks the registry too.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use icd_core::registry::{self, Capability};

/// Extensions of files that compress; images and fonts already are.
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "css",
    "wasm",
    "icdx",
    "json",
    "webmanifest",
    "svg",
];

/// Below this, compression saves less than the headers it costs.
const MIN_COMPRESS: usize = 1024;

/// The placeholders in `static/sw.js`, each replaced by a JSON value.
const VERSION_SLOT: &str = "\"{{VERSION}}\"";
const PRECACHE_SLOT: &str = "[\"{{PRECACHE}}\"]";
/// The placeholder in `static/worker_loader.js` for the files it fetches
/// before the worker's wasm starts: those the first search reads.
const FIRST_SLOT: &str = "[\"{{FIRST}}\"]";
/// The data worker's loader, which Trunk copies from `static/`.
const WORKER_LOADER: &str = "worker_loader.js";

/// One file of the finished site and its sizes in bytes.
#[derive(Debug)]
pub struct Sizes {
    /// Path relative to the site root, with `/` separators.
    pub path: String,
    pub raw: usize,
    pub gzip: Option<usize>,
    pub brotli: Option<usize>,
}

impl Sizes {
    /// What a browser that accepts brotli downloads.
    pub fn transferred(&self) -> usize {
        self.brotli.or(self.gzip).unwrap_or(self.raw)
    }
}

/// Writes `dist/sw.js` and the compressed copies; returns every file's sizes.
/// Compressed bytes are kept in `cache`, keyed by content, so a rebuild
/// compresses only what changed (the data rarely does).
pub fn finish(dist: &Path, template: &Path, cache: &Path) -> Result<Vec<Sizes>> {
    remove_compressed(dist)?;
    write_worker_loader(dist)?;
    let files = known_data(site_files(dist)?)?;
    write_service_worker(dist, template, &files)?;
    let mut all = known_data(site_files(dist)?)?;
    all.push("sw.js".into());
    all.sort();
    std::fs::create_dir_all(cache).with_context(|| format!("cannot create {cache:?}"))?;
    precompress(dist, &all, cache)
}

/// Every file Trunk wrote, relative to `dist`, sorted: no compressed copy,
/// no hidden file and not the service worker itself.
fn site_files(dist: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        let dir = dist.join(&rel);
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {dir:?}"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = rel.join(&name);
            if entry.file_type()?.is_dir() {
                dirs.push(path);
            } else if !(name.ends_with(".br")
                || name.ends_with(".gz")
                || path == Path::new("sw.js"))
            {
                let parts: Vec<_> = path.iter().map(|p| p.to_string_lossy()).collect();
                files.push(parts.join("/"));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `files` less the artifacts [`registry::ARTIFACTS`] does not list; fails
/// when a required one is missing.
fn known_data(files: Vec<String>) -> Result<Vec<String>> {
    for spec in &registry::ARTIFACTS {
        let path = format!("data/{}", spec.file);
        if spec.required && !files.contains(&path) {
            bail!(
                "dist/{path} ({}) is missing: run `cargo xtask build-index`, then `cargo xtask dist`",
                spec.title
            );
        }
    }
    Ok(files
        .into_iter()
        .filter(|f| {
            let Some(name) = f.strip_prefix("data/").filter(|n| n.ends_with(".icdx")) else {
                return true;
            };
            let known = registry::by_file(name).is_some();
            if !known {
                eprintln!(
                    "dist/{f}: no artifact of that name in icd_core::registry, so it is not kept offline; delete static/data/{name}"
                );
            }
            known
        })
        .collect())
}

/// Compressed copies from an earlier run would be served for files that changed.
fn remove_compressed(dist: &Path) -> Result<()> {
    let mut dirs = vec![dist.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {dir:?}"))? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "br" || e == "gz") {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

fn crc_hex(bytes: &[u8]) -> String {
    format!("{:08x}", crc32fast::hash(bytes))
}

/// A JSON string; site paths are plain, but a quote must not end it early.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Fills the list of files `dist/worker_loader.js` fetches first, from the
/// registry, before its revision goes into the service worker's list.
fn write_worker_loader(dist: &Path) -> Result<()> {
    let path = dist.join(WORKER_LOADER);
    let source = std::fs::read_to_string(&path).with_context(|| {
        format!("cannot read {path:?}: index.html must copy static/{WORKER_LOADER}")
    })?;
    if source.matches(FIRST_SLOT).count() != 1 {
        bail!(
            "{path:?} must contain {FIRST_SLOT} exactly once (copied from static/{WORKER_LOADER})"
        );
    }
    let first: Vec<String> = registry::needed_for(Capability::Search)
        .map(|a| json_string(a.file))
        .collect();
    let list = format!("[{}]", first.join(", "));
    std::fs::write(&path, source.replace(FIRST_SLOT, &list))?;
    eprintln!("dist/{WORKER_LOADER}: fetches {list} first");
    Ok(())
}

/// Fills in the template: `PRECACHE` lists `[url, revision]` for every file
/// (the revision is the CRC-32 of its bytes, so a new release fetches only
/// what changed) plus `./` for the navigation; `VERSION` is the CRC-32 of
/// that list, so it changes exactly when some file does.
fn write_service_worker(dist: &Path, template: &Path, files: &[String]) -> Result<()> {
    let source =
        std::fs::read_to_string(template).with_context(|| format!("cannot read {template:?}"))?;
    for slot in [VERSION_SLOT, PRECACHE_SLOT] {
        if source.matches(slot).count() != 1 {
            bail!("{template:?} must contain {slot} exactly once");
        }
    }
    let mut entries = Vec::with_capacity(files.len() + 1);
    for file in files {
        let bytes = std::fs::read(dist.join(file))?;
        let rev = crc_hex(&bytes);
        if file == "index.html" {
            entries.push(("./".to_string(), rev.clone()));
        }
        entries.push((format!("./{file}"), rev));
    }
    if !entries.iter().any(|(url, _)| url == "./") {
        bail!("{dist:?} has no index.html");
    }
    let list: Vec<String> = entries
        .iter()
        .map(|(url, rev)| format!("[{}, {}]", json_string(url), json_string(rev)))
        .collect();
    let precache = format!("[\n  {},\n]", list.join(",\n  "));
    let version = crc_hex(precache.as_bytes());
    let sw = source
        .replace(VERSION_SLOT, &json_string(&version))
        .replace(PRECACHE_SLOT, &precache);
    std::fs::write(dist.join("sw.js"), sw)?;
    eprintln!(
        "dist/sw.js: version {version}, {} files to keep offline",
        entries.len()
    );
    Ok(())
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    // A window just larger than the file: the same compression as the
    // largest window, and the decoder allocates no more than it needs.
    let lgwin = (usize::BITS - bytes.len().leading_zeros()).clamp(10, 24);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: i32::try_from(lgwin)?,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Writes `<file>.br` and `<file>.gz` beside each compressible file that
/// shrinks. Brotli at quality 11 is slow (about 1 MB/s), so the files are
/// shared among one thread per core, largest first.
fn precompress(dist: &Path, files: &[String], cache: &Path) -> Result<Vec<Sizes>> {
    let mut jobs: Vec<(usize, u64)> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let len = std::fs::metadata(dist.join(file))?.len();
        jobs.push((i, len));
    }
    jobs.sort_by_key(|&(_, len)| std::cmp::Reverse(len));
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(files.len()));
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    std::thread::scope(|scope| -> Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    while let Some(&(i, _)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let sizes = compress_one(dist, &files[i], cache)?;
                        results
                            .lock()
                            .map_err(|_| anyhow::anyhow!("a compression thread panicked"))?
                            .push(sizes);
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("a compression thread panicked"))??;
        }
        Ok(())
    })?;
    let mut sizes = results
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a compression thread panicked"))?;
    sizes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(sizes)
}

/// `compress(bytes)`, or the copy in `cache` from an earlier build.
fn cached(
    cache: &Path,
    bytes: &[u8],
    suffix: &str,
    compress: fn(&[u8]) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let key = cache.join(format!("{}-{}.{suffix}", crc_hex(bytes), bytes.len()));
    if let Ok(packed) = std::fs::read(&key) {
        return Ok(packed);
    }
    let packed = compress(bytes)?;
    // Written whole, then renamed: an interrupted build leaves no half file.
    let part = key.with_extension(format!("{suffix}.part"));
    std::fs::write(&part, &packed)?;
    std::fs::rename(&part, &key)?;
    Ok(packed)
}

fn compress_one(dist: &Path, file: &str, cache: &Path) -> Result<Sizes> {
    let path = dist.join(file);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {path:?}"))?;
    let mut sizes = Sizes {
        path: file.to_string(),
        raw: bytes.len(),
        gzip: None,
        brotli: None,
    };
    let compressible = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e));
    if !compressible || bytes.len() <= MIN_COMPRESS {
        return Ok(sizes);
    }
    for (suffix, packed, slot) in [
        (
            "br",
            cached(cache, &bytes, "br", brotli)?,
            &mut sizes.brotli,
        ),
        ("gz", cached(cache, &bytes, "gz", gzip)?, &mut sizes.gzip),
    ] {
        if packed.len() < bytes.len() {
            std::fs::write(dist.join(format!("{file}.{suffix}")), &packed)?;
            *slot = Some(packed.len());
        }
    }
    Ok(sizes)
}

/// The table of bytes per file; the brotli total is what a first visit
/// downloads (the service worker keeps every file).
pub fn print_table(sizes: &[Sizes]) {
    let dash = |n: Option<usize>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
    let width = sizes.iter().map(|s| s.path.len()).max().unwrap_or(4).max(5);
    println!(
        "{:width$}  {:>10}  {:>10}  {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    for s in sizes {
        println!(
            "{:width$}  {:>10}  {:>10}  {:>10}",
            s.path,
            s.raw,
            dash(s.gzip),
            dash(s.brotli)
        );
    }
    let raw: usize = sizes.iter().map(|s| s.raw).sum();
    let gzip: usize = sizes.iter().map(|s| s.gzip.unwrap_or(s.raw)).sum();
    let brotli: usize = sizes.iter().map(Sizes::transferred).sum();
    println!("{:width$}  {raw:>10}  {gzip:>10}  {brotli:>10}", "total");
    println!(
        "bytes transferred on a first visit: {brotli} with brotli ({:.2} MB), {gzip} with gzip only ({:.2} MB)",
        mb(brotli),
        mb(gzip)
    );
}

/// The data artifacts in [`registry::ARTIFACTS`] order, as the Markdown
/// table of the README's "Data and sizes": which the first search result
/// waits for, and what each costs on the wire.
pub fn print_data_table(sizes: &[Sizes]) {
    let n = |v: usize| {
        let digits = v.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    println!("| file | what | read by | bytes | gzip | brotli |");
    println!("|---|---|---|---:|---:|---:|");
    let mut first = (0, 0, 0);
    let mut all = (0, 0, 0);
    for spec in &registry::ARTIFACTS {
        let path = format!("data/{}", spec.file);
        let Some(s) = sizes.iter().find(|s| s.path == path) else {
            println!(
                "| {} | {} | not built (optional) | | | |",
                spec.file, spec.title
            );
            continue;
        };
        let (gz, br) = (s.gzip.unwrap_or(s.raw), s.transferred());
        let search = spec.serves(Capability::Search);
        let readers: Vec<String> = spec.needed_by.iter().map(|c| format!("{c:?}")).collect();
        println!(
            "| {}{} | {} | {} | {} | {} | {} |",
            spec.file,
            if search { " \\*" } else { "" },
            spec.title,
            readers.join(", "),
            n(s.raw),
            n(gz),
            n(br)
        );
        if search {
            first = (first.0 + s.raw, first.1 + gz, first.2 + br);
        }
        all = (all.0 + s.raw, all.1 + gz, all.2 + br);
    }
    println!(
        "| \\* before the first search result | | | {} | {} | {} |",
        n(first.0),
        n(first.1),
        n(first.2)
    );
    println!(
        "| **all data** | | | **{}** | **{}** | **{}** |",
        n(all.0),
        n(all.1),
        n(all.2)
    );
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}
