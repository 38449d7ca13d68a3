//! The record JSON (`icd check`, the app's "load JSON"): a `Record` from any
//! bytes, and the batch reader of a document, array or JSON Lines, read whole
//! and in two chunks split anywhere (the same items). With artifacts, every
//! record read is checked.
#![no_main]

use icd_core::batch::Format;
use icd_core::record::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = serde_json::from_slice::<Record>(data) {
        let _ = record.unknown_fields();
        let json = serde_json::to_string(&record).expect("a record serializes");
        let _ = serde_json::from_str::<Record>(&json).expect("a record reads back");
    }
    icd_fuzz::import_split_and_check(data, Format::Record);
});
