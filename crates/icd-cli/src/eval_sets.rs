//! Measures on outside evaluation sets: clinical notes coded by experts
//! (the CodiEsp layout) and legacy classification titles with the codes they
//! map to. `icd eval --notes DIR` and `icd eval --titles FILE` print them.
//!
//! The sets are read from wherever the user points; nothing of them is
//! compiled into the artifacts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context, Result};
use icd_core::search::{read_note, search, Options, SearchIndex};
use icd_core::Library;

/// A code as the sets write it and as the engine does, compared: upper
/// case, no dot.
pub fn plain(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Precision, recall and F1 of a set of predictions against gold sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Prf {
    /// Predicted and in the gold set.
    pub true_pos: usize,
    /// Predicted.
    pub predicted: usize,
    /// In the gold set.
    pub gold: usize,
}

impl Prf {
    /// Adds one document's predictions and gold set. A prediction is right
    /// when it is a gold code or a descendant of one (codes expanded since
    /// the set was coded); each gold code is matched once.
    pub fn add(&mut self, predicted: &BTreeSet<String>, gold: &BTreeSet<String>) {
        let mut unmatched: Vec<&String> = gold.iter().collect();
        for p in predicted {
            let hit = unmatched
                .iter()
                .position(|g| p == *g)
                .or_else(|| unmatched.iter().position(|g| p.starts_with(g.as_str())));
            if let Some(i) = hit {
                unmatched.swap_remove(i);
                self.true_pos += 1;
            }
        }
        self.predicted += predicted.len();
        self.gold += gold.len();
    }
    /// Share of the predictions that are right.
    pub fn precision(&self) -> f64 {
        self.true_pos as f64 / self.predicted.max(1) as f64
    }
    /// Share of the gold codes found.
    pub fn recall(&self) -> f64 {
        self.true_pos as f64 / self.gold.max(1) as f64
    }
    /// Harmonic mean of the two.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// The note measures: exact codes, 3-character categories and MAP.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NoteScores {
    /// Notes read.
    pub notes: usize,
    /// Exact codes.
    pub exact: Prf,
    /// 3-character categories.
    pub category: Prf,
    /// Mean average precision of the ranked code list (CodiEsp's measure).
    pub map: f64,
}

/// Gold codes per note id from a `{split}D.tsv` file (`id<TAB>code`).
fn gold_codes(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut gold: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let mut f = line.split('\t');
        if let (Some(id), Some(code)) = (f.next(), f.next()) {
            let v = gold.entry(id.trim().to_string()).or_default();
            let c = plain(code);
            if !v.contains(&c) {
                v.push(c);
            }
        }
    }
    gold
}

/// Reads a CodiEsp split folder: `text_files_en/ID.txt` and the one
/// `*D.tsv` diagnosis file. Returns (id, text, gold codes).
pub fn read_notes(dir: &Path) -> Result<Vec<(String, String, Vec<String>)>> {
    let tsv = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("D.tsv"))
        })
        .with_context(|| {
            format!(
                "{} has no *D.tsv file of diagnosis codes (the CodiEsp layout: text_files_en/ID.txt and {{split}}D.tsv)",
                dir.display()
            )
        })?;
    let gold = gold_codes(&std::fs::read_to_string(&tsv)?);
    let texts = dir.join("text_files_en");
    let mut out = Vec::new();
    for (id, codes) in gold {
        let p = texts.join(format!("{id}.txt"));
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
        out.push((id, text, codes));
    }
    if out.is_empty() {
        bail!("{} lists no coded notes", tsv.display());
    }
    Ok(out)
}

/// Reads a CodiEsp split folder for its procedures: every note of
/// `text_files_en/` with its codes from the one `*P.tsv` file (a note with
/// none has an empty gold set, so what is suggested for it counts against
/// precision). Returns (id, text, gold codes).
pub fn read_procedure_notes(dir: &Path) -> Result<Vec<(String, String, Vec<String>)>> {
    let tsv = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("P.tsv"))
        })
        .with_context(|| {
            format!(
                "{} has no *P.tsv file of procedure codes (the CodiEsp layout: text_files_en/ID.txt and {{split}}P.tsv)",
                dir.display()
            )
        })?;
    let mut gold = gold_codes(&std::fs::read_to_string(&tsv)?);
    let texts = dir.join("text_files_en");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&texts)
        .with_context(|| format!("cannot read {}", texts.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for p in files {
        let id = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
        let codes = gold.remove(&id).unwrap_or_default();
        out.push((id, text, codes));
    }
    if let Some(id) = gold.keys().next() {
        bail!(
            "{} codes note {id}, which has no text in {}",
            tsv.display(),
            texts.display()
        );
    }
    if out.is_empty() {
        bail!("{} holds no notes", texts.display());
    }
    Ok(out)
}

/// Reads every note and scores the ICD-10-PCS codes its procedure
/// statements get: the first suggestion of each statement is predicted
/// (the ranked list is every statement's suggestions, first ones first). A
/// gold code cut short (`0DTJ`, as CodiEsp gives some) is matched by any
/// code it begins; the category measure is the table (3 characters).
pub fn score_procedure_notes<D: AsRef<[u8]>, P: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    pcs: &icd_core::pcs::search::PcsSearch<'_, P>,
    notes: &[(String, String, Vec<String>)],
    opts: &Options,
    pcs_opts: &icd_core::pcs::search::SearchOptions,
    mut each: impl FnMut(&str, &[String], &[String]),
) -> NoteScores {
    let mut s = NoteScores::default();
    let mut ap = 0.0;
    for (id, text, gold) in notes {
        let mut reading = read_note(lib, idx, text, opts);
        reading.code_procedures(pcs, pcs_opts);
        let mut ranked: Vec<String> = Vec::new();
        let depth = reading
            .procedures
            .iter()
            .map(|p| p.hits.len())
            .max()
            .unwrap_or(0);
        for k in 0..depth {
            for p in &reading.procedures {
                if let Some(h) = p.hits.get(k) {
                    let c = h.code.as_str().to_string();
                    if !ranked.contains(&c) {
                        ranked.push(c);
                    }
                }
            }
        }
        let predicted: BTreeSet<String> = reading
            .procedures
            .iter()
            .filter_map(|p| p.hits.first())
            .map(|h| h.code.as_str().to_string())
            .collect();
        let gold_set: BTreeSet<String> = gold.iter().cloned().collect();
        s.exact.add(&predicted, &gold_set);
        let table = |set: &BTreeSet<String>| -> BTreeSet<String> {
            set.iter().map(|c| c.chars().take(3).collect()).collect()
        };
        s.category.add(&table(&predicted), &table(&gold_set));
        if !gold_set.is_empty() {
            ap += average_precision(&ranked, &gold_set);
        }
        s.notes += 1;
        let shown: Vec<String> = predicted.into_iter().collect();
        each(id, gold, &shown);
    }
    let coded = notes.iter().filter(|n| !n.2.is_empty()).count();
    s.map = ap / coded.max(1) as f64;
    s
}

/// Average precision of a ranked list against a gold set.
fn average_precision(ranked: &[String], gold: &BTreeSet<String>) -> f64 {
    let mut hits = 0usize;
    let mut sum = 0.0;
    let mut unmatched: Vec<&String> = gold.iter().collect();
    for (k, c) in ranked.iter().enumerate() {
        if let Some(i) = unmatched.iter().position(|g| c.starts_with(g.as_str())) {
            unmatched.swap_remove(i);
            hits += 1;
            sum += hits as f64 / (k + 1) as f64;
        }
    }
    sum / gold.len().max(1) as f64
}

/// Reads every note and scores the note-level code list. `each` sees every
/// note with its gold and predicted codes.
pub fn score_notes<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    notes: &[(String, String, Vec<String>)],
    opts: &Options,
    mut each: impl FnMut(&str, &[String], &[String]),
) -> NoteScores {
    let mut s = NoteScores::default();
    let mut ap = 0.0;
    for (id, text, gold) in notes {
        let reading = read_note(lib, idx, text, opts);
        let ranked: Vec<String> = reading.codes.iter().map(|c| plain(&c.code)).collect();
        let predicted: BTreeSet<String> = ranked.iter().cloned().collect();
        let gold_set: BTreeSet<String> = gold.iter().cloned().collect();
        s.exact.add(&predicted, &gold_set);
        let cat = |set: &BTreeSet<String>| -> BTreeSet<String> {
            set.iter().map(|c| c.chars().take(3).collect()).collect()
        };
        s.category.add(&cat(&predicted), &cat(&gold_set));
        ap += average_precision(&ranked, &gold_set);
        s.notes += 1;
        each(id, gold, &ranked);
    }
    s.map = ap / s.notes.max(1) as f64;
    s
}

/// Title measures: how often a mapped code (or a descendant) is first, in
/// the first 5, in the first 10.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct TitleScores {
    /// Titles read.
    pub titles: usize,
    /// Hits at 1, 5 and 10.
    pub hits: [usize; 3],
}

impl TitleScores {
    /// Hit rate at 1, 5 and 10.
    pub fn rates(&self) -> [f64; 3] {
        self.hits.map(|h| h as f64 / self.titles.max(1) as f64)
    }
}

/// Reads `query<TAB>codes` lines (a header line `query` is skipped).
pub fn read_titles(text: &str) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || (n == 0 && line.starts_with("query")) {
            continue;
        }
        let Some((q, codes)) = line.split_once('\t') else {
            bail!("line {}: expected query<TAB>codes", n + 1);
        };
        out.push((
            q.to_string(),
            codes.split_whitespace().map(plain).collect::<Vec<_>>(),
        ));
    }
    Ok(out)
}

/// Searches every title; a suggestion hits when it is a mapped code or one
/// of its descendants (the maps predate later expansions). `each` sees every
/// title with its rank (if any) and the first codes.
pub fn score_titles<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    titles: &[(String, Vec<String>)],
    opts: &Options,
    mut each: impl FnMut(&str, &[String], Option<usize>, &[String]),
) -> TitleScores {
    let mut s = TitleScores::default();
    for (q, want) in titles {
        let results = search(lib, idx, q, opts);
        let codes: Vec<String> = results
            .iter()
            .flat_map(|r| r.suggestions.iter())
            .map(|s| plain(&s.code))
            .take(10)
            .collect();
        let rank = codes
            .iter()
            .position(|c| want.iter().any(|w| heir(lib, w, c)));
        s.titles += 1;
        for (slot, k) in [1, 5, 10].into_iter().enumerate() {
            if rank.is_some_and(|r| r < k) {
                s.hits[slot] += 1;
            }
        }
        each(q, want, rank, &codes);
    }
    s
}

/// Whether the suggestion `got` (plain) answers the mapped code `want`
/// (plain): it is `want` or a descendant of it; or `want` is no longer a
/// code, its placeholder `X` standing where a later release added a
/// character ("S0210XB" when S02.10 was divided by side into S02.101B,
/// S02.102B, S02.109B), and `got` is `want` with that character filled in.
pub fn heir<D: AsRef<[u8]>>(lib: &Library<D>, want: &str, got: &str) -> bool {
    if got.starts_with(want) {
        return true;
    }
    if !want.contains('X') || got.len() < want.len() {
        return false;
    }
    let filled = want
        .chars()
        .zip(got.chars())
        .all(|(w, g)| w == g || w == 'X');
    filled
        && want
            .parse::<icd_core::Code>()
            .ok()
            .is_none_or(|c| lib.tabular.find(&c).is_none())
}

/// [`score_titles`] for ICD-10-PCS: every title through the procedure
/// search; a hit is a mapped code.
pub fn score_pcs_titles<D: AsRef<[u8]>>(
    search: &icd_core::pcs::search::PcsSearch<'_, D>,
    titles: &[(String, Vec<String>)],
    opts: &icd_core::pcs::search::SearchOptions,
    mut each: impl FnMut(&str, &[String], Option<usize>, &[String]),
) -> TitleScores {
    let mut s = TitleScores::default();
    for (q, want) in titles {
        let codes: Vec<String> = search
            .search(q, opts)
            .iter()
            .map(|h| h.code.to_string())
            .take(10)
            .collect();
        let rank = codes.iter().position(|c| want.contains(c));
        s.titles += 1;
        for (slot, k) in [1, 5, 10].into_iter().enumerate() {
            if rank.is_some_and(|r| r < k) {
                s.hits[slot] += 1;
            }
        }
        each(q, want, rank, &codes);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn prf_and_map_by_hand() {
        let mut p = Prf::default();
        p.add(&set(&["A", "B", "C", "D"]), &set(&["A", "C", "E"]));
        assert_eq!((p.true_pos, p.predicted, p.gold), (2, 4, 3));
        assert!((p.precision() - 0.5).abs() < 1e-9);
        assert!((p.recall() - 2.0 / 3.0).abs() < 1e-9);
        assert!((p.f1() - 4.0 / 7.0).abs() < 1e-9);
        // Ranks 1 and 3 relevant of 3 gold: (1/1 + 2/3) / 3.
        let ranked: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let ap = average_precision(&ranked, &set(&["A", "C", "E"]));
        assert!((ap - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-9);
        // A descendant of a gold code counts once.
        let mut d = Prf::default();
        d.add(&set(&["T1490XA", "T1490XD"]), &set(&["T1490"]));
        assert_eq!((d.true_pos, d.predicted, d.gold), (1, 2, 1));
        assert_eq!(Prf::default().f1(), 0.0);
    }

    #[test]
    fn codes_compare_plain() {
        assert_eq!(plain(" q62.11 "), "Q6211");
        assert_eq!(plain("T28.2XXA"), "T282XXA");
        let gold = gold_codes("n1\tq62.11\nn1\tQ62.11\nn2\ti10\n");
        assert_eq!(gold["n1"], ["Q6211"]);
        assert_eq!(gold["n2"], ["I10"]);
        let t = read_titles("query\tcodes\nBurn of gut\tT282XXA T287XXA\n").unwrap();
        assert_eq!(
            t,
            [(
                "Burn of gut".to_string(),
                vec!["T282XXA".to_string(), "T287XXA".to_string()]
            )]
        );
        assert!(read_titles("no tab here\n").is_err());
    }
}
