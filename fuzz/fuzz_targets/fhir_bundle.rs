//! FHIR R4 Bundles (`icd check --format fhir`, the app's batch import):
//! Encounters into records, read whole and in two chunks split anywhere
//! (the same items), then, with artifacts, every record checked.
#![no_main]

use icd_core::batch::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    icd_fuzz::import_split_and_check(data, Format::Fhir);
});
