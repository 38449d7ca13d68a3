//! Refinement: a code that is not billable narrowed to the billable
//! descendant the query's words describe (laterality, encounter, acuity,
//! stage, type), or to the unspecified one when they describe none.
//!
//! Caveat: a code that needs a 7th character the words do not give stays
//! as it is, with its choices; [`super::assume_seventh`] may complete it.

use super::*;

/// Narrows a code that is not billable to the billable descendant the
/// query's words describe; with no such words, to the unspecified one. A
/// code that needs a seventh character the query does not give stays as it
/// is, with its choices.
pub(super) fn refine<D: AsRef<[u8]>>(
    lib: &Library<D>,
    node: NodeId,
    stems: &[String],
    w: &Weights,
) -> NodeId {
    let t = &lib.tabular;
    if t.billable(node) {
        return node;
    }
    let family = family(lib, node);
    let base = &family.base;
    let mut best: Option<(f32, usize, NodeId)> = None;
    let mut unspecified: Option<(usize, NodeId)> = None;
    let mut same: Option<(usize, NodeId)> = None;
    // The "other specified" child, for a statement that says "other".
    let mut other: Option<(usize, NodeId)> = None;
    // The child "without complications".
    let mut plain: Option<(usize, NodeId)> = None;
    let says_other = Residual::of_stems(stems) == Some(Residual::Other);
    let query = Polarity::of_query(stems);
    for kid in &family.kids {
        let (d, extra, len) = (kid.node, &kid.extra, kid.len);
        let kept: f32 = family
            .dividing
            .iter()
            .filter(|w| stems.contains(w) && kid.words.contains(w))
            .count() as f32;
        // Each query word counts once, however often the title repeats it.
        // A word the parent's title says too ("diabetic" beside "diabetes")
        // tells no child apart.
        // "With" and "without" only relate the words around them: a link
        // counts when the child puts under it a word the statement puts
        // under it too ("radius with ulna" says nothing of a fracture "with
        // nonunion"; "HHS without coma" is the child "without ... coma").
        let linked = |w: &String| match w.as_str() {
            "with" => kid.polarity.with.iter().any(|x| query.with.contains(x)),
            _ => kid
                .polarity
                .without
                .iter()
                .any(|x| query.without.contains(x)),
        };
        let mut hit_words: Vec<&String> = extra
            .iter()
            .filter(|w| stems.contains(w) && !base.contains(w) && (!is_link(w) || linked(w)))
            .collect();
        hit_words.sort();
        hit_words.dedup();
        let hits = hit_words.len() as f32 + kept;
        // "Unspecified" is what a statement that names no side, site or
        // type means: it is never held against a child.
        let misses = extra
            .iter()
            .filter(|w| !stems.contains(w) && !w.starts_with("unspecifi"))
            .count() as f32;
        let score = hits - w.refine_miss * misses;
        if hits > 0.0 && best.is_none_or(|(s, l, _)| score > s || (score == s && len < l)) {
            best = Some((score, len, d));
        }
        // A child whose title has its parent's words, no more and no
        // fewer ("Nausea" R11.0 is not all of R11), is the parent's
        // concept itself ("Other specified retinal disorders" H35.89 under
        // H35.8 of the same title): what a statement naming no narrower
        // kind means.
        // (Not under a parent that is itself unspecified, "Pain in limb,
        // unspecified", whose children name the limb.)
        if extra.is_empty()
            && kid.all_of_parent
            && !base.iter().any(|w| w.starts_with(UNSPECIFIED))
            && same.is_none_or(|(l, _)| len < l)
        {
            same = Some((len, d));
        }
        if says_other
            && !extra.is_empty()
            && extra.iter().all(|w| w == OTHER || w == "specifi")
            && other.is_none_or(|(l, _)| len < l)
        {
            other = Some((len, d));
        }
        // A child "without complications" is what a statement naming no
        // complication means (the index's default: Diabetes, type 1 E10.9).
        if !extra.is_empty()
            && extra
                .iter()
                .all(|w| w == "without" || w.starts_with("complic"))
            && plain.is_none_or(|(l, _)| len < l)
        {
            plain = Some((len, d));
        }
        // The plainest "unspecified" child: fewest words beyond the parent's,
        // no "with" that would add a condition nobody documented, and no
        // subcategory on the way that names a kind the statement does not
        // ("Type 1 diabetes mellitus, presymptomatic" above E10.A0).
        if extra.iter().any(|w| w.starts_with("unspecifi"))
            && !extra.iter().any(|w| w == "with")
            && unspecified.is_none_or(|(n, _)| extra.len() < n)
            && !unsaid_kind_between(lib, node, d, base, stems)
        {
            unspecified = Some((extra.len(), d));
        }
    }
    match best {
        // A seventh character must come from the documentation.
        Some((_, _, d)) if !t.is_generated(d) || seventh_given(lib, d, stems) => d,
        Some((_, _, d)) => t
            .parent(d)
            .filter(|p| *p != node && !t.billable(*p))
            .unwrap_or(node),
        // The unspecified code; one that takes a 7th character stops
        // before it (the encounter is not the statement's to give).
        None => same
            .or(other)
            .or(plain)
            .or(unspecified)
            .map_or(node, |(_, d)| {
                if t.is_generated(d) {
                    t.parent(d).unwrap_or(node)
                } else {
                    d
                }
            }),
    }
}

/// A code's billable descendants with their titles' words, read once per
/// code and kept (each keystroke and each statement of a note refines the
/// same few codes again).
#[derive(Debug)]
pub(super) struct Family {
    /// The stems of the code's own title.
    pub(super) base: Vec<String>,
    /// Words of `base` that some descendants keep and others drop.
    pub(super) dividing: Vec<String>,
    pub(super) kids: Vec<Kid>,
}

/// A billable descendant in a [`Family`].
#[derive(Debug)]
pub(super) struct Kid {
    pub(super) node: NodeId,
    /// The stems of its title.
    pub(super) words: Vec<String>,
    /// Its title's stems beyond its ancestor's, counted.
    pub(super) extra: Vec<String>,
    /// What `extra` puts under "with" and "without".
    pub(super) polarity: Polarity,
    /// Whether its title holds every stem of the ancestor's.
    pub(super) all_of_parent: bool,
    /// The length of its code.
    pub(super) len: usize,
}

/// Families kept at most; past it the cache starts again.
pub(super) const MAX_FAMILIES: usize = 1024;

pub(super) type Families = ((usize, usize), HashMap<u32, Rc<Family>>);

thread_local! {
    /// The [`Family`] of each refined code of one tabular (keyed by its
    /// release string's address and its size).
    static FAMILIES: RefCell<Families> = RefCell::new(((0, 0), HashMap::new()));
}

/// The [`Family`] of `node`, from the cache or read now.
pub(super) fn family<D: AsRef<[u8]>>(lib: &Library<D>, node: NodeId) -> Rc<Family> {
    let t = &lib.tabular;
    let owner = (t.release().as_ptr() as usize, t.len());
    FAMILIES.with(|cell| {
        let mut c = cell.borrow_mut();
        if c.0 != owner || c.1.len() >= MAX_FAMILIES {
            *c = (owner, HashMap::new());
        }
        c.1.entry(node.0)
            .or_insert_with(|| Rc::new(read_family(lib, node)))
            .clone()
    })
}

pub(super) fn read_family<D: AsRef<[u8]>>(lib: &Library<D>, node: NodeId) -> Family {
    let t = &lib.tabular;
    let base: Vec<String> = text::words(&t.title(node));
    // A generated code's title is its parent's plus the seventh character's
    // meaning: stem each of those once, not once per code.
    let mut parent_words: Vec<(NodeId, Vec<String>)> = Vec::new();
    let mut meaning_words: Vec<(String, Vec<String>)> = Vec::new();
    let mut kids: Vec<(NodeId, Vec<String>)> = Vec::new();
    for d in t.billable_descendants_up_to(node, 400) {
        let title_words: Vec<String> = match (t.is_generated(d), t.parent(d)) {
            (true, Some(p)) => {
                let pw = match parent_words.iter().find(|(n, _)| *n == p) {
                    Some((_, w)) => w.clone(),
                    None => {
                        let w = text::words(&t.title(p));
                        parent_words.push((p, w.clone()));
                        w
                    }
                };
                let title = t.title(d);
                let meaning = title.rsplit(", ").next().unwrap_or("").to_string();
                let mw = match meaning_words.iter().find(|(m, _)| *m == meaning) {
                    Some((_, w)) => w.clone(),
                    None => {
                        let w = text::words(&meaning);
                        meaning_words.push((meaning, w.clone()));
                        w
                    }
                };
                pw.into_iter().chain(mw).collect()
            }
            _ => text::words(&t.title(d)),
        };
        kids.push((d, title_words));
    }
    // A word of the parent's title that some children keep and others drop
    // ("Subluxation and dislocation of tarsal joint" has subluxation
    // children and dislocation children) tells them apart after all.
    let dividing: Vec<String> = base
        .iter()
        .filter(|w| {
            let keep = kids.iter().filter(|(_, k)| k.contains(w)).count();
            keep > 0 && keep < kids.len()
        })
        .cloned()
        .collect();
    let kids = kids
        .into_iter()
        .map(|(d, words)| {
            // The child's words beyond its parent's, counted: "unspecified
            // site of unspecified female breast" adds one "unspecified" to
            // "breast of unspecified site, female".
            let mut left = base.clone();
            let extra: Vec<String> = words
                .iter()
                .filter(|w| match left.iter().position(|b| b == *w) {
                    Some(i) => {
                        left.swap_remove(i);
                        false
                    }
                    None => true,
                })
                .cloned()
                .collect();
            let mut polarity = Polarity::default();
            Polarity::of_stems(&extra, &mut polarity);
            Kid {
                node: d,
                words,
                extra,
                polarity,
                all_of_parent: left.is_empty(),
                len: t.key(d).len(),
            }
        })
        .collect();
    Family {
        base,
        dividing,
        kids,
    }
}

/// Whether a word only links others ("with", "without").
pub(super) fn is_link(stem: &str) -> bool {
    stem == "with" || stem == "without"
}

/// Whether a subcategory between `node` and its descendant `d` that is
/// not itself unspecified adds to `node`'s title (`base`) a word the
/// statement does not say: a kind nobody documented.
pub(super) fn unsaid_kind_between<D: AsRef<[u8]>>(
    lib: &Library<D>,
    node: NodeId,
    d: NodeId,
    base: &[String],
    stems: &[String],
) -> bool {
    let t = &lib.tabular;
    let mut at = t.parent(d);
    while let Some(p) = at {
        if p == node {
            return false;
        }
        // A subcategory that is itself unspecified ("... of unspecified
        // site, female") is on the unspecified road.
        let words = text::words(&t.title(p));
        if !t.is_generated(p) && !words.iter().any(|w| w.starts_with(UNSPECIFIED)) {
            let unsaid = words
                .iter()
                .any(|w| !base.contains(w) && !stems.contains(w) && !is_link(w) && w != OTHER);
            if unsaid {
                return true;
            }
        }
        at = t.parent(p);
    }
    false
}

/// Whether the query names what a seventh character means: a word of its
/// meaning that is not already in the code's title ("initial", "mild",
/// "sequela"; not "fracture" or "encounter").
pub(super) fn seventh_given<D: AsRef<[u8]>>(
    lib: &Library<D>,
    generated: NodeId,
    stems: &[String],
) -> bool {
    let t = &lib.tabular;
    let Some(parent) = t.parent(generated) else {
        return false;
    };
    let base = text::words(&t.title(parent));
    let full = text::words(&t.title(generated));
    full.iter()
        .filter(|w| !base.contains(w) && !w.starts_with("encount"))
        .any(|w| stems.contains(w))
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use expect_test::{expect, Expect};

    /// The code `from` narrows to for the query words `words`.
    fn check(from: &str, words: &str, expect: Expect) {
        let (lib, _) = fixture::lib();
        let t = &lib.tabular;
        let node = t.find(&from.parse().unwrap()).unwrap();
        let stems = text::words(words);
        let got = refine(lib, node, &stems, &Weights::default());
        expect.assert_eq(&t.display_key(got));
    }

    #[test]
    fn words_choose_the_descendant() {
        check("I50.2", "acute on chronic", expect!["I50.23"]);
        check("I50.2", "chronic", expect!["I50.22"]);
        check("I50.2", "acute", expect!["I50.21"]);
        check("S52.52", "left", expect!["S52.522"]);
        check("S52.52", "right wrist", expect!["S52.521"]);
    }

    #[test]
    fn no_words_give_the_unspecified_code() {
        check("I50.2", "", expect!["I50.20"]);
        check("I50.2", "congestive", expect!["I50.20"]);
        check("S52.52", "", expect!["S52.529"]);
    }

    #[test]
    fn billable_codes_stay() {
        check("I50.9", "acute", expect!["I50.9"]);
        check("I50.23", "chronic", expect!["I50.23"]);
    }

    #[test]
    fn links_are_with_and_without() {
        assert!(is_link("with") && is_link("without"));
        assert!(!is_link("within"));
    }
}
