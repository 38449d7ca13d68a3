//! Instructor cases: a CSV or JSON file of prompts with their accepted
//! codes and a rationale, checked against the release and turned into
//! case items. Every accepted code goes through the library's lookup on the
//! release date: a code that is not a code, not in the release, not
//! billable or not valid on that date is reported with its line, and the
//! case is left out of the set; nothing is dropped silently.
//!
//! CSV: a header row naming the columns `prompt`, `codes` (also `accepted`
//! or `answers`) and `rationale` (also `explanation`), any order; codes are
//! separated by spaces, `;` or `|`, the principal first. JSON: an array of
//! objects, or one object per line, with the same fields (`codes` a list
//! or a string).
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! use icd_core::practice::import_cases;
//! let checked = import_cases(&lib(), "prompt,codes,rationale\nType 2 diabetes with CKD 3a,E11.22 N18.31,Use additional code\n");
//! for p in &checked.problems { eprintln!("line {}: {}", p.line, p.message); }
//! ```

use serde::{Deserialize, Serialize};

use super::{chapter_of, release_date, Item, Kind, Scoring};
use crate::code::Code;
use crate::lookup::Library;

/// One problem in an imported file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseProblem {
    /// The line of the file the case starts on (1 is the first).
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The cases that passed, as items, and every problem found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCases {
    /// The cases whose every code is valid and billable on the release date.
    pub items: Vec<Item>,
    /// Every problem, in file order.
    pub problems: Vec<CaseProblem>,
    /// Cases read (passed or not).
    pub read: usize,
}

/// A case as written in the file.
struct Row {
    line: usize,
    prompt: String,
    codes: Vec<String>,
    rationale: String,
}

fn split_codes(s: &str) -> Vec<String> {
    s.split(|c: char| c == ';' || c == '|' || c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

fn column(header: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str()))
}

fn read_csv(text: &str, problems: &mut Vec<CaseProblem>) -> Vec<Result<Row, CaseProblem>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(CaseProblem {
                line: 1,
                message: format!("the header row cannot be read: {e}"),
            });
            return Vec::new();
        }
    };
    let prompt = column(&header, &["prompt"]);
    let codes = column(&header, &["codes", "accepted", "answers", "accepted codes"]);
    let rationale = column(&header, &["rationale", "explanation"]);
    let (Some(prompt), Some(codes)) = (prompt, codes) else {
        problems.push(CaseProblem {
            line: 1,
            message: format!(
                "the header row must name the columns prompt, codes and rationale (it has: {})",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        });
        return Vec::new();
    };
    let mut rows = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                if r.iter().all(|f| f.is_empty()) {
                    continue;
                }
                // By byte offset, past the blank lines the reader skipped
                // on its way to the record (its own line count omits them).
                let line = r
                    .position()
                    .map(|p| {
                        let at = p.byte() as usize;
                        let blank = text.as_bytes()[at.min(text.len())..]
                            .iter()
                            .take_while(|b| matches!(b, b'\r' | b'\n'))
                            .count();
                        line_of(text, at + blank)
                    })
                    .unwrap_or(0);
                rows.push(Ok(Row {
                    line,
                    prompt: r.get(prompt).unwrap_or_default().to_string(),
                    codes: split_codes(r.get(codes).unwrap_or_default()),
                    rationale: rationale
                        .and_then(|i| r.get(i))
                        .unwrap_or_default()
                        .to_string(),
                }));
            }
            Err(e) => rows.push(Err(CaseProblem {
                line: e
                    .position()
                    .map(|p| line_of(text, p.byte() as usize))
                    .unwrap_or(0),
                message: format!("the row cannot be read: {e}"),
            })),
        }
    }
    rows
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Codes {
    List(Vec<String>),
    Text(String),
}

#[derive(Deserialize)]
struct JsonCase {
    prompt: String,
    #[serde(alias = "accepted", alias = "answers")]
    codes: Codes,
    #[serde(default, alias = "explanation")]
    rationale: String,
}

fn json_row(text: &str, at: usize, v: serde_json::Value) -> Result<Row, CaseProblem> {
    let line = line_of(text, at);
    let c: JsonCase = serde_json::from_value(v).map_err(|e| CaseProblem {
        line,
        message: format!(
            "the case needs \"prompt\", \"codes\" (a list or a string) and \"rationale\": {e}"
        ),
    })?;
    Ok(Row {
        line,
        prompt: c.prompt,
        codes: match c.codes {
            Codes::List(l) => l.iter().flat_map(|s| split_codes(s)).collect(),
            Codes::Text(s) => split_codes(&s),
        },
        rationale: c.rationale,
    })
}

/// An array of objects, or objects one after another (JSON Lines).
fn read_json(text: &str, problems: &mut Vec<CaseProblem>) -> Vec<Result<Row, CaseProblem>> {
    let mut rows = Vec::new();
    let start = text.len() - text.trim_start().len();
    let mut push = |at: usize, v: serde_json::Value, _: &mut Vec<CaseProblem>| {
        rows.push(json_row(text, at, v))
    };
    if text[start..].starts_with('[') {
        // Element by element, so that each case knows its line.
        let mut pos = start + 1;
        loop {
            let rest = &text[pos..];
            let skip = rest.len() - rest.trim_start().len();
            pos += skip;
            if text[pos..].starts_with(']') || pos >= text.len() {
                break;
            }
            let mut stream =
                serde_json::Deserializer::from_str(&text[pos..]).into_iter::<serde_json::Value>();
            match stream.next() {
                Some(Ok(v)) => {
                    let used = stream.byte_offset();
                    push(pos, v, problems);
                    pos += used;
                }
                Some(Err(e)) => {
                    problems.push(CaseProblem {
                        line: line_of(text, pos) + e.line().saturating_sub(1),
                        message: format!("not valid JSON: {e}"),
                    });
                    return rows;
                }
                None => break,
            }
            let rest = &text[pos..];
            pos += rest.len() - rest.trim_start().len();
            if text[pos..].starts_with(',') {
                pos += 1;
            }
        }
        return rows;
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    loop {
        let rest = &text[stream.byte_offset()..];
        let at = stream.byte_offset() + (rest.len() - rest.trim_start().len());
        match stream.next() {
            Some(Ok(v)) => push(at, v, problems),
            Some(Err(e)) => {
                problems.push(CaseProblem {
                    line: e.line(),
                    message: format!("not valid JSON: {e}"),
                });
                break;
            }
            None => break,
        }
    }
    rows
}

/// Checks the cases of a CSV or JSON file against the release and makes
/// each case whose codes all pass into a case item (the principal exact,
/// the secondaries as a set, as [`Scoring::PrincipalAndSecondaries`]).
pub fn import_cases<D: AsRef<[u8]>>(lib: &Library<D>, text: &str) -> ImportedCases {
    let mut out = ImportedCases::default();
    let t = text.trim_start_matches('\u{feff}');
    let rows = if t.trim_start().starts_with(['[', '{']) {
        read_json(t, &mut out.problems)
    } else {
        read_csv(t, &mut out.problems)
    };
    let date = release_date(lib);
    for row in rows {
        out.read += 1;
        let row = match row {
            Ok(r) => r,
            Err(p) => {
                out.problems.push(p);
                continue;
            }
        };
        let before = out.problems.len();
        let mut problem = |message: String| {
            out.problems.push(CaseProblem {
                line: row.line,
                message,
            })
        };
        if row.prompt.trim().is_empty() {
            problem("the prompt is empty: write the scenario the student codes".into());
        }
        if row.codes.is_empty() {
            problem(
                "no accepted codes: list the principal diagnosis first, then the secondaries"
                    .into(),
            );
        }
        let mut codes: Vec<Code> = Vec::new();
        for given in &row.codes {
            let code: Code = match given.parse() {
                Ok(c) => c,
                Err(e) => {
                    problem(format!("'{given}' is not a code: {e}"));
                    continue;
                }
            };
            match lib.lookup(&code, Some(date)) {
                Err(e) => problem(format!("{e}")),
                Ok(report) if !report.billable => problem(format!(
                    "{code} is not billable: {}",
                    super::why_wrong(lib, given, None, date)
                )),
                Ok(report) => match report.validity.map(|v| (v.valid, v.reason)) {
                    Some((true, _)) => {}
                    Some((false, reason)) => {
                        problem(format!("{code} is not valid on {date}: {reason}"))
                    }
                    None => problem(format!("{code} cannot be checked on {date}")),
                },
            }
            if codes.contains(&code) {
                problem(format!("{code} is listed twice"));
            }
            codes.push(code);
        }
        if out.problems.len() > before {
            continue;
        }
        let answers: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        let explanation = if row.rationale.trim().is_empty() {
            format!("The instructor's answer: {}.", answers.join(", "))
        } else {
            row.rationale.trim().to_string()
        };
        out.items.push(Item {
            kind: Kind::Case,
            chapter: chapter_of(lib, &codes[0]),
            prompt: row.prompt.trim().to_string(),
            choices: Vec::new(),
            scoring: if answers.len() > 1 {
                Scoring::PrincipalAndSecondaries
            } else {
                Scoring::One
            },
            answers,
            explanation,
            wrong: Vec::new(),
            source: format!(
                "Instructor case, line {}; codes checked against Tabular List {} on {date}",
                row.line,
                lib.tabular.release()
            ),
        });
    }
    out.problems.sort_by_key(|p| p.line);
    out
}
