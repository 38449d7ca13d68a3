//! Tabular List conventions between the codes of a record: Excludes1
//! conflicts (resolved through the hierarchy, targets that are codes,
//! categories or ranges), manifestation codes without their etiology or
//! sequenced before it, "use additional code" and "code also" reminders not
//! satisfied by another code, 7th characters missing or not allowed, a
//! missing placeholder `X`, and header codes.
//!
//! Note targets are read from the note text: `E11.22`, `(E08.-)`,
//! `(N18.1-N18.6)`, `(O10-O11)`. A note without a code in it (`code first
//! underlying disease`) cannot be verified and yields at most a reminder.

use super::{Authority, Checker, Finding, Item, Prepared, Severity};
use crate::mce::Table;
use crate::tabular::{NodeId, NodeKind, NoteKind, Tabular};

/// A code reference in a note: a prefix (`E08.-`, `E11.22`) or a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The code and everything below it (canonical, no dot).
    Prefix(String),
    /// Every code from `.0` to `.1`, compared at their lengths.
    Range(String, String),
}

impl Target {
    /// Whether the canonical `code` falls under the target.
    pub fn matches(&self, code: &str) -> bool {
        match self {
            Target::Prefix(p) => code.starts_with(p.as_str()),
            Target::Range(lo, hi) => {
                let at = |n: usize| &code[..code.len().min(n)];
                lo.as_str() <= at(lo.len()) && at(hi.len()) <= hi.as_str()
            }
        }
    }
}

/// Reads the code references of a note's text.
pub fn targets(text: &str) -> Vec<Target> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_uppercase() && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if let (true, Some((code, next))) = (starts, code_at(b, i)) {
            // A range `A-B`, or an incomplete marker `-` / `.-`.
            if b.get(next) == Some(&b'-') {
                if let Some((hi, after)) = code_at(b, next + 1)
                    .filter(|_| b.get(next + 1).is_some_and(|c| c.is_ascii_uppercase()))
                {
                    out.push(Target::Range(code, hi));
                    i = after;
                    continue;
                }
            }
            out.push(Target::Prefix(code));
            i = next;
            continue;
        }
        i += 1;
    }
    out
}

/// An ICD-10-CM code at `i` (letter, digit, letter or digit, then an
/// optional dot and up to four characters); returns it without the dot and
/// where it ends (after a trailing `.` of `E08.-`).
fn code_at(b: &[u8], i: usize) -> Option<(String, usize)> {
    let c = |k: usize| b.get(i + k).copied();
    if !(c(0)?.is_ascii_uppercase() && c(1)?.is_ascii_digit() && c(2)?.is_ascii_alphanumeric()) {
        return None;
    }
    let mut code = String::from_utf8_lossy(&b[i..i + 3]).into_owned();
    let mut j = i + 3;
    if b.get(j).is_some_and(|x| x.is_ascii_alphanumeric()) {
        return None; // a word, not a code
    }
    if b.get(j) == Some(&b'.') {
        let mut k = j + 1;
        while k < b.len() && k < j + 5 && (b[k].is_ascii_uppercase() || b[k].is_ascii_digit()) {
            k += 1;
        }
        if k > j + 1 {
            code.push_str(&String::from_utf8_lossy(&b[j + 1..k]));
            j = k;
        } else if b.get(j + 1) == Some(&b'-') {
            j += 1; // `E08.-`: the dash follows
        }
    }
    Some((code, j))
}

fn note_authority<D: AsRef<[u8]>>(
    t: &Tabular<D>,
    kind: NoteKind,
    text: &str,
    from: NodeId,
) -> Authority {
    Authority::TabularNote {
        note: kind.label(),
        text: text.to_string(),
        at: t.display_key(from),
    }
}

/// Whether `code` lies under the node `from` (a code node or a block).
fn under<D: AsRef<[u8]>>(t: &Tabular<D>, from: NodeId, code: &str) -> bool {
    match t.kind(from) {
        NodeKind::Chapter => true,
        NodeKind::Block => {
            let key = t.key(from);
            match key.split_once('-') {
                Some((lo, hi)) => Target::Range(lo.into(), hi.into()).matches(code),
                None => code.starts_with(key.as_ref()),
            }
        }
        _ => code.starts_with(t.key(from).as_ref()),
    }
}

/// Runs every convention check.
pub(crate) fn check<D: AsRef<[u8]>>(c: &Checker<'_, D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let t = &c.lib.tabular;
    let nodes: Vec<(&Item, Option<NodeId>)> =
        p.dx.iter()
            .map(|d| (d, d.dx.and_then(|code| t.find(&code))))
            .collect();
    for (i, (d, node)) in nodes.iter().enumerate() {
        match node {
            Some(id) => structure(c, d, *id, out),
            None => unknown(c, d, out),
        }
        let Some(id) = *node else { continue };
        let others: Vec<(usize, &Item)> = nodes
            .iter()
            .enumerate()
            .filter(|(j, (o, n))| *j != i && n.is_some() && o.code != d.code)
            .map(|(j, (o, _))| (j, *o))
            .collect();
        notes(c, p, i, d, id, &others, out);
    }
}

/// 7th characters and header codes of a code found in the tabular.
fn structure<D: AsRef<[u8]>>(c: &Checker<'_, D>, d: &Item, id: NodeId, out: &mut Vec<Finding>) {
    let t = &c.lib.tabular;
    if t.needs_seventh(id) {
        let options = t.seventh_options(id);
        let src = t.seventh_source(id).unwrap_or(id);
        out.push(Finding {
            rule_id: "tabular.seventh_missing",
            severity: Severity::Error,
            message: format!("{} needs a 7th character", d.display),
            codes: vec![d.display.clone()],
            fields: vec![d.field.clone()],
            authority: seventh_authority(t, src),
            fix: Some(format!(
                "Choose one of: {}",
                options
                    .iter()
                    .map(|o| format!("{} ({})", o.code, o.meaning))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        });
    } else if !t.billable(id) {
        let kids = t.billable_descendants(id);
        out.push(Finding {
            rule_id: "tabular.header_code",
            severity: Severity::Error,
            message: format!(
                "{} is a {} (header), not a billable code; {} billable codes lie below it",
                d.display,
                match t.kind(id) {
                    NodeKind::Category => "category",
                    _ => "subcategory",
                },
                kids.len()
            ),
            codes: vec![d.display.clone()],
            fields: vec![d.field.clone()],
            authority: Authority::Guideline {
                section: "I.B.2",
                title: "Level of Detail in Coding",
            },
            fix: Some(format!(
                "Report the most specific code: {}{}",
                kids.iter()
                    .take(8)
                    .map(|k| format!("{} {}", t.display_key(*k), t.title(*k)))
                    .collect::<Vec<_>>()
                    .join("; "),
                if kids.len() > 8 { "; ..." } else { "" }
            )),
        });
    }
}

fn seventh_authority<D: AsRef<[u8]>>(t: &Tabular<D>, src: NodeId) -> Authority {
    Authority::TabularNote {
        note: NoteKind::SevenChrNote.label(),
        text: t
            .seventh_definitions(src)
            .iter()
            .map(|(ch, m)| format!("{ch} {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        at: t.display_key(src),
    }
}

/// A well-formed code that is not a tabular node: a 7th character that is
/// not allowed, a missing placeholder `X`, or no such code.
fn unknown<D: AsRef<[u8]>>(c: &Checker<'_, D>, d: &Item, out: &mut Vec<Finding>) {
    let t = &c.lib.tabular;
    let Some(code) = d.dx else { return };
    let s = code.as_str();
    // The node that would take the last character as its 7th: the code
    // without its last character, with placeholders added where they are
    // missing (`T36.01A` -> `T36.0X1`) and trailing ones removed.
    let (body, last) = s.split_at(s.len() - 1);
    let find = |key: &str| {
        let key = key.trim_end_matches('X');
        (key.len() >= 3)
            .then(|| key.parse().ok().and_then(|b| t.find(&b)))
            .flatten()
            .filter(|b| t.needs_seventh(*b))
    };
    let base = find(body).or_else(|| {
        (body.len() < 6)
            .then(|| {
                (3..=body.len()).find_map(|k| {
                    find(&format!(
                        "{}{}{}",
                        &body[..k],
                        "X".repeat(6 - body.len()),
                        &body[k..]
                    ))
                })
            })
            .flatten()
    });
    if let Some(base) = base {
        let ch = last.chars().next().unwrap_or(' ');
        match t.with_seventh(base, ch) {
            Ok(right) if s.len() < 7 || right.as_str() != s => out.push(Finding {
                rule_id: "tabular.placeholder_missing",
                severity: Severity::Error,
                message: format!(
                    "{} lacks the placeholder X: a 7th character must be the 7th character of the code",
                    d.display
                ),
                codes: vec![d.display.clone()],
                fields: vec![d.field.clone()],
                authority: Authority::Guideline {
                    section: "I.A.4",
                    title: "Placeholder character",
                },
                fix: Some(format!("Report {right}")),
            }),
            Ok(_) => {}
            Err(e) => out.push(Finding {
                rule_id: "tabular.seventh_not_allowed",
                severity: Severity::Error,
                message: format!("{}: {e}", d.display),
                codes: vec![d.display.clone()],
                fields: vec![d.field.clone()],
                authority: seventh_authority(t, t.seventh_source(base).unwrap_or(base)),
                fix: Some(format!(
                    "Choose one of: {}",
                    t.seventh_options(base)
                        .iter()
                        .map(|o| o.code.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }),
        }
        return;
    }
    // A character after a complete code (a 7th character on a code that takes none).
    if let Some(parent) = code.parent().and_then(|p| t.find(&p)) {
        if t.billable(parent) {
            let seventh = s.len() == 7;
            out.push(Finding {
                rule_id: if seventh {
                    "tabular.seventh_not_allowed"
                } else {
                    "tabular.extra_character"
                },
                severity: Severity::Error,
                message: format!(
                    "{} is not a code: {} is complete and takes no further character",
                    d.display,
                    t.display_key(parent)
                ),
                codes: vec![d.display.clone()],
                fields: vec![d.field.clone()],
                authority: Authority::Guideline {
                    section: if seventh { "I.A.5" } else { "I.B.2" },
                    title: if seventh {
                        "7th Characters"
                    } else {
                        "Level of Detail in Coding"
                    },
                },
                fix: Some(format!("Report {}", t.display_key(parent))),
            });
            return;
        }
    }
    // Retired or future codes are reported by the date check.
    if !c.lib.mce.periods(Table::Dx, s).is_empty() {
        return;
    }
    let mut nearest = code.parent();
    while let Some(n) = nearest {
        if t.find(&n).is_some() {
            break;
        }
        nearest = n.parent();
    }
    out.push(Finding {
        rule_id: "tabular.unknown_code",
        severity: Severity::Error,
        message: format!(
            "{} is not an ICD-10-CM code{}",
            d.display,
            nearest.map_or(String::new(), |n| format!(
                "; the nearest existing code is {n} {}",
                t.find(&n)
                    .map(|id| t.title(id).into_owned())
                    .unwrap_or_default()
            ))
        ),
        codes: vec![d.display.clone()],
        fields: vec![d.field.clone()],
        authority: Authority::Guideline {
            section: "I.A.1",
            title: "Conventions: format and structure of the classification",
        },
        fix: nearest.map(|n| format!("Look up {n} and choose a code below it")),
    });
}

/// Notes between the codes: Excludes1, code first (manifestations), use
/// additional code and code also.
fn notes<D: AsRef<[u8]>>(
    c: &Checker<'_, D>,
    p: &Prepared<'_>,
    i: usize,
    d: &Item,
    id: NodeId,
    others: &[(usize, &Item)],
    out: &mut Vec<Finding>,
) {
    let t = &c.lib.tabular;
    let mut code_first: Vec<(&str, NodeId)> = Vec::new();
    let mut reminders: Vec<(NoteKind, NodeId, Vec<&str>)> = Vec::new();
    for note in t.notes(id) {
        match note.kind {
            NoteKind::Excludes1 if !others.is_empty() => {
                let targets = targets(note.text);
                for (j, o) in others {
                    // Report a pair once per note, from the earlier code's side
                    // when both notes say the same.
                    if targets.iter().any(|x| x.matches(&o.code)) && !under(t, note.from, &o.code) {
                        out.push(Finding {
                            rule_id: "tabular.excludes1",
                            severity: Severity::Error,
                            message: format!(
                                "{} and {} may not be reported together: Excludes1 at {}: {}",
                                d.display,
                                o.display,
                                t.display_key(note.from),
                                note.text
                            ),
                            codes: vec![d.display.clone(), o.display.clone()],
                            fields: ordered(&d.field, &o.field, i < *j),
                            authority: note_authority(t, note.kind, note.text, note.from),
                            fix: Some(
                                "Keep the code the documentation supports; both only if the conditions are unrelated (Guideline I.A.12.a exception)"
                                    .into(),
                            ),
                        });
                    }
                }
            }
            NoteKind::CodeFirst => {
                code_first.push((note.text, note.from));
            }
            NoteKind::UseAdditionalCode | NoteKind::CodeAlso => {
                // The items of one note heading at one node form one reminder.
                match reminders.last_mut() {
                    Some((k, f, texts)) if *k == note.kind && *f == note.from => {
                        texts.push(note.text)
                    }
                    _ => reminders.push((note.kind, note.from, vec![note.text])),
                }
            }
            _ => {}
        }
    }
    for (kind, from, texts) in reminders {
        let targets: Vec<Target> = texts.iter().flat_map(|x| targets(x)).collect();
        if targets.is_empty()
            || others
                .iter()
                .any(|(_, o)| targets.iter().any(|x| x.matches(&o.code)))
        {
            continue;
        }
        let text = texts.join("; ");
        out.push(Finding {
            rule_id: if kind == NoteKind::CodeAlso {
                "tabular.code_also"
            } else {
                "tabular.use_additional_code"
            },
            severity: Severity::Info,
            message: format!(
                "{}: {} at {}: {} (none of these is on the record)",
                d.display,
                kind.label(),
                t.display_key(from),
                text
            ),
            codes: vec![d.display.clone()],
            fields: vec![d.field.clone()],
            authority: note_authority(t, kind, &text, from),
            fix: Some("Add the code the documentation supports, if any".into()),
        });
    }
    // Only a manifestation's code-first note asks for its etiology.
    if !code_first.is_empty() && is_manifestation(c, p, d, id) {
        etiology(c, i, d, &code_first, others, out);
    }
}

fn ordered(a: &str, b: &str, a_first: bool) -> Vec<String> {
    if a_first {
        vec![a.to_string(), b.to_string()]
    } else {
        vec![b.to_string(), a.to_string()]
    }
}

/// A manifestation code: MCE `manifestation` flag on the date, or a title
/// "in diseases classified elsewhere".
fn is_manifestation<D: AsRef<[u8]>>(
    c: &Checker<'_, D>,
    p: &Prepared<'_>,
    d: &Item,
    id: NodeId,
) -> bool {
    let flagged = c.manifestation_bit != 0
        && p.code_date().is_some_and(|date| {
            c.lib
                .mce
                .period_on(Table::Dx, &d.code, date)
                .is_some_and(|x| x.flags & c.manifestation_bit != 0)
        });
    flagged
        || c.lib
            .tabular
            .title(id)
            .contains("in diseases classified elsewhere")
}

fn etiology<D: AsRef<[u8]>>(
    c: &Checker<'_, D>,
    i: usize,
    d: &Item,
    code_first: &[(&str, NodeId)],
    others: &[(usize, &Item)],
    out: &mut Vec<Finding>,
) {
    let t = &c.lib.tabular;
    let parsed: Vec<(Vec<Target>, &str, NodeId)> = code_first
        .iter()
        .map(|(text, from)| (targets(text), *text, *from))
        .collect();
    let Some((targets, text, from)) = parsed
        .iter()
        .find(|(x, _, _)| !x.is_empty())
        .or(parsed.first())
    else {
        return;
    };
    let authority = note_authority(t, NoteKind::CodeFirst, text, *from);
    let etiologies: Vec<&(usize, &Item)> = others
        .iter()
        .filter(|(_, o)| targets.iter().any(|x| x.matches(&o.code)))
        .collect();
    if targets.is_empty() {
        out.push(Finding {
            rule_id: "tabular.manifestation_etiology_reminder",
            severity: Severity::Info,
            message: format!("{} is a manifestation code: code first {}", d.display, text),
            codes: vec![d.display.clone()],
            fields: vec![d.field.clone()],
            authority,
            fix: Some("Report the underlying condition before the manifestation".into()),
        });
    } else if etiologies.is_empty() {
        let examples = text.to_ascii_lowercase().contains("such as");
        out.push(Finding {
            rule_id: "tabular.manifestation_without_etiology",
            severity: if examples { Severity::Warning } else { Severity::Error },
            message: format!(
                "{} is a manifestation code but no etiology it names is on the record: code first {}",
                d.display, text
            ),
            codes: vec![d.display.clone()],
            fields: vec![d.field.clone()],
            authority,
            fix: Some("Add the underlying condition, sequenced before the manifestation".into()),
        });
    } else if etiologies.iter().all(|(j, _)| *j > i) {
        let (_, e) = etiologies[0];
        out.push(Finding {
            rule_id: "tabular.manifestation_before_etiology",
            severity: Severity::Error,
            message: format!(
                "manifestation {} is sequenced before its etiology {}",
                d.display, e.display
            ),
            codes: vec![d.display.clone(), e.display.clone()],
            fields: vec![d.field.clone(), e.field.clone()],
            authority,
            fix: Some(format!("Sequence {} before {}", e.display, d.display)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let got: Vec<String> = targets(text)
            .iter()
            .map(|t| match t {
                Target::Prefix(p) => p.clone(),
                Target::Range(a, b) => format!("{a}..{b}"),
            })
            .collect();
        expect.assert_eq(&got.join(" "));
    }

    #[test]
    fn reads_note_targets() {
        check(
            "diabetes mellitus due to underlying condition (E08.-)",
            expect!["E08"],
        );
        check(
            "hypertensive chronic kidney disease (I12.-, I13.-)",
            expect!["I12 I13"],
        );
        check(
            "chronic kidney disease (CKD) (N18.1-N18.6)",
            expect!["N181..N186"],
        );
        check("complicating pregnancy (O10-O11)", expect!["O10..O11"]);
        check("with diabetic nephropathy E11.21", expect!["E1121"]);
        check("HbA1c level, and COVID-19 (U07.1)", expect!["U071"]);
        check(
            "Use additional code to identify stage (N18.1-N18.6, N18.9)",
            expect!["N181..N186 N189"],
        );
        check("no code here", expect![""]);
    }

    #[test]
    fn ranges_compare_at_their_length() {
        let r = Target::Range("N181".into(), "N186".into());
        assert!(r.matches("N184") && !r.matches("N189") && !r.matches("N18"));
        let r = Target::Range("O10".into(), "O11".into());
        assert!(r.matches("O1091") && r.matches("O115") && !r.matches("O12"));
    }
}
