//! Practice exercises for coding students (issue 15): items generated from
//! the official classification, validated before they are returned, with
//! the reasoning a coder uses, and scored the way the exam and the coding
//! labs score (exact, set-based, partial credit).
//!
//! Generation is deterministic: the same [`Options`] (kinds, chapters, count, seed)
//! over the same artifacts give the same items, in the same order, on every
//! platform. There is no I/O and no clock; the date every answer must be
//! valid on is the first day of the release the MCE tables cover
//! ([`release_date`]).
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! use icd_core::practice::{generate, grade, Kind, Options};
//! let lib = lib();
//! let batch = generate(&lib, &Options { kinds: vec![Kind::Seventh], count: 5, seed: 7, ..Options::default() });
//! let item = &batch.items[0];
//! let result = grade(&lib, item, &["S52.521".to_string()]);
//! println!("{} / {}: {}", result.earned, result.possible, result.feedback.join("; "));
//! ```
//!
//! Validation of every item: each accepted code is billable and valid on
//! the release date; the accepted set is complete as far as the data lets
//! the generator prove it (an index path whose words lead elsewhere too, a
//! 7th character whose meaning is shared, a table row whose site is listed
//! twice with other codes, are dropped); each distractor carries the
//! reason it is wrong. Items of the Excludes1, sequencing, abstract audit
//! and case kinds are confirmed by the record checker itself
//! ([`crate::record::Checker`]). An item that fails is never returned and
//! is counted in [`Batch::rejected`] by kind and reason.
//!
//! Caveats: the Alphabetic Index is FY2025 and the tabular FY2026, so an
//! index code that now has children becomes a "complete the code" item;
//! the completeness check cannot see inclusion terms or other wording of
//! the same condition elsewhere in the tabular; ICD-10-PCS items
//! ([`Kind::Pcs`], [`generate_with`]) need the PCS tables and are made from
//! the Medical and Surgical section's root operation definitions.

mod cases;
mod generate;
mod progress;
mod rng;
mod score;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use cases::{import_cases, CaseProblem, ImportedCases};
pub use generate::{generate, generate_with, release_date};
pub use progress::{Progress, Tally, Topic, Weak, MIN_ITEMS, PROGRESS_VERSION, WEAK_BELOW};
pub use rng::Rng;
pub use score::{grade, score, why_wrong, Score};

/// What an item exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A diagnostic statement written from an index path leads to the code.
    IndexToCode,
    /// An encounter gives the 7th character, from the tabular's definitions.
    Seventh,
    /// Can two codes be reported together? Yes or no and the deciding note.
    Excludes1,
    /// Etiology and manifestation: which code goes first.
    Sequencing,
    /// Follow a `see` or `see also` cross-reference to the code.
    Navigation,
    /// The Table of Neoplasms (site and behaviour) or of Drugs (substance and intent).
    Tables,
    /// A record with planted errors: find the codes at fault.
    Audit,
    /// A short scenario: the principal diagnosis and the secondaries.
    Case,
    /// ICD-10-PCS: a procedure described by its root operation's definition,
    /// its body part and approach; choose the code, which names the root
    /// operation. Needs the PCS tables (`pcs.icdx`).
    Pcs,
}

impl Kind {
    /// Every kind, in the order the generator takes turns.
    pub const ALL: [Kind; 9] = {
        // The ICD-10-CM kinds, then ICD-10-PCS.
        let mut all = [Kind::Pcs; 9];
        let mut i = 0;
        while i < Kind::CM.len() {
            all[i] = Kind::CM[i];
            i += 1;
        }
        all
    };

    /// The ICD-10-CM kinds: what [`Options::kinds`] left empty means, so
    /// that a seed gives the same set whether or not the PCS tables are
    /// loaded. [`Kind::Pcs`] is asked for by name.
    pub const CM: [Kind; 8] = [
        Kind::IndexToCode,
        Kind::Seventh,
        Kind::Excludes1,
        Kind::Sequencing,
        Kind::Navigation,
        Kind::Tables,
        Kind::Audit,
        Kind::Case,
    ];

    /// The name used on the command line and in JSON (`index_to_code`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::IndexToCode => "index_to_code",
            Kind::Seventh => "seventh",
            Kind::Excludes1 => "excludes1",
            Kind::Sequencing => "sequencing",
            Kind::Navigation => "navigation",
            Kind::Tables => "tables",
            Kind::Audit => "audit",
            Kind::Case => "case",
            Kind::Pcs => "pcs",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Kind, UnknownKind> {
        let t = s.trim().to_ascii_lowercase().replace('-', "_");
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == t)
            .ok_or_else(|| UnknownKind {
                given: s.to_string(),
            })
    }
}

/// A kind name that is not one of [`Kind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not a practice kind; choose one of: index_to_code, seventh, excludes1, sequencing, navigation, tables, audit, case, pcs")]
pub struct UnknownKind {
    /// What was given.
    pub given: String,
}

/// How an item's answer is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// One answer; any of `answers` is right (one point).
    One,
    /// `answers[0]` is the principal and must be exact (one point); the
    /// rest are secondaries scored as a set: a point for each one given,
    /// a point off for each extra code (never below zero for the set).
    PrincipalAndSecondaries,
    /// The answer is a set: a point for each of `answers` given, a point
    /// off for each extra (never below zero).
    Set,
}

/// A choice that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wrong {
    /// The choice as shown (`E11`, `yes`).
    pub answer: String,
    /// Why it is wrong, specifically.
    pub why: String,
}

/// One exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// What it exercises.
    pub kind: Kind,
    /// The tabular chapter of the code the item is about (the answer, or
    /// the first code of a pair or record); what [`Options::chapters`]
    /// selects on.
    #[serde(default)]
    pub chapter: Option<Chapter>,
    /// The question.
    pub prompt: String,
    /// The choices to pick from (empty when the answer is typed).
    pub choices: Vec<String>,
    /// The accepted answers: codes as printed (`E11.9`) or `yes` / `no`.
    pub answers: Vec<String>,
    /// How [`score`] reads `answers`.
    pub scoring: Scoring,
    /// Why the answer is right: the index path, the tabular entry, the
    /// note or convention that decides. Codes are plain codes (the app
    /// links them).
    pub explanation: String,
    /// The wrong choices with their reasons. For a case
    /// ([`Scoring::PrincipalAndSecondaries`]): codes wrong as the
    /// principal, which may be right among the secondaries.
    pub wrong: Vec<Wrong>,
    /// Where it comes from: the artifacts and the entries read.
    pub source: String,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The kinds, taken in turn; empty means the ICD-10-CM ones, [`Kind::CM`].
    pub kinds: Vec<Kind>,
    /// Only items about codes of these chapters; empty means every chapter.
    /// A kind with no valid item in them within the attempt budget is
    /// listed in [`Batch::exhausted`].
    pub chapters: Vec<Chapter>,
    /// How many items.
    pub count: usize,
    /// The seed: the same seed gives the same items.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            kinds: Vec::new(),
            chapters: Vec::new(),
            count: 10,
            seed: 1,
        }
    }
}

/// A chapter of ICD-10-CM, `1` to `22` (19: injury, poisoning and certain
/// other consequences of external causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Chapter(u8);

impl Chapter {
    /// The chapter numbered `n`, if `n` is 1 to 22.
    pub fn new(n: u8) -> Option<Chapter> {
        (1..=22).contains(&n).then_some(Chapter(n))
    }

    /// Its number.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl From<Chapter> for u8 {
    fn from(c: Chapter) -> u8 {
        c.0
    }
}

impl TryFrom<u8> for Chapter {
    type Error = UnknownChapter;
    fn try_from(n: u8) -> Result<Chapter, UnknownChapter> {
        Chapter::new(n).ok_or(UnknownChapter {
            given: n.to_string(),
        })
    }
}

impl std::fmt::Display for Chapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Chapter {
    type Err = UnknownChapter;
    fn from_str(s: &str) -> Result<Chapter, UnknownChapter> {
        s.trim()
            .parse::<u8>()
            .ok()
            .and_then(Chapter::new)
            .ok_or_else(|| UnknownChapter {
                given: s.to_string(),
            })
    }
}

/// A chapter that is not a number from 1 to 22.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not an ICD-10-CM chapter; give its number, 1 to 22 (19 for injuries, 9 for the circulatory system)")]
pub struct UnknownChapter {
    /// What was given.
    pub given: String,
}

/// The chapter a code of the tabular belongs to; `None` for a code the
/// tabular does not hold.
pub fn chapter_of<D: AsRef<[u8]>>(lib: &crate::Library<D>, code: &crate::Code) -> Option<Chapter> {
    let t = &lib.tabular;
    let id = t.find(code)?;
    let top = t.ancestors(id).first().copied().unwrap_or(id);
    t.key(top).parse().ok()
}

/// Every chapter, with its title, for a chooser.
pub fn chapters<D: AsRef<[u8]>>(lib: &crate::Library<D>) -> Vec<(Chapter, String)> {
    let t = &lib.tabular;
    t.chapters()
        .into_iter()
        .filter_map(|id| Some((t.key(id).parse().ok()?, t.title(id).into_owned())))
        .collect()
}

/// Generated items and what validation dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Batch {
    /// The items, valid and distinct, in order.
    pub items: Vec<Item>,
    /// Items produced per kind.
    pub produced: BTreeMap<Kind, usize>,
    /// Items that failed validation, per kind and reason.
    pub rejected: BTreeMap<Kind, BTreeMap<String, usize>>,
    /// Kinds that stopped short of their share: the data gave no more
    /// valid items within the attempt budget.
    pub exhausted: Vec<Kind>,
}

impl Batch {
    /// Rejections of one kind, all reasons together.
    pub fn rejected_count(&self, kind: Kind) -> usize {
        self.rejected
            .get(&kind)
            .map(|r| r.values().sum())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_are_numbers_from_1_to_22() {
        let check = |s: &str, expect: Result<u8, &str>| {
            assert_eq!(
                s.parse::<Chapter>()
                    .map(u8::from)
                    .map_err(|e| e.to_string()),
                expect.map_err(str::to_string),
                "{s}"
            );
        };
        check("19", Ok(19));
        check(" 1 ", Ok(1));
        check("22", Ok(22));
        check("0", Err("'0' is not an ICD-10-CM chapter; give its number, 1 to 22 (19 for injuries, 9 for the circulatory system)"));
        check("23", Err("'23' is not an ICD-10-CM chapter; give its number, 1 to 22 (19 for injuries, 9 for the circulatory system)"));
        check("XIX", Err("'XIX' is not an ICD-10-CM chapter; give its number, 1 to 22 (19 for injuries, 9 for the circulatory system)"));
        assert_eq!(serde_json::to_string(&Chapter(19)).unwrap(), "19");
        assert!(serde_json::from_str::<Chapter>("30").is_err());
    }

    #[test]
    fn every_kind_is_named_once_and_the_error_lists_them_all() {
        assert_eq!(&Kind::ALL[..8], &Kind::CM[..]);
        assert_eq!(Kind::ALL[8], Kind::Pcs);
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        for k in Kind::ALL {
            assert_eq!(k.name().parse::<Kind>(), Ok(k));
            assert_eq!(names.iter().filter(|n| **n == k.name()).count(), 1);
        }
        let e = "bogus".parse::<Kind>().unwrap_err().to_string();
        assert!(e.ends_with(&names.join(", ")), "{e}");
    }
}
