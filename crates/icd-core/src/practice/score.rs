//! Scoring answers: [`score`] reads only the item (exact, set-based,
//! partial credit), [`grade`] adds the library's reason for an answer no
//! distractor foresaw ([`why_wrong`]).

use serde::Serialize;

use super::{Item, Scoring};
use crate::code::Code;
use crate::date::Date;
use crate::lookup::Library;
use crate::mce::Table;
use crate::tabular::NodeKind;

/// The score of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Points earned.
    pub earned: u32,
    /// Points possible.
    pub possible: u32,
    /// Full marks.
    pub correct: bool,
    /// One line per part of the answer that is wrong or missing.
    pub feedback: Vec<String>,
}

/// A code compared in its canonical form (`e11.9` is `E119`), anything else
/// (yes/no) in lower case.
fn norm(s: &str) -> String {
    match s.parse::<Code>() {
        Ok(c) => c.as_str().to_string(),
        Err(_) => s.trim().to_ascii_lowercase(),
    }
}

/// The item's own reason for a wrong answer, if it foresaw it.
fn stated<'a>(item: &'a Item, given: &str) -> Option<&'a str> {
    let g = norm(given);
    item.wrong
        .iter()
        .find(|w| norm(&w.answer) == g)
        .map(|w| w.why.as_str())
}

/// Scores `response` (the codes or yes/no given, principal first for a
/// case) against the item. Blank entries are ignored; a code given twice
/// counts once.
pub fn score(item: &Item, response: &[String]) -> Score {
    score_with(item, response, &|given| {
        format!("{given} is not an accepted answer")
    })
}

/// [`score`], with the library explaining answers the item did not foresee.
pub fn grade<D: AsRef<[u8]>>(lib: &Library<D>, item: &Item, response: &[String]) -> Score {
    let date = super::release_date(lib);
    let expected = item.answers.first().and_then(|a| a.parse::<Code>().ok());
    score_with(item, response, &|given| {
        why_wrong(lib, given, expected.as_ref(), date)
    })
}

fn score_with(item: &Item, response: &[String], why: &dyn Fn(&str) -> String) -> Score {
    let mut given: Vec<&str> = Vec::new();
    for r in response.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        if !given.iter().any(|g| norm(g) == norm(r)) {
            given.push(r);
        }
    }
    let accepted: Vec<String> = item.answers.iter().map(|a| norm(a)).collect();
    let reason = |g: &str| {
        stated(item, g)
            .map(str::to_string)
            .unwrap_or_else(|| why(g))
    };
    let mut feedback = Vec::new();
    let (earned, possible) = match item.scoring {
        Scoring::One => {
            let ok = given.len() == 1 && accepted.contains(&norm(given[0]));
            if !ok {
                match given.as_slice() {
                    [] => feedback.push(format!("no answer: {}", item.answers.join(" or "))),
                    [g] => feedback.push(reason(g)),
                    _ => feedback.push(format!(
                        "one answer is asked for, {} were given",
                        given.len()
                    )),
                }
            }
            (u32::from(ok), 1)
        }
        Scoring::PrincipalAndSecondaries => {
            let Some((principal, secondaries)) = accepted.split_first() else {
                return Score {
                    earned: 0,
                    possible: 0,
                    correct: false,
                    feedback: vec!["the item has no answer".into()],
                };
            };
            let mut earned = 0u32;
            match given.first() {
                Some(g) if norm(g) == *principal => earned += 1,
                Some(g) if secondaries.contains(&norm(g)) => {
                    feedback.push(stated(item, g).map(str::to_string).unwrap_or_else(|| {
                        format!(
                            "{g} is a secondary diagnosis here; the principal diagnosis is {}",
                            item.answers[0]
                        )
                    }))
                }
                Some(g) => feedback.push(format!(
                    "principal diagnosis {g}: {}; it is {}",
                    reason(g),
                    item.answers[0]
                )),
                None => feedback.push(format!("no principal diagnosis: it is {}", item.answers[0])),
            }
            // The principal given among the secondaries has already cost
            // the principal's point: it is not also an extra secondary.
            let rest: Vec<&str> = given
                .iter()
                .skip(1)
                .copied()
                .filter(|g| norm(g) != *principal)
                .collect();
            let set = set_points(
                &item.answers[1..],
                secondaries,
                &rest,
                &reason,
                &mut feedback,
            );
            (earned + set, 1 + secondaries.len() as u32)
        }
        Scoring::Set => {
            let set = set_points(&item.answers, &accepted, &given, &reason, &mut feedback);
            (set, accepted.len() as u32)
        }
    };
    Score {
        earned,
        possible,
        correct: earned == possible && feedback.is_empty(),
        feedback,
    }
}

/// A point for each expected code given, a point off for each extra one,
/// never below zero.
fn set_points(
    shown: &[String],
    expected: &[String],
    given: &[&str],
    reason: &dyn Fn(&str) -> String,
    feedback: &mut Vec<String>,
) -> u32 {
    let mut hits = 0u32;
    let mut extra = 0u32;
    for g in given {
        if expected.contains(&norm(g)) {
            hits += 1;
        } else {
            extra += 1;
            feedback.push(reason(g));
        }
    }
    for (e, s) in expected.iter().zip(shown) {
        if !given.iter().any(|g| norm(g) == *e) {
            feedback.push(format!("{s} is missing"));
        }
    }
    hits.saturating_sub(extra)
}

/// Why `given` is not the code wanted, read from the library: not a code,
/// not in ICD-10-CM, a category or subcategory that needs more characters,
/// a code that needs its 7th character, not valid on the date, or another
/// condition than `expected`.
pub fn why_wrong<D: AsRef<[u8]>>(
    lib: &Library<D>,
    given: &str,
    expected: Option<&Code>,
    date: Date,
) -> String {
    let t = &lib.tabular;
    let code: Code = match given.parse() {
        Ok(c) => c,
        Err(e) => return format!("'{}' is not a code: {e}", given.trim()),
    };
    let Some(id) = t.find(&code) else {
        return format!("{code} is not an ICD-10-CM code");
    };
    if t.needs_seventh(id) {
        let options = t.seventh_options(id);
        let want = expected
            .and_then(|e| options.iter().find(|o| o.code == *e))
            .or(options.first());
        return match want {
            Some(o) => format!(
                "{code} needs a 7th character: {} for the {}",
                o.ch,
                o.meaning.to_lowercase()
            ),
            None => format!("{code} needs a 7th character"),
        };
    }
    if !t.billable(id) {
        let what = match t.kind(id) {
            NodeKind::Category => "a category",
            _ => "a subcategory",
        };
        return format!("{code} is {what}: it needs more characters");
    }
    if lib.mce.period_on(Table::Dx, code.as_str(), date).is_none() {
        return format!("{code} is not valid on {date}");
    }
    match expected.and_then(|e| t.find(e).map(|n| (e, n))) {
        Some((e, n)) if *e != code => format!(
            "{code} is {}; the answer is {e} {}",
            t.title(id),
            t.title(n)
        ),
        _ => format!("{code} is not an accepted answer"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Wrong};
    use super::*;
    use expect_test::{expect, Expect};

    fn item(scoring: Scoring, answers: &[&str], wrong: &[(&str, &str)]) -> Item {
        Item {
            kind: Kind::Case,
            chapter: None,
            prompt: String::new(),
            choices: Vec::new(),
            answers: answers.iter().map(|s| s.to_string()).collect(),
            scoring,
            explanation: String::new(),
            wrong: wrong
                .iter()
                .map(|(a, w)| Wrong {
                    answer: a.to_string(),
                    why: w.to_string(),
                })
                .collect(),
            source: String::new(),
        }
    }

    fn check(item: &Item, response: &[&str], expect: Expect) {
        let r: Vec<String> = response.iter().map(|s| s.to_string()).collect();
        let s = score(item, &r);
        let mut out = format!(
            "{}/{}{}",
            s.earned,
            s.possible,
            if s.correct { " correct" } else { "" }
        );
        for f in &s.feedback {
            out.push_str(&format!("\n{f}"));
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn one_answer_exact_with_stated_reasons() {
        let it = item(
            Scoring::One,
            &["E11.9"],
            &[("E11", "E11 is a category: it needs more characters")],
        );
        check(&it, &["E11.9"], expect!["1/1 correct"]);
        // The dot and the case do not matter.
        check(&it, &["e119"], expect!["1/1 correct"]);
        check(
            &it,
            &["E11"],
            expect![[r#"
            0/1
            E11 is a category: it needs more characters"#]],
        );
        check(
            &it,
            &["E10.9"],
            expect![[r#"
            0/1
            E10.9 is not an accepted answer"#]],
        );
        check(
            &it,
            &[],
            expect![[r#"
            0/1
            no answer: E11.9"#]],
        );
        check(
            &it,
            &["E11.9", "E10.9"],
            expect![[r#"
            0/1
            one answer is asked for, 2 were given"#]],
        );
    }

    #[test]
    fn yes_no_ignores_case() {
        let it = item(Scoring::One, &["no"], &[("yes", "Excludes1 at E11")]);
        check(&it, &["No"], expect!["1/1 correct"]);
        check(
            &it,
            &["YES"],
            expect![[r#"
            0/1
            Excludes1 at E11"#]],
        );
    }

    #[test]
    fn case_principal_exact_and_secondaries_as_a_set() {
        let it = item(
            Scoring::PrincipalAndSecondaries,
            &["E11.22", "N18.3", "I10"],
            &[],
        );
        check(&it, &["E11.22", "I10", "N18.3"], expect!["3/3 correct"]);
        // Secondaries in any order, one missing: partial credit.
        check(
            &it,
            &["E11.22", "I10"],
            expect![[r#"
            2/3
            N18.3 is missing"#]],
        );
        // Principal and a secondary swapped: the principal point is lost
        // once; the secondary given as principal is missing.
        check(
            &it,
            &["N18.3", "E11.22", "I10"],
            expect![[r#"
            1/3
            N18.3 is a secondary diagnosis here; the principal diagnosis is E11.22
            N18.3 is missing"#]],
        );
        // An extra code costs a point of the set.
        check(
            &it,
            &["E11.22", "N18.3", "I10", "Z79.4"],
            expect![[r#"
            2/3
            Z79.4 is not an accepted answer"#]],
        );
        // A code given twice counts once.
        check(
            &it,
            &["E11.22", "I10", "I10"],
            expect![[r#"
            2/3
            N18.3 is missing"#]],
        );
        check(
            &it,
            &[],
            expect![[r#"
            0/3
            no principal diagnosis: it is E11.22
            N18.3 is missing
            I10 is missing"#]],
        );
    }

    #[test]
    fn set_scoring_never_goes_below_zero() {
        let it = item(
            Scoring::Set,
            &["E11", "S52.521"],
            &[("I10", "I10 is correct here")],
        );
        check(&it, &["S52.521", "E11"], expect!["2/2 correct"]);
        check(
            &it,
            &["E11", "I10"],
            expect![[r#"
            0/2
            I10 is correct here
            S52.521 is missing"#]],
        );
        check(
            &it,
            &["I10", "J44.9", "K21.9"],
            expect![[r#"
            0/2
            I10 is correct here
            J44.9 is not an accepted answer
            K21.9 is not an accepted answer
            E11 is missing
            S52.521 is missing"#]],
        );
    }
}
