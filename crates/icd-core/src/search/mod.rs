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
mod readings;
mod refine;
mod retrieval;
mod statement;
pub mod text;

#[cfg(test)]
mod fixture;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fst::automaton::Levenshtein;
use fst::{IntoStreamer, Streamer};

pub use index::{build, Doc, SearchIndex, Via, KIND};
pub use note::{read_note, Evidence, NoteCode, NoteReading, Patient, Sex};
pub use procedures::NoteProcedure;
pub use readings::is_steering;
use readings::*;
use refine::*;
use retrieval::*;
pub use statement::split_statements;
use statement::*;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
