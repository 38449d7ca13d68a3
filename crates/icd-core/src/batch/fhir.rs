//! FHIR R4 Bundles: one [`Record`] per Encounter.
//!
//! A Bundle (of any type: `collection`, `transaction`, `searchset`...) is
//! read whole, as the JSON reader (`batch/json.rs`) splits it out of the file (one Bundle, an
//! array of them, or NDJSON). Each Encounter in it is an entry of the file,
//! numbered across the file: `entry 3 (line 1)` is the third Encounter, in
//! the Bundle that starts on line 1.
//!
//! ```
//! use icd_core::batch::{read, Format, Item};
//! let bundle = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
//!   {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1", "gender": "female"}},
//!   {"resource": {"resourceType": "Encounter", "id": "e1", "class": {"code": "IMP"},
//!     "subject": {"reference": "urn:uuid:p1"},
//!     "diagnosis": [{"condition": {"reference": "Condition/c1"}, "rank": 1}]}},
//!   {"resource": {"resourceType": "Condition", "id": "c1", "code": {"coding": [
//!     {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I21.4"}]}}}]}"#;
//! let items = read(bundle, Format::Fhir);
//! let Item::Record { record, .. } = &items[0] else { panic!("{items:?}") };
//! assert_eq!(record.principal_dx.as_ref().unwrap().code, "I21.4");
//! assert_eq!(record.patient.sex.as_deref(), Some("F"));
//! ```
//!
//! What is read, as US Core 6 and the base specification carry it:
//! - **Patient** (the Encounter's `subject`): `identifier` of type `MR`
//!   (else the first) -> `patient.mrn`; the `official` (else first) `name`
//!   as `Family, Given Middle`; `birthDate`; `gender` -> `M`/`F`/`U`.
//! - **Encounter**: the `identifier` of type `VN` (visit number, else the
//!   first), else the resource id -> `id`; `class` `IMP`/`ACUTE`/`NONAC` ->
//!   inpatient, `AMB`/`EMER`/`OBSENC`/`HH`/`VR`/`PRENC`/`SS` ->
//!   outpatient (another code is kept as written, and the check reports
//!   it); `period.start`/`end` -> admission/discharge date and time of
//!   day, local time as written; `priority` (v3 ActPriority `EM`/`UR`/`EL`,
//!   or a NUBC code) -> the UB-04 type of admission;
//!   `hospitalization.dischargeDisposition` -> `discharge.status` and
//!   `hospitalization.admitSource` -> `admission.source` (see
//!   [`nubc_code`]); the `participant` of type `ATND` -> `attending`
//!   (its Practitioner as `Family, Given (NPI ...)`, else the reference's
//!   `display`); `reasonCode` (or the Condition of `reasonReference`) ->
//!   `reason_for_visit`, its text.
//! - **Condition**: the coding of `http://hl7.org/fhir/sid/icd-10-cm`
//!   (or its OID). Linked to the Encounter by `Encounter.diagnosis.condition`
//!   or `Condition.encounter`. The principal diagnosis is the
//!   `Encounter.diagnosis` of rank 1 (use `billing`, `DD` or none), else a
//!   Condition whose `category` has the code `principal` (CARIN BB's
//!   diagnosis type); for an outpatient encounter with neither, the first
//!   listed. A diagnosis of use `AD` (admission) is the admitting
//!   diagnosis; `CC` (chief complaint) is not coded. Conditions of category
//!   `problem-list-item` or `health-concern` with no ICD-10-CM coding are
//!   not encounter diagnoses and are left out; any other Condition without
//!   one makes the encounter a broken entry, naming it. Conditions marked
//!   `entered-in-error` are left out.
//! - **POA**: US Core carries none; the extension
//!   [`QICORE_POA`] on `Encounter.diagnosis` (QI-Core, which derives from
//!   US Core) or on the Condition, and any extension whose URL ends in
//!   `PresentOnAdmission` or `present-on-admission` (senders' own), with a
//!   `valueCodeableConcept`, `valueCoding`, `valueCode` or `valueString`.
//!   The codes are the CMS/NUBC indicators `Y N U W 1` in any case (CARIN
//!   BB and Da Vinci PAS put them on `ExplanationOfBenefit.diagnosis.
//!   onAdmission` and `Claim.diagnosis.onAdmission`, in the code systems
//!   of [`POA_SYSTEMS`]: a coding of one of those systems is preferred).
//! - **Procedure** (linked by `Procedure.encounter`): the coding of
//!   `http://www.cms.gov/Medicare/Coding/ICD10` (or its OID),
//!   `performedDateTime` or `performedPeriod.start` -> date. One without an
//!   ICD-10-PCS coding breaks an inpatient encounter; an outpatient one
//!   (CPT, HCPCS) is left out, as the record form holds ICD-10-PCS only.
//!   Procedures `not-done` or `entered-in-error` are left out.
//!
//! References resolve inside the Bundle: by `fullUrl` (`urn:uuid:...`, an
//! absolute URL) or by `ResourceType/id`, also at the end of an absolute
//! URL. A value that is not a Bundle, a Bundle with no Encounter, an
//! Encounter whose patient is not in the Bundle: a broken unit, with what
//! to fix; the other encounters are still read.

use std::collections::HashMap;

use serde_json::Value;

use super::{Item, Place};
use crate::record::model::{Diagnosis, Procedure, Record, Text};

/// ICD-10-CM, as FHIR names it (and its OID).
pub const ICD10CM_SYSTEMS: [&str; 2] = [
    "http://hl7.org/fhir/sid/icd-10-cm",
    "urn:oid:2.16.840.1.113883.6.90",
];

/// ICD-10-PCS, as FHIR names it (and its OID).
pub const ICD10PCS_SYSTEMS: [&str; 3] = [
    "http://www.cms.gov/Medicare/Coding/ICD10",
    "urn:oid:2.16.840.1.113883.6.4",
    "http://hl7.org/fhir/sid/icd-10-pcs",
];

/// The QI-Core extension for present on admission, on `Encounter.diagnosis`.
pub const QICORE_POA: &str =
    "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-encounter-diagnosisPresentOnAdmission";

/// Code systems of POA indicators: NUBC's (CARIN BB), HL7 v2 table 0895,
/// CMS's (QI-Core, CARIN BB), and the base specification's example codes.
pub const POA_SYSTEMS: [&str; 4] = [
    "https://www.nubc.org/CodeSystem/PresentOnAdmissionIndicator",
    "http://terminology.hl7.org/CodeSystem/v2-0895",
    "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/HospitalAcqCond/Coding",
    "http://terminology.hl7.org/CodeSystem/ex-diagnosis-on-admission",
];

/// Reads one JSON value of a FHIR file: a Bundle, whose Encounters become
/// entries numbered on from `units`.
pub(super) fn read(v: Value, line: usize, units: &mut usize, out: &mut Vec<Item>) {
    let kind = v.get("resourceType").and_then(Value::as_str);
    if kind != Some("Bundle") {
        let what = match (&v, kind) {
            (_, Some(k)) => format!("resourceType {k}"),
            (Value::Object(_), None) => "an object with no resourceType".into(),
            _ => "not an object".into(),
        };
        out.push(Item::Broken {
            place: Place::line(line),
            reason: format!(
                "not a FHIR Bundle ({what}); put the Patient, Encounter, Condition and Procedure resources in a Bundle's entry list"
            ),
        });
        return;
    }
    let bundle = Bundle::new(&v);
    let mut any = false;
    for (i, res) in bundle.resources.iter().enumerate() {
        if res.get("resourceType").and_then(Value::as_str) != Some("Encounter") {
            continue;
        }
        any = true;
        *units += 1;
        let place = Place::entry(*units, line);
        out.push(match bundle.encounter(i) {
            Ok(record) => Item::Record {
                place,
                record: Box::new(record),
            },
            Err(reason) => Item::Broken {
                place,
                reason: format!("{}: {reason}", bundle.name(i)),
            },
        });
    }
    if !any {
        out.push(Item::Broken {
            place: Place::line(line),
            reason: format!(
                "the Bundle holds no Encounter ({} resources); each record is an Encounter with its Patient, Conditions and Procedures",
                bundle.resources.len()
            ),
        });
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The codings of a CodeableConcept (or of a Coding itself).
fn codings(cc: &Value) -> Vec<&Value> {
    match cc.get("coding").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None if cc.get("code").is_some() => vec![cc],
        None => Vec::new(),
    }
}

/// The code of the first coding whose system is one of `systems`.
fn code_in<'a>(cc: &'a Value, systems: &[&str]) -> Option<&'a str> {
    codings(cc)
        .into_iter()
        .find(|c| str_of(c, "system").is_some_and(|s| systems.contains(&s)))
        .and_then(|c| str_of(c, "code"))
}

/// The code of the first coding, whatever its system.
fn first_code(cc: &Value) -> Option<&str> {
    codings(cc).into_iter().find_map(|c| str_of(c, "code"))
}

/// Whether a CodeableConcept (or a list of them) has a coding with `code`.
fn has_code(v: &Value, code: &str) -> bool {
    let one = |cc: &Value| {
        codings(cc)
            .iter()
            .any(|c| str_of(c, "code").is_some_and(|k| k.eq_ignore_ascii_case(code)))
    };
    match v {
        Value::Array(list) => list.iter().any(one),
        other => one(other),
    }
}

/// `2026-04-02T14:30:00-05:00` -> (`2026-04-02`, `14:30`): local time as
/// written, since the 48-hour rule compares the hospital's clock times.
fn date_time(s: &str) -> (Option<String>, Option<String>) {
    let s = s.trim();
    match s.split_once('T') {
        Some((d, t)) => {
            let hm: String = t.chars().take(5).collect();
            let time = (hm.len() == 5 && hm.as_bytes()[2] == b':').then_some(hm);
            (Some(d.to_string()), time)
        }
        None if s.is_empty() => (None, None),
        None => (Some(s.to_string()), None),
    }
}

/// NUBC code systems for discharge status and point of origin (CARIN BB, US
/// Core examples), and the UB-04 codes the base specification's codes
/// stand for where one code is meant.
const NUBC_DISCHARGE: [&str; 2] = [
    "https://www.nubc.org/CodeSystem/PatDischargeStatus",
    "http://www.nubc.org/patient-discharge",
];
const NUBC_ORIGIN: [&str; 2] = [
    "https://www.nubc.org/CodeSystem/PointOfOrigin",
    "http://www.nubc.org/point-of-origin",
];
const NUBC_PRIORITY: [&str; 1] = ["https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit"];

/// The UB-04 code of a CodeableConcept: the coding of a NUBC system when
/// there is one; else a base-specification code that stands for exactly
/// one UB-04 code (`discharge-disposition` `home` -> `01`, `exp` -> `20`,
/// `aadvice` -> `07`; v3 ActPriority `EM` -> `1`, `UR` -> `2`, `EL` ->
/// `3`); else the first code as written, which the check then reports.
pub fn nubc_code(cc: &Value, nubc: &[&str], base: &[(&str, &str)]) -> Option<String> {
    if let Some(c) = code_in(cc, nubc) {
        return Some(c.to_string());
    }
    let code = first_code(cc)?;
    Some(
        base.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(code))
            .map_or(code, |(_, v)| v)
            .to_string(),
    )
}

const BASE_DISCHARGE: [(&str, &str); 3] = [("home", "01"), ("exp", "20"), ("aadvice", "07")];
const BASE_PRIORITY: [(&str, &str); 3] = [("EM", "1"), ("UR", "2"), ("EL", "3")];

/// The POA indicator of a list of extensions, upper-cased.
fn poa_of(extensions: &[Value]) -> Option<String> {
    extensions.iter().find_map(|e| {
        let url = str_of(e, "url")?;
        let lower = url.to_ascii_lowercase();
        if url != QICORE_POA
            && !lower.ends_with("presentonadmission")
            && !lower.ends_with("present-on-admission")
        {
            return None;
        }
        let code = ["valueCodeableConcept", "valueCoding"]
            .iter()
            .find_map(|k| {
                let cc = e.get(*k)?;
                code_in(cc, &POA_SYSTEMS).or_else(|| first_code(cc))
            })
            .or_else(|| str_of(e, "valueCode"))
            .or_else(|| str_of(e, "valueString"))?;
        Some(code.to_ascii_uppercase())
    })
}

/// Whether a resource's `status` or `verificationStatus` says to leave it out.
fn left_out(res: &Value) -> bool {
    let status = str_of(res, "status").unwrap_or("");
    status == "entered-in-error"
        || status == "not-done"
        || res
            .get("verificationStatus")
            .is_some_and(|v| has_code(v, "entered-in-error"))
}

/// A Condition listed for an encounter, with what `Encounter.diagnosis`
/// says of it.
struct Listed<'a> {
    /// Index in the Bundle's resources.
    condition: usize,
    /// The POA of the diagnosis element.
    poa: Option<String>,
    rank: Option<u64>,
    /// `Encounter.diagnosis.use` (`AD`, `DD`, `CC`, `billing`...).
    role: Option<&'a str>,
    /// Listed in `Encounter.diagnosis` (else linked by `Condition.encounter` only).
    by_encounter: bool,
}

struct Bundle<'a> {
    resources: Vec<&'a Value>,
    /// `fullUrl` and `Type/id` -> index in `resources`.
    by_ref: HashMap<String, usize>,
}

impl<'a> Bundle<'a> {
    fn new(v: &'a Value) -> Bundle<'a> {
        let mut resources = Vec::new();
        let mut by_ref = HashMap::new();
        for e in array(v, "entry") {
            let Some(res) = e.get("resource").filter(|r| r.is_object()) else {
                continue;
            };
            let i = resources.len();
            resources.push(res);
            if let Some(url) = str_of(e, "fullUrl") {
                by_ref.entry(url.to_string()).or_insert(i);
            }
            if let (Some(t), Some(id)) = (str_of(res, "resourceType"), str_of(res, "id")) {
                by_ref.entry(format!("{t}/{id}")).or_insert(i);
            }
        }
        Bundle { resources, by_ref }
    }

    /// `Encounter/e1`, or `Encounter 2` when it has no id.
    fn name(&self, i: usize) -> String {
        let res = self.resources[i];
        let t = str_of(res, "resourceType").unwrap_or("resource");
        match str_of(res, "id") {
            Some(id) => format!("{t}/{id}"),
            None => {
                let n = self.resources[..=i]
                    .iter()
                    .filter(|r| str_of(r, "resourceType") == Some(t))
                    .count();
                format!("{t} {n} (no id)")
            }
        }
    }

    /// The resource a Reference points at, inside the Bundle.
    fn resolve(&self, reference: &Value) -> Option<usize> {
        let r = str_of(reference, "reference")?;
        if let Some(&i) = self.by_ref.get(r) {
            return Some(i);
        }
        // An absolute or versioned URL: its `Type/id` part.
        let path = r.split("/_history/").next().unwrap_or(r);
        let mut parts = path.rsplit('/');
        let id = parts.next()?;
        let t = parts.next()?;
        self.by_ref.get(&format!("{t}/{id}")).copied()
    }

    /// Whether `res`'s `key` reference points at resource `target`.
    fn points_at(&self, res: &Value, key: &str, target: usize) -> bool {
        res.get(key).and_then(|r| self.resolve(r)) == Some(target)
    }

    fn encounter(&self, i: usize) -> Result<Record, String> {
        let enc = self.resources[i];
        let mut r = Record::default();
        // The patient.
        let subject = enc
            .get("subject")
            .or_else(|| enc.get("patient"))
            .ok_or("no subject; reference the Patient (subject: {reference: \"Patient/...\"})")?;
        let p = self
            .resolve(subject)
            .map(|j| self.resources[j])
            .filter(|p| str_of(p, "resourceType") == Some("Patient"))
            .ok_or_else(|| {
                format!(
                    "the patient {} is not in the Bundle; include the Patient entry, with that fullUrl or id",
                    str_of(subject, "reference").unwrap_or("(no reference)")
                )
            })?;
        patient(p, &mut r);
        // The encounter.
        let ids = array(enc, "identifier");
        r.id = ids
            .iter()
            .find(|id| id.get("type").is_some_and(|t| has_code(t, "VN")))
            .or(ids.first())
            .and_then(|id| str_of(id, "value"))
            .or_else(|| str_of(enc, "id"))
            .map(Text::from);
        let class = match enc.get("class") {
            Some(Value::Array(list)) => list.first().and_then(first_code),
            Some(c) => first_code(c),
            None => None,
        };
        r.setting = class.map(|c| {
            match c.to_ascii_uppercase().as_str() {
                "IMP" | "ACUTE" | "NONAC" => "inpatient",
                "AMB" | "EMER" | "OBSENC" | "HH" | "VR" | "PRENC" | "SS" => "outpatient",
                _ => c,
            }
            .to_string()
        });
        if let Some(period) = enc.get("period") {
            (r.admission.date, r.admission.time) = date_time(str_of(period, "start").unwrap_or(""));
            (r.discharge.date, r.discharge.time) = date_time(str_of(period, "end").unwrap_or(""));
        }
        if let Some(pr) = enc.get("priority") {
            r.admission.kind = nubc_code(pr, &NUBC_PRIORITY, &BASE_PRIORITY).map(Text);
        }
        if let Some(h) = enc.get("hospitalization") {
            if let Some(d) = h.get("dischargeDisposition") {
                r.discharge.status = nubc_code(d, &NUBC_DISCHARGE, &BASE_DISCHARGE).map(Text);
            }
            if let Some(s) = h.get("admitSource") {
                r.admission.source = nubc_code(s, &NUBC_ORIGIN, &[]).map(Text);
            }
        }
        r.attending = self.attending(enc);
        r.reason_for_visit = self.reason(enc);
        self.diagnoses(i, &mut r)?;
        self.procedures(i, &mut r)?;
        Ok(r)
    }

    /// The participant of type `ATND` (v3 ParticipationType): its
    /// Practitioner in the Bundle as `Family, Given (NPI 1234)`, else the
    /// reference's `display`, else the reference as written. None when no
    /// participant is typed attender: another role is not guessed to be one.
    fn attending(&self, enc: &Value) -> Option<String> {
        let p = array(enc, "participant")
            .iter()
            .find(|p| p.get("type").is_some_and(|t| has_code(t, "ATND")))?;
        let who = p.get("individual").or_else(|| p.get("actor"))?;
        let practitioner = self
            .resolve(who)
            .map(|j| self.resources[j])
            .filter(|r| str_of(r, "resourceType") == Some("Practitioner"));
        if let Some(pr) = practitioner {
            let npi = array(pr, "identifier")
                .iter()
                .find(|id| str_of(id, "system") == Some(NPI_SYSTEM))
                .and_then(|id| str_of(id, "value"));
            match (human_name(pr), npi) {
                (Some(n), Some(npi)) => return Some(format!("{n} (NPI {npi})")),
                (Some(n), None) => return Some(n),
                (None, Some(npi)) => return Some(format!("NPI {npi}")),
                (None, None) => {}
            }
        }
        str_of(who, "display")
            .or_else(|| str_of(who, "reference"))
            .map(str::to_string)
    }

    /// `reasonCode` (its text, else the first coding's display, else its
    /// code), else the Condition of `reasonReference` read the same way.
    fn reason(&self, enc: &Value) -> Option<String> {
        let concept = |cc: &Value| {
            str_of(cc, "text")
                .or_else(|| codings(cc).into_iter().find_map(|c| str_of(c, "display")))
                .or_else(|| first_code(cc))
                .map(str::to_string)
        };
        array(enc, "reasonCode")
            .iter()
            .find_map(concept)
            .or_else(|| {
                array(enc, "reasonReference").iter().find_map(|r| {
                    let res = self.resources[self.resolve(r)?];
                    res.get("code")
                        .and_then(concept)
                        .or_else(|| str_of(r, "display").map(str::to_string))
                })
            })
    }

    fn diagnoses(&self, i: usize, r: &mut Record) -> Result<(), String> {
        let enc = self.resources[i];
        let outpatient = r.setting.as_deref() == Some("outpatient");
        let mut listed: Vec<Listed> = Vec::new();
        for d in array(enc, "diagnosis") {
            let Some(c) = d.get("condition") else {
                continue;
            };
            let j = self
                .resolve(c)
                .filter(|&j| str_of(self.resources[j], "resourceType") == Some("Condition"))
                .ok_or_else(|| {
                    format!(
                        "diagnosis {} is not a Condition in the Bundle; include it, with that fullUrl or id",
                        str_of(c, "reference").unwrap_or("(no reference)")
                    )
                })?;
            listed.push(Listed {
                condition: j,
                poa: poa_of(array(d, "extension")),
                rank: d.get("rank").and_then(Value::as_u64),
                role: d.get("use").and_then(first_code),
                by_encounter: true,
            });
        }
        // Ranked first (a stable sort keeps the order of the unranked).
        listed.sort_by_key(|l| l.rank.unwrap_or(u64::MAX));
        for (j, res) in self.resources.iter().enumerate() {
            if str_of(res, "resourceType") == Some("Condition")
                && self.points_at(res, "encounter", i)
                && !listed.iter().any(|l| l.condition == j)
            {
                listed.push(Listed {
                    condition: j,
                    poa: None,
                    rank: None,
                    role: None,
                    by_encounter: false,
                });
            }
        }
        let is_role = |u: Option<&str>, role: &str| u.is_some_and(|u| u.eq_ignore_ascii_case(role));
        let coded_role = |u: Option<&str>| !is_role(u, "AD") && !is_role(u, "CC");
        let principal = listed
            .iter()
            .position(|l| l.rank == Some(1) && coded_role(l.role))
            .or_else(|| {
                listed.iter().position(|l| {
                    self.resources[l.condition]
                        .get("category")
                        .is_some_and(|c| has_code(c, "principal"))
                })
            })
            .or_else(|| {
                outpatient
                    .then(|| listed.iter().position(|l| coded_role(l.role)))
                    .flatten()
            });
        for (n, l) in listed.iter().enumerate() {
            let (j, poa, use_) = (&l.condition, &l.poa, &l.role);
            let res = self.resources[*j];
            if left_out(res) || is_role(*use_, "CC") {
                continue;
            }
            let Some(code) = res.get("code").and_then(|c| code_in(c, &ICD10CM_SYSTEMS)) else {
                let category = res.get("category");
                let problem = category.is_some_and(|c| {
                    has_code(c, "problem-list-item") || has_code(c, "health-concern")
                });
                if problem && !l.by_encounter && Some(n) != principal {
                    continue;
                }
                let had = res.get("code").and_then(first_code).unwrap_or("none");
                return Err(format!(
                    "{} has no ICD-10-CM coding (code {had}); add a coding with system {}",
                    self.name(*j),
                    ICD10CM_SYSTEMS[0]
                ));
            };
            if is_role(*use_, "AD") {
                r.admitting_dx = Some(code.to_string());
                continue;
            }
            let dx = Diagnosis {
                code: code.to_string(),
                poa: poa.clone().or_else(|| poa_of(array(res, "extension"))),
                ..Default::default()
            };
            if Some(n) == principal {
                r.principal_dx = Some(dx);
            } else {
                r.secondary_dx.push(dx);
            }
        }
        Ok(())
    }

    fn procedures(&self, i: usize, r: &mut Record) -> Result<(), String> {
        let inpatient = r.setting.as_deref() != Some("outpatient");
        for (j, res) in self.resources.iter().enumerate() {
            if str_of(res, "resourceType") != Some("Procedure")
                || !self.points_at(res, "encounter", i)
                || left_out(res)
            {
                continue;
            }
            let Some(code) = res.get("code").and_then(|c| code_in(c, &ICD10PCS_SYSTEMS)) else {
                if !inpatient {
                    continue;
                }
                let had = res.get("code").and_then(first_code).unwrap_or("none");
                return Err(format!(
                    "{} has no ICD-10-PCS coding (code {had}); add a coding with system {}",
                    self.name(j),
                    ICD10PCS_SYSTEMS[0]
                ));
            };
            let when = str_of(res, "performedDateTime")
                .or_else(|| res.get("performedPeriod").and_then(|p| str_of(p, "start")));
            r.procedures.push(Procedure {
                code: code.to_string(),
                date: when.and_then(|w| date_time(w).0),
                ..Default::default()
            });
        }
        Ok(())
    }
}

/// The `official` (else the first) HumanName of a Patient or Practitioner,
/// as `Family, Given Middle`.
fn human_name(res: &Value) -> Option<String> {
    let names = array(res, "name");
    let n = names
        .iter()
        .find(|n| str_of(n, "use") == Some("official"))
        .or(names.first())?;
    let family = str_of(n, "family");
    let given: Vec<&str> = array(n, "given").iter().filter_map(Value::as_str).collect();
    match (family, given.is_empty()) {
        (Some(f), false) => Some(format!("{f}, {}", given.join(" "))),
        (Some(f), true) => Some(f.to_string()),
        (None, false) => Some(given.join(" ")),
        (None, true) => str_of(n, "text").map(str::to_string),
    }
}

/// The NPI system, as FHIR names it.
const NPI_SYSTEM: &str = "http://hl7.org/fhir/sid/us-npi";

fn patient(p: &Value, r: &mut Record) {
    let ids = array(p, "identifier");
    r.patient.mrn = ids
        .iter()
        .find(|id| id.get("type").is_some_and(|t| has_code(t, "MR")))
        .or(ids.first())
        .and_then(|id| str_of(id, "value"))
        .map(Text::from);
    r.patient.name = human_name(p);
    r.patient.dob = str_of(p, "birthDate").map(str::to_string);
    r.patient.sex = str_of(p, "gender").map(|g| {
        match g {
            "male" => "M",
            "female" => "F",
            "unknown" | "other" => "U",
            other => other,
        }
        .to_string()
    });
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};
    use serde_json::{json, Value};

    use super::super::tests::json_summary as summary;
    use super::super::{read, Format, Importer};

    fn check(text: &str, want: Expect) {
        want.assert_eq(&summary(&read(text, Format::Fhir)));
    }

    fn bundle(resources: &[Value]) -> String {
        let entry: Vec<Value> = resources
            .iter()
            .map(|r| match r.get("fullUrl") {
                Some(_) => r.clone(),
                None => json!({ "resource": r }),
            })
            .collect();
        json!({"resourceType": "Bundle", "type": "collection", "entry": entry}).to_string()
    }

    fn patient() -> Value {
        json!({"fullUrl": "https://ehr.example/fhir/Patient/p1", "resource": {
            "resourceType": "Patient", "id": "p1",
            "identifier": [{"value": "SSN1"}, {"type": {"coding": [{"code": "MR"}]}, "value": "M1"}],
            "name": [{"use": "usual", "given": ["Bo"]}, {"use": "official", "family": "Lee", "given": ["Robert", "J"]}],
            "birthDate": "1950-01-02", "gender": "other"}})
    }

    fn condition(id: &str, system: &str, code: &str) -> Value {
        json!({"resourceType": "Condition", "id": id,
            "code": {"coding": [{"system": system, "code": code}]}})
    }

    const CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
    const PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";

    #[test]
    fn roles_ranks_poa_and_references() {
        let enc = json!({"resourceType": "Encounter", "id": "e1",
            "class": {"code": "ACUTE"},
            // An absolute, versioned reference to the Patient's fullUrl.
            "subject": {"reference": "https://ehr.example/fhir/Patient/p1/_history/3"},
            "period": {"start": "2026-04-02T23:59:00+02:00", "end": "2026-04-05"},
            "priority": {"coding": [{"code": "UR"}]},
            "hospitalization": {
                "admitSource": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/admit-source", "code": "emd"}]},
                "dischargeDisposition": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/discharge-disposition", "code": "aadvice"}]}},
            "diagnosis": [
                {"condition": {"reference": "Condition/c2"}, "rank": 2},
                {"condition": {"reference": "Condition/c3"}, "use": {"coding": [{"code": "AD"}]}},
                {"condition": {"reference": "Condition/c4"}, "use": {"coding": [{"code": "CC"}]}},
                {"condition": {"reference": "Condition/c1"}, "rank": 1, "use": {"coding": [{"code": "billing"}]},
                 "extension": [{"url": super::QICORE_POA, "valueCodeableConcept": {"coding": [{"code": "y"}]}}]}]});
        let mut linked = condition("c5", CM, "I10");
        linked["encounter"] = json!({"reference": "Encounter/e1"});
        linked["extension"] =
            json!([{"url": "http://example.org/ext/present-on-admission", "valueCode": "W"}]);
        let mut problem = condition("c6", "http://snomed.info/sct", "38341003");
        problem["encounter"] = json!({"reference": "Encounter/e1"});
        problem["category"] = json!([{"coding": [{"code": "problem-list-item"}]}]);
        let mut erased = condition("c7", CM, "Z99.9");
        erased["encounter"] = json!({"reference": "Encounter/e1"});
        erased["verificationStatus"] = json!({"coding": [{"code": "entered-in-error"}]});
        let proc_ = json!({"resourceType": "Procedure", "status": "completed",
            "encounter": {"reference": "Encounter/e1"},
            "code": {"coding": [{"system": PCS, "code": "02703DZ"}]},
            "performedPeriod": {"start": "2026-04-03T08:00:00Z"}});
        check(
            &bundle(&[
                patient(),
                enc,
                condition("c1", CM, "I21.4"),
                condition("c2", CM, "E11.9"),
                condition("c3", CM, "R07.9"),
                condition("c4", CM, "R07.89"),
                linked,
                problem,
                erased,
                proc_,
            ]),
            expect![[
                r#"entry 1 (line 1): {"id":"e1","setting":"inpatient","patient":{"mrn":"M1","name":"Lee, Robert J","dob":"1950-01-02","sex":"U"},"admission":{"date":"2026-04-02","time":"23:59","source":"emd","type":"2"},"discharge":{"date":"2026-04-05","status":"07"},"admitting_dx":"R07.9","principal_dx":{"code":"I21.4","poa":"Y"},"secondary_dx":[{"code":"E11.9"},{"code":"I10","poa":"W"}],"procedures":[{"code":"02703DZ","date":"2026-04-03"}]}"#
            ]],
        );
    }

    #[test]
    fn the_attending_and_the_reason_for_visit() {
        let atnd = json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "ATND"}]});
        let enc = |id: &str, participant: Value, reason: Value| {
            let mut e = json!({"resourceType": "Encounter", "id": id, "class": {"code": "AMB"},
                "subject": {"reference": "Patient/p1"}, "participant": participant});
            if let Value::Object(fields) = reason {
                e.as_object_mut().unwrap().extend(fields);
            }
            e
        };
        let doctor = json!({"resourceType": "Practitioner", "id": "d1",
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567890"}],
            "name": [{"family": "Attend", "given": ["Amy", "B"]}]});
        let chest =
            json!({"resourceType": "Condition", "id": "r1", "code": {"text": "chest pain"}});
        check(
            &bundle(&[
                patient(),
                doctor,
                chest,
                // The Practitioner in the Bundle; reasonCode's text.
                enc(
                    "e1",
                    json!([{"type": [{"coding": [{"code": "ADM"}]}], "individual": {"reference": "Practitioner/x"}},
                                 {"type": [atnd.clone()], "individual": {"reference": "Practitioner/d1"}}]),
                    json!({"reasonCode": [{"text": "syncope", "coding": [{"code": "R55"}]}]}),
                ),
                // Outside the Bundle: the display; the coding's display.
                enc(
                    "e2",
                    json!([{"type": [atnd.clone()], "individual": {"reference": "Practitioner/zz", "display": "Dr Ward"}}]),
                    json!({"reasonCode": [{"coding": [{"code": "R51.9", "display": "headache"}]}]}),
                ),
                // No participant typed attender (an admitter is not one); reasonReference.
                enc(
                    "e3",
                    json!([{"type": [{"coding": [{"code": "ADM"}]}], "individual": {"reference": "Practitioner/d1"}}]),
                    json!({"reasonReference": [{"reference": "Condition/r1"}]}),
                ),
            ]),
            expect![[r#"
                entry 1 (line 1): {"id":"e1","setting":"outpatient","patient":{"mrn":"M1","name":"Lee, Robert J","dob":"1950-01-02","sex":"U"},"admission":{},"discharge":{},"attending":"Attend, Amy B (NPI 1234567890)","secondary_dx":[],"procedures":[],"reason_for_visit":"syncope"}
                entry 2 (line 1): {"id":"e2","setting":"outpatient","patient":{"mrn":"M1","name":"Lee, Robert J","dob":"1950-01-02","sex":"U"},"admission":{},"discharge":{},"attending":"Dr Ward","secondary_dx":[],"procedures":[],"reason_for_visit":"headache"}
                entry 3 (line 1): {"id":"e3","setting":"outpatient","patient":{"mrn":"M1","name":"Lee, Robert J","dob":"1950-01-02","sex":"U"},"admission":{},"discharge":{},"secondary_dx":[],"procedures":[],"reason_for_visit":"chest pain"}"#]],
        );
    }

    #[test]
    fn outpatient_first_listed_and_left_out_procedures() {
        let enc = json!({"resourceType": "Encounter", "identifier": [{"value": "V7"}],
            "class": [{"coding": [{"code": "AMB"}]}],
            "subject": {"reference": "Patient/p1"}});
        let mut c = condition("c1", CM, "R07.9");
        c["encounter"] = json!({"reference": "Encounter/e9"});
        let mut c2 = condition("c2", CM, "I10");
        c2["encounter"] = json!({"reference": "Encounter/e9"});
        let mut enc = enc;
        enc["id"] = json!("e9");
        let cpt = json!({"resourceType": "Procedure", "status": "completed",
            "encounter": {"reference": "Encounter/e9"},
            "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]}});
        check(
            &bundle(&[patient(), enc, c, c2, cpt]),
            expect![[
                r#"entry 1 (line 1): {"id":"V7","setting":"outpatient","patient":{"mrn":"M1","name":"Lee, Robert J","dob":"1950-01-02","sex":"U"},"admission":{},"discharge":{},"principal_dx":{"code":"R07.9"},"secondary_dx":[{"code":"I10"}],"procedures":[]}"#
            ]],
        );
    }

    #[test]
    fn broken_bundles_and_encounters_say_what_to_fix() {
        let enc = |id: &str, subject: &str, dx: &str| {
            json!({"resourceType": "Encounter", "id": id, "class": {"code": "IMP"},
                "subject": {"reference": subject},
                "diagnosis": [{"condition": {"reference": dx}, "rank": 1}]})
        };
        let cpt = json!({"resourceType": "Procedure", "encounter": {"reference": "Encounter/e4"},
            "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "33533"}]}});
        let text = [
            bundle(&[
                patient(),
                enc("e1", "Patient/p2", "Condition/c1"),
                enc("e2", "Patient/p1", "Condition/c9"),
                enc("e3", "Patient/p1", "Condition/c3"),
                condition("c3", "http://snomed.info/sct", "22298006"),
                enc("e4", "Patient/p1", "Condition/c1"),
                condition("c1", CM, "I10"),
                cpt,
                json!({"resourceType": "Encounter", "class": {"code": "IMP"}}),
            ]),
            json!({"resourceType": "Encounter"}).to_string(),
            json!([1, {"resourceType": "Bundle"}]).to_string(),
        ]
        .join("\n");
        check(
            &text,
            expect![[r#"
            entry 1 (line 1): broken: Encounter/e1: the patient Patient/p2 is not in the Bundle; include the Patient entry, with that fullUrl or id
            entry 2 (line 1): broken: Encounter/e2: diagnosis Condition/c9 is not a Condition in the Bundle; include it, with that fullUrl or id
            entry 3 (line 1): broken: Encounter/e3: Condition/c3 has no ICD-10-CM coding (code 22298006); add a coding with system http://hl7.org/fhir/sid/icd-10-cm
            entry 4 (line 1): broken: Encounter/e4: Procedure 1 (no id) has no ICD-10-PCS coding (code 33533); add a coding with system http://www.cms.gov/Medicare/Coding/ICD10
            entry 5 (line 1): broken: Encounter 5 (no id): no subject; reference the Patient (subject: {reference: "Patient/..."})
            line 2: broken: not a FHIR Bundle (resourceType Encounter); put the Patient, Encounter, Condition and Procedure resources in a Bundle's entry list
            line 3: broken: not a FHIR Bundle (not an object); put the Patient, Encounter, Condition and Procedure resources in a Bundle's entry list
            line 3: broken: the Bundle holds no Encounter (0 resources); each record is an Encounter with its Patient, Conditions and Procedures"#]],
        );
    }

    #[test]
    fn chunk_size_does_not_change_what_is_read() {
        let enc = |id: &str| {
            json!({"resourceType": "Encounter", "id": id, "class": {"code": "IMP"},
                "subject": {"reference": "Patient/p1"},
                "diagnosis": [{"condition": {"reference": "Condition/c1"}, "rank": 1}]})
        };
        let one = bundle(&[patient(), enc("e1"), condition("c1", CM, "I10"), enc("e2")]);
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(&one).unwrap()).unwrap();
        for text in [
            format!("{one}\n{one}\n{{\"resourceType\": \n{one}\n"),
            format!("{pretty}\n{pretty}"),
            format!("[{one},\n{one}]"),
        ] {
            let whole = summary(&read(&text, Format::Fhir));
            assert!(whole.lines().count() >= 4, "{whole}");
            for size in 1..=64 {
                let mut imp = Importer::new(Format::Fhir);
                let mut out = Vec::new();
                let mut start = 0;
                while start < text.len() {
                    let end = (start + size).min(text.len());
                    imp.push(&text[start..end], &mut out);
                    start = end;
                }
                imp.finish(&mut out);
                assert_eq!(summary(&out), whole, "chunks of {size}");
            }
        }
    }
}
