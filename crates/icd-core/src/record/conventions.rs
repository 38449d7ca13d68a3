//! Tabular List conventions between the codes of a record: Excludes1
//! conflicts (resolved through the hierarchy, targets that are codes,
//! categories or ranges), manifestation codes without their etiology or
//! sequenced before it, "use additional code" and "code also" reminders not
//! satisfied by another code, 7th characters missing or not allowed, a
//! missing placeholder `X`, and header codes.
//!
//! Note targets are read from the note text: `E11.22`, `(E08.-)`,
//! `(N18.1-N18.6)`, `(O10-O11)`, narrowed by a qualifier after `with`
//! (`(E08-E13 with .42)` is E08.42 to E13.42 only). A note without a code in
//! it (`code first underlying disease`) cannot be verified and yields at most
//! a reminder; a qualifier that cannot be read (`with final characters -23`)
//! yields at most a note, never an error. Each Excludes1 pair is reported
//! once, and each reminder once for all the codes its note applies to.
//!
//! The notes of a node are read (UTF-8, targets) once, the first time a
//! record carries a code under it, and kept in the [`Checker`]'s
//! note cache: checking a record then only compares its codes with
//! compiled target lists.

use std::sync::OnceLock;

use super::{rules, Authority, Checker, Finding, Item, Prepared, Severity};
use crate::lookup::Library;
use crate::mce::{Period, Table};
use crate::tabular::{AppliedNote, NodeId, NodeKind, NoteKind, Tabular};

/// A code reference in a note: a prefix (`E08.-`, `E11.22`) or a range,
/// possibly narrowed by a qualifier (`E08-E13 with .42`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The code and everything below it (canonical, no dot).
    Prefix(String),
    /// Every code from `.0` to `.1`, compared at their lengths.
    Range(String, String),
    /// The codes of `base` whose characters from position `at` (0-based,
    /// no dot) fall in one of `rest`, each a range compared at its lengths:
    /// `E08-E13 with .42` is characters 4 on from `42` to `42`, `with
    /// .51-.52` from `51` to `52`, `with 5th character 9` is `9` at 4.
    Qualified {
        /// The codes the qualifier narrows.
        base: Box<Target>,
        /// Where the qualified characters start.
        at: usize,
        /// Ranges of those characters.
        rest: Vec<(String, String)>,
    },
    /// The codes of `base` under a qualifier the check cannot read (`with
    /// final characters -23`): it never [`matches`](Target::matches), only
    /// [`may_match`](Target::may_match).
    Unread {
        /// The codes the qualifier narrows.
        base: Box<Target>,
        /// The qualifier as written.
        qualifier: String,
    },
}

/// Whether `code` cut to each bound's length lies between the bounds.
fn between(code: &str, lo: &str, hi: &str) -> bool {
    let at = |n: usize| &code[..code.len().min(n)];
    lo <= at(lo.len()) && at(hi.len()) <= hi
}

impl Target {
    /// Whether the canonical `code` surely falls under the target.
    pub fn matches(&self, code: &str) -> bool {
        match self {
            Target::Prefix(p) => code.starts_with(p.as_str()),
            Target::Range(lo, hi) => between(code, lo, hi),
            Target::Qualified { base, at, rest } => {
                base.matches(code)
                    && code
                        .get(*at..)
                        .is_some_and(|tail| rest.iter().any(|(lo, hi)| between(tail, lo, hi)))
            }
            Target::Unread { .. } => false,
        }
    }

    /// Whether the code falls under the target, or may, under a
    /// qualifier that cannot be read.
    pub fn may_match(&self, code: &str) -> bool {
        match self {
            Target::Unread { base, .. } => base.may_match(code),
            _ => self.matches(code),
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
            Target::Qualified { .. } | Target::Unread { .. } => return None,
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

    /// Whether any target surely matches the code `o`.
    fn any(&self, o: &Other<'_>) -> bool {
        match (&self.packed, o.key) {
            (Some(p), Some(k)) => p.iter().any(|x| x.matches(k)),
            _ => self.list.iter().any(|x| x.matches(&o.item.code)),
        }
    }

    /// Whether any target matches the code `o` or may, under a qualifier
    /// that cannot be read.
    fn may(&self, o: &Other<'_>) -> bool {
        match &self.packed {
            Some(_) => self.any(o),
            None => self.list.iter().any(|x| x.may_match(&o.item.code)),
        }
    }

    /// The qualifier of the first unread target that may match `o`.
    fn unread(&self, o: &Other<'_>) -> Option<&str> {
        if self.packed.is_some() {
            return None; // plain prefixes and ranges only
        }
        self.list.iter().find_map(|x| match x {
            Target::Unread { base, qualifier } if base.may_match(&o.item.code) => {
                Some(qualifier.as_str())
            }
            _ => None,
        })
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

/// Reads the code references of a note's text. A list of codes followed
/// by `with` and a qualifier (`E08-E13 with .42`, `F10, F13, F19 with .26,
/// .96`, `V01-V09 with 5th character 9`) is narrowed by it; a qualifier
/// that cannot be read makes its codes [`Target::Unread`].
pub fn targets(text: &str) -> Vec<Target> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // The first target of the list of codes being read.
    let mut list = 0;
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_uppercase() && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if let (true, Some((code, next))) = (starts, code_at(b, i)) {
            // A range `A-B`, or an incomplete marker `-` / `.-`.
            let mut end = next;
            match b.get(next) {
                Some(b'-') => match code_at(b, next + 1)
                    .filter(|_| b.get(next + 1).is_some_and(|c| c.is_ascii_uppercase()))
                {
                    Some((hi, after)) => {
                        out.push(Target::Range(code, hi));
                        end = after;
                    }
                    None => out.push(Target::Prefix(code)),
                },
                _ => out.push(Target::Prefix(code)),
            }
            // What follows the code: another of the list, a qualifier, or words.
            let mut k = end;
            while k < b.len() && matches!(b[k], b' ' | b',' | b'-' | b'.') {
                k += 1;
            }
            if text[k..].starts_with("with ") {
                let q_start = k + 5;
                let q_end = text[q_start..]
                    .find([')', ';'])
                    .map_or(text.len(), |e| q_start + e);
                let qualifier = text[q_start..q_end].trim();
                for t in &mut out[list..] {
                    let base = Box::new(std::mem::replace(t, Target::Prefix(String::new())));
                    *t = match read_qualifier(qualifier) {
                        Some((at, rest)) => Target::Qualified { base, at, rest },
                        None => Target::Unread {
                            base,
                            qualifier: format!("with {qualifier}"),
                        },
                    };
                }
                list = out.len();
                i = q_end;
                continue;
            }
            let more = b.get(k).is_some_and(|c| c.is_ascii_uppercase()) && code_at(b, k).is_some();
            if !more {
                list = out.len();
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// A qualifier after `with`: the characters after the category (`.42`,
/// `.51-.52`, `.62-`, several separated by commas) or one character at a
/// position (`5th character 9`, `seventh character A`). `None` for anything
/// else (`final characters -23`, `ketoacidosis`).
fn read_qualifier(q: &str) -> Option<(usize, Vec<(String, String)>)> {
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric());
    if q.starts_with('.') {
        let mut rest = Vec::new();
        for part in q.split(',') {
            let part = part.trim();
            let part = part.strip_prefix('.')?;
            let (lo, hi) = match part.split_once('-') {
                Some((lo, "")) => (lo, lo),
                Some((lo, hi)) => (lo, hi.strip_prefix('.')?),
                None => (part, part),
            };
            if !alnum(lo) || !alnum(hi) || lo.len() != hi.len() {
                return None;
            }
            rest.push((lo.to_string(), hi.to_string()));
        }
        return Some((3, rest));
    }
    let words: Vec<&str> = q.split([' ', '-']).filter(|w| !w.is_empty()).collect();
    let at = match words.first()?.to_ascii_lowercase().as_str() {
        "4th" | "fourth" => 3,
        "5th" | "fifth" => 4,
        "6th" | "sixth" => 5,
        "7th" | "seventh" => 6,
        _ => return None,
    };
    match words[1..] {
        [w, ch] if w.eq_ignore_ascii_case("character") && ch.len() == 1 && alnum(ch) => {
            let ch = ch.to_ascii_uppercase();
            Some((at, vec![(ch.clone(), ch)]))
        }
        _ => None,
    }
}

/// An ICD-10-CM code at `i` (letter, digit, letter or digit, then an
/// optional dot and up to four characters); returns it without the dot and
/// where it ends (after a trailing `.` of `E08.-`).
/// The codes a note's text names, as [`targets`] reads them: each one's
/// byte range in `text` (with a following incomplete marker, `E11.3-`,
/// `E08.-`) and the code without its dot. The code view links them.
pub fn code_refs(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_uppercase() && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        match code_at(b, i).filter(|_| starts) {
            Some((code, next)) => {
                let mut end = next;
                if b.get(next) == Some(&b'-')
                    && !b.get(next + 1).is_some_and(u8::is_ascii_alphanumeric)
                {
                    end += 1;
                }
                out.push((i..end, code));
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

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
struct NodeNotes {
    /// The codes under the node (`None`: all, a chapter).
    scope: Option<Targets>,
    /// Its Excludes1 and code-first notes, in order, with their targets.
    notes: Box<[CompiledNote]>,
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
struct CompiledNote {
    kind: NoteKind,
    text: Box<str>,
    targets: Targets,
}

#[derive(Debug)]
struct Reminder {
    kind: NoteKind,
    /// The items' texts joined by `; `.
    text: String,
    /// The note as a sentence ([`note_sentence`]).
    sentence: String,
    /// The message after the codes: `: Use additional code to identify ...
    /// (note at E11; none of these is on the record)`.
    tail: String,
    targets: Targets,
}

impl NodeNotes {
    /// Whether `code` lies under the node (a code node or a block).
    fn covers(&self, o: &Other<'_>) -> bool {
        self.scope.as_ref().is_none_or(|s| s.any(o))
    }
}

/// The compiled notes of every node, filled lazily: a node's notes are read
/// once, the first time a checked code lies under it.
#[derive(Debug)]
pub(crate) struct NoteCache {
    nodes: Box<[OnceLock<Box<NodeNotes>>]>,
}

impl NoteCache {
    /// An empty cache for a tabular of `len` nodes.
    pub(crate) fn new(len: usize) -> Self {
        NoteCache {
            nodes: (0..len).map(|_| OnceLock::new()).collect(),
        }
    }

    fn get<D: AsRef<[u8]>>(&self, lib: &Library<D>, id: NodeId) -> Option<&NodeNotes> {
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
        lib: &Library<D>,
        id: NodeId,
    ) -> Option<&[Period]> {
        self.get(lib, id).map(|n| &n.periods[..])
    }
}

fn compile<D: AsRef<[u8]>>(lib: &Library<D>, id: NodeId) -> NodeNotes {
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
    // The node's notes are decoded once, for both lists.
    let own = t.own_notes(id);
    let notes = own
        .iter()
        .filter(|n| matches!(n.kind, NoteKind::Excludes1 | NoteKind::CodeFirst))
        .map(|note| CompiledNote {
            kind: note.kind,
            text: note.text.into(),
            targets: Targets::new(targets(note.text)),
        })
        .collect::<Vec<_>>();
    let at = t.display_key(id);
    let reminders = reminder_groups(&own)
        .into_iter()
        .filter_map(|(kind, texts)| {
            let targets = Targets::new(texts.iter().flat_map(|x| targets(x)).collect());
            if targets.is_empty() {
                return None;
            }
            let text = join_note_parts(&texts);
            let sentence = note_sentence(kind, &text);
            Some(Reminder {
                kind,
                targets,
                tail: format!(": {sentence} (note at {at}; none of these is on the record)"),
                sentence,
                text,
            })
        })
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
    let mut found = Found::default();
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
        notes(c, p, i, d, id, &others, &mut found, out);
    }
    found.finish(out);
}

/// What the notes of every code found, gathered so that each Excludes1
/// pair is reported once and each reminder once for all its codes.
#[derive(Default)]
struct Found<'a, 'i> {
    /// Excludes1 findings by pair of diagnoses (earlier, later): an error
    /// replaces a note about an unreadable qualifier, nothing else does.
    excludes: Vec<((usize, usize), Finding)>,
    /// Reminders not satisfied, by kind and text: where they are written
    /// and the codes they apply to.
    reminders: Vec<Group<'a, 'i>>,
}

/// One reminder and the codes it applies to. Most reminders apply to one
/// code, written at one node: the lists of more stay empty (unallocated).
struct Group<'a, 'i> {
    r: &'a Reminder,
    at: &'a str,
    more_at: Vec<&'a str>,
    item: &'i Item,
    more: Vec<&'i Item>,
}

impl<'a, 'i> Found<'a, 'i> {
    fn excludes(&mut self, pair: (usize, usize), f: Finding) {
        let pair = (pair.0.min(pair.1), pair.0.max(pair.1));
        match self.excludes.iter_mut().find(|(p, _)| *p == pair) {
            Some((_, old)) if old.severity > f.severity => *old = f,
            Some(_) => {}
            None => self.excludes.push((pair, f)),
        }
    }

    fn reminder(&mut self, r: &'a Reminder, at: &'a str, d: &'i Item) {
        let same = |g: &&mut Group<'a, 'i>| {
            std::ptr::eq(g.r, r) || (g.r.kind == r.kind && g.r.text == r.text)
        };
        match self.reminders.iter_mut().find(same) {
            Some(g) => {
                if g.at != at && !g.more_at.contains(&at) {
                    g.more_at.push(at);
                }
                if g.item.code != d.code && !g.more.iter().any(|x| x.code == d.code) {
                    g.more.push(d);
                }
            }
            None => self.reminders.push(Group {
                r,
                at,
                more_at: Vec::new(),
                item: d,
                more: Vec::new(),
            }),
        }
    }

    fn finish(self, out: &mut Vec<Finding>) {
        out.extend(self.excludes.into_iter().map(|(_, f)| f));
        for g in self.reminders {
            let r = g.r;
            let rule = if r.kind == NoteKind::CodeAlso {
                &rules::TABULAR_CODE_ALSO
            } else {
                &rules::TABULAR_USE_ADDITIONAL_CODE
            };
            let items = || std::iter::once(g.item).chain(g.more.iter().copied());
            let codes: Vec<String> = items().map(|d| d.display.clone()).collect();
            let (message, at) = if g.more_at.is_empty() {
                // Most findings of a record are these: the message's tail
                // was written when the note was compiled.
                let mut m = String::with_capacity(16 * codes.len() + r.tail.len());
                for (k, c) in codes.iter().enumerate() {
                    if k > 0 {
                        m.push_str(", ");
                    }
                    m.push_str(c);
                }
                m.push_str(&r.tail);
                (m, g.at.to_string())
            } else {
                let at = std::iter::once(g.at)
                    .chain(g.more_at.iter().copied())
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    format!(
                        "{}: {} (note at {at}; none of these is on the record)",
                        codes.join(", "),
                        r.sentence
                    ),
                    at,
                )
            };
            let fields: Vec<String> = items().map(|d| d.field.to_string()).collect();
            out.push(Finding {
                codes,
                fields,
                ..rule
                    .finding(message)
                    .with_authority(Authority::TabularNote {
                        note: r.kind.label(),
                        text: r.text.clone(),
                        at,
                    })
                    .with_fix("Add the code the documentation supports, if any")
            });
        }
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
        out.push(
            rules::TABULAR_SEVENTH_MISSING
                .finding(format!("{} needs a 7th character", d.display))
                .with_codes(vec![d.display.clone()])
                .with_fields(vec![d.field.to_string()])
                .with_authority(seventh_authority(t, src))
                .with_fix(format!(
                    "Choose one of: {}",
                    options
                        .iter()
                        .map(|o| format!("{} ({})", o.code, o.meaning))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
        );
    } else if !t.billable(id)
        && !date.is_some_and(|date| d.periods.iter().any(|p| p.contains(date)))
    {
        let kids = t.billable_descendants(id);
        out.push(
            rules::TABULAR_HEADER_CODE
                .finding(format!(
                    "{} is a {} (header), not a billable code; {} billable codes lie below it",
                    d.display,
                    match t.kind(id) {
                        NodeKind::Category => "category",
                        _ => "subcategory",
                    },
                    kids.len()
                ))
                .with_codes(vec![d.display.clone()])
                .with_fields(vec![d.field.to_string()])
                .with_authority(Authority::Guideline {
                    section: "I.B.2",
                    title: "Level of Detail in Coding",
                })
                .with_fix(format!(
                    "Report the most specific code: {}{}",
                    kids.iter()
                        .take(8)
                        .map(|k| format!("{} {}", t.display_key(*k), t.title(*k)))
                        .collect::<Vec<_>>()
                        .join("; "),
                    if kids.len() > 8 { "; ..." } else { "" }
                )),
        );
    }
}

/// The use-additional-code and code-also notes of a node, each heading
/// with its parts: consecutive parts of one heading form one reminder (the
/// notes of other headings between them do not part them).
fn reminder_groups<'a>(notes: &[AppliedNote<'a>]) -> Vec<(NoteKind, Vec<&'a str>)> {
    let mut groups: Vec<(NoteKind, Vec<&str>)> = Vec::new();
    for note in notes {
        if !matches!(note.kind, NoteKind::UseAdditionalCode | NoteKind::CodeAlso) {
            continue;
        }
        match groups.last_mut() {
            Some((k, texts)) if *k == note.kind => texts.push(note.text),
            _ => groups.push((note.kind, vec![note.text])),
        }
    }
    groups
}

/// The use-additional-code, code-also and code-first notes written at a
/// node, each as the sentence the checks print ([`note_sentence`]): the
/// reminders, then each code-first note.
pub fn note_sentences<D: AsRef<[u8]>>(t: &Tabular<D>, id: NodeId) -> Vec<String> {
    let own = t.own_notes(id);
    let reminders = reminder_groups(&own)
        .into_iter()
        .map(|(kind, parts)| note_sentence(kind, &join_note_parts(&parts)));
    let code_first = own
        .iter()
        .filter(|n| n.kind == NoteKind::CodeFirst)
        .map(|n| note_sentence(n.kind, n.text));
    reminders.chain(code_first).collect()
}

/// A note as one sentence: its heading, then its text, the two joined the
/// way the Tabular List means them to be read. "Use additional code" +
/// "code, if applicable, to identify ..." reads "Use additional code, if
/// applicable, to identify ..."; "Code also" + ", if applicable, any
/// associated condition" reads "Code also, if applicable, any associated
/// condition"; "Code first" + "underlying disease" reads "Code first
/// underlying disease".
pub fn note_sentence(kind: NoteKind, text: &str) -> String {
    let label = kind.label();
    let mut rest = text.trim();
    // The heading's last word, repeated at the start of the text.
    if let Some(last) = label.rsplit(' ').next() {
        if rest.len() >= last.len()
            && rest[..last.len()].eq_ignore_ascii_case(last)
            && !rest[last.len()..].starts_with(|c: char| c.is_alphanumeric())
        {
            rest = rest[last.len()..].trim_start();
        }
    }
    if rest.is_empty() {
        label.to_string()
    } else if rest.starts_with([',', ':', ';']) {
        format!("{label}{rest}")
    } else {
        format!("{label} {rest}")
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
        // A later part that starts like the first (", if applicable,
        // immunization not carried out") is a list item of its own.
        let part = part.trim();
        out.push_str(match i {
            0 => part,
            _ => part.trim_start_matches([',', ' ']),
        });
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
            Ok(right) if s.len() < 7 || right.as_str() != s => out.push(rules::TABULAR_PLACEHOLDER_MISSING.finding(format!(
                    "{} lacks the placeholder X: a 7th character must be the 7th character of the code",
                    d.display
                )).with_codes(vec![d.display.clone()]).with_fields(vec![d.field.to_string()]).with_authority(Authority::Guideline {
                    section: "I.A.4",
                    title: "Placeholder character",
                }).with_fix(format!("Report {right}"))),
            Ok(_) => {}
            Err(e) => out.push(rules::TABULAR_SEVENTH_NOT_ALLOWED.finding(format!("{}: {e}", d.display)).with_codes(vec![d.display.clone()]).with_fields(vec![d.field.to_string()]).with_authority(seventh_authority(t, t.seventh_source(base).unwrap_or(base))).with_fix(format!(
                    "Choose one of: {}",
                    t.seventh_options(base)
                        .iter()
                        .map(|o| o.code.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
        }
        return;
    }
    // A character after a complete code (a 7th character on a code that takes none).
    if let Some(parent) = code.parent().and_then(|p| t.find(&p)) {
        if t.billable(parent) {
            let seventh = s.len() == 7;
            let message = format!(
                "{} is not a code: {} is complete and takes no further character",
                d.display,
                t.display_key(parent)
            );
            let f = if seventh {
                rules::TABULAR_SEVENTH_NOT_ALLOWED
                    .finding(message)
                    .with_authority(Authority::Guideline {
                        section: "I.A.5",
                        title: "7th Characters",
                    })
            } else {
                rules::TABULAR_EXTRA_CHARACTER.finding(message)
            };
            out.push(
                f.with_codes([d.display.as_str()])
                    .with_fields([&*d.field])
                    .with_fix(format!("Report {}", t.display_key(parent))),
            );
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
    out.push({
        let f = rules::TABULAR_UNKNOWN_CODE
            .finding(format!(
                "{} is not an ICD-10-CM code{}",
                d.display,
                nearest.map_or(String::new(), |n| format!(
                    "; the nearest existing code is {n} {}",
                    t.find(&n)
                        .map(|id| t.title(id).into_owned())
                        .unwrap_or_default()
                ))
            ))
            .with_codes(vec![d.display.clone()])
            .with_fields(vec![d.field.to_string()])
            .with_authority(Authority::Guideline {
                section: "I.A.1",
                title: "Conventions: format and structure of the classification",
            });
        match nearest {
            Some(n) => f.with_fix(format!("Look up {n} and choose a code below it")),
            None => f,
        }
    });
}

/// Notes between the codes: Excludes1, code first (manifestations), use
/// additional code and code also.
#[allow(clippy::too_many_arguments)] // One record's state, passed down once per code.
fn notes<'a, 'c, 'i, D: AsRef<[u8]>>(
    c: &'c Checker<'a, D>,
    p: &Prepared<'_>,
    i: usize,
    d: &'i Item,
    id: NodeId,
    others: &[Other<'i>],
    found: &mut Found<'c, 'i>,
    out: &mut Vec<Finding>,
) {
    // The node's ancestors with notes, chapter first (as `Tabular::notes`
    // orders them), then the node.
    let Some(own) = c.cache.notes.get(c.lib, id) else {
        return;
    };
    let mut slots: [Option<(NodeId, &'c NodeNotes)>; 18] = [None; 18];
    let mut len = 0;
    for a in own.ancestors.iter().take(17) {
        slots[len] = c.cache.notes.get(c.lib, *a).map(|x| (*a, x));
        len += 1;
    }
    slots[len] = Some((id, own));
    let compiled = &slots[..=len];
    let compiled = || compiled.iter().flatten();
    let mut code_first: Vec<(&CompiledNote, &str)> = Vec::new();
    for (_, node) in compiled() {
        for note in node.notes.iter() {
            match note.kind {
                NoteKind::Excludes1 if !others.is_empty() => {
                    for other in others {
                        // The cheap test first: most notes name none of the codes.
                        let sure = note.targets.any(other);
                        let unread = (!sure).then(|| note.targets.unread(other)).flatten();
                        if (!sure && unread.is_none()) || node.covers(other) {
                            continue;
                        }
                        let o = other.item;
                        let fields = || ordered(&d.field, &o.field, i < other.j);
                        let authority = || note_authority(note.kind, &note.text, &node.at);
                        if sure {
                            found.excludes(
                                (i, other.j),
                                rules::TABULAR_EXCLUDES1
                                    .finding(format!(
                                        "{} and {} may not be reported together: Excludes1 at {}: {}",
                                        d.display, o.display, node.at, note.text
                                    ))
                                    .with_codes([d.display.as_str(), o.display.as_str()])
                                    .with_fields(fields())
                                    .with_authority(authority())
                                    .with_fix("Keep the code the documentation supports; both only if the conditions are unrelated (Guideline I.A.12.a exception)"),
                            );
                        } else if let Some(q) = unread {
                            found.excludes(
                                (i, other.j),
                                rules::TABULAR_EXCLUDES1_QUALIFIED
                                    .finding(format!(
                                        "{} and {}: the Excludes1 note at {} excludes only the codes {q}: {}",
                                        d.display, o.display, node.at, note.text
                                    ))
                                    .with_codes([d.display.as_str(), o.display.as_str()])
                                    .with_fields(fields())
                                    .with_authority(authority())
                                    .with_fix(format!("Check whether {} is one of the codes the note excludes; if it is, keep only the code the documentation supports", o.display)),
                            );
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
            if !others.iter().any(|o| r.targets.may(o)) {
                found.reminder(r, &node.at, d);
            }
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
    code_first: &[(&CompiledNote, &str)],
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
    let (targets, text) = (&note.targets, &*note.text);
    let authority = note_authority(NoteKind::CodeFirst, text, at);
    // "code first Alzheimer's (G30.-)", "code first, if applicable: ...".
    let sentence = {
        let s = note_sentence(NoteKind::CodeFirst, text);
        format!("c{}", &s[1..])
    };
    let etiologies: Vec<&Other<'_>> = others.iter().filter(|o| targets.may(o)).collect();
    if targets.is_empty() {
        out.push(
            rules::TABULAR_MANIFESTATION_ETIOLOGY_REMINDER
                .finding(format!("{} is a manifestation code: {sentence}", d.display))
                .with_codes(vec![d.display.clone()])
                .with_fields(vec![d.field.to_string()])
                .with_authority(authority)
                .with_fix("Report the underlying condition before the manifestation"),
        );
    } else if etiologies.is_empty() {
        let examples = text.to_ascii_lowercase().contains("such as");
        out.push(
            rules::TABULAR_MANIFESTATION_WITHOUT_ETIOLOGY
                .finding(format!(
                "{} is a manifestation code but no etiology it names is on the record: {sentence}",
                d.display
            ))
                .with_severity(if examples {
                    Severity::Warning
                } else {
                    Severity::Error
                })
                .with_codes(vec![d.display.clone()])
                .with_fields(vec![d.field.to_string()])
                .with_authority(authority)
                .with_fix("Add the underlying condition, sequenced before the manifestation"),
        );
    } else if etiologies.iter().all(|o| o.j > i) {
        let e = etiologies[0].item;
        out.push(
            rules::TABULAR_MANIFESTATION_BEFORE_ETIOLOGY
                .finding(format!(
                    "manifestation {} is sequenced before its etiology {}",
                    d.display, e.display
                ))
                .with_codes(vec![d.display.clone(), e.display.clone()])
                .with_fields(vec![d.field.to_string(), e.field.to_string()])
                .with_authority(authority)
                .with_fix(format!("Sequence {} before {}", e.display, d.display)),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_refs_finds_the_codes_a_note_names_with_their_incomplete_markers() {
        let text = "Excludes1: diabetes (E08.-, E11.3-), T36.0X1 and E08-E13; not ABC12 or SE11";
        let found: Vec<(&str, String)> = super::code_refs(text)
            .into_iter()
            .map(|(r, c)| (&text[r], c))
            .collect();
        let want = [
            ("E08.-", "E08"),
            ("E11.3-", "E113"),
            ("T36.0X1", "T360X1"),
            ("E08", "E08"),
            ("E13", "E13"),
        ];
        let want: Vec<(&str, String)> = want.iter().map(|(s, c)| (*s, c.to_string())).collect();
        assert_eq!(found, want);
    }

    use super::*;
    use expect_test::{expect, Expect};

    fn show(t: &Target) -> String {
        match t {
            Target::Prefix(p) => p.clone(),
            Target::Range(a, b) => format!("{a}..{b}"),
            Target::Qualified { base, at, rest } => {
                let rest: Vec<String> = rest
                    .iter()
                    .map(|(lo, hi)| {
                        if lo == hi {
                            lo.clone()
                        } else {
                            format!("{lo}..{hi}")
                        }
                    })
                    .collect();
                format!("{}@{at}={}", show(base), rest.join("|"))
            }
            Target::Unread { base, qualifier } => format!("{}?({qualifier})", show(base)),
        }
    }

    fn check(text: &str, expect: Expect) {
        let got: Vec<String> = targets(text).iter().map(show).collect();
        expect.assert_eq(&got.join(" "));
    }

    /// Whether each code falls under the note's targets: `+` surely, `?`
    /// under a qualifier the check cannot read, `-` not.
    fn check_match(text: &str, codes: &str, expect: Expect) {
        let t = targets(text);
        let got: Vec<String> = codes
            .split(' ')
            .map(|c| {
                let mark = if t.iter().any(|x| x.matches(c)) {
                    '+'
                } else if t.iter().any(|x| x.may_match(c)) {
                    '?'
                } else {
                    '-'
                };
                format!("{mark}{c}")
            })
            .collect();
        expect.assert_eq(&got.join(" "));
    }

    #[test]
    fn notes_read_as_sentences() {
        let check = |kind, text: &str, expect: Expect| expect.assert_eq(&note_sentence(kind, text));
        use NoteKind::*;
        check(
            UseAdditionalCode,
            "code, where applicable, to identify: tobacco use (Z72.0)",
            expect!["Use additional code, where applicable, to identify: tobacco use (Z72.0)"],
        );
        check(
            UseAdditionalCode,
            "code to identify stage of chronic kidney disease (N18.1-N18.6)",
            expect![
                "Use additional code to identify stage of chronic kidney disease (N18.1-N18.6)"
            ],
        );
        check(
            CodeAlso,
            ", if applicable, any associated condition such as: aspiration pneumonia (J69.-)",
            expect!["Code also, if applicable, any associated condition such as: aspiration pneumonia (J69.-)"],
        );
        check(
            CodeAlso,
            "to identify the infection",
            expect!["Code also to identify the infection"],
        );
        check(
            CodeFirst,
            ", if applicable: complication of stem cell transplant (T86.5)",
            expect!["Code first, if applicable: complication of stem cell transplant (T86.5)"],
        );
        check(
            CodeFirst,
            "underlying disease",
            expect!["Code first underlying disease"],
        );
    }

    #[test]
    fn reads_qualifiers_after_with() {
        check(
            "diabetes mellitus (E08-E13 with .42)",
            expect!["E08..E13@3=42"],
        );
        check(
            "diabetic (peripheral) angiopathy (E08-E13 with .51-.52)",
            expect!["E08..E13@3=51..52"],
        );
        check(
            "skin disorders in diabetes (E08-E13 with .62-)",
            expect!["E08..E13@3=62"],
        );
        check(
            "amnestic disorder (F10, F13, F19 with .26, .96)",
            expect!["F10@3=26|96 F13@3=26|96 F19@3=26|96"],
        );
        check(
            "dementia in alcohol and psychoactive substance disorders (F10-F19, with .17, .27, .97)",
            expect!["F10..F19@3=17|27|97"],
        );
        check(
            "pedestrian (V01-V09 with 5th character 9)",
            expect!["V01..V09@4=9"],
        );
        check("fracture (S02.- with 7th character B)", expect!["S02@6=B"]);
        // Qualifiers the check cannot read.
        check(
            "sequelae (I69. with final characters -23)",
            expect!["I69?(with final characters -23)"],
        );
        check(
            "psychoactive drug use (F11-F19 with .15. .25, .95)",
            expect!["F11..F19?(with .15. .25, .95)"],
        );
        check(
            "diabetic acidosis - see categories E08-E10, E11, E13 with ketoacidosis",
            expect!["E08..E10?(with ketoacidosis) E11?(with ketoacidosis) E13?(with ketoacidosis)"],
        );
        // A list ends at a word: the qualifier is the last list's only.
        check(
            "hypertension (I10) and diabetes (E08-E13 with .9)",
            expect!["I10 E08..E13@3=9"],
        );
    }

    #[test]
    fn qualified_targets_match_only_their_codes() {
        check_match(
            "diabetes mellitus (E08-E13 with .42)",
            "E1142 E1042 E119 E1122 E14 E0842",
            expect!["+E1142 +E1042 -E119 -E1122 -E14 +E0842"],
        );
        check_match(
            "angiopathy (E08-E13 with .51-.52)",
            "E1151 E1152 E1159 E1150",
            expect!["+E1151 +E1152 -E1159 -E1150"],
        );
        check_match(
            "pedestrian (V01-V09 with 5th character 9)",
            "V0109XA V0100XA",
            expect!["+V0109XA -V0100XA"],
        );
        check_match(
            "sequelae (I69. with final characters -23)",
            "I69323 I10",
            expect!["?I69323 -I10"],
        );
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
        expect![
            ", if applicable, encounter for immunization (Z23); if applicable, immunization not carried out (Z28.-)"
        ]
        .assert_eq(&join_note_parts(&[
            ", if applicable, encounter for immunization (Z23)",
            ", if applicable, immunization not carried out (Z28.-)",
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
