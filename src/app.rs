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
    let status = match &desk.state.progress {
        Progress::Fetching { done, total, bytes } => {
            html! { <LoadProgress done={*done} total={*total} bytes={*bytes} /> }
        }
        Progress::Failed { message } => html! { <LoadErrorView message={message.clone()} /> },
        Progress::Ready(_) => Html::default(),
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
                    </ul>
                </nav>
            </header>
            { status }
            <main id="main" tabindex="-1">
                <Switch<Route> render={pages::switch} />
            </main>
            <Footer {releases} />
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
