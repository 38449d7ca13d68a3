//! Statement handling: a note cut into statements, each read for negation,
//! uncertainty and history, its ICD-9-CM and clinical phrasing put in
//! ICD-10-CM's words, then answered as a code or as words.
//!
//! Caveat: the phrase tables are read in order; a later phrase sees what
//! the earlier ones wrote.

use super::*;

/// Where a text longer than `MAX_QUERY_BYTES` is cut (a char boundary).
pub(super) fn clip(text: &str) -> usize {
    let mut end = text.len().min(MAX_QUERY_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Splits a note into statements: lines, `;`, and sentences.
pub fn split_statements(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.split(['\n', '\r', ';']) {
        let mut rest = line;
        // A period followed by a space ends a sentence, unless it follows a
        // single letter or a digit (`St. Louis`, `E11.9`).
        while let Some(i) = rest.find(". ") {
            let before = rest[..i]
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            if before.len() <= 1 || before.chars().all(|c| c.is_ascii_digit()) {
                let (head, tail) = rest.split_at(i + 2);
                out.push(head);
                rest = tail;
                continue;
            }
            out.push(&rest[..i]);
            rest = &rest[i + 2..];
        }
        out.push(rest);
    }
    // Re-join pieces split after a single letter ("St." "Louis").
    let mut joined: Vec<&str> = Vec::new();
    for piece in out {
        let trimmed = piece.trim().trim_start_matches(['-', '*', '•']).trim();
        let list_marker = trimmed.split_once(['.', ')']).filter(|(n, _)| {
            !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())
        });
        let trimmed = list_marker.map(|(_, rest)| rest.trim()).unwrap_or(trimmed);
        if !trimmed.is_empty() && trimmed.chars().any(|c| c.is_alphanumeric()) {
            joined.push(trimmed);
        }
    }
    joined
}

pub(super) const NEGATION_STARTS: &[&str] = &[
    "no ",
    "not ",
    "denies ",
    "denied ",
    "deny ",
    "negative for ",
    "neg for ",
    "never ",
    "without evidence of ",
    "without signs of ",
    "free of ",
    "absence of ",
    "absent ",
    "ruled out ",
];
pub(super) const NEGATION_ENDS: &[&str] = &[
    " ruled out",
    " negative",
    " was negative",
    " is negative",
    " excluded",
    " absent",
    " not present",
];
pub(super) const NEGATED_FINDINGS: &[&str] =
    &["nkda", "nka", "afebrile", "nad", "wnl", "unremarkable"];
pub(super) const UNCERTAIN: &[&str] = &[
    "rule out ",
    "r/o ",
    "ro ",
    "probable ",
    "probably ",
    "possible ",
    "possibly ",
    "suspected ",
    "suspect ",
    "suspicion of ",
    "likely ",
    "questionable ",
    "query ",
    "presumed ",
    "concern for ",
    "versus ",
    "vs ",
];
pub(super) const HISTORY: &[&str] = &[
    "history of ",
    "hx of ",
    "h/o ",
    "hx ",
    "personal history of ",
    "past history of ",
];
/// ICD-9-CM phrasing and its ICD-10-CM reading, replaced in order (so a
/// longer phrase comes before the phrases inside it). The last
/// `LATE_PHRASES` are replaced after negation is read.
pub(super) const OLD_PHRASES: &[(&str, &str)] = &[
    // The fifth digits of ICD-9-CM's skull fractures and intracranial
    // injuries grade the loss of consciousness in bracketed hours;
    // ICD-10-CM's sixth characters say it in its own words.
    (
        "with no loss of consciousness",
        " without loss of consciousness ",
    ),
    (
        "brief [less than one hour] loss of consciousness",
        " loss of consciousness of 30 minutes or less ",
    ),
    (
        "brief [less than 1 hour] loss of consciousness",
        " loss of consciousness of 30 minutes or less ",
    ),
    (
        "moderate [1-24 hours] loss of consciousness",
        " loss of consciousness of 1 hour to 5 hours 59 minutes ",
    ),
    (
        "prolonged [more than 24 hours] loss of consciousness",
        " loss of consciousness greater than 24 hours ",
    ),
    (
        "without return to pre-existing conscious level",
        " without return to pre-existing conscious level with patient surviving ",
    ),
    // ICD-10-CM does not divide intracranial injuries by an open wound:
    // the wound is coded beside them (S06: code also any open wound of
    // head), so its absence says nothing.
    ("without mention of open intracranial wound", " "),
    // ICD-9-CM's motor vehicle accidents (E810-E825) name the injured
    // person by a fourth digit; ICD-10-CM names the victim's vehicle
    // first ("Car driver injured in ... in traffic accident"), and its car
    // is ICD-9-CM's "motor vehicle other than motorcycle". That the
    // accident involves a motor vehicle is said by the victim and the
    // collision, not by "motor vehicle" before "accident".
    (
        "driver of motor vehicle other than motorcycle",
        " car driver ",
    ),
    (
        "passenger in motor vehicle other than motorcycle",
        " car passenger ",
    ),
    ("motorcyclist", " motorcycle driver "),
    ("motor vehicle traffic accident", " traffic accident "),
    ("motor vehicle nontraffic accident", " nontraffic accident "),
    // ICD-9-CM names a burn's depth by what it did to the skin, with the
    // degree in brackets; ICD-10-CM says "burn of first (second, third)
    // degree", and does not tell a deep third degree burn with loss of a
    // body part from one without.
    (
        "deep necrosis of underlying tissues [deep third degree] without mention of loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissue [deep third degree] without mention of loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissues [deep third degree] with loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissue [deep third degree] with loss of a body part",
        " burn of third degree ",
    ),
    (
        "deep necrosis of underlying tissues [deep third degree]",
        " burn of third degree ",
    ),
    (
        "full-thickness skin loss [third degree, not otherwise specified]",
        " burn of third degree ",
    ),
    (
        "full-thickness skin loss [third degree not otherwise specified]",
        " burn of third degree ",
    ),
    (
        "full-thickness skin loss [third degree nos]",
        " burn of third degree ",
    ),
    (
        "blisters, epidermal loss [second degree]",
        " burn of second degree ",
    ),
    ("erythema [first degree]", " burn of first degree "),
    ("not stated as uncontrolled", " "),
    ("stated as uncontrolled", " "),
    // The fifth digits of the ICD-9-CM obstetric chapter name the episode
    // of care; ICD-10-CM says pregnancy (with a trimester), childbirth or
    // the puerperium instead.
    (
        "unspecified as to episode of care or not applicable",
        " pregnancy, unspecified trimester ",
    ),
    (
        "unspecified as to episode of care",
        " pregnancy, unspecified trimester ",
    ),
    (
        "delivered, with or without mention of antepartum condition",
        " childbirth ",
    ),
    // Delivered with a complication that arose after the delivery: the
    // puerperium.
    (
        "delivered, with mention of postpartum complication",
        " puerperium ",
    ),
    ("antepartum condition or complication", " pregnancy "),
    ("postpartum condition or complication", " puerperium "),
    ("without mention of", "without"),
    ("with mention of", "with"),
    ("not otherwise specified", " unspecified "),
    // ICD-10-CM titles keep "not elsewhere classified" (J90), so it is
    // not read as "other".
    ("not elsewhere classified", " "),
    // "Not specified as acute or chronic" is the unspecified code (but
    // "not specified as traumatic" is a title's own words, M75.12-).
    ("not specified as acute or chronic", " unspecified "),
    // ICD-9-CM's "amputation status" is ICD-10-CM's acquired absence (the
    // index: Amputation - see also Absence, by site, acquired).
    ("amputation status", " acquired absence "),
    // "Late effect" is ICD-9-CM's sequela (the index: Late effect(s) - see Sequelae).
    ("late effects of", " sequela of "),
    ("late effect of", " sequela of "),
    ("late effects", " sequela "),
    ("late effect", " sequela "),
    ("negative for", " "),
    ("positive for", " "),
];

/// The regions of ICD-9-CM's musculoskeletal fifth digits and the joint
/// each takes in (its site definitions: "upper arm" is the elbow joint and
/// the humerus, "pelvic region and thigh" the hip and the femur...), which
/// is what ICD-10-CM's site characters name.
pub(super) const SITE_JOINTS: &[(&str, &str)] = &[
    ("shoulder region", "shoulder"),
    ("upper arm", "elbow"),
    ("forearm", "wrist"),
    ("pelvic region and thigh", "hip"),
    ("lower leg", "knee"),
    ("other specified sites", "other site"),
    ("site unspecified", "unspecified site"),
];

/// The joint a statement's trailing region qualifier (", lower leg") takes
/// in, when it ends with one.
pub(super) fn site_joint(body: &str) -> Option<&'static str> {
    let tail = body.trim_end().rsplit_once(',')?.1.trim();
    SITE_JOINTS
        .iter()
        .find(|(region, _)| tail == *region)
        .map(|(_, joint)| *joint)
}

/// The episode-of-care phrases of ICD-9-CM's obstetric fifth digits.
pub(super) const EPISODES: &[&str] = &[
    "episode of care",
    "antepartum condition or complication",
    "postpartum condition or complication",
    "delivered, with",
];

/// An ICD-9-CM obstetric title names its episode of care after a generic
/// "of mother, complicating pregnancy, childbirth, or the puerperium": the
/// episode says which of the three (it is rewritten in `OLD_PHRASES`), so
/// the generic words, which would find all three alike, are dropped.
pub(super) fn obstetric_episode(lower: &str) -> String {
    if !EPISODES.iter().any(|e| lower.contains(e)) {
        return lower.to_string();
    }
    let mut out = lower.to_string();
    for generic in [
        "complicating pregnancy, childbirth, or the puerperium",
        "complicating pregnancy, childbirth, and the puerperium",
        "complicating pregnancy and the puerperium",
    ] {
        out = out.replace(generic, " complicating ");
    }
    for mother in [" of mother,", " in the mother,"] {
        out = out.replace(mother, " complicating,");
    }
    out
}

/// An ICD-9-CM open wound is "complicated" by delayed healing, delayed
/// treatment, a foreign body or infection; of these ICD-10-CM classifies
/// only the foreign body, in the codes of the wound's kind ("Laceration
/// with foreign body of ...", the kind an open wound that names no other
/// is), and the plain wound otherwise. So a complicated open wound reads
/// "laceration ... with foreign body", and "without complication" is
/// dropped.
pub(super) fn wound_complication(body: &str) -> String {
    if !body.contains("wound") {
        return body.to_string();
    }
    let body = body.replace("without complication", " ");
    if !body.contains(", complicated") {
        return body;
    }
    body.replace("open wound", "laceration")
        .replace(", complicated", " with foreign body ")
}

/// A number written with thousands separators ("1,250-1,499 grams") in
/// the classification's way ("1250-1499 grams"): a separator would
/// otherwise split it into numbers of its own.
pub(super) fn plain_numbers(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let separator = c == ','
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.len() >= i + 4
            && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit);
        if !separator {
            out.push(c);
        }
    }
    out
}

/// ICD-10-CM grades the loss of consciousness only in its intracranial
/// injury codes (S06): a fracture "without intracranial injury" has no
/// place for it, so the grade that ICD-9-CM's fifth digit adds after a
/// comma ("with brief loss of consciousness", "with concussion") is
/// dropped rather than let it find intracranial injuries.
pub(super) fn consciousness_without_injury(body: &str) -> String {
    let Some(at) = body.find("without intracranial injury") else {
        return body.to_string();
    };
    let after = at + "without intracranial injury".len();
    match body[after..].find(',') {
        Some(comma) => {
            let rest = &body[after + comma..];
            if rest.contains("conscious") || rest.contains("concussion") {
                format!("{} ", &body[..after + comma])
            } else {
                body.to_string()
            }
        }
        None => body.to_string(),
    }
}

/// Uncontrolled diabetes is, in the Alphabetic Index, "meaning
/// hyperglycemia" (Diabetes, uncontrolled: see Diabetes, by type, with
/// hyperglycemia), the commoner of its two readings.
pub(super) fn diabetes_control(body: &str) -> String {
    if !body.contains("diabet") || !body.contains("uncontrolled") {
        return body.to_string();
    }
    body.replace("uncontrolled", " with hyperglycemia ")
}

/// Whether a statement "absence of X" names what the Alphabetic Index
/// codes under its main term Absence (Absence, ear, congenital Q16.9;
/// Absence, menstruation - see Amenorrhea): a congenital or acquired
/// absence or an absent function, not a negated finding ("absence of
/// fever").
pub(super) fn indexed_absence<D: AsRef<[u8]>>(lib: &Library<D>, body: &str) -> bool {
    let Some(rest) = body.strip_prefix("absence of ") else {
        return false;
    };
    let what = rest.split(',').next().unwrap_or("").trim();
    if what.is_empty() {
        return false;
    }
    let Some(main) = lib.index.resolve("Absence") else {
        return false;
    };
    lib.index.children(main).into_iter().any(|c| {
        let part = normalize(lib.index.term(c).split(',').next().unwrap_or(""));
        let part = part.trim();
        !part.is_empty()
            && what
                .strip_suffix(part)
                .is_some_and(|before| before.is_empty() || before.ends_with(' '))
    })
}

/// How many of the last `OLD_PHRASES` are replaced after negation is read.
pub(super) const LATE_PHRASES: usize = 2;

pub(super) fn search_statement<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    statement: &str,
    opts: &Options,
) -> (StatementResult, String) {
    let mut lower = obstetric_episode(&format!(" {} ", plain_numbers(&statement.to_lowercase())));
    for (from, to) in OLD_PHRASES.iter().take(OLD_PHRASES.len() - LATE_PHRASES) {
        lower = lower.replace(from, to);
    }
    let mut body = lower
        .trim()
        .trim_start_matches("patient ")
        .trim_start_matches("pt ")
        .to_string();
    body.push(' ');
    let negated = (NEGATION_STARTS.iter().any(|n| body.starts_with(n))
        && !indexed_absence(lib, &body))
        || NEGATION_ENDS
            .iter()
            .any(|n| body.trim_end().ends_with(n.trim_start()) && body.trim_end().len() > n.len())
        || body.contains(" negative for ")
        || NEGATED_FINDINGS.contains(&body.trim());
    let mut uncertain = false;
    for u in UNCERTAIN {
        if body.starts_with(u) || body.contains(&format!(" {u}")) {
            uncertain = true;
            body = body.replacen(u, " ", 1);
        }
    }
    if body.trim_end().ends_with('?') {
        uncertain = true;
    }
    let history = HISTORY
        .iter()
        .any(|h| body.starts_with(h) || body.contains(&format!(" {h}")));
    let mut result = StatementResult {
        statement: statement.to_string(),
        negated,
        uncertain,
        history,
        note: None,
        suggestions: Vec::new(),
    };
    if negated {
        result.note = Some("negated finding: not coded".into());
        return (result, String::new());
    }
    if uncertain && opts.setting == Setting::Outpatient {
        result.note = Some("uncertain diagnosis: not coded in the outpatient setting; code the signs and symptoms (Guidelines IV.H)".into());
        return (result, String::new());
    }
    if uncertain {
        result.note = Some("uncertain diagnosis: coded as if established in the inpatient setting (Guidelines II.H); confirm with the documentation".into());
    }
    for (from, to) in &OLD_PHRASES[OLD_PHRASES.len() - LATE_PHRASES..] {
        body = body.replace(from, to);
    }
    body = wound_complication(&body);
    body = diabetes_control(&body);
    body = consciousness_without_injury(&body);
    if let Some(joint) = site_joint(&body) {
        body = format!("{} {joint} ", body.trim_end());
    }
    // Keep the user's capitals for abbreviations that are also English words.
    let original_case = if statement.to_lowercase().trim() == body.trim() {
        statement.to_string()
    } else {
        body.clone()
    };
    result.suggestions = if let Some(code) = code_query(statement) {
        code_suggestions(lib, &code, opts.top)
    } else {
        let typing = !statement.ends_with(char::is_whitespace);
        text_suggestions(lib, idx, &original_case, history, typing, opts)
    };
    (result, original_case)
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use expect_test::{expect, Expect};

    /// Each statement as `statement [flags]: top codes`, or its note.
    fn check(query: &str, setting: Setting, expect: Expect) {
        let (lib, idx) = fixture::lib();
        let opts = Options {
            setting,
            ..Options::default()
        };
        let got: Vec<String> = super::super::search(lib, idx, query, &opts)
            .iter()
            .map(|r| {
                let mut flags = Vec::new();
                for (on, name) in [
                    (r.negated, "negated"),
                    (r.uncertain, "uncertain"),
                    (r.history, "history"),
                ] {
                    if on {
                        flags.push(name);
                    }
                }
                let codes: Vec<&str> = r
                    .suggestions
                    .iter()
                    .take(2)
                    .map(|s| s.code.as_str())
                    .collect();
                format!(
                    "{} [{}]: {}{}",
                    r.statement,
                    flags.join(" "),
                    codes.join(" "),
                    r.note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                )
            })
            .collect();
        expect.assert_eq(&got.join("\n"));
    }

    #[test]
    fn a_note_is_read_statement_by_statement() {
        check(
            "1. CHF\n2. MS; mitral stenosis. ",
            Setting::Inpatient,
            expect![[r#"
                CHF []: I50.9 I50.20
                MS []: G35 I05.0
                mitral stenosis []: I05.0"#]],
        );
    }

    #[test]
    fn negated_and_uncertain_findings() {
        check(
            "No CHF ",
            Setting::Inpatient,
            expect!["No CHF [negated]:  (negated finding: not coded)"],
        );
        check(
            "CHF ruled out ",
            Setting::Inpatient,
            expect!["CHF ruled out [negated]:  (negated finding: not coded)"],
        );
        check("possible CHF ", Setting::Outpatient, expect!["possible CHF [uncertain]:  (uncertain diagnosis: not coded in the outpatient setting; code the signs and symptoms (Guidelines IV.H))"]);
        check("possible CHF ", Setting::Inpatient, expect!["possible CHF [uncertain]: I50.9 I50.20 (uncertain diagnosis: coded as if established in the inpatient setting (Guidelines II.H); confirm with the documentation)"]);
    }

    #[test]
    fn a_code_is_answered_with_codes() {
        check(
            "I50.2",
            Setting::Inpatient,
            expect!["I50.2 []: I50.2 I50.20"],
        );
        check("i5023", Setting::Inpatient, expect!["i5023 []: I50.23"]);
    }

    #[test]
    fn region_qualifiers_take_in_their_joint() {
        let check = |q: &str, want: Option<&str>| assert_eq!(site_joint(q), want, "{q}");
        check("hemarthrosis, lower leg ", Some("knee"));
        check("pyogenic arthritis, pelvic region and thigh", Some("hip"));
        check("pain in joint, upper arm", Some("elbow"));
        // Only a trailing qualifier, not a site inside the condition.
        check("fracture of lower leg", None);
        check("ulcer of lower leg, with fat layer exposed", None);
    }

    #[test]
    fn complicated_wounds_have_a_foreign_body() {
        assert_eq!(
            wound_complication("open wound of scalp, complicated").trim(),
            "laceration of scalp with foreign body"
        );
        assert_eq!(
            wound_complication("open wound of jaw, without complication").trim(),
            "open wound of jaw,"
        );
        // Other conditions keep their words.
        assert_eq!(
            wound_complication("diabetes, without complication"),
            "diabetes, without complication"
        );
    }

    #[test]
    fn obstetric_episode_replaces_the_generic_phrase() {
        assert_eq!(
            obstetric_episode(
                " obesity of mother, complicating pregnancy, childbirth, or the puerperium, postpartum condition or complication "
            ),
            " obesity complicating,  complicating , postpartum condition or complication "
        );
        // Without an episode the generic phrase is the title's own.
        let plain = " obesity complicating pregnancy, childbirth, and the puerperium ";
        assert_eq!(obstetric_episode(plain), plain);
    }

    #[test]
    fn thousands_separators_are_dropped_from_numbers_only() {
        assert_eq!(
            plain_numbers("infants, 1,250-1,499 grams"),
            "infants, 1250-1499 grams"
        );
        assert_eq!(plain_numbers("2,000- 2,499 grams"), "2000- 2499 grams");
        // A comma between a number and a word, or before more than three
        // digits, is punctuation.
        assert_eq!(plain_numbers("rib 2,3 fracture"), "rib 2,3 fracture");
        assert_eq!(plain_numbers("stage 3,1234"), "stage 3,1234");
        assert_eq!(plain_numbers("type 2, with"), "type 2, with");
    }

    #[test]
    fn a_fracture_without_intracranial_injury_loses_its_consciousness_grade() {
        assert_eq!(
            consciousness_without_injury(
                "open fracture of vault of skull without intracranial injury, with concussion, unspecified "
            ),
            "open fracture of vault of skull without intracranial injury "
        );
        // An intracranial injury keeps its grade, and so does a clause about something else.
        let kept = "cerebral contusion, with loss of consciousness of 30 minutes or less ";
        assert_eq!(consciousness_without_injury(kept), kept);
        let other = "fracture without intracranial injury, left side ";
        assert_eq!(consciousness_without_injury(other), other);
    }

    #[test]
    fn uncontrolled_diabetes_reads_as_hyperglycemia() {
        assert_eq!(
            diabetes_control("diabetes type 2, uncontrolled").trim(),
            "diabetes type 2,  with hyperglycemia"
        );
        // Only diabetes: uncontrolled hypertension keeps its words.
        assert_eq!(
            diabetes_control("uncontrolled hypertension"),
            "uncontrolled hypertension"
        );
    }

    #[test]
    fn statements() {
        assert_eq!(
            split_statements("1. CHF\n2. HTN; DM2. No pneumonia."),
            ["CHF", "HTN", "DM2", "No pneumonia."]
        );
        assert_eq!(
            split_statements("fx of E11.9 type. next"),
            ["fx of E11.9 type", "next"]
        );
        assert!(split_statements(" \n;; ").is_empty());
    }
}
