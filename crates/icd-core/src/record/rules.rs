//! The registry of record-check rules: every check the record review runs,
//! declared once with its id, severity, authority, title and explanation.
//! Every [`Finding`] is made from one of these ([`Rule::finding`]); `icd
//! rules` and the app list [`RULES`].
//!
//! ```
//! use icd_core::record::rules::{self, RULES};
//! use icd_core::record::Severity;
//! let r = rules::find("tabular.excludes1").unwrap();
//! assert_eq!(r.title, "Codes an Excludes1 note forbids together");
//! assert!(RULES.iter().any(|x| x.id == r.id));
//! let f = rules::RECORD_FUTURE_DATE
//!     .finding("discharge.date 2027-01-01 is in the future")
//!     .with_fields(["discharge.date"]);
//! assert_eq!((f.rule_id, f.severity), ("record.future_date", Severity::Error));
//! assert_eq!(f.authority.to_string(), "UHDDS");
//! ```
//!
//! Adding a rule is one entry in the `rules!` list below plus the code that
//! reports it. A rule's severity is the most serious its findings have; a
//! few rules report less serious cases too (a missing attending provider is
//! a warning, a missing principal diagnosis an error). Findings of a
//! Tabular-note or MS-DRG rule carry the note's text and where it is
//! written, or the MS-DRG version, in their own [`Authority`].

use std::fmt;

use serde::ser::SerializeStruct;
use serde::Serialize;

use super::{Authority, Finding, Severity};

/// One check of the record review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier (`mce.age_conflict`, `tabular.excludes1`).
    pub id: &'static str,
    /// The most serious a finding of the rule is.
    pub severity: Severity,
    /// What the rule rests on.
    pub authority: RuleAuthority,
    /// One line: what the rule looks for.
    pub title: &'static str,
    /// Why it matters and what to do, in a few sentences.
    pub explanation: &'static str,
}

/// What a rule rests on, as the registry names it. A finding's
/// [`Authority`] adds what only the record tells (the note's text and where
/// it is written, the MS-DRG version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleAuthority {
    /// A Medicare Code Editor edit, named as the CMS reference names it.
    Mce {
        /// `AGE_CONFLICT`...
        mce_edit: &'static str,
    },
    /// An instructional note of the Tabular List, of this heading.
    TabularNote {
        /// `Excludes1`, `Use additional code`, `7th character`.
        note: &'static str,
    },
    /// A section of the ICD-10-CM Official Guidelines for Coding and Reporting.
    Guideline {
        /// `I.C.9.a.2`.
        section: &'static str,
        /// Its title.
        title: &'static str,
    },
    /// A data standard for the record itself.
    Standard {
        /// `UHDDS`, `UB-04`.
        name: &'static str,
    },
    /// The MS-DRG definitions (CC/MCC lists and their exclusions).
    MsDrg,
}

impl RuleAuthority {
    /// The finding's authority when the rule alone tells it; a Tabular
    /// note or MS-DRG rule's findings set their own.
    fn authority(self) -> Authority {
        match self {
            RuleAuthority::Mce { mce_edit } => Authority::Mce { mce_edit },
            RuleAuthority::TabularNote { note } => Authority::TabularNote {
                note,
                text: String::new(),
                at: String::new(),
            },
            RuleAuthority::Guideline { section, title } => Authority::Guideline { section, title },
            RuleAuthority::Standard { name } => Authority::Standard { name },
            RuleAuthority::MsDrg => Authority::MsDrg {
                version: String::new(),
            },
        }
    }
}

impl fmt::Display for RuleAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleAuthority::TabularNote { note } => write!(f, "{note} note of the Tabular List"),
            RuleAuthority::MsDrg => f.write_str("MS-DRG CC/MCC lists"),
            other => other.authority().fmt(f),
        }
    }
}

impl Rule {
    /// A finding of this rule: its severity and authority, no codes, fields
    /// or fix yet (see the `with_` methods of [`Finding`]).
    pub fn finding(&'static self, message: impl Into<String>) -> Finding {
        Finding {
            rule_id: self.id,
            severity: self.severity,
            message: message.into(),
            codes: Vec::new(),
            fields: Vec::new(),
            authority: self.authority.authority(),
            fix: None,
        }
    }
}

/// `{"id", "severity", "authority" (in words), "source" (the authority as
/// data), "title", "explanation"}`.
impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Rule", 6)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("authority", &self.authority.to_string())?;
        st.serialize_field("source", &self.authority)?;
        st.serialize_field("title", self.title)?;
        st.serialize_field("explanation", self.explanation)?;
        st.end()
    }
}

/// The rule of an id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

macro_rules! rules {
    ($($name:ident: $id:literal, $sev:ident, $auth:expr, $title:literal, $expl:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $title, ".")]
            pub static $name: Rule = Rule {
                id: $id,
                severity: Severity::$sev,
                authority: $auth,
                title: $title,
                explanation: $expl,
            };
        )*
        /// Every rule, grouped by what it checks.
        pub static RULES: &[&Rule] = &[$(&$name),*];
    };
}

const fn mce(mce_edit: &'static str) -> RuleAuthority {
    RuleAuthority::Mce { mce_edit }
}
const fn note(note: &'static str) -> RuleAuthority {
    RuleAuthority::TabularNote { note }
}
const fn guideline(section: &'static str, title: &'static str) -> RuleAuthority {
    RuleAuthority::Guideline { section, title }
}
const fn standard(name: &'static str) -> RuleAuthority {
    RuleAuthority::Standard { name }
}
const FORM: RuleAuthority = standard("ICD Desk record form");
const UHDDS: RuleAuthority = standard("UHDDS");

rules! {
    INPUT_UNREADABLE: "input.unreadable", Error, FORM,
        "A record that cannot be read",
        "The JSON, CSV row or claim could not be parsed; the other records of the input are still checked.";
    RECORD_UNKNOWN_FIELD: "record.unknown_field", Info, FORM,
        "A field that is not part of the record form",
        "The field is ignored. Usually a misspelt field name.";
    RECORD_BAD_VALUE: "record.bad_value", Error, FORM,
        "A field whose value has the wrong form",
        "A date that is not a date, an age that is not a number, a sex other than M, F or U, a setting other than inpatient or outpatient.";
    RECORD_SETTING_MISSING: "record.setting_missing", Warning, UHDDS,
        "The setting is not given",
        "The record is checked as inpatient; the MCE edits and CC/MCC capture apply only to inpatient records.";
    RECORD_REQUIRED_FIELD: "record.required_field", Error, standard("UHDDS / UB-04"),
        "A required field is empty",
        "UHDDS and the UB-04 require the medical record number, date of birth, sex, dates, principal diagnosis and, for inpatients, the discharge status; the attending provider and the admitting diagnosis are warnings.";
    RECORD_DATE_ORDER: "record.date_order", Error, UHDDS,
        "Dates in the wrong order",
        "Birth before admission, admission before discharge.";
    RECORD_LENGTH_OF_STAY: "record.length_of_stay", Warning, UHDDS,
        "A length of stay that does not fit the setting",
        "An outpatient encounter over more than a day, or an inpatient stay over a year.";
    RECORD_PROCEDURE_DATE_OUTSIDE_STAY: "record.procedure_date_outside_stay", Warning, UHDDS,
        "A procedure dated outside the stay",
        "Procedures before admission are reported only under the payer's pre-admission rules.";
    RECORD_FUTURE_DATE: "record.future_date", Error, UHDDS,
        "A date in the future",
        "Checked only when today's date is known (icd check uses the system clock or --today).";
    RECORD_DATE_OUTSIDE_RELEASE: "record.date_outside_release", Warning, standard("ICD-10-CM and MCE release coverage"),
        "A date after the last day the loaded release covers",
        "Codes are valid for a fiscal year; the release cannot tell which codes were added, changed or deleted after its last day. Check the codes against the release in effect on that date.";
    RECORD_AGE_MISMATCH: "record.age_mismatch", Error, UHDDS,
        "The stated age disagrees with the date of birth",
        "The age on admission derived from the date of birth differs from the age given.";
    RECORD_POA_MISSING: "record.poa_missing", Error, guideline("Appendix I", "Present on Admission Reporting Guidelines"),
        "An inpatient diagnosis without a present-on-admission indicator",
        "Every inpatient diagnosis carries Y, N, U, W, or 1 for an exempt code.";
    RECORD_POA_INVALID: "record.poa_invalid", Error, guideline("Appendix I", "Present on Admission Reporting Guidelines"),
        "A present-on-admission indicator that is not Y, N, U, W or 1",
        "Only these values are valid POA indicators.";
    RECORD_DUPLICATE_CODE: "record.duplicate_code", Error, guideline("I.B.12", "Reporting Same Diagnosis Code More than Once"),
        "A code reported twice",
        "A diagnosis code is reported once per record; a procedure twice on the same date is a warning.";
    RECORD_CODE_NOT_VALID_ON_DATE: "record.code_not_valid_on_date", Error, guideline("I.B.2", "Level of Detail in Coding (codes valid for the date of service)"),
        "A code not valid on the date of discharge",
        "The code was retired, or not yet in effect, on the date codes are checked on (the discharge date, else the admission date).";
    CODE_MALFORMED: "code.malformed", Error, guideline("I.A.1", "Conventions: format and structure of the classification"),
        "A code that is not written as a code",
        "ICD-10-CM codes are a letter, a digit, a letter or digit, then up to four characters after the dot; ICD-10-PCS codes are seven characters.";
    CODE_UNKNOWN_PROCEDURE: "code.unknown_procedure", Error, UHDDS,
        "A procedure code that is not in ICD-10-PCS",
        "The code is well formed but is not an ICD-10-PCS code in any period.";
    MCE_INVALID_DISCHARGE_DATE: "mce.invalid_discharge_date", Error, mce("INVALID_DISCHARGE_DATE"),
        "A discharge date outside the dates the MCE tables cover",
        "No MCE edit was run; use the MCE release that covers the discharge date.";
    MCE_INVALID_CODE: "mce.invalid_code", Error, mce("INVALID_CODE"),
        "A code not valid on the discharge date",
        "The MCE rejects a diagnosis or procedure code that is not valid on the discharge date.";
    MCE_SEX_CONFLICT: "mce.sex_conflict", Error, mce("SEX_CONFLICT"),
        "A code for patients of the other sex",
        "The MCE lists codes reported only for one sex.";
    MCE_AGE_CONFLICT: "mce.age_conflict", Error, mce("AGE_CONFLICT"),
        "A code for another age group",
        "Newborn, pediatric, maternity and adult codes are edited against the patient's age.";
    MCE_QUESTIONABLE_ADMISSION: "mce.questionable_admission", Warning, mce("QUESTIONABLE_ADMISSION"),
        "A questionable reason for an inpatient admission",
        "The principal diagnosis is not usually a reason to admit.";
    MCE_MANIFESTATION_AS_PDX: "mce.manifestation_as_pdx", Error, mce("MANIFESTATION_AS_PDX"),
        "A manifestation code as principal diagnosis",
        "Manifestation codes follow their etiology and may not be principal.";
    MCE_NONSPECIFIC_PDX: "mce.nonspecific_pdx", Warning, mce("NONSPECIFIC_PDX"),
        "A non-specific principal diagnosis",
        "Use a more specific code if the documentation supports it.";
    MCE_E_CODE_AS_PDX: "mce.e_code_as_pdx", Error, mce("E_CODE_AS_PDX"),
        "An external cause code as principal diagnosis",
        "External cause codes are secondary.";
    MCE_UNACCEPTABLE_PDX: "mce.unacceptable_pdx", Error, mce("UNACCEPTABLE_PDX"),
        "A code not acceptable as principal diagnosis",
        "Sequence the condition chiefly responsible for the admission as principal.";
    MCE_DUPLICATE_OF_PDX: "mce.duplicate_of_pdx", Error, mce("DUPLICATE_OF_PDX"),
        "A secondary diagnosis equal to the principal diagnosis",
        "Remove the duplicate secondary diagnosis.";
    MCE_MEDICARE_IS_SECONDARY_PAYER: "mce.medicare_is_secondary_payer", Warning, mce("MEDICARE_IS_SECONDARY_PAYER"),
        "A code suggesting Medicare is the secondary payer",
        "Check the payer.";
    MCE_REQUIRES_SDX: "mce.requires_sdx", Error, mce("REQUIRES_SDX"),
        "A principal diagnosis that requires a secondary diagnosis",
        "Add the secondary diagnosis that describes the condition treated.";
    MCE_NON_COVERED: "mce.non_covered", Error, mce("NON_COVERED"),
        "A procedure Medicare does not cover in this circumstance",
        "The MCE lists non-covered procedures.";
    MCE_LIMITED_COVERAGE: "mce.limited_coverage", Warning, mce("LIMITED_COVERAGE"),
        "A procedure with limited Medicare coverage",
        "Check that the coverage conditions are documented.";
    MCE_QUESTIONABLE_OBSTETRIC_ADMISSION: "mce.questionable_obstetric_admission", Error, mce("QUESTIONABLE_OBSTETRIC_ADMISSION"),
        "A delivery procedure without an outcome of delivery",
        "Add the outcome of delivery code (Z37.-) as a secondary diagnosis.";
    MCE_INVALID_ADMIT_DX: "mce.invalid_admit_dx", Warning, mce("INVALID_ADMIT_DX"),
        "An admitting diagnosis not valid on the discharge date",
        "Correct the admitting diagnosis.";
    MCE_INVALID_AGE: "mce.invalid_age", Error, mce("INVALID_AGE"),
        "An age outside 0 to 124 years",
        "Correct the date of birth or the age.";
    MCE_INVALID_SEX: "mce.invalid_sex", Error, mce("INVALID_SEX"),
        "A sex the MCE does not accept on the discharge date",
        "Male or female is required before 2024-10-01.";
    MCE_INVALID_DISCHARGE_STATUS: "mce.invalid_discharge_status", Error, mce("INVALID_DISCHARGE_STATUS"),
        "A discharge status not valid on the discharge date",
        "Use a current UB-04 patient discharge status code.";
    MCE_WRONG_PROCEDURE_PERFORMED: "mce.wrong_procedure_performed", Error, mce("WRONG_PROCEDURE_PERFORMED"),
        "A wrong procedure performed",
        "Surgery on the wrong patient, site or procedure; review with the compliance process.";
    MCE_INCONSISTENT_WITH_LENGTH_OF_STAY: "mce.inconsistent_with_length_of_stay", Warning, mce("INCONSISTENT_WITH_LENGTH_OF_STAY"),
        "Ventilation of 96 hours or more inconsistent with the stay",
        "Verify the duration of mechanical ventilation against the stay.";
    MCE_UNSPECIFIED: "mce.unspecified", Warning, mce("UNSPECIFIED"),
        "An unspecified code",
        "Use a more specific code if the documentation supports it.";
    TABULAR_SEVENTH_MISSING: "tabular.seventh_missing", Error, note("7th character"),
        "A code that needs a 7th character",
        "The category's 7th-character note requires one; the fix lists the choices.";
    TABULAR_SEVENTH_NOT_ALLOWED: "tabular.seventh_not_allowed", Error, note("7th character"),
        "A 7th character the code does not take",
        "The 7th character is not among those the category defines, or the code takes none (Guideline I.A.5).";
    TABULAR_PLACEHOLDER_MISSING: "tabular.placeholder_missing", Error, guideline("I.A.4", "Placeholder character"),
        "A 7th character without its placeholder X",
        "A 7th character must be the 7th character of the code; X fills the empty places.";
    TABULAR_EXTRA_CHARACTER: "tabular.extra_character", Error, guideline("I.B.2", "Level of Detail in Coding"),
        "A character after a complete code",
        "The code is complete without it.";
    TABULAR_HEADER_CODE: "tabular.header_code", Error, guideline("I.B.2", "Level of Detail in Coding"),
        "A category or subcategory reported as a code",
        "Only codes at the highest level of detail are reported; the fix names the billable codes below.";
    TABULAR_UNKNOWN_CODE: "tabular.unknown_code", Error, guideline("I.A.1", "Conventions: format and structure of the classification"),
        "A code that is not in ICD-10-CM",
        "The finding names the nearest existing code.";
    TABULAR_EXCLUDES1: "tabular.excludes1", Error, note("Excludes1"),
        "Codes an Excludes1 note forbids together",
        "An Excludes1 note means the two conditions are never coded together, except when they are unrelated (Guideline I.A.12.a). A note that limits its codes (E08-E13 with .42) applies only to those codes; each pair is reported once.";
    TABULAR_EXCLUDES1_QUALIFIED: "tabular.excludes1_qualified", Info, note("Excludes1"),
        "An Excludes1 note whose qualifier the check cannot read",
        "The note excludes only some codes of a range (with 5th character 9, with final characters -23...). The check cannot tell whether this code is one of them, so it reports no error: read the note.";
    TABULAR_MANIFESTATION_WITHOUT_ETIOLOGY: "tabular.manifestation_without_etiology", Error, note("Code first"),
        "A manifestation code without the etiology its note names",
        "A manifestation (\"in diseases classified elsewhere\") is coded after its underlying condition; a note that gives only examples (\"such as\") makes this a warning.";
    TABULAR_MANIFESTATION_BEFORE_ETIOLOGY: "tabular.manifestation_before_etiology", Error, note("Code first"),
        "A manifestation sequenced before its etiology",
        "The underlying condition is sequenced first.";
    TABULAR_MANIFESTATION_ETIOLOGY_REMINDER: "tabular.manifestation_etiology_reminder", Info, note("Code first"),
        "A manifestation whose code-first note names no code",
        "The note cannot be verified; report the underlying condition first.";
    TABULAR_USE_ADDITIONAL_CODE: "tabular.use_additional_code", Info, note("Use additional code"),
        "A use-additional-code note that no code of the record satisfies",
        "A reminder: add the code the documentation supports, if any. The codes the same note applies to are named in one finding.";
    TABULAR_CODE_ALSO: "tabular.code_also", Info, note("Code also"),
        "A code-also note that no code of the record satisfies",
        "A reminder: another code may be needed. The codes the same note applies to are named in one finding.";
    COMBINATION_HYPERTENSIVE_HEART: "combination.hypertensive_heart_disease", Warning, guideline("I.C.9.a.1", "Hypertension with Heart Disease"),
        "Hypertension and heart failure or heart disease coded apart",
        "The link between hypertension and heart disease (I50.-, I51.4-I51.7, I51.89, I51.9) is presumed: code I11.- with the heart failure code, unless the documentation states the heart disease is due to something else.";
    COMBINATION_HYPERTENSIVE_CKD: "combination.hypertensive_ckd", Warning, guideline("I.C.9.a.2", "Hypertensive Chronic Kidney Disease"),
        "Hypertension and chronic kidney disease coded apart",
        "The link between hypertension and chronic kidney disease (N18.-) is presumed: code I12.- for the stage (I12.0 for stage 5 or end stage renal disease) with the N18 code. An I12 code that does not fit the stage on the record is reported too.";
    COMBINATION_HYPERTENSIVE_HEART_CKD: "combination.hypertensive_heart_ckd", Warning, guideline("I.C.9.a.3", "Hypertensive Heart and Chronic Kidney Disease"),
        "Hypertension, heart disease and chronic kidney disease coded apart",
        "When both hypertensive heart disease and hypertensive chronic kidney disease are present, code I13.- (chosen by heart failure and stage) with the heart failure and N18 codes.";
    COMBINATION_DIABETES_WITHOUT_COMPLICATIONS: "combination.diabetes_without_complications", Error, guideline("I.C.4.a", "Diabetes mellitus"),
        "A diabetes code \"without complications\" beside a complication code of the same type",
        "E11.9 means type 2 diabetes without complications; with another E11 code that names a complication the two contradict each other. Remove the \"without complications\" code (the same for E08, E09, E10 and E13).";
    COMBINATION_COPD_INFECTION: "combination.copd_lower_respiratory_infection", Warning, guideline("I.C.10.a", "Chronic Obstructive Pulmonary Disease [COPD] and Asthma"),
        "COPD, unspecified, with a lower respiratory infection",
        "J44.0 is COPD with (acute) lower respiratory infection, and its note says to code also the infection: with pneumonia (J12-J18) or another acute lower respiratory infection (J20-J22) report J44.0 and the infection code instead of J44.9.";
    DRG_MCC: "drg.mcc", Info, RuleAuthority::MsDrg,
        "A secondary diagnosis that is an MCC",
        "MS-DRG counts it as a major complication or comorbidity with this principal diagnosis.";
    DRG_CC: "drg.cc", Info, RuleAuthority::MsDrg,
        "A secondary diagnosis that is a CC",
        "MS-DRG counts it as a complication or comorbidity with this principal diagnosis.";
    DRG_CC_EXCLUDED: "drg.cc_excluded", Info, RuleAuthority::MsDrg,
        "A CC or MCC that does not count on this record",
        "The principal diagnosis's exclusion list leaves it out, or it counts only when the patient is discharged alive.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "{} declared twice", r.id);
            assert!(
                r.id.contains('.') && r.id == r.id.to_ascii_lowercase(),
                "{}",
                r.id
            );
            assert!(!r.title.is_empty() && !r.title.ends_with('.'), "{}", r.id);
            assert!(r.explanation.ends_with('.'), "{}", r.id);
        }
        assert_eq!(
            find("mce.age_conflict").map(|r| r.id),
            Some("mce.age_conflict")
        );
        assert!(find("no.such_rule").is_none());
    }

    #[test]
    fn authorities_in_words() {
        let words = |a: RuleAuthority| a.to_string();
        assert_eq!(words(mce("AGE_CONFLICT")), "MCE edit AGE_CONFLICT");
        assert_eq!(
            words(note("Excludes1")),
            "Excludes1 note of the Tabular List"
        );
        assert_eq!(
            words(guideline("I.A.4", "Placeholder character")),
            "Official Guidelines I.A.4: Placeholder character"
        );
        assert_eq!(words(RuleAuthority::MsDrg), "MS-DRG CC/MCC lists");
    }
}
