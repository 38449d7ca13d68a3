//! MCE claims (`icd check --format claim`, the `msdrg` claim JSON): a
//! `Claim` from any bytes, then, with artifacts, the MCE edits on it.
#![no_main]

use icd_core::record::Claim;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(claim) = serde_json::from_slice::<Claim>(data) else {
        return;
    };
    icd_fuzz::with_checker(|checker| {
        let _ = checker.check_claim(&claim);
    });
});
