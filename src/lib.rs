//! ICD Desk's web app: a Yew single-page app that fetches the ICD-10-CM
//! artifacts from the site it is served from and answers lookups on the
//! device. Nothing typed is sent anywhere.
//!
//! The binary (`src/main.rs`) only mounts [`app::App`]; the library exists so
//! `tests/web.rs` can render components in a headless browser:
//!
//! ```no_run
//! yew::Renderer::<icd_desk::app::App>::new().render();
//! ```
//!
//! Caveat: the artifacts are read with `fetch`, so the app must be served
//! over http(s) (`cargo xtask serve`); opened from `file://` it says so.

pub mod app;
pub mod batch;
pub mod components;
pub mod desk;
pub mod pages;
pub mod protocol;
pub mod route;
pub mod summary;
pub mod worker;
