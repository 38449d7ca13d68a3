//! The page: header with the main navigation, the current view, footer.
//! The app owns the one [`Desk`] (state + worker) and shares it by context.
//!
//! ```no_run
//! yew::Renderer::<icd_desk::app::App>::new().render();
//! ```

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{Footer, LoadErrorView, LoadProgress};
use crate::desk::{use_desk_provider, Desk};
use crate::pages;
use crate::protocol::{Progress, Tree};
use crate::route::Route;

/// The whole app.
#[function_component]
pub fn App() -> Html {
    let desk = use_desk_provider();
    html! {
        <ContextProvider<Desk> context={desk}>
            <HashRouter>
                <Shell />
            </HashRouter>
        </ContextProvider<Desk>>
    }
}

/// Header, load status, the routed view and the footer.
#[function_component]
pub fn Shell() -> Html {
    let desk = crate::desk::use_desk();
    let route = use_route::<Route>().unwrap_or(Route::NotFound);
    {
        // `/` anywhere else opens the search (whose page focuses its box;
        // on the search page the page itself handles `/`).
        let navigator = use_navigator();
        let on_search = route == Route::Search;
        use_effect_with(on_search, move |on_search| {
            let listener = match (on_search, navigator) {
                (false, Some(navigator)) => {
                    crate::pages::on_slash(move || navigator.push(&Route::Search))
                }
                _ => None,
            };
            move || drop(listener)
        });
    }
    let status = match &desk.state.progress {
        Progress::Fetching { done, total, bytes } => {
            html! { <LoadProgress done={*done} total={*total} bytes={*bytes} /> }
        }
        Progress::Failed { message } => html! { <LoadErrorView message={message.clone()} /> },
        Progress::Ready(_) => Html::default(),
    };
    let coverage_end: Option<AttrValue> = match &desk.state.progress {
        Progress::Ready(loaded) => loaded.coverage_end.clone().map(AttrValue::from),
        _ => None,
    };
    let releases: Vec<(AttrValue, AttrValue)> = match &desk.state.progress {
        Progress::Ready(loaded) => loaded
            .releases
            .iter()
            .map(|(set, release)| {
                (
                    AttrValue::from(set.clone()),
                    AttrValue::from(release.clone()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    // Plain links: the router follows hash navigation, and `aria-current`
    // must sit on the link itself.
    let nav_item = |to: Route, label: &'static str, current: bool| {
        html! {
            <li>
                <a href={format!("#{}", to.to_path())} class={classes!(current.then_some("current"))}
                    aria-current={current.then_some("page")}>{ label }</a>
            </li>
        }
    };
    let section = match &route {
        Route::Search | Route::Code { .. } => 0,
        Route::Index | Route::Letter { .. } | Route::Eindex => 1,
        Route::Term { tree, .. } => match Tree::from_slug(tree) {
            Some(Tree::Neoplasm) => 2,
            Some(Tree::Drug) => 3,
            _ => 1,
        },
        Route::Table { tree } if tree == "neoplasm" => 2,
        Route::Table { .. } => 3,
        Route::Validate => 4,
        Route::Record => 5,
        Route::Rules | Route::Rule { .. } => 6,
        Route::Practice => 7,
        Route::Pcs | Route::PcsCode { .. } => 8,
        Route::Batch | Route::BatchReport => 9,
        Route::NotFound => 9,
    };
    html! {
        <>
            <a class="skip-link" href="#main" onclick={Callback::from(|e: MouseEvent| {
                e.prevent_default();
                focus_main();
            })}>{ "Skip to content" }</a>
            <header class="site-header">
                <p class="brand"><Link<Route> to={Route::Search}>{ "ICD Desk" }</Link<Route>></p>
                <nav aria-label="Main">
                    <ul>
                        { nav_item(Route::Search, "Search", section == 0) }
                        { nav_item(Route::Index, "Index", section == 1) }
                        { nav_item(Route::Table { tree: "neoplasm".into() }, "Neoplasms", section == 2) }
                        { nav_item(Route::Table { tree: "drug".into() }, "Drugs", section == 3) }
                        { nav_item(Route::Validate, "Validator", section == 4) }
                        { nav_item(Route::Record, "Record check", section == 5) }
                        { nav_item(Route::Rules, "Rules", section == 6) }
                        { nav_item(Route::Practice, "Practice", section == 7) }
                        { nav_item(Route::Pcs, "PCS builder", section == 8) }
                        { nav_item(Route::Batch, "Batch", section == 9) }
                    </ul>
                </nav>
            </header>
            { status }
            <ReleaseNotice />
            <main id="main" tabindex="-1">
                <Switch<Route> render={pages::switch} />
            </main>
            <Footer {releases} {coverage_end} />
        </>
    }
}

fn focus_main() {
    use wasm_bindgen::JsCast;
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}

/// What the service worker said about a release it installed while this
/// page was open.
#[derive(Debug, Clone, PartialEq)]
struct NewRelease {
    /// The data files that changed, by name (`tabular.icdx`, ...).
    data: Vec<String>,
}

/// Reads the detail of the `icd-desk:release` event (static/boot.js): a new
/// release matters only when it `replaced` one this page may be running.
fn new_release(event: &web_sys::Event) -> Option<NewRelease> {
    use wasm_bindgen::JsCast;
    let detail = js_sys::Reflect::get(event, &"detail".into()).ok()?;
    let replaced = js_sys::Reflect::get(&detail, &"replaced".into()).ok()?;
    if replaced.as_bool() != Some(true) {
        return None;
    }
    let changed = js_sys::Reflect::get(&detail, &"changed".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Array>().ok())
        .map(|a| a.iter().filter_map(|v| v.as_string()).collect::<Vec<_>>())
        .unwrap_or_default();
    let data = changed
        .iter()
        .filter_map(|url| url.strip_prefix("./data/"))
        .map(str::to_string)
        .collect();
    Some(NewRelease { data })
}

/// A banner when the service worker has installed a new release under the
/// running page: the page keeps answering from what it loaded until the
/// user reloads, so it says so, and which data changed.
#[function_component]
pub fn ReleaseNotice() -> Html {
    let release = use_state(|| None::<NewRelease>);
    {
        let release = release.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "icd-desk:release", move |e| {
                    if let Some(r) = new_release(e) {
                        release.set(Some(r));
                    }
                })
            });
            move || drop(listener)
        });
    }
    let Some(r) = (*release).clone() else {
        return Html::default();
    };
    let reload = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let later = {
        let release = release.clone();
        Callback::from(move |_: MouseEvent| release.set(None))
    };
    let what = if r.data.is_empty() {
        "A new version of ICD Desk is installed.".to_string()
    } else {
        format!(
            "A new data release is installed ({}); this page still shows the one it opened with.",
            r.data.join(", ")
        )
    };
    html! {
        <div class="release-notice" role="status">
            <p>{ what }{ " Reload to use it." }</p>
            <button type="button" onclick={reload}>{ "Reload" }</button>
            <button type="button" class="secondary" onclick={later}>{ "Later" }</button>
        </div>
    }
}
