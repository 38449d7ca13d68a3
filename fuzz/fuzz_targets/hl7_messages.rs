//! HL7 v2 ADT messages (`icd check --format hl7`, the app's batch
//! import): messages into records, read whole and in two chunks split
//! anywhere (the same items), then, with artifacts, every record checked.
#![no_main]

use icd_core::batch::{read, Format, Importer, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = read(text, Format::Hl7);
    let mut cut = data
        .first()
        .map_or(0, |b| usize::from(*b) * text.len() / 256);
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let mut imp = Importer::new(Format::Hl7);
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
