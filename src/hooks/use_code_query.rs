//! The code being looked up, kept in the URL hash (`#/code/E11.22`) so a
//! lookup can be shared as a link and the back button walks through the
//! codes that were clicked.
//!
//! ```
//! use icd_desk::hooks::use_code_query::{code_from_hash, hash_for_code};
//! assert_eq!(code_from_hash("#/code/E11.22").as_deref(), Some("E11.22"));
//! assert_eq!(hash_for_code("e11 22"), "#/code/e11%2022");
//! ```
//!
//! Typing replaces the current history entry (one entry per lookup, not per
//! keystroke); clicking a code pushes a new one.

use gloo_events::EventListener;
use yew::prelude::*;

const PREFIX: &str = "#/code/";

/// The code typed in a URL hash, percent-decoded; `None` for any other hash.
pub fn code_from_hash(hash: &str) -> Option<String> {
    let raw = hash.strip_prefix(PREFIX)?;
    let mut out = Vec::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The URL hash for a typed code; characters other than letters, digits,
/// `.` and `-` are percent-encoded.
pub fn hash_for_code(code: &str) -> String {
    let mut out = String::from(PREFIX);
    for b in code.bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The text in the code box and the ways to change it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeQuery {
    /// What is typed, as typed.
    pub text: String,
    /// The user typed: replace the current history entry.
    pub on_type: Callback<String>,
    /// The user chose a code (a child, a 7th character): new history entry.
    pub on_go: Callback<String>,
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Writes the hash without reloading and without firing `hashchange`.
fn write_hash(text: &str, push: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    let url = if text.is_empty() {
        // Drop the hash but keep the path and query.
        let location = window.location();
        format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        )
    } else {
        hash_for_code(text)
    };
    // Failure only loses the shareable URL, never the lookup itself.
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// The code query, started from and kept in the URL hash.
#[hook]
pub fn use_code_query() -> CodeQuery {
    let text = use_state(|| code_from_hash(&current_hash()).unwrap_or_default());
    {
        // The user edits the URL or goes back: follow the hash.
        let text = text.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    text.set(code_from_hash(&current_hash()).unwrap_or_default());
                })
            });
            move || drop(listener)
        });
    }
    let setter = |push: bool| {
        let text = text.clone();
        Callback::from(move |value: String| {
            write_hash(&value, push);
            text.set(value);
        })
    };
    CodeQuery {
        text: (*text).clone(),
        on_type: setter(false),
        on_go: setter(true),
    }
}
