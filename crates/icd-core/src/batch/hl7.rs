//! HL7 v2 ADT messages: one [`Record`] per message.
//!
//! A file holds any number of messages, each starting with an `MSH`
//! segment; segments end in `\r` (the standard), `\n` or `\r\n`, and the
//! MLLP framing bytes (`0x0B` before a message, `0x1C` after it) are
//! skipped. The reader is streaming: a message is read once the next one
//! starts (or the file ends), so chunks split anywhere give the same items.
//!
//! ```
//! use icd_core::batch::{read, Format, Item};
//! let text = "MSH|^~\\&|HIS|GEN|ICD|DESK|202604061000||ADT^A03|1|P|2.6\r\
//! PID|1||000123^^^GEN^MR||Doe^Jane||19500211|F\r\
//! PV1|1|I|||||||||||||||||V1001\r\
//! DG1|1||I21.4^NSTEMI^I10||||||||||||1\r";
//! let items = read(text, Format::Hl7);
//! let Item::Record { record, .. } = &items[0] else { panic!("{items:?}") };
//! assert_eq!(record.id.as_ref().unwrap().as_str(), "V1001");
//! assert_eq!(record.principal_dx.as_ref().unwrap().code, "I21.4");
//! ```
//!
//! Messages read: `ADT^A03` (discharge) and `ADT^A08` (update), and the
//! admit/register/transfer events `A01`, `A04`, `A06`, which carry the
//! same segments; any other type is a broken message. The delimiters are
//! the message's own (MSH-1, MSH-2); the escapes `\F\ \S\ \T\ \R\ \E\`,
//! `\Xhh..\` (hex bytes) and `\.br\` (a line break) are decoded, other
//! formatting escapes dropped. Fields read (v2.5.1 to v2.8 numbering):
//! - PID-3 patient identifiers: the first repetition of identifier type
//!   (CX.5) `MR`, else the first -> `patient.mrn`; PID-5 name ->
//!   `Family, Given Middle`; PID-7 date of birth; PID-8 sex (`M`, `F`, `U`;
//!   `A`, `N`, `O` -> `U`, the UB-04 having no other).
//! - PV1-2 patient class: `I` inpatient; `O`, `E`, `R`, `B` outpatient
//!   (another code is kept as written and the check reports it); PV1-4
//!   admission type (table 0007 `E` -> `1`, `U` -> `2`, `C` -> `3`, `N` ->
//!   `4`; a UB-04 digit as written); PV1-14 admit source (the UB-04 point
//!   of origin, as written); PV1-7 attending doctor -> `attending` as
//!   `Family, Given (NPI 1234)`; PV1-19 visit number -> `id`; PV1-36 discharge
//!   disposition (the UB-04 status, as written); PV1-44/45 admit and
//!   discharge date/time `YYYYMMDD[HHMM[SS]]`.
//! - PV2-3 admit reason (its text, else its code) -> `reason_for_visit`.
//! - DG1-3 diagnosis code, when its coding system (CWE.3) is empty or one
//!   of [`ICD10CM_SYSTEMS`]; DG1-6 type `A` (admitting) -> `admitting_dx`;
//!   DG1-15 priority `1` -> the principal diagnosis (for an outpatient
//!   message with none, the first listed); DG1-26 present on admission
//!   (table 0895, added in v2.6; v2.5.1 senders that carry it put it there
//!   too).
//! - PR1-3 procedure code, when its coding system is empty or one of
//!   [`ICD10PCS_SYSTEMS`]; PR1-5 date/time -> date.
//!
//! Other segments (EVN, NK1, IN1, OBX, Z-segments...) are skipped.

use super::{Item, Place};
use crate::record::model::{Diagnosis, Procedure, Record, Text};

/// Coding-system names (HL7 table 0396 and common local ones) read as ICD-10-CM.
pub const ICD10CM_SYSTEMS: [&str; 6] = [
    "I10",
    "I10C",
    "ICD10CM",
    "ICD-10-CM",
    "ICD10",
    "2.16.840.1.113883.6.90",
];

/// Coding-system names read as ICD-10-PCS.
pub const ICD10PCS_SYSTEMS: [&str; 5] = [
    "I10P",
    "ICD10PCS",
    "ICD-10-PCS",
    "ICD10",
    "2.16.840.1.113883.6.4",
];

/// The trigger events read, after `ADT^`.
pub const EVENTS: [&str; 5] = ["A03", "A08", "A01", "A04", "A06"];

/// Whether a byte ends a segment (or frames a message, for MLLP).
fn is_break(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | 0x0B | 0x1C)
}

/// The byte offsets where an `MSH` segment starts in `text`.
fn message_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    (0..b.len()).filter(move |&i| (i == 0 || is_break(b[i - 1])) && b[i..].starts_with(b"MSH"))
}

#[derive(Debug, Default)]
pub(super) struct Hl7State;

impl Hl7State {
    /// Reads the whole messages at the start of `text` (all of it when
    /// `last`); returns the bytes consumed.
    pub(super) fn drain(
        &mut self,
        text: &str,
        first_line: usize,
        units: &mut usize,
        last: bool,
        out: &mut Vec<Item>,
    ) -> usize {
        let starts: Vec<usize> = message_starts(text).collect();
        // Text up to the last start is whole messages; the last one may
        // go on in the next chunk.
        let end = if last {
            text.len()
        } else {
            match starts.last() {
                Some(&s) => s,
                None => return 0,
            }
        };
        // Lines are counted on from the last place asked for, so a file
        // read in one chunk is counted once, not once per message.
        let (mut counted_to, mut counted) = (0, first_line);
        let mut line_at = |at: usize| {
            counted += text[counted_to..at].matches('\n').count();
            counted_to = at;
            counted
        };
        let first = starts.first().copied().unwrap_or(end).min(end);
        let before = text[..first]
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{b}' || c == '\u{1c}');
        if !before.is_empty() {
            let at = text[..first].find(before).unwrap_or(0);
            let seg: String = before.chars().take(20).collect();
            out.push(Item::Broken {
                place: Place::line(line_at(at)),
                reason: format!(
                    "a segment before any MSH segment ({seg}...); every HL7 message starts with MSH"
                ),
            });
        }
        let mut bounds: Vec<usize> = starts.iter().copied().filter(|&s| s < end).collect();
        bounds.push(end);
        for w in bounds.windows(2) {
            *units += 1;
            let place = Place::message(*units, line_at(w[0]));
            out.push(match message(&text[w[0]..w[1]]) {
                Ok(record) => Item::Record {
                    place,
                    record: Box::new(record),
                },
                Err(reason) => Item::Broken { place, reason },
            });
        }
        end
    }
}

/// The delimiters of one message.
#[derive(Debug, Clone, Copy)]
struct Delims {
    field: char,
    component: char,
    repetition: char,
    escape: char,
    subcomponent: char,
}

impl Delims {
    /// From the start of the MSH segment: MSH-1 and MSH-2.
    fn of(message: &str) -> Result<Delims, String> {
        let msh = message
            .split(['\r', '\n', '\u{b}', '\u{1c}'])
            .next()
            .unwrap_or("");
        let mut chars = msh.get(3..).unwrap_or("").chars();
        let field = chars
            .next()
            .ok_or("the MSH segment ends after MSH; write MSH|^~\\&|...")?;
        if field.is_alphanumeric() || field.is_whitespace() {
            return Err(format!(
                "bad field delimiter {field:?} after MSH; MSH-1 is a punctuation mark, usually |"
            ));
        }
        let enc: Vec<char> = chars.take_while(|&c| c != field).collect();
        let pick = |i: usize, default: char| enc.get(i).copied().unwrap_or(default);
        let d = Delims {
            field,
            component: pick(0, '^'),
            repetition: pick(1, '~'),
            escape: pick(2, '\\'),
            subcomponent: pick(3, '&'),
        };
        let all = [d.field, d.component, d.repetition, d.escape, d.subcomponent];
        let distinct = all.iter().enumerate().all(|(i, a)| !all[..i].contains(a));
        if enc.len() < 2
            || !distinct
            || all.iter().any(|c| c.is_alphanumeric() || c.is_whitespace())
        {
            return Err(format!(
                "bad encoding characters {:?} in MSH-2; write four distinct marks, usually ^~\\&",
                enc.iter().collect::<String>()
            ));
        }
        Ok(d)
    }

    /// Decodes the escape sequences of one value.
    fn unescape(&self, s: &str) -> String {
        if !s.contains(self.escape) {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find(self.escape) {
            out.push_str(&rest[..i]);
            let after = &rest[i + self.escape.len_utf8()..];
            let Some(j) = after.find(self.escape) else {
                // A lone escape character: kept as written.
                out.push_str(&rest[i..]);
                return out;
            };
            let seq = &after[..j];
            match seq {
                "F" => out.push(self.field),
                "S" => out.push(self.component),
                "T" => out.push(self.subcomponent),
                "R" => out.push(self.repetition),
                "E" => out.push(self.escape),
                ".br" => out.push('\n'),
                _ if seq.len() > 1 && seq.starts_with('X') => {
                    let hex = &seq[1..];
                    let bytes: Option<Vec<u8>> = (0..hex.len() / 2)
                        .map(|k| {
                            hex.get(2 * k..2 * k + 2)
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                        })
                        .collect();
                    match bytes {
                        Some(b) if hex.len().is_multiple_of(2) => match String::from_utf8(b) {
                            Ok(t) => out.push_str(&t),
                            // Not UTF-8: read as Latin-1, the usual v2 charset.
                            Err(e) => out.extend(e.into_bytes().into_iter().map(char::from)),
                        },
                        _ => {}
                    }
                }
                // Highlighting, character-set and locally defined escapes.
                _ => {}
            }
            rest = &after[j + self.escape.len_utf8()..];
        }
        out.push_str(rest);
        out
    }
}

/// One segment, split into fields: `fields[k]` is field k (MSH-k for the
/// MSH segment too, MSH-1 being the delimiter itself).
struct Segment<'a> {
    fields: Vec<&'a str>,
    d: Delims,
}

impl<'a> Segment<'a> {
    fn new(text: &'a str, d: Delims) -> Segment<'a> {
        let mut fields: Vec<&str> = text.split(d.field).collect();
        if fields.first() == Some(&"MSH") {
            fields.insert(1, "");
        }
        Segment { fields, d }
    }

    fn name(&self) -> &str {
        self.fields[0]
    }

    /// Field `k` (raw).
    fn field(&self, k: usize) -> &'a str {
        self.fields.get(k).copied().unwrap_or("")
    }

    /// The repetitions of field `k` (raw).
    fn reps(&self, k: usize) -> impl Iterator<Item = &'a str> + '_ {
        self.field(k).split(self.d.repetition)
    }

    /// Component `c` (1-based) of a raw repetition, first subcomponent,
    /// decoded; `None` when empty.
    fn comp(&self, rep: &str, c: usize) -> Option<String> {
        let v = rep.split(self.d.component).nth(c - 1)?;
        let v = v.split(self.d.subcomponent).next().unwrap_or("");
        let v = self.d.unescape(v);
        let v = v.trim();
        (!v.is_empty() && v != "\"\"").then(|| v.to_string())
    }

    /// Component `c` of the first repetition of field `k`.
    fn get(&self, k: usize, c: usize) -> Option<String> {
        self.comp(self.reps(k).next().unwrap_or(""), c)
    }
}

/// `YYYYMMDD[HHMM[SS]][+ZZZZ]` -> (`YYYY-MM-DD`, `HH:MM`); a value of
/// another form is kept as written, and the check reports it.
fn date_time(s: &str) -> (Option<String>, Option<String>) {
    let s = s.trim();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 8 {
        return ((!s.is_empty()).then(|| s.to_string()), None);
    }
    let date = format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..8]);
    let time = (digits >= 12).then(|| format!("{}:{}", &s[8..10], &s[10..12]));
    (Some(date), time)
}

fn system_is(system: Option<&str>, names: &[&str]) -> bool {
    system.is_none_or(|s| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
}

/// One message (from its MSH to the next) into a record.
fn message(text: &str) -> Result<Record, String> {
    let d = Delims::of(text)?;
    let segments: Vec<Segment> = text
        .split(['\r', '\n', '\u{b}', '\u{1c}'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| Segment::new(s, d))
        .collect();
    let msh = &segments[0];
    let kind = msh.get(9, 1).unwrap_or_default();
    let event = msh.get(9, 2).unwrap_or_default();
    let control = msh.get(10, 1);
    let named = |reason: String| match &control {
        Some(c) => format!("control id {c}: {reason}"),
        None => reason,
    };
    if !kind.eq_ignore_ascii_case("ADT") || !EVENTS.iter().any(|e| e.eq_ignore_ascii_case(&event)) {
        let t = if event.is_empty() {
            kind
        } else {
            format!("{kind}^{event}")
        };
        return Err(named(format!(
            "message type {t:?} (MSH-9) is not an ADT^A03/A08 (A01, A04, A06 are read too); send discharges or updates"
        )));
    }
    let mut r = Record::default();
    let mut pid = false;
    let mut dgs = Vec::new();
    for seg in &segments[1..] {
        match seg.name() {
            "PID" => {
                pid = true;
                patient(seg, &mut r);
            }
            "PV1" => visit(seg, &mut r),
            // PV2-3 admit reason (CWE): its text, else its code.
            "PV2" => r.reason_for_visit = seg.get(3, 2).or_else(|| seg.get(3, 1)),
            "DG1" => dgs.push(seg),
            "PR1" => {
                let rep = seg.reps(3).next().unwrap_or("");
                let Some(code) = seg.comp(rep, 1) else {
                    continue;
                };
                let system = seg.comp(rep, 3);
                if !system_is(system.as_deref(), &ICD10PCS_SYSTEMS) {
                    return Err(named(format!(
                        "PR1 {}: procedure {code} is coded in {}, not ICD-10-PCS; send PR1-3 as CODE^TEXT^I10P",
                        seg.field(1),
                        system.unwrap_or_default()
                    )));
                }
                r.procedures.push(Procedure {
                    code,
                    date: seg.get(5, 1).and_then(|w| date_time(&w).0),
                    ..Default::default()
                });
            }
            _ => {}
        }
    }
    if !pid {
        return Err(named(
            "no PID segment; an ADT message names its patient in PID".into(),
        ));
    }
    // (code, type, priority, poa)
    let mut dx = Vec::new();
    for seg in dgs {
        let rep = seg.reps(3).next().unwrap_or("");
        let Some(code) = seg.comp(rep, 1) else {
            return Err(named(format!(
                "DG1 {} has no diagnosis code in DG1-3; send CODE^TEXT^I10",
                seg.field(1)
            )));
        };
        let system = seg.comp(rep, 3);
        if !system_is(system.as_deref(), &ICD10CM_SYSTEMS) {
            return Err(named(format!(
                "DG1 {}: diagnosis {code} is coded in {}, not ICD-10-CM; send DG1-3 as CODE^TEXT^I10",
                seg.field(1),
                system.unwrap_or_default()
            )));
        }
        dx.push((
            code,
            seg.get(6, 1).unwrap_or_default().to_ascii_uppercase(),
            seg.get(15, 1),
            seg.get(26, 1).map(|p| p.to_ascii_uppercase()),
        ));
    }
    let outpatient = r.setting.as_deref() == Some("outpatient");
    let principal = dx
        .iter()
        .position(|(_, t, p, _)| t != "A" && p.as_deref() == Some("1"))
        .or_else(|| {
            outpatient
                .then(|| dx.iter().position(|(_, t, ..)| t != "A"))
                .flatten()
        });
    for (n, (code, kind, _, poa)) in dx.into_iter().enumerate() {
        if kind == "A" {
            r.admitting_dx = Some(code);
            continue;
        }
        let d = Diagnosis {
            code,
            poa,
            ..Default::default()
        };
        if Some(n) == principal {
            r.principal_dx = Some(d);
        } else {
            r.secondary_dx.push(d);
        }
    }
    Ok(r)
}

fn patient(pid: &Segment, r: &mut Record) {
    let ids: Vec<&str> = pid.reps(3).collect();
    let mr = ids
        .iter()
        .find(|rep| {
            pid.comp(rep, 5)
                .is_some_and(|t| t.eq_ignore_ascii_case("MR"))
        })
        .or(ids.first());
    r.patient.mrn = mr.and_then(|rep| pid.comp(rep, 1)).map(Text);
    let names: Vec<&str> = pid.reps(5).collect();
    let name = names
        .iter()
        .find(|rep| pid.comp(rep, 7).is_some_and(|t| t == "L"))
        .or(names.first());
    r.patient.name = name.and_then(|rep| {
        let family = pid.comp(rep, 1);
        let given: Vec<String> = [2, 3].iter().filter_map(|&c| pid.comp(rep, c)).collect();
        match (family, given.is_empty()) {
            (Some(f), false) => Some(format!("{f}, {}", given.join(" "))),
            (Some(f), true) => Some(f),
            (None, false) => Some(given.join(" ")),
            (None, true) => None,
        }
    });
    r.patient.dob = pid.get(7, 1).and_then(|v| date_time(&v).0);
    r.patient.sex = pid.get(8, 1).map(|s| {
        let up = s.to_ascii_uppercase();
        match up.as_str() {
            "A" | "N" | "O" => "U".to_string(),
            _ => up,
        }
    });
}

fn visit(pv1: &Segment, r: &mut Record) {
    r.setting = pv1
        .get(2, 1)
        .map(|c| match c.to_ascii_uppercase().as_str() {
            "I" => "inpatient".to_string(),
            "O" | "E" | "R" | "B" => "outpatient".to_string(),
            _ => c,
        });
    r.admission.kind = pv1.get(4, 1).map(|t| {
        Text(
            match t.to_ascii_uppercase().as_str() {
                "E" => "1",
                "U" => "2",
                "C" => "3",
                "N" => "4",
                _ => &t,
            }
            .to_string(),
        )
    });
    r.attending = attending(pv1);
    r.admission.source = pv1.get(14, 1).map(Text);
    r.id = pv1.get(19, 1).map(Text);
    r.discharge.status = pv1.get(36, 1).map(Text);
    if let Some(v) = pv1.get(44, 1) {
        (r.admission.date, r.admission.time) = date_time(&v);
    }
    if let Some(v) = pv1.get(45, 1) {
        (r.discharge.date, r.discharge.time) = date_time(&v);
    }
}

/// PV1-7 attending doctor (XCN: 1 ID, 2 family, 3 given, 4 middle, 13
/// identifier type) as `Family, Given Middle (NPI 1234)`; the ID or the
/// name alone when only one is sent.
fn attending(pv1: &Segment) -> Option<String> {
    let rep = pv1.reps(7).next().unwrap_or("");
    let given: Vec<String> = [3, 4].iter().filter_map(|&c| pv1.comp(rep, c)).collect();
    let name = match (pv1.comp(rep, 2), given.is_empty()) {
        (Some(f), false) => Some(format!("{f}, {}", given.join(" "))),
        (Some(f), true) => Some(f),
        (None, false) => Some(given.join(" ")),
        (None, true) => None,
    };
    let id = pv1.comp(rep, 1).map(|id| match pv1.comp(rep, 13) {
        Some(kind) => format!("{kind} {id}"),
        None => id,
    });
    match (name, id) {
        (Some(n), Some(id)) => Some(format!("{n} ({id})")),
        (n, id) => n.or(id),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    use super::super::tests::json_summary as summary;
    use super::super::{read, Format, Importer};

    fn check(text: &str, want: Expect) {
        want.assert_eq(&summary(&read(text, Format::Hl7)));
    }

    const MSH: &str = "MSH|^~\\&|HIS|GEN|ICD|HIM|20260501||ADT^A03|C1|P|2.6";

    #[test]
    fn escapes_are_decoded_after_the_split() {
        check(
            &format!("{MSH}\rPID|1||7\\F\\1||O\\T\\Brien\\S\\x^Pat\\X4C\\\\E\\^Jo\\.br\\Ann\r"),
            expect![[
                r#"message 1 (line 1): {"patient":{"mrn":"7|1","name":"O&Brien^x, PatL\\ Jo\nAnn"},"admission":{},"discharge":{},"secondary_dx":[],"procedures":[]}"#
            ]],
        );
    }

    #[test]
    fn the_attending_and_the_admit_reason_are_read() {
        check(
            &format!(
                "{MSH}\rPID|1||7\rPV1|1|I|||||1234567890^Attend^Amy^B^^^^^^^^^NPI|\rPV2|||R07.9^Chest pain^I10\r\
                 {MSH}\rPID|1||8\rPV1|1|O|||||^Ward^Lee\rPV2|||^^\r\
                 {MSH}\rPID|1||9\rPV1|1|O|||||55\rPV2|||R51.9\r"
            ),
            expect![[r#"
                message 1 (line 1): {"setting":"inpatient","patient":{"mrn":"7"},"admission":{},"discharge":{},"attending":"Attend, Amy B (NPI 1234567890)","secondary_dx":[],"procedures":[],"reason_for_visit":"Chest pain"}
                message 2 (line 1): {"setting":"outpatient","patient":{"mrn":"8"},"admission":{},"discharge":{},"attending":"Ward, Lee","secondary_dx":[],"procedures":[]}
                message 3 (line 1): {"setting":"outpatient","patient":{"mrn":"9"},"admission":{},"discharge":{},"attending":"55","secondary_dx":[],"procedures":[],"reason_for_visit":"R51.9"}"#]],
        );
    }

    #[test]
    fn delimiters_are_the_messages_own() {
        check(
            "MSH#*!@%#HIS#GEN#ICD#HIM#20260501##ADT*A08#C1#P#2.6\nPID#1##99****SS!0042****MR##Roe*Ann##19800101#F\n\
             PV1#1#O\nDG1#1##R07.9*Chest pain\nDG1#2##I10*HTN*I10C\n",
            expect![[r#"message 1 (line 1): {"setting":"outpatient","patient":{"mrn":"0042","name":"Roe, Ann","dob":"1980-01-01","sex":"F"},"admission":{},"discharge":{},"principal_dx":{"code":"R07.9"},"secondary_dx":[{"code":"I10"}],"procedures":[]}"#]],
        );
    }

    #[test]
    fn visit_fields_and_codes() {
        // PV1-2, -4, -14, -19, -36, -44, -45.
        let mut f = vec![""; 46];
        for (k, v) in [
            (0, "PV1"),
            (2, "I"),
            (4, "E"),
            (14, "1"),
            (19, "V9"),
            (36, "01"),
        ] {
            f[k] = v;
        }
        f[44] = "202604022359";
        f[45] = "20260405";
        let pv1 = f.join("|");
        check(
            &format!(
                "{MSH}\r\nPID|1||123^^^^PI~456||Lee^Kim^J||19500102|O\r\n{pv1}\r\n\
                 DG1|1||R07.9^^I10|||A\r\nDG1|2||E11.9^^I10|||F|||||||||2|||||||||||y\r\n\
                 DG1|3||I21.4^^I10|||F|||||||||1|||||||||||Y\r\nPR1|1||02703DZ^PTCA^I10P||202604031015\r\n"
            ),
            expect![[r#"message 1 (line 1): {"id":"V9","setting":"inpatient","patient":{"mrn":"123","name":"Lee, Kim J","dob":"1950-01-02","sex":"U"},"admission":{"date":"2026-04-02","time":"23:59","source":"1","type":"1"},"discharge":{"date":"2026-04-05","status":"01"},"admitting_dx":"R07.9","principal_dx":{"code":"I21.4","poa":"Y"},"secondary_dx":[{"code":"E11.9","poa":"Y"}],"procedures":[{"code":"02703DZ","date":"2026-04-03"}]}"#]],
        );
    }

    #[test]
    fn broken_messages_say_what_to_fix() {
        check(
            &format!(
                "EVN|A03\r{MSH}\rPV1|1|I\r\
                 MSH|^~\\&|A|B|C|D|1||ADT^A02|C2\rPID|1\r\
                 MSH|^~\\&|A|B|C|D|1||ADT^A01|C3\rPID|1||9\rDG1|1||250.00^DM^I9\r\
                 MSH|^~\\&|A|B|C|D|1||ADT^A01|C4\rPID|1||9\rPR1|1||99213^Visit^C4\r\
                 MSH|^~\\&|A|B|C|D|1||ADT^A04|C5\rPID|1||9\rDG1|1\r\
                 MSH\rMSH|\r"
            ),
            expect![[r#"
                line 1: broken: a segment before any MSH segment (EVN|A03...); every HL7 message starts with MSH
                message 1 (line 1): broken: control id C1: no PID segment; an ADT message names its patient in PID
                message 2 (line 1): broken: control id C2: message type "ADT^A02" (MSH-9) is not an ADT^A03/A08 (A01, A04, A06 are read too); send discharges or updates
                message 3 (line 1): broken: control id C3: DG1 1: diagnosis 250.00 is coded in I9, not ICD-10-CM; send DG1-3 as CODE^TEXT^I10
                message 4 (line 1): broken: control id C4: PR1 1: procedure 99213 is coded in C4, not ICD-10-PCS; send PR1-3 as CODE^TEXT^I10P
                message 5 (line 1): broken: control id C5: DG1 1 has no diagnosis code in DG1-3; send CODE^TEXT^I10
                message 6 (line 1): broken: the MSH segment ends after MSH; write MSH|^~\&|...
                message 7 (line 1): broken: bad encoding characters "" in MSH-2; write four distinct marks, usually ^~\&"#]],
        );
    }

    #[test]
    fn mllp_framing_and_several_messages() {
        let one = |id: &str| format!("\u{b}{MSH}\rPID|1||{id}\rPV1|1|E\r\u{1c}\r");
        check(
            &format!("{}{}\n{}", one("1"), one("2"), one("3")),
            expect![[r#"
                message 1 (line 1): {"setting":"outpatient","patient":{"mrn":"1"},"admission":{},"discharge":{},"secondary_dx":[],"procedures":[]}
                message 2 (line 1): {"setting":"outpatient","patient":{"mrn":"2"},"admission":{},"discharge":{},"secondary_dx":[],"procedures":[]}
                message 3 (line 2): {"setting":"outpatient","patient":{"mrn":"3"},"admission":{},"discharge":{},"secondary_dx":[],"procedures":[]}"#]],
        );
    }

    #[test]
    fn chunk_size_does_not_change_what_is_read() {
        let text = format!(
            "junk\n\u{b}{MSH}\rPID|1||1^^^^MR||A\\T\\B^C\rPV1|1|I\rDG1|1||I10^^I10|||F|||||||||1\r\u{1c}\r\n\
             {MSH}\nPID|1||2\nDG1|1||250^^I9\n{MSH}\r\nPID|1||3\r\nPR1|1||0DTJ4ZZ^^I10P||20260410\r\n\
             MSHx\rMSH|^~\\&|A|B|C|D|1||ORU^R01|9\r{MSH}\rPID|1||4"
        );
        let whole = summary(&read(&text, Format::Hl7));
        assert_eq!(whole.lines().count(), 7, "{whole}");
        for size in 1..=64 {
            let mut imp = Importer::new(Format::Hl7);
            let mut out = Vec::new();
            let mut start = 0;
            while start < text.len() {
                let mut end = (start + size).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                imp.push(&text[start..end], &mut out);
                start = end;
            }
            imp.finish(&mut out);
            assert_eq!(summary(&out), whole, "chunks of {size}");
        }
    }
}
