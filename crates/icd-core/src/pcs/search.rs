//! Procedure search: a statement in, complete ICD-10-PCS codes out, ranked,
//! each with the axes the statement left open.
//!
//! ```no_run
//! # fn demo(pcs: &icd_core::pcs::Pcs<Vec<u8>>) {
//! use icd_core::pcs::search::{PcsSearch, SearchOptions};
//! let s = PcsSearch::new(pcs);
//! let hits = s.search("laparoscopic appendectomy", &SearchOptions::default());
//! assert_eq!(hits[0].code.as_str(), "0DTJ4ZZ");
//! # }
//! ```
//!
//! Every word it knows comes from the classification itself, read once
//! when the searcher is made:
//! - axis value labels, the body part key and device key includes (`Sigmoid
//!   flexure` is the Sigmoid Colon), and the index's `use` references;
//! - index paths with their codes and `see` references (`Appendectomy` sees
//!   `Excision, Appendix` 0DBJ and `Resection, Appendix` 0DTJ; `Biopsy` sees
//!   the operations `with qualifier Diagnostic`);
//! - word endings learned from the single-word index terms: the operations
//!   their references name (`-ectomy` is Excision or Resection, `-pexy`
//!   Repair or Reposition) and the body parts their beginnings name
//!   (`hyster-` is the uterus), so `hysteropexy` reads without being listed;
//! - [`APPROACH_WORDS`], the approach words of the guidelines (B5.2):
//!   laparoscopic and thoracoscopic are Percutaneous Endoscopic.
//! - the general medical language of [`super::lexicon`]: organ adjectives
//!   (`renal` is the kidney), combining forms (`salping-` the fallopian
//!   tube), operation suffixes (`-desis` is Fusion) and operation words (a
//!   `foreign body` is what Extirpation takes out); a statement word that
//!   begins with the root of a one-word index term, said with an operation
//!   its suffix means, takes that term's leads (`repair of hernia` is a
//!   herniorrhaphy).
//! - a statement that names no operation at all is ranked to Repair, the
//!   operation "used only when the method ... is not one of the other root
//!   operations".
//!
//! Caveat: a statement that names no approach, device or qualifier gets the
//! plainest value (open, no device, no qualifier) and that axis is reported
//! open ([`Hit::open`]), to be chosen in the builder rather than trusted.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::lexicon::{
    body_parts_of, suffix_operations, CHANGED_DEVICES, DEVICE_WORDS, IMAGING_WORDS,
    OPERATION_WORDS, ORGAN_ADJECTIVES,
};
use super::{Pcs, RowId, TableId};
use crate::code::PcsCode;
use crate::text::normalize;

/// Approach words the PCS guidelines explain (B5.2, B5.3) and the approach
/// value labels they mean. `endoscopic` without a natural opening is
/// percutaneous endoscopic; with one, via natural or artificial opening
/// endoscopic.
pub const APPROACH_WORDS: &[(&str, &[&str])] = &[
    ("laparoscopic", &["Percutaneous Endoscopic"]),
    ("laparoscopy", &["Percutaneous Endoscopic"]),
    ("thoracoscopic", &["Percutaneous Endoscopic"]),
    ("thoracoscopy", &["Percutaneous Endoscopic"]),
    ("arthroscopic", &["Percutaneous Endoscopic"]),
    ("arthroscopy", &["Percutaneous Endoscopic"]),
    (
        "endoscopic",
        &[
            "Percutaneous Endoscopic",
            "Via Natural or Artificial Opening Endoscopic",
        ],
    ),
    (
        "endoscopy",
        &["Via Natural or Artificial Opening Endoscopic"],
    ),
    ("open", &["Open"]),
    ("percutaneous", &["Percutaneous"]),
    ("needle", &["Percutaneous"]),
    // An injection or infusion enters "by puncture" (the Percutaneous
    // definition), as does what goes in through a vessel.
    ("injection", &["Percutaneous"]),
    ("infusion", &["Percutaneous"]),
    ("intravenous", &["Percutaneous"]),
    ("transvenous", &["Percutaneous"]),
    ("endovascular", &["Percutaneous"]),
    ("puncture", &["Percutaneous"]),
    (
        "transurethral",
        &[
            "Via Natural or Artificial Opening Endoscopic",
            "Via Natural or Artificial Opening",
        ],
    ),
    (
        "transanal",
        &[
            "Via Natural or Artificial Opening Endoscopic",
            "Via Natural or Artificial Opening",
        ],
    ),
    (
        "transvaginal",
        &[
            "Via Natural or Artificial Opening",
            "Via Natural or Artificial Opening Endoscopic",
        ],
    ),
    ("external", &["External"]),
    ("closed", &["External", "Percutaneous"]),
];

/// The approach labels "endoscopic" chooses between.
const PERC_ENDO: &str = "Percutaneous Endoscopic";
const VIA_OPENING_ENDO: &str = "Via Natural or Artificial Opening Endoscopic";

/// Body systems (second character, medical and surgical) reached through a
/// natural opening: respiratory, mouth and throat, gastrointestinal,
/// hepatobiliary, urinary, female and male reproductive, ear and nose.
const NATURAL_OPENINGS: &[char] = &['B', 'C', 'D', 'F', 'T', 'U', 'V', '9'];

/// The approaches of a procedure done without an incision, with weights
/// as [`APPROACH_WORDS`] gives them (the first best).
const WITHOUT_INCISION: &[(&str, f32)] = &[
    ("External", 1.0),
    ("Via Natural or Artificial Opening", 1.0),
    ("Via Natural or Artificial Opening Endoscopic", 0.5),
];

/// The words for taking something out, the label of the root operation
/// Removal.
const TAKING_OUT_WORDS: &[&str] = &["removal", "remove", "removed"];

/// Words that say only a portion of a body part is taken (the Excision
/// definition: "a portion of a body part"). Without one, an `-ectomy`
/// reads as Resection, "all of a body part" (guideline B3.8).
pub const PORTION_WORDS: &[&str] = &[
    "partial",
    "portion",
    "part",
    "subtotal",
    "local",
    "wedge",
    "segmental",
    "biopsy",
    "lesion",
];

/// Stems of the laterality words of body part labels. A statement that
/// names no side matches `Mandible, Right` as well as `Mandible`.
const SIDE_WORDS: &[&str] = &["right", "left", "bilater", "unilater"];

/// Words that say all of a body part is taken: an excision that is
/// `radical` or `total` is a Resection (guideline B3.8).
pub const WHOLE_WORDS: &[&str] = &["radical", "total", "complete", "entire"];

/// Words that say nothing about which code: function words and the
/// generic words of procedure statements.
const STOP: &[&str] = &[
    "of",
    "and",
    "or",
    "the",
    "a",
    "an",
    "on",
    "in",
    "to",
    "with",
    "by",
    "for",
    "from",
    "into",
    "other",
    "procedure",
    "procedures",
    "operation",
    "operations",
    "nec",
    "nos",
    "unspecified",
    "using",
    "via",
    "at",
    "as",
    "without",
];

/// Ranking weights, in one place. Scores are sums of inverse document
/// frequencies of the statement's words, scaled by these.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// A word matched in an axis value's label or key entry.
    pub value: f32,
    /// The operation named by a learned word ending (per unit of its share).
    pub ending_operation: f32,
    /// The body part named by a learned word beginning.
    pub beginning_body_part: f32,
    /// A code under an index path whose words the statement has.
    pub index: f32,
    /// An approach word of [`APPROACH_WORDS`].
    pub approach: f32,
    /// A word of [`OPERATION_WORDS`] (per unit of its share).
    pub operation_word: f32,
    /// A word matched in the table's body system label.
    pub body_system: f32,
    /// A word matched in the table's section label.
    pub section: f32,
    /// Tie-breaker for the plainest value of an axis nobody named.
    pub plain: f32,
    /// Repair, for a statement that names no operation at all (`Other
    /// operations on the cornea`): Repair is the root operation used "only
    /// when the method to accomplish the repair is not one of the other
    /// root operations".
    pub no_operation_repair: f32,
    /// Resection over Excision for a whole body part, Excision over
    /// Resection when a portion is said ([`PORTION_WORDS`]).
    pub whole_or_portion: f32,
    /// How far below its code each further value of an open axis is
    /// ranked (the second value by this much, the third by twice it).
    pub variant: f32,
    /// Against an index path's lead, per word of the path the statement
    /// lacks. A count, not the words' weights: a rarer missing word (`Facial`
    /// beside `Thoracic` in `Division > Nerve > ...`) says no more against
    /// its path.
    pub lead_miss: f32,
    /// Against the New Technology section (X): its codes are for the
    /// technologies their labels name, which a statement says by name
    /// (guideline E1), so a generic word shared with one of its key
    /// includes (`Fosfomycin injection`) does not lead there.
    pub new_technology: f32,
    /// Inspection, for a diagnostic statement that names no operation
    /// (`Other diagnostic procedures on the stomach`): Inspection is
    /// "visually and/or manually exploring a body part", the procedure a
    /// diagnostic one is when it takes nothing out.
    pub diagnostic_inspection: f32,
    /// Change, for the replacement of a device that is changed without
    /// an incision ([`super::lexicon::CHANGED_DEVICES`]).
    pub change: f32,
    /// The usual site of an administration that names none (the
    /// peripheral vein; the muscle for a vaccine): a tie-breaker.
    pub default_site: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            value: 1.0,
            ending_operation: 3.0,
            beginning_body_part: 2.0,
            index: 1.5,
            approach: 4.0,
            operation_word: 6.0,
            body_system: 0.5,
            section: 0.5,
            plain: 0.05,
            no_operation_repair: 1.0,
            whole_or_portion: 0.5,
            variant: 0.5,
            lead_miss: 0.5,
            new_technology: 1.0,
            diagnostic_inspection: 3.0,
            change: 6.0,
            default_site: 0.1,
        }
    }
}

/// Search options.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// Codes returned.
    pub top: usize,
    /// At most this many codes per table and body part, so the list shows
    /// alternatives rather than ten approaches of one procedure.
    pub per_body_part: usize,
    /// At most this many codes per table.
    pub per_table: usize,
    /// The leading codes whose open axes are varied (see
    /// [`SearchOptions::alternatives`]).
    pub varied: usize,
    /// Other values offered per open axis of a leading code.
    pub alternatives: usize,
    /// The weights.
    pub weights: Weights,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            top: 10,
            per_body_part: 2,
            per_table: 3,
            varied: 1,
            alternatives: 3,
            weights: Weights::default(),
        }
    }
}

/// One suggested code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The complete code.
    pub code: PcsCode,
    /// Its derived title.
    pub title: String,
    /// Score (higher is better).
    pub score: f32,
    /// Positions (4 to 7) the statement did not decide: the code shows the
    /// plainest value there, to be chosen in the builder or the table.
    pub open: Vec<u8>,
    /// The table, to show with the open axes still to choose.
    pub table: String,
    /// What led here (index paths, word endings).
    pub via: Vec<String>,
}

/// An index path that leads to codes.
#[derive(Debug, Clone)]
struct IndexLead {
    /// Stems of the main term (all needed).
    main: Vec<String>,
    /// Stems of the subterms (each one counts).
    sub: Vec<String>,
    /// Stems after the main term's comma: each one present counts, none is needed.
    also: Vec<String>,
    /// The code prefix it gives (may be empty).
    prefix: String,
    /// Operation label a `see` names.
    operation: Option<String>,
    /// Qualifier label a `see ... with qualifier X` names.
    qualifier: Option<String>,
    path: String,
}

/// A scored code before the list is cut.
struct Cand {
    score: f32,
    code: PcsCode,
    open: Vec<u8>,
    via: Vec<String>,
    /// Where its row's ranked approach, device and qualifier values are.
    row_at: usize,
}

/// How plausible an approach is when the statement names none, 0 to 1.
/// Open comes first (the plainest, and the one a procedure title without
/// an approach word most often means), then the percutaneous endoscopic
/// and percutaneous approaches, then the natural openings and external.
fn approach_prior(ch: char) -> f32 {
    match ch {
        '0' => 1.0,
        '4' => 0.8,
        '3' => 0.7,
        '8' => 0.5,
        '7' => 0.4,
        'X' => 0.3,
        _ => 0.2,
    }
}

/// [`approach_prior`] for the Administration section: a substance goes in
/// "by puncture" (the Percutaneous definition) far more often than through
/// an open wound, so percutaneous comes first there.
fn administration_prior(ch: char) -> f32 {
    match ch {
        '3' => 1.0,
        '0' => 0.8,
        _ => approach_prior(ch),
    }
}

/// The search over one PCS artifact; make once, search many times.
#[derive(Debug)]
pub struct PcsSearch<'a, D> {
    pcs: &'a Pcs<D>,
    /// Names (stem lists) of each value label: the label and its aliases.
    names: HashMap<String, Vec<Vec<String>>>,
    idf: HashMap<String, f32>,
    default_idf: f32,
    leads: Vec<IndexLead>,
    /// Main-term stems to leads.
    lead_by_word: HashMap<String, Vec<usize>>,
    /// Roots of one-word index terms with an operation suffix
    /// (`herni` of Herniorrhaphy) to their leads and the suffix's operations.
    roots: HashMap<String, Vec<(usize, Shares)>>,
    /// Learned word endings: ending -> (operation label, share).
    endings: Vec<(String, Vec<(String, f32)>)>,
    /// Learned word beginnings: beginning -> (section, body system, body part).
    beginnings: HashMap<String, Vec<(char, char, char)>>,
    /// Operation labels.
    operations: HashSet<String>,
    /// Per table: whether its fifth axis is the approach.
    approach_axis: Vec<bool>,
}

fn stemmer() -> rust_stemmers::Stemmer {
    rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
}

/// The statement's words, without those a `without` rules out (`closed
/// reduction without internal fixation` says nothing for a device).
fn statement_words(s: &str) -> Vec<String> {
    let kept: Vec<&str> = s
        .split([',', ';', '(', ')'])
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            match lower.find("without") {
                Some(i) => &part[..i],
                None => part,
            }
        })
        .collect();
    words(&kept.join(" , "))
}

fn words(s: &str) -> Vec<String> {
    normalize(s)
        .split(' ')
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(str::to_string)
        .collect()
}

fn stems(st: &rust_stemmers::Stemmer, s: &str) -> Vec<String> {
    words(s).iter().map(|w| st.stem(w).into_owned()).collect()
}

/// Root operations with their shares, as the lexicon gives them.
type Shares = &'static [(&'static str, f32)];

/// Shortest root of an index term a statement word is matched to.
const ROOT_MIN: usize = 5;

/// Operation word endings (`ectomy`) are looked for at these lengths.
const ENDING_LENGTHS: std::ops::RangeInclusive<usize> = 4..=7;

impl<'a, D: AsRef<[u8]>> PcsSearch<'a, D> {
    /// Reads the vocabulary out of the artifact.
    pub fn new(pcs: &'a Pcs<D>) -> PcsSearch<'a, D> {
        let st = stemmer();
        let mut names: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        let mut operations = HashSet::new();
        // Every label is its own first name.
        for t in pcs.tables() {
            let head = pcs.table_axes(t);
            operations.insert(head[2].label.clone());
            // Section and body system labels name the table
            // (`Diagnostic Audiology`, `Urinary System`).
            for a in &head[..2] {
                names
                    .entry(a.label.clone())
                    .or_insert_with(|| vec![stems(&st, &a.label)]);
            }
            for r in pcs.table_rows(t) {
                for p in 4..=7 {
                    for v in pcs.row_values(RowId(r), p) {
                        names
                            .entry(v.label.clone())
                            .or_insert_with(|| vec![stems(&st, &v.label)]);
                    }
                }
            }
        }
        // An operation's name is its label and each of its examples
        // (`Kidney transplant, heart transplant` for Transplantation).
        for op in &operations {
            names
                .entry(op.clone())
                .or_insert_with(|| vec![stems(&st, op)]);
        }
        for k in pcs.keys() {
            if k.axis != 3 {
                continue;
            }
            for title in &k.titles {
                if let Some(list) = names.get_mut(title) {
                    for inc in k.includes.iter().flat_map(|i| i.split(',')) {
                        let s = stems(&st, inc);
                        if !s.is_empty() && !list.contains(&s) {
                            list.push(s);
                        }
                    }
                }
            }
        }
        // Body part and device key includes are other names of their value.
        for k in pcs.keys() {
            if k.axis != 4 && k.axis != 6 {
                continue;
            }
            for title in &k.titles {
                let label = title
                    .split(" for ")
                    .next()
                    .unwrap_or(title)
                    .split(" in ")
                    .next()
                    .unwrap_or(title);
                if let Some(list) = names.get_mut(label) {
                    for inc in &k.includes {
                        let s = stems(&st, inc);
                        if !s.is_empty() && !list.contains(&s) {
                            list.push(s);
                        }
                    }
                }
            }
        }
        // The index: `use` references name values; paths lead to codes.
        let mut leads = Vec::new();
        let mut roots: HashMap<String, Vec<(usize, Shares)>> = HashMap::new();
        let mut ending_ops: BTreeMap<String, BTreeMap<String, f32>> = BTreeMap::new();
        let mut beginnings: HashMap<String, Vec<(char, char, char)>> = HashMap::new();
        let n = pcs.index_len() as u32;
        for i in 0..n {
            let id = super::IndexId(i);
            let term = pcs.index_term(id);
            let mut chain = vec![id];
            while let Some(p) = pcs.index_parent(*chain.last().unwrap_or(&id)) {
                chain.push(p);
            }
            chain.reverse();
            let main = pcs.index_term(chain[0]);
            if !term.use_.is_empty() {
                let label = term
                    .use_
                    .split(" in ")
                    .next()
                    .unwrap_or(&term.use_)
                    .to_string();
                let s = stems(&st, &main.title);
                if let Some(list) = names.get_mut(&label) {
                    if !s.is_empty() && !list.contains(&s) {
                        list.push(s);
                    }
                }
                continue;
            }
            if term.code.is_empty() && term.see.is_empty() {
                continue;
            }
            let (operation, qualifier) = see_parts(&term.see, &operations);
            let sub: Vec<String> = chain[1..]
                .iter()
                .flat_map(|c| stems(&st, &pcs.index_term(*c).title))
                .collect();
            let prefix = term.code.trim_end_matches('-').to_string();
            // Learn endings and beginnings from one-word main terms that
            // lead straight to an operation.
            let word = normalize(main.title.split(',').next().unwrap_or_default());
            let op_here = operation.clone().or_else(|| {
                prefix
                    .get(..3)
                    .and_then(|k| pcs.table(k))
                    .map(|t| pcs.table_axes(t)[2].label.clone())
            });
            if chain.len() <= 2 && !word.contains(' ') && word.len() > 6 {
                if let Some(op) = &op_here {
                    for len in ENDING_LENGTHS {
                        if let Some(end) = word.get(word.len().saturating_sub(len)..) {
                            *ending_ops
                                .entry(end.to_string())
                                .or_default()
                                .entry(op.clone())
                                .or_default() += 1.0;
                        }
                    }
                }
                if prefix.len() >= 4 {
                    let b = prefix.as_bytes();
                    for len in 4..word.len().saturating_sub(3) {
                        if let Some(start) = word.get(..len) {
                            let e = beginnings.entry(start.to_string()).or_default();
                            let v = (b[0] as char, b[1] as char, b[3] as char);
                            if !e.contains(&v) {
                                e.push(v);
                            }
                        }
                    }
                }
            }
            // `Osteotomy, ostotomy` and `Aspiration, fine needle`: the words
            // before the comma are the term, the rest a variant or modifier.
            let (head, rest) = main.title.split_once(',').unwrap_or((&main.title, ""));
            if let (false, Some((end, ops))) = (word.contains(' '), suffix_operations(&word)) {
                let root = &word[..word.len() - end.len()];
                // One linking vowel: `hernio-rrhaphy` is the root `herni`.
                let root = root.strip_suffix(['o', 'i']).unwrap_or(root);
                if root.len() >= ROOT_MIN {
                    roots
                        .entry(root.to_string())
                        .or_default()
                        .push((leads.len(), ops));
                }
            }
            leads.push(IndexLead {
                main: stems(&st, head),
                also: stems(&st, rest),
                sub,
                prefix,
                operation,
                qualifier,
                path: format!(
                    "{}{}",
                    pcs.index_path(id),
                    if term.see.is_empty() {
                        String::new()
                    } else {
                        format!(" (see {})", term.see)
                    }
                ),
            });
        }
        // Keep endings seen often enough, with the operations' shares.
        let mut endings: Vec<(String, Vec<(String, f32)>)> = ending_ops
            .into_iter()
            .filter_map(|(end, ops)| {
                let total: f32 = ops.values().sum();
                if total < 5.0 {
                    return None;
                }
                let mut shares: Vec<(String, f32)> = ops
                    .into_iter()
                    .map(|(o, c)| (o, c / total))
                    .filter(|(_, s)| *s >= 0.15)
                    .collect();
                shares.sort_by(|a, b| b.1.total_cmp(&a.1));
                let top: f32 = shares.iter().map(|s| s.1).sum();
                (top >= 0.6).then_some((end, shares))
            })
            .collect();
        // Longest ending first.
        endings.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        // A beginning shared by many body parts says nothing.
        beginnings.retain(|_, v| v.len() <= 3);
        let mut lead_by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, l) in leads.iter().enumerate() {
            if let Some(w) = l.main.first() {
                lead_by_word.entry(w.clone()).or_default().push(i);
            }
        }
        // Document frequency over every name.
        let mut df: HashMap<String, f32> = HashMap::new();
        let mut docs = 0f32;
        for list in names.values() {
            for name in list {
                docs += 1.0;
                let uniq: HashSet<&String> = name.iter().collect();
                for w in uniq {
                    *df.entry(w.clone()).or_default() += 1.0;
                }
            }
        }
        let idf = df
            .into_iter()
            .map(|(w, d)| (w, (docs / d).ln().max(0.1)))
            .collect();
        let approach_axis = pcs
            .tables()
            .map(|t| pcs.axis_titles(t)[4] == "Approach")
            .collect();
        PcsSearch {
            pcs,
            approach_axis,
            names,
            idf,
            default_idf: docs.ln(),
            leads,
            lead_by_word,
            roots,
            endings,
            beginnings,
            operations,
        }
    }

    fn idf(&self, w: &str) -> f32 {
        self.idf.get(w).copied().unwrap_or(self.default_idf)
    }

    /// How well a value label matches the statement's stems: the best of
    /// its names, each scored by the weight of the words it shares times
    /// the share of its words present.
    fn value_score(&self, label: &str, q: &HashSet<String>) -> f32 {
        self.value_score_aliased(label, q, q)
    }

    /// [`Self::value_score`] with the label's other names (key includes,
    /// Index `use` terms) matched against `aliased` instead.
    fn value_score_aliased(
        &self,
        label: &str,
        q: &HashSet<String>,
        aliased: &HashSet<String>,
    ) -> f32 {
        let Some(list) = self.names.get(label) else {
            return 0.0;
        };
        list.iter()
            .enumerate()
            .map(|(i, name)| {
                let q = if i == 0 { q } else { aliased };
                if name.is_empty() {
                    return 0.0;
                }
                let hit: f32 = name
                    .iter()
                    .filter(|w| word_in(w, q))
                    .map(|w| self.idf(w))
                    .sum();
                let n = name.iter().filter(|w| word_in(w, q)).count();
                // A side the statement does not name does not count
                // against a name: titles rarely say right or left.
                let len = name
                    .iter()
                    .filter(|w| word_in(w, q) || !SIDE_WORDS.contains(&w.as_str()))
                    .count()
                    .max(1);
                hit * (n as f32 / len as f32).sqrt()
            })
            .fold(0.0, f32::max)
    }

    /// The ranked codes for a statement.
    pub fn search(&self, statement: &str, opts: &SearchOptions) -> Vec<Hit> {
        let st = stemmer();
        let w = opts.weights;
        let raw = statement_words(statement);
        let mut q: HashSet<String> = raw.iter().map(|x| st.stem(x).into_owned()).collect();
        if q.is_empty() {
            return Vec::new();
        }
        for word in &raw {
            if let Some((_, noun)) = ORGAN_ADJECTIVES.iter().find(|(a, _)| a == word) {
                q.extend(stems(&st, noun));
            }
            if let Some((_, label)) = IMAGING_WORDS.iter().find(|(a, _)| a == word) {
                q.extend(stems(&st, label));
            }
            if let Some((_, label)) = DEVICE_WORDS.iter().find(|(a, _)| a == word) {
                q.extend(stems(&st, label));
            }
            // The record and the recording are one study: a cystogram is
            // the Index's Cystography, a lymphangiography its
            // Lymphangiogram.
            let stem = word.strip_suffix('s').unwrap_or(word);
            if let Some(root) = stem.strip_suffix("gram") {
                q.insert(st.stem(&format!("{root}graphy")).into_owned());
            } else if let Some(root) = stem.strip_suffix("graphy") {
                q.insert(st.stem(&format!("{root}gram")).into_owned());
            }
        }
        let portion = raw.iter().any(|x| PORTION_WORDS.contains(&x.as_str()));
        let diagnostic = raw.iter().any(|x| x == "diagnostic");
        let whole = raw.iter().any(|x| WHOLE_WORDS.contains(&x.as_str()));
        // Approach words.
        let mut approach: HashMap<&str, f32> = HashMap::new();
        for word in &raw {
            for (aw, labels) in APPROACH_WORDS {
                if word == aw {
                    for (i, l) in labels.iter().enumerate() {
                        let e = approach.entry(l).or_default();
                        *e = e.max(1.0 / (i + 1) as f32);
                    }
                }
            }
        }
        // Open is "cutting through the skin or mucous membrane" and
        // percutaneous "entry ... by puncture or minor incision": what is
        // done without an incision is external or goes through a natural
        // or artificial opening.
        if normalize(statement).contains("without incision") {
            for (l, x) in WITHOUT_INCISION {
                let e = approach.entry(l).or_default();
                *e = e.max(*x);
            }
        }
        // Learned endings and beginnings of the statement's words.
        let mut ops: HashMap<String, f32> = HashMap::new();
        let mut parts: HashMap<(char, char, char), f32> = HashMap::new();
        let mut via_words = Vec::new();
        let mut nouns: Vec<&str> = Vec::new();
        for word in &raw {
            if let Some((_, shares)) = OPERATION_WORDS.iter().find(|(w, _)| w == word) {
                for (o, s) in *shares {
                    let e = ops.entry(o.to_string()).or_default();
                    *e = e.max(*s * w.operation_word / w.ending_operation.max(f32::EPSILON));
                }
            }
        }
        // The replacement of a tube, a catheter or packing is a Change
        // (its definition: "putting back an identical or similar device
        // ... without cutting or puncturing the skin").
        let replaced = raw.iter().any(|x| x == "replacement" || x == "replace");
        let changed = raw.iter().any(|x| {
            let one = x.strip_suffix('s').unwrap_or(x);
            CHANGED_DEVICES.contains(&one)
        });
        if replaced && changed {
            let e = ops.entry("Change".to_string()).or_default();
            *e = e.max(w.change / w.ending_operation.max(f32::EPSILON));
        }
        // The removal of a foreign body or a calculus takes out solid
        // matter, an Extirpation; the root operation Removal takes out a
        // device, so its word no longer names it.
        if ops.get("Extirpation").is_some_and(|x| *x > 0.0) {
            for word in TAKING_OUT_WORDS {
                q.remove(st.stem(word).as_ref());
            }
        }
        for word in &raw {
            // Only words the labels and keys do not know are taken apart.
            if self.idf.contains_key(st.stem(word).as_ref()) {
                continue;
            }
            // A suffix of general medical language first, else one learned
            // from the Index.
            let mut stem = word.as_str();
            if let Some((end, shares)) = suffix_operations(word) {
                for (o, s) in shares {
                    let e = ops.entry(o.to_string()).or_default();
                    *e = e.max(*s);
                }
                via_words.push(format!("-{end}"));
                stem = &word[..word.len() - end.len()];
            } else if let Some((end, shares)) = self
                .endings
                .iter()
                .find(|(e, _)| word.len() > e.len() + 2 && word.ends_with(e.as_str()))
            {
                for (o, s) in shares {
                    let e = ops.entry(o.clone()).or_default();
                    *e = e.max(*s);
                }
                via_words.push(format!("-{end}"));
                stem = &word[..word.len() - end.len()];
            }
            let named = body_parts_of(stem);
            if !named.is_empty() {
                via_words.push(format!("{stem}-"));
                nouns.extend(named);
            }
            if stem.len() < word.len() {
                let mut cut = stem.len();
                while cut >= 4 {
                    if let Some(v) = self.beginnings.get(&stem[..cut]) {
                        for p in v {
                            parts.insert(*p, 1.0 / v.len() as f32);
                        }
                        via_words.push(format!("{}-", &stem[..cut]));
                        break;
                    }
                    cut -= 1;
                }
            }
        }
        for n in nouns {
            q.extend(stems(&st, n));
        }
        // A `radical excision` is a Resection and a `partial resection`
        // an Excision (guideline B3.8): the operation word then names the
        // other operation, so it no longer leads to its own label or
        // Index paths (`Excision > Tongue`).
        let excision_said = self.value_score("Excision", &q);
        let resection_said = self.value_score("Resection", &q);
        if whole && !portion {
            q.remove(st.stem("excision").as_ref());
        }
        if portion && !whole {
            q.remove(st.stem("resection").as_ref());
        }
        // Index leads whose main term the statement has.
        let mut leads: Vec<(&IndexLead, f32)> = Vec::new();
        let mut seen = HashSet::new();
        for s in &q {
            for &i in self.lead_by_word.get(s).into_iter().flatten() {
                let l = &self.leads[i];
                if !seen.insert(i) || !l.main.iter().all(|m| q.contains(m)) {
                    continue;
                }
                // A subterm word the main term already has (`Fusion >
                // ... > Interbody Fusion Device`) says nothing more.
                let sub_hit: f32 = l
                    .sub
                    .iter()
                    .filter(|x| q.contains(*x) && !l.main.contains(x))
                    .map(|x| self.idf(x))
                    .sum();
                let sub_miss = l.sub.iter().filter(|x| !q.contains(*x)).count();
                // A lead to a code needs its subterms; one that only names
                // an operation (`Suture > Laceration repair`, see Repair)
                // still says the operation, at half weight.
                let mut scale = 1.0;
                if sub_miss > 0 && sub_hit == 0.0 {
                    if !l.prefix.is_empty() || l.operation.is_none() {
                        continue;
                    }
                    scale = 0.5;
                }
                let main: f32 = l.main.iter().map(|x| self.idf(x)).sum::<f32>()
                    + l.also
                        .iter()
                        .filter(|x| q.contains(*x))
                        .map(|x| self.idf(x))
                        .sum::<f32>();
                let score = if scale < 1.0 {
                    main * scale
                } else {
                    main + sub_hit - w.lead_miss * sub_miss as f32
                };
                leads.push((l, score));
            }
        }
        let mut root_leads: Vec<(&IndexLead, f32)> = Vec::new();
        // `Repair of hernia` is a herniorrhaphy: a word that begins with the
        // root of a one-word index term, said with an operation its suffix
        // means, takes that term's leads.
        for word in &raw {
            for cut in ROOT_MIN..=word.len() {
                let Some(list) = word.get(..cut).and_then(|r| self.roots.get(r)) else {
                    continue;
                };
                for (i, shares) in list {
                    let said = shares
                        .iter()
                        .any(|(op, _)| self.value_score(op, &q) > 0.0 || ops.contains_key(*op));
                    if said && seen.insert(*i) {
                        root_leads.push((&self.leads[*i], self.idf(st.stem(word).as_ref())));
                    }
                }
            }
        }
        let cache: std::cell::RefCell<HashMap<String, f32>> = Default::default();
        let score_of = |label: &str| -> f32 {
            if let Some(s) = cache.borrow().get(label) {
                return *s;
            }
            let s = self.value_score(label, &q);
            cache.borrow_mut().insert(label.to_string(), s);
            s
        };
        // An approach word is the approach's: it does not also name a
        // device or qualifier through a key include (`Percutaneous
        // nephrostomy catheter` is a Drainage Device, yet a percutaneous
        // aspiration leaves none); the label's own words still count
        // (`external fixator` is the External Fixation Device).
        let q_tail: HashSet<String> = {
            let said: HashSet<String> = raw
                .iter()
                .filter(|x| APPROACH_WORDS.iter().any(|(a, _)| a == x))
                .map(|x| st.stem(x).into_owned())
                .collect();
            q.difference(&said).cloned().collect()
        };
        let tail_cache: std::cell::RefCell<HashMap<String, f32>> = Default::default();
        let tail_score_of = |label: &str| -> f32 {
            if let Some(s) = tail_cache.borrow().get(label) {
                return *s;
            }
            let s = self.value_score_aliased(label, &q, &q_tail);
            tail_cache.borrow_mut().insert(label.to_string(), s);
            s
        };
        // Whether anything in the statement names an operation.
        let names_operation_in = |q: &HashSet<String>, leads: &[(&IndexLead, f32)]| {
            !leads.is_empty()
                || !ops.is_empty()
                || self.operations.iter().any(|op| {
                    self.value_score(op, q) > 0.0
                        || (!self.names.contains_key(op) && self.label_score_once(op, q) > 0.0)
                })
        };
        let names_operation = names_operation_in(&q, &leads);
        // `Diagnostic` is an example word of the operations that take a
        // sample (`Diagnostic paracentesis` of Drainage): a diagnostic
        // statement that names no operation but by that word is an
        // Inspection.
        let diagnostic = diagnostic && {
            let d = st.stem("diagnostic").into_owned();
            let mut without = q.clone();
            without.remove(&d);
            let other: Vec<(&IndexLead, f32)> = leads
                .iter()
                .filter(|(l, _)| !l.main.contains(&d))
                .copied()
                .collect();
            !names_operation_in(&without, &other)
        };
        // "Endoscopic" alone, in a body system with natural openings (the
        // digestive, hepatobiliary, respiratory, urinary and reproductive
        // tracts, mouth, ear, nose), goes through the opening first: an
        // endoscopic dilation of the ampulla is an ERCP's (8), not a
        // laparoscopy's (4).
        let endoscopic_only = raw.iter().any(|x| x == "endoscopic")
            && !raw.iter().any(|x| {
                APPROACH_WORDS
                    .iter()
                    .any(|(aw, ls)| aw != &"endoscopic" && x == aw && ls.contains(&PERC_ENDO))
            });
        let approach_in = |label: &str, section: char, system: char| -> Option<f32> {
            if endoscopic_only && section == '0' && NATURAL_OPENINGS.contains(&system) {
                match label {
                    VIA_OPENING_ENDO => return Some(1.0),
                    PERC_ENDO => return Some(0.5),
                    _ => {}
                }
            }
            approach.get(label).copied()
        };
        // Each of approach, device and qualifier of a row, its values
        // ranked by what the statement says of them (best first); a value
        // nothing named is open.
        let tail_values = |vals: &[Vec<super::Value>],
                           op: &str,
                           approach_axis: bool,
                           section: char,
                           system: char,
                           table_leads: &[&(&IndexLead, f32)]| {
            let mut out: Vec<Vec<(char, f32, bool)>> = Vec::with_capacity(3);
            for (a, list) in vals.iter().enumerate().skip(1) {
                let pos = 4 + a as u8;
                // The qualifier's words that the device or substance
                // chosen already has (`Influenza Vaccine` beside `Serum,
                // Toxoid and Vaccine`) are counted there: what is left
                // must be said.
                let counted: Option<(HashSet<String>, HashSet<String>)> = (pos == 7)
                    .then(|| out.get(1).and_then(|d| d.first()).copied())
                    .flatten()
                    .filter(|d| !d.2)
                    .and_then(|d| vals[2].iter().find(|v| v.ch == d.0))
                    .map(|dv| {
                        let said: HashSet<String> = stems(&st, &dv.label).into_iter().collect();
                        (
                            q.difference(&said).cloned().collect(),
                            q_tail.difference(&said).cloned().collect(),
                        )
                    });
                let mut scored: Vec<(char, f32, bool)> = list
                    .iter()
                    .map(|v| {
                        let mut s = if let Some((q7, q7_tail)) = &counted {
                            w.value * self.value_score_aliased(&v.label, q7, q7_tail)
                        } else if pos > 5 {
                            w.value * tail_score_of(&v.label)
                        } else {
                            w.value * score_of(&v.label)
                        };
                        // The operation's own word in a device or qualifier
                        // label (`Drainage Device` of a Drainage) is already
                        // counted by the operation: what is left must be said.
                        if pos > 5 && v.label.contains(op) {
                            s = (s - w.value * tail_score_of(op)).max(0.0);
                        }
                        let mut open = s <= 0.0;
                        // Only the sections whose fifth axis is the
                        // approach rank approaches; elsewhere it is a
                        // contrast, a modality or a substance, whose
                        // plainest value is none (`Z`), as on the
                        // other axes.
                        if pos == 5 && approach_axis {
                            if let Some(x) = approach_in(v.label.as_str(), section, system) {
                                s += w.approach * x;
                                open = false;
                            }
                            s += w.plain
                                * if section == '3' {
                                    administration_prior(v.ch)
                                } else {
                                    approach_prior(v.ch)
                                };
                        } else if v.ch == 'Z' {
                            s += w.plain;
                        }
                        if pos == 7 {
                            for (l, ls) in table_leads {
                                if l.qualifier.as_deref() == Some(v.label.as_str()) {
                                    s += w.index * ls;
                                    open = false;
                                }
                            }
                        }
                        (v.ch, s, open)
                    })
                    .collect();
                // Stable: equal scores keep the table's order.
                scored.sort_by(|x, y| y.1.total_cmp(&x.1));
                out.push(scored);
            }
            out
        };
        let mut cands: Vec<Cand> = Vec::new();
        let mut tails: Vec<Vec<Vec<(char, f32, bool)>>> = Vec::new();
        for t in self.pcs.tables() {
            let head = self.pcs.table_axes(t);
            let key = self.pcs.table_key(t);
            let op = head[2].label.as_str();
            let approach_axis = self.approach_axis[t.0 as usize];
            let mut table_score = w.value * self.value_score(op, &q)
                + w.section * self.value_score(&head[0].label, &q)
                + w.ending_operation * ops.get(op).copied().unwrap_or(0.0);
            if !self.names.contains_key(op) {
                table_score += w.value * self.label_score_once(op, &q);
            }
            if (op == "Resection" && !portion) || (op == "Excision" && portion) {
                table_score += w.whole_or_portion;
            }
            // `Radical excision` takes all of the body part; a `partial` or
            // `segmental resection` a portion of it.
            if op == "Resection" && whole {
                table_score += w.value * excision_said;
            }
            if op == "Excision" && portion {
                table_score += w.value * resection_said;
            }
            if !names_operation && op == "Repair" {
                table_score += w.no_operation_repair;
            }
            if op == "Inspection" && diagnostic {
                table_score += w.diagnostic_inspection;
            }
            if head[0].ch == 'X' {
                table_score -= w.new_technology;
            }
            // The body system counts where no body part of the table is
            // named, so a word is not counted twice (`bone marrow` is not
            // the Upper Bones).
            let system_score = w.body_system * self.value_score(&head[1].label, &q);
            // Root leads name tables (Herniorrhaphy: 0WQ, 0YQ) and add to
            // what the statement's own words lead to.
            table_score += w.index
                * root_leads
                    .iter()
                    .filter(|(l, _)| l.prefix.len() >= 3 && l.prefix.starts_with(&key))
                    .map(|x| x.1)
                    .fold(0.0, f32::max);
            let table_leads: Vec<&(&IndexLead, f32)> = leads
                .iter()
                .filter(|(l, _)| {
                    l.prefix.is_empty() && l.operation.as_deref() == Some(op)
                        || (l.prefix.len() >= 3 && l.prefix.starts_with(&key))
                        || (l.prefix.len() < 3
                            && !l.prefix.is_empty()
                            && key.starts_with(&l.prefix))
                })
                .collect();
            for r in self.pcs.table_rows(t) {
                let row = RowId(r);
                let vals: Vec<Vec<super::Value>> =
                    (4..=7).map(|p| self.pcs.row_values(row, p)).collect();
                // Values of approach, device, qualifier, best first.
                let ranked = tail_values(
                    &vals,
                    op,
                    approach_axis,
                    head[0].ch,
                    head[1].ch,
                    &table_leads,
                );
                let best_tail: Vec<(char, f32, bool)> = ranked.iter().map(|l| l[0]).collect();
                let row_at = tails.len();
                let site_named =
                    head[0].ch == '3' && vals[0].iter().any(|bp| score_of(&bp.label) > 0.0);
                for bp in &vals[0] {
                    let mut part = w.value * score_of(&bp.label);
                    if let Some(x) = parts.get(&(head[0].ch, head[1].ch, bp.ch)) {
                        part += w.beginning_body_part * x;
                    }
                    // The best index lead this body part fits; a lead to a
                    // longer code (`Hysteroscopy` 0UJD8ZZ) also gives the
                    // approach, device or qualifier it names.
                    let mut via = Vec::new();
                    let mut lead_bonus = 0f32;
                    let mut lead_tail: &str = "";
                    for (l, ls) in &table_leads {
                        let p = l.prefix.as_bytes();
                        let fits = p.len() < 4 || p[3] == bp.ch as u8;
                        if !fits || *ls <= lead_bonus {
                            continue;
                        }
                        let tail_fits = l
                            .prefix
                            .chars()
                            .skip(4)
                            .enumerate()
                            .all(|(i, ch)| ranked[i].iter().any(|v| v.0 == ch));
                        if tail_fits {
                            lead_bonus = *ls;
                            lead_tail = l.prefix.get(4..).unwrap_or("");
                            via = vec![l.path.clone()];
                        }
                    }
                    let mut chosen = best_tail.clone();
                    for (i, ch) in lead_tail.chars().enumerate() {
                        if let Some(v) = ranked[i].iter().find(|v| v.0 == ch) {
                            chosen[i] = (v.0, v.1, false);
                        }
                    }
                    let tail: f32 = chosen.iter().map(|b| b.1).sum();
                    let mut s = table_score + tail + part.max(system_score);
                    let code_str = format!(
                        "{key}{}{}{}{}",
                        bp.ch, chosen[0].0, chosen[1].0, chosen[2].0
                    );
                    s += w.index * lead_bonus;
                    // An administration that names no site: an infusion
                    // or transfusion goes into a peripheral vein, a vaccine
                    // into the muscle.
                    if head[0].ch == '3' && !site_named {
                        let substance = vals[2]
                            .iter()
                            .find(|v| v.ch == chosen[1].0 && !chosen[1].2)
                            .map(|v| v.label.as_str());
                        let site = if substance == Some("Serum, Toxoid and Vaccine") {
                            "Muscle"
                        } else {
                            "Peripheral Vein"
                        };
                        if bp.label == site {
                            s += w.default_site;
                        }
                    }
                    if s <= 0.5 {
                        continue;
                    }
                    let Ok(code) = code_str.parse::<PcsCode>() else {
                        continue;
                    };
                    let open: Vec<u8> = chosen
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| b.2)
                        .map(|(i, _)| 5 + i as u8)
                        .collect();
                    if !via_words.is_empty() && via.is_empty() {
                        via = via_words.clone();
                    }
                    cands.push(Cand {
                        score: s,
                        code,
                        open,
                        via,
                        row_at,
                    });
                }
                tails.push(ranked);
            }
        }
        cands.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.code.cmp(&b.code)));
        // The statement rarely names every axis: beside the best codes,
        // the leading codes' other plausible values on the axes it left
        // open, each a little below its code, so the list offers the
        // approaches and devices of the likely procedure as well as its
        // likely neighbours.
        let mut variants: Vec<Cand> = Vec::new();
        for c in cands.iter().take(opts.varied) {
            let ranked = &tails[c.row_at];
            for (i, axis) in ranked.iter().enumerate() {
                if !axis[0].2 {
                    continue;
                }
                for (j, alt) in axis.iter().enumerate().skip(1).take(opts.alternatives) {
                    let mut code = c.code.as_str().to_string();
                    code.replace_range(4 + i..5 + i, &alt.0.to_string());
                    let Ok(code) = code.parse::<PcsCode>() else {
                        continue;
                    };
                    variants.push(Cand {
                        score: c.score - (axis[0].1 - alt.1) - w.variant * j as f32,
                        code,
                        open: c.open.clone(),
                        via: c.via.clone(),
                        row_at: c.row_at,
                    });
                }
            }
        }
        cands.extend(variants);
        cands.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.code.cmp(&b.code)));
        let mut per: HashMap<String, usize> = HashMap::new();
        let mut per_table: HashMap<String, usize> = HashMap::new();
        let mut seen_codes = HashSet::new();
        let mut out = Vec::new();
        for c in cands {
            if !seen_codes.insert(c.code) {
                continue;
            }
            let t = per_table
                .entry(c.code.as_str()[..3].to_string())
                .or_default();
            if *t >= opts.per_table {
                continue;
            }
            let k = c.code.as_str()[..4].to_string();
            let n = per.entry(k).or_default();
            if *n >= opts.per_body_part {
                continue;
            }
            *n += 1;
            *t += 1;
            out.push(Hit {
                title: self.pcs.title(&c.code).unwrap_or_default(),
                table: c.code.as_str()[..3].to_string(),
                code: c.code,
                score: c.score,
                open: c.open,
                via: c.via,
            });
            if out.len() >= opts.top {
                break;
            }
        }
        out
    }

    /// The score of an operation label that is not among the value names.
    fn label_score_once(&self, label: &str, q: &HashSet<String>) -> f32 {
        let st = stemmer();
        let name = stems(&st, label);
        let n = name.iter().filter(|w| word_in(w, q)).count();
        if name.is_empty() {
            return 0.0;
        }
        name.iter()
            .filter(|w| word_in(w, q))
            .map(|w| self.idf(w))
            .sum::<f32>()
            * (n as f32 / name.len() as f32).sqrt()
    }

    /// The table of a code, for callers that show the open axes.
    pub fn table_of(&self, hit: &Hit) -> Option<TableId> {
        self.pcs.table(&hit.table)
    }

    /// Operation labels the searcher knows (for tests).
    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }

    /// The learned word endings and their operations (for tests and `--explain`).
    pub fn endings(&self) -> &[(String, Vec<(String, f32)>)] {
        &self.endings
    }
}

/// Whether a name's stem is among the statement's: the same stem, or one
/// of at least [`PREFIX_MATCH`] letters beginning the other (`vagin` of
/// vaginal and `vagina`, `tars` and `tarsal`).
fn word_in(w: &str, q: &HashSet<String>) -> bool {
    q.contains(w)
        || q.iter().any(|s| {
            s.len().min(w.len()) >= PREFIX_MATCH && (s.starts_with(w) || w.starts_with(s.as_str()))
        })
}

/// Shortest stem that matches as the beginning of a longer one.
pub const PREFIX_MATCH: usize = 5;

/// The operation and qualifier a `see` reference names: `Resection,
/// Uterus` names Resection; `Excision with qualifier Diagnostic` names
/// Excision and the qualifier Diagnostic.
fn see_parts(see: &str, operations: &HashSet<String>) -> (Option<String>, Option<String>) {
    if see.is_empty() {
        return (None, None);
    }
    let (head, qualifier) = match see.split_once(" with qualifier ") {
        Some((h, q)) => (h, Some(q.trim().to_string())),
        None => (see, None),
    };
    // `Insertion of device in, Trachea`, `Control bleeding in`: the
    // longest operation label the reference starts with.
    let head = head.split(',').next().unwrap_or("").trim();
    let op = operations
        .iter()
        .filter(|o| {
            head == o.as_str()
                || head
                    .strip_prefix(o.as_str())
                    .is_some_and(|rest| rest.starts_with(' '))
        })
        .max_by_key(|o| o.len())
        .cloned();
    (op, qualifier)
}
