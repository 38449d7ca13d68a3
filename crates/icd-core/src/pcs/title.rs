//! Long titles derived from a code's labels, following the pattern of the
//! official ICD-10-PCS order file, so no title is stored per code.
//!
//! ```
//! use icd_core::pcs::title::invert;
//! assert_eq!(invert("Vertebral Artery, Left"), "Left Vertebral Artery");
//! assert_eq!(invert("Coronary Artery, One Artery"), "Coronary Artery, One Artery");
//! ```
//!
//! The official titles are written by hand from a pattern per section and
//! root operation: `Resection of Appendix, Percutaneous Endoscopic
//! Approach`, `Removal of Drainage Device from Brain, Open Approach`,
//! `Bypass Gastric Vein to Lower Vein with ...`. [`OPERATIONS`] holds the
//! medical and surgical pattern of each operation once. Labels written
//! `Noun, Modifier` read `Modifier Noun` in titles. Caveat: some titles are
//! worded beyond any pattern (`Insertion of Pacemaker Lead` for the label
//! `Cardiac Lead, Pacemaker`); the full-data test counts them.

use super::AxisValue;

/// Where the device goes in a medical and surgical title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceAt {
    /// `... of Body Part with Device`.
    With,
    /// `... of Device <word> Body Part` (`into`, `from`, `in`).
    Before(&'static str),
}

/// Where the qualifier goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualifierAt {
    /// `..., Qualifier, Approach`.
    BeforeApproach,
    /// `..., Approach, Qualifier` (`Diagnostic`).
    AfterApproach,
    /// `Body Part to Qualifier` (Bypass, Transfer).
    To,
    /// `Body Part using Qualifier`.
    Using,
    /// `Qualifier <word> Body Part`: the qualifier is what is operated on
    /// (obstetrics: `Drainage of Fetal Blood from Products of Conception`).
    Object(&'static str),
}

/// One operation's title pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// Root operation label.
    pub operation: &'static str,
    /// Words after the operation (`of`, `Bleeding in`, nothing).
    pub then: &'static str,
    /// Device placement.
    pub device: DeviceAt,
    /// Qualifier placement.
    pub qualifier: QualifierAt,
}

const fn p(
    operation: &'static str,
    then: &'static str,
    device: DeviceAt,
    qualifier: QualifierAt,
) -> Pattern {
    Pattern {
        operation,
        then,
        device,
        qualifier,
    }
}

use DeviceAt::{Before, With};
use QualifierAt::{AfterApproach, BeforeApproach, Object, To, Using};

/// The medical and surgical (and new technology, obstetrics) patterns; an
/// operation not listed reads `Operation of Body Part with Device,
/// Qualifier, Approach`.
pub const OPERATIONS: &[Pattern] = &[
    p("Bypass", "", With, To),
    p("Transfer", "", With, To),
    p("Supplement", "", With, BeforeApproach),
    p("Repair", "", With, BeforeApproach),
    p("Reposition", "", With, BeforeApproach),
    p("Release", "", With, BeforeApproach),
    p("Map", "", With, BeforeApproach),
    p("Change", "", Before("in"), BeforeApproach),
    p("Control", "Bleeding in", With, BeforeApproach),
    p("Revision", "of", Before("in"), BeforeApproach),
    p("Removal", "of", Before("from"), BeforeApproach),
    p("Insertion", "of", Before("into"), BeforeApproach),
    p("Extirpation", "of Matter from", With, BeforeApproach),
    p("Fragmentation", "in", With, AfterApproach),
    p("Detachment", "at", With, BeforeApproach),
    p("Drainage", "of", With, AfterApproach),
    p("Excision", "of", With, AfterApproach),
    p("Extraction", "of", With, AfterApproach),
    p("Destruction", "of", With, Using),
];

/// Obstetrics patterns where they differ from [`OPERATIONS`]; its body
/// part labels (`Products of Conception, Ectopic`) are never inverted.
pub const OBSTETRICS: &[Pattern] = &[
    p("Drainage", "of", With, Object("from")),
    p("Extraction", "of", With, BeforeApproach),
    p("Repair", "", With, Object("in")),
    p("Transplantation", "of", With, Object("into")),
];

const DEFAULT: Pattern = p("", "of", With, BeforeApproach);

/// Whether a label is the "none" value of its axis (`No Device`, `None`).
pub fn is_none(label: &str) -> bool {
    label == "None" || label.starts_with("No ")
}

/// `Noun, Modifier` as titles write it, `Modifier Noun`; a label whose
/// second part names an artery (`Coronary Artery, One Artery`) or that has
/// more than one comma stays as it is.
pub fn invert(label: &str) -> String {
    let mut parts = label.split(", ");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) if !b.ends_with("Artery") && !b.ends_with("Arteries") => {
            format!("{b} {a}")
        }
        _ => label.to_string(),
    }
}

/// An approach as titles write it: `Open Approach`, but `Via Natural or
/// Artificial Opening` without the word.
fn approach(label: &str) -> String {
    if label.starts_with("Via ") {
        label.to_string()
    } else {
        format!("{label} Approach")
    }
}

fn medical(a: &[AxisValue; 7]) -> String {
    let op = a[2].label.as_str();
    let obstetrics = a[0].ch == '1';
    let pat = obstetrics
        .then_some(OBSTETRICS)
        .into_iter()
        .chain([OPERATIONS])
        .flat_map(|list| list.iter())
        .find(|p| p.operation == op)
        .copied()
        .unwrap_or(DEFAULT);
    let body = if obstetrics {
        a[3].label.clone()
    } else {
        invert(&a[3].label)
    };
    let (dev, qual) = (&a[5].label, &a[6].label);
    let has_dev = !is_none(dev);
    let has_q = !is_none(qual);
    let mut t = op.to_string();
    if !pat.then.is_empty() {
        t.push(' ');
        t.push_str(pat.then);
    }
    if let (true, Before(word)) = (has_dev, pat.device) {
        t.push_str(&format!(" {dev} {word}"));
    }
    if let (true, Object(word)) = (has_q, pat.qualifier) {
        t.push_str(&format!(" {qual} {word}"));
    }
    t.push(' ');
    t.push_str(&body);
    if has_q && pat.qualifier == To {
        t.push_str(&format!(" to {}", invert(qual)));
    }
    if has_q && pat.qualifier == Using {
        t.push_str(&format!(" using {qual}"));
    }
    if has_dev && pat.device == With {
        t.push_str(&format!(" with {dev}"));
    }
    if has_q && pat.qualifier == BeforeApproach {
        t.push_str(&format!(", {qual}"));
    }
    t.push_str(", ");
    t.push_str(&approach(&a[4].label));
    if has_q && pat.qualifier == AfterApproach {
        t.push_str(&format!(", {qual}"));
    }
    t
}

/// Appends `, label` for each label that is not a "none" value.
fn then_each(t: &mut String, labels: &[&str]) {
    for l in labels {
        if !is_none(l) {
            t.push_str(", ");
            t.push_str(l);
        }
    }
}

/// The long title of a code from its seven axes.
pub fn derive(a: &[AxisValue; 7]) -> String {
    let l = |i: usize| a[i].label.as_str();
    let section = a[0].ch;
    match section {
        '0' | '1' | 'X' => medical(a),
        // Imaging and nuclear medicine: type of body part using contrast.
        'B' | 'C' => {
            let mut t = format!("{} of {}", l(2), invert(l(3)));
            if !is_none(l(4)) {
                t.push_str(&format!(" using {}", l(4)));
            }
            then_each(&mut t, &[l(5), l(6)]);
            t
        }
        // Radiation therapy.
        'D' => {
            let site = invert(l(3));
            match l(2) {
                "Beam Radiation" => format!("{} of {site} using {}", l(2), l(4)),
                "Brachytherapy" => {
                    let mut t = format!("{} {} of {site}", l(4), l(2));
                    if !is_none(l(5)) {
                        t.push_str(&format!(" using {}", l(5)));
                    }
                    t
                }
                _ => format!("{} of {site}", l(4)),
            }
        }
        // Placement: external devices.
        '2' => match l(2) {
            "Removal" | "Change" => format!("{} of {} on {}", l(2), l(5), invert(l(3))),
            _ => format!("{} of {} using {}", l(2), invert(l(3)), l(5)),
        },
        // Administration.
        '3' => {
            let sub = if is_none(l(6)) {
                l(5).to_string()
            } else {
                format!("{} {}", l(6), l(5))
            };
            let mut t = format!("{} of {sub} into {}", l(2), invert(l(3)));
            t.push_str(", ");
            t.push_str(&approach(l(4)));
            t
        }
        // Measurement and monitoring.
        '4' => {
            let mut t = format!("{} of {} {}", l(2), l(3), l(5));
            then_each(&mut t, &[l(6)]);
            t.push_str(", ");
            t.push_str(&approach(l(4)));
            t
        }
        '7' => format!("Osteopathic Treatment of {} using {}", invert(l(3)), l(5)),
        '9' => format!("Chiropractic Manipulation of {}, {}", invert(l(3)), l(5)),
        // Mental health and substance abuse treatment.
        'G' => {
            let mut t = l(2).to_string();
            then_each(&mut t, &[l(3)]);
            t
        }
        'H' => {
            let mut t = format!("{} for Substance Abuse Treatment", l(2));
            then_each(&mut t, &[l(3)]);
            t
        }
        _ => {
            let mut t = format!("{} of {}", l(2), invert(l(3)));
            then_each(&mut t, &[l(4), l(5), l(6)]);
            t
        }
    }
}
