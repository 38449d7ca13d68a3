//! CSV batches (`icd check batch.csv`): rows into records, then, with
//! artifacts, every record checked.
#![no_main]

use icd_cli::check::{parse, Format, Input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = parse(text, Format::Csv);
    icd_fuzz::with_checker(|checker| {
        for input in inputs.iter().take(16) {
            if let Input::Record(r) = input {
                let _ = checker.check(r);
            }
        }
    });
});
