//! The lookups a coder makes, over all artifacts together: a code's full
//! report (title, path, notes, seventh characters, validity) and index
//! browsing.
//!
//! Reports are plain serde types so the CLI prints them as JSON and the web
//! worker posts them to the page unchanged.

use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactError;
use crate::code::{Code, IndexCode};
use crate::date::Date;
use crate::mce::{Mce, Table};
use crate::tabular::{NodeId, NodeKind, NoteKind, Tabular};
use crate::terms::{TermId, Terms};

/// The bytes of every artifact, as read or fetched.
#[derive(Debug, Clone)]
pub struct Artifacts<D> {
    /// `tabular.icdx`
    pub tabular: D,
    /// `index.icdx`: the Alphabetic Index.
    pub index: D,
    /// `eindex.icdx`: the External Cause Index.
    pub eindex: D,
    /// `neoplasm.icdx`: the Table of Neoplasms.
    pub neoplasm: D,
    /// `drug.icdx`: the Table of Drugs and Chemicals.
    pub drug: D,
    /// `mce.icdx`: the Medicare Code Editor tables.
    pub mce: D,
}

impl<D> Artifacts<D> {
    /// The artifacts from their bytes in the order of [`ARTIFACT_FILES`];
    /// `None` unless there are exactly six.
    pub fn from_files(files: Vec<D>) -> Option<Artifacts<D>> {
        let [tabular, index, eindex, neoplasm, drug, mce]: [D; 6] = files.try_into().ok()?;
        Some(Artifacts {
            tabular,
            index,
            eindex,
            neoplasm,
            drug,
            mce,
        })
    }
}

/// File names of the artifacts, in the order of [`Artifacts`].
pub const ARTIFACT_FILES: [&str; 6] = crate::registry::LIBRARY_FILES;

/// Which file an open error came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {source}")]
pub struct OpenError {
    /// The artifact file name.
    pub file: &'static str,
    /// What is wrong with it.
    pub source: ArtifactError,
}

/// Everything ICD Desk knows, opened over any byte storage.
#[derive(Debug, Clone)]
pub struct Library<D> {
    /// The Tabular List.
    pub tabular: Tabular<D>,
    /// The Alphabetic Index.
    pub index: Terms<D>,
    /// The External Cause Index.
    pub eindex: Terms<D>,
    /// The Table of Neoplasms.
    pub neoplasm: Terms<D>,
    /// The Table of Drugs and Chemicals.
    pub drug: Terms<D>,
    /// The MCE tables.
    pub mce: Mce<D>,
}

impl<D: AsRef<[u8]>> Library<D> {
    /// Opens every artifact; the error names the file at fault.
    pub fn open(a: Artifacts<D>) -> Result<Library<D>, OpenError> {
        let e = |file: &'static str| move |source| OpenError { file, source };
        Ok(Library {
            tabular: Tabular::open(a.tabular).map_err(e(ARTIFACT_FILES[0]))?,
            index: Terms::open(a.index).map_err(e(ARTIFACT_FILES[1]))?,
            eindex: Terms::open(a.eindex).map_err(e(ARTIFACT_FILES[2]))?,
            neoplasm: Terms::open(a.neoplasm).map_err(e(ARTIFACT_FILES[3]))?,
            drug: Terms::open(a.drug).map_err(e(ARTIFACT_FILES[4]))?,
            mce: Mce::open(a.mce).map_err(e(ARTIFACT_FILES[5]))?,
        })
    }

    /// The data releases, for the app's footer and `icd verify`.
    pub fn releases(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("Tabular List", self.tabular.release()),
            ("Alphabetic Index", self.index.release()),
            ("External Cause Index", self.eindex.release()),
            ("Table of Neoplasms", self.neoplasm.release()),
            ("Table of Drugs and Chemicals", self.drug.release()),
            ("Medicare Code Editor", self.mce.release()),
        ]
    }

    /// The full report on a code. `on` asks for validity on a date of service.
    pub fn lookup(&self, code: &Code, on: Option<Date>) -> Result<CodeReport, LookupError> {
        let Some(id) = self.tabular.find(code) else {
            let periods = self.mce.periods(Table::Dx, code.as_str());
            return Err(if periods.is_empty() {
                let nearest = self.nearest(code);
                LookupError::Unknown {
                    code: *code,
                    nearest,
                }
            } else {
                LookupError::Retired {
                    code: *code,
                    periods: periods
                        .iter()
                        .map(|p| ValidityPeriod {
                            start: p.start,
                            end: p.end,
                        })
                        .collect(),
                }
            });
        };
        Ok(self.report(id, on))
    }

    /// The closest existing ancestor of an unknown code (`E11.9999` -> `E11.9`).
    fn nearest(&self, code: &Code) -> Option<CodeRef> {
        let mut c = code.parent();
        while let Some(p) = c {
            if let Some(id) = self.tabular.find(&p) {
                return Some(self.code_ref(id));
            }
            c = p.parent();
        }
        None
    }

    /// A code and title, for links.
    pub fn code_ref(&self, id: NodeId) -> CodeRef {
        CodeRef {
            code: self.tabular.display_key(id),
            title: self.tabular.title(id).into_owned(),
            billable: self.tabular.billable(id),
        }
    }

    /// The report on a tabular node.
    pub fn report(&self, id: NodeId, on: Option<Date>) -> CodeReport {
        let t = &self.tabular;
        let notes = t
            .notes(id)
            .into_iter()
            .map(|n| NoteReport {
                kind: n.kind,
                label: n.kind.label().to_string(),
                text: n.text.to_string(),
                from: t.display_key(n.from),
                inherited: n.from != id,
            })
            .collect();
        let seventh = if t.needs_seventh(id) {
            Some(SeventhReport {
                defined_at: t
                    .seventh_source(id)
                    .map(|s| t.display_key(s))
                    .unwrap_or_default(),
                options: t
                    .seventh_options(id)
                    .into_iter()
                    .map(|o| SeventhChoice {
                        ch: o.ch,
                        meaning: o.meaning.to_string(),
                        code: o.code.to_string(),
                    })
                    .collect(),
            })
        } else {
            None
        };
        let code = t.code(id);
        let periods: Vec<ValidityPeriod> = code
            .map(|c| {
                self.mce
                    .periods(Table::Dx, c.as_str())
                    .iter()
                    .map(|p| ValidityPeriod {
                        start: p.start,
                        end: p.end,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let validity = on.map(|date| {
            let period = code.and_then(|c| self.mce.period_on(Table::Dx, c.as_str(), date));
            Validity {
                date,
                valid: t.billable(id) && period.is_some(),
                reason: match (t.billable(id), period) {
                    (false, _) => "not billable: a more specific code is required".to_string(),
                    (true, Some(_)) => format!("valid on {date}"),
                    (true, None) => format!("not valid on {date}: see the validity periods"),
                },
            }
        });
        // Flags of the period in force on the date asked about, else of the latest one.
        let period = code.and_then(|c| match on {
            Some(date) => self.mce.period_on(Table::Dx, c.as_str(), date),
            None => self.mce.periods(Table::Dx, c.as_str()).last().copied(),
        });
        let mce_flags = period
            .map(|p| {
                self.mce
                    .flags_named(Table::Dx, p.flags)
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let children: Vec<CodeRef> = t
            .children(id)
            .into_iter()
            .map(|c| self.code_ref(c))
            .collect();
        let billable_children =
            if t.billable(id) || matches!(t.kind(id), NodeKind::Chapter | NodeKind::Block) {
                Vec::new()
            } else {
                t.billable_descendants(id)
                    .into_iter()
                    .take(200)
                    .map(|c| self.code_ref(c))
                    .collect()
            };
        CodeReport {
            code: t.display_key(id),
            title: t.title(id).into_owned(),
            kind: t.kind(id),
            billable: t.billable(id),
            path: t
                .ancestors(id)
                .into_iter()
                .map(|a| self.code_ref(a))
                .collect(),
            children,
            billable_children,
            notes,
            seventh,
            validity_periods: periods,
            validity,
            mce_flags,
        }
    }

    /// A term of the Alphabetic Index (or another tree) with its subterms.
    pub fn term_report(&self, tree: &Terms<D>, id: TermId, depth: usize) -> TermReport {
        let code = tree.code(id);
        let target = code.parse::<IndexCode>().ok().and_then(|ic| {
            let node = self.tabular.find(&ic.code)?;
            Some(CodeTarget {
                billable: self.tabular.billable(node) && !ic.incomplete,
                incomplete: ic.incomplete || !self.tabular.billable(node),
                title: self.tabular.title(node).into_owned(),
            })
        });
        TermReport {
            id,
            term: tree.term(id).to_string(),
            nemod: tree.nemod(id).to_string(),
            path: tree.path_text(id),
            code: code.to_string(),
            code_target: target,
            see: tree.see(id).to_string(),
            see_resolved: Some(tree.see(id))
                .filter(|s| !s.is_empty())
                .and_then(|s| self.resolve_see(tree, s)),
            see_also: tree.see_also(id).to_string(),
            see_also_resolved: Some(tree.see_also(id))
                .filter(|s| !s.is_empty())
                .and_then(|s| self.resolve_see(tree, s)),
            cells: tree
                .columns()
                .into_iter()
                .skip(1)
                .zip(tree.cells(id))
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect(),
            children: if depth == 0 {
                tree.children(id)
                    .into_iter()
                    .map(|c| TermReport::stub(tree, c))
                    .collect()
            } else {
                tree.children(id)
                    .into_iter()
                    .map(|c| self.term_report(tree, c, depth - 1))
                    .collect()
            },
        }
    }

    /// Resolves a `see`/`see also` target in `tree`, falling back to the
    /// Alphabetic Index (the tables refer to it) and to the Table of
    /// Neoplasms (`see Neoplasm, ...`).
    pub fn resolve_see(&self, tree: &Terms<D>, target: &str) -> Option<TermId> {
        let head = target
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if head.starts_with("neoplasm") && !std::ptr::eq(tree, &self.neoplasm) {
            return None;
        }
        tree.resolve(target)
    }
}

/// Why a code lookup found nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum LookupError {
    /// The code is well formed but not in ICD-10-CM.
    #[error("{code} is not an ICD-10-CM code{}", nearest.as_ref().map(|n| format!("; the nearest existing code is {} {}", n.code, n.title)).unwrap_or_default())]
    Unknown {
        /// The code asked for.
        code: Code,
        /// Its closest existing ancestor.
        nearest: Option<CodeRef>,
    },
    /// The code is no longer in the tabular but was valid in the past.
    #[error("{code} is no longer in the ICD-10-CM tabular; it was valid {}", periods.iter().map(|p| format!("from {} to {}", p.start, p.end.map(|e| e.to_string()).unwrap_or_else(|| "now".into()))).collect::<Vec<_>>().join(", "))]
    Retired {
        /// The code asked for.
        code: Code,
        /// When it was valid.
        periods: Vec<ValidityPeriod>,
    },
}

/// A code with its title, for links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRef {
    /// As printed (`E11.22`, `E08-E13`, `Chapter 4`).
    pub code: String,
    /// Title.
    pub title: String,
    /// Whether it can be reported.
    pub billable: bool,
}

/// An instructional note on a code's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteReport {
    /// Which kind.
    pub kind: NoteKind,
    /// Its heading (`Excludes1`).
    pub label: String,
    /// The note.
    pub text: String,
    /// Where it is written (`E11`, `E08-E13`, `Chapter 4`).
    pub from: String,
    /// Whether it is written at an ancestor.
    pub inherited: bool,
}

/// A seventh character on a code's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeventhChoice {
    /// The character.
    pub ch: char,
    /// What it means.
    pub meaning: String,
    /// The full code it builds.
    pub code: String,
}

/// The seventh characters of a code that needs one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeventhReport {
    /// Where the definition is written (the category, or a subcategory that narrows it).
    pub defined_at: String,
    /// The choices.
    pub options: Vec<SeventhChoice>,
}

/// A validity period from the MCE master.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityPeriod {
    /// First valid day.
    pub start: Date,
    /// Last valid day; `None` while valid.
    pub end: Option<Date>,
}

/// Whether a code may be reported on a date of service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    /// The date asked about.
    pub date: Date,
    /// Reportable on that date.
    pub valid: bool,
    /// Why or why not.
    pub reason: String,
}

/// Everything about one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeReport {
    /// As printed.
    pub code: String,
    /// Title.
    pub title: String,
    /// What it is.
    pub kind: NodeKind,
    /// Whether it can be reported.
    pub billable: bool,
    /// Chapter > block > category > ... down to the parent.
    pub path: Vec<CodeRef>,
    /// Direct children.
    pub children: Vec<CodeRef>,
    /// For a code that is not billable: the billable codes below it (first 200).
    pub billable_children: Vec<CodeRef>,
    /// Every note that applies, inherited ones first.
    pub notes: Vec<NoteReport>,
    /// For a code that needs a seventh character: the choices.
    pub seventh: Option<SeventhReport>,
    /// MCE validity periods.
    pub validity_periods: Vec<ValidityPeriod>,
    /// Validity on the date asked about.
    pub validity: Option<Validity>,
    /// MCE edit flags (on the date asked about, else the latest period).
    pub mce_flags: Vec<String>,
}

/// Where an index code leads in the tabular.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeTarget {
    /// The code is complete and billable.
    pub billable: bool,
    /// More characters are needed (index `-`, or the node now has children).
    pub incomplete: bool,
    /// The tabular title.
    pub title: String,
}

/// A term of the index or a table, with its subterms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermReport {
    /// Its id in its tree.
    pub id: TermId,
    /// The term.
    pub term: String,
    /// Nonessential modifiers.
    pub nemod: String,
    /// `Main > sub > ...`
    pub path: String,
    /// Code as printed in the index.
    pub code: String,
    /// What the tabular says of that code.
    pub code_target: Option<CodeTarget>,
    /// `see` target.
    pub see: String,
    /// The term the `see` target resolves to.
    pub see_resolved: Option<TermId>,
    /// `see also` target.
    pub see_also: String,
    /// The term the `see also` target resolves to.
    pub see_also_resolved: Option<TermId>,
    /// Table cells: (column heading, code).
    pub cells: Vec<(String, String)>,
    /// Subterms.
    pub children: Vec<TermReport>,
}

impl TermReport {
    fn stub<D: AsRef<[u8]>>(tree: &Terms<D>, id: TermId) -> TermReport {
        TermReport {
            id,
            term: tree.term(id).to_string(),
            nemod: tree.nemod(id).to_string(),
            path: String::new(),
            code: tree.code(id).to_string(),
            code_target: None,
            see: tree.see(id).to_string(),
            see_resolved: None,
            see_also: tree.see_also(id).to_string(),
            see_also_resolved: None,
            cells: Vec::new(),
            children: Vec::new(),
        }
    }
}
