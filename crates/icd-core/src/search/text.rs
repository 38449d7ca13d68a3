//! Words as the search index and queries see them: normalized, stop words
//! dropped, English-stemmed. Build and query share these functions, so a
//! word always meets itself.

use rust_stemmers::{Algorithm, Stemmer};

use crate::text::normalize;

/// Words that carry no meaning for coding. `with`/`without` stay: the
/// classification turns on them.
const STOP: &[&str] = &[
    "a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "as", "is", "was",
    "be", "from", "nos", "mention", "pt", "patient", "s",
];

/// Whether a normalized word is a stop word.
pub fn is_stop(word: &str) -> bool {
    STOP.contains(&word)
}

thread_local! {
    static STEMMER: Stemmer = Stemmer::create(Algorithm::English);
}

thread_local! {
    /// Stems already computed: titles and paths repeat their words, and
    /// stemming is most of the cost of reading them.
    static MEMO: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Words remembered at most; past this the memo starts again.
const MEMO_MAX: usize = 50_000;

/// The stem of one normalized word.
pub fn stem(word: &str) -> String {
    // Small roman numerals are their figures: "type II" diabetes is
    // ICD-10-CM's "type 2", and "grade I" meets "grade 1".
    if let Some(n) = roman(word) {
        return n.to_string();
    }
    if word.len() <= 3 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_string();
    }
    if let Some(s) = MEMO.with(|m| m.borrow().get(word).cloned()) {
        return s;
    }
    let s = stem_uncached(word);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_MAX {
            m.clear();
        }
        m.insert(word.to_string(), s.clone());
    });
    s
}

/// The figure of a roman numeral from I to IV (normalized, lower case).
fn roman(word: &str) -> Option<&'static str> {
    match word {
        "i" => Some("1"),
        "ii" => Some("2"),
        "iii" => Some("3"),
        "iv" => Some("4"),
        _ => None,
    }
}

fn stem_uncached(word: &str) -> String {
    let mut s = STEMMER.with(|s| s.stem(word).into_owned());
    // Latin nouns meet their adjectives: myocardium ~ myocardial ("myocardi").
    if s.len() > 6 && s.ends_with("ium") {
        s.truncate(s.len() - 2);
    }
    s
}

/// Stems of the meaningful words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    normalize(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !is_stop(w))
        .map(stem)
        .collect()
}

/// Byte ranges of the words of `text` whose stems are in `stems`, for
/// highlighting what matched.
pub fn highlight(text: &str, stems: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let flush = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let w = normalize(&text[s..e]);
        if !w.is_empty() && stems.iter().any(|st| *st == stem(&w)) {
            out.push((s, e));
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            flush(s, i, &mut out);
        }
    }
    if let Some(s) = start {
        flush(s, text.len(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet() {
        assert_eq!(
            words("Diabetic kidney diseases of the"),
            words("diabetes kidney disease")
        );
        assert_eq!(words("Fracture, NOS"), ["fractur"]);
        assert_eq!(words("stage 3a"), ["stage", "3a"]);
        // Roman numerals meet their figures; a word that only starts like one does not.
        assert_eq!(words("Diabetes, type II"), words("diabetes type 2"));
        assert_eq!(words("grade I, class IV"), ["grade", "1", "class", "4"]);
        assert_eq!(words("ivy"), ["ivy"]);
        let text = "Failure, heart, congestive";
        let h = highlight(text, &words("heart failure"));
        assert_eq!(
            h.iter().map(|(s, e)| &text[*s..*e]).collect::<Vec<_>>(),
            ["Failure", "heart"]
        );
    }
}
