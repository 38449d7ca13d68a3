//! The criteria of the hospital-acquired conditions (HAC) of MS-DRG v43.1:
//! what a HAC code not present on admission needs besides itself before
//! the grouper leaves it out of the final DRG.
//!
//! The definitions give each HAC code one category (`ccmap`) but no
//! criteria, so the registry below is written from the CMS HAC list and
//! checked against the reference (msdrg 1.2.0, which reports, per code and
//! category, "criteria met" or "not met"): every procedure of the tables
//! was put beside one code of each category that needs a procedure, and
//! the procedures that met it are given here by their leading ICD-10-PCS
//! characters (section, body system, operation, body part, approach,
//! device). `tests/drg/DRG_NOTES.md` says how.

/// What a HAC category needs besides one of its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The code alone (retained foreign object, air embolism, blood
    /// incompatibility, pressure ulcers, falls and trauma, vascular
    /// catheter infection, poor glycemic control).
    Nothing,
    /// Catheter-associated UTI (06): a UTI code counts as the HAC only
    /// beside a secondary diagnosis of the catheter's infection, whose own
    /// codes need nothing more.
    Secondary(&'static [&'static str]),
    /// A procedure whose code starts with one of these (the leading PCS
    /// axes), but none that starts with one of `except`.
    Procedure {
        /// Prefixes of the procedures that meet the category.
        prefixes: &'static [&'static str],
        /// Prefixes within those that do not.
        except: &'static [&'static str],
    },
    /// A principal diagnosis of these codes and a procedure as in
    /// [`Needs::Procedure`] (bariatric surgery for morbid obesity).
    PrincipalAndProcedure {
        /// The principal diagnoses that meet the category.
        principals: &'static [&'static str],
        /// Prefixes of the procedures that meet the category.
        prefixes: &'static [&'static str],
        /// Prefixes within those that do not.
        except: &'static [&'static str],
    },
}

/// One HAC category: its number, its name, what it needs, and the codes it
/// holds that `ccmap` files under another category.
#[derive(Debug, Clone, Copy)]
pub struct HacCategory {
    /// The CMS HAC number (1-14).
    pub number: u8,
    /// Its name in the CMS HAC list.
    pub name: &'static str,
    /// Its criteria.
    pub needs: Needs,
    /// Prefixes of diagnosis codes of this category that `ccmap` gives
    /// another category: the surgical site infection codes (K68.11,
    /// T81.4-) belong to 11, 12 and 13, filed under 13.
    pub shared: &'static [&'static str],
}

/// The catheter-associated UTI codes a UTI needs beside it (HAC 06).
const CATHETER_UTI: &[&str] = &["T83511A", "T83518A"];

/// A coronary artery bypass (0210-0213), not the percutaneous coronary
/// artery to coronary vein bypass with an intraluminal device (device D,
/// qualifier 4), which the reference does not take.
const CABG: &[&str] = &["0210", "0211", "0212", "0213"];
const CABG_EXCEPT: &[&str] = &[
    "02103D4", "02104D4", "02113D4", "02114D4", "02123D4", "02124D4", "02133D4", "02134D4",
];

/// Replacement of the hip or knee joint (0SR9-0SRE, 0SRR-0SRW), the hip
/// resurfacing supplements (0SU?0B) and the new-technology replacements
/// (XRR).
const HIP_KNEE: &[&str] = &[
    "0SR9", "0SRA", "0SRB", "0SRC", "0SRD", "0SRE", "0SRR", "0SRS", "0SRT", "0SRU", "0SRV", "0SRW",
    "0SU90B", "0SUA0B", "0SUB0B", "0SUE0B", "0SUR0B", "0SUS0B", "XRR",
];

/// Spinal fusions (0RG0-0RGA, 0SG0-0SG8 and XRG), shoulder and elbow
/// fusion, repositioning and supplement (0RGE-0RGM, 0RQE-0RQM, 0RUE-0RUM).
const ORTHOPEDIC: &[&str] = &[
    "0RG0", "0RG1", "0RG2", "0RG4", "0RG6", "0RG7", "0RG8", "0RGA", "0RGE", "0RGF", "0RGG", "0RGH",
    "0RGJ", "0RGK", "0RGL", "0RGM", "0RQE", "0RQF", "0RQG", "0RQH", "0RQJ", "0RQK", "0RQL", "0RQM",
    "0RUE", "0RUF", "0RUG", "0RUH", "0RUJ", "0RUK", "0RUL", "0RUM", "0SG0", "0SG1", "0SG3", "0SG7",
    "0SG8", "XRG1", "XRG2", "XRG4", "XRGA", "XRGB", "XRGC", "XRGD", "XRGE", "XRGF",
];

/// Cardiac implantable electronic devices: pacemaker and defibrillator
/// leads into the heart and vessels (02H with devices J, K, M, N), their
/// removal and revision (02PA, 02WA), the generators in the chest and
/// abdomen subcutaneous tissue (0JH6, 0JH8 with devices 4-9, F, P), their
/// removal (0JP) and revision (0JWT), and the new-technology leadless and
/// conduction-system devices (X2H, XHH).
const CIED: &[&str] = &[
    "02H40J", "02H40K", "02H40N", "02H43J", "02H43K", "02H43M", "02H43N", "02H44J", "02H44K",
    "02H44N", "02H60J", "02H60K", "02H60N", "02H63J", "02H63K", "02H63M", "02H63N", "02H64J",
    "02H64K", "02H64N", "02H70J", "02H70K", "02H70N", "02H73J", "02H73K", "02H73M", "02H73N",
    "02H74J", "02H74K", "02H74N", "02HK0J", "02HK0K", "02HK0N", "02HK3J", "02HK3K", "02HK3N",
    "02HK4J", "02HK4K", "02HK4N", "02HL0J", "02HL0K", "02HL0N", "02HL3J", "02HL3K", "02HL3N",
    "02HL4J", "02HL4K", "02HL4N", "02HM3J", "02HM3K", "02HM3N", "02HN0J", "02HN0K", "02HN0M",
    "02HN3J", "02HN3K", "02HN3M", "02HN4J", "02HN4K", "02HN4M", "02PA0M", "02PA0N", "02PA3M",
    "02PA3N", "02PA4M", "02PA4N", "02WA0M", "02WA0N", "02WA3M", "02WA3N", "02WA4M", "02WA4N",
    "0JH604", "0JH605", "0JH606", "0JH607", "0JH608", "0JH609", "0JH60F", "0JH60P", "0JH634",
    "0JH635", "0JH636", "0JH637", "0JH638", "0JH639", "0JH63F", "0JH63P", "0JH804", "0JH805",
    "0JH806", "0JH807", "0JH808", "0JH809", "0JH80P", "0JH834", "0JH835", "0JH836", "0JH837",
    "0JH838", "0JH839", "0JH83P", "0JP", "0JWT0F", "0JWT0P", "0JWT3F", "0JWT3P", "X2H6", "X2HK",
    "X2HM3", "X2HV", "XHH",
];

/// Insertion of a totally implantable venous access device into the chest
/// subcutaneous tissue, percutaneous (0JH63XZ): the only procedure the
/// reference takes for HAC 14.
const VENOUS_CATHETER: &[&str] = &["0JH63XZ"];

/// Morbid obesity as the principal diagnosis: morbid (severe) obesity due
/// to excess calories (E66.01) and obesity class 3 (E66.813); the
/// reference takes no other diagnosis as the principal of HAC 11.
const MORBID_OBESITY: &[&str] = &["E6601", "E66813"];

/// Bariatric surgery: a bypass of the stomach to the duodenum, jejunum,
/// ileum or transverse colon (0D16, qualifiers 9, A, B, L; open,
/// percutaneous endoscopic or via an opening), not a gastrostomy (the
/// bypass to the skin, qualifier 4), and the laparoscopic adjustable
/// gastric band (restriction of the stomach with an extraluminal device,
/// 0DV64CZ).
const BARIATRIC: &[&str] = &["0D16", "0DV64CZ"];
const BARIATRIC_EXCEPT: &[&str] = &[
    "0D16074", "0D160J4", "0D160K4", "0D160Z4", "0D163J4", "0D16474", "0D164J4", "0D164K4",
    "0D164Z4", "0D16874", "0D168J4", "0D168K4", "0D168Z4",
];

/// The surgical site infection codes shared by HACs 11, 12 and 13.
const SSI_SHARED: &[&str] = &["K6811", "T814"];

/// Every HAC category, by number.
pub const HAC_CATEGORIES: [HacCategory; 14] = [
    dx_only(1, "Foreign Object Retained After Surgery"),
    dx_only(2, "Air Embolism"),
    dx_only(3, "Blood Incompatibility"),
    dx_only(4, "Stage III and IV Pressure Ulcers"),
    dx_only(5, "Falls and Trauma"),
    HacCategory {
        number: 6,
        name: "Catheter-Associated Urinary Tract Infection",
        needs: Needs::Secondary(CATHETER_UTI),
        shared: &[],
    },
    dx_only(7, "Vascular Catheter-Associated Infection"),
    procedure(8, "Surgical Site Infection, Mediastinitis, Following Coronary Artery Bypass Graft", CABG, CABG_EXCEPT),
    dx_only(9, "Manifestations of Poor Glycemic Control"),
    procedure(10, "Deep Vein Thrombosis and Pulmonary Embolism Following Certain Orthopedic Procedures (Total Knee or Hip Replacement)", HIP_KNEE, &[]),
    HacCategory {
        number: 11,
        name: "Surgical Site Infection Following Bariatric Surgery for Obesity",
        needs: Needs::PrincipalAndProcedure {
            principals: MORBID_OBESITY,
            prefixes: BARIATRIC,
            except: BARIATRIC_EXCEPT,
        },
        shared: SSI_SHARED,
    },
    HacCategory {
        number: 12,
        name: "Surgical Site Infection Following Certain Orthopedic Procedures of Spine, Shoulder and Elbow",
        needs: Needs::Procedure {
            prefixes: ORTHOPEDIC,
            except: &[],
        },
        shared: SSI_SHARED,
    },
    procedure(13, "Surgical Site Infection Following Cardiac Implantable Electronic Device (CIED) Procedures", CIED, &[]),
    procedure(14, "Iatrogenic Pneumothorax with Venous Catheterization", VENOUS_CATHETER, &[]),
];

const fn dx_only(number: u8, name: &'static str) -> HacCategory {
    HacCategory {
        number,
        name,
        needs: Needs::Nothing,
        shared: &[],
    }
}

const fn procedure(
    number: u8,
    name: &'static str,
    prefixes: &'static [&'static str],
    except: &'static [&'static str],
) -> HacCategory {
    HacCategory {
        number,
        name,
        needs: Needs::Procedure { prefixes, except },
        shared: &[],
    }
}

/// The category of a number, when there is one.
pub fn category(number: u8) -> Option<&'static HacCategory> {
    HAC_CATEGORIES.iter().find(|c| c.number == number)
}

/// Whether HAC code `code` of category `hac` (its `ccmap` category) meets
/// the criteria of one of its categories on a claim with this principal
/// diagnosis, these secondary diagnoses and procedures. A code of no known
/// category meets them, as the code alone did before the registry.
pub fn criteria_met<'a>(
    code: &str,
    hac: u8,
    principal: &str,
    secondaries: impl Iterator<Item = &'a str> + Clone,
    procedures: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    let Some(own) = category(hac) else {
        return true;
    };
    let shared = HAC_CATEGORIES
        .iter()
        .filter(|c| c.number != hac && c.shared.iter().any(|p| code.starts_with(p)));
    let procedure = |prefixes: &[&str], except: &[&str]| {
        procedures.clone().any(|p| {
            prefixes.iter().any(|x| p.starts_with(x)) && !except.iter().any(|x| p.starts_with(x))
        })
    };
    std::iter::once(own).chain(shared).any(|c| match c.needs {
        Needs::Nothing => true,
        Needs::Secondary(codes) => {
            codes.contains(&code) || secondaries.clone().any(|s| codes.contains(&s))
        }
        Needs::Procedure { prefixes, except } => procedure(prefixes, except),
        Needs::PrincipalAndProcedure {
            principals,
            prefixes,
            except,
        } => principals.contains(&principal) && procedure(prefixes, except),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn met(code: &str, hac: u8, sdx: &[&str], procs: &[&str]) -> bool {
        met_with("I10", code, hac, sdx, procs)
    }

    fn met_with(pdx: &str, code: &str, hac: u8, sdx: &[&str], procs: &[&str]) -> bool {
        criteria_met(code, hac, pdx, sdx.iter().copied(), procs.iter().copied())
    }

    #[test]
    fn every_category_once_in_order() {
        for (i, c) in HAC_CATEGORIES.iter().enumerate() {
            assert_eq!(usize::from(c.number), i + 1, "{}", c.name);
        }
    }

    #[test]
    fn criteria_of_each_kind() {
        // Falls and trauma: the code alone.
        assert!(met("S72001A", 5, &[], &[]));
        // CAUTI: pyelonephritis needs the catheter's infection beside it.
        assert!(!met("N10", 6, &[], &[]));
        assert!(met("N10", 6, &["T83511A"], &[]));
        assert!(met("T83511A", 6, &[], &[]));
        // Mediastinitis after a bypass of one coronary artery, open.
        assert!(!met("J9851", 8, &[], &["0JH63XZ"]));
        assert!(met("J9851", 8, &[], &["021009W"]));
        assert!(!met("J9851", 8, &[], &["02103D4"]));
        // Pulmonary embolism after a right hip replacement.
        assert!(!met("I2609", 10, &[], &[]));
        assert!(met("I2609", 10, &[], &["0SR9019"]));
        // A surgical site infection filed under 13 (CIED) also meets 12
        // (spinal fusion).
        assert!(met("T8142XA", 13, &[], &["0SG00A0"]));
        assert!(met("T8142XA", 13, &[], &["0JH606Z"]));
        assert!(!met("T8142XA", 13, &[], &["0SR9019"]));
        // ... but a CIED pocket infection (T82.7) only 13.
        assert!(!met("T827XXA", 13, &[], &["0SG00A0"]));
        // Pneumothorax with a venous access device.
        assert!(met("J95811", 14, &[], &["0JH63XZ"]));
        assert!(!met("J95811", 14, &[], &[]));
        // Infection after a gastric bypass to the jejunum, laparoscopic,
        // for morbid obesity; not for another principal, not after a
        // gastrostomy or a sleeve gastrectomy.
        assert!(met_with("E6601", "K9581", 11, &[], &["0D16479"]));
        assert!(met_with("E66813", "K9501", 11, &[], &["0DV64CZ"]));
        assert!(!met_with("E6609", "K9581", 11, &[], &["0D16479"]));
        assert!(!met_with("E6601", "K9581", 11, &[], &["0D16474"]));
        assert!(!met_with("E6601", "K9581", 11, &[], &["0DB64Z3"]));
        // A surgical site infection filed under 13 meets 11 too.
        assert!(met_with("E6601", "T8141XA", 13, &[], &["0D16479"]));
    }
}
