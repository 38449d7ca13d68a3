//! Every artifact reader's `open` on any bytes, then every accessor over
//! what opened: a wrong, truncated or corrupt file is an `ArtifactError`,
//! never a panic (ARCHITECTURE.md, "No reader panics on bad bytes").
//!
//! The first byte picks the reader (low bits) and whether to repair the
//! header (high bit): magic, version, kind and the CRC-32 made right, so
//! the fuzzer gets past the checksum into the sections.
#![no_main]

use icd_core::artifact::{FORMAT_VERSION, MAGIC};
use icd_core::drg::{self as drg_tables, Claim, DrgTables, Dx, HospitalStatus, Poa};
use icd_core::mce::Table;
use icd_core::record::ccmcc::{self, CcMcc};
use icd_core::search::SearchIndex;
use icd_core::tabular::{self, NodeId};
use icd_core::terms::{self, TermId};
use icd_core::{mce, Date, Mce, Tabular, Terms};
use libfuzzer_sys::fuzz_target;

/// Accessors run on at most this many entries, to keep each input fast.
const LIMIT: usize = 512;

const READERS: [[u8; 4]; 6] = [
    tabular::KIND,
    terms::KIND,
    mce::KIND,
    *b"SRCH", // icd_core::search's index module is private
    ccmcc::KIND,
    drg_tables::KIND,
];

fn repair(bytes: &mut Vec<u8>, kind: [u8; 4]) {
    if bytes.len() < 20 {
        bytes.resize(20, 0);
    }
    bytes[..8].copy_from_slice(MAGIC);
    bytes[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes[12..16].copy_from_slice(&kind);
    let crc = crc32fast::hash(&bytes[20..]);
    bytes[16..20].copy_from_slice(&crc.to_le_bytes());
}

fn tabular(t: &Tabular<&[u8]>) {
    let _ = (t.release(), t.len(), t.chapters(), t.billable_codes().len());
    let _ = t.with_prefix("E1");
    let _ = t.find_key("E11");
    for id in t.ids().take(LIMIT) {
        let _ = (
            t.key(id),
            t.code(id),
            t.display_key(id),
            t.title(id),
            t.kind(id),
        );
        let _ = (
            t.billable(id),
            t.is_generated(id),
            t.needs_seventh(id),
            t.depth(id),
        );
        let _ = (t.parent(id), t.ancestors(id), t.children(id));
        let _ = t.billable_descendants_up_to(id, 8);
        let _ = (t.own_notes(id), t.notes(id), t.seventh_source(id));
        let _ = (
            t.seventh_definitions(id),
            t.seventh_options(id),
            t.with_seventh(id, 'A'),
        );
    }
    let _ = t.title(NodeId(u32::MAX));
}

fn terms(t: &Terms<&[u8]>) {
    let _ = (t.release(), t.title(), t.len(), t.columns(), t.main_terms());
    let _ = (t.find("fracture"), t.main_terms_with_prefix("f", 8));
    let _ = t.resolve("Failure, heart");
    let _ = t.matching("a").take(LIMIT).count();
    for id in t.ids().take(LIMIT) {
        let _ = (
            t.term(id),
            t.nemod(id),
            t.see(id),
            t.see_also(id),
            t.code(id),
        );
        let _ = (
            t.level(id),
            t.cells(id),
            t.parent(id),
            t.path(id),
            t.path_text(id),
        );
        let _ = t.children(id);
    }
    let _ = t.term(TermId(u32::MAX));
}

fn mce(m: &Mce<&[u8]>) {
    let date = Date::from_ymd(2026, 4, 1).expect("a valid date");
    let _ = (
        m.release(),
        m.age_ranges(),
        m.discharge_status_valid(1, date),
    );
    for table in [Table::Dx, Table::Sg] {
        let names: Vec<String> = m.flag_names(table).iter().map(|s| s.to_string()).collect();
        for name in &names {
            let _ = m.flag_bit(table, name);
        }
        let _ = m.flags_named(table, u64::MAX);
        for code in m.codes(table).iter().take(LIMIT) {
            let _ = (m.periods(table, code), m.period_on(table, code, date));
        }
    }
    for range in m.age_ranges().iter().take(8) {
        let _ = m.age_range_on(&range.group, date);
    }
}

fn search(s: &SearchIndex<&[u8]>) {
    use fst::{IntoStreamer, Streamer};
    let _ = (
        s.release(),
        s.len(),
        s.abbreviation_count(),
        s.abbreviation("chf"),
    );
    let vocab = s.vocab();
    let mut words = vocab.into_stream();
    let mut n = 0;
    while let Some((_, handle)) = words.next() {
        s.for_each_posting(handle, |doc, _| {
            let _ = s.doc(doc);
        });
        n += 1;
        if n == LIMIT {
            break;
        }
    }
}

fn ccmcc(c: &CcMcc<&[u8]>) {
    let _ = (c.release(), c.counts(), c.exclusion_count());
    for code in ["I5020", "E1165", "A00", ""] {
        if let Some(e) = c.entry(code) {
            let _ = c.excluded(e.collection, "I5020");
        }
    }
    let _ = c.excluded(u32::MAX, "I5020");
}

fn drg(t: &DrgTables<&[u8]>) {
    let _ = (t.release(), t.counts(), t.drg(1), t.drg(999), t.cc("I5020"));
    let _ = t.excluded(u32::MAX, "I5020");
    let claim = Claim {
        age: 65,
        sex: 0,
        discharge_status: 20,
        hospital: HospitalStatus::NotExempt,
        pdx: Dx::new("I214", Poa::Y),
        sdx: vec![Dx::new("N179", Poa::N), Dx::new("S72001A", Poa::Blank)],
        procedures: vec!["02703DZ".into(), "0B110F4".into()],
    };
    let _ = (t.group(&claim), t.what_if(&claim));
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let reader = mode as usize % READERS.len();
    let mut bytes = rest.to_vec();
    if mode & 0x80 != 0 {
        repair(&mut bytes, READERS[reader]);
    }
    let b = bytes.as_slice();
    match reader {
        0 => Tabular::open(b).map(|t| tabular(&t)).is_ok(),
        1 => Terms::open(b).map(|t| terms(&t)).is_ok(),
        2 => Mce::open(b).map(|m| mce(&m)).is_ok(),
        3 => SearchIndex::open(b).map(|s| search(&s)).is_ok(),
        4 => CcMcc::open(b).map(|c| ccmcc(&c)).is_ok(),
        _ => DrgTables::open(b).map(|t| drg(&t)).is_ok(),
    };
});
