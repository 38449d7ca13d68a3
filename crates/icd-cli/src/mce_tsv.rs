//! Reads the Medicare Code Editor tables (TSV) into an [`MceSource`].

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use icd_core::mce::{AgeRange, MceSource, PeriodRow, StatusRow};
use icd_core::Date;

/// Rows of a TSV file after checking its header; each with its line number.
fn rows<'a>(path: &Path, text: &'a str, header: &[&str]) -> Result<Vec<(usize, Vec<&'a str>)>> {
    let mut lines = text.lines();
    let first = lines
        .next()
        .ok_or_else(|| anyhow!("{}: empty file", path.display()))?;
    let found: Vec<&str> = first.split('\t').collect();
    if found != header {
        bail!(
            "{}:1: header is {:?}; expected {}",
            path.display(),
            found,
            header.join("\\t")
        );
    }
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            bail!(
                "{}:{}: {} fields; expected {} ({})",
                path.display(),
                i + 2,
                fields.len(),
                header.len(),
                header.join(", ")
            );
        }
        out.push((i + 2, fields));
    }
    if out.is_empty() {
        bail!(
            "{}: no rows: the file is empty or truncated",
            path.display()
        );
    }
    Ok(out)
}

fn date(path: &Path, line: usize, s: &str) -> Result<Date> {
    s.parse()
        .map_err(|e| anyhow!("{}:{line}: {e}", path.display()))
}

fn end_date(path: &Path, line: usize, s: &str) -> Result<Option<Date>> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        date(path, line, s).map(Some)
    }
}

pub fn read_periods(path: &Path, text: &str) -> Result<Vec<PeriodRow>> {
    rows(path, text, &["code", "start", "end", "flags"])?
        .into_iter()
        .map(|(line, f)| {
            let code = f[0].trim();
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) || code.len() > 7
            {
                bail!(
                    "{}:{line}: '{code}' is not a code (letters and digits, at most 7)",
                    path.display()
                );
            }
            Ok(PeriodRow {
                code: code.to_ascii_uppercase(),
                start: date(path, line, f[1])?,
                end: end_date(path, line, f[2])?,
                flags: f[3]
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            })
        })
        .collect()
}

pub fn read_ages(path: &Path, text: &str) -> Result<Vec<AgeRange>> {
    rows(
        path,
        text,
        &["group", "start_age", "end_age", "start", "end"],
    )?
    .into_iter()
    .map(|(line, f)| {
        let age = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| anyhow!("{}:{line}: age '{s}' is not a whole number", path.display()))
        };
        Ok(AgeRange {
            group: f[0].trim().to_string(),
            min_age: age(f[1])?,
            max_age: age(f[2])?,
            start: date(path, line, f[3])?,
            end: end_date(path, line, f[4])?,
        })
    })
    .collect()
}

pub fn read_statuses(path: &Path, text: &str) -> Result<Vec<StatusRow>> {
    rows(path, text, &["code", "start", "end"])?
        .into_iter()
        .map(|(line, f)| {
            Ok(StatusRow {
                code: f[0].trim().parse().map_err(|_| {
                    anyhow!(
                        "{}:{line}: status '{}' is not a number",
                        path.display(),
                        f[0]
                    )
                })?,
                start: date(path, line, f[1])?,
                end: end_date(path, line, f[2])?,
            })
        })
        .collect()
}

pub fn read(dir: &Path, release: &str) -> Result<MceSource> {
    let text = |name: &str| -> Result<(std::path::PathBuf, String)> {
        let p = dir.join(name);
        let bytes = crate::xml_reader::read_file(&p)?;
        let s = String::from_utf8(bytes)
            .map_err(|e| anyhow!("{}: not UTF-8 text: {e}", p.display()))?;
        Ok((p, s))
    };
    let (p, t) = text("i10dx.tsv")?;
    let dx = read_periods(&p, &t)?;
    let (p, t) = text("i10sg.tsv")?;
    let sg = read_periods(&p, &t)?;
    let (p, t) = text("age_ranges.tsv")?;
    let ages = read_ages(&p, &t)?;
    let (p, t) = text("discharge_status.tsv")?;
    let discharge = read_statuses(&p, &t)?;
    Ok(MceSource {
        release: release.to_string(),
        dx,
        sg,
        ages,
        discharge,
    })
}
