//! Combination codes a set of codes calls for: conditions the
//! classification presumes linked (Guideline I.A.15 "with") and codes that
//! contradict each other. One function, [`combinations`], for the record
//! check and the reading of notes alike.
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! use icd_core::record::combination::combinations;
//! let lib = lib();
//! let codes = ["I10", "N18.4"].map(|c| c.parse().unwrap());
//! let c = &combinations(&lib.tabular, &codes)[0];
//! assert_eq!(c.rule.id, "combination.hypertensive_ckd");
//! assert_eq!(c.add[0].to_string(), "I12.9"); // stage 1-4: I12.9; stage 5 or ESRD: I12.0
//! assert_eq!(c.replace[0].to_string(), "I10");
//! ```
//!
//! What is read from the tabular: the heart conditions and kidney diseases
//! hypertension combines with are the codes the includes notes of I11
//! ("any condition in I50.- or I51.4-I51.7, I51.89, I51.9 due to
//! hypertension") and I12 ("any condition in N18 and N26") name; the code
//! of I11, I12 or I13 is the one whose use-additional-code notes name
//! exactly the heart failure and CKD stage on the record (I13.0 asks for
//! I50.- and N18.1-N18.4, N18.9; I13.2 for I50.- and N18.5, N18.6). The
//! diabetes codes "without complications" are found by their titles in
//! E08-E13. An I11 or I12 code on the set counts for what its notes ask
//! (I11.0 for heart failure, I12.9 for stage 1-4 CKD): I11.0 with N18.4 is
//! I13.0, I12.9 with N18.6 is I12.0. COPD combines with pneumonia (J12-J18) and the other acute lower
//! respiratory infections (J20-J22).

use super::conventions::{targets, Target};
use super::rules::{self, Rule};
use super::{Finding, Prepared};
use crate::code::Code;
use crate::tabular::{NodeId, NoteKind, Tabular};

/// A combination the codes call for: what to report instead. Serializes
/// with the whole rule (`{"rule": {"id", "severity", "authority", ...},
/// "replace": ["I10"], ...}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Combination {
    /// The rule (its guideline and explanation).
    pub rule: &'static Rule,
    /// Codes of the set the combination replaces (`I10`, `J44.9`, `E11.9`).
    pub replace: Vec<Code>,
    /// Codes to report instead (`I13.0`); empty when the set's own codes
    /// suffice (E11.9 beside E11.22: drop E11.9).
    pub add: Vec<Code>,
    /// Codes of the set reported with the combination (`I50.23`, `N18.4`,
    /// `J18.9`).
    pub keep: Vec<Code>,
    /// When the codes do not tell which code of a category applies (two
    /// CKD stages): the category to choose under (`I12`), and `add` is empty.
    pub choose_under: Option<Code>,
}

impl Combination {
    /// Why, in words: "hypertension with chronic kidney disease is one
    /// combination code, the link presumed".
    pub fn reason(&self) -> String {
        let list = |c: &[Code]| {
            c.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let presumed = |what: &str| {
            format!("hypertension with {what} is coded with one combination code; the link is presumed unless the documentation says otherwise")
        };
        let is = |r: &Rule| std::ptr::eq(self.rule, r);
        let hypertensive = is(&rules::COMBINATION_HYPERTENSIVE_HEART)
            || is(&rules::COMBINATION_HYPERTENSIVE_CKD)
            || is(&rules::COMBINATION_HYPERTENSIVE_HEART_CKD);
        if hypertensive && !self.replace.iter().any(|c| c.as_str() == "I10") {
            format!(
                "{} does not agree with the heart failure and chronic kidney disease on the record; the hypertensive code follows them",
                list(&self.replace)
            )
        } else if is(&rules::COMBINATION_HYPERTENSIVE_HEART) {
            presumed("heart disease")
        } else if is(&rules::COMBINATION_HYPERTENSIVE_CKD) {
            presumed("chronic kidney disease")
        } else if is(&rules::COMBINATION_HYPERTENSIVE_HEART_CKD) {
            presumed("heart disease and chronic kidney disease")
        } else if is(&rules::COMBINATION_DIABETES_WITHOUT_COMPLICATIONS) {
            format!(
                "{} is diabetes without complications, but {} names a complication",
                list(&self.replace),
                list(&self.keep)
            )
        } else if is(&rules::COMBINATION_COPD_INFECTION) {
            "COPD with a lower respiratory infection is J44.0, with the infection coded also".into()
        } else {
            self.rule.title.to_string()
        }
    }

    /// What to do, in words: "Report I13.0 with I50.23, N18.4 instead of
    /// I10".
    pub fn advice(&self) -> String {
        let list = |c: &[Code]| {
            c.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let what = match (&self.choose_under, self.add.is_empty()) {
            (Some(cat), _) => format!("Report a code of {cat}.-"),
            (None, false) => format!("Report {}", list(&self.add)),
            (None, true) => format!("Remove {}", list(&self.replace)),
        };
        let with = if self.keep.is_empty() {
            String::new()
        } else {
            format!(" with {}", list(&self.keep))
        };
        if self.add.is_empty() && self.choose_under.is_none() {
            format!("{what}; keep {}", list(&self.keep))
        } else {
            format!("{what}{with} instead of {}", list(&self.replace))
        }
    }
}

/// Reports every combination the diagnoses of a record call for.
pub(crate) fn check<D: AsRef<[u8]>>(t: &Tabular<D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let codes: Vec<Code> =
        p.dx.iter()
            .filter(|d| d.node.is_some())
            .filter_map(|d| d.dx)
            .collect();
    if codes.len() < 2 {
        return;
    }
    for c in combinations(t, &codes) {
        let involved: Vec<Code> = c.replace.iter().chain(&c.keep).copied().collect();
        let items: Vec<&super::Item> =
            p.dx.iter()
                .filter(|d| d.dx.is_some_and(|x| involved.contains(&x)))
                .collect();
        let names: Vec<&str> = items.iter().map(|d| d.display.as_str()).collect();
        out.push(
            c.rule
                .finding(format!("{}: {}", names.join(", "), c.reason()))
                .with_codes(names)
                .with_fields(items.iter().map(|d| &*d.field))
                .with_fix(c.advice()),
        );
    }
}

/// Every combination the set of codes calls for, in the order of the rules
/// (hypertension, diabetes, COPD). Codes not in the tabular are ignored.
pub fn combinations<D: AsRef<[u8]>>(t: &Tabular<D>, codes: &[Code]) -> Vec<Combination> {
    let mut out = Vec::new();
    // One look at each code first: most sets have none of these.
    let (mut htn, mut dm, mut copd_) = (false, false, false);
    for c in codes {
        let s = c.as_str();
        let cat = s.get(..3).unwrap_or(s);
        htn |= matches!(cat, "I10" | "I11" | "I12");
        dm |= ("E08"..="E13").contains(&cat);
        copd_ |= s == "J449";
    }
    if htn {
        hypertension(t, codes, &mut out);
    }
    if dm {
        diabetes(t, codes, &mut out);
    }
    if copd_ {
        copd(t, codes, &mut out);
    }
    out
}

fn node<D: AsRef<[u8]>>(t: &Tabular<D>, key: &str) -> Option<NodeId> {
    t.find(&key.parse().ok()?)
}

/// The code targets of a node's own notes of one kind, one list per note.
fn note_targets<D: AsRef<[u8]>>(t: &Tabular<D>, id: NodeId, kind: NoteKind) -> Vec<Vec<Target>> {
    t.own_notes(id)
        .into_iter()
        .filter(|n| n.kind == kind)
        .map(|n| targets(n.text))
        .filter(|x| !x.is_empty())
        .collect()
}

/// Whether the target names codes of the code's category (`N18.1-N18.4`
/// and N18.6).
fn same_category(t: &Target, code: &Code) -> bool {
    let cat = code.category();
    match t {
        Target::Prefix(p) | Target::Range(p, _) => p.get(..3) == Some(cat.as_str()),
        _ => false,
    }
}

fn any(targets: &[Target], code: &Code) -> bool {
    targets.iter().any(|x| x.matches(code.as_str()))
}

/// I10 with heart disease, chronic kidney disease, or both (Guideline
/// I.C.9.a.1-3).
fn hypertension<D: AsRef<[u8]>>(t: &Tabular<D>, codes: &[Code], out: &mut Vec<Combination>) {
    let under = |c: &Code, cat: &str| c.category().as_str() == cat;
    // The hypertension codes of the set: I10, and an I11 or I12 code that
    // the other codes may make an I13 code (or another I11/I12 code).
    let base: Vec<Code> = codes
        .iter()
        .filter(|c| c.as_str() == "I10" || under(c, "I11") || under(c, "I12"))
        .copied()
        .collect();
    if base.is_empty() {
        return;
    }
    let (Some(i11), Some(i12), Some(i13)) = (node(t, "I11"), node(t, "I12"), node(t, "I13")) else {
        return;
    };
    let included = |id| -> Vec<Target> {
        note_targets(t, id, NoteKind::Includes)
            .into_iter()
            .flatten()
            .collect()
    };
    let (heart, kidney) = (included(i11), included(i12));
    let h: Vec<Code> = codes.iter().filter(|c| any(&heart, c)).copied().collect();
    let k: Vec<Code> = codes.iter().filter(|c| any(&kidney, c)).copied().collect();
    let heart_disease = !h.is_empty() || base.iter().any(|c| under(c, "I11"));
    let kidney_disease = !k.is_empty() || base.iter().any(|c| under(c, "I12"));
    let (category, rule) = match (heart_disease, kidney_disease) {
        (false, false) => return,
        (true, false) => (i11, &rules::COMBINATION_HYPERTENSIVE_HEART),
        (false, true) => (i12, &rules::COMBINATION_HYPERTENSIVE_CKD),
        (true, true) => (i13, &rules::COMBINATION_HYPERTENSIVE_HEART_CKD),
    };
    let parts: Vec<Code> = h.iter().chain(&k).copied().collect();
    // Each billable code of the category with the codes its use-additional
    // notes ask for, one list per note.
    let candidates: Vec<(NodeId, Vec<Vec<Target>>)> = t
        .billable_descendants(category)
        .into_iter()
        .map(|id| (id, note_targets(t, id, NoteKind::UseAdditionalCode)))
        .collect();
    let named = |n: &Vec<Target>| candidates.iter().any(|(_, ns)| ns.contains(n));
    // What the set's I11 and I12 codes already say, as the notes of the
    // candidates say it: I11.0 asks for I50.- (heart failure), I12.9 for
    // N18.1-N18.4, N18.9 (the stage).
    let implied: Vec<Vec<Target>> = base
        .iter()
        .filter_map(|c| t.find(c))
        .flat_map(|id| note_targets(t, id, NoteKind::UseAdditionalCode))
        .filter(named)
        // A code of the set says more: N18.6 beside I12.9 is stage 5.
        .filter(|n| !parts.iter().any(|p| n.iter().any(|x| same_category(x, p))))
        .collect();
    // A part tells the codes apart when some candidate's note names it.
    let telling: Vec<&Code> = parts
        .iter()
        .filter(|c| {
            candidates
                .iter()
                .any(|(_, ns)| ns.iter().any(|n| any(n, c)))
        })
        .collect();
    let fits: Vec<&(NodeId, Vec<Vec<Target>>)> = candidates
        .iter()
        .filter(|(_, ns)| {
            ns.iter()
                .all(|n| parts.iter().any(|c| any(n, c)) || implied.contains(n))
                && telling.iter().all(|c| ns.iter().any(|n| any(n, c)))
                && implied.iter().all(|n| ns.contains(n))
        })
        .collect();
    // The set's own code when it fits (I11.0 alone is right as it is).
    let chosen = fits
        .iter()
        .copied()
        .find(|(id, _)| t.code(*id).is_some_and(|c| base.contains(&c)))
        .or(match fits[..] {
            [one] => Some(one),
            _ => None,
        })
        .and_then(|(id, notes)| t.code(*id).map(|c| (c, notes)));
    if chosen.is_some_and(|(c, _)| base == [c]) {
        return;
    }
    let (add, keep, choose_under) = match chosen {
        Some((code, notes)) => {
            let keep = parts
                .iter()
                .filter(|c| notes.iter().any(|n| any(n, c)))
                .copied()
                .collect();
            (vec![code], keep, None)
        }
        None => (Vec::new(), parts.clone(), t.code(category)),
    };
    let mut replace: Vec<Code> = base
        .iter()
        .filter(|c| chosen.is_none_or(|(x, _)| x != **c))
        .copied()
        .collect();
    // Parts the combination code includes and asks no code for (I51.9 in I11.9).
    replace.extend(parts.iter().filter(|c| !keep.contains(c)));
    let add: Vec<Code> = add.into_iter().filter(|c| !codes.contains(c)).collect();
    out.push(Combination {
        rule,
        replace,
        add,
        keep,
        choose_under,
    });
}

/// A diabetes code "without complications" beside a code of the same
/// category "with" a complication (Guideline I.C.4.a).
fn diabetes<D: AsRef<[u8]>>(t: &Tabular<D>, codes: &[Code], out: &mut Vec<Combination>) {
    const BLOCK: &str = "E08-E13";
    let block = Target::Range("E08".into(), "E13".into());
    let Some(block_id) = t.find_key(BLOCK) else {
        return;
    };
    for c in codes.iter().filter(|c| block.matches(c.as_str())) {
        let Some(id) = t.find(c) else { continue };
        let in_block = t.ancestors(id).contains(&block_id);
        if !in_block || !t.title(id).contains("without complications") {
            continue;
        }
        let complications: Vec<Code> = codes
            .iter()
            .filter(|o| o.category() == c.category() && *o != c)
            .filter(|o| {
                t.find(o).is_some_and(|x| {
                    let title = t.title(x);
                    title.contains(" with ") && !title.contains("without complications")
                })
            })
            .copied()
            .collect();
        if complications.is_empty() {
            continue;
        }
        out.push(Combination {
            rule: &rules::COMBINATION_DIABETES_WITHOUT_COMPLICATIONS,
            replace: vec![*c],
            add: Vec::new(),
            keep: complications,
            choose_under: None,
        });
    }
}

/// COPD, unspecified (J44.9) with a lower respiratory infection: J44.0
/// "with (acute) lower respiratory infection", and the infection coded also
/// (its note; Guideline I.C.10.a).
fn copd<D: AsRef<[u8]>>(t: &Tabular<D>, codes: &[Code], out: &mut Vec<Combination>) {
    let Some(j449) = codes.iter().find(|c| c.as_str() == "J449") else {
        return;
    };
    let Some(j440) = node(t, "J44.0").and_then(|id| t.code(id)) else {
        return;
    };
    let infections = [
        Target::Range("J12".into(), "J18".into()),
        Target::Range("J20".into(), "J22".into()),
    ];
    let keep: Vec<Code> = codes
        .iter()
        .filter(|c| any(&infections, c))
        .copied()
        .collect();
    if keep.is_empty() {
        return;
    }
    out.push(Combination {
        rule: &rules::COMBINATION_COPD_INFECTION,
        replace: vec![*j449],
        add: if codes.contains(&j440) {
            Vec::new()
        } else {
            vec![j440]
        },
        keep,
        choose_under: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::{SourceKind, SourceNode, TabularSource};
    use expect_test::{expect, Expect};

    /// A diag node: `key title` with its notes and children.
    fn diag(
        key: &str,
        title: &str,
        notes: &[(NoteKind, &str)],
        kids: Vec<SourceNode>,
    ) -> SourceNode {
        let mut n = SourceNode::new(SourceKind::Diag, key, title);
        n.notes = notes.iter().map(|(k, t)| (*k, t.to_string())).collect();
        n.children = kids;
        n
    }

    fn leaf(key: &str, title: &str) -> SourceNode {
        diag(key, title, &[], Vec::new())
    }

    fn block(key: &str, kids: Vec<SourceNode>) -> SourceNode {
        let mut b = SourceNode::new(SourceKind::Block, key, key);
        b.children = kids;
        b
    }

    /// The part of the Tabular List the combinations read, as it is written.
    fn fixture() -> &'static Tabular<Vec<u8>> {
        use NoteKind::{Includes, UseAdditionalCode as Uac};
        static T: std::sync::OnceLock<Tabular<Vec<u8>>> = std::sync::OnceLock::new();
        T.get_or_init(|| {
            let hf = "code to identify type of heart failure (I50.-)";
            let early = "code to identify stage of chronic kidney disease (N18.1-N18.4, N18.9)";
            let late = "code to identify the stage of chronic kidney disease (N18.5, N18.6)";
            let htn = block(
                "I10-I1A",
                vec![
                    leaf("I10", "Essential (primary) hypertension"),
                    diag(
                        "I11",
                        "Hypertensive heart disease",
                        &[(Includes, "any condition in I50.- or I51.4-I51.7, I51.89, I51.9 due to hypertension")],
                        vec![
                            diag("I11.0", "Hypertensive heart disease with heart failure", &[(Uac, hf)], vec![]),
                            leaf("I11.9", "Hypertensive heart disease without heart failure"),
                        ],
                    ),
                    diag(
                        "I12",
                        "Hypertensive chronic kidney disease",
                        &[(Includes, "any condition in N18 and N26 - due to hypertension")],
                        vec![
                            diag("I12.0", "with stage 5 chronic kidney disease or end stage renal disease", &[(Uac, late)], vec![]),
                            diag("I12.9", "with stage 1 through stage 4 chronic kidney disease, or unspecified", &[(Uac, early)], vec![]),
                        ],
                    ),
                    diag(
                        "I13",
                        "Hypertensive heart and chronic kidney disease",
                        &[],
                        vec![
                            diag("I13.0", "with heart failure and stage 1 through stage 4", &[(Uac, hf), (Uac, early)], vec![]),
                            diag(
                                "I13.1",
                                "without heart failure",
                                &[],
                                vec![
                                    diag("I13.10", "without heart failure, with stage 1 through stage 4", &[(Uac, early)], vec![]),
                                    diag("I13.11", "without heart failure, with stage 5", &[(Uac, late)], vec![]),
                                ],
                            ),
                            diag("I13.2", "with heart failure and with stage 5", &[(Uac, hf), (Uac, late)], vec![]),
                        ],
                    ),
                ],
            );
            let heart = block(
                "I30-I5A",
                vec![
                    diag("I50", "Heart failure", &[], vec![leaf("I50.23", "Acute on chronic systolic heart failure")]),
                    diag("I51", "Complications of heart disease", &[], vec![leaf("I51.9", "Heart disease, unspecified")]),
                ],
            );
            let kidney = block(
                "N17-N19",
                vec![
                    leaf("N17.9", "Acute kidney failure, unspecified"),
                    diag("N18", "Chronic kidney disease (CKD)", &[], vec![leaf("N18.4", "stage 4 (severe)"), leaf("N18.6", "End stage renal disease")]),
                ],
            );
            let dm = block(
                "E08-E13",
                vec![diag(
                    "E11",
                    "Type 2 diabetes mellitus",
                    &[],
                    vec![
                        diag("E11.2", "Type 2 diabetes mellitus with kidney complications", &[], vec![leaf("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease")]),
                        leaf("E11.9", "Type 2 diabetes mellitus without complications"),
                        leaf("E11.A", "Type 2 diabetes mellitus without complications in remission"),
                    ],
                )],
            );
            let lungs = block(
                "J09-J4A",
                vec![
                    diag("J18", "Pneumonia, unspecified organism", &[], vec![leaf("J18.9", "Pneumonia, unspecified organism")]),
                    diag(
                        "J44",
                        "Other chronic obstructive pulmonary disease",
                        &[],
                        vec![
                            diag("J44.0", "with (acute) lower respiratory infection", &[(NoteKind::CodeAlso, "to identify the infection")], vec![]),
                            leaf("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
                        ],
                    ),
                ],
            );
            let mut ch = SourceNode::new(SourceKind::Chapter, "1", "All of it");
            ch.children = vec![dm, htn, heart, kidney, lungs];
            let src = TabularSource { release: "fixture".into(), chapters: vec![ch] };
            Tabular::open(src.build(|_| true).unwrap().bytes).unwrap()
        })
    }

    /// Each combination as `rule: advice`.
    fn check(codes: &str, expect: Expect) {
        let codes: Vec<Code> = codes.split(' ').map(|c| c.parse().unwrap()).collect();
        let got: Vec<String> = combinations(fixture(), &codes)
            .iter()
            .map(|c| format!("{}: {}", c.rule.id, c.advice()))
            .collect();
        expect.assert_eq(&got.join("\n"));
    }

    #[test]
    fn hypertension_with_heart_and_kidney_disease() {
        check(
            "I10 N18.4",
            expect!["combination.hypertensive_ckd: Report I12.9 with N18.4 instead of I10"],
        );
        check(
            "I10 N18.6",
            expect!["combination.hypertensive_ckd: Report I12.0 with N18.6 instead of I10"],
        );
        check(
            "I10 I50.23",
            expect![
                "combination.hypertensive_heart_disease: Report I11.0 with I50.23 instead of I10"
            ],
        );
        check(
            "I10 I51.9",
            expect!["combination.hypertensive_heart_disease: Report I11.9 instead of I10, I51.9"],
        );
        check("I50.23 I10 N18.4", expect!["combination.hypertensive_heart_ckd: Report I13.0 with I50.23, N18.4 instead of I10"]);
        check("I50.23 I10 N18.6", expect!["combination.hypertensive_heart_ckd: Report I13.2 with I50.23, N18.6 instead of I10"]);
        check("I51.9 I10 N18.6", expect!["combination.hypertensive_heart_ckd: Report I13.11 with N18.6 instead of I10, I51.9"]);
        check("I10 N18.4 N18.6", expect!["combination.hypertensive_ckd: Report a code of I12.- with N18.4, N18.6 instead of I10"]);
        check(
            "I11.0 N18.4",
            expect!["combination.hypertensive_heart_ckd: Report I13.0 with N18.4 instead of I11.0"],
        );
        check(
            "I12.9 N18.6",
            expect!["combination.hypertensive_ckd: Report I12.0 with N18.6 instead of I12.9"],
        );
        check("I10 N17.9", expect![""]);
        check("I10", expect![""]);
        check("I12.9 N18.4", expect![""]);
        check("I11.0", expect![""]);
    }

    #[test]
    fn diabetes_without_complications_beside_a_complication() {
        check(
            "E11.9 E11.22",
            expect!["combination.diabetes_without_complications: Remove E11.9; keep E11.22"],
        );
        check(
            "E11.A E11.22",
            expect!["combination.diabetes_without_complications: Remove E11.A; keep E11.22"],
        );
        check("E11.9 E11.A", expect![""]);
        check("E11.22", expect![""]);
    }

    #[test]
    fn copd_with_pneumonia() {
        check("J44.9 J18.9", expect!["combination.copd_lower_respiratory_infection: Report J44.0 with J18.9 instead of J44.9"]);
        check("J44.0 J18.9", expect![""]);
        check("J44.9", expect![""]);
    }
}
