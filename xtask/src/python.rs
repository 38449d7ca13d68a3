//! The project's Python tools in a virtual environment of their own under
//! `target/`, so nothing is installed into a system Python.
//!
//! Debian's python3 refuses `pip install` outside a virtual environment
//! (PEP 668, "externally-managed-environment"), and whatever python3 comes
//! first on PATH (pyenv's, say) is not something a fresh machine has. So the
//! environment is made from Debian's `/usr/bin/python3` (or `ICD_PYTHON`),
//! with `python3-venv` installed by apt when `venv` or `ensurepip` is
//! missing, and the pinned packages of a requirements file are installed
//! with the environment's own pip.
//!
//! A stamp file in the environment holds the requirements it was made from
//! and the base interpreter; when either changes, the environment is made
//! anew, so it always holds exactly the pinned packages.
//!
//! ```text
//! let venv = python::venv("venv", "tests/requirements.txt")?;
//! run(Command::new(venv.python()).arg("tests/mce/oracle.py"))?;
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{apt_install, output, root, run};

/// Debian's interpreter: the one a fresh machine has, whatever PATH says.
const DEBIAN_PYTHON: &str = "/usr/bin/python3";

/// A virtual environment holding exactly the packages of its requirements.
#[derive(Debug)]
pub struct Venv {
    dir: PathBuf,
}

impl Venv {
    /// The environment's interpreter.
    pub fn python(&self) -> PathBuf {
        self.dir.join("bin/python")
    }

    /// A command running the environment's interpreter, with nothing from
    /// the caller's environment that would point it at another Python.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(self.python());
        cmd.env_remove("PYTHONHOME").env_remove("PYTHONPATH");
        cmd
    }
}

/// The environment `target/<name>` with the packages pinned in
/// `requirements` (a path from the project root), made or remade as needed.
pub fn venv(name: &str, requirements: &str) -> Result<Venv> {
    let venv = Venv {
        dir: root().join("target").join(name),
    };
    let pins = std::fs::read_to_string(root().join(requirements))
        .with_context(|| format!("{requirements} is missing"))?;
    let base = base_python()?;
    let want = format!(
        "# base interpreter: {} ({})\n{pins}",
        base.display(),
        version(&base).unwrap_or_default()
    );
    let stamp = venv.dir.join("requirements.stamp");
    let works = output(venv.command().args(["-c", ""])).is_some();
    if works && std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(venv);
    }
    eprintln!(
        "making {} from {} with {requirements}",
        venv.dir.display(),
        base.display()
    );
    ensure_venv_module(&base)?;
    if venv.dir.exists() {
        std::fs::remove_dir_all(&venv.dir)
            .with_context(|| format!("cannot remove {}", venv.dir.display()))?;
    }
    run(Command::new(&base)
        .args(["-m", "venv"])
        .arg(&venv.dir)
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH"))
    .with_context(|| format!("{} -m venv failed", base.display()))?;
    run(venv
        .command()
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(root().join(requirements)))
    .with_context(|| format!("cannot install the packages of {requirements}"))?;
    std::fs::write(&stamp, want).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(venv)
}

/// `ICD_PYTHON`, else Debian's python3, installed by apt when missing.
fn base_python() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("ICD_PYTHON") {
        let p = PathBuf::from(p);
        if version(&p).is_none() {
            bail!("ICD_PYTHON={} does not run", p.display());
        }
        return Ok(p);
    }
    let debian = Path::new(DEBIAN_PYTHON);
    if version(debian).is_none() {
        apt_install(&["python3", "python3-venv"]).context(
            "python3 is missing: install Debian's python3 and python3-venv \
             (apt-get install python3 python3-venv), or set ICD_PYTHON to a python3",
        )?;
        if version(debian).is_none() {
            bail!("{DEBIAN_PYTHON} still does not run after installing python3");
        }
    }
    Ok(debian.to_path_buf())
}

/// Debian splits `venv`'s `ensurepip` into the package python3-venv.
fn ensure_venv_module(base: &Path) -> Result<()> {
    let probe = || output(Command::new(base).args(["-c", "import venv, ensurepip"])).is_some();
    if probe() {
        return Ok(());
    }
    if base != Path::new(DEBIAN_PYTHON) {
        bail!(
            "{} has no venv/ensurepip module: install it, or unset ICD_PYTHON to use Debian's python3",
            base.display()
        );
    }
    apt_install(&["python3-venv"]).context(
        "python3's venv module is missing: install Debian's python3-venv (apt-get install python3-venv)",
    )?;
    if !probe() {
        bail!("{DEBIAN_PYTHON} still has no venv/ensurepip module after installing python3-venv");
    }
    Ok(())
}

fn version(python: &Path) -> Option<String> {
    output(Command::new(python).arg("--version")).map(|v| v.trim().to_string())
}
