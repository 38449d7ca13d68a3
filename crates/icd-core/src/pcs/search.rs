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
//!
//! Caveat: a statement that names no approach, device or qualifier gets the
//! plainest value (open, no device, no qualifier) and that axis is reported
//! open ([`Hit::open`]), to be chosen in the builder rather than trusted.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

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

/// General medical adjectives and the organ each names, read both ways
/// (`renal` is the kidney, and a statement saying `kidney` matches a
/// label saying `renal`). Body part labels mostly use the noun; the older
/// titles use the adjective.
pub const ORGAN_WORDS: &[(&str, &str)] = &[
    ("renal", "kidney"),
    ("nephric", "kidney"),
    ("hepatic", "liver"),
    ("gastric", "stomach"),
    ("cardiac", "heart"),
    ("pulmonary", "lung"),
    ("cerebral", "brain"),
    ("nasal", "nose"),
    ("oral", "mouth"),
    ("buccal", "mouth"),
    ("ocular", "eye"),
    ("optic", "eye"),
    ("aural", "ear"),
    ("otic", "ear"),
    ("dental", "tooth"),
    ("lingual", "tongue"),
    ("labial", "lip"),
    ("vesical", "bladder"),
    ("urethral", "urethra"),
    ("ureteral", "ureter"),
    ("vaginal", "vagina"),
    ("uterine", "uterus"),
    ("cervical", "cervix"),
    ("ovarian", "ovary"),
    ("testicular", "testis"),
    ("scrotal", "scrotum"),
    ("penile", "penis"),
    ("prostatic", "prostate"),
    ("mammary", "breast"),
    ("thyroidal", "thyroid"),
    ("adrenal", "adrenal gland"),
    ("splenic", "spleen"),
    ("pancreatic", "pancreas"),
    ("biliary", "bile duct"),
    ("duodenal", "duodenum"),
    ("jejunal", "jejunum"),
    ("ileal", "ileum"),
    ("colonic", "colon"),
    ("rectal", "rectum"),
    ("anal", "anus"),
    ("esophageal", "esophagus"),
    ("tracheal", "trachea"),
    ("bronchial", "bronchus"),
    ("laryngeal", "larynx"),
    ("pharyngeal", "pharynx"),
    ("tonsillar", "tonsils"),
    ("pleural", "pleura"),
    ("pericardial", "pericardium"),
    ("peritoneal", "peritoneum"),
    ("umbilical", "umbilicus"),
    ("inguinal", "groin"),
    ("femoral", "femur"),
    ("tibial", "tibia"),
    ("fibular", "fibula"),
    ("humeral", "humerus"),
    ("radial", "radius"),
    ("ulnar", "ulna"),
    ("patellar", "patella"),
    ("sternal", "sternum"),
    ("costal", "rib"),
    ("vertebral", "vertebra"),
    ("spinal", "spine"),
    ("cranial", "skull"),
    ("cutaneous", "skin"),
    ("dermal", "skin"),
    ("muscular", "muscle"),
    ("osseous", "bone"),
    ("articular", "joint"),
    ("venous", "vein"),
    ("arterial", "artery"),
    ("lymphatic", "lymph"),
    ("mandibular", "mandible"),
    ("maxillary", "maxilla"),
    ("palatal", "palate"),
    ("gingival", "gingiva"),
    ("corneal", "cornea"),
    ("retinal", "retina"),
    ("lacrimal", "tear"),
    ("tympanic", "eardrum"),
    ("tubal", "fallopian tube"),
    ("abdominal", "abdomen"),
    ("thoracic", "chest"),
    ("pelvic", "pelvis"),
    ("facial", "face"),
    ("cervical", "neck"),
];

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
    /// Tie-breaker for the plainest value of an axis nobody named.
    pub plain: f32,
    /// Resection over Excision for a whole body part, Excision over
    /// Resection when a portion is said ([`PORTION_WORDS`]).
    pub whole_or_portion: f32,
    /// A word matched in the table's body system label.
    pub system: f32,
    /// Share of a body part's own match counted again, over what the
    /// table already explains.
    pub body_part_again: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            value: 1.0,
            ending_operation: 3.0,
            beginning_body_part: 2.0,
            index: 1.5,
            approach: 4.0,
            plain: 0.05,
            whole_or_portion: 2.0,
            system: 0.5,
            body_part_again: 0.3,
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
    /// The weights.
    pub weights: Weights,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            top: 10,
            per_body_part: 2,
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
    /// The code prefix it gives (may be empty).
    prefix: String,
    /// Operation label a `see` names.
    operation: Option<String>,
    /// Qualifier label a `see ... with qualifier X` names.
    qualifier: Option<String>,
    /// The main term is an operation label (`Excision`).
    op_main: bool,
    path: String,
}

/// The search over one PCS artifact; make once, search many times.
#[derive(Debug)]
pub struct PcsSearch<'a, D> {
    pcs: &'a Pcs<D>,
    idf: HashMap<String, f32>,
    default_idf: f32,
    leads: Vec<IndexLead>,
    /// Main-term stems to leads.
    lead_by_word: HashMap<String, Vec<usize>>,
    /// Learned word endings: ending -> (operation label, share).
    endings: Vec<(String, Vec<(String, f32)>)>,
    /// Learned word beginnings: beginning -> (section, body system, body part).
    beginnings: HashMap<String, Vec<(char, char, char)>>,
    /// Operation labels.
    operations: HashSet<String>,
    /// Every label, by id, with its names (stem lists).
    labels: Vec<String>,
    label_names: Vec<Vec<Vec<String>>>,
    /// The tables with their rows, labels by id.
    tables: Vec<TableInfo>,
    /// Stems of the operation labels (`remov`): such a word is not taken
    /// apart by its ending.
    operation_stems: HashSet<String>,
    /// Subterm stems of leads under an operation's main term.
    lead_by_sub: HashMap<String, Vec<usize>>,
}

/// A table as the search reads it: key, operation and body system label
/// ids, and each row's values at positions 4 to 7.
#[derive(Debug)]
struct TableInfo {
    key: String,
    chars: [char; 3],
    op: u32,
    sys: u32,
    rows: Vec<[Vec<(char, u32)>; 4]>,
}

/// One part of the statement a code can explain: a word (with the organ
/// words it also means), or the operation or body part half of a word a
/// learned ending takes apart.
#[derive(Debug, Default)]
struct Slot {
    stems: Vec<String>,
    idf: f32,
    /// Operation label -> how much of the slot it explains.
    ops: HashMap<String, f32>,
    /// (section, body system, body part) -> how much it explains.
    parts: HashMap<(char, char, char), f32>,
    /// Approach label -> how much it explains.
    approach: HashMap<&'static str, f32>,
}

/// Words of a statement beyond this many are not read.
const MAX_SLOTS: usize = 24;

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
            operations.insert(pcs.table_axes(t)[2].label.clone());
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
        // An example names the operation, not the body part: `Total knee
        // replacement` says Replacement for any joint, so the words of body
        // part labels are left out of the examples.
        let mut body_words: HashSet<String> = HashSet::new();
        for t in pcs.tables() {
            for r in pcs.table_rows(t) {
                for v in pcs.row_values(RowId(r), 4) {
                    body_words.extend(stems(&st, &v.label));
                }
            }
        }
        for op in &operations {
            if let Some(list) = names.get_mut(op) {
                for name in list.iter_mut().skip(1) {
                    name.retain(|w| !body_words.contains(w));
                }
                list.retain(|n| !n.is_empty());
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
            let word = normalize(&main.title);
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
            let main_stems = stems(&st, &main.title);
            leads.push(IndexLead {
                op_main: operations.contains(&main.title),
                main: main_stems,
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
        let mut lead_by_sub: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, l) in leads.iter().enumerate() {
            if l.op_main {
                for w in &l.sub {
                    let e = lead_by_sub.entry(w.clone()).or_default();
                    if e.last() != Some(&i) {
                        e.push(i);
                    }
                }
            } else if let Some(w) = l.main.first() {
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
        // Labels by id, and the tables over them.
        let mut labels: Vec<String> = Vec::new();
        let mut label_names = Vec::new();
        let mut label_id: HashMap<String, u32> = HashMap::new();
        let mut id_of = |label: &str| -> u32 {
            if let Some(i) = label_id.get(label) {
                return *i;
            }
            let i = labels.len() as u32;
            labels.push(label.to_string());
            label_names.push(
                names
                    .get(label)
                    .cloned()
                    .unwrap_or_else(|| vec![stems(&st, label)]),
            );
            label_id.insert(label.to_string(), i);
            i
        };
        let mut tables = Vec::new();
        for t in pcs.tables() {
            let head = pcs.table_axes(t);
            let rows = pcs
                .table_rows(t)
                .map(|r| {
                    std::array::from_fn(|a| {
                        pcs.row_values(RowId(r), 4 + a as u8)
                            .into_iter()
                            .map(|v| (v.ch, id_of(&v.label)))
                            .collect()
                    })
                })
                .collect();
            tables.push(TableInfo {
                key: pcs.table_key(t),
                chars: [head[0].ch, head[1].ch, head[2].ch],
                op: id_of(&head[2].label),
                sys: id_of(&head[1].label),
                rows,
            });
        }
        PcsSearch {
            pcs,
            labels,
            label_names,
            tables,
            lead_by_sub,
            operation_stems: operations.iter().flat_map(|o| stems(&st, o)).collect(),
            idf,
            default_idf: docs.ln(),
            leads,
            lead_by_word,
            endings,
            beginnings,
            operations,
        }
    }

    fn idf(&self, w: &str) -> f32 {
        self.idf.get(w).copied().unwrap_or(self.default_idf)
    }

    /// The statement's slots: one per word, and for a word taken apart by
    /// a learned ending, one for the operation it names and one for the
    /// body part its beginning names.
    fn slots(&self, statement: &str, w: &Weights) -> Vec<Slot> {
        let st = stemmer();
        let raw = statement_words(statement);
        let mut out: Vec<Slot> = Vec::new();
        for word in raw.iter().take(MAX_SLOTS) {
            let stem = st.stem(word).into_owned();
            if out.iter().any(|s| s.stems.first() == Some(&stem)) {
                continue;
            }
            let mut stems = vec![stem.clone()];
            for (a, b) in ORGAN_WORDS {
                for (x, y) in [(a, b), (b, a)] {
                    if word == x || stem == st.stem(x).as_ref() {
                        for y in y.split(' ') {
                            let s = st.stem(y).into_owned();
                            if !stems.contains(&s) {
                                stems.push(s);
                            }
                        }
                    }
                }
            }
            let mut approach = HashMap::new();
            for (aw, labels) in APPROACH_WORDS {
                if word == aw {
                    for (i, l) in labels.iter().enumerate() {
                        approach.insert(*l, 1.0 / (i + 1) as f32);
                    }
                }
            }
            let idf = if approach.is_empty() {
                self.idf(&stem)
            } else {
                w.approach
            };
            let whole = Slot {
                stems,
                idf,
                approach,
                ..Slot::default()
            };
            out.push(whole);
            // The longest ending whose rest begins with a body part word
            // (`cyst-ostomy`, not `cys-tostomy`), else the longest ending.
            let fitting: Vec<&(String, Vec<(String, f32)>)> = self
                .endings
                .iter()
                .filter(|(e, _)| word.len() > e.len() + 2 && word.ends_with(e.as_str()))
                .collect();
            let beginning = |end: &str| -> Option<&Vec<(char, char, char)>> {
                let stem = &word[..word.len() - end.len()];
                (4..=stem.len())
                    .rev()
                    .find_map(|cut| stem.get(..cut).and_then(|b| self.beginnings.get(b)))
            };
            // A word the labels know is taken apart only when its beginning
            // names a body part (`cystostomy`, also a device's name).
            let known = self.idf.contains_key(&stem);
            if known && !fitting.iter().any(|(e, _)| beginning(e).is_some()) {
                continue;
            }
            let Some((end, shares)) = fitting
                .iter()
                .find(|(e, _)| beginning(e).is_some())
                .or(fitting.first())
                .map(|(e, s)| (e, s))
            else {
                continue;
            };
            if !self.operation_stems.contains(&stem) {
                out.push(Slot {
                    idf: idf * 0.5,
                    ops: shares
                        .iter()
                        .map(|(o, s)| (o.clone(), s * w.ending_operation))
                        .collect(),
                    ..Slot::default()
                });
            }
            if let Some(v) = beginning(end) {
                out.push(Slot {
                    idf: idf * 0.5,
                    parts: v
                        .iter()
                        .map(|p| (*p, w.beginning_body_part / v.len() as f32))
                        .collect(),
                    ..Slot::default()
                });
            }
        }
        out
    }

    /// How much each slot a label explains: for each of its names, the
    /// share of the name's words the statement has (square root), on the
    /// slots those words are in.
    fn label_vec(&self, label: u32, slots: &[Slot]) -> Vec<f32> {
        let mut v = vec![0f32; slots.len()];
        for name in &self.label_names[label as usize] {
            if name.is_empty() {
                continue;
            }
            let mut hit: Vec<usize> = Vec::new();
            let mut n = 0;
            for word in name {
                let mut any = false;
                for (i, s) in slots.iter().enumerate() {
                    if s.stems.iter().any(|x| stem_match(word, x)) {
                        any = true;
                        if !hit.contains(&i) {
                            hit.push(i);
                        }
                    }
                }
                n += usize::from(any);
            }
            if n == 0 {
                continue;
            }
            let f = (n as f32 / name.len() as f32).sqrt();
            for i in hit {
                v[i] = v[i].max(f);
            }
        }
        v
    }

    /// The index leads the statement reaches, with the slots each explains.
    fn matched_leads(&self, slots: &[Slot], w: &Weights) -> Vec<(usize, Vec<f32>, Vec<f32>)> {
        let slot_of = |word: &str| -> Option<usize> {
            slots
                .iter()
                .position(|s| s.stems.iter().any(|x| x.as_str() == word))
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for s in slots {
            for stem in &s.stems {
                let by_main = self.lead_by_word.get(stem).into_iter().flatten();
                let by_sub = self.lead_by_sub.get(stem).into_iter().flatten();
                for &i in by_main.chain(by_sub) {
                    if !seen.insert(i) {
                        continue;
                    }
                    let l = &self.leads[i];
                    let mut v = vec![0f32; slots.len()];
                    // A lead under an operation's own main term (`Excision >
                    // Nasal Mucosa`) needs only its subterms: the table it
                    // leads to names the operation.
                    if !l.op_main {
                        let mut all = true;
                        for m in &l.main {
                            match slot_of(m) {
                                Some(k) => v[k] = 1.0,
                                None => all = false,
                            }
                        }
                        if !all {
                            continue;
                        }
                    }
                    let main_only = v.clone();
                    let mut hits = 0usize;
                    for x in &l.sub {
                        if let Some(k) = slot_of(x) {
                            v[k] = 1.0;
                            hits += 1;
                        }
                    }
                    let miss = l.sub.len() - hits;
                    if (l.op_main && hits == 0) || (miss > 0 && hits == 0) {
                        continue;
                    }
                    let f = w.index * ((hits + 1) as f32 / (l.sub.len() + 1) as f32).sqrt();
                    for x in v.iter_mut() {
                        *x *= f;
                    }
                    out.push((i, v, main_only.iter().map(|x| x * w.index).collect()));
                }
            }
        }
        out
    }

    /// The ranked codes for a statement.
    pub fn search(&self, statement: &str, opts: &SearchOptions) -> Vec<Hit> {
        let w = opts.weights;
        let slots = self.slots(statement, &w);
        if slots.is_empty() {
            return Vec::new();
        }
        let idf: Vec<f32> = slots.iter().map(|s| s.idf).collect();
        let portion = statement_words(statement)
            .iter()
            .any(|x| PORTION_WORDS.contains(&x.as_str()));
        let named_approach = slots.iter().any(|s| !s.approach.is_empty());
        let lvec: Vec<Vec<f32>> = (0..self.labels.len() as u32)
            .map(|l| self.label_vec(l, &slots))
            .collect();
        let leads = self.matched_leads(&slots, &w);
        let gain = |base: &[f32], v: &[f32]| -> f32 {
            base.iter()
                .zip(v)
                .zip(&idf)
                .map(|((b, x), d)| (x - b).max(0.0) * d)
                .sum()
        };
        let merge = |base: &mut [f32], v: &[f32]| {
            for (b, x) in base.iter_mut().zip(v) {
                *b = b.max(*x);
            }
        };
        let mut cands: Vec<(f32, String, Vec<u8>, Vec<String>)> = Vec::new();
        for t in &self.tables {
            let op = &self.labels[t.op as usize];
            // What the table alone explains: its operation (label, examples,
            // learned endings) and, at half weight, its body system.
            let mut base = vec![0f32; slots.len()];
            merge(
                &mut base,
                &lvec[t.op as usize]
                    .iter()
                    .map(|x| x * w.value)
                    .collect::<Vec<_>>(),
            );
            let sys: Vec<f32> = lvec[t.sys as usize].iter().map(|x| x * w.system).collect();
            merge(&mut base, &sys);
            for (i, s) in slots.iter().enumerate() {
                if let Some(x) = s.ops.get(op) {
                    base[i] = base[i].max(*x);
                }
            }
            let mut bonus = 0f32;
            if (op == "Resection" && !portion) || (op == "Excision" && portion) {
                bonus += w.whole_or_portion;
            }
            let table_leads: Vec<&(usize, Vec<f32>, Vec<f32>)> = leads
                .iter()
                .filter(|(i, _, _)| {
                    let l = &self.leads[*i];
                    if l.prefix.is_empty() {
                        l.operation.as_deref() == Some(op.as_str())
                    } else if l.prefix.len() >= 3 {
                        l.prefix.starts_with(&t.key)
                    } else {
                        t.key.starts_with(&l.prefix)
                    }
                })
                .collect();
            // A lead to a whole table explains its main term only: its
            // subterms are for the body part to explain.
            for (i, _, main_only) in &table_leads {
                let l = &self.leads[*i];
                if l.prefix.len() <= 3 && l.qualifier.is_none() {
                    merge(&mut base, main_only);
                }
            }
            // A portion of a body part resected is an Excision (B3.8).
            if portion && op == "Excision" {
                if let Some(r) = self.labels.iter().position(|l| l == "Resection") {
                    merge(
                        &mut base,
                        &lvec[r].iter().map(|x| x * w.value).collect::<Vec<_>>(),
                    );
                }
            }
            if base.iter().all(|x| *x == 0.0) && table_leads.is_empty() {
                continue;
            }
            for row in &t.rows {
                for &(bp, bl) in &row[0] {
                    let mut b = base.clone();
                    let bvec: Vec<f32> = lvec[bl as usize].iter().map(|x| x * w.value).collect();
                    merge(&mut b, &bvec);
                    // The body part's own words count again, a little: a
                    // table-wide lead may explain `knee`, but the knee joint
                    // is the code.
                    let bonus = bonus
                        + w.body_part_again
                            * bvec.iter().zip(&idf).map(|(x, d)| x * d).sum::<f32>();
                    for (i, s) in slots.iter().enumerate() {
                        if let Some(x) = s.parts.get(&(t.chars[0], t.chars[1], bp)) {
                            b[i] = b[i].max(*x);
                        }
                    }
                    let mut code = format!("{}{bp}", t.key);
                    let mut live: Vec<&(usize, Vec<f32>, Vec<f32>)> = Vec::new();
                    let mut via: Option<usize> = None;
                    for lv in &table_leads {
                        let l = &self.leads[lv.0];
                        if l.prefix.len() == 4 && l.prefix == code && l.qualifier.is_none() {
                            merge(&mut b, &lv.1);
                            via = Some(lv.0);
                        } else if l.prefix.len() > 4 && l.prefix.starts_with(&code)
                            || l.qualifier.is_some() && (l.prefix.len() <= 3 || l.prefix == code)
                        {
                            live.push(lv);
                        }
                    }
                    let before = b.iter().zip(&idf).map(|(x, d)| x * d).sum::<f32>();
                    if before <= 0.0 && live.is_empty() {
                        continue;
                    }
                    let mut open = Vec::new();
                    let mut alt: Option<(char, f32)> = None;
                    for (a, list) in row.iter().enumerate().skip(1) {
                        let pos = 4 + a as u8;
                        let mut best: (char, f32, Vec<f32>, bool) =
                            (list[0].0, f32::MIN, Vec::new(), true);
                        let mut scored: Vec<(char, f32)> = Vec::new();
                        for &(c, lab) in list {
                            let mut v: Vec<f32> =
                                lvec[lab as usize].iter().map(|x| x * w.value).collect();
                            if pos == 5 {
                                let label = self.labels[lab as usize].as_str();
                                for (i, s) in slots.iter().enumerate() {
                                    if let Some(x) = s.approach.get(label) {
                                        v[i] = v[i].max(*x);
                                    }
                                }
                            }
                            let mut lead_hit = None;
                            for lv in &live {
                                let l = &self.leads[lv.0];
                                let by_prefix = l.prefix.len() >= pos as usize
                                    && l.prefix.as_bytes()[pos as usize - 1] == c as u8;
                                let by_qual = pos == 7
                                    && l.qualifier.as_deref()
                                        == Some(self.labels[lab as usize].as_str());
                                if by_prefix || by_qual {
                                    for (x, y) in v.iter_mut().zip(&lv.1) {
                                        *x = x.max(*y);
                                    }
                                    lead_hit = Some(lv.0);
                                }
                            }
                            let mut s = gain(&b, &v);
                            let said = s > 0.0;
                            if (pos == 5 && c == '0') || (pos > 5 && c == 'Z') {
                                s += w.plain;
                            }
                            scored.push((c, s));
                            if s > best.1 {
                                best = (c, s, v, !said);
                                if lead_hit.is_some() {
                                    via = lead_hit;
                                }
                            }
                        }
                        merge(&mut b, &best.2);
                        if best.3 {
                            open.push(pos);
                            // An approach nobody named: the open approach
                            // first, then the endoscopic one.
                            if pos == 5 && !named_approach {
                                alt = scored
                                    .iter()
                                    .find(|(c, _)| *c == '4' && *c != best.0)
                                    .or_else(|| {
                                        scored.iter().find(|(c, _)| *c == '3' && *c != best.0)
                                    })
                                    .map(|(c, _)| (*c, w.plain * 2.0));
                            }
                        }
                        code.push(best.0);
                    }
                    let s = b.iter().zip(&idf).map(|(x, d)| x * d).sum::<f32>() + bonus;
                    if s <= 0.5 {
                        continue;
                    }
                    let via_text: Vec<String> = via
                        .map(|i| self.leads[i].path.clone())
                        .into_iter()
                        .collect();
                    if let Some((c, penalty)) = alt {
                        let mut other: Vec<char> = code.chars().collect();
                        other[4] = c;
                        cands.push((
                            s - penalty,
                            other.into_iter().collect(),
                            open.clone(),
                            via_text.clone(),
                        ));
                    }
                    cands.push((s, code, open, via_text));
                }
            }
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut per: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (s, code, open, via) in cands {
            let Ok(code) = code.parse::<PcsCode>() else {
                continue;
            };
            let k = code.as_str()[..4].to_string();
            let n = per.entry(k).or_default();
            if *n >= opts.per_body_part {
                continue;
            }
            *n += 1;
            out.push(Hit {
                title: self.pcs.title(&code).unwrap_or_default(),
                table: code.as_str()[..3].to_string(),
                code,
                score: s,
                open,
                via,
            });
            if out.len() >= opts.top {
                break;
            }
        }
        out
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

/// Whether a name's stem and a statement's stem are one word: the same,
/// or one of at least [`PREFIX_MATCH`] letters beginning the other.
fn stem_match(w: &str, s: &str) -> bool {
    w == s || (s.len().min(w.len()) >= PREFIX_MATCH && (s.starts_with(w) || w.starts_with(s)))
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
