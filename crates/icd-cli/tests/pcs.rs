//! ICD-10-PCS on the official files in `../shared/data` (or `ICD_DATA_DIR`):
//! the Tables expand to the published count, the MCE master's codes are in
//! them or reported as MCE-only, derived titles match the official ones,
//! and the code builder offers only what some row allows and reaches every
//! code.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::OnceLock;

use icd_cli::build::{build_pcs, pcs_mce_only};
use icd_core::mce::{Mce, Table};
use icd_core::pcs::{Pcs, RowId};
use icd_core::{Date, PcsCode};

fn pcs() -> &'static Pcs<Vec<u8>> {
    static PCS: OnceLock<Pcs<Vec<u8>>> = OnceLock::new();
    PCS.get_or_init(|| {
        Pcs::open(
            build_pcs(&data_dir())
                .unwrap()
                .expect("icd10pcs/ is present"),
        )
        .unwrap()
    })
}

fn mce() -> &'static Mce<Vec<u8>> {
    static MCE: OnceLock<Mce<Vec<u8>>> = OnceLock::new();
    MCE.get_or_init(|| {
        let src = icd_cli::mce_tsv::read(&data_dir().join("mce"), "test").unwrap();
        Mce::open(src.build()).unwrap()
    })
}

fn all_codes() -> Vec<PcsCode> {
    let p = pcs();
    (0..p.row_count() as u32)
        .flat_map(|r| p.row_codes(RowId(r)))
        .collect()
}

#[test]
fn the_tables_expand_to_79115_codes() {
    let p = pcs();
    assert_eq!((p.table_count(), p.row_count()), (914, 2733));
    assert_eq!(p.code_count(), 79_115);
    let codes = all_codes();
    let unique: BTreeSet<&PcsCode> = codes.iter().collect();
    assert_eq!((codes.len(), unique.len()), (79_115, 79_115));
    // The index: 3,215 main terms and 21,269 subterms.
    let main = (0..p.index_len() as u32)
        .filter(|i| p.index_term(icd_core::pcs::IndexId(*i)).level == 0)
        .count();
    assert_eq!((main, p.index_len()), (3_215, 24_484));
}

#[test]
fn every_mce_code_valid_on_2026_04_01_is_in_the_tables_or_mce_only() {
    let date: Date = "2026-04-01".parse().unwrap();
    let only = pcs_mce_only(pcs(), mce(), date);
    // The April 2026 update adds these; the October tables lack them.
    assert_eq!(only.len(), 80, "{only:?}");
    for c in ["02HM3JZ", "0DDU0ZZ", "3E033AZ", "XW0E33B"] {
        assert!(only.iter().any(|o| o == c), "{c}");
    }
    for c in &only {
        let p = mce().periods(Table::Sg, c);
        assert_eq!(p[0].start.to_string(), "2026-04-01", "{c}");
    }
    // And the other way: table codes the MCE no longer lists on that day
    // (the April update deleted them).
    let gone: Vec<String> = all_codes()
        .iter()
        .filter(|c| mce().period_on(Table::Sg, c.as_str(), date).is_none())
        .map(|c| c.to_string())
        .collect();
    assert_eq!(gone, ["30233AZ", "30243AZ"]);
}

/// FY2025 labels of each code (`icd10pcs-codes-2025.tsv.gz`), to tell
/// where a code's labels changed since the FY2024 titles were written.
fn labels_2025() -> BTreeMap<String, Vec<String>> {
    let p = data_dir().join("icd10pcs/icd10pcs-codes-2025.tsv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&p).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let mut labels: Vec<String> = f.get(2..9)?.iter().map(|s| s.to_string()).collect();
            // The root operation column carries its definition after a colon.
            labels[2] = labels[2].split(':').next().unwrap_or("").to_string();
            Some((f[0].to_string(), labels))
        })
        .collect()
}

#[test]
fn derived_titles_match_the_official_fy2024_titles() {
    let p = pcs();
    let official: BTreeMap<String, String> =
        std::fs::read_to_string(data_dir().join("icd10pcs/icd10pcs-codes-2024.txt"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(c, t)| (c.to_string(), t.trim().to_string()))
            .collect();
    let labels = labels_2025();
    let mut compared = 0;
    let mut matched = 0;
    let mut by_section: BTreeMap<char, [usize; 2]> = BTreeMap::new();
    let mut misses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for code in all_codes() {
        let (Some(want), Some(old)) = (official.get(code.as_str()), labels.get(code.as_str()))
        else {
            continue;
        };
        let axes = p.axes(&code).unwrap();
        if axes
            .iter()
            .map(|a| a.label.as_str())
            .ne(old.iter().map(String::as_str))
        {
            continue; // labels changed: the old title describes other words
        }
        compared += 1;
        let got = p.title(&code).unwrap();
        let s = by_section.entry(axes[0].ch).or_default();
        s[0] += 1;
        if &got == want {
            matched += 1;
            s[1] += 1;
        } else {
            let key = format!("{} {}", axes[0].ch, axes[2].label);
            let m = misses.entry(key).or_default();
            if m.len() < 2 {
                m.push(format!("{code}: {got:?} vs {want:?}"));
            }
        }
    }
    let rate = matched as f64 / compared as f64;
    eprintln!("derived titles: {matched} of {compared} match ({rate:.4})");
    for (s, [n, ok]) in &by_section {
        eprintln!("  section {s}: {ok} of {n}");
    }
    if std::env::var_os("PCS_TITLE_MISSES").is_some() {
        for (k, v) in &misses {
            eprintln!("{k}\n  {}", v.join("\n  "));
        }
    }
    assert!(compared > 60_000, "{compared} codes compared");
    // The floor is the rate measured when the pattern was last changed.
    assert!(rate >= 0.939, "derived titles match {rate:.4}");
}

/// The builder, for every table: every value offered at each step (given
/// the earlier choices) is allowed by some row, and every code of every
/// row can be built by choosing offered values.
#[test]
fn the_builder_offers_only_valid_values_and_reaches_every_code() {
    let p = pcs();
    let codes: BTreeSet<String> = all_codes().iter().map(|c| c.to_string()).collect();
    let prefixes: BTreeSet<String> = codes
        .iter()
        .flat_map(|c| (0..7).map(move |n| c[..n].to_string()))
        .collect();
    let mut built = 0usize;
    for prefix in &prefixes {
        let offers = p.offered(prefix);
        assert!(!offers.is_empty(), "{prefix} offers nothing");
        for o in offers {
            let next = format!("{prefix}{}", o.ch);
            // Offered means some code continues this way.
            assert!(
                prefixes.contains(&next) || codes.contains(&next),
                "{prefix} offers {} ({}) that no row allows",
                o.ch,
                o.label
            );
            assert!(!o.label.is_empty(), "{next} has no label");
            if next.len() == 7 {
                built += 1;
            }
        }
    }
    // Every code is reached through offered values only.
    assert_eq!(built, 79_115);
    // Operations and approaches show their definitions.
    let ops = p.offered("0D");
    assert!(ops.iter().all(|o| !o.definition.is_empty()), "{ops:?}");
    let approaches = p.offered("0DTJ");
    assert!(approaches.iter().all(|o| !o.definition.is_empty()));
}

#[test]
fn a_wrong_code_names_its_first_invalid_character() {
    let p = pcs();
    let e = p.check(&"0DTJ3ZZ".parse().unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "0DTJ3ZZ: character 5 ('3') is not allowed after 0DTJ; Approach allows 0 Open, 4 Percutaneous Endoscopic, 7 Via Natural or Artificial Opening, 8 Via Natural or Artificial Opening Endoscopic"
    );
    let e = p.check(&"0DTJ4ZX".parse().unwrap()).unwrap_err();
    assert_eq!((e.position, e.axis.as_str()), (7, "Qualifier"));
    // An MCE-only code is not in the Tables: check says where they stop.
    assert!(p.check(&"02HM3JZ".parse().unwrap()).is_err());
}

/// One search case per root operation of the medical and surgical
/// section, written from the operations' definitions and examples (never
/// from the evaluation sets): the statement, the code or prefix a result
/// must start with, and the rank it must reach.
const SEARCH_CASES: &[(&str, &str, usize)] = &[
    ("face lift", "0W02", 1),              // Alteration
    ("coronary artery bypass", "021", 1),  // Bypass
    ("gastrostomy tube change", "0D2", 1), // Change
    (
        "control of postprocedural bleeding in abdominal wall",
        "0W3F",
        1,
    ), // Control
    ("creation of vagina", "0W4", 1),      // Creation
    ("cautery of skin lesion of back", "0H56", 1), // Destruction
    ("below knee amputation", "0Y6", 1),   // Detachment
    ("dilation of esophagus", "0D75", 1),  // Dilation
    ("division of nerve", "008", 1),       // Division
    ("drainage of pleural cavity", "0W9", 1), // Drainage
    ("partial nephrectomy", "0TB", 1),     // Excision
    ("thrombectomy of femoral artery", "04C", 3), // Extirpation
    ("bone marrow biopsy", "07DT", 3),     // Extraction
    ("lithotripsy of kidney stone", "0TF", 1), // Fragmentation
    ("lumbar spinal fusion", "0SG", 1),    // Fusion
    ("insertion of central venous catheter", "05H", 1), // Insertion
    ("diagnostic arthroscopy of knee", "0SJC4ZZ", 1), // Inspection
    ("mapping of cardiac conduction mechanism", "02K8", 1), // Map
    ("ligation of fallopian tubes", "0UL", 1), // Occlusion
    ("reattachment of finger", "0XM", 1),  // Reattachment
    ("carpal tunnel release", "0PN", 1),   // Release
    ("removal of chest tube", "0WP8", 3),  // Removal
    ("repair of inguinal hernia", "0YQ", 3), // Repair
    ("total hip replacement", "0SR", 1),   // Replacement
    ("closed reduction of femur fracture", "0QS", 1), // Reposition
    ("laparoscopic appendectomy", "0DTJ4ZZ", 1), // Resection
    ("cerclage of cervix", "0UVC", 1),     // Restriction
    ("revision of hip prosthesis", "0SW", 1), // Revision
    (
        "supplement of abdominal wall with synthetic substitute",
        "0WUF0JZ",
        1,
    ), // Supplement
    ("tendon transfer", "0LX", 1),         // Transfer
    ("kidney transplant", "0TY", 1),       // Transplantation
];

#[test]
fn search_finds_every_root_operation() {
    use icd_core::pcs::search::{PcsSearch, SearchOptions};
    let p = pcs();
    let s = PcsSearch::new(p);
    let opts = SearchOptions::default();
    let mut failures = Vec::new();
    for (statement, want, within) in SEARCH_CASES {
        let hits = s.search(statement, &opts);
        let codes: Vec<String> = hits.iter().map(|h| h.code.to_string()).collect();
        if !codes.iter().take(*within).any(|c| c.starts_with(want)) {
            failures.push(format!(
                "{statement:?}: want {want} in the first {within}, got {codes:?}"
            ));
        }
    }
    // Every medical and surgical root operation has a case.
    let ops: BTreeSet<String> = p
        .tables()
        .map(|t| p.table_axes(t))
        .filter(|a| a[0].ch == '0')
        .map(|a| a[2].label.clone())
        .collect();
    assert_eq!(ops.len(), SEARCH_CASES.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn open_axes_are_reported_not_guessed() {
    use icd_core::pcs::search::{PcsSearch, SearchOptions};
    let s = PcsSearch::new(pcs());
    let hits = s.search("appendectomy", &SearchOptions::default());
    // No approach said: the first code's approach is open, and so are the
    // device and qualifier.
    assert_eq!(hits[0].table, "0DT");
    assert_eq!(hits[0].open, [5, 6, 7]);
    let hits = s.search("laparoscopic appendectomy", &SearchOptions::default());
    assert_eq!(hits[0].code.as_str(), "0DTJ4ZZ");
    assert_eq!(hits[0].open, [6, 7]);
    assert!(s.search("", &SearchOptions::default()).is_empty());
}

/// The search behaviours of `pcs_search_cases.tsv`, one case each: the
/// statement's code or prefix must be among the first `within` results.
#[test]
fn search_cases_reach_their_rank() {
    use icd_core::pcs::search::{PcsSearch, SearchOptions};
    let s = PcsSearch::new(pcs());
    let opts = SearchOptions::default();
    let text = include_str!("pcs_search_cases.tsv");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [statement, want, within, behaviour] = f[..] else {
            panic!("pcs_search_cases.tsv: expected 4 tab-separated fields in {line:?}");
        };
        let within: usize = within.parse().expect("within is a number");
        cases += 1;
        let codes: Vec<String> = s
            .search(statement, &opts)
            .iter()
            .map(|h| h.code.to_string())
            .collect();
        if !codes.iter().take(within).any(|c| c.starts_with(want)) {
            failures.push(format!(
                "{behaviour}: {statement:?} wants {want} in the first {within}, got {codes:?}"
            ));
        }
    }
    assert!(cases >= 10, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
