//! The code parsers (`Code`, `IndexCode`, `PcsCode` from any string) and the
//! validator's paste splitting: no panic, and what parses prints back to
//! itself. With artifacts, each parsed code is also looked up and the paste
//! validated.
#![no_main]

use icd_core::{validate, Code, Date, IndexCode, PcsCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(code) = s.parse::<Code>() {
        assert_eq!(
            code.to_string().parse::<Code>(),
            Ok(code),
            "Display round trip"
        );
        assert!(code.starts_with(&code.category()));
        if let Some(parent) = code.parent() {
            assert!(code.starts_with(&parent));
        }
        for ch in ['A', 'X', '1'] {
            let _ = code.with_seventh(ch);
        }
        if let Some(l) = icd_fuzz::loaded() {
            let _ = l.lib.lookup(&code, Date::from_ymd(2026, 4, 1));
        }
    }
    if let Ok(code) = s.parse::<IndexCode>() {
        assert_eq!(
            code.to_string().parse::<IndexCode>(),
            Ok(code),
            "Display round trip"
        );
    }
    if let Ok(code) = s.parse::<PcsCode>() {
        assert_eq!(
            code.to_string().parse::<PcsCode>(),
            Ok(code),
            "Display round trip"
        );
    }
    let pieces = validate::split_codes(s);
    if let (Some(l), true) = (icd_fuzz::loaded(), pieces.len() <= 64) {
        let date = Date::from_ymd(2026, 4, 1).expect("a valid date");
        let _ = validate::validate(&l.lib, s, date);
    }
});
