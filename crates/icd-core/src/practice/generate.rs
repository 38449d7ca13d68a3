//! The generators, one per [`Kind`], and the loop that takes them in turn,
//! validates, deduplicates and counts.
//!
//! Each generator draws one candidate at random from the data. A draw that
//! is not a candidate at all (an index term with no code, for the index
//! kind) is skipped silently; a candidate that fails validation is a
//! rejection, counted with its reason.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::score::why_wrong;
use super::{chapter_of, Batch, Chapter, Item, Kind, Options, Rng, Scoring, Wrong};
use crate::code::{Code, IndexCode};
use crate::date::Date;
use crate::lookup::Library;
use crate::mce::Table;
use crate::pcs::{Pcs, RowId};
use crate::record::conventions::{targets, Target};
use crate::record::model::{Admission, Diagnosis, Discharge, Patient};
use crate::record::{Checker, Finding, Record, Severity};
use crate::tabular::{NodeId, NoteKind};
use crate::terms::{TermId, Terms};
use crate::text::normalize;
use crate::PcsCode;

/// Draws per item before a kind is declared exhausted.
const ATTEMPTS: usize = 4000;

/// The date every answer must be valid on: the first day of the tabular's
/// release (`ICD-10-CM 2026-04` is 2026-04-01), else October 1 of the last
/// fiscal year the MCE tables cover.
pub fn release_date<D: AsRef<[u8]>>(lib: &Library<D>) -> Date {
    let r = lib.tabular.release().as_bytes();
    let from_release = (0..r.len().saturating_sub(6)).find_map(|i| {
        let w = &r[i..i + 7];
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        if !(digits(&w[..4]) && w[4] == b'-' && digits(&w[5..])) {
            return None;
        }
        let n = |s: &[u8]| std::str::from_utf8(s).ok()?.parse::<u32>().ok();
        Date::from_ymd(n(&w[..4])?, n(&w[5..])?, 1)
    });
    from_release
        .or_else(|| {
            lib.mce
                .coverage_end()
                .and_then(|end| Date::from_ymd(end.year().saturating_sub(1), 10, 1))
        })
        .or_else(|| Date::from_ymd(2025, 10, 1))
        .expect("October 1 is a date")
}

/// Generates `opts.count` valid, distinct items, taking the kinds in turn.
/// A kind the data runs out of is listed in [`Batch::exhausted`] and the
/// others fill its share. Without the PCS tables: [`generate_with`].
pub fn generate<D: AsRef<[u8]>>(lib: &Library<D>, opts: &Options) -> Batch {
    generate_with::<D, D>(lib, None, opts)
}

/// [`generate`], with the ICD-10-PCS tables for [`Kind::Pcs`]; without them
/// that kind is exhausted at once, its reason counted in
/// [`Batch::rejected`].
pub fn generate_with<D: AsRef<[u8]>, P: AsRef<[u8]>>(
    lib: &Library<D>,
    pcs: Option<&Pcs<P>>,
    opts: &Options,
) -> Batch {
    let kinds: Vec<Kind> = if opts.kinds.is_empty() {
        Kind::CM.to_vec()
    } else {
        let mut k = opts.kinds.clone();
        k.dedup();
        k
    };
    let mut g = Gen {
        lib,
        pcs,
        date: release_date(lib),
        checker: Checker::new(lib),
        rng: Rng::new(opts.seed),
        with_note: BTreeMap::new(),
    };
    let mut batch = Batch::default();
    let mut seen: HashSet<(Kind, String)> = HashSet::new();
    let mut live = kinds.clone();
    let mut turn = 0usize;
    while batch.items.len() < opts.count && !live.is_empty() {
        let kind = live[turn % live.len()];
        let mut made = false;
        for _ in 0..ATTEMPTS {
            match g.draw(kind) {
                Draw::Skip => {}
                Draw::Reject(why) => {
                    *batch
                        .rejected
                        .entry(kind)
                        .or_default()
                        .entry(why)
                        .or_default() += 1;
                }
                Draw::Item(item) => {
                    // An item about another chapter is not a candidate.
                    if !opts.chapters.is_empty()
                        && !item.chapter.is_some_and(|c| opts.chapters.contains(&c))
                    {
                        continue;
                    }
                    if !seen.insert((kind, item.prompt.clone())) {
                        *batch
                            .rejected
                            .entry(kind)
                            .or_default()
                            .entry("duplicate of an item already generated".into())
                            .or_default() += 1;
                        continue;
                    }
                    *batch.produced.entry(kind).or_default() += 1;
                    batch.items.push(item);
                    made = true;
                    break;
                }
            }
        }
        if made {
            turn += 1;
        } else {
            batch.exhausted.push(kind);
            live.retain(|k| *k != kind);
        }
    }
    batch
}

enum Draw {
    /// Not a candidate for this kind.
    Skip,
    /// A candidate that failed validation, and why.
    Reject(String),
    Item(Item),
}

macro_rules! reject {
    ($($arg:tt)*) => {
        return Draw::Reject(format!($($arg)*))
    };
}

macro_rules! some_or_skip {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Draw::Skip,
        }
    };
}

struct Gen<'a, D, P> {
    lib: &'a Library<D>,
    /// The ICD-10-PCS tables, for [`Kind::Pcs`].
    pcs: Option<&'a Pcs<P>>,
    date: Date,
    checker: Checker<'a, D>,
    rng: Rng,
    /// The nodes with an own note of each kind, listed on first use: notes
    /// of some kinds are on a few hundred of the tabular's nodes, too few
    /// to find by drawing nodes at random.
    with_note: BTreeMap<NoteKind, Vec<NodeId>>,
}

/// Words that join an index subterm to the next one without a comma.
const CONNECTORS: [&str; 12] = [
    "with",
    "without",
    "in",
    "due to",
    "of",
    "from",
    "following",
    "during",
    "by",
    "complicating",
    "after",
    "and",
];

/// A diagnostic statement from index words: `Diabetes, type 2 with nephropathy`.
fn statement(words: &[&str]) -> String {
    let mut s = String::new();
    let mut glue = "";
    for w in words {
        let w = w.trim();
        let connector = CONNECTORS.contains(&w.to_ascii_lowercase().as_str());
        s.push_str(if connector && !s.is_empty() {
            " "
        } else {
            glue
        });
        s.push_str(w);
        glue = if connector { " " } else { ", " };
    }
    s
}

fn path_words<D: AsRef<[u8]>>(tree: &Terms<D>, t: TermId) -> Vec<&str> {
    tree.path(t).into_iter().map(|p| tree.term(p)).collect()
}

/// Whether index words are fit for a prompt: none empty, none with a code
/// run into its text (`angiomatousD18.00`, a slip in the index file),
/// which would give the answer away or read as nonsense.
fn readable(words: &[&str]) -> bool {
    words.iter().all(|w| {
        let b = w.as_bytes();
        !w.trim().is_empty()
            && !b.windows(3).any(|x| {
                x[0].is_ascii_uppercase() && x[1].is_ascii_digit() && x[2].is_ascii_digit()
            })
    })
}

/// Every term of `tree` reached by the same words as `words`, main term first.
fn same_words<D: AsRef<[u8]>>(tree: &Terms<D>, words: &[&str]) -> Vec<TermId> {
    let Some((first, rest)) = words.split_first() else {
        return Vec::new();
    };
    let key = normalize(first);
    let mut cur: Vec<TermId> = tree
        .find(first)
        .into_iter()
        .filter(|t| tree.level(*t) == 0 && normalize(tree.term(*t)) == key)
        .collect();
    for w in rest {
        let key = normalize(w);
        cur = cur
            .into_iter()
            .flat_map(|t| tree.children(t))
            .filter(|c| normalize(tree.term(*c)) == key)
            .collect();
    }
    cur
}

impl<D: AsRef<[u8]>, P: AsRef<[u8]>> Gen<'_, D, P> {
    fn draw(&mut self, kind: Kind) -> Draw {
        match kind {
            Kind::IndexToCode => self.index_to_code(),
            Kind::Seventh => self.seventh(),
            Kind::Excludes1 => self.excludes1(),
            Kind::Sequencing => self.sequencing(),
            Kind::Navigation => self.navigation(),
            Kind::Tables => self.tables(),
            Kind::Audit => self.audit(),
            Kind::Case => self.case(),
            Kind::Pcs => self.pcs(),
        }
    }

    /// The chapter of a code: the number of its tabular chapter (`19` for
    /// S52.521A).
    fn chapter(&self, code: &Code) -> Option<Chapter> {
        chapter_of(self.lib, code)
    }

    /// The node of a code that is billable and valid on the release date.
    fn valid(&self, code: &Code) -> Option<NodeId> {
        let id = self.lib.tabular.find(code)?;
        (self.lib.tabular.billable(id)
            && self
                .lib
                .mce
                .period_on(Table::Dx, code.as_str(), self.date)
                .is_some())
        .then_some(id)
    }

    fn title(&self, id: NodeId) -> String {
        self.lib.tabular.title(id).into_owned()
    }

    fn code_title(&self, code: &Code) -> String {
        self.lib
            .tabular
            .find(code)
            .map(|id| self.title(id))
            .unwrap_or_default()
    }

    /// A billable, valid code at or under `id`, at random.
    fn billable_under(&mut self, id: NodeId) -> Option<Code> {
        let t = &self.lib.tabular;
        if t.billable(id) {
            let c = t.code(id)?;
            return self.valid(&c).map(|_| c);
        }
        let all = t.billable_descendants_up_to(id, 400);
        let c = t.code(*self.rng.pick(&all)?)?;
        self.valid(&c).map(|_| c)
    }

    /// What is wrong with a code given as an answer, from the library.
    fn why(&self, given: &Code, expected: &Code) -> String {
        why_wrong(self.lib, given.as_str(), Some(expected), self.date)
    }

    fn release(&self) -> String {
        self.lib.tabular.release().to_string()
    }

    /// A record of one encounter on the release date: the diagnoses given,
    /// all present on admission, an adult patient of `sex`.
    fn record(&self, principal: &Code, secondaries: &[Code], sex: &str) -> Record {
        let admit = self.date;
        let discharge = admit
            .next_day()
            .and_then(Date::next_day)
            .and_then(Date::next_day)
            .unwrap_or(admit);
        let dx = |c: &Code| Diagnosis {
            code: c.to_string(),
            poa: Some("Y".into()),
            ..Default::default()
        };
        Record {
            id: Some("practice".into()),
            setting: Some("inpatient".into()),
            patient: Patient {
                mrn: Some("000001".into()),
                name: Some("Practice, Patient".into()),
                dob: Date::from_ymd(admit.year().saturating_sub(45), 1, 15).map(|d| d.to_string()),
                sex: Some(sex.into()),
                ..Default::default()
            },
            admission: Admission {
                date: Some(admit.to_string()),
                source: Some("1".into()),
                kind: Some("1".into()),
                ..Default::default()
            },
            discharge: Discharge {
                date: Some(discharge.to_string()),
                status: Some("01".into()),
                ..Default::default()
            },
            attending: Some("Practice, A (NPI 1234567890)".into()),
            principal_dx: Some(dx(principal)),
            secondary_dx: secondaries.iter().map(dx).collect(),
            ..Default::default()
        }
    }

    fn findings(&self, principal: &Code, secondaries: &[Code]) -> Vec<Finding> {
        self.checker
            .check(&self.record(principal, secondaries, "F"))
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect()
    }

    /// Tabular distractors for `answer`: its parent when that is not
    /// billable, and billable siblings; each with the library's reason.
    fn code_distractors(&mut self, answer: &Code, n: usize) -> Vec<Wrong> {
        let t = &self.lib.tabular;
        let Some(id) = t.find(answer) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(p) = t.parent(id).filter(|p| t.code(*p).is_some()) {
            if let Some(pc) = t.code(p) {
                out.push(Wrong {
                    answer: pc.to_string(),
                    why: self.why(&pc, answer),
                });
            }
        }
        let mut siblings: Vec<Code> = t
            .parent(id)
            .map(|p| t.children(p))
            .unwrap_or_default()
            .into_iter()
            .filter(|s| *s != id && t.billable(*s))
            .filter_map(|s| t.code(s))
            .filter(|c| self.valid(c).is_some())
            .collect();
        self.rng.shuffle(&mut siblings);
        for s in siblings.into_iter().take(n.saturating_sub(out.len())) {
            out.push(Wrong {
                answer: s.to_string(),
                why: format!(
                    "{s} is {}: the prompt does not document that",
                    self.code_title(&s)
                ),
            });
        }
        out
    }

    #[allow(clippy::too_many_arguments)] // one call per kind, each argument named by its type
    fn item(
        &mut self,
        kind: Kind,
        subject: Code,
        prompt: String,
        answers: Vec<String>,
        explanation: String,
        wrong: Vec<Wrong>,
        source: String,
    ) -> Draw {
        let mut choices: Vec<String> = answers.clone();
        for w in &wrong {
            if !choices.contains(&w.answer) {
                choices.push(w.answer.clone());
            }
        }
        self.rng.shuffle(&mut choices);
        if wrong.is_empty() {
            reject!("no distractor with a stated reason");
        }
        Draw::Item(Item {
            kind,
            chapter: self.chapter(&subject),
            prompt,
            choices,
            answers,
            scoring: Scoring::One,
            explanation,
            wrong,
            source,
        })
    }

    // --- index to code ----------------------------------------------------

    fn index_to_code(&mut self) -> Draw {
        let idx = &self.lib.index;
        let t = TermId(self.rng.below(idx.len()) as u32);
        let raw = idx.code(t);
        if raw.is_empty() || !idx.see(t).is_empty() {
            return Draw::Skip;
        }
        let words = path_words(idx, t);
        if !readable(&words) {
            return Draw::Skip;
        }
        let Ok(ic) = raw.parse::<IndexCode>() else {
            reject!("the index code '{raw}' cannot be read");
        };
        let tab = &self.lib.tabular;
        let Some(node) = tab.find(&ic.code) else {
            reject!("the index code is not in the tabular");
        };
        if tab.needs_seventh(node) {
            // The 7th-character kind exercises these.
            return Draw::Skip;
        }
        // Completeness: every index path with the same words leads here.
        for other in same_words(idx, &words) {
            let c = idx.code(other);
            if c.parse::<IndexCode>().ok() != Some(ic) {
                reject!("another index entry with the same words leads to another code");
            }
        }
        let path = idx.path_text(t);
        let source = format!(
            "Alphabetic Index {}: {path}; Tabular List {}",
            idx.release(),
            self.release()
        );
        if ic.incomplete || !tab.billable(node) {
            return self.complete_the_code(ic, node, &path, source);
        }
        if self.valid(&ic.code).is_none() {
            reject!("the code is not valid on the release date");
        }
        let answer = ic.code;
        let mut wrong = Vec::new();
        // Index siblings: other subterms of the same term, other codes.
        if let Some(parent) = idx.parent(t) {
            let mut sibs = idx.children(parent);
            self.rng.shuffle(&mut sibs);
            for s in sibs {
                if s == t || wrong.len() >= 2 {
                    continue;
                }
                let Ok(sc) = idx.code(s).parse::<IndexCode>() else {
                    continue;
                };
                if sc.incomplete || sc.code == answer || self.valid(&sc.code).is_none() {
                    continue;
                }
                if wrong
                    .iter()
                    .any(|w: &Wrong| w.answer == sc.code.to_string())
                {
                    continue;
                }
                wrong.push(Wrong {
                    answer: sc.code.to_string(),
                    why: format!(
                        "{} is indexed at '{}': the statement does not document '{}'",
                        sc.code,
                        idx.path_text(s),
                        idx.term(s)
                    ),
                });
            }
        }
        for w in self.code_distractors(&answer, 4 - wrong.len().min(4)) {
            if !wrong.iter().any(|x| x.answer == w.answer) {
                wrong.push(w);
            }
        }
        let explanation = format!(
            "Index: {path} gives {ic}. Tabular: {answer} {} is a billable code with no further characters, so it is reported as is.",
            self.code_title(&answer)
        );
        self.item(
            Kind::IndexToCode,
            answer,
            format!("Code the diagnostic statement: \"{}\".", statement(&words)),
            vec![answer.to_string()],
            explanation,
            wrong,
            source,
        )
    }

    /// An index code with a dash, or one that now has children: the
    /// record's wording (the code's title) decides the code under it.
    fn complete_the_code(
        &mut self,
        ic: IndexCode,
        node: NodeId,
        path: &str,
        source: String,
    ) -> Draw {
        let tab = &self.lib.tabular;
        let under: Vec<NodeId> = tab
            .billable_descendants_up_to(node, 60)
            .into_iter()
            .filter(|d| !tab.is_generated(*d))
            .collect();
        let codes: Vec<(Code, String)> = under
            .iter()
            .filter_map(|d| Some((tab.code(*d)?, tab.title(*d).into_owned())))
            .filter(|(c, _)| self.valid(c).is_some())
            .collect();
        if codes.len() < 2 {
            return Draw::Skip;
        }
        let (answer, title) = codes[self.rng.below(codes.len())].clone();
        if codes
            .iter()
            .filter(|(_, t)| normalize(t) == normalize(&title))
            .count()
            > 1
        {
            reject!("two codes under the index code share a title");
        }
        let base = ic.code;
        let mut wrong = vec![Wrong {
            answer: base.to_string(),
            why: self.why(&base, &answer),
        }];
        let mut others: Vec<&(Code, String)> = codes.iter().filter(|(c, _)| *c != answer).collect();
        self.rng.shuffle(&mut others);
        for (c, t) in others.into_iter().take(3) {
            wrong.push(Wrong {
                answer: c.to_string(),
                why: format!("{c} is {t}: the record documents {title}"),
            });
        }
        let explanation = format!(
            "Index: {path} gives {ic}, which needs more characters. Tabular: under {base} {}, {answer} is {title}, what the record documents.",
            self.code_title(&base)
        );
        self.item(
            Kind::IndexToCode,
            answer,
            format!(
                "Complete the code: the index ({path}) gives {ic}; the record documents \"{title}\"."
            ),
            vec![answer.to_string()],
            explanation,
            wrong,
            source,
        )
    }

    // --- 7th character ----------------------------------------------------

    fn seventh(&mut self) -> Draw {
        let tab = &self.lib.tabular;
        let id = NodeId(self.rng.below(tab.len()) as u32);
        if !tab.needs_seventh(id) {
            return Draw::Skip;
        }
        let base = some_or_skip!(tab.code(id));
        let options = tab.seventh_options(id);
        if options.len() < 2 {
            reject!("fewer than two 7th characters apply");
        }
        let o = options[self.rng.below(options.len())].clone();
        let same_meaning = options
            .iter()
            .filter(|x| normalize(x.meaning) == normalize(o.meaning))
            .count();
        if same_meaning > 1 {
            reject!("two 7th characters share a meaning");
        }
        if self.valid(&o.code).is_none() {
            reject!("the code is not valid on the release date");
        }
        let title = self.title(id);
        let meaning = o.meaning.to_lowercase();
        let mut wrong = vec![Wrong {
            answer: base.to_string(),
            why: format!("{base} needs a 7th character: {} for the {meaning}", o.ch),
        }];
        if base.len() < 6 {
            let short = format!("{}{}", base, o.ch);
            if short.parse::<Code>().is_ok_and(|c| c != o.code) {
                wrong.push(Wrong {
                    answer: short.clone(),
                    why: format!(
                        "{short} leaves out the placeholder X: the 7th character goes in the 7th position, {}",
                        o.code
                    ),
                });
            }
        }
        let mut others: Vec<_> = options.iter().filter(|x| x.ch != o.ch).collect();
        self.rng.shuffle(&mut others);
        for x in others.into_iter().take(2) {
            wrong.push(Wrong {
                answer: x.code.to_string(),
                why: format!(
                    "{} has 7th character {}, {}: the encounter is the {meaning}",
                    x.code,
                    x.ch,
                    x.meaning.to_lowercase()
                ),
            });
        }
        let src = tab.seventh_source(id);
        let defined = src.map(|s| tab.display_key(s)).unwrap_or_default();
        let narrowing = match src {
            Some(s) if tab.code(s).is_some_and(|c| c.len() > 3) => {
                " (the subcategory's own list, which narrows the category's)"
            }
            _ => "",
        };
        let explanation = format!(
            "Tabular: {base} {title} needs a 7th character. The 7th characters are defined at {defined}{narrowing}: {} is the {meaning}, so the code is {}{}.",
            o.ch,
            o.code,
            if base.len() < 6 { ", with the placeholder X filling the empty positions" } else { "" }
        );
        self.item(
            Kind::Seventh,
            o.code,
            format!("{base} {title}: the encounter is the {meaning}. Give the complete code."),
            vec![o.code.to_string()],
            explanation,
            wrong,
            format!("Tabular List {}: {defined} 7th characters", self.release()),
        )
    }

    // --- Excludes1 --------------------------------------------------------

    /// A billable code the note's first readable prefix target names.
    fn note_target(&mut self, text: &str) -> Option<Code> {
        let prefixes: Vec<String> = targets(text)
            .into_iter()
            .filter_map(|t| match t {
                Target::Prefix(p) => Some(p),
                _ => None,
            })
            .collect();
        let p = self.rng.pick(&prefixes)?.clone();
        let node = self.lib.tabular.find(&p.parse().ok()?)?;
        self.billable_under(node)
    }

    /// A node with an own note of `kind`, the note's text, and where it is.
    fn node_with_note(&mut self, kind: NoteKind) -> Option<(NodeId, String)> {
        let tab = &self.lib.tabular;
        let pool = self.with_note.entry(kind).or_insert_with(|| {
            tab.ids()
                .filter(|id| tab.code(*id).is_some())
                .filter(|id| tab.own_notes(*id).iter().any(|n| n.kind == kind))
                .collect()
        });
        let id = *pool.get(self.rng.below(pool.len()))?;
        let notes: Vec<String> = tab
            .own_notes(id)
            .into_iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.text.to_string())
            .collect();
        let text = self.rng.pick(&notes)?.clone();
        Some((id, text))
    }

    /// An Excludes1 pair the record checker confirms: (code under the
    /// note, code the note names, where, the note).
    fn excludes1_pair(&mut self) -> Result<Option<(Code, Code, String, String)>, String> {
        let Some((id, text)) = self.node_with_note(NoteKind::Excludes1) else {
            return Ok(None);
        };
        let Some(x) = self.note_target(&text) else {
            return Ok(None);
        };
        let Some(y) = self.billable_under(id) else {
            return Err("no valid billable code under the note".into());
        };
        if x.category() == y.category() && (x.starts_with(&y) || y.starts_with(&x)) {
            return Err("the note names the code itself".into());
        }
        let (ys, xs) = (y.to_string(), x.to_string());
        let confirmed = self.findings(&y, &[x]).iter().any(|f| {
            f.rule_id == "tabular.excludes1" && f.codes.contains(&ys) && f.codes.contains(&xs)
        });
        if !confirmed {
            return Err("the record check does not confirm the Excludes1 pair".into());
        }
        Ok(Some((y, x, self.lib.tabular.display_key(id), text)))
    }

    fn excludes1(&mut self) -> Draw {
        if self.rng.coin() {
            return self.excludes2_yes();
        }
        let (y, x, at, text) = match self.excludes1_pair() {
            Ok(Some(p)) => p,
            Ok(None) => return Draw::Skip,
            Err(why) => return Draw::Reject(why),
        };
        let explanation = format!(
            "Tabular: {y} {} falls under an Excludes1 note at {at}: \"{text}\". Excludes1 means the two conditions cannot occur together, so {y} and {x} {} are never reported together: code the one the record supports.",
            self.code_title(&y),
            self.code_title(&x)
        );
        let wrong = vec![Wrong {
            answer: "yes".into(),
            why: format!("{y} and {x} may not be reported together: Excludes1 at {at}: {text}"),
        }];
        let prompt = format!(
            "Can {y} ({}) and {x} ({}) be reported together on one record?",
            self.code_title(&y),
            self.code_title(&x)
        );
        let source = format!("Tabular List {}: Excludes1 at {at}", self.release());
        self.item(
            Kind::Excludes1,
            y,
            prompt,
            vec!["no".into()],
            explanation,
            wrong,
            source,
        )
    }

    /// The "yes" side: an Excludes2 note ("not included here") allows both
    /// codes, and the record checker finds no Excludes1 between them.
    fn excludes2_yes(&mut self) -> Draw {
        let (id, text) = some_or_skip!(self.node_with_note(NoteKind::Excludes2));
        let x = some_or_skip!(self.note_target(&text));
        let Some(y) = self.billable_under(id) else {
            reject!("no valid billable code under the note");
        };
        if x.category() == y.category() {
            reject!("the note names a code of the same category");
        }
        let (ys, xs) = (y.to_string(), x.to_string());
        let both = [y, x];
        let conflict = [(y, x), (x, y)].iter().any(|(p, s)| {
            self.checker
                .check(&self.record(p, &[*s], "F"))
                .iter()
                .any(|f| {
                    f.rule_id.starts_with("tabular.excludes1")
                        && f.codes.contains(&ys)
                        && f.codes.contains(&xs)
                })
        });
        if conflict {
            reject!("an Excludes1 note elsewhere forbids the pair");
        }
        let at = self.lib.tabular.display_key(id);
        let explanation = format!(
            "Tabular: {y} {} falls under an Excludes2 note at {at}: \"{text}\". Excludes2 means \"not included here\": when the patient has both conditions, both {} and {} are reported.",
            self.code_title(&y),
            both[0],
            both[1]
        );
        let wrong = vec![Wrong {
            answer: "no".into(),
            why: format!("the note at {at} is Excludes2, not Excludes1: it allows {y} and {x} together when the patient has both"),
        }];
        let prompt = format!(
            "Can {y} ({}) and {x} ({}) be reported together on one record?",
            self.code_title(&y),
            self.code_title(&x)
        );
        let source = format!("Tabular List {}: Excludes2 at {at}", self.release());
        self.item(
            Kind::Excludes1,
            y,
            prompt,
            vec!["yes".into()],
            explanation,
            wrong,
            source,
        )
    }

    // --- sequencing -------------------------------------------------------

    /// An etiology and a manifestation the record checker confirms in both
    /// orders: (etiology, manifestation, where the code first note is, its text).
    fn sequencing_pair(&mut self) -> Result<Option<(Code, Code, String, String)>, String> {
        let Some((id, text)) = self.node_with_note(NoteKind::CodeFirst) else {
            return Ok(None);
        };
        let Some(e) = self.note_target(&text) else {
            return Ok(None);
        };
        let Some(m) = self.billable_under(id) else {
            return Err("no valid billable code under the note".into());
        };
        if e.category() == m.category() {
            return Err("the note names a code of the same category".into());
        }
        const MANIFESTATION: [&str; 3] = [
            "tabular.manifestation_before_etiology",
            "mce.manifestation_as_pdx",
            "tabular.manifestation_without_etiology",
        ];
        let wrong_order = self.findings(&m, &[e]);
        if !wrong_order
            .iter()
            .any(|f| MANIFESTATION[..2].contains(&f.rule_id))
        {
            return Err("the record check does not require the etiology first".into());
        }
        if self.findings(&e, &[m]).iter().any(|f| {
            MANIFESTATION.contains(&f.rule_id) || f.rule_id.starts_with("tabular.excludes1")
        }) {
            return Err("the record check does not accept the etiology first either".into());
        }
        Ok(Some((e, m, self.lib.tabular.display_key(id), text)))
    }

    fn sequencing(&mut self) -> Draw {
        let (e, m, at, text) = match self.sequencing_pair() {
            Ok(Some(p)) => p,
            Ok(None) => return Draw::Skip,
            Err(why) => return Draw::Reject(why),
        };
        let explanation = format!(
            "Tabular: {m} {} is a manifestation code with a code first note at {at}: \"{text}\". The etiology, {e} {}, is sequenced first and {m} follows it.",
            self.code_title(&m),
            self.code_title(&e)
        );
        let wrong = vec![Wrong {
            answer: m.to_string(),
            why: format!("{e} must be sequenced first: code first note at {at}"),
        }];
        let prompt = format!(
            "The patient has {} ({e}) with {} ({m}). Which code is sequenced first?",
            self.code_title(&e),
            self.code_title(&m)
        );
        let source = format!("Tabular List {}: code first note at {at}", self.release());
        self.item(
            Kind::Sequencing,
            e,
            prompt,
            vec![e.to_string()],
            explanation,
            wrong,
            source,
        )
    }

    // --- navigation -------------------------------------------------------

    /// The complete, valid code an index term gives.
    fn term_code<T: AsRef<[u8]>>(&self, tree: &Terms<T>, t: TermId) -> Option<Code> {
        let ic: IndexCode = tree.code(t).parse().ok()?;
        if ic.incomplete {
            return None;
        }
        self.valid(&ic.code).map(|_| ic.code)
    }

    fn navigation(&mut self) -> Draw {
        let idx = &self.lib.index;
        let t = TermId(self.rng.below(idx.len()) as u32);
        let (see, also) = (idx.see(t), idx.see_also(t));
        if see.is_empty() && also.is_empty() {
            return Draw::Skip;
        }
        let words = path_words(idx, t);
        if !readable(&words) {
            return Draw::Skip;
        }
        let path = idx.path_text(t);
        if same_words(idx, &words).len() > 1 {
            reject!("the same words are indexed twice");
        }
        let source = format!("Alphabetic Index {}: {path}", idx.release());
        if !see.is_empty() {
            if !idx.code(t).is_empty() {
                reject!("the term has both a code and a see reference");
            }
            let Some(r) = self.lib.resolve_see(idx, see) else {
                reject!("the see reference does not resolve in the index");
            };
            if !idx.see(r).is_empty() {
                reject!("the see reference leads to another see reference");
            }
            let Some(answer) = self.term_code(idx, r) else {
                reject!("the see target has no complete valid code");
            };
            let mut wrong: Vec<Wrong> = Vec::new();
            for c in idx.children(r) {
                if wrong.len() >= 3 {
                    break;
                }
                if let Some(cc) = self.term_code(idx, c).filter(|cc| *cc != answer) {
                    if !wrong.iter().any(|w| w.answer == cc.to_string()) {
                        wrong.push(Wrong {
                            answer: cc.to_string(),
                            why: format!(
                                "{cc} is indexed at '{}': the statement does not document '{}'",
                                idx.path_text(c),
                                idx.term(c)
                            ),
                        });
                    }
                }
            }
            for w in self.code_distractors(&answer, 2) {
                if !wrong.iter().any(|x| x.answer == w.answer) {
                    wrong.push(w);
                }
            }
            let explanation = format!(
                "Index: {path}: see {see}. Index: {} gives {answer}. Tabular: {answer} {} is billable.",
                idx.path_text(r),
                self.code_title(&answer)
            );
            return self.item(
                Kind::Navigation,
                answer,
                format!(
                    "Find \"{}\" in the Alphabetic Index and follow its cross-reference. Which code does it lead to?",
                    statement(&words)
                ),
                vec![answer.to_string()],
                    explanation,
                wrong,
                source,
            );
        }
        // see also: the term's own code answers the statement as written.
        let Some(answer) = self.term_code(idx, t) else {
            return Draw::Skip;
        };
        let Some(r) = self.lib.resolve_see(idx, also) else {
            reject!("the see also reference does not resolve in the index");
        };
        let mut wrong = Vec::new();
        if let Some(rc) = self.term_code(idx, r).filter(|rc| *rc != answer) {
            wrong.push(Wrong {
                answer: rc.to_string(),
                why: format!(
                    "{rc} is at '{}', where see also {also} points: see also is a place to look only when the documentation is not under {path}, and here it is",
                    idx.path_text(r)
                ),
            });
        }
        for w in self.code_distractors(&answer, 3 - wrong.len()) {
            if !wrong.iter().any(|x| x.answer == w.answer) {
                wrong.push(w);
            }
        }
        let explanation = format!(
            "Index: {path} gives {answer} (see also {also} is optional: it points to another entry to check when the documentation says more). Tabular: {answer} {} is billable.",
            self.code_title(&answer)
        );
        self.item(
            Kind::Navigation,
            answer,
            format!(
                "The record documents \"{}\". The index entry carries a see also reference. Which code is reported?",
                statement(&words)
            ),
            vec![answer.to_string()],
            explanation,
            wrong,
            source,
        )
    }

    // --- tables -----------------------------------------------------------

    fn tables(&mut self) -> Draw {
        let drug = self.rng.coin();
        let lib = self.lib;
        let tree = if drug { &lib.drug } else { &lib.neoplasm };
        let t = TermId(self.rng.below(tree.len()) as u32);
        let cells = tree.cells(t);
        let columns: Vec<&str> = tree.columns().into_iter().skip(1).collect();
        let filled: Vec<usize> = (0..cells.len().min(columns.len()))
            .filter(|j| !cells[*j].trim().is_empty())
            .collect();
        let j = *some_or_skip!(self.rng.pick(&filled));
        let words = path_words(tree, t);
        if !readable(&words) {
            return Draw::Skip;
        }
        // The code of a cell, with A for the initial encounter where a 7th
        // character is needed.
        let cell_code = |g: &Self, raw: &str| -> Option<Code> {
            let ic: IndexCode = raw.parse().ok()?;
            let tab = &g.lib.tabular;
            let node = tab.find(&ic.code)?;
            let code = if tab.needs_seventh(node) {
                tab.with_seventh(node, 'A').ok()?
            } else if ic.incomplete {
                return None;
            } else {
                ic.code
            };
            g.valid(&code).map(|_| code)
        };
        let Some(answer) = cell_code(self, cells[j]) else {
            reject!("the cell's code is incomplete or not valid on the release date");
        };
        for other in same_words(tree, &words) {
            if other != t && tree.cells(other).get(j).copied() != Some(cells[j]) {
                reject!("the same site or substance is listed twice with other codes");
            }
        }
        let column = columns[j];
        let path = tree.path_text(t);
        let mut wrong = Vec::new();
        for (k, raw) in cells.iter().enumerate() {
            if k == j || wrong.len() >= 3 {
                continue;
            }
            if let Some(c) = cell_code(self, raw).filter(|c| *c != answer) {
                if !wrong.iter().any(|w: &Wrong| w.answer == c.to_string()) {
                    wrong.push(Wrong {
                        answer: c.to_string(),
                        why: format!(
                            "{c} is in the column {}, not {column}",
                            columns.get(k).copied().unwrap_or("")
                        ),
                    });
                }
            }
        }
        let tab = &self.lib.tabular;
        let base_needs_seventh = cells[j]
            .parse::<IndexCode>()
            .ok()
            .and_then(|ic| tab.find(&ic.code))
            .is_some_and(|n| tab.needs_seventh(n));
        let (prompt, explanation) = if drug {
            (
                format!(
                    "Table of Drugs and Chemicals: {} ({}), initial encounter. Which code?",
                    statement(&words),
                    column.to_lowercase()
                ),
                format!(
                    "Table of Drugs and Chemicals: {path}, column {column}: {}{}. Tabular: {answer} {}.",
                    cells[j],
                    if base_needs_seventh { ", with 7th character A for the initial encounter" } else { "" },
                    self.code_title(&answer)
                ),
            )
        } else {
            (
                format!(
                    "Table of Neoplasms: {}, {}. Which code?",
                    statement(&words),
                    column.to_lowercase()
                ),
                format!(
                    "Table of Neoplasms: {path}, column {column}: {}. Tabular: {answer} {}.",
                    cells[j],
                    self.code_title(&answer)
                ),
            )
        };
        let source = format!("{} {}: {path}", tree.title(), tree.release());
        self.item(
            Kind::Tables,
            answer,
            prompt,
            vec![answer.to_string()],
            explanation,
            wrong,
            source,
        )
    }

    // --- abstract audit ---------------------------------------------------

    /// A billable valid code drawn from the Alphabetic Index (so it is a
    /// code coders reach), for clean records.
    fn common_code(&mut self) -> Option<Code> {
        let idx = &self.lib.index;
        let t = TermId(self.rng.below(idx.len()) as u32);
        let c = self.term_code(idx, t)?;
        // External causes, Z codes and newborn codes make poor principals.
        let first = c.as_str().as_bytes()[0];
        (!matches!(first, b'V' | b'W' | b'X' | b'Y' | b'Z' | b'P' | b'O')).then_some(c)
    }

    /// A record of three diagnoses with no error the check finds.
    fn clean_record(&mut self) -> Option<Vec<Code>> {
        let mut codes = Vec::new();
        while codes.len() < 3 {
            let c = self.common_code()?;
            if codes.iter().any(|x: &Code| x.category() == c.category()) {
                return None;
            }
            codes.push(c);
        }
        self.findings(&codes[0], &codes[1..])
            .is_empty()
            .then_some(codes)
    }

    fn audit(&mut self) -> Draw {
        let clean = some_or_skip!(self.clean_record());
        let mut codes = clean.clone();
        let mut planted: Vec<(&'static str, String)> = Vec::new();
        let tab = &self.lib.tabular;
        // 1. A header: one secondary replaced by its parent.
        if self.rng.coin() {
            let i = 1 + self.rng.below(2);
            if let Some(p) = codes[i].parent() {
                if tab.find(&p).is_some() {
                    codes[i] = p;
                    planted.push(("tabular.header_code", p.to_string()));
                }
            }
        }
        // 2. A code that needs a 7th character, without it.
        if self.rng.coin() || planted.is_empty() {
            let id = NodeId(self.rng.below(tab.len()) as u32);
            if tab.needs_seventh(id) {
                if let Some(c) = tab.code(id) {
                    codes.push(c);
                    planted.push(("tabular.seventh_missing", c.to_string()));
                }
            }
        }
        // 3. An Excludes1 pair.
        if self.rng.coin() {
            if let Ok(Some((y, x, _, _))) = self.excludes1_pair() {
                codes.push(y);
                codes.push(x);
                planted.push(("tabular.excludes1", y.to_string()));
            }
        }
        // 4. A manifestation as principal.
        if self.rng.coin() {
            if let Ok(Some((e, m, _, _))) = self.sequencing_pair() {
                codes.insert(0, m);
                codes.push(e);
                planted.push(("mce.manifestation_as_pdx", m.to_string()));
            }
        }
        if planted.is_empty() {
            return Draw::Skip;
        }
        // The patient is an adult: a newborn's code would be a second,
        // unplanted error in the story even where no edit flags it.
        if codes.iter().any(|c| c.as_str().starts_with('P')) {
            return Draw::Skip;
        }
        let mut seen = BTreeSet::new();
        if !codes.iter().all(|c| seen.insert(*c)) {
            reject!("a planted code repeats another");
        }
        let findings = self.findings(&codes[0], &codes[1..]);
        for (rule, code) in &planted {
            if !findings
                .iter()
                .any(|f| f.rule_id == *rule && f.codes.contains(code))
            {
                reject!("the record check does not find a planted error ({rule})");
            }
        }
        let mut at_fault: Vec<String> = Vec::new();
        for f in &findings {
            for c in &f.codes {
                if codes.iter().any(|x| x.to_string() == *c) && !at_fault.contains(c) {
                    at_fault.push(c.clone());
                }
            }
        }
        at_fault.sort();
        let wrong: Vec<Wrong> = codes
            .iter()
            .map(|c| c.to_string())
            .filter(|c| !at_fault.contains(c))
            .map(|c| Wrong {
                why: format!("{c} is not at fault: the record check finds nothing against it"),
                answer: c,
            })
            .collect();
        let listing: Vec<String> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "{} {c} {}",
                    if i == 0 { "principal" } else { "secondary" },
                    self.code_title(c)
                )
            })
            .collect();
        let mut explanation = String::from("The record check finds: ");
        explanation.push_str(
            &findings
                .iter()
                .map(|f| format!("{} ({})", f.message, f.authority))
                .collect::<Vec<_>>()
                .join("; "),
        );
        explanation.push('.');
        let prompt = format!(
            "Audit this inpatient record (female patient, 45): {}. Which codes are in error?",
            listing.join("; ")
        );
        let mut choices: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        choices.dedup();
        let chapter = codes.first().and_then(|c| self.chapter(c));
        Draw::Item(Item {
            kind: Kind::Audit,
            chapter,
            prompt,
            choices,
            answers: at_fault,
            scoring: Scoring::Set,
            explanation,
            wrong,
            source: format!(
                "Record check over Tabular List {} and MCE {}",
                self.release(),
                self.lib.mce.release()
            ),
        })
    }

    // --- case -------------------------------------------------------------

    fn case(&mut self) -> Draw {
        let (e, m, at, text) = match self.sequencing_pair() {
            Ok(Some(p)) => p,
            Ok(None) => return Draw::Skip,
            Err(why) => return Draw::Reject(why),
        };
        let idx = &self.lib.index;
        let t = TermId(self.rng.below(idx.len()) as u32);
        let Some(x) = self.term_code(idx, t) else {
            return Draw::Skip;
        };
        if !idx.see(t).is_empty() || [e, m].iter().any(|c| c.category() == x.category()) {
            return Draw::Skip;
        }
        let words = path_words(idx, t);
        if !readable(&words) {
            return Draw::Skip;
        }
        for other in same_words(idx, &words) {
            if self.term_code(idx, other) != Some(x) {
                reject!("another index entry with the same words leads to another code");
            }
        }
        if !matches!(x.as_str().as_bytes()[0], b'A'..=b'N' | b'R') {
            reject!("the secondary condition is not a disease or symptom code");
        }
        if !self.findings(&e, &[m, x]).is_empty() {
            reject!("the record check finds an error in the full code set");
        }
        let stated = statement(&words);
        let prompt = format!(
            "Case: the patient is admitted for {}, with {}. Also documented: \"{stated}\". Code the encounter: the principal diagnosis first, then the secondary diagnoses.",
            self.code_title(&e).to_lowercase(),
            self.code_title(&m).to_lowercase(),
        );
        let explanation = format!(
            "Principal: {e} {}, the reason for admission; the code first note at {at} (\"{text}\") puts it before its manifestation. Secondary: {m} {}. Secondary: {x}, from the index at {}. The record check finds no error in {e}, {m}, {x}.",
            self.code_title(&e),
            self.code_title(&m),
            idx.path_text(t)
        );
        let wrong = vec![Wrong {
            answer: m.to_string(),
            why: format!("{m} may not be the principal diagnosis: {e} must be sequenced first (code first note at {at})"),
        }];
        Draw::Item(Item {
            kind: Kind::Case,
            chapter: self.chapter(&e),
            prompt,
            choices: Vec::new(),
            answers: vec![e.to_string(), m.to_string(), x.to_string()],
            scoring: Scoring::PrincipalAndSecondaries,
            explanation,
            wrong,
            source: format!(
                "Tabular List {}: code first at {at}; Alphabetic Index {}: {}",
                self.release(),
                idx.release(),
                idx.path_text(t)
            ),
        })
    }
}

/// The ICD-10-PCS kind.
impl<D: AsRef<[u8]>, P: AsRef<[u8]>> Gen<'_, D, P> {
    /// A code of a Medical and Surgical row, described by its root
    /// operation's definition (the Definitions' own words), body part,
    /// approach, device and qualifier; the choices are the codes the same
    /// table body system allows with another root operation and the same
    /// other values, each wrong for its own definition. Validated: every
    /// choice is in the Tables, the answer is valid in the MCE on the release
    /// date, and the root operations' definitions differ.
    fn pcs(&mut self) -> Draw {
        let Some(pcs) = self.pcs else {
            reject!("the ICD-10-PCS tables (pcs.icdx) are not loaded");
        };
        let rows = pcs.row_count();
        let row = RowId(self.rng.below(rows.max(1)) as u32);
        if rows == 0 || !pcs.table_key(pcs.row_table(row)).starts_with('0') {
            // Other sections name no root operation in the Definitions' sense.
            return Draw::Skip;
        }
        let codes = pcs.row_codes(row);
        let code = *some_or_skip!(self.rng.pick(&codes));
        let axes = some_or_skip!(pcs.axes(&code));
        let definition = |label: &str| {
            pcs.definition('0', 3, label)
                .map(|k| k.definition)
                .filter(|d| !d.trim().is_empty())
        };
        let Some(meaning) = definition(&axes[2].label) else {
            reject!("the root operation has no definition");
        };
        if self
            .lib
            .mce
            .period_on(Table::Sg, code.as_str(), self.date)
            .is_none()
        {
            reject!("the code is not valid in the MCE on the release date");
        }
        // The same code with another root operation, where the Tables allow it.
        let mut wrong = Vec::new();
        for op in pcs.offered(&code.as_str()[..2]) {
            if op.ch == axes[2].ch {
                continue;
            }
            let mut other = code.as_str().to_string();
            other.replace_range(2..3, &op.ch.to_string());
            let Ok(other) = other.parse::<PcsCode>() else {
                continue;
            };
            if pcs.check(&other).is_err() {
                continue;
            }
            let Some(d) = definition(&op.label) else {
                continue;
            };
            if d == meaning {
                reject!("two root operations share a definition");
            }
            wrong.push(Wrong {
                answer: other.to_string(),
                why: format!("{other} is {} ({}): {}", op.label, op.ch, lower_first(&d)),
            });
        }
        if wrong.len() < 2 {
            reject!("fewer than two other root operations allow the rest of the code");
        }
        self.rng.shuffle(&mut wrong);
        wrong.truncate(3);
        let mut choices: Vec<String> = wrong.iter().map(|w| w.answer.clone()).collect();
        choices.push(code.to_string());
        self.rng.shuffle(&mut choices);
        let value = |i: usize| {
            let a = &axes[i];
            format!("{} {} ({})", a.title.to_lowercase(), a.label, a.ch)
        };
        let mut parts = vec![format!("on the {}", axes[3].label)];
        parts.push(format!("{} approach", axes[4].label.to_lowercase()));
        for i in [5, 6] {
            if !axes[i].label.starts_with("No ") {
                parts.push(format!(
                    "{}: {}",
                    axes[i].title.to_lowercase(),
                    axes[i].label
                ));
            }
        }
        let table = pcs.table_key(pcs.row_table(row));
        Draw::Item(Item {
            kind: Kind::Pcs,
            chapter: None,
            prompt: format!(
                "ICD-10-PCS: {}, {}. Which root operation is it, and which code?",
                meaning.trim_end_matches('.'),
                parts.join(", ")
            ),
            choices,
            answers: vec![code.to_string()],
            scoring: Scoring::One,
            explanation: format!(
                "The root operation is {} ({}): {}. Table {table} ({}, {}, {}); {}, {}, {}, {}: {code}.",
                axes[2].label,
                axes[2].ch,
                meaning.trim_end_matches('.'),
                axes[0].label,
                axes[1].label,
                axes[2].label,
                value(3),
                value(4),
                value(5),
                value(6)
            ),
            wrong,
            source: format!(
                "{} (pcs.icdx): table {table}; {}",
                pcs.release(),
                self.lib.mce.release()
            ),
        })
    }
}

/// `Cutting out...` as `cutting out...`, for a definition inside a sentence.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_join_index_words_as_a_coder_reads_them() {
        let s = |w: &[&str]| statement(w);
        assert_eq!(
            s(&["Diabetes", "type 2", "with", "nephropathy"]),
            "Diabetes, type 2 with nephropathy"
        );
        assert_eq!(
            s(&["Fracture", "radius", "lower end"]),
            "Fracture, radius, lower end"
        );
        assert_eq!(s(&["Anemia"]), "Anemia");
    }
}
