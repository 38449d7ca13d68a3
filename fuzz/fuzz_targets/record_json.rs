//! The record JSON (`icd check`, the app's "load JSON"): a `Record` from any
//! bytes, and the batch reader of a document, array or JSON Lines, read whole
//! and in two chunks split anywhere (the same items). With artifacts, every
//! record read is checked.
#![no_main]

use icd_core::batch::{read, Format, Importer, Item};
use icd_core::record::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = serde_json::from_slice::<Record>(data) {
        let _ = record.unknown_fields();
        let json = serde_json::to_string(&record).expect("a record serializes");
        let _ = serde_json::from_str::<Record>(&json).expect("a record reads back");
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = read(text, Format::Record);
    let mut cut = data
        .first()
        .map_or(0, |b| usize::from(*b) * text.len() / 256);
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let mut imp = Importer::new(Format::Record);
    let mut chunked = Vec::new();
    imp.push(&text[..cut], &mut chunked);
    imp.push(&text[cut..], &mut chunked);
    imp.finish(&mut chunked);
    assert_eq!(inputs, chunked, "split at byte {cut}");
    icd_fuzz::with_checker(|checker| {
        for input in inputs.iter().take(16) {
            if let Item::Record { record, .. } = input {
                let _ = checker.check(record);
            }
        }
    });
});
