//! Record checks: review a coded encounter the way a data-quality technician
//! and the Medicare Code Editor do, and explain every finding.
//!
//! A [`Record`] (see [`model`] for its JSON form) is checked against the
//! artifacts of a [`Library`]: the MCE 2.0 edits exactly as the CMS
//! reference computes them ([`mce_edits`]), the Tabular List conventions
//! ([`conventions`]: Excludes1, etiology/manifestation, use-additional-code
//! and code-also reminders, 7th characters, placeholders, header codes), the
//! combination codes the guidelines presume ([`combination`]) and the
//! completeness and consistency of the record ([`completeness`]). Every
//! check runs; the result is every [`Finding`], in a stable order: errors,
//! then CC/MCC capture, then warnings, then reminders ([`Finding::rank`]).
//! Each finding is made from a rule of the registry ([`rules::RULES`]),
//! which `icd rules` lists.
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! use icd_core::record::{check, Checker, Record, Severity};
//! let lib = lib();
//! let record: Record = Default::default(); // usually deserialized from JSON
//! for f in check(&lib, &record) {
//!     println!("{:?} {} {}", f.severity, f.rule_id, f.message);
//! }
//! // Many records: build the checker once.
//! let checker = Checker::new(&lib);
//! let errors = checker.check(&record).iter().filter(|f| f.severity == Severity::Error).count();
//! # let _ = errors;
//! ```
//!
//! Caveats: the MCE edits apply to inpatient records (and to records that
//! do not say their setting); CC/MCC capture needs the MS-DRG tables of
//! `ccmcc.icdx` ([`Checker::with_ccmcc`], see [`ccmcc`]). "Nothing in the
//! future" is checked only when the caller supplies today's date
//! ([`Checker::today`]): the engine has no clock.

pub mod ccmcc;
pub mod combination;
pub mod completeness;
pub mod conventions;
pub mod mce_edits;
pub mod model;
pub mod rules;

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::code::{Code, PcsCode};
use crate::date::Date;
use crate::lookup::Library;
use crate::mce::{Period, Table};
pub use mce_edits::{At, MceEdit, MceEditor, MceInput, MceResult, MceSex};
pub use model::{Claim, ClaimCode, Diagnosis, Procedure, Record, Setting};
pub use rules::{Rule, RuleAuthority, RULES};

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The record would be rejected or is wrong: fix before billing.
    Error,
    /// Probably wrong, or needs a look at the documentation.
    Warning,
    /// A reminder or an observation.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// What a finding rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Authority {
    /// A Medicare Code Editor edit, named exactly as the CMS reference names it.
    Mce {
        /// `AGE_CONFLICT`, `E_CODE_AS_PDX`...; `INVALID_DISCHARGE_DATE` when nothing could be edited.
        mce_edit: &'static str,
    },
    /// An instructional note of the Tabular List.
    TabularNote {
        /// Its heading (`Excludes1`, `Code first`, `7th character`).
        note: &'static str,
        /// Its text.
        text: String,
        /// Where it is written (`E11`, `E08-E13`, `Chapter 4`).
        at: String,
    },
    /// A section of the ICD-10-CM Official Guidelines for Coding and Reporting.
    Guideline {
        /// `I.B.2`, `Appendix I`...
        section: &'static str,
        /// Its title.
        title: &'static str,
    },
    /// A data standard for the record itself (UB-04, UHDDS).
    Standard {
        /// `UHDDS`, `UB-04 FL 17`...
        name: &'static str,
    },
    /// The MS-DRG definitions (CC/MCC lists and their exclusions).
    MsDrg {
        /// `v43.1`.
        version: String,
    },
}

/// In words: `MCE edit AGE_CONFLICT`, `Excludes1 note at E11`, `Official
/// Guidelines I.A.4: Placeholder character`, `UHDDS`, `MS-DRG v43.1 CC/MCC
/// lists`. The note's text is left out (it is in the finding's message).
impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authority::Mce { mce_edit } => write!(f, "MCE edit {mce_edit}"),
            Authority::TabularNote { note, at, .. } if at.is_empty() => {
                write!(f, "{note} note of the Tabular List")
            }
            Authority::TabularNote { note, at, .. } => write!(f, "{note} note at {at}"),
            Authority::Guideline { section, title } => {
                write!(f, "Official Guidelines {section}: {title}")
            }
            Authority::Standard { name } => f.write_str(name),
            Authority::MsDrg { version } => {
                let v = version.trim();
                let v = v.strip_prefix("MS-DRG").unwrap_or(v).trim();
                if v.is_empty() {
                    f.write_str("MS-DRG CC/MCC lists")
                } else {
                    write!(f, "MS-DRG {v} CC/MCC lists")
                }
            }
        }
    }
}

/// One thing a reviewer should see about a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable identifier of the rule (`mce.age_conflict`, `tabular.excludes1`).
    pub rule_id: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Plain language.
    pub message: String,
    /// The codes involved, as printed (`E11.22`).
    pub codes: Vec<String>,
    /// The record fields involved (`principal_dx`, `secondary_dx[2]`, `discharge.date`).
    pub fields: Vec<String>,
    /// What it rests on.
    pub authority: Authority,
    /// What to do, where there is something to suggest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    /// The rule the finding was made from (see [`Rule::finding`]).
    pub fn rule(&self) -> Option<&'static Rule> {
        rules::find(self.rule_id)
    }

    /// The codes involved.
    pub fn with_codes<S: Into<String>>(mut self, codes: impl IntoIterator<Item = S>) -> Self {
        self.codes = codes.into_iter().map(Into::into).collect();
        self
    }

    /// The record fields involved.
    pub fn with_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// What to do.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// A less serious case of its rule (a missing attending provider).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The authority when the record tells more than the rule (the note's
    /// text and where it is written, the MS-DRG version, another guideline).
    pub fn with_authority(mut self, authority: Authority) -> Self {
        self.authority = authority;
        self
    }

    /// Where a finding goes in a report: errors first, then CC/MCC capture
    /// (what billing turns on), then warnings, then reminders.
    pub fn rank(&self) -> u8 {
        match (self.severity, &self.authority) {
            (Severity::Error, _) => 0,
            (_, Authority::MsDrg { .. }) => 1,
            (Severity::Warning, _) => 2,
            (Severity::Info, _) => 3,
        }
    }

    /// The MCE edit name, if this is an MCE finding.
    pub fn mce_edit(&self) -> Option<&'static str> {
        match self.authority {
            Authority::Mce { mce_edit } => Some(mce_edit),
            _ => None,
        }
    }
}

/// Checks records against a [`Library`]. Build once, check many records.
#[derive(Debug)]
pub struct Checker<'a, D> {
    lib: &'a Library<D>,
    mce: MceEditor<'a, D>,
    today: Option<Date>,
    manifestation_bit: u64,
    ccmcc: Option<&'a ccmcc::CcMcc<D>>,
    cache: Cache<'a>,
}

/// What a [`Checker`] learns about the library as it checks: each node's
/// compiled Tabular notes and the last day the MCE tables cover. It borrows
/// nothing, so whoever owns the library can keep it beside the library
/// ([`crate::Engine`] does) and lend it to each checker
/// ([`Checker::with_cache`]); a checker made with [`Checker::new`] keeps
/// its own. Made for one library: lent to a checker of another, it is
/// replaced by a fresh one.
#[derive(Debug)]
pub struct CheckCache {
    /// Nodes in the tabular it was made for.
    nodes: usize,
    /// The Tabular notes of each node, compiled on first use.
    notes: conventions::NoteCache,
    /// The last day the MCE tables cover, found on first use.
    coverage_end: std::sync::OnceLock<Option<Date>>,
}

impl CheckCache {
    /// An empty cache for `lib`.
    pub fn new<D: AsRef<[u8]>>(lib: &Library<D>) -> CheckCache {
        CheckCache {
            nodes: lib.tabular.len(),
            notes: conventions::NoteCache::new(lib.tabular.len()),
            coverage_end: std::sync::OnceLock::new(),
        }
    }
}

#[derive(Debug)]
enum Cache<'a> {
    Own(Box<CheckCache>),
    Lent(&'a CheckCache),
}

impl std::ops::Deref for Cache<'_> {
    type Target = CheckCache;
    fn deref(&self) -> &CheckCache {
        match self {
            Cache::Own(c) => c,
            Cache::Lent(c) => c,
        }
    }
}

/// Checks one record: every finding, in a stable order. For many records,
/// build a [`Checker`] once instead.
pub fn check<D: AsRef<[u8]>>(lib: &Library<D>, record: &Record) -> Vec<Finding> {
    Checker::new(lib).check(record)
}

impl<'a, D: AsRef<[u8]>> Checker<'a, D> {
    /// A checker over the library's tabular and MCE tables.
    pub fn new(lib: &'a Library<D>) -> Self {
        Checker {
            lib,
            mce: MceEditor::new(&lib.mce),
            today: None,
            manifestation_bit: lib
                .mce
                .flag_bit(crate::mce::Table::Dx, "manifestation")
                .unwrap_or(0),
            ccmcc: None,
            cache: Cache::Own(Box::new(CheckCache::new(lib))),
        }
    }

    /// A checker that keeps what it learns in `cache`, which outlives it:
    /// the next checker lent the same cache starts where this one stopped.
    pub fn with_cache(lib: &'a Library<D>, cache: &'a CheckCache) -> Self {
        let mut checker = Checker::new(lib);
        if cache.nodes == lib.tabular.len() {
            checker.cache = Cache::Lent(cache);
        }
        checker
    }

    /// Today's date, so dates in the future can be reported.
    pub fn today(mut self, today: Date) -> Self {
        self.today = Some(today);
        self
    }

    /// The MS-DRG CC/MCC tables, so CC/MCC capture is reported.
    pub fn with_ccmcc(mut self, tables: &'a ccmcc::CcMcc<D>) -> Self {
        self.ccmcc = Some(tables);
        self
    }

    /// The last day the loaded release covers ([`crate::Mce::coverage_end`]).
    pub fn coverage_end(&self) -> Option<Date> {
        *self
            .cache
            .coverage_end
            .get_or_init(|| self.lib.mce.coverage_end())
    }

    /// The MCE editor in use.
    pub fn mce(&self) -> &MceEditor<'a, D> {
        &self.mce
    }

    /// Every finding on a record: unknown fields, completeness, the MCE
    /// edits (inpatient), Tabular List conventions and CC/MCC capture.
    pub fn check(&self, record: &Record) -> Vec<Finding> {
        // A record usually has a dozen findings: grow the list once.
        let mut out = Vec::with_capacity(16);
        for field in record.unknown_fields() {
            out.push(
                rules::RECORD_UNKNOWN_FIELD
                    .finding(format!(
                        "'{field}' is not a field of the record form; it was ignored"
                    ))
                    .with_fields([field])
                    .with_fix("Check the spelling of the field name"),
            );
        }
        let mut p = Prepared::new(record, &mut out);
        p.look_up(self);
        completeness::check(self, &p, &mut out);
        if p.setting != Some(Setting::Outpatient) {
            self.mce_on_record(&p, &mut out);
        }
        conventions::check(self, &p, &mut out);
        combination::check(&self.lib.tabular, &p, &mut out);
        if let Some(t) = self.ccmcc {
            ccmcc::check(t, &p, &mut out);
        }
        out.sort_by_key(Finding::rank);
        out
    }

    fn mce_on_record(&self, p: &Prepared<'_>, out: &mut Vec<Finding>) {
        let (Some(date), Some(pdx)) = (p.discharge, p.dx.iter().find(|d| d.principal)) else {
            return;
        };
        let input = MceInput {
            discharge_date: date.yyyymmdd() as i64,
            age: p.age,
            sex: p.sex,
            discharge_status: p.status,
            pdx: &pdx.code,
            admit_dx: p.admit_dx.as_ref().map(|a| a.code.as_str()),
            sdx: p
                .dx
                .iter()
                .filter(|d| !d.principal)
                .map(|d| d.code.as_str())
                .collect(),
            procedures: p.procs.iter().map(|x| x.code.as_str()).collect(),
        };
        // Each code's periods were looked up once, in `Prepared::look_up`.
        let result = self.mce.edit_known(&input, |table, code| {
            let found = match table {
                Table::Dx => {
                    p.dx.iter()
                        .chain(p.admit_dx.as_ref())
                        .find(|i| i.code == code)
                }
                Table::Sg => p.procs.iter().find(|i| i.code == code),
            };
            found.map(|i| i.periods.as_slice())
        });
        let sdx: Vec<&Item> = p.dx.iter().filter(|d| !d.principal).collect();
        let item = |at: At| -> Option<&Item> {
            match at {
                At::Pdx => Some(pdx),
                At::AdmitDx => p.admit_dx.as_ref(),
                At::Sdx(i) => sdx.get(i).copied(),
                At::Procedure(i) => p.procs.get(i),
                At::Claim => None,
            }
        };
        mce_findings(&result, &input, &self.mce, FieldNames::Record, &item, out);
    }

    /// The MCE findings on a claim (`msdrg` claim JSON): one finding per
    /// edit occurrence, so counting findings by `mce_edit` gives the
    /// reference's counts.
    pub fn check_claim(&self, claim: &Claim) -> Vec<Finding> {
        check_claim(&self.mce, claim)
    }
}

/// The MCE findings on a claim, with only the MCE tables at hand.
pub fn check_claim<D: AsRef<[u8]>>(editor: &MceEditor<'_, D>, claim: &Claim) -> Vec<Finding> {
    let input = MceInput {
        discharge_date: claim.discharge_date,
        age: Some(claim.age),
        sex: match claim.sex {
            0 => MceSex::Male,
            1 => MceSex::Female,
            _ => MceSex::Unknown,
        },
        discharge_status: Some(claim.discharge_status),
        pdx: &claim.pdx.code,
        admit_dx: claim.admit_dx.as_ref().map(|c| c.code.as_str()),
        sdx: claim.sdx.iter().map(|c| c.code.as_str()).collect(),
        procedures: claim.procedures.iter().map(|c| c.code.as_str()).collect(),
    };
    let result = editor.edit(&input);
    let mut out = Vec::new();
    mce_findings(
        &result,
        &input,
        editor,
        FieldNames::Claim,
        &|_| None,
        &mut out,
    );
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldNames {
    Record,
    Claim,
}

fn mce_findings<'i, D: AsRef<[u8]>>(
    result: &MceResult,
    input: &MceInput<'_>,
    editor: &MceEditor<'_, D>,
    names: FieldNames,
    item: &dyn Fn(At) -> Option<&'i Item>,
    out: &mut Vec<Finding>,
) {
    let rec = names == FieldNames::Record;
    let st = editor.settings();
    if result.invalid_discharge_date {
        out.push(
            rules::MCE_INVALID_DISCHARGE_DATE
                .finding(format!(
                    "discharge date {} is outside the dates the MCE tables cover ({} to {}); no MCE edit was run",
                    input.discharge_date, st.first_discharge_date, st.termination_date
                ))
                .with_fields([if rec { "discharge.date" } else { "discharge_date" }])
                .with_fix("Check the discharge date; use the MCE release that covers it"),
        );
        return;
    }
    if result.hits.is_empty() {
        return;
    }
    let date = Date::from_yyyymmdd(input.discharge_date as u32)
        .map(|d| d.to_string())
        .unwrap_or_else(|| input.discharge_date.to_string());
    for h in &result.hits {
        let it = item(h.at);
        let code = it.map_or_else(|| h.code.clone(), |i| i.display.clone());
        let field = match (h.at, rec) {
            (At::Pdx, true) => "principal_dx".to_string(),
            (At::Pdx, false) => "pdx".to_string(),
            (At::AdmitDx, true) => "admitting_dx".to_string(),
            (At::AdmitDx, false) => "admit_dx".to_string(),
            (At::Sdx(i), true) => format!("secondary_dx[{i}]"),
            (At::Sdx(i), false) => format!("sdx[{i}]"),
            (At::Procedure(i), _) => format!("procedures[{i}]"),
            (At::Claim, _) => match (h.edit, rec) {
                (MceEdit::InvalidAge, true) => "patient.age".into(),
                (MceEdit::InvalidAge, false) => "age".into(),
                (MceEdit::InvalidSex, true) => "patient.sex".into(),
                (MceEdit::InvalidSex, false) => "sex".into(),
                (_, true) => "discharge.status".into(),
                (_, false) => "discharge_status".into(),
            },
        };
        let age = input
            .age
            .map_or_else(|| "unknown".into(), |a| a.to_string());
        let sex = match input.sex {
            MceSex::Male => "male",
            MceSex::Female => "female",
            MceSex::Unknown => "unknown",
        };
        use MceEdit::*;
        let (message, fix): (String, Option<&str>) = match h.edit {
            InvalidCode => (
                format!("{code} is not a valid {} code on the discharge date {date}", if matches!(h.at, At::Procedure(_)) { "ICD-10-PCS" } else { "ICD-10-CM" }),
                Some("Use a code valid on the discharge date: check for a typo, missing characters, or a code retired or not yet in effect"),
            ),
            SexConflict => (
                format!("{code} is reported only for patients of the other sex (patient's sex: {sex})"),
                Some("Verify the patient's sex and the code"),
            ),
            AgeConflict => (
                {
                    let kind = h.detail.to_lowercase();
                    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                    format!("{code} is {article} {kind} code but the patient's age is {age}")
                },
                Some("Verify the patient's age and the code"),
            ),
            QuestionableAdmission => (
                format!("{code} as principal diagnosis is a questionable reason for an inpatient admission"),
                Some("Review the documentation for the condition that occasioned the admission"),
            ),
            ManifestationAsPdx => (
                format!("{code} is a manifestation code and may not be the principal diagnosis"),
                Some("Sequence the underlying etiology first, the manifestation after it"),
            ),
            NonspecificPdx => (
                format!("{code} is a non-specific principal diagnosis"),
                Some("Use a more specific code if the documentation supports it"),
            ),
            ECodeAsPdx => (
                format!("{code} is an external cause code and may not be the principal diagnosis"),
                Some("Sequence the injury or condition first; external cause codes are secondary"),
            ),
            UnacceptablePdx => (
                format!("{code} is not acceptable as a principal diagnosis"),
                Some("Sequence the condition chiefly responsible for the admission as principal"),
            ),
            DuplicateOfPdx => (
                format!("secondary diagnosis {code} duplicates the principal diagnosis"),
                Some("Remove the duplicate secondary diagnosis"),
            ),
            MedicareIsSecondaryPayer => (
                format!("{code} suggests Medicare is the secondary payer"),
                None,
            ),
            RequiresSdx => (
                format!("{code} as principal diagnosis requires a secondary diagnosis"),
                Some("Add the secondary diagnosis that describes the condition treated"),
            ),
            NonCovered => (
                format!("procedure {code} is not covered by Medicare in this circumstance"),
                None,
            ),
            LimitedCoverage => (
                format!("procedure {code} has limited Medicare coverage"),
                Some("Check that the coverage conditions are documented"),
            ),
            QuestionableObstetricAdmission => (
                format!("delivery procedure {code} is reported without an outcome of delivery secondary diagnosis"),
                Some("Add the outcome of delivery code (Z37.-) as a secondary diagnosis"),
            ),
            InvalidAdmitDx => (
                format!("admitting diagnosis {code} is not a valid ICD-10-CM code on the discharge date {date}"),
                Some("Correct the admitting diagnosis"),
            ),
            InvalidAge => (
                format!("age {age} is not a valid age (0 to 124 years)"),
                Some("Correct the date of birth or the age"),
            ),
            InvalidSex => (
                format!("sex '{sex}' is not valid for a discharge on {date} (male or female required before 2024-10-01)"),
                Some("Record the patient's sex"),
            ),
            InvalidDischargeStatus => (
                format!(
                    "discharge status {} is not a valid patient discharge status on {date}",
                    input.discharge_status.map_or_else(|| "unknown".into(), |s| format!("{s:02}"))
                ),
                Some("Use a current UB-04 patient discharge status code (01 home, 20 expired...)"),
            ),
            WrongProcedurePerformed => (
                format!("{code} reports a wrong procedure performed (surgery on the wrong patient, site or procedure)"),
                Some("Review with the facility's compliance process"),
            ),
            InconsistentWithLengthOfStay => (
                format!("{code} (ventilation of 96 consecutive hours or more) is inconsistent with the length of stay; the CMS reference compares it with the patient's age ({age})"),
                Some("Verify the duration of mechanical ventilation against the stay"),
            ),
            Unspecified => (
                format!("{code} is an unspecified code"),
                Some("Use a more specific code if the documentation supports it"),
            ),
        };
        let rule = mce_rule(h.edit);
        debug_assert_eq!(
            rule.authority,
            RuleAuthority::Mce {
                mce_edit: h.edit.name()
            }
        );
        let mut f = rule.finding(message).with_fields([field]);
        if !code.is_empty() || matches!(h.at, At::Pdx | At::Sdx(_) | At::Procedure(_) | At::AdmitDx)
        {
            f.codes = vec![code];
        }
        f.fix = fix.map(str::to_string);
        out.push(f);
    }
}

/// The rule of an MCE edit.
pub fn mce_rule(e: MceEdit) -> &'static Rule {
    use rules::*;
    use MceEdit::*;
    match e {
        InvalidCode => &MCE_INVALID_CODE,
        SexConflict => &MCE_SEX_CONFLICT,
        AgeConflict => &MCE_AGE_CONFLICT,
        QuestionableAdmission => &MCE_QUESTIONABLE_ADMISSION,
        ManifestationAsPdx => &MCE_MANIFESTATION_AS_PDX,
        NonspecificPdx => &MCE_NONSPECIFIC_PDX,
        ECodeAsPdx => &MCE_E_CODE_AS_PDX,
        UnacceptablePdx => &MCE_UNACCEPTABLE_PDX,
        DuplicateOfPdx => &MCE_DUPLICATE_OF_PDX,
        MedicareIsSecondaryPayer => &MCE_MEDICARE_IS_SECONDARY_PAYER,
        RequiresSdx => &MCE_REQUIRES_SDX,
        NonCovered => &MCE_NON_COVERED,
        LimitedCoverage => &MCE_LIMITED_COVERAGE,
        QuestionableObstetricAdmission => &MCE_QUESTIONABLE_OBSTETRIC_ADMISSION,
        InvalidAdmitDx => &MCE_INVALID_ADMIT_DX,
        InvalidAge => &MCE_INVALID_AGE,
        InvalidSex => &MCE_INVALID_SEX,
        InvalidDischargeStatus => &MCE_INVALID_DISCHARGE_STATUS,
        WrongProcedurePerformed => &MCE_WRONG_PROCEDURE_PERFORMED,
        InconsistentWithLengthOfStay => &MCE_INCONSISTENT_WITH_LENGTH_OF_STAY,
        Unspecified => &MCE_UNSPECIFIED,
    }
}

/// One code of a record, parsed once.
#[derive(Debug, Clone)]
pub struct Item {
    /// Record field (`secondary_dx[2]`).
    pub field: Cow<'static, str>,
    /// As written, trimmed.
    pub raw: String,
    /// Canonical (no dot, upper case) when well formed, else `raw` upper-cased.
    pub code: String,
    /// As printed (`E11.22`), or `raw` when malformed.
    pub display: String,
    /// The parsed diagnosis code.
    pub dx: Option<Code>,
    /// Principal diagnosis.
    pub principal: bool,
    /// POA indicator as written.
    pub poa: Option<String>,
    /// Procedure date (parsed).
    pub date: Option<Date>,
    /// The MCE validity periods of `code` (diagnosis or procedure table),
    /// looked up once per record.
    pub periods: Vec<Period>,
    /// The tabular node of a diagnosis code.
    pub node: Option<crate::tabular::NodeId>,
}

/// A record parsed once for all checks: dates, codes, age, sex, status.
#[derive(Debug)]
pub struct Prepared<'r> {
    /// The record.
    pub record: &'r Record,
    /// Its setting, if recognized.
    pub setting: Option<Setting>,
    /// Admission date.
    pub admission: Option<Date>,
    /// Discharge date.
    pub discharge: Option<Date>,
    /// Date of birth.
    pub dob: Option<Date>,
    /// Stated age, else derived from the date of birth at admission.
    pub age: Option<i64>,
    /// Sex.
    pub sex: MceSex,
    /// Discharge status.
    pub status: Option<i64>,
    /// Diagnoses: the principal first (if any), then the secondary ones.
    pub dx: Vec<Item>,
    /// Admitting diagnosis.
    pub admit_dx: Option<Item>,
    /// Procedures.
    pub procs: Vec<Item>,
}

fn bad_value(out: &mut Vec<Finding>, field: &str, message: String, fix: &str) {
    out.push(
        rules::RECORD_BAD_VALUE
            .finding(message)
            .with_fields([field])
            .with_fix(fix),
    );
}

fn date_field(out: &mut Vec<Finding>, field: &str, v: Option<&str>) -> Option<Date> {
    date_field_with(out, || field.to_string(), v)
}

/// [`date_field`] naming the field only when the date is malformed.
fn date_field_with(
    out: &mut Vec<Finding>,
    field: impl FnOnce() -> String,
    v: Option<&str>,
) -> Option<Date> {
    let v = v?.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(e) => {
            bad_value(out, &field(), e.to_string(), "Write dates as YYYY-MM-DD");
            None
        }
    }
}

/// The names of the first record fields of a list, so that preparing a
/// record does not format them.
const SECONDARY_FIELDS: [&str; 16] = [
    "secondary_dx[0]",
    "secondary_dx[1]",
    "secondary_dx[2]",
    "secondary_dx[3]",
    "secondary_dx[4]",
    "secondary_dx[5]",
    "secondary_dx[6]",
    "secondary_dx[7]",
    "secondary_dx[8]",
    "secondary_dx[9]",
    "secondary_dx[10]",
    "secondary_dx[11]",
    "secondary_dx[12]",
    "secondary_dx[13]",
    "secondary_dx[14]",
    "secondary_dx[15]",
];
const PROCEDURE_FIELDS: [&str; 8] = [
    "procedures[0]",
    "procedures[1]",
    "procedures[2]",
    "procedures[3]",
    "procedures[4]",
    "procedures[5]",
    "procedures[6]",
    "procedures[7]",
];

fn list_field(names: &[&'static str], name: &str, i: usize) -> Cow<'static, str> {
    match names.get(i) {
        Some(n) => Cow::Borrowed(n),
        None => Cow::Owned(format!("{name}[{i}]")),
    }
}

fn dx_item(field: Cow<'static, str>, raw: &str, principal: bool, poa: Option<String>) -> Item {
    let raw = raw.trim().to_string();
    let dx = raw.parse::<Code>().ok();
    let (code, display) = match dx {
        Some(c) => (c.as_str().to_string(), c.to_string()),
        None => (raw.to_ascii_uppercase(), raw.clone()),
    };
    Item {
        field,
        raw,
        code,
        display,
        dx,
        principal,
        poa,
        date: None,
        periods: Vec::new(),
        node: None,
    }
}

impl<'r> Prepared<'r> {
    /// Parses the record; malformed dates and values become findings.
    pub fn new(record: &'r Record, out: &mut Vec<Finding>) -> Prepared<'r> {
        let setting = record.setting();
        if let (Some(s), None) = (&record.setting, setting) {
            bad_value(
                out,
                "setting",
                format!("setting '{s}' is neither inpatient nor outpatient"),
                "Write \"inpatient\" or \"outpatient\"",
            );
        }
        let admission = date_field(out, "admission.date", record.admission.date.as_deref());
        let discharge = date_field(out, "discharge.date", record.discharge.date.as_deref());
        let dob = date_field(out, "patient.dob", record.patient.dob.as_deref());
        let stated = record.patient.age.as_ref().and_then(|a| {
            let t = a.as_str();
            match t.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad_value(
                        out,
                        "patient.age",
                        format!("age '{t}' is not a whole number of years"),
                        "Write the age in whole years",
                    );
                    None
                }
            }
        });
        let derived = dob
            .zip(admission.or(discharge))
            .and_then(|(b, on)| b.age_on(on))
            .map(i64::from);
        let is = |s: &str, names: &[&str]| names.iter().any(|n| s.eq_ignore_ascii_case(n));
        let sex = match record.patient.sex.as_deref().map(str::trim) {
            Some(s) if is(s, &["m", "male"]) => MceSex::Male,
            Some(s) if is(s, &["f", "female"]) => MceSex::Female,
            Some(s) if is(s, &["u", "unknown", ""]) => MceSex::Unknown,
            Some(s) => {
                let s = s.to_ascii_lowercase();
                bad_value(
                    out,
                    "patient.sex",
                    format!("sex '{s}' is not M, F or U"),
                    "Write M, F or U",
                );
                MceSex::Unknown
            }
            None => MceSex::Unknown,
        };
        let status = record.discharge.status.as_ref().and_then(|s| {
            let t = s.as_str();
            match t.parse::<i64>() {
                Ok(n) if !t.is_empty() => Some(n),
                _ => {
                    bad_value(
                        out,
                        "discharge.status",
                        format!("discharge status '{t}' is not a number"),
                        "Use the two-digit UB-04 patient discharge status (01, 20...)",
                    );
                    None
                }
            }
        });
        let mut dx = Vec::with_capacity(record.secondary_dx.len() + 1);
        if let Some(p) = &record.principal_dx {
            dx.push(dx_item(
                Cow::Borrowed("principal_dx"),
                &p.code,
                true,
                p.poa.clone(),
            ));
        }
        for (i, d) in record.secondary_dx.iter().enumerate() {
            dx.push(dx_item(
                list_field(&SECONDARY_FIELDS, "secondary_dx", i),
                &d.code,
                false,
                d.poa.clone(),
            ));
        }
        let admit_dx = record
            .admitting_dx
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|a| dx_item(Cow::Borrowed("admitting_dx"), a, false, None));
        let procs = record
            .procedures
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let field = list_field(&PROCEDURE_FIELDS, "procedures", i);
                let raw = p.code.trim().to_string();
                let code = raw
                    .parse::<PcsCode>()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|_| raw.to_ascii_uppercase());
                let date = date_field_with(out, || format!("{field}.date"), p.date.as_deref());
                Item {
                    field,
                    display: code.clone(),
                    raw,
                    code,
                    dx: None,
                    principal: false,
                    poa: None,
                    date,
                    periods: Vec::new(),
                    node: None,
                }
            })
            .collect();
        Prepared {
            record,
            setting,
            admission,
            discharge,
            dob,
            age: stated.or(derived),
            sex,
            status,
            dx,
            admit_dx,
            procs,
        }
    }

    /// Looks up every code once for all checks: its tabular node and its
    /// MCE validity periods (those of a tabular code from the checker's cache).
    pub(crate) fn look_up<D: AsRef<[u8]>>(&mut self, c: &Checker<'_, D>) {
        let lib = c.lib;
        for d in self.dx.iter_mut().chain(self.admit_dx.as_mut()) {
            d.node = d.dx.and_then(|code| lib.tabular.find(&code));
            if let Some(periods) = d.node.and_then(|id| c.cache.notes.periods(lib, id)) {
                d.periods = periods.to_vec();
            } else if !d.code.is_empty() {
                d.periods = lib.mce.periods(Table::Dx, &d.code);
            }
        }
        for x in &mut self.procs {
            if !x.code.is_empty() {
                x.periods = lib.mce.periods(Table::Sg, &x.code);
            }
        }
    }

    /// The date codes are checked on: the discharge date, else the admission date.
    pub fn code_date(&self) -> Option<Date> {
        self.discharge.or(self.admission)
    }
}
