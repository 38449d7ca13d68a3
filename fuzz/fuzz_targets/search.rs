//! Search queries (`icd search`, every keystroke in the app): any text,
//! in both care settings, over the real artifacts. Without artifacts the
//! body is skipped (said once).
#![no_main]

use icd_core::search::{search, Options, Setting};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(l) = icd_fuzz::loaded() else {
        return;
    };
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let query = String::from_utf8_lossy(rest);
    let opts = Options {
        top: 1 + (mode as usize & 0x0f),
        setting: if mode & 0x80 == 0 {
            Setting::Inpatient
        } else {
            Setting::Outpatient
        },
        ..Options::default()
    };
    for result in search(&l.lib, &l.search, &query, &opts) {
        assert!(
            result.suggestions.len() <= opts.top,
            "at most `top` suggestions"
        );
    }
});
