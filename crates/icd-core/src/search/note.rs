//! Reading a clinical note: the spans that name a condition, what the text
//! around them says of it (negated, uncertain, history, family, normal), and
//! the complete codes to assign, each with its evidence.
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! # fn idx() -> icd_core::search::SearchIndex<Vec<u8>> { unimplemented!() }
//! use icd_core::search::{read_note, Options};
//! let note = "Admitted with community-acquired pneumonia. Denies chest pain.";
//! let reading = read_note(&lib(), &idx(), note, &Options::default());
//! for c in &reading.codes {
//!     let e = &c.evidence[0];
//!     println!("{} {:.2} {:?}", c.code, c.confidence, &note[e.start..e.end]);
//! }
//! ```
//!
//! How: each statement is cut into words with their byte offsets. Words
//! that name a study, a procedure or a measurement cannot name a condition;
//! abbreviations are expanded in place. Every document of the search index
//! (index path, tabular title, inclusion term, table row) whose essential
//! words all occur close together in the statement is a candidate concept;
//! the longest, most informative concepts win, and a concept lying wholly
//! inside a chosen one is dropped unless the chosen code asks for it as an
//! additional code. Context triggers (ConText: a trigger, a scope that runs
//! to a terminator such as "but") mark concepts negated, uncertain,
//! historical, family or normal.
//!
//! Caveat: a concept found is a suggestion with its evidence; the coder
//! accepts or rejects it.

use std::collections::HashMap;

use super::index::{Doc, SearchIndex, Via};
use super::text::{is_stop, stem, words};
use super::{
    assume_seventh, doc_suggestion, split_statements, text_suggestions, Options, Setting,
    StatementResult, Suggestion, Weights,
};
use crate::artifact::NONE;
use crate::code::Code;
use crate::lookup::Library;
use crate::mce::Table;
use crate::record::conventions::Target;
use crate::tabular::{NodeId, NoteKind};
use crate::terms::{TermId, Terms};
use crate::text::normalize;

/// The patient's sex, as far as code edits care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// What is known of the patient: codes impossible for them (MCE age and sex
/// edits) are left out of the suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Patient {
    /// Age in years.
    pub age: Option<u32>,
    /// Sex.
    pub sex: Option<Sex>,
}

impl Patient {
    /// Whether `code` (display form) may be reported for this patient: no
    /// MCE sex conflict, no age conflict with the code's age group.
    pub fn allows<D: AsRef<[u8]>>(&self, lib: &Library<D>, code: &str) -> bool {
        if self.age.is_none() && self.sex.is_none() {
            return true;
        }
        let plain: String = code.chars().filter(|c| *c != '.').collect();
        let Some(period) = lib.mce.periods(Table::Dx, &plain).pop() else {
            return true;
        };
        let flags = lib.mce.flags_named(Table::Dx, period.flags);
        // The MCE dropped most sex edits in FY2025, but a man is never
        // pregnant: maternity codes need a patient who is not male.
        if self.sex == Some(Sex::Male) && (flags.contains(&"maternity") || plain.starts_with('O')) {
            return false;
        }
        for f in flags {
            match (f, self.sex) {
                ("male", Some(Sex::Female)) | ("female", Some(Sex::Male)) => return false,
                _ => {}
            }
            if let Some(age) = self.age {
                let range = lib
                    .mce
                    .age_ranges()
                    .into_iter()
                    .filter(|r| r.group.eq_ignore_ascii_case(f))
                    .max_by_key(|r| r.start);
                if let Some(r) = range {
                    if age < r.min_age || age > r.max_age {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Fills what is unknown from the note's own words ("a 29-year-old
    /// woman"): the first age given in years, and the first word that
    /// names a sex.
    pub fn or_from_text(self, text: &str) -> Patient {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(400)
            .map(str::to_lowercase)
            .collect();
        let mut age = self.age;
        let mut sex = self.sex;
        for (i, w) in words.iter().enumerate() {
            if age.is_none() && w.chars().all(|c| c.is_ascii_digit()) && w.len() <= 3 {
                let unit = words.get(i + 1).map(String::as_str);
                let then = words.get(i + 2).map(String::as_str);
                if matches!(unit, Some("year" | "years" | "yo" | "y"))
                    && matches!(then, Some("old" | "o" | "of") | None)
                    || matches!(unit, Some("yo"))
                {
                    age = w.parse().ok();
                }
            }
            if sex.is_none() {
                sex = match w.as_str() {
                    "man" | "male" | "boy" | "gentleman" | "he" | "his" | "him" => Some(Sex::Male),
                    "woman" | "female" | "girl" | "lady" | "she" | "her" | "pregnant" => {
                        Some(Sex::Female)
                    }
                    _ => None,
                };
            }
        }
        Patient { age, sex }
    }
}

/// Where in the input a code was read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// Byte offset of the span's start in the input.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Which statement (index into `NoteReading::statements`).
    pub statement: usize,
    /// The index path, title or table cell the span matched.
    pub path: String,
}

/// A code to assign for a note, with why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoteCode {
    /// The complete code.
    pub code: String,
    /// Its tabular title.
    pub title: String,
    /// How sure the reading is, 0 to 1.
    pub confidence: f32,
    /// Where it was read (first is the strongest).
    pub evidence: Vec<Evidence>,
    /// What was assumed to complete it, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
    /// The other choices when a character was assumed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// An uncertain diagnosis coded as if established (inpatient).
    #[serde(default)]
    pub uncertain: bool,
}

/// What a note says, read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoteReading {
    /// Per statement: its context and ranked alternatives.
    pub statements: Vec<StatementResult>,
    /// The codes to assign: deduplicated, most confident first.
    pub codes: Vec<NoteCode>,
    /// The patient as given, completed from the note's words.
    pub patient: Patient,
    /// The statements that name a procedure done in this encounter, for
    /// ICD-10-PCS ([`super::procedures`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procedures: Vec<super::procedures::NoteProcedure>,
}

/// Documents past which a word only completes what rarer words found.
const COMMON: usize = 3_000;

/// Most distinct words one pass reads (a bit each in the masks).
const MAX_STEMS: usize = 64;

/// What a word can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// May name (part of) a condition.
    Content,
    /// A stop word, a number, a study or procedure word: never matched.
    Inert,
}

/// A word of a statement.
#[derive(Debug, Clone)]
struct Tok {
    start: usize,
    end: usize,
    norm: String,
    stems: Vec<String>,
    role: Role,
    ctx: Context,
    /// Which list item of the statement: a concept does not reach across
    /// a comma into the next item ("COPD, type 2 diabetes, HTN").
    seg: u32,
}

/// Words that join what a comma separates into one condition ("diabetes,
/// with nephropathy"; "anemia, due to blood loss").
const LINKS: &[&str] = &[
    "with",
    "without",
    "due",
    "secondary",
    "caused",
    "associated",
];

/// Words after which a letter is part of the name (vitamin D, hepatitis C).
const LETTERED: &[&str] = &["vitamin", "hepatitis", "factor", "group", "type"];

/// Words after which a number is part of the name (type 2, stage 3).
const NUMBERED: &[&str] = &[
    "type", "stage", "grade", "class", "degree", "phase", "trisomy", "nyha",
];
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Context {
    negated: bool,
    uncertain: bool,
    history: bool,
    family: bool,
    normal: bool,
    hypothetical: bool,
}

/// Studies and procedures: they are done to the patient, not had by them.
/// A word of this list never anchors a diagnosis.
const STUDY: &[&str] = &[
    "ct",
    "mri",
    "tomography",
    "tomographic",
    "resonance",
    "ultrasound",
    "ultrasonography",
    "sonography",
    "echography",
    "ecography",
    "ultrasonographic",
    "echocardiography",
    "echocardiogram",
    "radiography",
    "radiograph",
    "radiographic",
    "radiological",
    "xray",
    "x",
    "ray",
    "scan",
    "scintigraphy",
    "angiography",
    "arteriography",
    "urography",
    "pyelography",
    "cystography",
    "biopsy",
    "cytology",
    "histology",
    "histological",
    "histopathological",
    "anatomopathological",
    "pathological",
    "immunohistochemistry",
    "immunohistochemical",
    "examination",
    "exam",
    "study",
    "analysis",
    "analytical",
    "analytically",
    "laboratory",
    "test",
    "tests",
    "performed",
    "surgery",
    "surgical",
    "operation",
    "intervention",
    "resection",
    "excision",
    "treatment",
    "treated",
    "therapy",
    "administered",
    "dose",
    "doses",
    "mg",
    "ml",
    "cm",
    "mm",
    "kg",
    "hours",
    "days",
    "weeks",
    "months",
    "years",
    "year",
    "old",
    "ago",
    "discharged",
    "admitted",
    "admission",
    "clinic",
    "outpatient",
    "hospital",
    "emergency",
    "department",
    "service",
    "consultation",
    "follow",
    "control",
    "controls",
    "pet",
    "ecg",
    "ekg",
    "eeg",
    "emg",
    "cxr",
    "uiv",
    "technique",
    "approach",
    "anesthesia",
    "anaesthesia",
    "anesthetic",
    "analgesia",
    "sedation",
    "over",
    "under",
];

/// Short English words that are also abbreviations (HE, PM, AS...): typed in
/// lower case they are the words.
const ENGLISH: &[&str] = &[
    "he", "she", "his", "her", "him", "hers", "its", "they", "them", "we", "us", "our", "you",
    "am", "pm", "as", "at", "be", "do", "go", "me", "my", "no", "of", "on", "or", "so", "to", "up",
    "all", "any", "can", "may", "had", "has", "was", "per", "via", "day", "age", "aged", "old",
    "new", "one", "two", "six", "ten", "top", "end", "left", "right", "mid", "low", "high", "set",
    "fit", "run", "see", "saw", "met", "led", "let", "get", "got", "put", "cut", "hit", "lay",
    "sat", "die", "lip", "eye", "arm", "leg", "toe", "ear", "gum", "hip", "jaw", "rib", "air",
    "bed", "car", "cat", "dog", "man", "men", "son", "sex", "tic", "tip", "wet",
];

/// Words that name a condition only with others: alone, in running text,
/// they are plain English ("was observed", "a high dose").
const GENERIC: &[&str] = &[
    "observ", "situat", "physic", "high", "low", "limit", "elev", "chang", "problem", "condit",
    "complic", "defect", "find", "state", "status", "histori", "hold", "present", "posit", "flap",
    "mass", "lesion", "area", "sign", "symptom", "phase", "level", "use", "encount", "gas", "fat",
    "adher", "depend", "sinus",
];

/// Suffixes of procedure names (pyeloplasty, nephrectomy, laparotomy...).
const PROCEDURE_SUFFIXES: &[&str] = &[
    "ectomy", "ectomies", "plasty", "otomy", "ostomy", "scopy", "graphy", "gram", "pexy",
    "rrhaphy", "centesis", "lysis",
];

/// Whether a normalized word names a study or a procedure.
fn is_study(norm: &str) -> bool {
    STUDY.contains(&norm)
        || (norm.len() > 7
            && PROCEDURE_SUFFIXES
                .iter()
                .any(|s| norm.ends_with(s) && !norm.ends_with("dialysis")))
}

/// Pre-triggers: the scope runs forward from the trigger.
const PRE: &[(&str, Trigger)] = &[
    ("no", Trigger::Negated),
    ("not", Trigger::Negated),
    ("without", Trigger::Negated),
    ("denies", Trigger::Negated),
    ("denied", Trigger::Negated),
    ("deny", Trigger::Negated),
    ("negative for", Trigger::Negated),
    ("free of", Trigger::Negated),
    ("absence of", Trigger::Negated),
    ("absent", Trigger::Negated),
    ("ruled out", Trigger::Negated),
    ("rules out", Trigger::Negated),
    ("excluded", Trigger::Negated),
    ("never", Trigger::Negated),
    ("none", Trigger::Negated),
    ("neither", Trigger::Negated),
    ("nor", Trigger::Negated),
    ("rule out", Trigger::Uncertain),
    ("r o", Trigger::Uncertain),
    ("to rule out", Trigger::Uncertain),
    ("probable", Trigger::Uncertain),
    ("probably", Trigger::Uncertain),
    ("possible", Trigger::Uncertain),
    ("possibly", Trigger::Uncertain),
    ("suspected", Trigger::Uncertain),
    ("suspicion of", Trigger::Uncertain),
    ("suspicious for", Trigger::Uncertain),
    ("likely", Trigger::Uncertain),
    ("questionable", Trigger::Uncertain),
    ("presumed", Trigger::Uncertain),
    ("concern for", Trigger::Uncertain),
    ("compatible with", Trigger::Uncertain),
    ("consistent with", Trigger::Uncertain),
    ("differential diagnosis", Trigger::Uncertain),
    ("history of", Trigger::History),
    ("hx of", Trigger::History),
    ("h o", Trigger::History),
    ("past medical history", Trigger::History),
    ("medical history", Trigger::History),
    ("pmh", Trigger::History),
    ("family history", Trigger::Family),
    ("family history of", Trigger::Family),
    ("mother", Trigger::Family),
    ("father", Trigger::Family),
    ("brother", Trigger::Family),
    ("sister", Trigger::Family),
    ("if", Trigger::Hypothetical),
    ("in case of", Trigger::Hypothetical),
    ("risk of", Trigger::Hypothetical),
    ("prevention of", Trigger::Hypothetical),
    ("prophylaxis", Trigger::Hypothetical),
    ("screening for", Trigger::Hypothetical),
];

/// Post-triggers: the scope runs back from the trigger.
const POST: &[(&str, Trigger)] = &[
    ("was ruled out", Trigger::Negated),
    ("were ruled out", Trigger::Negated),
    ("ruled out", Trigger::Negated),
    ("was excluded", Trigger::Negated),
    ("were excluded", Trigger::Negated),
    ("was negative", Trigger::Negated),
    ("were negative", Trigger::Negated),
    ("negative", Trigger::Negated),
    ("not seen", Trigger::Negated),
    ("not observed", Trigger::Negated),
    ("not found", Trigger::Negated),
    ("absent", Trigger::Negated),
    ("unlikely", Trigger::Negated),
    ("normal", Trigger::Normal),
    ("within normal limits", Trigger::Normal),
    ("unremarkable", Trigger::Normal),
    ("out of normal", Trigger::Normal),
    ("without alterations", Trigger::Normal),
    ("without abnormalities", Trigger::Normal),
    ("preserved", Trigger::Normal),
    ("was suspected", Trigger::Uncertain),
    ("suspected", Trigger::Uncertain),
    ("is possible", Trigger::Uncertain),
    ("cannot be excluded", Trigger::Uncertain),
];

/// Words that end a trigger's scope.
const TERMINATORS: &[&str] = &[
    "but",
    "however",
    "although",
    "though",
    "yet",
    "except",
    "apart",
    "aside",
    "which",
    "who",
    "whose",
    "presented",
    "presents",
    "presenting",
    "showed",
    "shows",
    "revealed",
    "reveals",
    "diagnosed",
    "developed",
    "complained",
    "complaining",
    "admitted",
    "now",
    "currently",
    "today",
    "since",
    "because",
    "due",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Negated,
    Uncertain,
    History,
    Family,
    Hypothetical,
    Normal,
}

impl Context {
    fn set(&mut self, t: Trigger) {
        match t {
            Trigger::Negated => self.negated = true,
            Trigger::Uncertain => self.uncertain = true,
            Trigger::History => self.history = true,
            Trigger::Family => self.family = true,
            Trigger::Hypothetical => self.hypothetical = true,
            Trigger::Normal => self.normal = true,
        }
    }
}

/// Longest forward scope of a trigger, in words.
const SCOPE: usize = 12;

/// Splits a statement (at `base` in the input) into words with offsets,
/// expands abbreviations and marks each word's role and context.
fn tokens<D: AsRef<[u8]>>(idx: &SearchIndex<D>, statement: &str, base: usize) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::new();
    let mut start: Option<usize> = None;
    let push = |s: usize, e: usize, toks: &mut Vec<Tok>| {
        let raw = &statement[s..e];
        let norm = normalize(raw);
        if norm.is_empty() {
            return;
        }
        toks.push(Tok {
            start: base + s,
            end: base + e,
            norm,
            stems: Vec::new(),
            role: Role::Content,
            ctx: Context::default(),
            seg: 0,
        });
        let t = toks.last_mut().expect("just pushed");
        let upper = raw.chars().any(|c| c.is_alphabetic()) && !raw.chars().any(char::is_lowercase);
        let expansion = idx
            .abbreviation(&t.norm)
            .filter(|e| !e.caps_only || upper)
            .filter(|e| raw.len() >= 2 && e.meanings.first().is_some_and(|m| *m != "NONE"))
            .and_then(|e| e.meanings.first().copied());
        // Stop words ("NOS", "an") and single letters never expand.
        if is_study(&t.norm)
            || t.norm.bytes().any(|b| b.is_ascii_digit())
            || t.norm.len() == 1
            || is_stop(&t.norm)
            || t.norm == "nec"
        {
            t.role = Role::Inert;
        } else if let Some(m) = expansion.filter(|_| {
            upper
                || (t.norm.len() >= 3
                    && !ENGLISH.contains(&t.norm.as_str())
                    && idx.vocab().get(stem(&t.norm)).is_none())
        }) {
            t.stems = normalize(m)
                .split(' ')
                .filter(|w| !w.is_empty() && !is_stop(w))
                .map(stem)
                .collect();
            if t.stems.iter().any(|s| is_study(s)) {
                t.role = Role::Inert;
            }
        } else if is_stop(&t.norm) {
            t.role = Role::Inert;
        } else {
            t.stems = vec![stem(&t.norm)];
        }
    };
    for (i, c) in statement.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            push(s, i, &mut toks);
        }
    }
    if let Some(s) = start {
        push(s, statement.len(), &mut toks);
    }
    let mut seg = 0;
    for i in 1..toks.len() {
        let gap = &statement[toks[i - 1].end - base..toks[i].start - base];
        if gap.contains([',', ';', ':', '(', ')'])
            && !LINKS.contains(&toks[i].norm.as_str())
            && !LINKS.contains(&toks[i - 1].norm.as_str())
        {
            seg += 1;
        }
        toks[i].seg = seg;
        // A number names a type or a stage; elsewhere it is a measurement.
        // A letter names a vitamin, a hepatitis or a factor (vitamin D).
        let numbered = NUMBERED.contains(&toks[i - 1].norm.as_str())
            && toks[i].norm.len() <= 3
            && toks[i].norm.bytes().any(|b| b.is_ascii_digit());
        let lettered = LETTERED.contains(&toks[i - 1].norm.as_str())
            && toks[i].norm.len() <= 2
            && toks[i].norm.bytes().all(|b| b.is_ascii_alphabetic());
        if numbered || lettered {
            toks[i].role = Role::Content;
            // As the index reads it: "type I" is "type 1".
            toks[i].stems = vec![stem(&toks[i].norm)];
        }
    }
    mark_context(&mut toks);
    toks
}

/// ConText: each trigger marks the words in its scope, forward to the next
/// terminator or clause end (pre-triggers) or back to the clause start
/// (post-triggers).
fn mark_context(toks: &mut [Tok]) {
    let n = toks.len();
    let words: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
    // How many words of `phrase` start at `i` (all of them, or none); no
    // allocation, and most triggers fail on their first word.
    let starts_at = |i: usize, phrase: &str| -> usize {
        let mut len = 0;
        for (j, p) in phrase.split(' ').enumerate() {
            if words.get(i + j) != Some(&p) {
                return 0;
            }
            len = j + 1;
        }
        len
    };
    let mut marks: Vec<(usize, usize, Trigger)> = Vec::new();
    let mut post_end = 0;
    for i in 0..n {
        // The longest trigger starting here.
        let pre = PRE
            .iter()
            .map(|(p, t)| (starts_at(i, p), *t))
            .filter(|(len, _)| *len > 0)
            .max_by_key(|(len, _)| *len);
        if let Some((len, t)) = pre {
            let mut end = i + len;
            while end < n && end < i + len + SCOPE && !TERMINATORS.contains(&words[end]) {
                end += 1;
            }
            marks.push((i + len, end, t));
        }
        let post = POST
            .iter()
            .map(|(p, t)| (starts_at(i, p), *t))
            .filter(|(len, _)| *len > 0)
            .max_by_key(|(len, _)| *len);
        // A trigger inside a longer one ("ruled out" in "was ruled out")
        // is that one, already read.
        let inside = i < post_end;
        if let Some((len, t)) = post.filter(|_| !inside) {
            post_end = i + len;
            let mut begin = i;
            while begin > 0 && i - begin < SCOPE && !TERMINATORS.contains(&words[begin - 1]) {
                begin -= 1;
            }
            marks.push((begin, i, t));
        }
    }
    for (a, b, t) in marks {
        for tok in &mut toks[a..b.min(n)] {
            tok.ctx.set(t);
        }
    }
}

/// A concept: a document whose essential words all stand close together.
#[derive(Debug, Clone)]
struct Concept {
    /// How many distinct words it matched.
    words: usize,
    doc: Doc,
    /// Token indices of its words.
    positions: Vec<usize>,
    /// Information in its words (sum of idf).
    spec: f32,
}

/// The essential words of a document as a coder reads them: one group per
/// term of its path, where any variant of a term will do ("Ulcer > duodenum,
/// duodenal" is met by "duodenal ulcer"). A tabular title or inclusion term
/// is one group of one variant: every word counts.
fn doc_groups<D: AsRef<[u8]>>(lib: &Library<D>, doc: Doc) -> Vec<Vec<Vec<DocWord>>> {
    let words = doc_words;
    let variants = |term: &str| -> Vec<Vec<DocWord>> {
        let parts: Vec<&str> = term.split(", ").collect();
        // "Ulcer, ulcerated, ulcerating" and "duodenum, duodenal" list forms
        // of one word; "Shutdown, renal" is a phrase turned round.
        let first = normalize(parts[0]);
        let forms = parts.len() > 1
            && parts[1..].iter().all(|p| {
                let p = normalize(p);
                first.len() >= 4
                    && p.len() >= 4
                    && first
                        .chars()
                        .zip(p.chars())
                        .take_while(|(a, b)| a == b)
                        .count()
                        >= 4
            });
        if forms {
            parts
                .iter()
                .map(|p| words(p))
                .filter(|v| !v.is_empty())
                .collect()
        } else {
            vec![words(term)]
                .into_iter()
                .filter(|v| !v.is_empty())
                .collect()
        }
    };
    let of_path = |tree: &Terms<D>, ids: &[TermId]| -> Vec<Vec<Vec<DocWord>>> {
        ids.iter()
            .map(|t| variants(tree.term(*t)))
            .filter(|g| !g.is_empty())
            .collect()
    };
    let t = &lib.tabular;
    match doc.via {
        Via::Index | Via::Eindex => {
            let tree = if doc.via == Via::Index {
                &lib.index
            } else {
                &lib.eindex
            };
            let source = TermId(doc.source);
            if doc.extra == NONE {
                return of_path(tree, &tree.path(source));
            }
            let referrer = TermId(doc.extra);
            let mut groups = of_path(tree, &tree.path(referrer));
            // A subterm of the referenced term adds its own words: the
            // document holds more words than the referring path.
            let mut own: Vec<&String> = groups.iter().flatten().flatten().map(|w| &w.0).collect();
            own.sort();
            own.dedup();
            if doc.len as usize > own.len() {
                groups.extend(of_path(tree, &[source]));
            }
            groups
        }
        Via::Neoplasm => {
            let mut g = of_path(&lib.neoplasm, &lib.neoplasm.path(TermId(doc.source))[1..]);
            // The row is a site: any word that names a neoplasm completes it.
            g.push(NEOPLASM_NOUNS.iter().map(|w| doc_words(w)).collect());
            g
        }
        Via::Drug => of_path(&lib.drug, &lib.drug.path(TermId(doc.source))),
        Via::Tabular | Via::Code => vec![vec![words(&t.title(NodeId(doc.source)))]],
        Via::Inclusion => {
            let text = t
                .own_notes(NodeId(doc.source))
                .into_iter()
                .filter(|n| n.kind == NoteKind::InclusionTerm)
                .nth(doc.extra as usize)
                .map(|n| words(n.text))
                .unwrap_or_default();
            vec![vec![text]]
        }
    }
}

/// A word of a document: its stem, and the suffix class of its full form.
type DocWord = (String, u8);

fn doc_words(text: &str) -> Vec<DocWord> {
    normalize(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !is_stop(w) && *w != "nec")
        .map(|w| (stem(w), suffix_class(w)))
        .collect()
}

/// Suffixes that make a word name a condition of what the stem names
/// ("cervicitis" is not "cervical", "sinusitis" is not "sinus"): a text
/// word meets a document word only with the same suffix class.
/// The adjective suffixes count too: "depressive", "sensitive",
/// "irritable" describe (a mood, a reaction to a test, a bowel) and meet
/// "Depression", "Sensitivity", "Irritability" only where the index spells
/// the adjective itself ("Hypertension, hypertensive").
const CONDITION_SUFFIXES: &[&str] = &[
    "itis", "itides", "osis", "oses", "iasis", "oma", "omas", "omata", "emia", "aemia", "uria",
    "pathy", "algia", "ism", "ness", "ive", "ible", "able",
];

fn suffix_class(norm: &str) -> u8 {
    CONDITION_SUFFIXES
        .iter()
        .position(|s| norm.len() > s.len() + 2 && norm.ends_with(s))
        .map_or(0, |i| i as u8 + 1)
}

/// Documents' word groups, read once per note, and the per-document word
/// masks of the statement being read (dense, reset through `touched`).
#[derive(Debug, Default)]
struct Scratch {
    /// The index these belong to.
    owner: (usize, usize),
    groups: HashMap<u32, Vec<Vec<Vec<DocWord>>>>,
    masks: Vec<u64>,
    touched: Vec<u32>,
}

/// The documents whose essential words all occur, close together, among
/// the statement's content words.
fn concepts<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    toks: &[Tok],
    scratch: &mut Scratch,
) -> Vec<Concept> {
    // Distinct stems with the tokens that carry them.
    let mut stems: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.role != Role::Content {
            continue;
        }
        for s in &t.stems {
            match stems.iter_mut().find(|(x, _)| x == s) {
                Some((_, v)) => v.push(i),
                None => stems.push((s.clone(), vec![i])),
            }
        }
    }
    stems.truncate(MAX_STEMS);
    let vocab = idx.vocab();
    let ndocs = idx.len().max(1) as f32;
    let mut idf = vec![0f32; stems.len()];
    let Scratch {
        groups: cache,
        masks,
        touched,
        ..
    } = scratch;
    if masks.len() != idx.len() {
        *masks = vec![0; idx.len()];
    }
    // Rare words first: they find the documents. A word in more than
    // COMMON documents (left, acute, fracture) only adds itself to
    // documents a rarer word found, walking its postings beside the sorted
    // list of those, so its long list costs no random writes.
    let mut common: Vec<(usize, u64)> = Vec::new();
    for (k, (s, _)) in stems.iter().enumerate() {
        let Some(h) = vocab.get(s) else { continue };
        let df = SearchIndex::<D>::df(h);
        idf[k] = (1.0 + ndocs / (1.0 + df as f32)).ln();
        if df as usize > COMMON {
            common.push((k, h));
            continue;
        }
        idx.for_each_posting(h, |doc, optional| {
            if let (false, Some(m)) = (optional, masks.get_mut(doc as usize)) {
                if *m == 0 {
                    touched.push(doc);
                }
                *m |= 1u64 << k;
            }
        });
    }
    if !common.is_empty() {
        touched.sort_unstable();
        for (k, h) in common {
            // Each found document looked up in the long list (decoded once
            // and kept), galloping from where the last one was: few found
            // documents cost a few probes each, many cost about a merge.
            let list = idx.postings(h);
            let mut at = 0;
            for &doc in touched.iter() {
                at = gallop(&list, at, doc);
                let essential = list[at..]
                    .iter()
                    .take_while(|v| *v >> 1 == doc)
                    .any(|v| v & 1 == 0);
                if essential {
                    masks[doc as usize] |= 1u64 << k;
                }
            }
        }
    }
    let mut out = Vec::new();
    for doc_id in touched.drain(..) {
        let m = std::mem::take(&mut masks[doc_id as usize]);
        let (via, len) = idx.via_len(doc_id);
        let hits = m.count_ones();
        // Variants let a path be met with fewer words than it holds; a
        // title needs every word.
        let slack = match via {
            Via::Tabular | Via::Inclusion | Via::Code => 0,
            _ => 3,
        };
        if len == 0 || hits + slack < len || 2 * hits < len {
            continue;
        }
        let doc = idx.doc(doc_id);
        // Every term of a path needs a word of its own: a path deeper than
        // the words found cannot be met (read without decoding the path).
        let levels = match doc.via {
            Via::Index | Via::Eindex => {
                let tree = if doc.via == Via::Index {
                    &lib.index
                } else {
                    &lib.eindex
                };
                let at = if doc.extra == NONE {
                    doc.source
                } else {
                    doc.extra
                };
                tree.level(TermId(at)) + 1
            }
            _ => 1,
        };
        if hits < levels {
            continue;
        }
        let groups = cache.entry(doc_id).or_insert_with(|| doc_groups(lib, doc));
        // Each document word: the stem's tokens whose form agrees with it.
        let present = |w: &DocWord| -> Option<(usize, Vec<usize>)> {
            let k = stems.iter().position(|(s, _)| *s == w.0)?;
            let pos: Vec<usize> = stems[k]
                .1
                .iter()
                .copied()
                .filter(|p| suffix_class(&toks[*p].norm) == w.1 || toks[*p].stems.len() > 1)
                .collect();
            (!pos.is_empty()).then_some((k, pos))
        };
        let mut chosen: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut met = !groups.is_empty();
        for g in groups.iter() {
            let satisfied: Vec<Vec<(usize, Vec<usize>)>> = g
                .iter()
                .filter_map(|v| v.iter().map(present).collect::<Option<Vec<_>>>())
                .collect();
            if satisfied.is_empty() {
                met = false;
                break;
            }
            if satisfied.iter().all(|v| v.len() == 1) {
                // One-word forms: whichever stands nearest the other words.
                let mut pos: Vec<usize> = satisfied
                    .iter()
                    .flat_map(|v| v[0].1.iter().copied())
                    .collect();
                pos.sort_unstable();
                pos.dedup();
                chosen.push((satisfied[0][0].0, pos));
            } else if let Some(v) = satisfied.into_iter().max_by_key(Vec::len) {
                chosen.extend(v);
            }
        }
        if !met {
            continue;
        }
        chosen.sort_by_key(|(k, _)| *k);
        chosen.dedup_by_key(|(k, _)| *k);
        if chosen.len() == 1 && GENERIC.iter().any(|g| stems[chosen[0].0].0.starts_with(g)) {
            continue;
        }
        let ks: Vec<usize> = chosen.iter().map(|(k, _)| *k).collect();
        let lists: Vec<Vec<usize>> = chosen.into_iter().map(|(_, p)| p).collect();
        let Some(positions) = compact(&lists) else {
            continue;
        };
        if positions
            .iter()
            .all(|p| toks[*p].norm.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let spec = ks.iter().map(|k| idf[*k]).sum();
        out.push(Concept {
            words: ks.len(),
            doc,
            positions,
            spec,
        });
    }
    out
}

/// The first position at or after `from` whose posting (`doc << 1 |
/// optional`, sorted) is for `doc` or a later document.
fn gallop(list: &[u32], from: usize, doc: u32) -> usize {
    let below = |i: usize| list[i] >> 1 < doc;
    if from >= list.len() || !below(from) {
        return from;
    }
    // list[lo] is below; find hi with list[hi] not below (or the end).
    let (mut lo, mut step) = (from, 1);
    let hi = loop {
        let next = lo + step;
        if next >= list.len() {
            break list.len();
        }
        if !below(next) {
            break next;
        }
        lo = next;
        step *= 2;
    };
    lo + 1 + list[lo + 1..hi].partition_point(|v| v >> 1 < doc)
}

/// The closest-together choice of one token per stem, if it is compact
/// enough to be one phrase (a few words may stand between).
fn compact(lists: &[Vec<usize>]) -> Option<Vec<usize>> {
    let anchor = lists.iter().min_by_key(|l| l.len())?;
    let mut best: Option<(usize, Vec<usize>)> = None;
    for &a in anchor {
        let mut pos: Vec<usize> = lists
            .iter()
            .map(|l| *l.iter().min_by_key(|p| p.abs_diff(a)).unwrap_or(&a))
            .collect();
        pos.sort_unstable();
        pos.dedup();
        let width = pos.last().unwrap_or(&a) - pos.first().unwrap_or(&a) + 1;
        if best.as_ref().is_none_or(|(w, _)| width < *w) {
            best = Some((width, pos));
        }
    }
    let (width, pos) = best?;
    (width <= 2 * lists.len() + 2).then_some(pos)
}

/// Words that must be in the statement for a row of the Table of Neoplasms
/// to be read: a site alone is not a neoplasm.
const NEOPLASM_WORDS: &[&str] = &[
    "neoplasm",
    "tumor",
    "tumour",
    "cancer",
    "carcinoma",
    "malign",
    "metastasi",
    "metastat",
    "sarcoma",
    "lymphoma",
    "adenoma",
    "adenocarcinoma",
    "melanoma",
    "mass",
    "benign",
    "oma",
];

/// Words that name a neoplasm, completing a site of the Table of Neoplasms
/// ("metastatic to brain", "carcinoma of the colon").
const NEOPLASM_NOUNS: &[&str] = &[
    "neoplasm",
    "neoplasia",
    "tumor",
    "tumour",
    "tumors",
    "cancer",
    "carcinoma",
    "malignancy",
    "malignant",
    "metastasis",
    "metastases",
    "metastatic",
    "sarcoma",
    "adenocarcinoma",
    "lymphoma",
    "melanoma",
    "adenoma",
];

/// Words that must be in the statement for a row of the Table of Drugs.
const DRUG_WORDS: &[&str] = &[
    "poison", "overdos", "intox", "toxic", "advers", "reaction", "underdos", "ingest",
];

/// Reads a note: statements with their context and alternatives, and the
/// codes to assign. Never panics.
pub fn read_note<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    text: &str,
    opts: &Options,
) -> NoteReading {
    read(lib, idx, text, opts, true)
}

/// The codes a statement names, read as a note is (for the ranked search:
/// they lead its suggestions).
pub(super) fn statement_codes<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    text: &str,
    opts: &Options,
) -> Vec<NoteCode> {
    read(lib, idx, text, opts, false).codes
}

fn read<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    text: &str,
    opts: &Options,
    alternatives: bool,
) -> NoteReading {
    let text = &text[..super::clip(text)];
    let patient = opts.patient.or_from_text(text);
    let mut opts = opts.clone();
    opts.patient = patient;
    // The masks and the documents' words are kept between calls (each
    // keystroke reads its statement): for this index only.
    let owner = (idx.vocab().as_fst().as_bytes().as_ptr() as usize, idx.len());
    let mut scratch = SCRATCH.with(|c| std::mem::take(&mut *c.borrow_mut()));
    if scratch.owner != owner || scratch.groups.len() > MAX_CACHED {
        scratch = Scratch {
            owner,
            ..Scratch::default()
        };
    }
    let reading = read_statements(lib, idx, text, &opts, patient, alternatives, &mut scratch);
    SCRATCH.with(|c| *c.borrow_mut() = scratch);
    reading
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Documents whose words are remembered at most.
const MAX_CACHED: usize = 20_000;

fn read_statements<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    text: &str,
    opts: &Options,
    patient: Patient,
    alternatives: bool,
    scratch: &mut Scratch,
) -> NoteReading {
    let opts = opts.clone();
    let mut statements = Vec::new();
    let mut codes: Vec<NoteCode> = Vec::new();
    let mut procedures = Vec::new();
    for (si, s) in split_statements(text).into_iter().take(400).enumerate() {
        let base = s.as_ptr() as usize - text.as_ptr() as usize;
        let mut toks = tokens(idx, s, base);
        let found = read_statement(lib, idx, &mut toks, &opts, scratch);
        if alternatives {
            let words = toks.iter().map(|t| {
                let c = t.ctx;
                let out = c.negated || c.hypothetical || c.history || c.family;
                (t.start, t.end, t.norm.as_str(), out)
            });
            procedures.extend(super::procedures::statement(si, s, base, words));
        }
        let is_procedure = procedures.last().is_some_and(|p| p.statement == si);
        let result = if alternatives {
            statement_result(lib, idx, s, &toks, &found, &opts)
        } else {
            StatementResult {
                statement: String::new(),
                negated: false,
                uncertain: false,
                history: false,
                note: None,
                suggestions: Vec::new(),
            }
        };
        let mut result = result;
        if is_procedure && found.is_empty() {
            result.note = Some(super::procedures::NO_DIAGNOSIS.to_string());
        }
        let mut assigned: Vec<(Suggestion, Vec<usize>, f32, Context)> = Vec::new();
        for (sugg, concept, ctx) in &found {
            if ctx.family && !ctx.negated {
                // "Family history of diabetes": the family history code.
                if let Some(z) = family_history(lib, sugg, &toks, &concept.positions) {
                    let c = confidence(concept, sugg, &opts.weights);
                    if c >= opts.weights.min_confidence {
                        let plain = Context::default();
                        assigned.push((z, concept.positions.clone(), c, plain));
                    }
                }
                continue;
            }
            if ctx.negated || ctx.normal || ctx.hypothetical {
                continue;
            }
            if ctx.uncertain && opts.setting == Setting::Outpatient {
                continue;
            }
            let confidence = confidence(concept, sugg, &opts.weights);
            if confidence < opts.weights.min_confidence {
                continue;
            }
            for (extra, positions) in additional_codes(lib, &sugg.code, &toks) {
                assigned.push((
                    extra,
                    positions,
                    confidence * opts.weights.additional_code,
                    *ctx,
                ));
            }
            assigned.push((sugg.clone(), concept.positions.clone(), confidence, *ctx));
        }
        for (mut sugg, positions, confidence, ctx) in assigned {
            if ctx.history {
                if let Some(z) = personal_history(lib, &sugg.code) {
                    sugg = z;
                }
            }
            let span = (
                toks[positions[0]].start,
                toks[*positions.last().unwrap_or(&0)].end,
            );
            let evidence = Evidence {
                start: span.0,
                end: span.1,
                statement: si,
                path: sugg.path.clone(),
            };
            match codes.iter_mut().find(|c| c.code == sugg.code) {
                Some(c) => {
                    c.confidence = c.confidence.max(confidence);
                    c.evidence.push(evidence);
                }
                None => codes.push(NoteCode {
                    code: sugg.code.clone(),
                    title: sugg.title.clone(),
                    confidence,
                    evidence: vec![evidence],
                    assumed: sugg.assumed.clone(),
                    choices: if sugg.assumed.is_some() {
                        sugg.choices.clone()
                    } else {
                        Vec::new()
                    },
                    uncertain: ctx.uncertain,
                }),
            }
        }
        statements.push(result);
    }
    resolve_conflicts(lib, &mut codes);
    apply_combinations(lib, &mut codes);
    codes.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    NoteReading {
        statements,
        codes,
        patient,
        procedures,
    }
}

/// How sure a concept reading is: informative words, a billable code, an
/// index path (the coder's own route) over a title.
fn confidence(c: &Concept, s: &Suggestion, w: &Weights) -> f32 {
    let info = 1.0 - (-c.spec / w.confidence_scale).exp();
    let via = w.confidence_via.of(c.doc.via);
    let billable = if s.billable {
        1.0
    } else {
        w.confidence_not_billable
    };
    (info * via * billable).clamp(0.0, 1.0)
}

/// Leaves one reading where two disagree: of two codes of one category read
/// from overlapping words (I13.0 and I13.10; N18.4 and N18.9), or of two
/// codes an Excludes1 note keeps apart, the more confident stays (the more
/// specific on a tie).
fn resolve_conflicts<D: AsRef<[u8]>>(lib: &Library<D>, codes: &mut Vec<NoteCode>) {
    let overlap = |a: &NoteCode, b: &NoteCode| {
        a.evidence.iter().any(|e| {
            b.evidence
                .iter()
                .any(|x| x.statement == e.statement && x.start < e.end && e.start < x.end)
        })
    };
    // One reading's words hold the other's.
    let within = |a: &NoteCode, b: &NoteCode| {
        a.evidence.iter().any(|e| {
            b.evidence.iter().any(|x| {
                x.statement == e.statement
                    && ((x.start >= e.start && x.end <= e.end)
                        || (e.start >= x.start && e.end <= x.end))
            })
        })
    };
    let better = |a: &NoteCode, b: &NoteCode| {
        let vague = |c: &NoteCode| vague(&c.title);
        let same = a.code.get(..3) == b.code.get(..3);
        if same && vague(a) != vague(b) {
            return vague(b);
        }
        a.confidence > b.confidence || (a.confidence == b.confidence && a.code.len() > b.code.len())
    };
    // Each code's Excludes1 references, read once (not once per pair).
    let plain: Vec<String> = codes
        .iter()
        .map(|c| c.code.chars().filter(|c| *c != '.').collect())
        .collect();
    let ex1: Vec<Vec<Target>> = codes
        .iter()
        .map(|c| note_targets(lib, &c.code, &[NoteKind::Excludes1]))
        .collect();
    let excludes = |i: usize, j: usize| ex1[i].iter().any(|t| t.matches(&plain[j]));
    let mut keep = vec![true; codes.len()];
    for i in 0..codes.len() {
        for j in 0..codes.len() {
            if i == j || !keep[i] || !keep[j] || !better(&codes[i], &codes[j]) {
                continue;
            }
            let (a, b) = (&codes[i], &codes[j]);
            // An unspecified code gives way to a specific one of its
            // category read from overlapping words (I50.9 to I50.23).
            let vague = vague(&b.title) && overlap(a, b);
            let same_category = a.code.get(..3) == b.code.get(..3) && (within(a, b) || vague);
            if same_category || excludes(i, j) || excludes(j, i) {
                keep[j] = false;
            }
        }
    }
    let mut k = keep.into_iter();
    codes.retain(|_| k.next().unwrap_or(true));
}

/// The conventions a coder applies to the list, from the same rules as the
/// record check ([`crate::record::combination`]): hypertension with heart
/// failure or CKD (I11/I12/I13), COPD with a lower respiratory infection
/// (J44.0), diabetes "without complications" beside a complication. The
/// replaced codes give way to the combination, which takes their evidence.
fn apply_combinations<D: AsRef<[u8]>>(lib: &Library<D>, codes: &mut Vec<NoteCode>) {
    let t = &lib.tabular;
    // Each combination removes codes, so a few rounds settle it.
    for _ in 0..4 {
        let parsed: Vec<Code> = codes.iter().filter_map(|c| c.code.parse().ok()).collect();
        let Some(combo) = crate::record::combination::combinations(t, &parsed)
            .into_iter()
            .find(|c| c.choose_under.is_none())
        else {
            return;
        };
        let replaced: Vec<String> = combo.replace.iter().map(|c| c.to_string()).collect();
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut confidence: f32 = 0.0;
        let mut uncertain = false;
        codes.retain(|c| {
            if replaced.contains(&c.code) {
                evidence.extend(c.evidence.iter().cloned());
                confidence = confidence.max(c.confidence);
                uncertain |= c.uncertain;
                false
            } else {
                true
            }
        });
        if replaced.is_empty() {
            return;
        }
        for add in &combo.add {
            let Some(node) = t.find(add) else { continue };
            let code = t.display_key(node);
            if codes.iter().any(|c| c.code == code) {
                continue;
            }
            let reason = combo.reason();
            codes.push(NoteCode {
                code,
                title: t.title(node).into_owned(),
                confidence,
                evidence: evidence
                    .iter()
                    .map(|e| Evidence {
                        path: format!("{} ({})", reason, combo.rule.authority),
                        ..e.clone()
                    })
                    .collect(),
                assumed: None,
                choices: Vec::new(),
                uncertain,
            });
        }
    }
}

/// Whether a title is its category's unspecified code ("Heart failure,
/// unspecified"; not "... or unspecified chronic kidney disease").
fn vague(title: &str) -> bool {
    title.ends_with(", unspecified")
        || title.ends_with("of unspecified site")
        || title.contains(", unspecified,")
        || title.starts_with("Unspecified")
}

/// Whether a note of one of `kinds` at `code` (own or inherited) names
/// `other` (display or plain form).
fn notes_name<D: AsRef<[u8]>>(
    lib: &Library<D>,
    code: &str,
    kinds: &[NoteKind],
    other: &str,
) -> bool {
    let plain: String = other.chars().filter(|c| *c != '.').collect();
    note_targets(lib, code, kinds)
        .iter()
        .any(|target| target.matches(&plain))
}

/// The code references of the notes of `kinds` at `code` (own or
/// inherited); none for a code not in the tabular.
fn note_targets<D: AsRef<[u8]>>(lib: &Library<D>, code: &str, kinds: &[NoteKind]) -> Vec<Target> {
    let t = &lib.tabular;
    let Some(id) = code.parse::<Code>().ok().and_then(|c| t.find(&c)) else {
        return Vec::new();
    };
    t.notes(id)
        .into_iter()
        .filter(|n| kinds.contains(&n.kind))
        .flat_map(|n| crate::record::conventions::targets(n.text))
        .collect()
}

/// The concepts of one statement chosen to code, with their suggestion and
/// context.
fn read_statement<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    toks: &mut [Tok],
    opts: &Options,
    scratch: &mut Scratch,
) -> Vec<(Suggestion, Concept, Context)> {
    let mut cands = concepts(lib, idx, toks, scratch);
    // A list item that names no condition of its own modifies the one
    // before it ("major depressive disorder, single episode, moderate";
    // "carpal tunnel syndrome, right wrist"): it joins that item. Then a
    // concept stays inside one item ("COPD, type 2 diabetes, HTN").
    let last_seg = toks.last().map_or(0, |t| t.seg);
    let standalone: Vec<bool> = (0..=last_seg)
        .map(|g| {
            cands.iter().any(|c| {
                !matches!(c.doc.via, Via::Drug | Via::Eindex)
                    && c.positions.iter().all(|p| toks[*p].seg == g)
            })
        })
        .collect();
    let mut merged = vec![0u32; standalone.len()];
    for g in 1..standalone.len() {
        merged[g] = if standalone[g] {
            g as u32
        } else {
            merged[g - 1]
        };
    }
    for t in toks.iter_mut() {
        t.seg = merged[t.seg as usize];
    }
    cands.retain(|c| {
        c.positions
            .iter()
            .all(|p| toks[*p].seg == toks[c.positions[0]].seg)
    });
    let toks: &[Tok] = toks;
    let has = |list: &[&str]| {
        toks.iter()
            .flat_map(|t| t.stems.iter())
            .any(|s| list.iter().any(|w| s.starts_with(w) || s.ends_with(w)))
    };
    let neoplasm_ok = has(NEOPLASM_WORDS);
    let drug_ok = has(DRUG_WORDS);
    cands.retain(|c| match c.doc.via {
        Via::Eindex | Via::Code => false,
        Via::Neoplasm => neoplasm_ok,
        Via::Drug => drug_ok,
        _ => true,
    });
    // Longest first, then the most informative, then the coder's route.
    let rank = |v: Via| match v {
        Via::Index => 0,
        Via::Inclusion => 1,
        Via::Tabular => 2,
        _ => 3,
    };
    cands.sort_by(|a, b| {
        b.words
            .cmp(&a.words)
            .then(b.spec.total_cmp(&a.spec))
            .then(rank(a.doc.via).cmp(&rank(b.doc.via)))
            .then(a.doc.source.cmp(&b.doc.source))
    });
    let mut chosen: Vec<(Suggestion, Concept, Context)> = Vec::new();
    for c in cands {
        // A concept inside a chosen one is already coded by it, unless the
        // chosen code asks for it as an additional code.
        let inside = chosen
            .iter()
            .find(|(_, o, _)| c.positions.iter().all(|p| o.positions.contains(p)));
        // Neighbouring words steer a code to its child (left, acute...).
        let lo = c.positions[0].saturating_sub(4);
        let hi = (c.positions[c.positions.len() - 1] + 5).min(toks.len());
        let seg = toks[c.positions[0]].seg;
        let near: Vec<String> = toks[lo..hi]
            .iter()
            .filter(|t| t.role == Role::Content && t.seg == seg)
            .flat_map(|t| {
                if t.stems.is_empty() {
                    vec![stem(&t.norm)]
                } else {
                    t.stems.clone()
                }
            })
            .collect();
        let (neo, drug) = (
            neoplasm_column(toks, &c, &near),
            super::column_of(&near, super::DRUG_COLUMNS),
        );
        let Some(mut s) = doc_suggestion(lib, c.doc, c.spec, &near, neo, drug, &opts.weights)
        else {
            continue;
        };
        assume_seventh(lib, &mut s, opts.encounter);
        if !s.billable {
            // A category is never the last word: its unspecified child or nothing.
            continue;
        }
        if !opts.patient.allows(lib, &s.code) || s.code.starts_with(['V', 'W', 'X', 'Y']) {
            continue;
        }
        // A code that says why the patient came (Guidelines I.C.21.c:
        // "Encounter for examination", "Donor", "Counseling") is not read
        // from one word: "examinations", "screening", "donor" in a note
        // name what was done or who gave, not the reason for the visit.
        if c.words == 1 && is_encounter_reason(&s.title) {
            continue;
        }
        if let Some((o, _, _)) = inside {
            if !asks_for(lib, &o.code, &s.code) {
                continue;
            }
        }
        if chosen.iter().any(|(o, _, _)| o.code == s.code) {
            continue;
        }
        // The context of a concept is that of its first word (its head
        // for the scope of triggers placed before it).
        let ctx = c
            .positions
            .iter()
            .map(|p| toks[*p].ctx)
            .fold(Context::default(), |a, b| Context {
                negated: a.negated || b.negated,
                uncertain: a.uncertain || b.uncertain,
                history: a.history || b.history,
                family: a.family || b.family,
                normal: a.normal || b.normal,
                hypothetical: a.hypothetical || b.hypothetical,
            });
        chosen.push((s, c, ctx));
    }
    chosen
}

/// Whether a title is a reason for the encounter rather than a condition.
fn is_encounter_reason(title: &str) -> bool {
    [
        "Encounter for",
        "Persons encountering",
        "Donor",
        "Counseling",
    ]
    .iter()
    .any(|p| title.starts_with(p))
}

/// The additional codes a code's "use additional code" notes ask for whose
/// words the statement says ("type 2 diabetes on insulin": E11's note
/// "insulin (Z79.4)"), with the positions of those words.
fn additional_codes<D: AsRef<[u8]>>(
    lib: &Library<D>,
    code: &str,
    toks: &[Tok],
) -> Vec<(Suggestion, Vec<usize>)> {
    let t = &lib.tabular;
    let Some(id) = code.parse::<Code>().ok().and_then(|c| t.find(&c)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for n in t.notes(id) {
        if n.kind != NoteKind::UseAdditionalCode {
            continue;
        }
        let Some((words, rest)) = n.text.split_once('(') else {
            continue;
        };
        let Some(target) = rest
            .split(')')
            .next()
            .and_then(|c| c.trim().parse::<Code>().ok())
        else {
            continue;
        };
        let Some(node) = t.find(&target).filter(|n| t.billable(*n)) else {
            continue;
        };
        let want = doc_words(words);
        let positions: Option<Vec<usize>> = want
            .iter()
            .map(|(w, _)| {
                toks.iter().position(|tk| {
                    tk.role == Role::Content && !tk.ctx.negated && tk.stems.contains(w)
                })
            })
            .collect();
        let Some(mut positions) = positions.filter(|p| !p.is_empty()) else {
            continue;
        };
        positions.sort_unstable();
        positions.dedup();
        let s = super::suggestion(
            lib,
            node,
            1.0,
            Via::Tabular,
            format!("{}: use additional code: {}", t.display_key(id), n.text),
            Vec::new(),
        );
        out.push((s, positions));
    }
    out
}

/// The column of the Table of Neoplasms a site is read in. "Metastatic to"
/// (or "metastasis in") makes the site after it secondary; a site named
/// before "metastatic" is the primary ("lung cancer metastatic to brain").
fn neoplasm_column(toks: &[Tok], c: &Concept, near: &[String]) -> Option<usize> {
    let seg = toks[c.positions[0]].seg;
    let last = c.positions[c.positions.len() - 1];
    let spread = |t: &Tok| t.stems.iter().any(|s| s.starts_with("metasta"));
    let before = toks[..last].iter().any(|t| t.seg == seg && spread(t));
    let after = toks[last + 1..].iter().any(|t| t.seg == seg && spread(t));
    match (before, after) {
        (true, _) => Some(1),
        (false, true) => Some(0),
        _ => super::column_of(near, super::NEOPLASM_COLUMNS),
    }
}

/// The personal history code of a primary malignant neoplasm ("history of
/// breast cancer": Z85.3 rather than C50.919, Guidelines I.C.2.d): the
/// billable Z85 code whose title shares most words with the neoplasm's
/// category.
fn personal_history<D: AsRef<[u8]>>(lib: &Library<D>, code: &str) -> Option<Suggestion> {
    let t = &lib.tabular;
    let primary = code.starts_with('C') && code.get(..3).is_some_and(|c| c < "C77");
    if !primary {
        return None;
    }
    let category = t.find(&code.get(..3)?.parse().ok()?)?;
    // The index first: History > personal > malignant neoplasm > (site).
    let title = t.title(category);
    let site_text = title.split_once(" of ").map_or("", |(_, s)| s);
    let mut names: Vec<String> = vec![site_text.to_string()];
    names.extend(
        site_text
            .split([' ', ','])
            .filter(|w| w.len() > 3 && !matches!(*w, "other" | "unspecified"))
            .map(str::to_string),
    );
    for name in names {
        let path = format!("History, personal, malignant neoplasm, {name}");
        let found = lib
            .index
            .resolve(&path)
            .map(|id| lib.index.code(id))
            .and_then(|c| c.parse::<crate::code::IndexCode>().ok())
            .and_then(|c| t.find(&c.code))
            .filter(|n| t.billable(*n));
        if let Some(node) = found {
            return Some(super::suggestion(
                lib,
                node,
                1.0,
                Via::Index,
                path.replace(", ", " > "),
                Vec::new(),
            ));
        }
    }
    let general = [
        "malign",
        "neoplasm",
        "other",
        "unspecifi",
        "person",
        "histori",
    ];
    let site: Vec<String> = words(&t.title(category))
        .into_iter()
        .filter(|w| !general.contains(&w.as_str()))
        .collect();
    let z85 = t.find(&"Z85".parse().ok()?)?;
    let best = t
        .billable_descendants(z85)
        .into_iter()
        .map(|d| {
            let title = words(&t.title(d));
            let shared = site.iter().filter(|w| title.contains(w)).count();
            (shared, std::cmp::Reverse(t.key(d).len()), d)
        })
        .filter(|(shared, _, _)| *shared > 0)
        .max()?;
    Some(super::suggestion(
        lib,
        best.2,
        1.0,
        Via::Tabular,
        format!(
            "history of {}: {}",
            t.display_key(category),
            t.title(best.2)
        ),
        Vec::new(),
    ))
}

/// The family history code of a condition from the index (History >
/// family > ...): the entry whose words hold the condition's words, with
/// the fewest others. A malignant neoplasm is looked for under its site.
fn family_history<D: AsRef<[u8]>>(
    lib: &Library<D>,
    s: &Suggestion,
    toks: &[Tok],
    positions: &[usize],
) -> Option<Suggestion> {
    let tree = &lib.index;
    let history = tree
        .find("history")
        .into_iter()
        .find(|t| tree.level(*t) == 0)?;
    let family = tree
        .children(history)
        .into_iter()
        .find(|t| normalize(tree.term(*t)) == "family")?;
    let neoplasm = s.code.starts_with('C');
    let mut want: Vec<String> = positions
        .iter()
        .flat_map(|p| toks[*p].stems.iter().cloned())
        .filter(|w| !(neoplasm && NEOPLASM_NOUNS.iter().any(|n| stem(n) == *w)))
        .collect();
    if neoplasm {
        want.extend(["malign".to_string(), "neoplasm".to_string()]);
    }
    let mut best: Option<(usize, TermId)> = None;
    let mut stack = tree.children(family);
    while let Some(t) = stack.pop() {
        stack.extend(tree.children(t));
        if tree.code(t).is_empty() {
            continue;
        }
        let path = tree.path(t);
        let have: Vec<String> = path[2..]
            .iter()
            .flat_map(|p| words(tree.term(*p)))
            .collect();
        if want.iter().all(|w| have.contains(w)) {
            let extra = have.len() - want.len().min(have.len());
            if best.is_none_or(|(e, _)| extra < e) {
                best = Some((extra, t));
            }
        }
    }
    let (_, term) = best?;
    let code: crate::code::IndexCode = tree.code(term).parse().ok()?;
    let node = lib.tabular.find(&code.code)?;
    lib.tabular
        .billable(node)
        .then(|| super::suggestion(lib, node, 1.0, Via::Index, tree.path_text(term), Vec::new()))
}

/// Whether `code` is sequenced before `other`: its notes ask for `other`
/// as an additional code, or `other`'s "code first" names it.
pub(super) fn precedes<D: AsRef<[u8]>>(lib: &Library<D>, code: &str, other: &str) -> bool {
    notes_name(lib, code, &[NoteKind::UseAdditionalCode], other)
        || notes_name(lib, other, &[NoteKind::CodeFirst], code)
}

/// Whether the notes of `code` ask for `other` as an additional code
/// ("use additional code", "code also", "code first").
fn asks_for<D: AsRef<[u8]>>(lib: &Library<D>, code: &str, other: &str) -> bool {
    let kinds = [
        NoteKind::UseAdditionalCode,
        NoteKind::CodeAlso,
        NoteKind::CodeFirst,
    ];
    notes_name(lib, code, &kinds, other)
}

/// A statement's context and its alternatives: for each concept read in
/// it, what a search of the concept's own words ranks.
fn statement_result<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    statement: &str,
    toks: &[Tok],
    found: &[(Suggestion, Concept, Context)],
    opts: &Options,
) -> StatementResult {
    let any = |f: fn(&Context) -> bool| found.iter().any(|(_, _, c)| f(c));
    let mut r = StatementResult {
        statement: statement.to_string(),
        negated: if found.is_empty() {
            toks.iter().any(|t| t.ctx.negated)
        } else {
            found.iter().all(|(_, _, c)| c.negated || c.normal)
        },
        uncertain: any(|c| c.uncertain),
        history: any(|c| c.history),
        note: None,
        suggestions: Vec::new(),
    };
    r.note = Some(
        if found.is_empty() {
            "nothing codable: no diagnosis named"
        } else if r.negated {
            "negated or normal finding: not coded"
        } else if r.uncertain && opts.setting == Setting::Outpatient {
            "uncertain diagnosis: not coded in the outpatient setting; code the signs and symptoms (Guidelines IV.H)"
        } else if r.uncertain {
            "uncertain diagnosis: coded as if established in the inpatient setting (Guidelines II.H); confirm with the documentation"
        } else {
            return with_alternatives(lib, idx, r, toks, found, opts);
        }
        .to_string(),
    );
    if !r.negated {
        return with_alternatives(lib, idx, r, toks, found, opts);
    }
    r
}

fn with_alternatives<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    mut r: StatementResult,
    toks: &[Tok],
    found: &[(Suggestion, Concept, Context)],
    opts: &Options,
) -> StatementResult {
    // The first concepts of a statement are what a coder looks at.
    for (first, c, ctx) in found.iter().take(3) {
        if ctx.negated || ctx.normal {
            continue;
        }
        let (a, b) = (c.positions[0], c.positions[c.positions.len() - 1]);
        let words: Vec<&str> = toks[a..=b].iter().map(|t| t.norm.as_str()).collect();
        let mut alts = vec![first.clone()];
        // A few alternatives for each concept: fewer candidates to refine.
        let mut few = opts.clone();
        few.top = opts.weights.alternatives;
        few.weights.candidates = opts.weights.alternative_candidates;
        alts.extend(text_suggestions(
            lib,
            idx,
            &words.join(" "),
            ctx.history,
            false,
            &few,
        ));
        for s in alts.into_iter().take(4) {
            if !r.suggestions.iter().any(|o| o.code == s.code) {
                r.suggestions.push(s);
            }
        }
    }
    r.suggestions.truncate(opts.top);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_of(text: &str) -> Vec<(String, Context)> {
        let words: Vec<&str> = text.split(' ').collect();
        let mut toks: Vec<Tok> = words
            .iter()
            .map(|w| Tok {
                start: 0,
                end: 0,
                norm: w.to_string(),
                stems: vec![w.to_string()],
                role: Role::Content,
                ctx: Context::default(),
                seg: 0,
            })
            .collect();
        mark_context(&mut toks);
        toks.into_iter().map(|t| (t.norm, t.ctx)).collect()
    }

    fn negated_words(text: &str) -> Vec<String> {
        ctx_of(text)
            .into_iter()
            .filter(|(_, c)| c.negated || c.normal)
            .map(|(w, _)| w)
            .collect()
    }

    #[test]
    fn negation_has_a_scope() {
        assert_eq!(negated_words("denies chest pain"), ["chest", "pain"]);
        assert_eq!(
            negated_words("no fever but cough persists"),
            ["fever"],
            "but ends the scope"
        );
        assert_eq!(negated_words("pneumonia was ruled out"), ["pneumonia"]);
        assert_eq!(negated_words("ct abdomen normal"), ["ct", "abdomen"]);
        assert!(negated_words("acute appendicitis").is_empty());
    }

    #[test]
    fn other_contexts() {
        let c = ctx_of("history of breast cancer");
        assert!(c[2].1.history && c[3].1.history && !c[0].1.history);
        let c = ctx_of("family history of diabetes");
        assert!(c[3].1.family);
        let c = ctx_of("probable pneumonia");
        assert!(c[1].1.uncertain);
        let c = ctx_of("if fever develops");
        assert!(c[1].1.hypothetical);
    }

    #[test]
    fn studies_are_not_conditions() {
        for w in [
            "ct",
            "mri",
            "pyeloplasty",
            "nephrectomy",
            "biopsy",
            "laparotomy",
        ] {
            assert!(is_study(w), "{w}");
        }
        for w in ["pneumonia", "hemodialysis", "stenosis", "diabetes"] {
            assert!(!is_study(w), "{w}");
        }
    }

    #[test]
    fn patient_from_text() {
        let p = Patient::default().or_from_text("A 29-year-old woman with pain");
        assert_eq!(
            p,
            Patient {
                age: Some(29),
                sex: Some(Sex::Female)
            }
        );
        let p = Patient::default().or_from_text("78 y/o male admitted");
        assert_eq!(p.sex, Some(Sex::Male));
        let given = Patient {
            age: Some(40),
            sex: None,
        };
        assert_eq!(given.or_from_text("a 3 year old boy").age, Some(40));
        assert_eq!(
            Patient::default().or_from_text("nothing here"),
            Patient::default()
        );
    }

    #[test]
    fn gallop_finds_the_first_posting_at_or_after_a_document() {
        // doc << 1 | optional: docs 2, 3 (optional), 3, 9, 10 ... in order.
        let list: Vec<u32> = [(2, 0), (3, 0), (3, 1), (9, 0), (10, 1), (40, 0), (41, 0)]
            .iter()
            .map(|(d, o)| d << 1 | o)
            .collect();
        let linear = |from: usize, doc: u32| {
            (from..list.len())
                .find(|&i| list[i] >> 1 >= doc)
                .unwrap_or(list.len())
        };
        for from in 0..=list.len() {
            for doc in 0..45 {
                assert_eq!(
                    gallop(&list, from, doc),
                    linear(from, doc),
                    "from {from}, doc {doc}"
                );
            }
        }
        assert_eq!(gallop(&[], 0, 5), 0);
    }

    #[test]
    fn compact_spans() {
        assert_eq!(compact(&[vec![1, 9], vec![2]]), Some(vec![1, 2]));
        assert_eq!(compact(&[vec![0], vec![20]]), None);
        assert_eq!(suffix_class("cervical"), 0);
        assert_ne!(suffix_class("cervicitis"), 0);
        assert_ne!(suffix_class("sinusitis"), suffix_class("sinus"));
    }

    #[test]
    fn adjectives_meet_only_their_own_form() {
        // "Depressive" does not meet "Depression", nor "irritative"
        // "irritable"; "hypertensive" meets itself (Hypertension, hypertensive).
        assert_ne!(suffix_class("depressive"), suffix_class("depression"));
        assert_ne!(suffix_class("irritative"), suffix_class("irritable"));
        assert_ne!(suffix_class("sensitive"), suffix_class("sensitivity"));
        assert_eq!(suffix_class("hypertensive"), suffix_class("hypertensive"));
        // Short words are not read for a suffix ("five", "able").
        assert_eq!(suffix_class("five"), 0);
        assert_eq!(suffix_class("able"), 0);
    }

    #[test]
    fn reasons_for_the_encounter() {
        assert!(is_encounter_reason(
            "Encounter for general adult medical examination without abnormal findings"
        ));
        assert!(is_encounter_reason("Donor of unspecified organ or tissue"));
        assert!(is_encounter_reason("Counseling, unspecified"));
        assert!(!is_encounter_reason("Kidney transplant status"));
        assert!(!is_encounter_reason("Essential (primary) hypertension"));
    }
}
