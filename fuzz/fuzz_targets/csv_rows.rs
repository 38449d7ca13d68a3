//! CSV batches (`icd check batch.csv`, the app's batch import): rows into
//! records, read whole and in two chunks split anywhere (the same items),
//! then, with artifacts, every record checked.
#![no_main]

use icd_core::batch::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    icd_fuzz::import_split_and_check(data, Format::Csv);
});
