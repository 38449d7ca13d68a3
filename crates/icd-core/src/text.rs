//! Text normalization shared by every key the artifacts store and every
//! query that looks them up, so the two always agree.
//!
//! ```
//! assert_eq!(icd_core::text::normalize("Ménière's  disease, NOS"), "meniere s disease nos");
//! ```

/// Folds a character to lower-case ASCII where a plain equivalent exists.
fn fold(c: char) -> Option<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c if c.is_ascii_alphanumeric() => c,
        _ => return None,
    })
}

/// Lower case, diacritics folded, every run of other characters one space.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        match fold(c) {
            Some(f) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(f);
            }
            None => space = true,
        }
    }
    out
}

/// The form cross references are matched in: parenthesized words
/// (nonessential modifiers such as `(of)`, `(s)`) dropped, then normalized.
/// `Loss (of), pregnancy` and `Disturbance(s)` match `Loss` and `Disturbance`.
pub fn reference_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                out.push(' ');
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    normalize(&out)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn cases() {
        for (input, want) in [
            ("Failure, heart", "failure heart"),
            ("  Abasia ", "abasia"),
            ("2,4-D", "2 4 d"),
            ("Ærø", "ro"),
            ("", ""),
            ("🙂 chf", "chf"),
        ] {
            assert_eq!(normalize(input), want, "{input}");
        }
    }

    #[test]
    fn reference_forms() {
        for (input, want) in [
            ("Loss (of)", "loss"),
            ("Disturbance(s)", "disturbance"),
            ("Abortion (complete) (spontaneous)", "abortion"),
            ("a (b (c)) d", "a d"),
        ] {
            assert_eq!(super::reference_form(input), want, "{input}");
        }
    }
}
