//! The PCS half of `icd lookup`: a code's report or a table with its rows.

use std::path::Path;

use anyhow::{Context, Result};
use icd_core::mce::Mce;
use icd_core::pcs::report::{report, table_report, PcsReport, TableReport};
use icd_core::pcs::{Pcs, FILE};
use icd_core::{Date, PcsCode};

/// Opens `pcs.icdx` from the artifact folder.
pub fn open(dir: &Path) -> Result<Pcs<Vec<u8>>> {
    let p = dir.join(FILE);
    let bytes = std::fs::read(&p).with_context(|| {
        format!(
            "cannot read {}: build the artifacts with `icd build-index` from data that has icd10pcs/",
            p.display()
        )
    })?;
    Pcs::open(bytes).with_context(|| p.display().to_string())
}

/// Whether `raw` reads as a PCS code or table (3 to 7 characters, no I or O).
pub fn looks_like_pcs(raw: &str) -> bool {
    let t = raw.trim();
    (3..=7).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() && !matches!(c.to_ascii_uppercase(), 'I' | 'O'))
}

/// `icd lookup CODE` for a PCS code (7 characters) or a table or partial code (3 to 6).
pub fn lookup<E: AsRef<[u8]>>(
    pcs: &Pcs<Vec<u8>>,
    mce: &Mce<E>,
    raw: &str,
    date: Option<Date>,
    json: bool,
) -> Result<bool> {
    let t = raw.trim().to_ascii_uppercase();
    if t.len() < 7 {
        return table(pcs, &t, json);
    }
    let code: PcsCode = t.parse()?;
    match report(pcs, mce, &code, date) {
        Ok(r) => {
            print_report(&r, json)?;
            Ok(true)
        }
        Err(e) => {
            if json {
                outln!(
                    "{}",
                    serde_json::json!({ "code": t, "error": e.to_string(), "detail": e })
                );
                return Ok(false);
            }
            anyhow::bail!("{e}")
        }
    }
}

/// `icd lookup 0DT` / `--pcs-table 0DT`: the table, every row.
pub fn table(pcs: &Pcs<Vec<u8>>, raw: &str, json: bool) -> Result<bool> {
    let t = raw.trim().to_ascii_uppercase();
    let Some(id) = t.get(..3).and_then(|k| pcs.table(k)) else {
        let offers: Vec<String> = pcs
            .offered(t.get(..2).unwrap_or(""))
            .iter()
            .map(|o| format!("{} {}", o.ch, o.label))
            .collect();
        anyhow::bail!(
            "{t} names no ICD-10-PCS table; after {} the tables allow: {}",
            t.get(..2).unwrap_or(""),
            offers.join(", ")
        );
    };
    let r = table_report(pcs, id, &t);
    if json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(!r.rows.is_empty());
    }
    print_table(&r);
    Ok(!r.rows.is_empty())
}

fn print_table(r: &TableReport) {
    outln!("Table {} ({} codes in the rows shown)", r.table, r.codes);
    for a in &r.axes {
        outln!("  {} {:<12} {}  {}", a.pos, a.title, a.ch, a.label);
    }
    if !r.definition.is_empty() {
        outln!("  Definition: {}", r.definition);
    }
    for (i, row) in r.rows.iter().enumerate() {
        outln!("Row {} ({} codes)", i + 1, row.codes);
        for (title, values) in &row.axes {
            let v: Vec<String> = values
                .iter()
                .map(|v| format!("{} {}", v.ch, v.label))
                .collect();
            outln!("  {title:<12} {}", v.join(" | "));
        }
    }
}

fn print_report(r: &PcsReport, json: bool) -> Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    outln!(
        "{}  {}",
        r.code,
        r.title.as_deref().unwrap_or("(no title in the Tables)")
    );
    if let Some(n) = &r.note {
        outln!("  {n}");
    }
    for a in &r.axes {
        outln!("  {} {:<14} {}  {}", a.pos, a.title, a.ch, a.label);
    }
    if let Some(op) = &r.operation {
        outln!("Root operation {}: {}", op.titles.join(", "), op.definition);
        if !op.explanation.is_empty() {
            outln!("  Explanation: {}", op.explanation);
        }
        if !op.includes.is_empty() {
            outln!("  Includes: {}", op.includes.join("; "));
        }
    }
    if let Some(ap) = &r.approach {
        outln!("Approach {}: {}", ap.titles.join(", "), ap.definition);
    }
    for k in &r.body_part_key {
        outln!(
            "Body part key ({}): includes {}",
            k.titles.join(" / "),
            k.includes.join("; ")
        );
    }
    for k in &r.device_key {
        outln!(
            "{} key ({}): includes {}",
            k.axis_title,
            k.titles.join(" / "),
            k.includes.join("; ")
        );
    }
    for a in &r.device_aggregation {
        outln!(
            "Device aggregation: {} (specific value for {}) aggregates to {} {} in {}",
            a.device,
            a.operation,
            a.parent_ch,
            a.parent,
            a.body_systems.join(", ")
        );
    }
    if !r.validity_periods.is_empty() {
        outln!(
            "  valid (MCE): {}",
            crate::lookup::periods_text(&r.validity_periods)
        );
    } else {
        outln!("  not listed by the MCE master");
    }
    if let Some(v) = &r.validity {
        outln!("  on {}: {}", v.date, v.reason);
    }
    outln!(
        "  MCE procedure flags: {}",
        if r.mce_flags.is_empty() {
            "none".to_string()
        } else {
            r.mce_flags.join(", ")
        }
    );
    Ok(())
}

/// `icd search --system pcs`: one statement, or one per stdin line with one JSON line each.
pub fn search(dir: &Path, query: Option<&str>, top: usize, json: bool) -> Result<bool> {
    use icd_core::pcs::search::{PcsSearch, SearchOptions};
    use std::io::BufRead;
    let pcs = open(dir)?;
    let s = PcsSearch::new(&pcs);
    let opts = SearchOptions {
        top,
        ..SearchOptions::default()
    };
    let line =
        |q: &str| serde_json::json!({ "query": q, "system": "pcs", "results": s.search(q, &opts) });
    let Some(q) = query else {
        for l in std::io::stdin().lock().lines() {
            let l = l.context("cannot read standard input")?;
            outln!("{}", line(&l));
        }
        return Ok(true);
    };
    let hits = s.search(q, &opts);
    if json {
        outln!("{}", line(q));
        return Ok(!hits.is_empty());
    }
    for h in &hits {
        let open = if h.open.is_empty() {
            String::new()
        } else {
            let pos: Vec<String> = h.open.iter().map(|p| p.to_string()).collect();
            format!("  [open: axis {} of table {}]", pos.join(", "), h.table)
        };
        outln!("{}  {:.2}  {}{}", h.code, h.score, h.title, open);
        if !h.via.is_empty() {
            outln!("          via {}", h.via.join("; "));
        }
    }
    Ok(!hits.is_empty())
}

/// `icd eval --titles FILE --system pcs`: hit@1/5/10 of procedure titles.
pub fn eval_titles(dir: &Path, file: &Path, misses: bool, json: bool) -> Result<bool> {
    use icd_core::pcs::search::{PcsSearch, SearchOptions};
    let pcs = open(dir)?;
    let s = PcsSearch::new(&pcs);
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let titles = crate::eval_sets::read_titles(&text)?;
    let scores = crate::eval_sets::score_pcs_titles(
        &s,
        &titles,
        &SearchOptions::default(),
        |q, want, rank, got| {
            if misses && rank.is_none_or(|r| r > 0) {
                outln!("MISS {q:?} want {want:?}; rank {rank:?}; got {got:?}");
            }
        },
    );
    let [h1, h5, h10] = scores.rates();
    // Latency of one search per statement, measured in a second pass so
    // the scoring above is not timed with the printing.
    let mut ms: Vec<f64> = titles
        .iter()
        .map(|(q, _)| {
            let t = std::time::Instant::now();
            std::hint::black_box(s.search(q, &SearchOptions::default()));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        ms.get(((ms.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(0.0)
    };
    let (p50, p95) = (pct(0.50), pct(0.95));
    if json {
        outln!(
            "{}",
            serde_json::json!({"titles": scores.titles, "hit@1": h1, "hit@5": h5, "hit@10": h10, "p50_ms": p50, "p95_ms": p95})
        );
    } else {
        outln!(
            "{} titles: hit@1 {h1:.3}  hit@5 {h5:.3}  hit@10 {h10:.3}  (search p50 {p50:.1} ms, p95 {p95:.1} ms)",
            scores.titles
        );
    }
    Ok(true)
}
