//! Completeness and consistency of a record: required fields for the
//! setting, dates that make sense, length of stay, stated age against the
//! date of birth, POA indicators on inpatient diagnoses, codes reported
//! twice, well-formed codes, and codes valid on the date of discharge.
//!
//! Caveat: the POA-exempt code list is not among the data, so an exempt
//! code must carry `1` (or any valid indicator) like the others.

use super::{rules, Authority, Checker, Finding, Prepared, Setting, Severity};
use crate::code::{Code, PcsCode};
use crate::date::Date;

const UHDDS: Authority = Authority::Standard { name: "UHDDS" };

/// Runs every completeness check.
pub(crate) fn check<D: AsRef<[u8]>>(c: &Checker<'_, D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    required(p, out);
    dates(c, p, out);
    age(p, out);
    poa(p, out);
    duplicates(p, out);
    codes(c, p, out);
}

fn required(p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let r = p.record;
    let inpatient = p.setting != Some(Setting::Outpatient);
    if r.setting.is_none() {
        out.push(
            rules::RECORD_SETTING_MISSING
                .finding("the setting is not given; the record was checked as inpatient")
                .with_fields(["setting"])
                .with_fix("Give \"setting\": \"inpatient\" or \"outpatient\""),
        );
    }
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    let mut need = |missing: bool, field: &str, what: &str, severity: Severity| {
        if missing {
            out.push(
                rules::RECORD_REQUIRED_FIELD
                    .finding(format!(
                        "{what} is required for an {} record",
                        if inpatient { "inpatient" } else { "outpatient" }
                    ))
                    .with_severity(severity)
                    .with_fields([field])
                    .with_fix("Complete the field from the source documents"),
            );
        }
    };
    need(
        blank(r.patient.mrn.as_ref().map(|t| t.as_str())),
        "patient.mrn",
        "the medical record number",
        Severity::Error,
    );
    need(
        blank(r.patient.dob.as_deref()) && blank(r.patient.age.as_ref().map(|t| t.as_str())),
        "patient.dob",
        "the date of birth (or the age)",
        Severity::Error,
    );
    need(
        blank(r.patient.sex.as_deref()),
        "patient.sex",
        "the patient's sex",
        Severity::Error,
    );
    need(
        blank(r.admission.date.as_deref()),
        "admission.date",
        "the admission date",
        Severity::Error,
    );
    need(
        r.principal_dx
            .as_ref()
            .is_none_or(|d| d.code.trim().is_empty()),
        "principal_dx",
        if inpatient {
            "the principal diagnosis"
        } else {
            "the first-listed diagnosis"
        },
        Severity::Error,
    );
    if inpatient {
        need(
            blank(r.discharge.date.as_deref()),
            "discharge.date",
            "the discharge date",
            Severity::Error,
        );
        need(
            blank(r.discharge.status.as_ref().map(|t| t.as_str())),
            "discharge.status",
            "the discharge status",
            Severity::Error,
        );
        need(
            blank(r.attending.as_deref()),
            "attending",
            "the attending provider",
            Severity::Warning,
        );
        need(
            blank(r.admitting_dx.as_deref()),
            "admitting_dx",
            "the admitting diagnosis",
            Severity::Warning,
        );
    } else {
        need(
            blank(r.reason_for_visit.as_deref()),
            "reason_for_visit",
            "the reason for visit",
            Severity::Warning,
        );
    }
    // Field names are formatted only for the findings.
    for (i, d) in r.secondary_dx.iter().enumerate() {
        if d.code.trim().is_empty() {
            need(
                true,
                &format!("secondary_dx[{i}]"),
                &format!(
                    "a code for secondary diagnosis {} (secondary_dx[{i}])",
                    i + 1
                ),
                Severity::Error,
            );
        }
    }
    for (i, d) in r.procedures.iter().enumerate() {
        if d.code.trim().is_empty() {
            need(
                true,
                &format!("procedures[{i}]"),
                &format!("a code for procedure {} (procedures[{i}])", i + 1),
                Severity::Error,
            );
        }
    }
}

fn dates<D: AsRef<[u8]>>(c: &Checker<'_, D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let order = |out: &mut Vec<Finding>, a: &str, b: &str, msg: String| {
        out.push(
            rules::RECORD_DATE_ORDER
                .finding(msg)
                .with_fields([a, b])
                .with_fix("Correct the dates from the source documents"),
        );
    };
    if let (Some(b), Some(a)) = (p.dob, p.admission) {
        if b > a {
            order(
                out,
                "patient.dob",
                "admission.date",
                format!("the date of birth {b} is after the admission date {a}"),
            );
        }
    }
    if let (Some(b), Some(d)) = (p.dob, p.discharge) {
        if b > d && p.admission.is_none() {
            order(
                out,
                "patient.dob",
                "discharge.date",
                format!("the date of birth {b} is after the discharge date {d}"),
            );
        }
    }
    if let (Some(a), Some(d)) = (p.admission, p.discharge) {
        if a > d {
            order(
                out,
                "admission.date",
                "discharge.date",
                format!("the admission date {a} is after the discharge date {d}"),
            );
        } else {
            let los = a.days_until(d);
            let outpatient = p.setting == Some(Setting::Outpatient);
            if outpatient && los > 1 {
                out.push(
                    rules::RECORD_LENGTH_OF_STAY
                        .finding(format!(
                            "an outpatient encounter spanning {los} days ({a} to {d})"
                        ))
                        .with_fields(["admission.date", "discharge.date"])
                        .with_fix("Check the setting and the dates"),
                );
            } else if !outpatient && los > 365 {
                out.push(
                    rules::RECORD_LENGTH_OF_STAY
                        .finding(format!("a length of stay of {los} days ({a} to {d})"))
                        .with_fields(["admission.date", "discharge.date"])
                        .with_fix("Check the admission and discharge dates"),
                );
            }
        }
    }
    for x in &p.procs {
        let Some(d) = x.date else { continue };
        let before = p.admission.is_some_and(|a| d < a);
        let after = p.discharge.is_some_and(|e| d > e);
        if before || after {
            out.push(rules::RECORD_PROCEDURE_DATE_OUTSIDE_STAY.finding(format!(
                    "procedure {} is dated {d}, {} the stay",
                    x.display,
                    if before { "before" } else { "after" }
                )).with_codes(vec![x.display.clone()]).with_fields(vec![format!("{}.date", x.field)]).with_fix("Check the procedure date; procedures before admission are reported only under the payer's pre-admission rules"));
        }
    }
    if let (Some(last), Some(date)) = (c.coverage_end(), p.code_date()) {
        if let Some(why) = outside_coverage(date, last) {
            let field = if p.discharge.is_some() {
                "discharge.date"
            } else {
                "admission.date"
            };
            out.push(
                rules::RECORD_DATE_OUTSIDE_RELEASE
                    .finding(format!("{field} {why}"))
                    .with_fields([field])
                    .with_fix("Check the codes against the ICD-10-CM and MCE release in effect on that date"),
            );
        }
    }
    if let Some(today) = c.today {
        let mut future = |field: String, d: Option<crate::date::Date>| {
            if let Some(d) = d.filter(|d| *d > today) {
                out.push(
                    rules::RECORD_FUTURE_DATE
                        .finding(format!("{field} {d} is in the future (today is {today})"))
                        .with_fields(vec![field])
                        .with_fix("Correct the date"),
                );
            }
        };
        future("patient.dob".into(), p.dob);
        future("admission.date".into(), p.admission);
        future("discharge.date".into(), p.discharge);
        for x in p.procs.iter().filter(|x| x.date.is_some_and(|d| d > today)) {
            future(format!("{}.date", x.field), x.date);
        }
    }
}

/// What a date after the release's last day means, or `None` when the
/// release covers it: "2027-06-01 is after 2026-09-30, the last day this
/// release covers: codes may have changed on 2026-10-01; this release
/// cannot tell". `last` is [`crate::Mce::coverage_end`].
pub fn outside_coverage(date: Date, last: Date) -> Option<String> {
    (date > last).then(|| {
        let next = last.next_day().unwrap_or(last);
        format!("{date} is after {last}, the last day this release covers: codes may have changed on {next}; this release cannot tell")
    })
}

fn age(p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let stated = p
        .record
        .patient
        .age
        .as_ref()
        .and_then(|a| a.as_str().parse::<i64>().ok());
    let Some(stated) = stated else { return };
    let Some(on) = p.admission.or(p.discharge) else {
        return;
    };
    let Some(derived) = p.dob.and_then(|b| b.age_on(on)) else {
        return;
    };
    if i64::from(derived) != stated {
        out.push(rules::RECORD_AGE_MISMATCH.finding(format!(
                "the stated age {stated} does not agree with the date of birth {} (age {derived} on {on})",
                p.dob.map(|d| d.to_string()).unwrap_or_default()
            )).with_fields(["patient.age", "patient.dob"]).with_fix("Correct the date of birth or the age"));
    }
}

/// "Use Y (present on admission), N (…), … or 1 (…)".
fn poa_fix() -> String {
    let all = crate::record::model::POA_INDICATORS;
    let items: Vec<String> = all.iter().map(|(k, m)| format!("{k} ({m})")).collect();
    let (last, rest) = items
        .split_last()
        .unwrap_or_else(|| unreachable!("five indicators"));
    format!("Use {} or {last}", rest.join(", "))
}

fn poa(p: &Prepared<'_>, out: &mut Vec<Finding>) {
    if p.setting == Some(Setting::Outpatient) {
        return;
    }
    for d in p.dx.iter().filter(|d| !d.raw.is_empty()) {
        match d.poa.as_deref().map(str::trim) {
            None | Some("") => out.push(
                rules::RECORD_POA_MISSING
                    .finding(format!(
                        "{} has no present-on-admission indicator",
                        d.display
                    ))
                    .with_codes(vec![d.display.clone()])
                    .with_fields(vec![format!("{}.poa", d.field)])
                    .with_fix("Give Y, N, U, W, or 1 for an exempt code"),
            ),
            Some(v) if !crate::record::model::is_poa_indicator(v) => out.push(
                rules::RECORD_POA_INVALID
                    .finding(format!(
                        "'{v}' is not a present-on-admission indicator (for {})",
                        d.display
                    ))
                    .with_codes(vec![d.display.clone()])
                    .with_fields(vec![format!("{}.poa", d.field)])
                    .with_fix(poa_fix()),
            ),
            _ => {}
        }
    }
}

fn duplicates(p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let outpatient = p.setting == Some(Setting::Outpatient);
    for (i, d) in p.dx.iter().enumerate() {
        if d.code.is_empty() {
            continue;
        }
        // The MCE reports a secondary equal to the principal on inpatient records.
        let first = p.dx[..i]
            .iter()
            .find(|e| e.code == d.code && (outpatient || !e.principal));
        if let Some(e) = first {
            out.push(
                rules::RECORD_DUPLICATE_CODE
                    .finding(format!(
                        "{} is reported twice ({} and {})",
                        d.display, e.field, d.field
                    ))
                    .with_codes(vec![d.display.clone()])
                    .with_fields(vec![e.field.to_string(), d.field.to_string()])
                    .with_fix("Report each diagnosis code only once"),
            );
        }
    }
    for (i, x) in p.procs.iter().enumerate() {
        if let Some(e) = p.procs[..i]
            .iter()
            .find(|e| e.code == x.code && e.date == x.date && !x.code.is_empty())
        {
            out.push(
                rules::RECORD_DUPLICATE_CODE
                    .finding(format!(
                        "procedure {} is reported twice on the same date ({} and {})",
                        x.display, e.field, x.field
                    ))
                    .with_severity(Severity::Warning)
                    .with_codes(vec![x.display.clone()])
                    .with_fields(vec![e.field.to_string(), x.field.to_string()])
                    .with_authority(UHDDS)
                    .with_fix("Report a procedure again only if it was performed again"),
            );
        }
    }
}

fn periods_text(periods: &[crate::mce::Period]) -> String {
    periods
        .iter()
        .map(|p| match p.end {
            Some(e) => format!("{} to {e}", p.start),
            None => format!("from {}", p.start),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A three-character code typed with a dot and nothing after it (`E11.`,
/// `I10.`): the code, and whether it is billable on its own.
fn bare_dot<D: AsRef<[u8]>>(c: &Checker<'_, D>, raw: &str) -> Option<(String, bool)> {
    let raw = raw.trim();
    let stem = raw.strip_suffix('.')?;
    let code: Code = stem.parse().ok().filter(|_| stem.len() == 3)?;
    let tab = &c.lib.tabular;
    let id = tab.find(&code)?;
    Some((tab.display_key(id), tab.billable(id)))
}

/// Codes are checked against the periods `Prepared::look_up` found.
fn codes<D: AsRef<[u8]>>(c: &Checker<'_, D>, p: &Prepared<'_>, out: &mut Vec<Finding>) {
    let date = p.code_date();
    let dx_items = p.dx.iter().chain(p.admit_dx.as_ref());
    for d in dx_items.filter(|d| !d.raw.is_empty()) {
        let Some(code) = d.dx else {
            let why = d
                .raw
                .parse::<Code>()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            let (why, fix) = match bare_dot(c, &d.raw) {
                // "E11.": what is meant is plain; say what E11 is.
                Some((code, true)) => (
                    format!(
                        "'{}': {code} is a code, written without a dot after it",
                        d.raw.trim()
                    ),
                    format!("Write {code}"),
                ),
                Some((code, false)) => (
                    format!(
                        "'{}': {code} is a category: choose one of its codes",
                        d.raw.trim()
                    ),
                    format!(
                        "Open {code} in the Tabular List and choose the code the record supports"
                    ),
                ),
                None => (why, "Type an ICD-10-CM code such as E11.22".to_string()),
            };
            out.push(
                rules::CODE_MALFORMED
                    .finding(why)
                    .with_codes(vec![d.raw.clone()])
                    .with_fields(vec![d.field.to_string()])
                    .with_fix(fix),
            );
            continue;
        };
        let Some(date) = date else { continue };
        let periods = &d.periods;
        if periods.is_empty() || periods.iter().any(|x| x.contains(date)) {
            continue;
        }
        out.push(
            rules::RECORD_CODE_NOT_VALID_ON_DATE
                .finding(format!(
                    "{code} is not valid on {date}; it is valid {}",
                    periods_text(periods)
                ))
                .with_codes(vec![code.to_string()])
                .with_fields(vec![d.field.to_string()])
                .with_fix("Use the code in effect on the date of discharge"),
        );
    }
    for x in p.procs.iter().filter(|x| !x.raw.is_empty()) {
        if let Err(e) = x.raw.parse::<PcsCode>() {
            out.push(
                rules::CODE_MALFORMED
                    .finding(e.to_string())
                    .with_codes(vec![x.raw.clone()])
                    .with_fields(vec![x.field.to_string()])
                    .with_authority(UHDDS)
                    .with_fix("Type a 7-character ICD-10-PCS code such as 0DTJ4ZZ"),
            );
            continue;
        }
        let Some(date) = date else { continue };
        let periods = &x.periods;
        if periods.is_empty() {
            out.push(
                rules::CODE_UNKNOWN_PROCEDURE
                    .finding(format!("{} is not an ICD-10-PCS code", x.code))
                    .with_codes(vec![x.code.clone()])
                    .with_fields(vec![x.field.to_string()])
                    .with_fix("Check the code in the ICD-10-PCS tables"),
            );
        } else if !periods.iter().any(|q| q.contains(date)) {
            out.push(
                rules::RECORD_CODE_NOT_VALID_ON_DATE
                    .finding(format!(
                        "{} is not valid on {date}; it is valid {}",
                        x.code,
                        periods_text(periods)
                    ))
                    .with_codes(vec![x.code.clone()])
                    .with_fields(vec![x.field.to_string()])
                    .with_authority(UHDDS)
                    .with_fix("Use the code in effect on the date of discharge"),
            );
        }
    }
}
