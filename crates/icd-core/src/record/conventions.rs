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
//!
//! The notes of a node are read (UTF-8, targets) once, the first time a
//! record carries a code under it, and kept in the [`Checker`]'s
//! note cache: checking a record then only compares its codes with
//! compiled target lists.

use std::sync::OnceLock;

use super::{Authority, Checker, Finding, Item, Prepared, Severity};
use crate::lookup::Library;
use crate::mce::{Period, Table};
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

/// A code packed into a `u64`, big-endian and padded with zero bytes, and
/// the mask of its length: comparing packed codes compares the strings
/// (codes hold no zero byte), with no UTF-8 or length work per comparison.
fn pack(s: &str) -> Option<(u64, u64)> {
    let b = s.as_bytes();
    if b.len() > 8 || b.contains(&0) {
        return None;
    }
    let mut buf = [0u8; 8];
    buf[..b.len()].copy_from_slice(b);
    let mask = if b.is_empty() {
        0
    } else {
        !0u64 << (8 * (8 - b.len()))
    };
    Some((u64::from_be_bytes(buf), mask))
}

/// A [`Target`] packed for fast matching against a packed code.
#[derive(Debug, Clone, Copy)]
struct Packed {
    lo: u64,
    lo_mask: u64,
    /// For a prefix: equal to `lo`.
    hi: u64,
    hi_mask: u64,
}

impl Packed {
    fn new(t: &Target) -> Option<Packed> {
        let (lo, hi) = match t {
            Target::Prefix(p) => (pack(p)?, pack(p)?),
            Target::Range(a, b) => (pack(a)?, pack(b)?),
        };
        Some(Packed {
            lo: lo.0,
            lo_mask: lo.1,
            hi: hi.0,
            hi_mask: hi.1,
        })
    }

    /// [`Target::matches`] on packed codes: a prefix is a range from itself
    /// to itself.
    fn matches(&self, code: u64) -> bool {
        self.lo <= code & self.lo_mask && code & self.hi_mask <= self.hi
    }
}

/// The targets of a note, compiled once.
#[derive(Debug, Default)]
struct Targets {
    list: Box<[Target]>,
    /// The same, packed, when every target fits in 8 bytes.
    packed: Option<Box<[Packed]>>,
}

impl Targets {
    fn new(list: Vec<Target>) -> Targets {
        let packed = list.iter().map(Packed::new).collect();
        Targets {
            list: list.into(),
            packed,
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether any target matches the code `o`.
    fn any(&self, o: &Other<'_>) -> bool {
        match (&self.packed, o.key) {
            (Some(p), Some(k)) => p.iter().any(|x| x.matches(k)),
            _ => self.list.iter().any(|x| x.matches(&o.item.code)),
        }
    }
}

/// Another code of the record, as the notes of a code compare it.
#[derive(Debug, Clone, Copy)]
struct Other<'i> {
    /// Its position among the diagnoses.
    j: usize,
    item: &'i Item,
    /// Its code, packed.
    key: Option<u64>,
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

fn note_authority(kind: NoteKind, text: &str, at: &str) -> Authority {
    Authority::TabularNote {
        note: kind.label(),
        text: text.to_string(),
        at: at.to_string(),
    }
}

/// The notes written at one node, compiled for the checks.
#[derive(Debug)]
struct NodeNotes<'a> {
    /// The codes under the node (`None`: all, a chapter).
    scope: Option<Targets>,
    /// Its Excludes1 and code-first notes, in order, with their targets.
    notes: Box<[CompiledNote<'a>]>,
    /// Its use-additional-code and code-also reminders: the items of one
    /// note heading form one reminder. Those naming no code are left out
    /// (they cannot be verified).
    reminders: Box<[Reminder]>,
    /// Its title says "in diseases classified elsewhere".
    elsewhere: bool,
    /// Its key as printed (`E11`, `E08-E13`, `Chapter 4`), where its notes are written.
    at: String,
    /// The MCE validity periods of its code.
    periods: Box<[Period]>,
    /// Its ancestors that have notes to check, chapter first: a record's
    /// code then reads no parent link and no empty ancestor.
    ancestors: Box<[NodeId]>,
}

#[derive(Debug)]
struct CompiledNote<'a> {
    kind: NoteKind,
    text: &'a str,
    targets: Targets,
}

#[derive(Debug)]
struct Reminder {
    kind: NoteKind,
    /// The items' texts joined by `; `.
    text: String,
    /// The message after the code: `: Use additional code at E11: ... (none of these is on the record)`.
    tail: String,
    targets: Targets,
}

impl NodeNotes<'_> {
    /// Whether `code` lies under the node (a code node or a block).
    fn covers(&self, o: &Other<'_>) -> bool {
        self.scope.as_ref().is_none_or(|s| s.any(o))
    }
}

/// The compiled notes of every node, filled lazily: a node's notes are read
/// once, the first time a checked code lies under it.
#[derive(Debug)]
pub(crate) struct NoteCache<'a> {
    nodes: Box<[OnceLock<Box<NodeNotes<'a>>>]>,
}

impl<'a> NoteCache<'a> {
    /// An empty cache for a tabular of `len` nodes.
    pub(crate) fn new(len: usize) -> Self {
        NoteCache {
            nodes: (0..len).map(|_| OnceLock::new()).collect(),
        }
    }

    fn get<D: AsRef<[u8]>>(&self, lib: &'a Library<D>, id: NodeId) -> Option<&NodeNotes<'a>> {
        let slot = self.nodes.get(id.0 as usize)?;
        Some(slot.get_or_init(|| {
            let mut notes = compile(lib, id);
            // The parent's list, and the parent itself when it has notes.
            if let Some(parent) = lib.tabular.parent(id) {
                if let Some(p) = self.get(lib, parent) {
                    let mut ancestors = p.ancestors.to_vec();
                    if !p.notes.is_empty() || !p.reminders.is_empty() {
                        ancestors.push(parent);
                    }
                    notes.ancestors = ancestors.into();
                }
            }
            Box::new(notes)
        }))
    }

    /// The MCE validity periods of the code of node `id`, looked up once.
    pub(crate) fn periods<D: AsRef<[u8]>>(
        &self,
        lib: &'a Library<D>,
        id: NodeId,
    ) -> Option<&[Period]> {
        self.get(lib, id).map(|n| &n.periods[..])
    }
}

fn compile<'a, D: AsRef<[u8]>>(lib: &'a Library<D>, id: NodeId) -> NodeNotes<'a> {
    let t = &lib.tabular;
    let scope = match t.kind(id) {
        NodeKind::Chapter => None,
        NodeKind::Block => {
            let key = t.key(id);
            Some(match key.split_once('-') {
                Some((lo, hi)) => Target::Range(lo.into(), hi.into()),
                None => Target::Prefix(key.into_owned()),
            })
        }
        _ => Some(Target::Prefix(t.key(id).into_owned())),
    }
    .map(|x| Targets::new(vec![x]));
    let mut notes = Vec::new();
    let mut groups: Vec<(NoteKind, Vec<&'a str>)> = Vec::new();
    for note in t.own_notes(id) {
        match note.kind {
            NoteKind::Excludes1 | NoteKind::CodeFirst => notes.push(CompiledNote {
                kind: note.kind,
                text: note.text,
                targets: Targets::new(targets(note.text)),
            }),
            NoteKind::UseAdditionalCode | NoteKind::CodeAlso => match groups.last_mut() {
                Some((k, texts)) if *k == note.kind => texts.push(note.text),
                _ => groups.push((note.kind, vec![note.text])),
            },
            _ => {}
        }
    }
    let at = t.display_key(id);
    let reminders = groups
        .into_iter()
        .map(|(kind, texts)| {
            let text = join_note_parts(&texts);
            Reminder {
                kind,
                targets: Targets::new(texts.iter().flat_map(|x| targets(x)).collect()),
                tail: format!(
                    ": {} at {at}: {text} (none of these is on the record)",
                    kind.label()
                ),
                text,
            }
        })
        .filter(|r| !r.targets.is_empty())
        .collect();
    NodeNotes {
        scope,
        notes: notes.into(),
        reminders,
        elsewhere: t.title(id).contains("in diseases classified elsewhere"),
        at,
        periods: match t.code(id) {
            Some(code) => lib.mce.periods(Table::Dx, code.as_str()).into(),
            None => Box::default(),
        },
        ancestors: Box::default(),
    }
}

/// Runs every convention check.
pub(crate) fn check<D: AsRef<[u8]>>(c: &Checker<'_, D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let nodes: Vec<(&Item, Option<NodeId>)> = p.dx.iter().map(|d| (d, d.node)).collect();
    let keys: Vec<Option<u64>> = nodes
        .iter()
        .map(|(d, _)| pack(&d.code).map(|k| k.0))
        .collect();
    let mut others: Vec<Other<'_>> = Vec::with_capacity(nodes.len());
    for (i, (d, node)) in nodes.iter().enumerate() {
        match node {
            Some(id) => structure(c, d, *id, p.code_date(), out),
            None => unknown(c, d, out),
        }
        let Some(id) = *node else { continue };
        others.clear();
        others.extend(
            nodes
                .iter()
                .enumerate()
                .filter(|(j, (o, n))| *j != i && n.is_some() && o.code != d.code)
                .map(|(j, (o, _))| Other {
                    j,
                    item: o,
                    key: keys[j],
                }),
        );
        notes(c, p, i, d, id, &others, out);
    }
}

/// 7th characters and header codes of a code found in the tabular.
/// `date` is the date codes are checked on: a code with children now that
/// the MCE lists as valid on it (E87.2 until 2022-09-30) was billable then.
fn structure<D: AsRef<[u8]>>(
    c: &Checker<'_, D>,
    d: &Item,
    id: NodeId,
    date: Option<crate::Date>,
    out: &mut Vec<Finding>,
) {
    let t = &c.lib.tabular;
    if t.needs_seventh(id) {
        let options = t.seventh_options(id);
        let src = t.seventh_source(id).unwrap_or(id);
        out.push(Finding {
            rule_id: "tabular.seventh_missing",
            severity: Severity::Error,
            message: format!("{} needs a 7th character", d.display),
            codes: vec![d.display.clone()],
            fields: vec![d.field.to_string()],
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
    } else if !t.billable(id)
        && !date.is_some_and(|date| d.periods.iter().any(|p| p.contains(date)))
    {
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
            fields: vec![d.field.to_string()],
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

/// The parts of one note as the tabular writes them, one sentence: a part
/// ending in `:` introduces the next ("code to identify control using:
/// insulin (Z79.4); oral ..."), the others are a list.
fn join_note_parts(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(if parts[i - 1].trim_end().ends_with(':') {
                " "
            } else {
                "; "
            });
        }
        out.push_str(part.trim());
    }
    out
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
                fields: vec![d.field.to_string()],
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
                fields: vec![d.field.to_string()],
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
                fields: vec![d.field.to_string()],
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
    if !d.periods.is_empty() {
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
        fields: vec![d.field.to_string()],
        authority: Authority::Guideline {
            section: "I.A.1",
            title: "Conventions: format and structure of the classification",
        },
        fix: nearest.map(|n| format!("Look up {n} and choose a code below it")),
    });
}

/// Notes between the codes: Excludes1, code first (manifestations), use
/// additional code and code also.
fn notes<'a, D: AsRef<[u8]>>(
    c: &Checker<'a, D>,
    p: &Prepared<'_>,
    i: usize,
    d: &Item,
    id: NodeId,
    others: &[Other<'_>],
    out: &mut Vec<Finding>,
) {
    // The node's ancestors with notes, chapter first (as `Tabular::notes`
    // orders them), then the node.
    let Some(own) = c.notes.get(c.lib, id) else {
        return;
    };
    let mut slots: [Option<(NodeId, &NodeNotes<'a>)>; 18] = [None; 18];
    let mut len = 0;
    for a in own.ancestors.iter().take(17) {
        slots[len] = c.notes.get(c.lib, *a).map(|x| (*a, x));
        len += 1;
    }
    slots[len] = Some((id, own));
    let compiled = &slots[..=len];
    let compiled = || compiled.iter().flatten();
    let mut code_first: Vec<(&CompiledNote<'a>, &str)> = Vec::new();
    for (_, node) in compiled() {
        for note in node.notes.iter() {
            match note.kind {
                NoteKind::Excludes1 if !others.is_empty() => {
                    for other in others {
                        let (j, o) = (&other.j, other.item);
                        // Report a pair once per note, from the earlier code's side
                        // when both notes say the same.
                        if note.targets.any(other) && !node.covers(other) {
                            out.push(Finding {
                                rule_id: "tabular.excludes1",
                                severity: Severity::Error,
                                message: format!(
                                    "{} and {} may not be reported together: Excludes1 at {}: {}",
                                    d.display,
                                    o.display,
                                    node.at,
                                    note.text
                                ),
                                codes: vec![d.display.clone(), o.display.clone()],
                                fields: ordered(&d.field, &o.field, i < *j),
                                authority: note_authority(note.kind, note.text, &node.at),
                                fix: Some(
                                    "Keep the code the documentation supports; both only if the conditions are unrelated (Guideline I.A.12.a exception)"
                                        .into(),
                                ),
                            });
                        }
                    }
                }
                NoteKind::CodeFirst => code_first.push((note, &node.at)),
                _ => {}
            }
        }
    }
    for (_, node) in compiled() {
        for r in node.reminders.iter() {
            if others.iter().any(|o| r.targets.any(o)) {
                continue;
            }
            out.push(Finding {
                rule_id: if r.kind == NoteKind::CodeAlso {
                    "tabular.code_also"
                } else {
                    "tabular.use_additional_code"
                },
                severity: Severity::Info,
                // Most findings of a record are these: no formatting per record.
                message: [d.display.as_str(), &r.tail].concat(),
                codes: vec![d.display.clone()],
                fields: vec![d.field.to_string()],
                authority: note_authority(r.kind, &r.text, &node.at),
                fix: Some("Add the code the documentation supports, if any".into()),
            });
        }
    }
    // Only a manifestation's code-first note asks for its etiology.
    let elsewhere = compiled()
        .last()
        .is_some_and(|(n, x)| *n == id && x.elsewhere);
    if !code_first.is_empty() && is_manifestation(c, p, d, elsewhere) {
        etiology(i, d, &code_first, others, out);
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
/// "in diseases classified elsewhere" (`elsewhere`).
fn is_manifestation<D: AsRef<[u8]>>(
    c: &Checker<'_, D>,
    p: &Prepared<'_>,
    d: &Item,
    elsewhere: bool,
) -> bool {
    let flagged = c.manifestation_bit != 0
        && p.code_date().is_some_and(|date| {
            d.periods
                .iter()
                .find(|x| x.contains(date))
                .is_some_and(|x| x.flags & c.manifestation_bit != 0)
        });
    flagged || elsewhere
}

fn etiology(
    i: usize,
    d: &Item,
    code_first: &[(&CompiledNote<'_>, &str)],
    others: &[Other<'_>],
    out: &mut Vec<Finding>,
) {
    let Some((note, at)) = code_first
        .iter()
        .find(|(n, _)| !n.targets.is_empty())
        .or(code_first.first())
    else {
        return;
    };
    let (targets, text) = (&note.targets, note.text);
    let authority = note_authority(NoteKind::CodeFirst, text, at);
    let etiologies: Vec<&Other<'_>> = others.iter().filter(|o| targets.any(o)).collect();
    if targets.is_empty() {
        out.push(Finding {
            rule_id: "tabular.manifestation_etiology_reminder",
            severity: Severity::Info,
            message: format!("{} is a manifestation code: code first {}", d.display, text),
            codes: vec![d.display.clone()],
            fields: vec![d.field.to_string()],
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
            fields: vec![d.field.to_string()],
            authority,
            fix: Some("Add the underlying condition, sequenced before the manifestation".into()),
        });
    } else if etiologies.iter().all(|o| o.j > i) {
        let e = etiologies[0].item;
        out.push(Finding {
            rule_id: "tabular.manifestation_before_etiology",
            severity: Severity::Error,
            message: format!(
                "manifestation {} is sequenced before its etiology {}",
                d.display, e.display
            ),
            codes: vec![d.display.clone(), e.display.clone()],
            fields: vec![d.field.to_string(), e.field.to_string()],
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
    fn note_parts_read_as_one_sentence() {
        expect![
            "code to identify control using: insulin (Z79.4); oral antidiabetic drugs (Z79.84)"
        ]
        .assert_eq(&join_note_parts(&[
            "code to identify control using:",
            "insulin (Z79.4)",
            "oral antidiabetic drugs (Z79.84)",
        ]));
        expect!["any associated fracture (S02.-); intracranial injury (S06.-)"].assert_eq(
            &join_note_parts(&[
                "any associated fracture (S02.-)",
                "intracranial injury (S06.-)",
            ]),
        );
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
