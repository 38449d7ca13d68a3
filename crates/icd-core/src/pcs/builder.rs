//! The code builder's view of a partial code: the seven axes, each with the
//! values the Tables allow there given the characters before it, the ones
//! chosen so far, and the ones that are the only value left. It reads the
//! Tables only ([`Pcs::offered`], [`table_report`]); the app's `#/pcs` page
//! renders it.
//!
//! ```
//! # fn demo(pcs: &icd_core::pcs::Pcs<Vec<u8>>) {
//! use icd_core::pcs::builder::build;
//! let b = build(pcs, "0dtj4");
//! assert_eq!(b.code, "0DTJ4Z"); // No Device is the only device after 0DTJ4
//! assert_eq!(b.typed, 5);
//! assert!(b.steps[5].only && !b.steps[6].only); // qualifier G or Z
//! # }
//! ```
//!
//! Caveat: before the first three characters name a table, the axis titles
//! of later positions are those of the first table the prefix leads to
//! (sections name their axes differently; within a section they agree for
//! nearly every table).

use serde::{Deserialize, Serialize};

use super::report::table_report;
use super::{InvalidAt, Offer, Pcs, Value};

/// The axis titles of the Medical and Surgical section, for a builder that
/// has no table yet to read them from.
const TITLES: [&str; 7] = [
    "Section",
    "Body System",
    "Operation",
    "Body Part",
    "Approach",
    "Device",
    "Qualifier",
];

/// One axis of the builder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Position 1 to 7.
    pub pos: u8,
    /// The axis title (`Body Part`, `Body Region`, `Approach`...).
    pub title: String,
    /// At a chosen step or the next one to choose: the values the Tables
    /// allow here given the characters before it, with definitions and
    /// includes. At a later step: the values still possible given the code
    /// so far (empty until a table is named).
    pub offers: Vec<Offer>,
    /// The character chosen here, if the code reaches this position.
    pub chosen: Option<char>,
    /// Only one value is possible here given the code so far: it is shown
    /// chosen (and filled in once the steps before it are).
    pub only: bool,
}

/// The builder at a prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    /// What was asked, upper case, letters and digits only, at most 7.
    pub asked: String,
    /// The longest valid start of `asked`, followed by every value that is
    /// the only one left at the next positions (`0DTJ4` gives `0DTJ4Z`).
    pub code: String,
    /// How many characters of `code` came from `asked`.
    pub typed: usize,
    /// The seven axes.
    pub steps: Vec<Step>,
    /// The first character of `asked` no table or row allows, if any.
    pub invalid: Option<InvalidAt>,
}

impl Build {
    /// All seven characters are chosen.
    pub fn complete(&self) -> bool {
        self.code.len() == 7
    }
}

/// The builder at `prefix` (any case; characters other than letters and
/// digits are dropped, and anything after the seventh).
pub fn build<D: AsRef<[u8]>>(pcs: &Pcs<D>, prefix: &str) -> Build {
    let asked: String = prefix
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(7)
        .collect();
    let mut code = String::new();
    let mut invalid = None;
    let mut offers_at: Vec<Vec<Offer>> = Vec::new();
    for c in asked.chars() {
        let offers = pcs.offered(&code);
        if !offers.iter().any(|o| o.ch == c) {
            invalid = Some(InvalidAt {
                code: asked.clone(),
                position: code.len() as u8 + 1,
                ch: c,
                prefix: if code.is_empty() {
                    "the start".to_string()
                } else {
                    code.clone()
                },
                axis: String::new(),
                allowed: offers
                    .iter()
                    .map(|o| Value {
                        ch: o.ch,
                        label: o.label.clone(),
                    })
                    .collect(),
            });
            break;
        }
        offers_at.push(offers);
        code.push(c);
    }
    let typed = code.len();
    // The values that are the only ones left are filled in.
    let mut next = Vec::new();
    while code.len() < 7 {
        next = pcs.offered(&code);
        match next.as_slice() {
            [only] => {
                code.push(only.ch);
                offers_at.push(std::mem::take(&mut next));
            }
            _ => break,
        }
    }
    if code.len() < 7 && next.is_empty() {
        next = pcs.offered(&code);
    }
    // Titles from the table the code names, else the first it leads to.
    let table = pcs
        .table(code.get(..3).unwrap_or(""))
        .or_else(|| pcs.tables().find(|t| pcs.table_key(*t).starts_with(&code)));
    let titles: [String; 7] = match table {
        Some(t) => pcs.axis_titles(t),
        None => TITLES.map(str::to_string),
    };
    // Values still possible after the next position, once a table is named.
    let later: Vec<Vec<Value>> = match pcs.table(code.get(..3).unwrap_or("")) {
        Some(t) if code.len() >= 3 => {
            let rows = table_report(pcs, t, &code).rows;
            (4..=7usize)
                .map(|pos| {
                    let mut vals: Vec<Value> = Vec::new();
                    for r in &rows {
                        for v in &r.axes[pos - 4].1 {
                            if !vals.iter().any(|x| x.ch == v.ch) {
                                vals.push(v.clone());
                            }
                        }
                    }
                    vals.sort_by_key(|v| v.ch);
                    vals
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let steps = (1..=7u8)
        .map(|pos| {
            let i = pos as usize - 1;
            let title = titles[i].clone();
            let (offers, chosen) = if i < code.len() {
                (
                    offers_at.get(i).cloned().unwrap_or_default(),
                    code.as_bytes().get(i).map(|b| *b as char),
                )
            } else if i == code.len() {
                (next.clone(), None)
            } else {
                let vals = later.get(i.wrapping_sub(3)).cloned().unwrap_or_default();
                let offers = vals
                    .into_iter()
                    .map(|v| Offer {
                        ch: v.ch,
                        label: v.label,
                        definition: String::new(),
                        includes: Vec::new(),
                    })
                    .collect();
                (offers, None)
            };
            let only = offers.len() == 1;
            Step {
                pos,
                title,
                offers,
                chosen,
                only,
            }
        })
        .collect();
    let invalid = invalid.map(|mut e| {
        e.axis = titles[e.position as usize - 1].clone();
        e
    });
    Build {
        asked,
        code,
        typed,
        steps,
        invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcs::tests::sample;

    fn pcs() -> Pcs<Vec<u8>> {
        Pcs::open(sample().build().unwrap()).unwrap()
    }

    /// One line per step: `pos title chosen? only? offered-chars`.
    fn check(prefix: &str, expect: expect_test::Expect) {
        let b = build(&pcs(), prefix);
        let mut out = format!(
            "asked {} code {} typed {}{}\n",
            b.asked,
            b.code,
            b.typed,
            b.invalid
                .as_ref()
                .map(|e| format!(" invalid {} at {} ({})", e.ch, e.position, e.axis))
                .unwrap_or_default()
        );
        for s in &b.steps {
            let chars: String = s.offers.iter().map(|o| o.ch).collect();
            out.push_str(&format!(
                "{} {} [{}]{}{}\n",
                s.pos,
                s.title,
                chars,
                s.chosen.map(|c| format!(" chosen {c}")).unwrap_or_default(),
                if s.only { " only" } else { "" }
            ));
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn empty_prefix_fills_the_one_section_and_body_system() {
        check(
            "",
            expect_test::expect![[r#"
                asked  code 0D typed 0
                1 Section [0] chosen 0 only
                2 Body System [D] chosen D only
                3 Operation [BT]
                4 Body Part []
                5 Approach []
                6 Device []
                7 Qualifier []
            "#]],
        );
    }

    #[test]
    fn a_table_shows_what_later_axes_still_allow() {
        check(
            "0DT",
            expect_test::expect![[r#"
                asked 0DT code 0DT typed 3
                1 Section [0] chosen 0 only
                2 Body System [D] chosen D only
                3 Operation [BT] chosen T
                4 Body Part [JN]
                5 Approach [047]
                6 Device [Z] only
                7 Qualifier [Z] only
            "#]],
        );
    }

    #[test]
    fn choosing_the_approach_fills_device_and_qualifier() {
        check(
            "0dtj4",
            expect_test::expect![[r#"
                asked 0DTJ4 code 0DTJ4ZZ typed 5
                1 Section [0] chosen 0 only
                2 Body System [D] chosen D only
                3 Operation [BT] chosen T
                4 Body Part [JN] chosen J
                5 Approach [04] chosen 4
                6 Device [Z] chosen Z only
                7 Qualifier [Z] chosen Z only
            "#]],
        );
    }

    #[test]
    fn a_body_part_narrows_the_approaches() {
        check(
            "0DTN",
            expect_test::expect![[r#"
                asked 0DTN code 0DTN typed 4
                1 Section [0] chosen 0 only
                2 Body System [D] chosen D only
                3 Operation [BT] chosen T
                4 Body Part [JN] chosen N
                5 Approach [07]
                6 Device [Z] only
                7 Qualifier [Z] only
            "#]],
        );
    }

    #[test]
    fn a_character_no_row_allows_is_named_and_the_valid_start_kept() {
        check(
            "0-DTJ3ZZ",
            expect_test::expect![[r#"
                asked 0DTJ3ZZ code 0DTJ typed 4 invalid 3 at 5 (Approach)
                1 Section [0] chosen 0 only
                2 Body System [D] chosen D only
                3 Operation [BT] chosen T
                4 Body Part [JN] chosen J
                5 Approach [04]
                6 Device [Z] only
                7 Qualifier [Z] only
            "#]],
        );
    }

    #[test]
    fn a_complete_code_is_complete() {
        let b = build(&pcs(), "0DBJ4ZX");
        assert!(b.complete(), "{b:?}");
        assert_eq!(b.invalid, None);
        let b = build(&pcs(), "0DBJ4Z");
        assert!(!b.complete());
        assert_eq!(
            b.steps[6].offers.iter().map(|o| o.ch).collect::<String>(),
            "XZ"
        );
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "é0DT",
            "0DTJ4ZZZZ",
            "ÉÉÉ",
            "0d\u{301}t",
            "IIIIIII",
            "       ",
        ] {
            let b = build(&pcs(), s);
            assert!(b.code.len() <= 7 && b.steps.len() == 7, "{s}: {b:?}");
        }
    }
}
