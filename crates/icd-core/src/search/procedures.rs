//! Procedure statements of a note: a statement that says a procedure was
//! done in this encounter goes to the ICD-10-PCS search, never to a
//! diagnosis code ("Laparoscopic appendectomy was performed.").
//!
//! A statement is one when one of its words names a procedure (an
//! operation suffix such as `-ectomy` or `-plasty`, a procedure noun such
//! as "biopsy", "resection", "transplant", or a study such as "CT" or
//! "ultrasound") outside a negated, hypothetical, history or family
//! context: "no surgery was performed", "surgery is planned" and "history
//! of appendectomy" are not procedures of this encounter.
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! # fn idx() -> icd_core::search::SearchIndex<Vec<u8>> { unimplemented!() }
//! # fn pcs() -> icd_core::pcs::Pcs<Vec<u8>> { unimplemented!() }
//! use icd_core::pcs::search::{PcsSearch, SearchOptions};
//! use icd_core::search::{read_note, Options};
//! let note = "Acute appendicitis. Laparoscopic appendectomy was performed.";
//! let mut reading = read_note(&lib(), &idx(), note, &Options::default());
//! let pcs = pcs();
//! reading.code_procedures(&PcsSearch::new(&pcs), &SearchOptions::default());
//! for p in &reading.procedures {
//!     println!("{:?}: {:?}", p.text, p.hits.first().map(|h| h.code.as_str()));
//! }
//! ```

use crate::pcs::search::{Hit, PcsSearch, SearchOptions};

use super::NoteReading;

/// A statement of a note that names a procedure done in this encounter,
/// with its ICD-10-PCS suggestions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoteProcedure {
    /// Which statement (index into `NoteReading::statements`).
    pub statement: usize,
    /// Byte offset of the first procedure word in the input.
    pub start: usize,
    /// Byte offset just past the last one.
    pub end: usize,
    /// The statement, as the PCS search reads it.
    pub text: String,
    /// Suggested ICD-10-PCS codes, best first: empty until the PCS tables
    /// are read ([`NoteReading::code_procedures`]).
    #[serde(default)]
    pub hits: Vec<Hit>,
}

/// What a procedure statement that names no diagnosis says of itself.
pub const NO_DIAGNOSIS: &str =
    "a procedure: coded in ICD-10-PCS (the note's procedures), not as a diagnosis";

/// Operation suffixes (appendectomy, pyeloplasty, laparotomy, colostomy,
/// cystoscopy, arthrodesis is a noun below). A word must be longer than the
/// suffix by a root of at least three letters.
const SUFFIXES: &[&str] = &[
    "ectomy", "ectomies", "plasty", "plasties", "otomy", "otomies", "ostomy", "ostomies", "scopy",
    "scopies", "graphy", "pexy", "rrhaphy", "centesis", "tripsy", "desis",
];

/// Word beginnings that name a procedure or a study done to the patient.
const NOUNS: &[&str] = &[
    "resect",
    "excision",
    "excised",
    "biops",
    "repair",
    "insertion",
    "inserted",
    "placement",
    "implant",
    "transplant",
    "amputat",
    "drainage",
    "drained",
    "replacement",
    "fusion",
    "fixation",
    "catheteriz",
    "catheteris",
    "intubat",
    "transfus",
    "dialysis",
    "hemodialysis",
    "haemodialysis",
    "ligation",
    "ligated",
    "bypass",
    "debrid",
    "incision",
    "extraction",
    "anastomos",
    "emboliz",
    "embolis",
    "ablation",
    "chemotherap",
    "radiotherap",
    "irradiat",
    "scintigra",
    "radiograph",
    "tomograph",
    "ultrasound",
    "ultrasonograph",
    "sonograph",
    "echograph",
    "echocardiogra",
    "mammogra",
    "angiogra",
    "arteriogra",
    "urogra",
];

/// Whole words that name a study.
const STUDIES: &[&str] = &[
    "ct",
    "mri",
    "tac",
    "pet",
    "scan",
    "xray",
    "x-ray",
    "radiography",
];

/// Whether a normalized word names a procedure or a study.
pub(super) fn is_procedure_word(norm: &str) -> bool {
    STUDIES.contains(&norm)
        || NOUNS.iter().any(|n| norm.starts_with(n))
        || SUFFIXES
            .iter()
            .any(|s| norm.len() >= s.len() + 3 && norm.ends_with(s))
}

/// The procedure a statement names, if it names one done in this
/// encounter. `words` are its words: (start, end, normalized word, whether
/// the word is negated, hypothetical, history or family), offsets into the
/// whole input; `text` is the statement.
pub(super) fn statement<'w>(
    index: usize,
    text: &str,
    base: usize,
    words: impl IntoIterator<Item = (usize, usize, &'w str, bool)>,
) -> Option<NoteProcedure> {
    let mut span: Option<(usize, usize)> = None;
    // What a study showed is a finding, not the procedure: the words the
    // PCS search reads stop at the first verb of a result after the
    // procedure ("CT showed a mass" reads "CT").
    let mut cut = text.len();
    for (start, end, norm, out_of_scope) in words {
        if !out_of_scope && is_procedure_word(norm) && cut == text.len() {
            let s = span.get_or_insert((start, end));
            s.1 = end;
        } else if span.is_some() && cut == text.len() && RESULTS.contains(&norm) {
            cut = start.saturating_sub(base).min(text.len());
        }
    }
    let (start, end) = span?;
    Some(NoteProcedure {
        statement: index,
        start,
        end,
        text: text.get(..cut).unwrap_or(text).trim().to_string(),
        hits: Vec::new(),
    })
}

/// Verbs that report what a study found.
const RESULTS: &[&str] = &[
    "showed",
    "shows",
    "showing",
    "revealed",
    "reveals",
    "revealing",
    "demonstrated",
    "demonstrates",
    "demonstrating",
    "confirmed",
    "confirms",
    "confirming",
    "found",
    "disclosed",
    "evidenced",
    "identified",
];

/// The PCS search a note's procedure statement gets: a few codes, since a
/// statement is one procedure and the coder finishes it in the builder.
pub fn note_options() -> SearchOptions {
    SearchOptions {
        top: 5,
        ..SearchOptions::default()
    }
}

impl NoteReading {
    /// Fills each procedure statement's ICD-10-PCS suggestions.
    pub fn code_procedures<D: AsRef<[u8]>>(
        &mut self,
        pcs: &PcsSearch<'_, D>,
        opts: &SearchOptions,
    ) {
        for p in &mut self.procedures {
            p.hits = pcs.search(&p.text, opts);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedure_words_are_told_from_condition_words() {
        let cases = [
            ("appendectomy", true),
            ("pyeloplasty", true),
            ("laparotomy", true),
            ("colostomy", true),
            ("cystoscopy", true),
            ("biopsy", true),
            ("biopsies", true),
            ("resected", true),
            ("transplantation", true),
            ("ct", true),
            ("echocardiography", true),
            ("appendicitis", false),
            ("pneumonia", false),
            ("ectomy", false),
            ("diabetes", false),
            ("scopy", false),
            ("fracture", false),
        ];
        for (word, want) in cases {
            assert_eq!(is_procedure_word(word), want, "{word}");
        }
    }

    #[test]
    fn a_statement_is_a_procedure_unless_every_procedure_word_is_out_of_scope() {
        let text = "Laparoscopic appendectomy was performed";
        let words = [
            (0, 12, "laparoscopic", false),
            (13, 25, "appendectomy", false),
            (26, 29, "was", false),
        ];
        let p = statement(2, text, 0, words).expect("a procedure");
        assert_eq!((p.statement, p.start, p.end), (2, 13, 25));
        assert_eq!(p.text, text);
        let negated = [(0, 2, "no", false), (3, 9, "biopsy", true)];
        assert_eq!(statement(0, "No biopsy", 0, negated), None);
        let plain = [(6, 18, "appendicitis", false)];
        assert_eq!(statement(0, "Acute appendicitis", 0, plain), None);
    }

    #[test]
    fn a_study_is_read_without_what_it_showed() {
        // The statement starts at byte 100 of the note.
        let text = "Abdominal CT showed a mass in the liver";
        let at = |s: usize, e: usize, w| (100 + s, 100 + e, w, false);
        let words = [
            at(0, 9, "abdominal"),
            at(10, 12, "ct"),
            at(13, 19, "showed"),
            at(22, 26, "mass"),
        ];
        let p = statement(0, text, 100, words).expect("a study");
        assert_eq!(
            (p.start, p.end, p.text.as_str()),
            (110, 112, "Abdominal CT")
        );
    }
}
