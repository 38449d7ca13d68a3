//! Fetches the six artifacts from `data/` on the serving site and opens them
//! as one [`Library`].
//!
//! ```ignore
//! let library = use_library();
//! if let LibraryState::Ready(lib) = &*library { /* lib.0.lookup(..) */ }
//! ```
//!
//! The files are fetched in parallel with relative URLs, so the app works
//! under any path prefix. Caveat: the whole data set (about 16 MB, 2.7 MB
//! gzipped) is held in memory; a later slice moves it into a web worker.

use std::fmt;
use std::rc::Rc;

use gloo_net::http::Request;
use icd_core::lookup::{OpenError, ARTIFACT_FILES};
use icd_core::{Artifacts, Library};
use yew::prelude::*;

/// The library over fetched bytes.
pub type WebLibrary = Library<Vec<u8>>;

/// An opened library, shared by reference; two handles are equal when they
/// point at the same library, so hooks can depend on it cheaply.
#[derive(Clone)]
pub struct SharedLibrary(pub Rc<WebLibrary>);

impl PartialEq for SharedLibrary {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for SharedLibrary {
    // The derived Debug would print megabytes of artifact bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLibrary")
            .field("tabular", &self.0.tabular.release())
            .finish_non_exhaustive()
    }
}

/// Why the data could not be loaded. The message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The page was opened from disk; browsers refuse `fetch` there.
    FileProtocol,
    /// The request did not complete (server down, offline, blocked).
    Network {
        /// The artifact file name.
        file: &'static str,
        /// What the browser said.
        detail: String,
    },
    /// The server answered with an error status.
    Http {
        /// The artifact file name.
        file: &'static str,
        /// HTTP status code.
        status: u16,
        /// HTTP status text.
        status_text: String,
    },
    /// A file arrived but is not a valid artifact.
    Invalid(OpenError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::FileProtocol => write!(
                f,
                "ICD Desk was opened from a file. Browsers do not let a page read its data files from disk, \
                 so the app must be served over http, e.g. with `cargo xtask serve`, then opened at the address it prints."
            ),
            LoadError::Network { file, detail } => write!(
                f,
                "Could not fetch data/{file} ({detail}). The app must be served over http, e.g. with \
                 `cargo xtask serve`; check that the server is still running."
            ),
            LoadError::Http { file, status, status_text } => write!(
                f,
                "Could not fetch data/{file}: the server answered {status} {status_text}. \
                 Build the data with `icd build-index` and serve the built site (dist/) with its data/ folder."
            ),
            LoadError::Invalid(e) => write!(f, "The data could not be opened: data/{e}. Then reload the page."),
        }
    }
}

/// Where loading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum LibraryState {
    /// Fetching: `done` of `total` files have arrived, `bytes` in all.
    Loading {
        /// Files fetched.
        done: usize,
        /// Files to fetch.
        total: usize,
        /// Bytes fetched so far.
        bytes: u64,
    },
    /// Every artifact is open.
    Ready(SharedLibrary),
    /// Loading stopped; the page must be reloaded after fixing the cause.
    Failed(LoadError),
}

impl Default for LibraryState {
    fn default() -> Self {
        LibraryState::Loading {
            done: 0,
            total: ARTIFACT_FILES.len(),
            bytes: 0,
        }
    }
}

/// What happens while loading.
#[derive(Debug)]
pub enum LibraryAction {
    /// One file arrived with this many bytes.
    Fetched(usize),
    /// All files are open.
    Opened(SharedLibrary),
    /// Something went wrong.
    Failed(LoadError),
}

impl Reducible for LibraryState {
    type Action = LibraryAction;

    fn reduce(self: Rc<Self>, action: LibraryAction) -> Rc<Self> {
        match (&*self, action) {
            (LibraryState::Loading { done, total, bytes }, LibraryAction::Fetched(n)) => {
                Rc::new(LibraryState::Loading {
                    done: done + 1,
                    total: *total,
                    bytes: bytes + n as u64,
                })
            }
            // The first failure is the one to report; later ones are echoes.
            (LibraryState::Failed(_), _) => self,
            (_, LibraryAction::Opened(lib)) => Rc::new(LibraryState::Ready(lib)),
            (_, LibraryAction::Failed(e)) => Rc::new(LibraryState::Failed(e)),
            (_, LibraryAction::Fetched(_)) => self,
        }
    }
}

/// Fetches and opens the artifacts once, on mount.
#[hook]
pub fn use_library() -> UseReducerHandle<LibraryState> {
    let state = use_reducer(LibraryState::default);
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        yew::platform::spawn_local(async move {
            let action = match load(&dispatcher).await {
                Ok(lib) => LibraryAction::Opened(lib),
                Err(e) => LibraryAction::Failed(e),
            };
            dispatcher.dispatch(action);
        });
    });
    state
}

async fn load(progress: &UseReducerDispatcher<LibraryState>) -> Result<SharedLibrary, LoadError> {
    let opened_from_disk = web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "file:");
    if opened_from_disk {
        return Err(LoadError::FileProtocol);
    }
    let fetch = |file: &'static str| async move {
        let bytes = fetch_artifact(file).await?;
        progress.dispatch(LibraryAction::Fetched(bytes.len()));
        Ok::<_, LoadError>(bytes)
    };
    let [tabular, index, eindex, neoplasm, drug, mce] = ARTIFACT_FILES;
    let (tabular, index, eindex, neoplasm, drug, mce) = futures::try_join!(
        fetch(tabular),
        fetch(index),
        fetch(eindex),
        fetch(neoplasm),
        fetch(drug),
        fetch(mce)
    )?;
    let library = Library::open(Artifacts {
        tabular,
        index,
        eindex,
        neoplasm,
        drug,
        mce,
    })
    .map_err(LoadError::Invalid)?;
    Ok(SharedLibrary(Rc::new(library)))
}

async fn fetch_artifact(file: &'static str) -> Result<Vec<u8>, LoadError> {
    let network = |e: gloo_net::Error| LoadError::Network {
        file,
        detail: e.to_string(),
    };
    let response = Request::get(&format!("data/{file}"))
        .send()
        .await
        .map_err(network)?;
    if !response.ok() {
        return Err(LoadError::Http {
            file,
            status: response.status(),
            status_text: response.status_text(),
        });
    }
    response.binary().await.map_err(network)
}
