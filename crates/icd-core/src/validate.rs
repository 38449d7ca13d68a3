//! The code validator: a pasted list of codes, each with its verdict on a
//! date of service (valid, invalid, not billable, not valid on that date).
//!
//! ```no_run
//! # fn demo(lib: &icd_core::Library<Vec<u8>>) {
//! use icd_core::validate::{validate, Verdict};
//! let date = "2026-01-15".parse().unwrap();
//! for check in validate(lib, "E11, e11.9; S52.521A\nXYZ", date) {
//!     println!("{} {:?}", check.input, check.verdict);
//! }
//! # }
//! ```
//!
//! Validity comes from the MCE master's periods, so a code deleted from the
//! current tabular is still valid on a date inside its old period.

use serde::{Deserialize, Serialize};

use crate::code::{Code, PcsCode};
use crate::date::Date;
use crate::lookup::{CodeRef, Library};
use crate::mce::Table;
use crate::pcs::Pcs;

/// How many billable codes a non-billable verdict lists.
pub const CHILDREN_LISTED: usize = 24;

/// Most codes checked at once; the rest of a longer paste is reported as one
/// [`Verdict::Invalid`] line rather than dropped silently.
pub const MAX_CODES: usize = 2_000;

/// The verdict on one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Billable and valid on the date of service.
    Valid,
    /// Not a code: malformed, or not in ICD-10-CM.
    Invalid {
        /// Why, with the nearest existing code when there is one.
        reason: String,
    },
    /// A category or subcategory, or a code that lacks its 7th character.
    NotBillable {
        /// Billable codes below it (the first [`CHILDREN_LISTED`]).
        children: Vec<CodeRef>,
        /// How many billable codes are below it in all.
        total: usize,
    },
    /// A code, but not reportable on the date of service.
    NotValidOnDate {
        /// When it is or was valid, in words.
        valid: String,
    },
}

/// One pasted code and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCheck {
    /// The code as pasted.
    pub input: String,
    /// The code as printed (`E11.9`), when it parses.
    pub code: Option<String>,
    /// Its title, when ICD-10-CM has it.
    pub title: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The position (from 0) of an earlier check of the same code, when
    /// this one repeats it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<usize>,
}

/// Splits pasted codes on anything that cannot be part of a code (spaces,
/// commas, semicolons, new lines, tabs...), keeping letters, digits and dots.
/// A code-system label before a colon (`ICD10:E11.9`, `ICD-10-CM: I10`,
/// `Dx: J18.9`) is not a code and is left out.
///
/// ```
/// use icd_core::validate::split_codes;
/// assert_eq!(split_codes("E11.9, i10;\tS52.521A\n"), ["E11.9", "i10", "S52.521A"]);
/// assert_eq!(split_codes("ICD10:E11.9 ICD-10-CM: I10."), ["E11.9", "I10."]);
/// ```
pub fn split_codes(pasted: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for chunk in pasted.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|')) {
        let chunk = match chunk.rfind(':') {
            Some(i) if is_system_label(&chunk[..i]) => &chunk[i + 1..],
            _ => chunk,
        };
        out.extend(
            chunk
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .filter(|part| !part.is_empty()),
        );
    }
    out
}

/// `ICD10`, `ICD-10-CM`, `icd10cm`, `Dx`: what a system may print before a code.
fn is_system_label(s: &str) -> bool {
    let key: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        key.as_str(),
        "icd10" | "icd10cm" | "icd10dx" | "icd" | "dx" | "diagnosis" | "code"
    )
}

/// Checks every code in `pasted` on `date`, in the order pasted.
/// ICD-10-PCS codes are checked against the MCE master alone; see
/// [`validate_with_pcs`] for their titles and the first invalid character.
pub fn validate<D: AsRef<[u8]>>(lib: &Library<D>, pasted: &str, date: Date) -> Vec<CodeCheck> {
    validate_with_pcs(lib, None::<&Pcs<&[u8]>>, pasted, date)
}

/// [`validate`], with the PCS Tables for procedure codes: a valid one gets
/// its title, a wrong one names its first invalid character.
pub fn validate_with_pcs<D: AsRef<[u8]>, P: AsRef<[u8]>>(
    lib: &Library<D>,
    pcs: Option<&Pcs<P>>,
    pasted: &str,
    date: Date,
) -> Vec<CodeCheck> {
    let parts = split_codes(pasted);
    let mut out: Vec<CodeCheck> = parts
        .iter()
        .take(MAX_CODES)
        .map(|input| match pcs_code(lib, input) {
            Some(code) => check_pcs(lib, pcs, input, &code, date),
            None => check_one(lib, input, date),
        })
        .collect();
    // The same code twice (E11.9 and e11.9): the later ones say so.
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, c) in out.iter_mut().enumerate() {
        if let Some(code) = &c.code {
            match first.get(code) {
                Some(&j) => c.duplicate_of = Some(j),
                None => {
                    first.insert(code.clone(), i);
                }
            }
        }
    }
    if parts.len() > MAX_CODES {
        out.push(CodeCheck {
            input: format!("… {} more", parts.len() - MAX_CODES),
            code: None,
            title: None,
            verdict: Verdict::Invalid {
                reason: format!(
                    "Only the first {MAX_CODES} codes are checked at once; paste the rest separately."
                ),
            },
            duplicate_of: None,
        });
    }
    out
}

/// The input as a PCS code, when it is not an ICD-10-CM code: seven
/// letters or digits that the tabular and the MCE diagnosis master do not
/// know (`S52521A` is both shapes, and a diagnosis).
fn pcs_code<D: AsRef<[u8]>>(lib: &Library<D>, input: &str) -> Option<PcsCode> {
    let pcs: PcsCode = input.parse().ok()?;
    let cm = input.parse::<Code>().ok().filter(|c| {
        lib.tabular.find(c).is_some() || !lib.mce.periods(Table::Dx, c.as_str()).is_empty()
    });
    cm.is_none().then_some(pcs)
}

fn spans(periods: &[crate::mce::Period]) -> String {
    periods
        .iter()
        .map(|p| match p.end {
            Some(end) => format!("{} to {end}", p.start),
            None => format!("from {}", p.start),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_pcs<D: AsRef<[u8]>, P: AsRef<[u8]>>(
    lib: &Library<D>,
    pcs: Option<&Pcs<P>>,
    input: &str,
    code: &PcsCode,
    date: Date,
) -> CodeCheck {
    let periods = lib.mce.periods(Table::Sg, code.as_str());
    let on_date = lib.mce.period_on(Table::Sg, code.as_str(), date).is_some();
    let checked = pcs.map(|p| p.check(code));
    let verdict = if on_date {
        Verdict::Valid
    } else if !periods.is_empty() {
        Verdict::NotValidOnDate {
            valid: format!("ICD-10-PCS code valid {}", spans(&periods)),
        }
    } else {
        Verdict::Invalid {
            reason: match &checked {
                Some(Err(e)) => format!("not an ICD-10-PCS code: {e}"),
                Some(Ok(_)) => format!(
                    "{code} is in the ICD-10-PCS Tables but the MCE master never lists it as valid"
                ),
                None => format!(
                    "{code} is not an ICD-10-PCS code the MCE master lists (and not an ICD-10-CM code)"
                ),
            },
        }
    };
    let title = pcs.and_then(|p| p.title(code)).or_else(|| {
        (!periods.is_empty() && pcs.is_some()).then(|| {
            "(valid per the MCE master; no row or title in the ICD-10-PCS Tables)".to_string()
        })
    });
    CodeCheck {
        input: input.to_string(),
        code: Some(code.to_string()),
        title,
        verdict,
        duplicate_of: None,
    }
}

fn check_one<D: AsRef<[u8]>>(lib: &Library<D>, input: &str, date: Date) -> CodeCheck {
    // A dot with nothing after it ("I10.", "E11.") ends the code: no code
    // has a dot there, and what is meant is plain.
    let parsed = input.parse::<Code>().or_else(|e| {
        let bare = input.trim_end_matches('.');
        if bare.len() == 3 && bare.len() < input.len() {
            bare.parse::<Code>()
        } else {
            Err(e)
        }
    });
    let code: Code = match parsed {
        Ok(code) => code,
        Err(e) => {
            return CodeCheck {
                input: input.to_string(),
                code: None,
                title: None,
                verdict: Verdict::Invalid {
                    reason: e.to_string(),
                },
                duplicate_of: None,
            }
        }
    };
    let periods = lib.mce.periods(Table::Dx, code.as_str());
    let on_date = lib.mce.period_on(Table::Dx, code.as_str(), date).is_some();
    let when = || {
        if periods.is_empty() {
            "never listed as valid by the MCE".to_string()
        } else {
            let spans: Vec<String> = periods
                .iter()
                .map(|p| match p.end {
                    Some(end) => format!("{} to {end}", p.start),
                    None => format!("from {}", p.start),
                })
                .collect();
            format!("valid {}", spans.join(", "))
        }
    };
    let Some(id) = lib.tabular.find(&code) else {
        // Not in the current tabular: deleted (the MCE remembers it) or never a code.
        let verdict = match lib.lookup(&code, Some(date)) {
            Err(_) if on_date => Verdict::Valid,
            Err(e) if periods.is_empty() => Verdict::Invalid {
                reason: e.to_string(),
            },
            _ => Verdict::NotValidOnDate {
                valid: format!("Deleted from ICD-10-CM; {}", when()),
            },
        };
        return CodeCheck {
            input: input.to_string(),
            code: Some(code.to_string()),
            title: None,
            verdict,
            duplicate_of: None,
        };
    };
    let tab = &lib.tabular;
    // A code that has children now may have been billable on the date of
    // service (E87.2 until 2022-09-30): the MCE's periods decide.
    let verdict = if !tab.billable(id) && !on_date {
        let all = tab.billable_descendants(id);
        Verdict::NotBillable {
            total: all.len(),
            children: all
                .into_iter()
                .take(CHILDREN_LISTED)
                .map(|c| lib.code_ref(c))
                .collect(),
        }
    } else if on_date {
        Verdict::Valid
    } else {
        Verdict::NotValidOnDate { valid: when() }
    };
    CodeCheck {
        input: input.to_string(),
        code: Some(tab.display_key(id)),
        title: Some(tab.title(id).into_owned()),
        verdict,
        duplicate_of: None,
    }
}
