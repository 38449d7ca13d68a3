//! Typed ICD-10-CM and ICD-10-PCS codes.
//!
//! A [`Code`] is parsed once from whatever a user typed (`e11.22`, `E1122`,
//! ` E11.22 `) and kept in its canonical form: upper case, no dot. It prints
//! with the dot after the third character, as the Tabular List writes it.
//!
//! ```
//! use icd_core::Code;
//! let code: Code = " e11.22 ".parse().unwrap();
//! assert_eq!(code.as_str(), "E1122");
//! assert_eq!(code.to_string(), "E11.22");
//! assert!("E11.2.2".parse::<Code>().is_err());
//! ```
//!
//! Caveat: a syntactically valid code need not exist; ask the
//! [`Tabular`](crate::Tabular) or the [`Mce`](crate::Mce) tables.

use std::fmt;
use std::str::FromStr;

/// Why a string is not an ICD-10-CM code. Each variant says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing was typed. Type a code such as `E11.22`.
    #[error("no code given: type a code such as E11.22")]
    Empty,
    /// ICD-10-CM codes have 3 to 7 characters (not counting the dot).
    #[error(
        "'{input}' has {len} characters; ICD-10-CM codes have 3 to 7 (e.g. I10, E11.22, S52.521A)"
    )]
    Length {
        /// What was typed.
        input: String,
        /// Its length without the dot.
        len: usize,
    },
    /// A character that cannot appear at that position.
    #[error("'{input}': character '{ch}' at position {position} is not allowed; {expected}")]
    Character {
        /// What was typed.
        input: String,
        /// The offending character.
        ch: char,
        /// 1-based position in the code without the dot.
        position: usize,
        /// What the position takes.
        expected: &'static str,
    },
    /// The dot may only follow the third character.
    #[error("'{input}': the dot goes after the third character (e.g. E11.22)")]
    Dot {
        /// What was typed.
        input: String,
    },
}

/// Maximum length of an ICD-10 code without the dot.
pub const MAX_CODE_LEN: usize = 7;

/// An ICD-10-CM code (category, subcategory or full code), canonical form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    bytes: [u8; MAX_CODE_LEN],
    len: u8,
}

impl Code {
    /// The canonical form: upper case, no dot (`E1122`).
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    /// Number of characters, without the dot.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Always false: a code has at least three characters.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The three-character category this code belongs to.
    pub fn category(&self) -> Code {
        let mut c = *self;
        c.len = 3;
        c.bytes[3..].fill(0);
        c
    }

    /// The code without its last character, or `None` for a category.
    pub fn parent(&self) -> Option<Code> {
        if self.len <= 3 {
            return None;
        }
        let mut c = *self;
        c.len -= 1;
        c.bytes[c.len as usize] = 0;
        Some(c)
    }

    /// Whether `self` is `other` or lies below it (`E11.22` starts with `E11`).
    pub fn starts_with(&self, other: &Code) -> bool {
        self.as_str().starts_with(other.as_str())
    }

    /// Builds a 7-character code from `self` and a seventh character,
    /// filling positions 4 to 6 with the placeholder `X` where the code is
    /// shorter than six characters (`T36.0X1` + `A`, `W11` + `A` = `W11.XXXA`).
    pub fn with_seventh(&self, seventh: char) -> Result<Code, CodeError> {
        if self.len as usize >= MAX_CODE_LEN {
            return Err(CodeError::Length {
                input: format!("{self}{seventh}"),
                len: self.len as usize + 1,
            });
        }
        let mut s = self.as_str().to_string();
        while s.len() < 6 {
            s.push('X');
        }
        s.push(seventh);
        s.parse()
    }

    /// Parses a code without applying the ICD-10-CM position rules beyond
    /// "letters and digits"; used for ICD-9 or other free codes in notes.
    fn parse_canonical(input: &str) -> Result<Code, CodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(CodeError::Empty);
        }
        let mut bytes = [0u8; MAX_CODE_LEN];
        let mut len = 0usize;
        let mut seen_dot = false;
        for ch in trimmed.chars() {
            if ch == '.' {
                if seen_dot || len != 3 {
                    return Err(CodeError::Dot {
                        input: trimmed.to_string(),
                    });
                }
                seen_dot = true;
                continue;
            }
            let position = len + 1;
            let ok = match position {
                1 => ch.is_ascii_alphabetic(),
                // Usually a digit; FY2026 added letters here (QA0).
                _ => ch.is_ascii_alphanumeric(),
            };
            if !ok {
                let expected = match position {
                    1 => "the first character is a letter",
                    _ => "characters 2 to 7 are letters or digits",
                };
                return Err(CodeError::Character {
                    input: trimmed.to_string(),
                    ch,
                    position,
                    expected,
                });
            }
            if len == MAX_CODE_LEN {
                return Err(CodeError::Length {
                    input: trimmed.to_string(),
                    len: trimmed.chars().filter(|c| *c != '.').count(),
                });
            }
            bytes[len] = ch.to_ascii_uppercase() as u8;
            len += 1;
        }
        if len < 3 {
            return Err(CodeError::Length {
                input: trimmed.to_string(),
                len,
            });
        }
        if seen_dot && len == 3 {
            return Err(CodeError::Dot {
                input: trimmed.to_string(),
            });
        }
        Ok(Code {
            bytes,
            len: len as u8,
        })
    }
}

impl FromStr for Code {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Code, CodeError> {
        Code::parse_canonical(s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        if s.len() > 3 {
            write!(f, "{}.{}", &s[..3], &s[3..])
        } else {
            f.write_str(s)
        }
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({self})")
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A code as the Alphabetic Index or a note writes it: possibly followed by
/// `-`, meaning "more characters are needed" (`H93.29-`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct IndexCode {
    /// The characters given.
    pub code: Code,
    /// True when the index wrote a trailing `-`.
    pub incomplete: bool,
}

impl FromStr for IndexCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<IndexCode, CodeError> {
        let t = s.trim();
        let (body, incomplete) = match t.strip_suffix('-') {
            Some(b) => (b.strip_suffix('.').unwrap_or(b), true),
            None => (t, false),
        };
        Ok(IndexCode {
            code: body.parse()?,
            incomplete,
        })
    }
}

impl fmt::Display for IndexCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.incomplete {
            if self.code.len() == 3 {
                write!(f, "{}.-", self.code)
            } else {
                write!(f, "{}-", self.code)
            }
        } else {
            write!(f, "{}", self.code)
        }
    }
}

/// An ICD-10-PCS procedure code: exactly seven letters or digits (no `I`
/// or `O`, which PCS never uses), canonical upper case.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PcsCode([u8; 7]);

/// Why a string is not an ICD-10-PCS code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PcsCodeError {
    /// PCS codes have exactly seven characters.
    #[error("'{input}' is not an ICD-10-PCS code: PCS codes have exactly 7 letters or digits (e.g. 0DTJ4ZZ), without I or O")]
    Invalid {
        /// What was typed.
        input: String,
    },
}

impl PcsCode {
    /// The canonical form.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl FromStr for PcsCode {
    type Err = PcsCodeError;
    fn from_str(s: &str) -> Result<PcsCode, PcsCodeError> {
        let t = s.trim();
        let err = || PcsCodeError::Invalid {
            input: t.to_string(),
        };
        let b = t.as_bytes();
        if b.len() != 7 {
            return Err(err());
        }
        let mut out = [0u8; 7];
        for (o, c) in out.iter_mut().zip(b) {
            let u = c.to_ascii_uppercase();
            if !u.is_ascii_alphanumeric() || u == b'I' || u == b'O' {
                return Err(err());
            }
            *o = u;
        }
        Ok(PcsCode(out))
    }
}

impl fmt::Display for PcsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PcsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PcsCode({self})")
    }
}

impl serde::Serialize for PcsCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PcsCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PcsCode, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(input: &str, expect: Expect) {
        let actual = match input.parse::<Code>() {
            Ok(c) => format!("{c} ({})", c.as_str()),
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn parses_any_spelling() {
        check("e11.22", expect!["E11.22 (E1122)"]);
        check("E1122", expect!["E11.22 (E1122)"]);
        check(" E11.22 ", expect!["E11.22 (E1122)"]);
        check("i10", expect!["I10 (I10)"]);
        check("s52.521a", expect!["S52.521A (S52521A)"]);
    }

    #[test]
    fn rejects_malformed() {
        check(
            "",
            expect!["error: no code given: type a code such as E11.22"],
        );
        check("E1", expect!["error: 'E1' has 2 characters; ICD-10-CM codes have 3 to 7 (e.g. I10, E11.22, S52.521A)"]);
        check(
            "E11.2.2",
            expect!["error: 'E11.2.2': the dot goes after the third character (e.g. E11.22)"],
        );
        check(
            "E1.122",
            expect!["error: 'E1.122': the dot goes after the third character (e.g. E11.22)"],
        );
        check(
            "E11.",
            expect!["error: 'E11.': the dot goes after the third character (e.g. E11.22)"],
        );
        check("1E11", expect!["error: '1E11': character '1' at position 1 is not allowed; the first character is a letter"]);
        check("qa0", expect!["QA0 (QA0)"]);
        check("S52.521AA", expect!["error: 'S52.521AA' has 8 characters; ICD-10-CM codes have 3 to 7 (e.g. I10, E11.22, S52.521A)"]);
        check("E11-22", expect!["error: 'E11-22': character '-' at position 4 is not allowed; characters 2 to 7 are letters or digits"]);
        check("é11", expect!["error: 'é11': character 'é' at position 1 is not allowed; the first character is a letter"]);
    }

    #[test]
    fn seventh_character_uses_placeholders() {
        let w: Code = "W11".parse().unwrap();
        assert_eq!(w.with_seventh('A').unwrap().to_string(), "W11.XXXA");
        let t: Code = "T36.0X1".parse().unwrap();
        assert_eq!(t.with_seventh('A').unwrap().to_string(), "T36.0X1A");
        let s: Code = "S52.521".parse().unwrap();
        assert_eq!(s.with_seventh('A').unwrap().to_string(), "S52.521A");
        let full: Code = "S52.521A".parse().unwrap();
        assert!(full.with_seventh('A').is_err());
    }

    #[test]
    fn index_codes_keep_the_dash() {
        let c: IndexCode = "H93.29-".parse().unwrap();
        assert!(c.incomplete);
        assert_eq!(c.to_string(), "H93.29-");
        let c: IndexCode = "Z16.-".parse().unwrap();
        assert_eq!((c.code.as_str(), c.incomplete), ("Z16", true));
        assert_eq!(c.to_string(), "Z16.-");
    }

    #[test]
    fn pcs_codes() {
        assert_eq!("0dtj4zz".parse::<PcsCode>().unwrap().as_str(), "0DTJ4ZZ");
        assert!("0DTJ4Z".parse::<PcsCode>().is_err());
        assert!("0DTO4ZZ".parse::<PcsCode>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_round_trips(s in "\\PC{0,12}") {
            if let Ok(c) = s.parse::<Code>() {
                let again: Code = c.to_string().parse().unwrap();
                proptest::prop_assert_eq!(c, again);
            }
        }
    }
}
