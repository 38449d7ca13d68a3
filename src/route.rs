//! The app's URLs: every view has one, so a code, an index term or a search
//! can be shared as a link, and back/forward walk through what was opened.
//! Hash URLs (`#/code/E11.22`) need no server configuration, so the site
//! works from any static host or intranet share.
//!
//! ```
//! use icd_desk::route::Route;
//! use yew_router::Routable;
//! assert_eq!(Route::Code { code: "E11.22".into() }.to_path(), "/code/E11.22");
//! assert_eq!(Route::recognize("/term/index/42"), Some(Route::Term { tree: "index".into(), id: 42 }));
//! ```

use serde::{Deserialize, Serialize};
use yew_router::Routable;

/// Every view.
#[derive(Debug, Clone, PartialEq, Eq, Routable)]
pub enum Route {
    /// Search (home); the query travels as `?q=`.
    #[at("/")]
    Search,
    /// One code of the tabular.
    #[at("/code/:code")]
    Code {
        /// As typed.
        code: String,
    },
    /// The index browser: letters.
    #[at("/index")]
    Index,
    /// Main terms of one letter.
    #[at("/index/:letter")]
    Letter {
        /// A letter (or the start of a term).
        letter: String,
    },
    /// One term of a tree with its subterms.
    #[at("/term/:tree/:id")]
    Term {
        /// `index`, `eindex`, `neoplasm`, `drug`.
        tree: String,
        /// The term's id in its tree.
        id: u32,
    },
    /// The External Cause Index: letters.
    #[at("/eindex")]
    Eindex,
    /// A table as a table (`neoplasm`, `drug`).
    #[at("/tables/:tree")]
    Table {
        /// `neoplasm` or `drug`.
        tree: String,
    },
    /// The code validator.
    #[at("/validate")]
    Validate,
    /// The record check.
    #[at("/record")]
    Record,
    /// Every rule the record check runs.
    #[at("/rules")]
    Rules,
    /// One rule, opened in the list.
    #[at("/rules/:id")]
    Rule {
        /// Its id (`mce.age_conflict`).
        id: String,
    },
    /// Practice items; the session travels in the query
    /// (`?seed=7&count=10&kinds=seventh&chapters=19&feedback=end&timed=30`),
    /// so a set can be shared by link.
    #[at("/practice")]
    Practice,
    /// The ICD-10-PCS code builder, at the start.
    #[at("/pcs")]
    Pcs,
    /// The code builder at a partial or complete code (`0DT`, `0DTJ4ZZ`).
    #[at("/pcs/:code")]
    PcsCode {
        /// The characters chosen so far.
        code: String,
    },
    /// Batch review: import a file, the results table.
    #[at("/batch")]
    Batch,
    /// The batch's report.
    #[at("/batch/report")]
    BatchReport,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// The query of the search page (`#/?q=chf`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What is typed (never a note: a note stays out of the URL).
    #[serde(default)]
    pub q: String,
    /// The care setting, a preference kept in the URL so that a reload or
    /// a shared link keeps it (`&setting=outpatient`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<icd_core::search::Setting>,
    /// Which classification the box searches (`&system=pcs`); absent is
    /// ICD-10-CM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<System>,
}

/// The classification the search box searches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    /// ICD-10-CM diagnoses.
    #[default]
    Cm,
    /// ICD-10-PCS procedures.
    Pcs,
}

/// The href of the code builder at a prefix (`#/pcs/0DT`; `#/pcs` for none).
pub fn pcs_href(prefix: &str) -> String {
    let route = if prefix.is_empty() {
        Route::Pcs
    } else {
        Route::PcsCode {
            code: prefix.to_string(),
        }
    };
    format!("#{}", route.to_path())
}

/// The href of a rule on the rules page, for plain links.
pub fn rule_href(id: &str) -> String {
    format!("#{}", Route::Rule { id: id.to_string() }.to_path())
}

/// The query of the practice page (`#/practice?seed=7&count=10`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeQuery {
    /// The seed: the same seed gives the same set.
    #[serde(default)]
    pub seed: Option<u64>,
    /// How many items.
    #[serde(default)]
    pub count: Option<usize>,
    /// The kinds, comma-separated (`seventh,excludes1`); none: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<String>,
    /// The chapters by number, comma-separated (`19,9`); none: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapters: Option<String>,
    /// `item` (feedback after each item, the default) or `end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// A timed set: the minutes allowed; answers lock when they run out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timed: Option<u32>,
}

/// The href of a code's view, for plain links.
pub fn code_href(code: &str) -> String {
    format!(
        "#{}",
        Route::Code {
            code: code.to_string()
        }
        .to_path()
    )
}
