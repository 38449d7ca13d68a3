//! Tests on the official releases in `../shared/data` (or `ICD_DATA_DIR`):
//! the build agrees with the MCE master, every index code lands in the
//! tabular, every note is kept, and builds are deterministic.

mod common;
use common::*;

use std::collections::BTreeSet;

use icd_cli::build::{build, open_all};
use icd_core::lookup::ARTIFACT_FILES;
use icd_core::mce::Table;
use icd_core::{Date, IndexCode, Library};

fn library() -> Library<&'static [u8]> {
    let files = built()
        .files
        .iter()
        .filter(|(name, _)| ARTIFACT_FILES.contains(name));
    open_all(files.map(|(_, b)| b.as_slice()).collect()).unwrap()
}

#[test]
fn billable_codes_are_exactly_the_mce_codes_valid_on_2026_04_01() {
    let lib = library();
    let date: Date = "2026-04-01".parse().unwrap();
    let ours: BTreeSet<String> = lib
        .tabular
        .billable_codes()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let mce: BTreeSet<String> = lib
        .mce
        .codes(Table::Dx)
        .into_iter()
        .filter(|c| lib.mce.period_on(Table::Dx, c, date).is_some())
        .collect();
    let extra: Vec<_> = ours.difference(&mce).take(10).collect();
    let missing: Vec<_> = mce.difference(&ours).take(10).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "billable but not in MCE: {extra:?}; in MCE but not billable: {missing:?}"
    );
    assert_eq!(ours.len(), 74_719);
    // Naive seventh-character expansion gives 76 codes the MCE does not list
    // (S06 with 6th character 7 or 8 takes no D or S, among others).
    assert_eq!(built().dropped.len(), 76);
    assert!(built().dropped.iter().any(|c| c.as_str() == "S061X7D"));
}

#[test]
fn every_code_the_indexes_and_tables_name_is_a_tabular_node() {
    let lib = library();
    let mut missing = Vec::new();
    let mut checked = 0;
    for tree in [&lib.index, &lib.eindex, &lib.neoplasm, &lib.drug] {
        for id in tree.ids() {
            let mut codes: Vec<&str> = tree.cells(id);
            codes.push(tree.code(id));
            for raw in codes.into_iter().filter(|c| !c.is_empty()) {
                checked += 1;
                match raw.parse::<IndexCode>() {
                    Ok(ic) if lib.tabular.find(&ic.code).is_some() => {}
                    _ => missing.push(format!("{}: {raw}", tree.path_text(id))),
                }
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
    assert!(
        missing.is_empty(),
        "{} of {checked} codes do not resolve, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}

#[test]
fn index_codes_that_became_categories_are_not_final() {
    // The FY2025 index names codes that FY2026 split (G35 gained children):
    // the lookup must lead to billable children, never hand it out as final.
    let lib = library();
    let mut split = 0;
    for id in lib.index.ids() {
        let Ok(ic) = lib.index.code(id).parse::<IndexCode>() else {
            continue;
        };
        let node = lib.tabular.find(&ic.code).unwrap();
        if !ic.incomplete && !lib.tabular.billable(node) {
            split += 1;
            let report = lib.term_report(&lib.index, id, 0);
            let target = report.code_target.unwrap();
            assert!(target.incomplete && !target.billable, "{}", report.path);
            assert!(
                !lib.tabular.billable_descendants(node).is_empty(),
                "{}",
                report.path
            );
        }
    }
    assert!(
        split > 0,
        "expected some index codes that are now categories"
    );
}

#[test]
fn every_note_of_the_xml_is_kept() {
    let xml =
        std::fs::read_to_string(data_dir().join("icd10cm/icd10cm-tabular-2026-04.xml")).unwrap();
    let body = &xml[xml.find("</introduction>").unwrap()..];
    // Every <note> outside the introduction, and one note per category of
    // the visual impairment table.
    let expected = body.matches("<note>").count() + body.matches("<visCategory>").count();
    let lib = library();
    let kept: usize = lib
        .tabular
        .ids()
        .map(|id| lib.tabular.own_notes(id).len())
        .sum();
    assert_eq!(kept, expected);
    let s52 = lib.tabular.find(&"S52.521A".parse().unwrap()).unwrap();
    let from: BTreeSet<String> = lib
        .tabular
        .notes(s52)
        .iter()
        .map(|n| lib.tabular.display_key(n.from))
        .collect();
    assert_eq!(
        from.into_iter().collect::<Vec<_>>(),
        ["Chapter 19", "S50-S59", "S52", "S52.5", "S52.52"]
    );
}

#[test]
fn seventh_characters_follow_the_subcategory() {
    let lib = library();
    for (code, chars) in [
        ("S52.521", "ADGKPS"),
        ("S52.501", "ABCDEFGHJKMNPQRS"),
        ("T36.0X1", "ADS"),
        ("W11", "ADS"),
        ("S06.1X7", "A"),
    ] {
        let id = lib.tabular.find(&code.parse().unwrap()).unwrap();
        let got: String = lib
            .tabular
            .seventh_options(id)
            .iter()
            .map(|o| o.ch)
            .collect();
        assert_eq!(got, chars, "{code}");
    }
    let w = lib.tabular.find(&"W11".parse().unwrap()).unwrap();
    assert_eq!(
        lib.tabular.with_seventh(w, 'A').unwrap().to_string(),
        "W11.XXXA"
    );
}

#[test]
fn see_references_resolve() {
    let lib = library();
    let (mut total, mut resolved) = (0, 0);
    let mut unresolved = Vec::new();
    for id in lib.index.ids() {
        for target in [lib.index.see(id), lib.index.see_also(id)] {
            // "see condition" and "see also specific condition" are instructions, not terms.
            if target.is_empty() || !target.contains(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            total += 1;
            if lib.resolve_see(&lib.index, target).is_some() || target.starts_with("Neoplasm") {
                resolved += 1;
            } else {
                unresolved.push(target.to_string());
            }
        }
    }
    let rate = resolved as f64 / total as f64;
    eprintln!(
        "see/see also resolved: {resolved} of {total} ({:.1}%); e.g. {:?}",
        rate * 100.0,
        &unresolved[..unresolved.len().min(15)]
    );
    // The rest name instructions ("categories O03-O04", "Table of Drugs and
    // Chemicals") or terms the FY2025 index does not hold as written; 90% is
    // the floor this build reaches, kept as a regression guard.
    assert!(rate > 0.90, "{rate}");
}

#[test]
fn builds_are_deterministic() {
    let again = build(&data_dir()).unwrap();
    for ((name, a), (_, b)) in built().files.iter().zip(&again.files) {
        assert!(a == b, "{name} differs between two builds");
    }
    let size: u64 = built().manifest.total_gzip_bytes;
    assert!(
        size < 3_000_000,
        "artifacts are {size} bytes gzipped; the budget is 3 MB"
    );
}

/// The validator's verdicts, one case per line: date, code as pasted, verdict.
#[test]
fn validator_verdicts() {
    use icd_core::validate::{validate, Verdict};
    let lib = library();
    let cases = "\
        2026-01-15 E11       not_billable
        2026-01-15 e11.9     valid
        2026-01-15 E119      valid
        2026-01-15 S52.521A  valid
        2026-01-15 S52.521   not_billable
        2026-01-15 T36.0X1   not_billable
        2026-01-15 XYZ       invalid
        2026-01-15 E11.9999  invalid
        2015-01-15 E11.9     not_valid_on_date
        2026-01-15 U07.1     valid
        2019-06-01 U07.1     not_valid_on_date
        2022-01-01 E87.2     valid
        2022-01-01 E87.20    not_valid_on_date
        2026-01-15 E87.2     not_billable
        2026-01-15 I10.      valid
        2026-01-15 E11.      not_billable
        2026-01-15 ICD10:E11.9 valid
        2026-01-15 Dx:J18.9  valid";
    for line in cases.lines() {
        let [date, code, want]: [&str; 3] = line
            .split_whitespace()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let got = validate(&lib, code, date.parse().unwrap());
        assert_eq!(got.len(), 1, "{line}");
        let name = match &got[0].verdict {
            Verdict::Valid => "valid",
            Verdict::Invalid { .. } => "invalid",
            Verdict::NotBillable { children, total } => {
                assert!(!children.is_empty() && *total >= children.len(), "{line}");
                "not_billable"
            }
            Verdict::NotValidOnDate { .. } => "not_valid_on_date",
        };
        assert_eq!(name, want, "{line}: {:?}", got[0]);
    }
    // Any separators; order kept.
    let got = validate(
        &lib,
        "E11.9,I10;\tJ45.909\nN18.3",
        "2026-01-15".parse().unwrap(),
    );
    let inputs: Vec<&str> = got.iter().map(|c| c.input.as_str()).collect();
    assert_eq!(inputs, ["E11.9", "I10", "J45.909", "N18.3"]);
    assert!(
        matches!(got[3].verdict, Verdict::NotBillable { .. }),
        "N18.3 was expanded in 2020"
    );
    // A repeated code, however typed, points at the first; labels are not codes.
    let got = validate(
        &lib,
        "ICD-10-CM: E11.9, I10, e11.9, E119",
        "2026-01-15".parse().unwrap(),
    );
    let shown: Vec<(&str, Option<usize>)> = got
        .iter()
        .map(|c| (c.code.as_deref().unwrap_or(&c.input), c.duplicate_of))
        .collect();
    assert_eq!(
        shown,
        [
            ("E11.9", None),
            ("I10", None),
            ("E11.9", Some(0)),
            ("E11.9", Some(0))
        ]
    );
}

/// Filtering a table keeps the rows whose path holds every word, in order.
#[test]
fn tables_filter_by_every_word() {
    let lib = library();
    let rows: Vec<String> = lib
        .neoplasm
        .matching("lung upper lobe")
        .map(|t| lib.neoplasm.path_text(t))
        .collect();
    assert!(!rows.is_empty());
    for r in &rows {
        let r = r.to_lowercase();
        assert!(
            r.contains("lung") && r.contains("upper") && r.contains("lobe"),
            "{r}"
        );
    }
    let drugs: Vec<String> = lib
        .drug
        .matching("Acetaminophen")
        .map(|t| lib.drug.term(t).to_string())
        .collect();
    assert_eq!(drugs.first().map(String::as_str), Some("Acetaminophen"));
    assert_eq!(lib.drug.matching("  ,; ").count(), lib.drug.len());
    assert_eq!(lib.drug.matching("zzzqqq").count(), 0);
}

/// The record form's discharge status picker lists exactly the codes the
/// MCE's discharge status table accepts.
#[test]
fn discharge_statuses_are_the_mces() {
    use icd_core::record::model::DISCHARGE_STATUSES;
    let lib = library();
    let date: icd_core::Date = "2026-04-01".parse().unwrap();
    let mce: Vec<u32> = (0..100)
        .filter(|c| lib.mce.discharge_status_valid(*c, date))
        .collect();
    let listed: Vec<u32> = DISCHARGE_STATUSES
        .iter()
        .map(|(c, _)| c.parse().unwrap())
        .collect();
    assert_eq!(listed, mce);
}
