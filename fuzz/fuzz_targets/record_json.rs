//! The record JSON (`icd check`, the app's "load JSON"): a `Record` from any
//! bytes, and `icd check`'s reader of a document, array or JSON Lines. With
//! artifacts, every record read is checked.
#![no_main]

use icd_cli::check::{parse, Format, Input};
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
    let inputs = parse(text, Format::Record);
    icd_fuzz::with_checker(|checker| {
        for input in inputs.iter().take(16) {
            if let Input::Record(r) = input {
                let _ = checker.check(r);
            }
        }
    });
});
