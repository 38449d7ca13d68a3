//! The MS-DRG grouper tables (`drg.icdx`) from the definitions JSON
//! (`msdrg/msdrg-v43.1-definitions.json.xz`) and IPPS Table 5
//! (`msdrg/msdrg-fy2026-weights.tsv`).
//!
//! Parser debris: `prmap` holds a few keys that are words of the manual, not
//! procedure codes (`One`, `with`). Keys that are not 3-7 upper-case letters
//! and digits are left out and counted ([`Debris`]), never guessed at.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use icd_core::drg::{CcInfo, DrgRow, DrgSource};

/// Keys left out of each table because they are not codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Debris {
    /// Table name and the keys left out of it.
    pub keys: BTreeMap<&'static str, Vec<String>>,
}

impl Debris {
    /// How many keys were left out in all.
    pub fn total(&self) -> usize {
        self.keys.values().map(Vec::len).sum()
    }
}

fn is_code(k: &str, min: usize) -> bool {
    (min..=7).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn strings(v: &serde_json::Value, what: &str) -> Result<Vec<String>> {
    v.as_array()
        .with_context(|| format!("{what} is not a list"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .with_context(|| format!("{what} holds a non-string"))
        })
        .collect()
}

/// Parses the definitions JSON and the weights TSV.
pub fn source(defs: &serde_json::Value, weights_tsv: &str) -> Result<(DrgSource, Debris)> {
    let mut debris = Debris::default();
    let version = defs["version"].as_str().unwrap_or("");
    let mut src = DrgSource {
        release: format!("MS-DRG {version} grouper, FY2026 weights"),
        ..Default::default()
    };
    let obj = |k: &str| {
        defs[k]
            .as_object()
            .with_context(|| format!("the definitions have no '{k}' object"))
    };
    for (code, attrs) in obj("dxmap")? {
        if !is_code(code, 3) {
            debris.keys.entry("dxmap").or_default().push(code.clone());
            continue;
        }
        src.dx
            .push((code.clone(), strings(attrs, &format!("dxmap[{code}]"))?));
    }
    let orpcs = obj("orpcsmap")?;
    let neoor: std::collections::HashSet<String> = strings(&defs["neoormap"], "neoormap")?
        .into_iter()
        .collect();
    let mut pr: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, attrs) in obj("prmap")? {
        if !is_code(code, 7) {
            debris.keys.entry("prmap").or_default().push(code.clone());
            continue;
        }
        pr.insert(code.clone(), strings(attrs, &format!("prmap[{code}]"))?);
    }
    for code in orpcs.keys() {
        if !is_code(code, 7) {
            debris
                .keys
                .entry("orpcsmap")
                .or_default()
                .push(code.clone());
            continue;
        }
        pr.entry(code.clone()).or_default();
    }
    for (code, attrs) in pr {
        let or = orpcs.contains_key(&code);
        let neo = neoor.contains(&code);
        src.pr.push((code, attrs, or, neo));
    }
    let num = |s: &str| -> Result<u32> {
        s.trim()
            .parse()
            .with_context(|| format!("exclusion collection '{s}' is not a number"))
    };
    for (code, e) in obj("ccmap")? {
        if !is_code(code, 3) {
            debris.keys.entry("ccmap").or_default().push(code.clone());
            continue;
        }
        let level = match e["level"].as_str() {
            Some("MCC") => 2,
            Some("CC") => 1,
            other => bail!("ccmap[{code}]: level {other:?} is neither CC nor MCC"),
        };
        let hac = match e["hac"].as_str() {
            Some(h) => h
                .parse::<u8>()
                .with_context(|| format!("ccmap[{code}]: HAC category {h:?} is not a number"))?,
            None => 0,
        };
        src.cc.push((
            code.clone(),
            CcInfo {
                level,
                collection: num(e["pdx"].as_str().unwrap_or(""))?,
                alive_only: e["aowa"].as_bool().unwrap_or(false),
                hac,
            },
        ));
    }
    for (coll, list) in obj("exmap")? {
        src.exclusions
            .push((num(coll)?, strings(list, &format!("exmap[{coll}]"))?));
    }
    let ranks = obj("surgical_rank")?;
    let mut weights: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    let mut lines = weights_tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("the weights file has no '{name}' column"))
    };
    let (c_drg, c_pa, c_sp, c_w, c_g, c_a) = (
        col("drg")?,
        col("post_acute")?,
        col("special_pay")?,
        col("weight")?,
        col("gmlos")?,
        col("amlos")?,
    );
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let drg: u16 = f
            .get(c_drg)
            .and_then(|d| d.parse().ok())
            .with_context(|| format!("weights line {}: no DRG number", n + 2))?;
        weights.insert(drg, f);
    }
    let fnum = |f: Option<&&str>| f.and_then(|s| s.parse::<f64>().ok());
    for (key, d) in obj("drgmap")? {
        let drg: u16 = key
            .parse()
            .with_context(|| format!("drgmap key {key:?} is not a DRG number"))?;
        let mdc = d["mdc"].as_str().unwrap_or("");
        let w = weights.get(&drg);
        src.drgs.push(DrgRow {
            drg,
            title: d["desc"].as_str().unwrap_or("").to_string(),
            mdc: if mdc.is_empty() {
                None
            } else {
                Some(
                    mdc.parse()
                        .with_context(|| format!("drgmap[{key}]: MDC {mdc:?}"))?,
                )
            },
            surgical: d["is_surgical"].as_bool().unwrap_or(false),
            weight: w.and_then(|f| fnum(f.get(c_w))),
            gmlos: w.and_then(|f| fnum(f.get(c_g))),
            amlos: w.and_then(|f| fnum(f.get(c_a))),
            post_acute: w.and_then(|f| f.get(c_pa)).is_some_and(|s| *s == "Yes"),
            special_pay: w.and_then(|f| f.get(c_sp)).is_some_and(|s| *s == "Yes"),
            rank: ranks
                .get(&drg.to_string())
                .and_then(|r| r.as_u64())
                .map(|r| r as u32),
        });
    }
    Ok((src, debris))
}

/// Reads both files from the data folder's `msdrg/` and compiles the
/// artifact; `None` when the folder has no MS-DRG definitions.
pub fn build(data: &Path) -> Result<Option<(Vec<u8>, Debris)>> {
    let dir = data.join("msdrg");
    let defs = dir.join("msdrg-v43.1-definitions.json.xz");
    let weights = dir.join("msdrg-fy2026-weights.tsv");
    if !defs.is_file() || !weights.is_file() {
        return Ok(None);
    }
    let xz = std::fs::read(&defs).with_context(|| format!("cannot read {}", defs.display()))?;
    let mut json = Vec::new();
    lzma_rs::xz_decompress(&mut xz.as_slice(), &mut json)
        .map_err(|e| anyhow::anyhow!("{}: not an xz file ({e:?})", defs.display()))?;
    let v: serde_json::Value = serde_json::from_slice(&json)
        .with_context(|| format!("{}: not the MS-DRG definitions JSON", defs.display()))?;
    let tsv = std::fs::read_to_string(&weights)
        .with_context(|| format!("cannot read {}", weights.display()))?;
    let (src, debris) = source(&v, &tsv).with_context(|| defs.display().to_string())?;
    Ok(Some((src.build(), debris)))
}
