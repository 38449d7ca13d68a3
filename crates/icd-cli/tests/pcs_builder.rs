//! The ICD-10-PCS code builder (`icd_core::pcs::builder::build`, what the
//! app's `#/pcs` page renders) over every table of the official Tables in
//! `../shared/data` (or `ICD_DATA_DIR`): at every prefix some code has up to
//! the table, and below it along the paths from each table's first and last
//! body part, the builder
//! keeps what was typed, fills in exactly the values that are the only ones
//! left, offers at the step to choose exactly what the rows allow, and shows
//! at later steps only values still possible; each row's first and last
//! code build complete; a character no row allows is named at its position.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};

use icd_cli::build::build_pcs;
use icd_core::pcs::builder::build;
use icd_core::pcs::{Pcs, RowId};

fn pcs() -> Pcs<Vec<u8>> {
    Pcs::open(
        build_pcs(&data_dir())
            .unwrap()
            .expect("icd10pcs/ is present"),
    )
    .unwrap()
}

#[test]
fn the_builder_over_every_table() {
    let p = pcs();
    let codes: BTreeSet<String> = (0..p.row_count() as u32)
        .flat_map(|r| p.row_codes(RowId(r)))
        .map(|c| c.to_string())
        .collect();
    assert_eq!(codes.len(), 79_115, "codes in the Tables");
    // Each prefix (length 0 to 6) and the characters some code continues it with.
    let mut next: BTreeMap<String, BTreeSet<char>> = BTreeMap::new();
    for c in &codes {
        for n in 0..7 {
            next.entry(c[..n].to_string())
                .or_default()
                .insert(c.as_bytes()[n] as char);
        }
    }
    let possible = |prefix: &str, pos: usize| -> BTreeSet<char> {
        codes
            .range(prefix.to_string()..)
            .take_while(|c| c.starts_with(prefix))
            .map(|c| c.as_bytes()[pos - 1] as char)
            .collect()
    };
    // Every prefix up to the table (length 0 to 3); below it, in every
    // table, the paths from its first and its last body part down the first
    // value at each step (a build costs about a millisecond in a debug test:
    // the 113,446 prefixes take minutes, and `tests/pcs.rs` holds the layer
    // below, `Pcs::offered`, at each of them).
    let mut walked: BTreeSet<String> = BTreeSet::new();
    for (table, parts) in next.iter().filter(|(k, _)| k.len() == 3) {
        for part in [parts.first(), parts.last()].into_iter().flatten() {
            let mut at = format!("{table}{part}");
            while at.len() < 7 {
                walked.insert(at.clone());
                at.push(*next[&at].first().unwrap());
            }
        }
    }
    let (mut prefixes, mut filled, mut tables) = (0usize, 0usize, BTreeSet::new());
    let mut by_length = [0usize; 7];
    for (prefix, allowed) in next
        .iter()
        .filter(|(k, _)| k.len() <= 3 || walked.contains(*k))
    {
        let b = build(&p, prefix);
        prefixes += 1;
        by_length[prefix.len()] += 1;
        assert_eq!(b.invalid, None, "{prefix}");
        assert_eq!(b.typed, prefix.len(), "{prefix}: characters kept");
        assert!(
            b.code.starts_with(prefix.as_str()),
            "{prefix} built {}",
            b.code
        );
        // What was filled in is each time the only value some code has there.
        for i in prefix.len()..b.code.len() {
            let there = &next[&b.code[..i]];
            assert_eq!(
                there.len(),
                1,
                "{prefix}: {} filled at {} but {there:?} are possible",
                b.code,
                i + 1
            );
            filled += 1;
        }
        assert!(
            b.complete() || next[&b.code].len() > 1,
            "{prefix}: stopped at {} with one value left",
            b.code
        );
        if b.code.len() >= 3 {
            tables.insert(b.code[..3].to_string());
        }
        // The step to choose offers exactly what the rows allow, labelled.
        if !b.complete() {
            let step = &b.steps[b.code.len()];
            let offered: BTreeSet<char> = step.offers.iter().map(|o| o.ch).collect();
            assert_eq!(
                &offered, &next[&b.code],
                "{prefix}: the offers at step {}",
                step.pos
            );
            assert!(
                step.offers.iter().all(|o| !o.label.is_empty()),
                "{prefix}: an offer without a label"
            );
            assert!(
                !step.only,
                "{prefix}: the step to choose is marked the only value"
            );
        }
        // Later steps show only values still possible (once a table is named).
        if b.code.len() >= 3 {
            for step in b.steps.iter().skip(b.code.len() + 1) {
                let shown: BTreeSet<char> = step.offers.iter().map(|o| o.ch).collect();
                let can = possible(&b.code, step.pos as usize);
                assert!(
                    shown.is_subset(&can),
                    "{prefix}: step {} shows {shown:?}, possible {can:?}",
                    step.pos
                );
            }
        }
        // A character no code has next is named at its position.
        if let Some(bad) = ('0'..='9').chain('A'..='Z').find(|c| !allowed.contains(c)) {
            let wrong = build(&p, &format!("{prefix}{bad}"));
            let at = wrong
                .invalid
                .unwrap_or_else(|| panic!("{prefix}{bad} is not said to be invalid"));
            assert_eq!(
                (at.position as usize, at.ch),
                (prefix.len() + 1, bad),
                "{prefix}{bad}"
            );
            assert_eq!(
                at.allowed.iter().map(|v| v.ch).collect::<BTreeSet<_>>(),
                *allowed,
                "{prefix}{bad}: what the position allows"
            );
        }
    }
    // Every row's first and last code builds complete, as itself.
    let ends = (0..p.row_count() as u32).flat_map(|r| {
        let row = p.row_codes(RowId(r));
        [row[0].to_string(), row[row.len() - 1].to_string()]
    });
    for c in ends {
        let b = build(&p, &c);
        assert!(
            b.complete() && b.code == *c && b.invalid.is_none(),
            "{c} built {}",
            b.code
        );
    }
    assert_eq!(tables.len(), p.table_count(), "tables reached");
    eprintln!(
        "{prefixes} prefixes built (by length {by_length:?}), {filled} characters filled in, {} tables, {} codes",
        tables.len(),
        codes.len()
    );
}
