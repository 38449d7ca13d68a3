//! Coding suggestions: from a diagnostic statement to ranked ICD-10-CM
//! codes, Alphabetic Index first, then verified against the Tabular List.
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! # fn idx() -> icd_core::search::SearchIndex<Vec<u8>> { unimplemented!() }
//! use icd_core::search::{search, Options};
//! let (lib, idx) = (lib(), idx());
//! for statement in search(&lib, &idx, "acute on chronic systolic CHF", &Options::default()) {
//!     for s in statement.suggestions {
//!         println!("{} {} ({:?}: {})", s.code, s.title, s.via, s.path);
//!     }
//! }
//! ```
//!
//! How it works: a statement is split off a note, checked for negation and
//! uncertainty, its abbreviations expanded (a few readings are tried when an
//! abbreviation is ambiguous), its words normalized and stemmed. Each word is
//! looked up in the vocabulary `fst` exactly, by prefix (the word being
//! typed) and within an edit distance (typos); documents are scored by how
//! much of the query they cover and how much of themselves the query covers.
//! The best documents give codes (for the tables, the column the query's
//! words choose); a code that is not billable is narrowed to the billable
//! descendant the query's words describe (laterality, encounter, acuity,
//! stage, type), or else offered with its choices.
//!
//! Caveat: suggestions are suggestions; the coder verifies each in the
//! Tabular List, whose notes can change the answer.

mod index;
mod note;
pub mod procedures;
pub mod text;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fst::automaton::Levenshtein;
use fst::{IntoStreamer, Streamer};

pub use index::{build, Doc, SearchIndex, Via, KIND};
pub use note::{read_note, Evidence, NoteCode, NoteReading, Patient, Sex};
pub use procedures::NoteProcedure;
use text::{is_stop, stem};

use crate::code::{Code, IndexCode};
use crate::lookup::Library;
use crate::record::conventions::{targets, Target};
use crate::tabular::{NodeId, NoteKind};
use crate::terms::TermId;
use crate::text::normalize;

/// Where the encounter takes place ([`crate::record::model::Setting`]).
pub use crate::record::model::Setting;

/// Which encounter a code that needs a 7th character is for, when the
/// documentation does not say: the character is then assumed, and marked so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encounter {
    /// Initial encounter (active treatment): A, or the first initial choice.
    #[default]
    Initial,
    /// Subsequent encounter (healing, recovery): D, or the first subsequent choice.
    Subsequent,
    /// Sequela: S.
    Sequela,
    /// Assume nothing: the code stays incomplete with its choices.
    Ask,
}

impl Encounter {
    /// The word of a 7th-character meaning that says this encounter.
    fn word(self) -> Option<&'static str> {
        match self {
            Encounter::Initial => Some("initial"),
            Encounter::Subsequent => Some("subsequent"),
            Encounter::Sequela => Some("sequela"),
            Encounter::Ask => None,
        }
    }
}

/// The score multiplier of each source of a document, keyed by [`Via`]
/// (every source has its own field, so a new one cannot silently borrow
/// another's weight). Each trades how often that source leads: 0.8 to 1.0
/// makes sense; below that a source stops leading even on an exact match.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViaWeights {
    /// Alphabetic Index paths: the coder's own route, the reference.
    pub index: f32,
    /// Tabular titles.
    pub tabular: f32,
    /// Tabular inclusion terms.
    pub inclusion: f32,
    /// Rows of the Table of Neoplasms.
    pub neoplasm: f32,
    /// Rows of the Table of Drugs and Chemicals.
    pub drug: f32,
    /// External Cause Index paths.
    pub eindex: f32,
    /// A code typed directly.
    pub code: f32,
}

impl Default for ViaWeights {
    fn default() -> Self {
        ViaWeights {
            index: 1.0,
            tabular: 0.97,
            inclusion: 0.93,
            neoplasm: 1.0,
            drug: 1.0,
            eindex: 0.9,
            code: 1.0,
        }
    }
}

impl ViaWeights {
    /// The multiplier of `via`.
    pub fn of(&self, via: Via) -> f32 {
        match via {
            Via::Index => self.index,
            Via::Tabular => self.tabular,
            Via::Inclusion => self.inclusion,
            Via::Neoplasm => self.neoplasm,
            Via::Drug => self.drug,
            Via::Eindex => self.eindex,
            Via::Code => self.code,
        }
    }
}

/// The tuning knobs of the ranking, in one place. `icd eval --weights
/// FILE` reads them from JSON (any subset; the rest keep their defaults)
/// to try others without recompiling.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Credit for a word matched by prefix (the word being typed), 0 to 1.
    pub prefix: f32,
    /// Credit for a word matched within an edit distance, 0 to 1.
    pub typo: f32,
    /// Words of at least this many characters tolerate one edit.
    pub typo_min_len: usize,
    /// Words of at least this many characters tolerate two edits.
    pub typo2_min_len: usize,
    /// Weight of words that steer to a child code (left, initial, sequela...) in retrieval, 0 to 1.
    pub steering: f32,
    /// Share of the score that rewards covering the whole document, 0 to 1.
    pub doc_coverage: f32,
    /// Share of the score that rewards covering the statement's head, the
    /// condition named before its first comma (the rest qualifies it), 0 to 1.
    pub head: f32,
    /// Multiplier per source ([`ViaWeights`]).
    pub via: ViaWeights,
    /// Documents kept per reading before codes are formed. More finds
    /// more rare codes and costs time; 20 to 200.
    pub candidates: usize,
    /// Share of a further document's score a code gains when several
    /// documents lead to it (the index and the tabular agreeing), 0 to 0.5:
    /// more lets agreement outrank one strong match.
    pub corroboration: f32,
    /// Score kept by a suggestion whose path or title puts a word under
    /// "with" that the query puts under "without", or the other way round,
    /// 0 to 1: lower buries contradictions, and with them near misses.
    pub contradiction: f32,
    /// Score kept by a suggestion whose title says the residual ("other" or
    /// "unspecified") opposite to the one the statement says, 0.5 to 1.
    pub residual_opposite: f32,
    /// Score kept by a suggestion whose title says neither residual when
    /// the statement says one, 0.5 to 1 (above `residual_opposite`).
    pub residual_unsaid: f32,
    /// Score lost by each later reading of a statement (a less likely
    /// meaning of an abbreviation), 0 to 0.2: more keeps the likely meaning
    /// first, less lets the others compete.
    pub reading_discount: f32,
    /// Credit lost by a typo match per edit beyond the first, 0 to 0.5.
    pub typo_step: f32,
    /// The least share of `typo` a typo match keeps, 0 to 1.
    pub typo_floor: f32,
    /// Completions of the word being typed that are searched (the
    /// commonest), 3 to 40: more finds rarer words and costs time.
    pub prefix_completions: usize,
    /// The same for a word of fewer than three letters, which says little:
    /// 1 to 10.
    pub short_prefix_completions: usize,
    /// Billable codes offered in place of a code the statement could not
    /// narrow, 1 to 10.
    pub expand: usize,
    /// What each word of a child code's title that the statement does not
    /// say costs when a code is narrowed to its billable child (a word it
    /// does say gains 1), 0 to 0.5: more prefers the plainest child.
    pub refine_miss: f32,
    /// Note reading: the least confidence a code is assigned with (below,
    /// the statement says "nothing codable"), 0.2 to 0.8: higher trades
    /// recall for precision.
    pub min_confidence: f32,
    /// Note reading: the share of its diagnosis's confidence a "use
    /// additional code" code takes, 0.5 to 1.
    pub additional_code: f32,
    /// Note reading: how many idf units of matched words make a concept
    /// about 63% sure (confidence grows as 1 - e^(-idf/scale)), 3 to 15:
    /// higher asks for more informative words.
    pub confidence_scale: f32,
    /// Note reading: the confidence a code that is not billable keeps, 0 to 1.
    pub confidence_not_billable: f32,
    /// Note reading: the confidence each source gives a concept (an index
    /// path, the coder's own route, over a title), 0 to 1.
    pub confidence_via: ViaWeights,
    /// Note reading: suggestions searched for each concept's alternatives,
    /// and the candidates kept for them (fewer is faster), 1 to 10 and 5 to 60.
    pub alternatives: usize,
    /// See `alternatives`.
    pub alternative_candidates: usize,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            prefix: 0.8,
            typo: 0.6,
            typo_min_len: 5,
            typo2_min_len: 6,
            steering: 0.0,
            doc_coverage: 0.9,
            head: 0.5,
            via: ViaWeights::default(),
            candidates: 60,
            corroboration: 0.1,
            contradiction: 0.6,
            residual_opposite: 0.85,
            residual_unsaid: 0.93,
            reading_discount: 0.08,
            typo_step: 0.2,
            typo_floor: 0.3,
            prefix_completions: 12,
            short_prefix_completions: 3,
            expand: 3,
            refine_miss: 0.15,
            min_confidence: 0.5,
            additional_code: 0.95,
            confidence_scale: 7.0,
            confidence_not_billable: 0.6,
            confidence_via: ViaWeights {
                index: 1.0,
                tabular: 0.9,
                inclusion: 0.9,
                neoplasm: 0.9,
                drug: 0.9,
                eindex: 0.6,
                code: 0.6,
            },
            alternatives: 3,
            alternative_candidates: 12,
        }
    }
}

/// Search options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// How many suggestions per statement.
    pub top: usize,
    /// The care setting.
    pub setting: Setting,
    /// The ranking knobs.
    pub weights: Weights,
    /// The encounter assumed for codes needing a 7th character the
    /// documentation does not give.
    pub encounter: Encounter,
    /// The patient's age and sex when known (a record, or a field beside
    /// the note): codes impossible for them are left out.
    pub patient: Patient,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top: 10,
            setting: Setting::Inpatient,
            weights: Weights::default(),
            encounter: Encounter::Initial,
            patient: Patient::default(),
        }
    }
}

/// A code offered for a statement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Suggestion {
    /// The code (`I50.23`), complete when `billable`.
    pub code: String,
    /// Its tabular title.
    pub title: String,
    /// Whether it can be reported as is.
    pub billable: bool,
    /// What is missing when it cannot: `7th character` or `more characters`.
    pub needs: Option<String>,
    /// The billable choices of a code that is not billable (first 12).
    pub choices: Vec<String>,
    /// Relevance, 0 to 1.
    pub score: f32,
    /// Where it was found.
    pub via: Via,
    /// The index path, title, inclusion term or table cell that matched.
    pub path: String,
    /// Byte ranges of `path` that matched the query.
    pub highlights: Vec<(usize, usize)>,
    /// Reached from a second kind of source too (index and tabular agreeing).
    pub corroborated: bool,
    /// A character that was not documented but assumed from the encounter
    /// setting (`7th character A (initial encounter) assumed`), with the
    /// other choices in `choices`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

/// One statement of a query with its suggestions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatementResult {
    /// The statement as typed.
    pub statement: String,
    /// A negated finding ("no evidence of", "denies"): nothing is suggested.
    pub negated: bool,
    /// An uncertain diagnosis ("rule out", "probable").
    pub uncertain: bool,
    /// A history ("history of", "hx"): personal history codes are suggested where the index gives them.
    pub history: bool,
    /// What the coder should know about this statement.
    pub note: Option<String>,
    /// Suggestions, best first.
    pub suggestions: Vec<Suggestion>,
}

/// Longest input searched; longer pastes are cut (and say so).
pub const MAX_QUERY_BYTES: usize = 20_000;

/// Searches a query: one statement, or a pasted note or problem list
/// (one result per statement). Never panics; bad input gives no suggestions.
pub fn search<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    query: &str,
    opts: &Options,
) -> Vec<StatementResult> {
    let q = &query[..clip(query)];
    split_statements(q)
        .into_iter()
        .take(200)
        .map(|s| {
            let (mut r, reading) = search_statement(lib, idx, s, opts);
            lead_with_concepts(lib, idx, &mut r, &reading, opts);
            trimester_choices(lib, &mut r, opts);
            r
        })
        .collect()
}

/// Puts first the codes the statement names when read as a note is (the
/// index path it spells out, completed, with the conventions applied):
/// "history of breast cancer" leads with Z85.3. `reading` is the
/// statement as searched (ICD-9-CM phrasing put in ICD-10-CM's words).
fn lead_with_concepts<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    r: &mut StatementResult,
    reading: &str,
    opts: &Options,
) {
    if r.negated || r.suggestions.is_empty() || code_query(&r.statement).is_some() {
        return;
    }
    let mut codes = note::statement_codes(lib, idx, reading, opts);
    // A code whose notes ask for another comes before it (E11.22, then
    // its additional N18.31).
    for i in 1..codes.len() {
        let mut j = i;
        while j > 0 && note::precedes(lib, &codes[j].code, &codes[j - 1].code) {
            codes.swap(j, j - 1);
            j -= 1;
        }
    }
    // Only a reading that accounts for every word of the statement goes
    // first; a partial one is offered after the best ranked code.
    let said: Vec<String> = codes
        .iter()
        .flat_map(|c| c.evidence.iter())
        .filter_map(|e| reading.get(e.start..e.end))
        .flat_map(text::words)
        .collect();
    // Words that set the context (history of, family) are accounted for
    // by the reading too.
    let context = [
        "histori", "famili", "person", "past", "probabl", "possibl", "suspect",
    ];
    let complete = text::words(reading)
        .iter()
        .all(|w| said.contains(w) || is_steering(w) || context.contains(&w.as_str()));
    let top = r.suggestions.first().map_or(1.0, |s| s.score);
    let first = r.suggestions.first().map(|s| s.code.clone());
    let t = &lib.tabular;
    let mut lead: Vec<Suggestion> = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        let existing = r.suggestions.iter().position(|s| s.code == c.code);
        let mut s = match existing {
            Some(k) => r.suggestions.remove(k),
            None => {
                let Some(node) = c.code.parse::<Code>().ok().and_then(|code| t.find(&code)) else {
                    continue;
                };
                let path = c
                    .evidence
                    .first()
                    .map(|e| e.path.clone())
                    .unwrap_or_default();
                let mut s = suggestion(lib, node, 0.0, Via::Index, path, Vec::new());
                s.assumed.clone_from(&c.assumed);
                if c.assumed.is_some() {
                    s.choices.clone_from(&c.choices);
                }
                s
            }
        };
        s.score = top + 0.01 * (codes.len() - i) as f32;
        lead.push(s);
    }
    if !complete {
        if let Some(k) = lead.iter().position(|s| Some(&s.code) == first.as_ref()) {
            let best = lead.remove(k);
            lead.insert(0, best);
        } else if !r.suggestions.is_empty() {
            let best = r.suggestions.remove(0);
            for s in &mut lead {
                s.score = best.score - 0.001;
            }
            lead.insert(0, best);
        }
    }
    lead.append(&mut r.suggestions);
    lead.truncate(opts.top);
    r.suggestions = lead;
}

/// The trimesters a pregnancy code can name, in order.
const TRIMESTERS: [&str; 3] = ["first trimester", "second trimester", "third trimester"];

/// Pregnancy codes whose trimester the statement left open offered with
/// their trimester choices, at most this many.
const TRIMESTER_EXPAND: usize = 2;

/// A pregnancy code for an unstated trimester is the "unspecified
/// trimester" code (Guidelines I.C.15.a.3), but the trimester is usually
/// in the record: the codes that name it follow it, as the choices a
/// coder picks from (O43.109, then O43.101, O43.102, O43.103).
fn trimester_choices<D: AsRef<[u8]>>(lib: &Library<D>, r: &mut StatementResult, opts: &Options) {
    let t = &lib.tabular;
    let mut out: Vec<Suggestion> = Vec::with_capacity(r.suggestions.len() + 6);
    let mut expanded = 0;
    for s in std::mem::take(&mut r.suggestions) {
        let siblings = if expanded < TRIMESTER_EXPAND && s.title.contains("unspecified trimester") {
            trimester_siblings(lib, &s.code)
        } else {
            Vec::new()
        };
        let score = s.score;
        let via = s.via;
        let path = s.path.clone();
        out.push(s);
        if !siblings.is_empty() {
            expanded += 1;
        }
        for (i, id) in siblings.into_iter().enumerate() {
            let key = t.display_key(id);
            if out.iter().any(|o| o.code == key) || !opts.patient.allows(lib, &key) {
                continue;
            }
            let mut c = suggestion(
                lib,
                id,
                score * (1.0 - 0.001 * (i + 1) as f32),
                via,
                path.clone(),
                Vec::new(),
            );
            c.highlights.clear();
            out.push(c);
        }
    }
    // Later suggestions that a choice now repeats keep their first place.
    let mut seen: Vec<String> = Vec::new();
    out.retain(|s| {
        let new = !seen.contains(&s.code);
        seen.push(s.code.clone());
        new
    });
    out.truncate(opts.top);
    r.suggestions = out;
}

/// The codes that differ from `code` (an "unspecified trimester" code)
/// only by naming the trimester, with the same 7th character.
fn trimester_siblings<D: AsRef<[u8]>>(lib: &Library<D>, code: &str) -> Vec<NodeId> {
    let t = &lib.tabular;
    let Some(id) = code.parse::<Code>().ok().and_then(|c| t.find(&c)) else {
        return Vec::new();
    };
    let (base, seventh) = match t.parent(id) {
        Some(p) if t.is_generated(id) => (p, t.key(id).chars().last()),
        _ => (id, None),
    };
    let title = t.title(base);
    if !title.contains("unspecified trimester") {
        return Vec::new();
    }
    let Some(parent) = t.parent(base) else {
        return Vec::new();
    };
    let children = t.children(parent);
    TRIMESTERS
        .iter()
        .filter_map(|tri| {
            let want = title.replace("unspecified trimester", tri);
            let sib = *children.iter().find(|c| t.title(**c) == want)?;
            match seventh {
                Some(ch) => t.with_seventh(sib, ch).ok().and_then(|c| t.find(&c)),
                None => t.billable(sib).then_some(sib),
            }
        })
        .collect()
}

/// Where a text longer than `MAX_QUERY_BYTES` is cut (a char boundary).
fn clip(text: &str) -> usize {
    let mut end = text.len().min(MAX_QUERY_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Splits a note into statements: lines, `;`, and sentences.
pub fn split_statements(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.split(['\n', '\r', ';']) {
        let mut rest = line;
        // A period followed by a space ends a sentence, unless it follows a
        // single letter or a digit (`St. Louis`, `E11.9`).
        while let Some(i) = rest.find(". ") {
            let before = rest[..i]
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            if before.len() <= 1 || before.chars().all(|c| c.is_ascii_digit()) {
                let (head, tail) = rest.split_at(i + 2);
                out.push(head);
                rest = tail;
                continue;
            }
            out.push(&rest[..i]);
            rest = &rest[i + 2..];
        }
        out.push(rest);
    }
    // Re-join pieces split after a single letter ("St." "Louis").
    let mut joined: Vec<&str> = Vec::new();
    for piece in out {
        let trimmed = piece.trim().trim_start_matches(['-', '*', '•']).trim();
        let list_marker = trimmed.split_once(['.', ')']).filter(|(n, _)| {
            !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())
        });
        let trimmed = list_marker.map(|(_, rest)| rest.trim()).unwrap_or(trimmed);
        if !trimmed.is_empty() && trimmed.chars().any(|c| c.is_alphanumeric()) {
            joined.push(trimmed);
        }
    }
    joined
}

const NEGATION_STARTS: &[&str] = &[
    "no ",
    "not ",
    "denies ",
    "denied ",
    "deny ",
    "negative for ",
    "neg for ",
    "never ",
    "without evidence of ",
    "without signs of ",
    "free of ",
    "absence of ",
    "absent ",
    "ruled out ",
];
const NEGATION_ENDS: &[&str] = &[
    " ruled out",
    " negative",
    " was negative",
    " is negative",
    " excluded",
    " absent",
    " not present",
];
const NEGATED_FINDINGS: &[&str] = &["nkda", "nka", "afebrile", "nad", "wnl", "unremarkable"];
const UNCERTAIN: &[&str] = &[
    "rule out ",
    "r/o ",
    "ro ",
    "probable ",
    "probably ",
    "possible ",
    "possibly ",
    "suspected ",
    "suspect ",
    "suspicion of ",
    "likely ",
    "questionable ",
    "query ",
    "presumed ",
    "concern for ",
    "versus ",
    "vs ",
];
const HISTORY: &[&str] = &[
    "history of ",
    "hx of ",
    "h/o ",
    "hx ",
    "personal history of ",
    "past history of ",
];
/// ICD-9-CM phrasing and its ICD-10-CM reading, replaced in order (so a
/// longer phrase comes before the phrases inside it). The last
/// `LATE_PHRASES` are replaced after negation is read.
const OLD_PHRASES: &[(&str, &str)] = &[
    // The fifth digits of ICD-9-CM's skull fractures and intracranial
    // injuries grade the loss of consciousness in bracketed hours;
    // ICD-10-CM's sixth characters say it in its own words.
    (
        "with no loss of consciousness",
        " without loss of consciousness ",
    ),
    (
        "brief [less than one hour] loss of consciousness",
        " loss of consciousness of 30 minutes or less ",
    ),
    (
        "brief [less than 1 hour] loss of consciousness",
        " loss of consciousness of 30 minutes or less ",
    ),
    (
        "moderate [1-24 hours] loss of consciousness",
        " loss of consciousness of 1 hour to 5 hours 59 minutes ",
    ),
    (
        "prolonged [more than 24 hours] loss of consciousness",
        " loss of consciousness greater than 24 hours ",
    ),
    (
        "without return to pre-existing conscious level",
        " without return to pre-existing conscious level with patient surviving ",
    ),
    // ICD-10-CM does not divide intracranial injuries by an open wound:
    // the wound is coded beside them (S06: code also any open wound of
    // head), so its absence says nothing.
    ("without mention of open intracranial wound", " "),
    // ICD-9-CM's motor vehicle accidents (E810-E825) name the injured
    // person by a fourth digit; ICD-10-CM names the victim's vehicle
    // first ("Car driver injured in ... in traffic accident"), and its car
    // is ICD-9-CM's "motor vehicle other than motorcycle". That the
    // accident involves a motor vehicle is said by the victim and the
    // collision, not by "motor vehicle" before "accident".
    (
        "driver of motor vehicle other than motorcycle",
        " car driver ",
    ),
    (
        "passenger in motor vehicle other than motorcycle",
        " car passenger ",
    ),
    ("motorcyclist", " motorcycle driver "),
    ("motor vehicle traffic accident", " traffic accident "),
    ("motor vehicle nontraffic accident", " nontraffic accident "),
    // ICD-9-CM names a burn's depth by what it did to the skin, with the
    // degree in brackets; ICD-10-CM says "burn of first (second, third)
    // degree", and does not tell a deep third degree burn with loss of a
    // body part from one without.
    (
        "deep necrosis of underlying tissues [deep third degree] without mention of loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissue [deep third degree] without mention of loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissues [deep third degree] with loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissue [deep third degree] with loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissues [deep third degree]",
        " burn of third degree ",
    ),
    (
        "full-thickness skin loss [third degree, not otherwise specified]",
        " burn of third degree ",
    ),
    (
        "full-thickness skin loss [third degree not otherwise specified]",
        " burn of third degree ",
    ),
    (
        "full-thickness skin loss [third degree nos]",
        " burn of third degree ",
    ),
    (
        "blisters, epidermal loss [second degree]",
        " burn of second degree ",
    ),
    ("erythema [first degree]", " burn of first degree "),
    ("not stated as uncontrolled", " "),
    ("stated as uncontrolled", " "),
    // The fifth digits of the ICD-9-CM obstetric chapter name the episode
    // of care; ICD-10-CM says pregnancy (with a trimester), childbirth or
    // the puerperium instead.
    (
        "unspecified as to episode of care or not applicable",
        " pregnancy, unspecified trimester ",
    ),
    (
        "unspecified as to episode of care",
        " pregnancy, unspecified trimester ",
    ),
    (
        "delivered, with or without mention of antepartum condition",
        " childbirth ",
    ),
    // Delivered with a complication that arose after the delivery: the
    // puerperium.
    (
        "delivered, with mention of postpartum complication",
        " puerperium ",
    ),
    ("antepartum condition or complication", " pregnancy "),
    ("postpartum condition or complication", " puerperium "),
    ("without mention of", "without"),
    ("with mention of", "with"),
    ("not otherwise specified", " unspecified "),
    // ICD-10-CM titles keep "not elsewhere classified" (J90), so it is
    // not read as "other".
    ("not elsewhere classified", " "),
    // "Not specified as acute or chronic" is the unspecified code (but
    // "not specified as traumatic" is a title's own words, M75.12-).
    ("not specified as acute or chronic", " unspecified "),
    // ICD-9-CM's "amputation status" is ICD-10-CM's acquired absence (the
    // index: Amputation - see also Absence, by site, acquired).
    ("amputation status", " acquired absence "),
    // "Late effect" is ICD-9-CM's sequela (the index: Late effect(s) - see Sequelae).
    ("late effects of", " sequela of "),
    ("late effect of", " sequela of "),
    ("late effects", " sequela "),
    ("late effect", " sequela "),
    ("negative for", " "),
    ("positive for", " "),
];

/// The regions of ICD-9-CM's musculoskeletal fifth digits and the joint
/// each takes in (its site definitions: "upper arm" is the elbow joint and
/// the humerus, "pelvic region and thigh" the hip and the femur...), which
/// is what ICD-10-CM's site characters name.
const SITE_JOINTS: &[(&str, &str)] = &[
    ("shoulder region", "shoulder"),
    ("upper arm", "elbow"),
    ("forearm", "wrist"),
    ("pelvic region and thigh", "hip"),
    ("lower leg", "knee"),
    ("other specified sites", "other site"),
    ("site unspecified", "unspecified site"),
];

/// The joint a statement's trailing region qualifier (", lower leg") takes
/// in, when it ends with one.
fn site_joint(body: &str) -> Option<&'static str> {
    let tail = body.trim_end().rsplit_once(',')?.1.trim();
    SITE_JOINTS
        .iter()
        .find(|(region, _)| tail == *region)
        .map(|(_, joint)| *joint)
}

/// The episode-of-care phrases of ICD-9-CM's obstetric fifth digits.
const EPISODES: &[&str] = &[
    "episode of care",
    "antepartum condition or complication",
    "postpartum condition or complication",
    "delivered, with",
];

/// An ICD-9-CM obstetric title names its episode of care after a generic
/// "of mother, complicating pregnancy, childbirth, or the puerperium": the
/// episode says which of the three (it is rewritten in `OLD_PHRASES`), so
/// the generic words, which would find all three alike, are dropped.
fn obstetric_episode(lower: &str) -> String {
    if !EPISODES.iter().any(|e| lower.contains(e)) {
        return lower.to_string();
    }
    let mut out = lower.to_string();
    for generic in [
        "complicating pregnancy, childbirth, or the puerperium",
        "complicating pregnancy, childbirth, and the puerperium",
        "complicating pregnancy and the puerperium",
    ] {
        out = out.replace(generic, " complicating ");
    }
    for mother in [" of mother,", " in the mother,"] {
        out = out.replace(mother, " complicating,");
    }
    out
}

/// An ICD-9-CM open wound is "complicated" by delayed healing, delayed
/// treatment, a foreign body or infection; of these ICD-10-CM classifies
/// only the foreign body, in the codes of the wound's kind ("Laceration
/// with foreign body of ...", the kind an open wound that names no other
/// is), and the plain wound otherwise. So a complicated open wound reads
/// "laceration ... with foreign body", and "without complication" is
/// dropped.
fn wound_complication(body: &str) -> String {
    if !body.contains("wound") {
        return body.to_string();
    }
    let body = body.replace("without complication", " ");
    if !body.contains(", complicated") {
        return body;
    }
    body.replace("open wound", "laceration")
        .replace(", complicated", " with foreign body ")
}

/// A number written with thousands separators ("1,250-1,499 grams") in
/// the classification's way ("1250-1499 grams"): a separator would
/// otherwise split it into numbers of its own.
fn plain_numbers(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let separator = c == ','
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.len() >= i + 4
            && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit);
        if !separator {
            out.push(c);
        }
    }
    out
}

/// ICD-10-CM grades the loss of consciousness only in its intracranial
/// injury codes (S06): a fracture "without intracranial injury" has no
/// place for it, so the grade that ICD-9-CM's fifth digit adds after a
/// comma ("with brief loss of consciousness", "with concussion") is
/// dropped rather than let it find intracranial injuries.
fn consciousness_without_injury(body: &str) -> String {
    let Some(at) = body.find("without intracranial injury") else {
        return body.to_string();
    };
    let after = at + "without intracranial injury".len();
    match body[after..].find(',') {
        Some(comma) => {
            let rest = &body[after + comma..];
            if rest.contains("conscious") || rest.contains("concussion") {
                format!("{} ", &body[..after + comma])
            } else {
                body.to_string()
            }
        }
        None => body.to_string(),
    }
}

/// Uncontrolled diabetes is, in the Alphabetic Index, "meaning
/// hyperglycemia" (Diabetes, uncontrolled: see Diabetes, by type, with
/// hyperglycemia), the commoner of its two readings.
fn diabetes_control(body: &str) -> String {
    if !body.contains("diabet") || !body.contains("uncontrolled") {
        return body.to_string();
    }
    body.replace("uncontrolled", " with hyperglycemia ")
}

/// Whether a statement "absence of X" names what the Alphabetic Index
/// codes under its main term Absence (Absence, ear, congenital Q16.9;
/// Absence, menstruation - see Amenorrhea): a congenital or acquired
/// absence or an absent function, not a negated finding ("absence of
/// fever").
fn indexed_absence<D: AsRef<[u8]>>(lib: &Library<D>, body: &str) -> bool {
    let Some(rest) = body.strip_prefix("absence of ") else {
        return false;
    };
    let what = rest.split(',').next().unwrap_or("").trim();
    if what.is_empty() {
        return false;
    }
    let Some(main) = lib.index.resolve("Absence") else {
        return false;
    };
    lib.index.children(main).into_iter().any(|c| {
        let part = normalize(lib.index.term(c).split(',').next().unwrap_or(""));
        let part = part.trim();
        !part.is_empty()
            && what
                .strip_suffix(part)
                .is_some_and(|before| before.is_empty() || before.ends_with(' '))
    })
}

/// How many of the last `OLD_PHRASES` are replaced after negation is read.
const LATE_PHRASES: usize = 2;

fn search_statement<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    statement: &str,
    opts: &Options,
) -> (StatementResult, String) {
    let mut lower = obstetric_episode(&format!(" {} ", plain_numbers(&statement.to_lowercase())));
    for (from, to) in OLD_PHRASES.iter().take(OLD_PHRASES.len() - LATE_PHRASES) {
        lower = lower.replace(from, to);
    }
    let mut body = lower
        .trim()
        .trim_start_matches("patient ")
        .trim_start_matches("pt ")
        .to_string();
    body.push(' ');
    let negated = (NEGATION_STARTS.iter().any(|n| body.starts_with(n))
        && !indexed_absence(lib, &body))
        || NEGATION_ENDS
            .iter()
            .any(|n| body.trim_end().ends_with(n.trim_start()) && body.trim_end().len() > n.len())
        || body.contains(" negative for ")
        || NEGATED_FINDINGS.contains(&body.trim());
    let mut uncertain = false;
    for u in UNCERTAIN {
        if body.starts_with(u) || body.contains(&format!(" {u}")) {
            uncertain = true;
            body = body.replacen(u, " ", 1);
        }
    }
    if body.trim_end().ends_with('?') {
        uncertain = true;
    }
    let history = HISTORY
        .iter()
        .any(|h| body.starts_with(h) || body.contains(&format!(" {h}")));
    let mut result = StatementResult {
        statement: statement.to_string(),
        negated,
        uncertain,
        history,
        note: None,
        suggestions: Vec::new(),
    };
    if negated {
        result.note = Some("negated finding: not coded".into());
        return (result, String::new());
    }
    if uncertain && opts.setting == Setting::Outpatient {
        result.note = Some("uncertain diagnosis: not coded in the outpatient setting; code the signs and symptoms (Guidelines IV.H)".into());
        return (result, String::new());
    }
    if uncertain {
        result.note = Some("uncertain diagnosis: coded as if established in the inpatient setting (Guidelines II.H); confirm with the documentation".into());
    }
    for (from, to) in &OLD_PHRASES[OLD_PHRASES.len() - LATE_PHRASES..] {
        body = body.replace(from, to);
    }
    body = wound_complication(&body);
    body = diabetes_control(&body);
    body = consciousness_without_injury(&body);
    if let Some(joint) = site_joint(&body) {
        body = format!("{} {joint} ", body.trim_end());
    }
    // Keep the user's capitals for abbreviations that are also English words.
    let original_case = if statement.to_lowercase().trim() == body.trim() {
        statement.to_string()
    } else {
        body.clone()
    };
    result.suggestions = if let Some(code) = code_query(statement) {
        code_suggestions(lib, &code, opts.top)
    } else {
        let typing = !statement.ends_with(char::is_whitespace);
        text_suggestions(lib, idx, &original_case, history, typing, opts)
    };
    (result, original_case)
}

/// A query that is a code or the start of one (`E11.2`, `e112`, `S52.5`,
/// `E11.3-`), which the search answers with codes rather than words. The
/// record form asks the same question of what is typed in a code field.
pub fn code_query(s: &str) -> Option<Code> {
    let t = s.trim();
    if t.len() > 8 || t.contains(' ') || !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    t.trim_end_matches('-')
        .parse::<IndexCode>()
        .ok()
        .map(|c| c.code)
}

fn code_suggestions<D: AsRef<[u8]>>(lib: &Library<D>, code: &Code, top: usize) -> Vec<Suggestion> {
    let t = &lib.tabular;
    let mut ids: Vec<NodeId> = t.find(code).into_iter().collect();
    for id in t.with_prefix(code.as_str()) {
        if ids.len() >= top {
            break;
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.into_iter()
        .enumerate()
        .map(|(rank, id)| {
            let mut s = suggestion(
                lib,
                id,
                1.0 / (1.0 + rank as f32 * 0.05),
                Via::Code,
                t.display_key(id),
                Vec::new(),
            );
            s.highlights = vec![(0, s.path.len())];
            s
        })
        .collect()
}

fn suggestion<D: AsRef<[u8]>>(
    lib: &Library<D>,
    id: NodeId,
    score: f32,
    via: Via,
    path: String,
    highlights: Vec<(usize, usize)>,
) -> Suggestion {
    let t = &lib.tabular;
    let billable = t.billable(id);
    let needs = if billable {
        None
    } else if t.needs_seventh(id) {
        Some("7th character".to_string())
    } else {
        Some("more characters".to_string())
    };
    let choices = if billable {
        Vec::new()
    } else {
        t.billable_descendants_up_to(id, 12)
            .into_iter()
            .map(|c| t.display_key(c))
            .collect()
    };
    Suggestion {
        code: t.display_key(id),
        title: t.title(id).into_owned(),
        billable,
        needs,
        choices,
        score,
        via,
        path,
        highlights,
        corroborated: false,
        assumed: None,
    }
}

/// Completes a code that needs a 7th character with the one the encounter
/// setting gives (or, where the characters are not encounters, the
/// unspecified one), saying that it was assumed; the other characters stay
/// as choices.
fn assume_seventh<D: AsRef<[u8]>>(lib: &Library<D>, s: &mut Suggestion, encounter: Encounter) {
    let t = &lib.tabular;
    let Some(word) = encounter.word() else {
        return;
    };
    if s.billable || s.needs.as_deref() != Some("7th character") {
        return;
    }
    let Some(id) = s.code.parse::<Code>().ok().and_then(|c| t.find(&c)) else {
        return;
    };
    let options = t.seventh_options(id);
    let lower = |m: &str| m.to_lowercase();
    let chosen = options
        .iter()
        .find(|o| lower(o.meaning).contains(word))
        .or_else(|| {
            options.iter().find(|o| {
                let m = lower(o.meaning);
                m.contains("unspecified") || m.contains("not applicable")
            })
        });
    let Some(o) = chosen else {
        return;
    };
    let Some(full) = t.find(&o.code) else {
        return;
    };
    s.assumed = Some(format!(
        "7th character {} ({}) assumed: the documentation does not say",
        o.ch, o.meaning
    ));
    s.choices = options
        .iter()
        .filter(|x| x.ch != o.ch)
        .map(|x| t.display_key(t.find(&x.code).unwrap_or(full)))
        .collect();
    s.code = t.display_key(full);
    s.title = t.title(full).into_owned();
    s.billable = t.billable(full);
    s.needs = None;
}

/// One query word: its stems to look for and how much it counts.
#[derive(Debug, Clone)]
struct Word {
    stem: String,
    weight: f32,
    prefix: bool,
}

/// Words that narrow a code to a child (laterality, encounter, acuity...)
/// more than they find it.
const STEERING: &[&str] = &[
    "left",
    "right",
    "bilater",
    "initi",
    "subsequ",
    "encount",
    "sequela",
    "routin",
    "heal",
    "delay",
    "nonunion",
    "malunion",
    "unspecifi",
    "close",
    "open",
    "displac",
    "nondisplac",
    "without",
    "with",
    "type",
    "stage",
];

/// Whether a stem is a steering word.
pub fn is_steering(stem: &str) -> bool {
    STEERING.iter().any(|st| stem.starts_with(st))
}

/// Intent words that choose a column of the Table of Drugs and Chemicals.
const DRUG_COLUMNS: &[&[&str]] = &[
    &[
        "accident", "unintent", "overdos", "poison", "toxic", "ingest", "intox",
    ],
    &["intent", "self", "harm", "suicid", "attempt"],
    &["assault", "homicid"],
    &["undetermin"],
    &[
        "advers",
        "effect",
        "reaction",
        "side",
        "allerg",
        "proper",
        "therapeut",
        "correct",
        "prescrib",
    ],
    &[
        "underdos",
        "noncompli",
        "discontinu",
        "miss",
        "insuffici",
        "skip",
    ],
];

/// Behaviour words that choose a column of the Table of Neoplasms.
const NEOPLASM_COLUMNS: &[&[&str]] = &[
    &[
        "malign",
        "primari",
        "cancer",
        "carcinoma",
        "sarcoma",
        "adenocarcinoma",
    ],
    &["secondari", "metastat", "metastas", "met"],
    &["situ"],
    &["benign"],
    &["uncertain"],
    &["unspecifi", "tumor", "mass", "lesion", "growth"],
];

/// Tokens of a statement with abbreviations expanded: each reading is a
/// list of words. Ambiguous abbreviations give a few readings.
fn readings<D: AsRef<[u8]>>(
    idx: &SearchIndex<D>,
    original: &str,
    typing: bool,
) -> Vec<Vec<(String, bool)>> {
    // (raw, normalized) tokens.
    let raw: Vec<&str> = original
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '\''))
        .filter(|t| !t.is_empty())
        .collect();
    let tokens: Vec<(String, String)> = raw
        .iter()
        .flat_map(|r| {
            // Keep "w/", "s/p", "r/o" whole for the dictionary; split other slashes.
            if r.contains('/') && r.len() <= 4 {
                vec![(r.to_string(), r.to_lowercase())]
            } else {
                r.split('/')
                    .filter(|p| !p.is_empty())
                    .map(|p| (p.to_string(), normalize(p)))
                    .collect()
            }
        })
        .filter(|(_, n)| !n.is_empty())
        .collect();
    let mut slots: Vec<Vec<Vec<String>>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = false;
        for n in (1..=3).rev() {
            if i + n > tokens.len() {
                continue;
            }
            let key = tokens[i..i + n]
                .iter()
                .map(|(_, t)| normalize(&t.replace('.', "")))
                .collect::<Vec<_>>()
                .join(" ");
            let key_slash = tokens[i..i + n]
                .iter()
                .map(|(_, t)| t.clone())
                .collect::<Vec<_>>()
                .join(" ");
            // "PVCs" is the plural of "PVC".
            // Only for acronyms typed in capitals, so "lues" stays a word.
            let acronym = n == 1 && tokens[i].0.chars().filter(|c| c.is_uppercase()).count() >= 2;
            let singular = key
                .strip_suffix('s')
                .filter(|k| acronym && k.len() >= 2)
                .map(str::to_string);
            // "A-fib" is "AFib" written in two pieces.
            let joined = tokens[i..i + n]
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<String>();
            let found = idx
                .abbreviation(&key)
                .or_else(|| {
                    if n > 1 {
                        idx.abbreviation(&normalize(&joined))
                    } else {
                        None
                    }
                })
                .or_else(|| idx.abbreviation(&normalize(&key_slash)))
                .or_else(|| singular.and_then(|k| idx.abbreviation(&k)));
            let Some(exp) = found else { continue };
            let upper = tokens[i..i + n].iter().all(|(r, _)| {
                r.chars().any(|c| c.is_alphabetic()) && !r.chars().any(|c| c.is_lowercase())
            });
            // A stop word ("as", "or") is an abbreviation only in capitals.
            if (exp.caps_only || (n == 1 && is_stop(&key))) && !upper {
                continue;
            }
            // A word that is itself in the vocabulary and not an acronym stays a word too.
            let alternatives: Vec<Vec<String>> = exp
                .meanings
                .iter()
                .take(3)
                .map(|m| normalize(m).split(' ').map(String::from).collect())
                .collect();
            if alternatives.is_empty() || exp.meanings.first() == Some(&"NONE") {
                continue;
            }
            slots.push(alternatives);
            i += n;
            matched = true;
            break;
        }
        if !matched {
            let (_, n) = &tokens[i];
            slots.push(vec![n.split(' ').map(String::from).collect()]);
            i += 1;
        }
    }
    // The first reading takes every first meaning; each further reading
    // changes one ambiguous slot.
    let first: Vec<Vec<String>> = slots.iter().map(|s| s[0].clone()).collect();
    let mut variants = vec![first.clone()];
    for (k, s) in slots.iter().enumerate() {
        for alt in s.iter().skip(1) {
            if variants.len() >= 4 {
                break;
            }
            let mut v = first.clone();
            v[k] = alt.clone();
            variants.push(v);
        }
    }
    let last_expanded = slots.last().is_some_and(|s| s.len() > 1 || s[0].len() > 1);
    variants
        .into_iter()
        .map(|v| {
            let flat: Vec<String> = v.into_iter().flatten().collect();
            let n = flat.len();
            flat.into_iter()
                .enumerate()
                .map(|(j, w)| (w, typing && j + 1 == n && !last_expanded))
                .collect()
        })
        .collect()
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Per-query accumulators, reused between queries (no allocation per keystroke).
#[derive(Default)]
struct Scratch {
    score: Vec<f32>,
    last: Vec<u16>,
    essential: Vec<u16>,
    /// Score from the words of the statement's head ([`head_stems`]).
    head: Vec<f32>,
    touched: Vec<u32>,
}

fn text_suggestions<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    original: &str,
    history: bool,
    typing: bool,
    opts: &Options,
) -> Vec<Suggestion> {
    let w = &opts.weights;
    let mut best: Vec<Suggestion> = Vec::new();
    let mut stems: Vec<String> = Vec::new();
    // What the statement says is absent, read clause by clause (a comma
    // ends a "without").
    let absent = Polarity::of_text(&[original]).absent();
    let head = head_stems(original);
    for (k, reading) in readings(idx, original, typing).into_iter().enumerate() {
        // Later readings take less likely meanings of an abbreviation.
        let discount = 1.0 - opts.weights.reading_discount * k as f32;
        let mut reading = reading;
        let family = reading.iter().any(|(t, _)| t == "family");
        if history && !family && reading.iter().any(|(t, _)| t == "history") {
            reading.push(("personal".to_string(), false));
        }
        let words: Vec<Word> = reading
            .into_iter()
            .filter(|(t, _)| !t.is_empty() && !is_stop(t))
            .take(40)
            .map(|(t, prefix)| {
                let s = stem(&t);
                let weight = if is_steering(&s) { w.steering } else { 1.0 };
                Word {
                    stem: s,
                    weight,
                    prefix,
                }
            })
            .collect();
        if words.is_empty() {
            continue;
        }
        stems.extend(words.iter().map(|w| w.stem.clone()));
        for mut s in rank(lib, idx, &words, &absent, &head, opts) {
            s.score *= discount;
            // A code reached from several places (the index and the tabular
            // agreeing) gains a little from each further one.
            match best.iter_mut().find(|b| b.code == s.code) {
                Some(b) if b.via != s.via && k == 0 && !b.corroborated => {
                    let (strong, weak) = if b.score >= s.score {
                        (b.clone(), s.score)
                    } else {
                        (s, b.score)
                    };
                    *b = strong;
                    b.score += opts.weights.corroboration * weak;
                    b.corroborated = true;
                }
                Some(b) if b.score >= s.score => {}
                Some(b) => *b = s,
                None => best.push(s),
            }
        }
    }
    // The pregnancy and trimester words can fill the candidates with
    // obstetric codes of other conditions before the statement's own
    // condition is reached (hemorrhoids in pregnancy for malaria): the
    // condition's words are looked up alone, so its Chapter 15 code can
    // lead ([`complicating_pregnancy`]).
    if stems.iter().any(|s| is_obstetric(s)) {
        let condition = condition_stems(&stems);
        let plain = |s: &Suggestion| -> String { s.code.chars().filter(|c| *c != '.').collect() };
        let has_condition = best
            .iter()
            .any(|s| !plain(s).starts_with('O') && chapter15_for(lib, &plain(s)).is_some());
        if !condition.is_empty() && !has_condition {
            let words: Vec<Word> = condition
                .iter()
                .map(|s| Word {
                    stem: s.clone(),
                    weight: if is_steering(s) { w.steering } else { 1.0 },
                    prefix: false,
                })
                .collect();
            // Scored as if the other words had not matched.
            let share = condition.len() as f32 / stems.len().max(1) as f32;
            let found = rank(lib, idx, &words, &absent, &head, opts);
            for mut s in found
                .into_iter()
                .filter(|s| !plain(s).starts_with('O') && chapter15_for(lib, &plain(s)).is_some())
                .take(PREGNANCY_LEAD)
            {
                if !best.iter().any(|b| b.code == s.code) {
                    s.score *= share * share;
                    best.push(s);
                }
            }
        }
    }
    // A category or subcategory is never the last word: one the
    // statement's words could not narrow is offered as its first billable
    // codes, each a little below it.
    let mut complete: Vec<Suggestion> = Vec::with_capacity(best.len());
    for s in best {
        if s.billable || s.needs.as_deref() == Some("7th character") {
            complete.push(s);
            continue;
        }
        let t = &lib.tabular;
        let Some(id) = s.code.parse::<Code>().ok().and_then(|c| t.find(&c)) else {
            complete.push(s);
            continue;
        };
        // Codes that differ before the 7th character: the encounter is
        // assumed below, not listed three times.
        let mut kinds: Vec<NodeId> = Vec::new();
        for d in t.billable_descendants_up_to(id, 200) {
            let d = match t.parent(d) {
                Some(p) if t.is_generated(d) => p,
                _ => d,
            };
            if !kinds.contains(&d) {
                kinds.push(d);
            }
            if kinds.len() >= opts.weights.expand {
                break;
            }
        }
        for (i, d) in kinds.into_iter().enumerate() {
            let mut c = suggestion(
                lib,
                d,
                s.score * (1.0 - 0.01 * (i + 1) as f32),
                s.via,
                s.path.clone(),
                Vec::new(),
            );
            c.corroborated = s.corroborated;
            complete.push(c);
        }
    }
    let mut best = complete;
    for s in &mut best {
        assume_seventh(lib, s, opts.encounter);
    }
    // Two documents may now give the same complete code: keep the best.
    best.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut seen: Vec<String> = Vec::new();
    best.retain(|s| {
        let new = !seen.contains(&s.code);
        seen.push(s.code.clone());
        new
    });
    best.retain(|s| opts.patient.allows(lib, &s.code));
    if stems.iter().any(|s| is_obstetric(s)) {
        complicating_pregnancy(lib, &mut best, &stems, opts);
    }
    best.truncate(opts.top);
    for s in &mut best {
        s.highlights = text::highlight(&s.path, &stems);
    }
    best
}

/// Whether a stem says pregnancy, childbirth or the puerperium.
fn is_obstetric(stem: &str) -> bool {
    [
        "pregnanc",
        "childbirth",
        "puerperium",
        "puerper",
        "obstetr",
        "antepartum",
        "postpartum",
    ]
    .contains(&stem)
}

/// Condition codes of other chapters offered for an obstetric statement,
/// at most this many, each led by its Chapter 15 code.
const PREGNANCY_LEAD: usize = 3;

/// A condition of another chapter that complicates a pregnancy,
/// childbirth or the puerperium is coded first with the Chapter 15 code
/// whose inclusion note takes it in ("O98.6 Protozoal diseases
/// complicating pregnancy: Conditions in B50-B64"; Guidelines
/// I.C.15.a.1), then with its own code: an obstetric statement's
/// condition code is led by that code, narrowed by the statement's words
/// to the trimester, childbirth or puerperium.
fn complicating_pregnancy<D: AsRef<[u8]>>(
    lib: &Library<D>,
    best: &mut Vec<Suggestion>,
    stems: &[String],
    opts: &Options,
) {
    let plain = |s: &Suggestion| -> String { s.code.chars().filter(|c| *c != '.').collect() };
    let condition = condition_stems(stems);
    // An obstetric code that names none of those words matched the
    // pregnancy and trimester words only (hemorrhoids in pregnancy for
    // malaria): it waits behind the condition's own Chapter 15 code when
    // one will lead.
    let will_lead = !condition.is_empty()
        && best
            .iter()
            .any(|s| !plain(s).starts_with('O') && chapter15_for(lib, &plain(s)).is_some());
    let names_condition = |s: &Suggestion| {
        !text::highlight(&s.title, &condition).is_empty()
            || !text::highlight(&s.path, &condition).is_empty()
    };
    let mut out: Vec<Suggestion> = Vec::with_capacity(best.len() + PREGNANCY_LEAD);
    let mut waiting: Vec<Suggestion> = Vec::new();
    let mut led = 0;
    for s in std::mem::take(best) {
        let code = plain(&s);
        if will_lead && led < PREGNANCY_LEAD && code.starts_with('O') && !names_condition(&s) {
            waiting.push(s);
            continue;
        }
        if led < PREGNANCY_LEAD && !code.starts_with('O') && out.len() < opts.top {
            if let Some(node) = chapter15_for(lib, &code) {
                let node = refine(lib, node, stems, &opts.weights);
                let mut lead = suggestion(lib, node, s.score, s.via, s.path.clone(), Vec::new());
                assume_seventh(lib, &mut lead, opts.encounter);
                led += 1;
                if !out.iter().any(|o| o.code == lead.code) && opts.patient.allows(lib, &lead.code)
                {
                    out.push(lead);
                }
            }
        }
        if !out.iter().any(|o| o.code == s.code) {
            out.push(s);
        }
        if led == PREGNANCY_LEAD {
            out.append(&mut waiting);
        }
    }
    out.append(&mut waiting);
    out.retain({
        let mut seen: Vec<String> = Vec::new();
        move |s| {
            let new = !seen.contains(&s.code);
            seen.push(s.code.clone());
            new
        }
    });
    *best = out;
}

/// The words of an obstetric statement that name the condition rather
/// than the pregnancy ("malaria" in "malaria in pregnancy, unspecified
/// trimester").
fn condition_stems(stems: &[String]) -> Vec<String> {
    let context: Vec<String> = PREGNANCY_CONTEXT.iter().map(|w| stem(w)).collect();
    let mut out: Vec<String> = Vec::new();
    for s in stems {
        if !is_obstetric(s) && !context.contains(s) && !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

/// Words of an obstetric statement that say which pregnancy, trimester or
/// episode it is, not which condition complicates it.
const PREGNANCY_CONTEXT: &[&str] = &[
    "mother",
    "maternal",
    "complicating",
    "complicated",
    "complication",
    "trimester",
    "first",
    "second",
    "third",
    "unspecified",
    "condition",
    "delivered",
    "weeks",
];

/// A Chapter 15 code whose inclusion note is "Conditions in ...", with
/// the codes it takes in and the ones it leaves out.
type ConditionsIn = (NodeId, Vec<Target>, Vec<Target>);

thread_local! {
    /// The [`ConditionsIn`] codes of one tabular (keyed by its release
    /// string's address and its size), read once.
    static CONDITIONS_IN: RefCell<((usize, usize), Vec<ConditionsIn>)> =
        const { RefCell::new(((0, 0), Vec::new())) };
}

/// The Chapter 15 code whose "Conditions in" inclusion note takes in the
/// code `plain` (no dot), the narrowest first.
fn chapter15_for<D: AsRef<[u8]>>(lib: &Library<D>, plain: &str) -> Option<NodeId> {
    let t = &lib.tabular;
    let owner = (t.release().as_ptr() as usize, t.len());
    CONDITIONS_IN.with(|cell| {
        let mut c = cell.borrow_mut();
        if c.0 != owner {
            let mut list = Vec::new();
            for id in t.with_prefix("O") {
                for n in t.own_notes(id) {
                    if n.kind != NoteKind::InclusionTerm {
                        continue;
                    }
                    let Some(rest) = n.text.strip_prefix("Conditions in ") else {
                        continue;
                    };
                    let (take, except) = rest.split_once(" except ").unwrap_or((rest, ""));
                    list.push((id, targets(take), targets(except)));
                }
            }
            // The deepest first: O99.34 before O99.3.
            list.sort_by_key(|(id, _, _)| std::cmp::Reverse(t.depth(*id)));
            *c = (owner, list);
        }
        c.1.iter()
            .find(|(_, take, except)| {
                take.iter().any(|x| x.matches(plain)) && !except.iter().any(|x| x.matches(plain))
            })
            .map(|(id, _, _)| *id)
    })
}

/// Vocabulary words a query word matches, with their credit.
fn matches<D: AsRef<[u8]>>(idx: &SearchIndex<D>, word: &Word, w: &Weights) -> Vec<(u64, f32)> {
    let vocab = idx.vocab();
    let mut out: Vec<(u64, f32)> = Vec::new();
    if let Some(h) = vocab.get(&word.stem) {
        out.push((h, 1.0));
    }
    // In the Alphabetic Index "NEC" stands for "other specified"
    // (Guidelines I.A.5): a statement's "other" meets it.
    if word.stem == OTHER {
        if let Some(h) = vocab.get("nec") {
            out.push((h, 1.0));
        }
    }
    if word.prefix && word.stem.len() >= 2 {
        // The word being typed: its completions, commonest first.
        let mut stream = vocab.range().ge(&word.stem).into_stream();
        let mut found = Vec::new();
        while let Some((k, h)) = stream.next() {
            if !k.starts_with(word.stem.as_bytes()) || found.len() >= 400 {
                break;
            }
            if k != word.stem.as_bytes() {
                found.push(h);
            }
        }
        // A word typed past its stem ("atheroscleroti" against the stem
        // "atherosclerosi"): complete a slightly shorter form instead.
        let chars: Vec<char> = word.stem.chars().collect();
        for cut in 1..=3usize {
            if !found.is_empty() || !out.is_empty() || chars.len() < cut + 7 {
                break;
            }
            let shorter: String = chars[..chars.len() - cut].iter().collect();
            let mut stream = vocab.range().ge(&shorter).into_stream();
            while let Some((k, h)) = stream.next() {
                if !k.starts_with(shorter.as_bytes()) || found.len() >= 400 {
                    break;
                }
                found.push(h);
            }
        }
        found.sort_by_key(|h| std::cmp::Reverse(SearchIndex::<D>::df(*h)));
        // Two letters say little: keep only their commonest completions.
        let keep = if word.stem.len() < 3 {
            w.short_prefix_completions
        } else {
            w.prefix_completions
        };
        out.extend(found.into_iter().take(keep).map(|h| (h, w.prefix)));
    }
    let len = word.stem.chars().count();
    if out.is_empty() && len >= w.typo_min_len && word.stem.chars().all(|c| c.is_ascii_alphabetic())
    {
        let dist = if len >= w.typo2_min_len { 2 } else { 1 };
        // Stems are mostly prefixes of words, so a misspelt word is also
        // compared with its own shorter forms ("hypertenion" ~ "hyperten").
        let mut found: Vec<(u32, u32, u64)> = Vec::new();
        for cut in 0..=2usize.min(len.saturating_sub(w.typo_min_len)) {
            // Shorter forms only when the whole word found nothing.
            if !found.is_empty() {
                break;
            }
            let q: String = word.stem.chars().take(len - cut).collect();
            let Ok(aut) = Levenshtein::new(&q, dist) else {
                continue;
            };
            let mut stream = vocab.search(aut).into_stream();
            while let Some((k, h)) = stream.next() {
                let d = edit_distance(q.as_bytes(), k) + cut as u32;
                if !found.iter().any(|f| f.2 == h) {
                    found.push((d, SearchIndex::<D>::df(h), h));
                }
                if found.len() >= 60 {
                    break;
                }
            }
        }
        // Closest first, then the commonest: what was most likely meant.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        out.extend(found.into_iter().take(4).map(|(d, _, h)| {
            (
                h,
                w.typo * (1.0 - w.typo_step * d.saturating_sub(1) as f32).max(w.typo_floor),
            )
        }));
    }
    out
}

/// Optimal string alignment distance (a transposition counts once).
fn edit_distance(a: &[u8], b: &[u8]) -> u32 {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0u32; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i as u32;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j as u32;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = u32::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// The stems of a statement's head, the words before its first comma
/// ("Marginal zone lymphoma" of "Marginal zone lymphoma, intrathoracic
/// lymph nodes"): in the classification's phrasing the head names the
/// condition and what follows the comma qualifies it (site, type,
/// episode). Empty when there is no comma, or nothing after it; a word
/// the qualifier says too is not the head's alone.
fn head_stems(statement: &str) -> Vec<String> {
    let Some((head, tail)) = statement.split_once(',') else {
        return Vec::new();
    };
    let tail = text::words(tail);
    if tail.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = text::words(head)
        .into_iter()
        .filter(|w| !tail.contains(w) && !is_steering(w))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn rank<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    words: &[Word],
    absent: &[String],
    head: &[String],
    opts: &Options,
) -> Vec<Suggestion> {
    let w = &opts.weights;
    let n = idx.len();
    let ndocs = n.max(1) as f32;
    let query_stems: Vec<String> = words.iter().map(|w| w.stem.clone()).collect();
    // The first column (accidental poisoning, malignant primary) is the
    // default reading of generic words ("overdose", "cancer"), so the
    // specific columns are tried first.
    let neoplasm_col = column_of(&query_stems, NEOPLASM_COLUMNS);
    let drug_col = column_of(&query_stems, DRUG_COLUMNS);
    let (mut total, mut neo_bonus, mut drug_bonus) = (0f32, 0f32, 0f32);
    let mut head_total = 0f32;
    let mut top: Vec<(f32, u32)> = Vec::new();
    SCRATCH.with(|cell| {
        let mut sc = cell.borrow_mut();
        if sc.score.len() != n {
            sc.score = vec![0.0; n];
            sc.last = vec![u16::MAX; n];
            sc.essential = vec![0; n];
            sc.head = vec![0.0; n];
        }
        for (qi, word) in words.iter().enumerate() {
            // Steering words only narrow codes (see `refine`) when their
            // weight is zero; their long postings are then not read.
            if word.weight == 0.0 {
                continue;
            }
            let mut m = matches(idx, word, w);
            m.sort_by(|a, b| b.1.total_cmp(&a.1));
            let df = m
                .first()
                .map(|(h, _)| SearchIndex::<D>::df(*h))
                .unwrap_or(0) as f32;
            // Words found nowhere do not count against the documents.
            let idf = if m.is_empty() {
                0.0
            } else {
                (1.0 + ndocs / (1.0 + df)).ln()
            } * word.weight;
            total += idf;
            let in_head = head.contains(&word.stem);
            if in_head {
                head_total += idf;
            }
            if in_columns(&word.stem, NEOPLASM_COLUMNS) {
                neo_bonus += idf;
            }
            if in_columns(&word.stem, DRUG_COLUMNS) {
                drug_bonus += idf;
            }
            for (h, credit) in m {
                let sc = &mut *sc;
                idx.for_each_posting(h, |doc, optional| {
                    let d = doc as usize;
                    if sc.last[d] == qi as u16 {
                        return;
                    }
                    if sc.last[d] == u16::MAX {
                        sc.touched.push(doc);
                    }
                    sc.last[d] = qi as u16;
                    sc.score[d] += idf * credit;
                    if in_head {
                        sc.head[d] += idf * credit;
                    }
                    if !optional {
                        sc.essential[d] += 1;
                    }
                });
            }
        }
        let total = total.max(1e-6);
        let touched = std::mem::take(&mut sc.touched);
        for &doc in &touched {
            let d = doc as usize;
            let (via, len) = idx.via_len(doc);
            let mut raw = sc.score[d];
            // Column words are matched by the column the table row is read in.
            match via {
                Via::Neoplasm => raw += neo_bonus,
                Via::Drug => raw += drug_bonus,
                _ => {}
            }
            let qcov = (raw / total).min(1.0);
            let dcov = if len == 0 {
                1.0
            } else {
                (sc.essential[d] as f32 / len as f32).min(1.0)
            };
            let via = w.via.of(via);
            let mut score = qcov * qcov * ((1.0 - w.doc_coverage) + w.doc_coverage * dcov) * via;
            if head_total > 0.0 {
                let hcov = (sc.head[d] / head_total).min(1.0);
                score *= (1.0 - w.head) + w.head * hcov;
            }
            sc.score[d] = 0.0;
            sc.head[d] = 0.0;
            sc.last[d] = u16::MAX;
            sc.essential[d] = 0;
            top.push((score, doc));
        }
        sc.touched = touched;
        sc.touched.clear();
    });
    let keep = w.candidates.min(top.len());
    if keep == 0 {
        return Vec::new();
    }
    top.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    top.truncate(keep);
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let stems: Vec<String> = words.iter().map(|w| w.stem.clone()).collect();
    let polarity = Polarity::of_query(&stems);
    let residual = Residual::of_stems(&stems);
    let says_history = stems.iter().any(|s| s == "histori");
    let mut out: Vec<Suggestion> = Vec::new();
    let mut codes = 0;
    for (score, doc) in top {
        // Enough distinct codes for this reading: the rest cannot rank.
        if codes >= opts.top * 2 {
            break;
        }
        if let Some(mut s) =
            doc_suggestion(lib, idx.doc(doc), score, &stems, neoplasm_col, drug_col, w)
        {
            if !polarity.is_empty() {
                let doc = Polarity::of_text(&[&s.path, &s.title]);
                // What was matched, not the code's title: the index may
                // send a term to a code named after another ("Periostitis"
                // to M86.9 Osteomyelitis).
                let matched = Polarity::of_text(&[&s.path]);
                if polarity.contradicted_by(&doc) || matched.asserts_any(absent) {
                    s.score *= w.contradiction;
                }
            }
            if let Some(r) = residual {
                match Residual::of_title(&s.title) {
                    Some(t) if t == r => {}
                    Some(_) => s.score *= w.residual_opposite,
                    None => s.score *= w.residual_unsaid,
                }
            }
            // A history code is for a statement that says "history".
            if !says_history && is_history_title(&s.title) {
                s.score *= w.residual_opposite;
            }
            if !out.iter().any(|o| o.code == s.code) {
                codes += 1;
            }
            out.push(s);
        }
    }
    out
}

/// The two residual kinds of a category: "other" (specified, not
/// elsewhere classified: .8) and "unspecified" (.9). A statement that says
/// one of them does not mean the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Residual {
    Other,
    Unspecified,
}

impl Residual {
    /// The residual stems say, when they say only one.
    fn of_stems(stems: &[String]) -> Option<Residual> {
        let other = stems.iter().any(|s| s == OTHER);
        let unspecified = stems.iter().any(|s| s.starts_with(UNSPECIFIED));
        match (other, unspecified) {
            (true, false) => Some(Residual::Other),
            (false, true) => Some(Residual::Unspecified),
            _ => None,
        }
    }

    /// The residual a code's title says, when it says only one.
    fn of_title(title: &str) -> Option<Residual> {
        Residual::of_stems(&text::words(title))
    }
}

/// Whether a code's title is a personal or family history ("Personal
/// history of other diseases of the respiratory system").
fn is_history_title(title: &str) -> bool {
    let t = title.trim_start().to_lowercase();
    ["personal history", "family history", "history of"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// The stem of "other".
const OTHER: &str = "other";

/// The stem prefix of "unspecified".
const UNSPECIFIED: &str = "unspecifi";

/// The words a text puts under "with" and under "without": each runs from
/// the word to the next "with"/"without" or comma. Both are steering words,
/// so they do not find documents; they tell apart the ones found.
#[derive(Debug, Default)]
struct Polarity {
    with: Vec<String>,
    without: Vec<String>,
    /// The words before any "with" or "without": what the text is about.
    plain: Vec<String>,
}

impl Polarity {
    fn of_stems<'a>(stems: impl IntoIterator<Item = &'a String>, into: &mut Polarity) {
        let mut scope: Option<bool> = None;
        let mut previous = "";
        for s in stems {
            let other_than = previous == OTHER && s == "than";
            previous = s.as_str();
            match s.as_str() {
                "with" => scope = Some(true),
                // A title's "not" denies what follows ("malnutrition not
                // light or small for gestational age"), and so does
                // "other than" ("driver of motor vehicle other than
                // motorcycle").
                "without" | "not" => scope = Some(false),
                _ if other_than => scope = Some(false),
                _ => match scope {
                    Some(true) => into.with.push(s.clone()),
                    Some(false) => into.without.push(s.clone()),
                    None => into.plain.push(s.clone()),
                },
            }
        }
    }

    /// The words this puts only under "without" (not also elsewhere):
    /// what the statement says is absent.
    fn absent(&self) -> Vec<String> {
        self.without
            .iter()
            .filter(|w| !self.with.contains(w) && !self.plain.contains(w))
            .cloned()
            .collect()
    }

    /// Whether this text is about one of `absent` (names it, and not
    /// under "without"): "Unspecified intracranial injury" for a fracture
    /// "without intracranial injury".
    fn asserts_any(&self, absent: &[String]) -> bool {
        absent
            .iter()
            .any(|w| (self.plain.contains(w) || self.with.contains(w)) && !self.without.contains(w))
    }

    fn of_query(stems: &[String]) -> Polarity {
        let mut p = Polarity::default();
        Polarity::of_stems(stems, &mut p);
        p
    }

    fn of_text(texts: &[&str]) -> Polarity {
        let mut p = Polarity::default();
        for clause in texts.iter().flat_map(|t| t.split([',', ';'])) {
            Polarity::of_stems(&text::words(clause), &mut p);
        }
        p
    }

    fn is_empty(&self) -> bool {
        self.with.is_empty() && self.without.is_empty()
    }

    /// Whether `doc` puts under "with" what this puts under "without", or
    /// the other way round: "without complications" against "Diabetes >
    /// type 2 > with > complication".
    fn contradicted_by(&self, doc: &Polarity) -> bool {
        self.without.iter().any(|w| doc.with.contains(w))
            || self.with.iter().any(|w| doc.without.contains(w))
    }
}

fn in_columns(stem: &str, columns: &[&[&str]]) -> bool {
    columns
        .iter()
        .any(|c| c.iter().any(|p| stem.starts_with(p)))
}

/// The column stems choose (as `column` does for query words).
fn column_of(stems: &[String], columns: &[&[&str]]) -> Option<usize> {
    let hit = |c: &[&str]| stems.iter().any(|s| c.iter().any(|p| s.starts_with(p)));
    (1..columns.len())
        .find(|i| hit(columns[*i]))
        .or_else(|| hit(columns[0]).then_some(0))
}

fn doc_suggestion<D: AsRef<[u8]>>(
    lib: &Library<D>,
    doc: Doc,
    score: f32,
    stems: &[String],
    neoplasm_col: Option<usize>,
    drug_col: Option<usize>,
    w: &Weights,
) -> Option<Suggestion> {
    let t = &lib.tabular;
    let (raw_code, path) = match doc.via {
        Via::Index | Via::Eindex => {
            let tree = if doc.via == Via::Index {
                &lib.index
            } else {
                &lib.eindex
            };
            let id = TermId(doc.source);
            let mut path = tree.path_text(id);
            if doc.extra != crate::artifact::NONE {
                path = format!("{} (see {})", tree.path_text(TermId(doc.extra)), path);
            }
            (tree.code(id).to_string(), path)
        }
        Via::Neoplasm | Via::Drug => {
            let tree = if doc.via == Via::Neoplasm {
                &lib.neoplasm
            } else {
                &lib.drug
            };
            let id = TermId(doc.source);
            let cells = tree.cells(id);
            let col = if doc.via == Via::Neoplasm {
                neoplasm_col.unwrap_or(5)
            } else {
                drug_col.unwrap_or(0)
            };
            let code = cells.get(col).copied().unwrap_or("");
            let heading = tree.columns().get(col + 1).copied().unwrap_or("");
            (
                code.to_string(),
                format!("{} [{}]", tree.path_text(id), heading),
            )
        }
        Via::Tabular | Via::Code => (
            t.key(NodeId(doc.source)).into_owned(),
            t.title(NodeId(doc.source)).into_owned(),
        ),
        Via::Inclusion => {
            let node = NodeId(doc.source);
            let text = t
                .own_notes(node)
                .into_iter()
                .filter(|n| n.kind == NoteKind::InclusionTerm)
                .nth(doc.extra as usize)
                .map(|n| n.text.to_string())
                .unwrap_or_default();
            (t.key(node).into_owned(), text)
        }
    };
    let code: IndexCode = raw_code.parse().ok()?;
    let node = t.find(&code.code)?;
    let node = refine(lib, node, stems, w);
    Some(suggestion(lib, node, score, doc.via, path, Vec::new()))
}

/// Narrows a code that is not billable to the billable descendant the
/// query's words describe; with no such words, to the unspecified one. A
/// code that needs a seventh character the query does not give stays as it
/// is, with its choices.
fn refine<D: AsRef<[u8]>>(lib: &Library<D>, node: NodeId, stems: &[String], w: &Weights) -> NodeId {
    let t = &lib.tabular;
    if t.billable(node) {
        return node;
    }
    let family = family(lib, node);
    let base = &family.base;
    let mut best: Option<(f32, usize, NodeId)> = None;
    let mut unspecified: Option<(usize, NodeId)> = None;
    let mut same: Option<(usize, NodeId)> = None;
    // The "other specified" child, for a statement that says "other".
    let mut other: Option<(usize, NodeId)> = None;
    // The child "without complications".
    let mut plain: Option<(usize, NodeId)> = None;
    let says_other = Residual::of_stems(stems) == Some(Residual::Other);
    let query = Polarity::of_query(stems);
    for kid in &family.kids {
        let (d, extra, len) = (kid.node, &kid.extra, kid.len);
        let kept: f32 = family
            .dividing
            .iter()
            .filter(|w| stems.contains(w) && kid.words.contains(w))
            .count() as f32;
        // Each query word counts once, however often the title repeats it.
        // A word the parent's title says too ("diabetic" beside "diabetes")
        // tells no child apart.
        // "With" and "without" only relate the words around them: a link
        // counts when the child puts under it a word the statement puts
        // under it too ("radius with ulna" says nothing of a fracture "with
        // nonunion"; "HHS without coma" is the child "without ... coma").
        let linked = |w: &String| match w.as_str() {
            "with" => kid.polarity.with.iter().any(|x| query.with.contains(x)),
            _ => kid
                .polarity
                .without
                .iter()
                .any(|x| query.without.contains(x)),
        };
        let mut hit_words: Vec<&String> = extra
            .iter()
            .filter(|w| stems.contains(w) && !base.contains(w) && (!is_link(w) || linked(w)))
            .collect();
        hit_words.sort();
        hit_words.dedup();
        let hits = hit_words.len() as f32 + kept;
        // "Unspecified" is what a statement that names no side, site or
        // type means: it is never held against a child.
        let misses = extra
            .iter()
            .filter(|w| !stems.contains(w) && !w.starts_with("unspecifi"))
            .count() as f32;
        let score = hits - w.refine_miss * misses;
        if hits > 0.0 && best.is_none_or(|(s, l, _)| score > s || (score == s && len < l)) {
            best = Some((score, len, d));
        }
        // A child whose title has its parent's words, no more and no
        // fewer ("Nausea" R11.0 is not all of R11), is the parent's
        // concept itself ("Other specified retinal disorders" H35.89 under
        // H35.8 of the same title): what a statement naming no narrower
        // kind means.
        // (Not under a parent that is itself unspecified, "Pain in limb,
        // unspecified", whose children name the limb.)
        if extra.is_empty()
            && kid.all_of_parent
            && !base.iter().any(|w| w.starts_with(UNSPECIFIED))
            && same.is_none_or(|(l, _)| len < l)
        {
            same = Some((len, d));
        }
        if says_other
            && !extra.is_empty()
            && extra.iter().all(|w| w == OTHER || w == "specifi")
            && other.is_none_or(|(l, _)| len < l)
        {
            other = Some((len, d));
        }
        // A child "without complications" is what a statement naming no
        // complication means (the index's default: Diabetes, type 1 E10.9).
        if !extra.is_empty()
            && extra
                .iter()
                .all(|w| w == "without" || w.starts_with("complic"))
            && plain.is_none_or(|(l, _)| len < l)
        {
            plain = Some((len, d));
        }
        // The plainest "unspecified" child: fewest words beyond the parent's,
        // no "with" that would add a condition nobody documented, and no
        // subcategory on the way that names a kind the statement does not
        // ("Type 1 diabetes mellitus, presymptomatic" above E10.A0).
        if extra.iter().any(|w| w.starts_with("unspecifi"))
            && !extra.iter().any(|w| w == "with")
            && unspecified.is_none_or(|(n, _)| extra.len() < n)
            && !unsaid_kind_between(lib, node, d, base, stems)
        {
            unspecified = Some((extra.len(), d));
        }
    }
    match best {
        // A seventh character must come from the documentation.
        Some((_, _, d)) if !t.is_generated(d) || seventh_given(lib, d, stems) => d,
        Some((_, _, d)) => t
            .parent(d)
            .filter(|p| *p != node && !t.billable(*p))
            .unwrap_or(node),
        // The unspecified code; one that takes a 7th character stops
        // before it (the encounter is not the statement's to give).
        None => same
            .or(other)
            .or(plain)
            .or(unspecified)
            .map_or(node, |(_, d)| {
                if t.is_generated(d) {
                    t.parent(d).unwrap_or(node)
                } else {
                    d
                }
            }),
    }
}

/// A code's billable descendants with their titles' words, read once per
/// code and kept (each keystroke and each statement of a note refines the
/// same few codes again).
#[derive(Debug)]
struct Family {
    /// The stems of the code's own title.
    base: Vec<String>,
    /// Words of `base` that some descendants keep and others drop.
    dividing: Vec<String>,
    kids: Vec<Kid>,
}

/// A billable descendant in a [`Family`].
#[derive(Debug)]
struct Kid {
    node: NodeId,
    /// The stems of its title.
    words: Vec<String>,
    /// Its title's stems beyond its ancestor's, counted.
    extra: Vec<String>,
    /// What `extra` puts under "with" and "without".
    polarity: Polarity,
    /// Whether its title holds every stem of the ancestor's.
    all_of_parent: bool,
    /// The length of its code.
    len: usize,
}

/// Families kept at most; past it the cache starts again.
const MAX_FAMILIES: usize = 1024;

type Families = ((usize, usize), HashMap<u32, Rc<Family>>);

thread_local! {
    /// The [`Family`] of each refined code of one tabular (keyed by its
    /// release string's address and its size).
    static FAMILIES: RefCell<Families> = RefCell::new(((0, 0), HashMap::new()));
}

/// The [`Family`] of `node`, from the cache or read now.
fn family<D: AsRef<[u8]>>(lib: &Library<D>, node: NodeId) -> Rc<Family> {
    let t = &lib.tabular;
    let owner = (t.release().as_ptr() as usize, t.len());
    FAMILIES.with(|cell| {
        let mut c = cell.borrow_mut();
        if c.0 != owner || c.1.len() >= MAX_FAMILIES {
            *c = (owner, HashMap::new());
        }
        c.1.entry(node.0)
            .or_insert_with(|| Rc::new(read_family(lib, node)))
            .clone()
    })
}

fn read_family<D: AsRef<[u8]>>(lib: &Library<D>, node: NodeId) -> Family {
    let t = &lib.tabular;
    let base: Vec<String> = text::words(&t.title(node));
    // A generated code's title is its parent's plus the seventh character's
    // meaning: stem each of those once, not once per code.
    let mut parent_words: Vec<(NodeId, Vec<String>)> = Vec::new();
    let mut meaning_words: Vec<(String, Vec<String>)> = Vec::new();
    let mut kids: Vec<(NodeId, Vec<String>)> = Vec::new();
    for d in t.billable_descendants_up_to(node, 400) {
        let title_words: Vec<String> = match (t.is_generated(d), t.parent(d)) {
            (true, Some(p)) => {
                let pw = match parent_words.iter().find(|(n, _)| *n == p) {
                    Some((_, w)) => w.clone(),
                    None => {
                        let w = text::words(&t.title(p));
                        parent_words.push((p, w.clone()));
                        w
                    }
                };
                let title = t.title(d);
                let meaning = title.rsplit(", ").next().unwrap_or("").to_string();
                let mw = match meaning_words.iter().find(|(m, _)| *m == meaning) {
                    Some((_, w)) => w.clone(),
                    None => {
                        let w = text::words(&meaning);
                        meaning_words.push((meaning, w.clone()));
                        w
                    }
                };
                pw.into_iter().chain(mw).collect()
            }
            _ => text::words(&t.title(d)),
        };
        kids.push((d, title_words));
    }
    // A word of the parent's title that some children keep and others drop
    // ("Subluxation and dislocation of tarsal joint" has subluxation
    // children and dislocation children) tells them apart after all.
    let dividing: Vec<String> = base
        .iter()
        .filter(|w| {
            let keep = kids.iter().filter(|(_, k)| k.contains(w)).count();
            keep > 0 && keep < kids.len()
        })
        .cloned()
        .collect();
    let kids = kids
        .into_iter()
        .map(|(d, words)| {
            // The child's words beyond its parent's, counted: "unspecified
            // site of unspecified female breast" adds one "unspecified" to
            // "breast of unspecified site, female".
            let mut left = base.clone();
            let extra: Vec<String> = words
                .iter()
                .filter(|w| match left.iter().position(|b| b == *w) {
                    Some(i) => {
                        left.swap_remove(i);
                        false
                    }
                    None => true,
                })
                .cloned()
                .collect();
            let mut polarity = Polarity::default();
            Polarity::of_stems(&extra, &mut polarity);
            Kid {
                node: d,
                words,
                extra,
                polarity,
                all_of_parent: left.is_empty(),
                len: t.key(d).len(),
            }
        })
        .collect();
    Family {
        base,
        dividing,
        kids,
    }
}

/// Whether a word only links others ("with", "without").
fn is_link(stem: &str) -> bool {
    stem == "with" || stem == "without"
}

/// Whether a subcategory between `node` and its descendant `d` that is
/// not itself unspecified adds to `node`'s title (`base`) a word the
/// statement does not say: a kind nobody documented.
fn unsaid_kind_between<D: AsRef<[u8]>>(
    lib: &Library<D>,
    node: NodeId,
    d: NodeId,
    base: &[String],
    stems: &[String],
) -> bool {
    let t = &lib.tabular;
    let mut at = t.parent(d);
    while let Some(p) = at {
        if p == node {
            return false;
        }
        // A subcategory that is itself unspecified ("... of unspecified
        // site, female") is on the unspecified road.
        let words = text::words(&t.title(p));
        if !t.is_generated(p) && !words.iter().any(|w| w.starts_with(UNSPECIFIED)) {
            let unsaid = words
                .iter()
                .any(|w| !base.contains(w) && !stems.contains(w) && !is_link(w) && w != OTHER);
            if unsaid {
                return true;
            }
        }
        at = t.parent(p);
    }
    false
}

/// Whether the query names what a seventh character means: a word of its
/// meaning that is not already in the code's title ("initial", "mild",
/// "sequela"; not "fracture" or "encounter").
fn seventh_given<D: AsRef<[u8]>>(lib: &Library<D>, generated: NodeId, stems: &[String]) -> bool {
    let t = &lib.tabular;
    let Some(parent) = t.parent(generated) else {
        return false;
    };
    let base = text::words(&t.title(parent));
    let full = text::words(&t.title(generated));
    full.iter()
        .filter(|w| !base.contains(w) && !w.starts_with("encount"))
        .any(|w| stems.contains(w))
}

#[cfg(test)]
mod tests {
    #[test]
    fn weights_read_from_partial_json_and_refuse_unknown_knobs() {
        let w: Weights =
            serde_json::from_str(r#"{"doc_coverage": 0.5, "via": {"inclusion": 0.8}}"#).unwrap();
        assert_eq!(w.doc_coverage, 0.5);
        assert_eq!(w.via.inclusion, 0.8);
        assert_eq!(w.via.index, ViaWeights::default().index);
        assert_eq!(w.prefix, Weights::default().prefix);
        assert!(serde_json::from_str::<Weights>(r#"{"doc_coverag": 0.5}"#).is_err());
        assert!(serde_json::from_str::<Weights>(r#"{"via": {"cod": 1}}"#).is_err());
        // Every source has its own weight; a typed code keeps full credit.
        let v = ViaWeights::default();
        assert_eq!(v.of(Via::Code), 1.0);
        assert_eq!(v.of(Via::Eindex), v.eindex);
        assert_ne!(v.of(Via::Inclusion), v.of(Via::Index));
    }

    use super::{
        consciousness_without_injury, diabetes_control, head_stems, is_history_title, is_link,
        obstetric_episode, plain_numbers, site_joint, split_statements, text, wound_complication,
        Polarity, Residual, Via, ViaWeights, Weights,
    };

    #[test]
    fn residuals() {
        let check = |q: &str, want: Option<Residual>| {
            assert_eq!(Residual::of_stems(&text::words(q)), want, "{q}");
        };
        check("Other specified retinal disorders", Some(Residual::Other));
        check("Retinal disorder, unspecified", Some(Residual::Unspecified));
        check("other and unspecified hyperlipidemia", None);
        check("chronic rhinitis", None);
        // "Otherwise" is not "other".
        check("not otherwise specified", None);
    }

    #[test]
    fn absent_words_are_read_clause_by_clause() {
        let absent = |q: &str| Polarity::of_text(&[q]).absent();
        // What a "without" names, unless said elsewhere too.
        assert_eq!(
            absent("fracture of skull without intracranial injury, with loss of consciousness"),
            ["intracrani", "injuri"]
        );
        assert_eq!(
            absent("intracranial hemorrhage without intracranial wound"),
            ["wound"]
        );
        // A comma ends the scope of "without".
        assert_eq!(
            absent("periostitis without osteomyelitis, lower leg"),
            ["osteomyel"]
        );
        // "Other than" excludes what follows.
        assert_eq!(
            absent("collision injuring driver of motor vehicle other than motorcycle"),
            ["motorcycl"]
        );
        let doc = |t: &str| Polarity::of_text(&[t]);
        let skull = absent("fracture of skull without intracranial injury");
        assert!(
            doc("Unspecified intracranial injury with loss of consciousness").asserts_any(&skull)
        );
        assert!(!doc("Unspecified fracture of skull").asserts_any(&skull));
        // A title's "not" denies, as "without" does.
        let light = absent("fetal malnutrition without light-for-dates");
        assert!(!doc(
            "Newborn affected by fetal malnutrition not light or small for gestational age"
        )
        .asserts_any(&light));
    }

    #[test]
    fn the_head_is_the_condition_before_the_comma() {
        assert_eq!(
            head_stems("Burkitt lymphoma, lymph nodes of axilla"),
            ["burkitt", "lymphoma"]
        );
        // A word the qualifier repeats, and steering words, are not the head's.
        assert_eq!(
            head_stems("lymphoma of lymph nodes, lymph nodes of neck"),
            ["lymphoma"]
        );
        assert_eq!(head_stems("left knee gout, chronic"), ["gout", "knee"]);
        // No comma, or nothing after it: no head.
        assert!(head_stems("acute appendicitis").is_empty());
        assert!(head_stems("acute appendicitis, ").is_empty());
    }

    #[test]
    fn links_are_with_and_without() {
        assert!(is_link("with") && is_link("without"));
        assert!(!is_link("within"));
    }

    #[test]
    fn history_titles() {
        assert!(is_history_title(
            "Personal history of other diseases of the respiratory system"
        ));
        assert!(is_history_title("Family history of ischemic heart disease"));
        assert!(!is_history_title("Other specified respiratory disorders"));
    }

    #[test]
    fn region_qualifiers_take_in_their_joint() {
        let check = |q: &str, want: Option<&str>| assert_eq!(site_joint(q), want, "{q}");
        check("hemarthrosis, lower leg ", Some("knee"));
        check("pyogenic arthritis, pelvic region and thigh", Some("hip"));
        check("pain in joint, upper arm", Some("elbow"));
        // Only a trailing qualifier, not a site inside the condition.
        check("fracture of lower leg", None);
        check("ulcer of lower leg, with fat layer exposed", None);
    }

    #[test]
    fn complicated_wounds_have_a_foreign_body() {
        assert_eq!(
            wound_complication("open wound of scalp, complicated").trim(),
            "laceration of scalp with foreign body"
        );
        assert_eq!(
            wound_complication("open wound of jaw, without complication").trim(),
            "open wound of jaw,"
        );
        // Other conditions keep their words.
        assert_eq!(
            wound_complication("diabetes, without complication"),
            "diabetes, without complication"
        );
    }

    #[test]
    fn obstetric_episode_replaces_the_generic_phrase() {
        assert_eq!(
            obstetric_episode(
                " obesity of mother, complicating pregnancy, childbirth, or the puerperium, postpartum condition or complication "
            ),
            " obesity complicating,  complicating , postpartum condition or complication "
        );
        // Without an episode the generic phrase is the title's own.
        let plain = " obesity complicating pregnancy, childbirth, and the puerperium ";
        assert_eq!(obstetric_episode(plain), plain);
    }

    #[test]
    fn thousands_separators_are_dropped_from_numbers_only() {
        assert_eq!(
            plain_numbers("infants, 1,250-1,499 grams"),
            "infants, 1250-1499 grams"
        );
        assert_eq!(plain_numbers("2,000- 2,499 grams"), "2000- 2499 grams");
        // A comma between a number and a word, or before more than three
        // digits, is punctuation.
        assert_eq!(plain_numbers("rib 2,3 fracture"), "rib 2,3 fracture");
        assert_eq!(plain_numbers("stage 3,1234"), "stage 3,1234");
        assert_eq!(plain_numbers("type 2, with"), "type 2, with");
    }

    #[test]
    fn a_fracture_without_intracranial_injury_loses_its_consciousness_grade() {
        assert_eq!(
            consciousness_without_injury(
                "open fracture of vault of skull without intracranial injury, with concussion, unspecified "
            ),
            "open fracture of vault of skull without intracranial injury "
        );
        // An intracranial injury keeps its grade, and so does a clause about something else.
        let kept = "cerebral contusion, with loss of consciousness of 30 minutes or less ";
        assert_eq!(consciousness_without_injury(kept), kept);
        let other = "fracture without intracranial injury, left side ";
        assert_eq!(consciousness_without_injury(other), other);
    }

    #[test]
    fn uncontrolled_diabetes_reads_as_hyperglycemia() {
        assert_eq!(
            diabetes_control("diabetes type 2, uncontrolled").trim(),
            "diabetes type 2,  with hyperglycemia"
        );
        // Only diabetes: uncontrolled hypertension keeps its words.
        assert_eq!(
            diabetes_control("uncontrolled hypertension"),
            "uncontrolled hypertension"
        );
    }

    #[test]
    fn statements() {
        assert_eq!(
            split_statements("1. CHF\n2. HTN; DM2. No pneumonia."),
            ["CHF", "HTN", "DM2", "No pneumonia."]
        );
        assert_eq!(
            split_statements("fx of E11.9 type. next"),
            ["fx of E11.9 type", "next"]
        );
        assert!(split_statements(" \n;; ").is_empty());
    }
}
