//! Readings: a statement's tokens with its abbreviations expanded. An
//! ambiguous abbreviation gives a few readings, the likeliest first.
//!
//! ```text
//! "CHF"       -> [congestive heart failure]
//! "MS, acute" -> [multiple sclerosis acute], [mitral stenosis acute]
//! ```
//!
//! Caveat: an abbreviation that is also an English word ("as") is read as
//! one only in capitals.

use super::*;

/// One query word: its stems to look for and how much it counts.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub(super) stem: String,
    pub(super) weight: f32,
    pub(super) prefix: bool,
}

/// Words that narrow a code to a child (laterality, encounter, acuity...)
/// more than they find it.
pub(super) const STEERING: &[&str] = &[
    "left",
    "right",
    "bilater",
    "initi",
    "subsequ",
    "encount",
    "sequela",
    "routin",
    "heal",
    "delay",
    "nonunion",
    "malunion",
    "unspecifi",
    "close",
    "open",
    "displac",
    "nondisplac",
    "without",
    "with",
    "type",
    "stage",
];

/// Whether a stem is a steering word.
pub fn is_steering(stem: &str) -> bool {
    STEERING.iter().any(|st| stem.starts_with(st))
}

/// Intent words that choose a column of the Table of Drugs and Chemicals.
pub(super) const DRUG_COLUMNS: &[&[&str]] = &[
    &[
        "accident", "unintent", "overdos", "poison", "toxic", "ingest", "intox",
    ],
    &["intent", "self", "harm", "suicid", "attempt"],
    &["assault", "homicid"],
    &["undetermin"],
    &[
        "advers",
        "effect",
        "reaction",
        "side",
        "allerg",
        "proper",
        "therapeut",
        "correct",
        "prescrib",
    ],
    &[
        "underdos",
        "noncompli",
        "discontinu",
        "miss",
        "insuffici",
        "skip",
    ],
];

/// Behaviour words that choose a column of the Table of Neoplasms.
pub(super) const NEOPLASM_COLUMNS: &[&[&str]] = &[
    &[
        "malign",
        "primari",
        "cancer",
        "carcinoma",
        "sarcoma",
        "adenocarcinoma",
    ],
    &["secondari", "metastat", "metastas", "met"],
    &["situ"],
    &["benign"],
    &["uncertain"],
    &["unspecifi", "tumor", "mass", "lesion", "growth"],
];

/// Tokens of a statement with abbreviations expanded: each reading is a
/// list of words. Ambiguous abbreviations give a few readings.
pub(super) fn readings<D: AsRef<[u8]>>(
    idx: &SearchIndex<D>,
    original: &str,
    typing: bool,
) -> Vec<Vec<(String, bool)>> {
    // (raw, normalized) tokens.
    let raw: Vec<&str> = original
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '\''))
        .filter(|t| !t.is_empty())
        .collect();
    let tokens: Vec<(String, String)> = raw
        .iter()
        .flat_map(|r| {
            // Keep "w/", "s/p", "r/o" whole for the dictionary; split other slashes.
            if r.contains('/') && r.len() <= 4 {
                vec![(r.to_string(), r.to_lowercase())]
            } else {
                r.split('/')
                    .filter(|p| !p.is_empty())
                    .map(|p| (p.to_string(), normalize(p)))
                    .collect()
            }
        })
        .filter(|(_, n)| !n.is_empty())
        .collect();
    let mut slots: Vec<Vec<Vec<String>>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = false;
        for n in (1..=3).rev() {
            if i + n > tokens.len() {
                continue;
            }
            let key = tokens[i..i + n]
                .iter()
                .map(|(_, t)| normalize(&t.replace('.', "")))
                .collect::<Vec<_>>()
                .join(" ");
            let key_slash = tokens[i..i + n]
                .iter()
                .map(|(_, t)| t.clone())
                .collect::<Vec<_>>()
                .join(" ");
            // "PVCs" is the plural of "PVC".
            // Only for acronyms typed in capitals, so "lues" stays a word.
            let acronym = n == 1 && tokens[i].0.chars().filter(|c| c.is_uppercase()).count() >= 2;
            let singular = key
                .strip_suffix('s')
                .filter(|k| acronym && k.len() >= 2)
                .map(str::to_string);
            // "A-fib" is "AFib" written in two pieces.
            let joined = tokens[i..i + n]
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<String>();
            let found = idx
                .abbreviation(&key)
                .or_else(|| {
                    if n > 1 {
                        idx.abbreviation(&normalize(&joined))
                    } else {
                        None
                    }
                })
                .or_else(|| idx.abbreviation(&normalize(&key_slash)))
                .or_else(|| singular.and_then(|k| idx.abbreviation(&k)));
            let Some(exp) = found else { continue };
            let upper = tokens[i..i + n].iter().all(|(r, _)| {
                r.chars().any(|c| c.is_alphabetic()) && !r.chars().any(|c| c.is_lowercase())
            });
            // A stop word ("as", "or") is an abbreviation only in capitals.
            if (exp.caps_only || (n == 1 && is_stop(&key))) && !upper {
                continue;
            }
            // A word that is itself in the vocabulary and not an acronym stays a word too.
            let alternatives: Vec<Vec<String>> = exp
                .meanings
                .iter()
                .take(3)
                .map(|m| normalize(m).split(' ').map(String::from).collect())
                .collect();
            if alternatives.is_empty() || exp.meanings.first() == Some(&"NONE") {
                continue;
            }
            slots.push(alternatives);
            i += n;
            matched = true;
            break;
        }
        if !matched {
            let (_, n) = &tokens[i];
            slots.push(vec![n.split(' ').map(String::from).collect()]);
            i += 1;
        }
    }
    // The first reading takes every first meaning; each further reading
    // changes one ambiguous slot.
    let first: Vec<Vec<String>> = slots.iter().map(|s| s[0].clone()).collect();
    let mut variants = vec![first.clone()];
    for (k, s) in slots.iter().enumerate() {
        for alt in s.iter().skip(1) {
            if variants.len() >= 4 {
                break;
            }
            let mut v = first.clone();
            v[k] = alt.clone();
            variants.push(v);
        }
    }
    let last_expanded = slots.last().is_some_and(|s| s.len() > 1 || s[0].len() > 1);
    variants
        .into_iter()
        .map(|v| {
            let flat: Vec<String> = v.into_iter().flatten().collect();
            let n = flat.len();
            flat.into_iter()
                .enumerate()
                .map(|(j, w)| (w, typing && j + 1 == n && !last_expanded))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use expect_test::{expect, Expect};

    /// Each reading as its words, `*` marking a word still being typed.
    fn check(query: &str, typing: bool, expect: Expect) {
        let (_, idx) = fixture::lib();
        let got: Vec<String> = readings(idx, query, typing)
            .iter()
            .map(|r| {
                r.iter()
                    .map(|(w, typed)| if *typed { format!("{w}*") } else { w.clone() })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        expect.assert_eq(&got.join(" | "));
    }

    #[test]
    fn abbreviations_expand_into_readings() {
        check("CHF", false, expect!["congestive heart failure"]);
        check(
            "acute CHF",
            false,
            expect!["acute congestive heart failure"],
        );
        check("CHFs", false, expect!["congestive heart failure"]);
        check("MS", false, expect!["multiple sclerosis | mitral stenosis"]);
        check("AS", false, expect!["aortic stenosis"]);
        check("as", false, expect!["as"]);
        check("heart fai", true, expect!["heart fai*"]);
        check("heart CHF", true, expect!["heart congestive heart failure"]);
        // A word the dictionary does not hold stays as typed.
        check("s/p fall", false, expect!["s/p fall"]);
        check("", false, expect![[""]]);
    }

    #[test]
    fn steering_words_narrow_more_than_they_find() {
        assert!(is_steering("left") && is_steering("bilater") && is_steering("initi"));
        assert!(!is_steering("heart") && !is_steering("fractur"));
    }
}
