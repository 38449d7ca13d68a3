//! The Table of Neoplasms and the Table of Drugs and Chemicals as real
//! tables with their columns, filtered by words.

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::desk::use_desk;
use crate::protocol::{Request, RequestKind, Tree, TABLE_ROWS};
use crate::route::{code_href, Route};

/// The table page's query: `?filter=lung upper lobe`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableQuery {
    /// The words the rows are filtered by.
    #[serde(default)]
    pub filter: String,
}

/// Props of [`TablePage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct TablePageProps {
    /// `Neoplasm` or `Drug`.
    pub tree: Tree,
}

/// A table, searchable.
#[function_component]
pub fn TablePage(props: &TablePageProps) -> Html {
    let desk = use_desk();
    let tree = props.tree;
    // The filter lives in the URL (`#/tables/drug?filter=aspirin`), so
    // opening a code and going back finds the table as it was left.
    let navigator = use_navigator();
    let url_filter = use_location()
        .and_then(|l| l.query::<TableQuery>().ok())
        .map(|q| q.filter)
        .unwrap_or_default();
    let filter = use_state(|| url_filter.clone());
    {
        let filter = filter.clone();
        use_effect_with(url_filter, move |f| {
            if *f != *filter {
                filter.set(f.clone());
            }
        });
    }
    let timer = use_mut_ref(|| None::<Timeout>);
    let key = format!("{}|{}", tree.slug(), *filter);
    {
        let (desk, key, filter) = (desk.clone(), key.clone(), (*filter).clone());
        use_effect_with(key.clone(), move |_| {
            let ask = move || {
                desk.ask(RequestKind::Table, key, |id| Request::Table {
                    id,
                    tree,
                    filter,
                });
            };
            *timer.borrow_mut() = Some(Timeout::new(80, ask));
        });
    }
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                let value = i.value();
                if let Some(nav) = &navigator {
                    let route = Route::Table {
                        tree: tree.slug().into(),
                    };
                    let _ = if value.is_empty() {
                        nav.replace(&route);
                        Ok(())
                    } else {
                        nav.replace_with_query(
                            &route,
                            &TableQuery {
                                filter: value.clone(),
                            },
                        )
                    };
                }
                filter.set(value);
            }
        })
    };
    crate::pages::set_title(tree.title());
    let answer = desk
        .state
        .table
        .as_ref()
        .filter(|a| a.key.starts_with(&format!("{}|", tree.slug())));
    let body = match answer {
        None => crate::pages::waiting(),
        Some(a) => {
            let t = &a.value;
            let filtered = !filter.trim().is_empty();
            html! {
                <>
                    <p class="hint" role="status">{
                        if t.matched > t.rows.len() {
                            format!("{} rows match; the first {} are shown. Add words to narrow.", t.matched, TABLE_ROWS)
                        } else {
                            format!("{} rows{}.", t.matched, if filtered { " match" } else { "" })
                        }
                    }</p>
                    <div class="table-wrap">
                        <table class={classes!("term-table", format!("table-{}", tree.slug()))}>
                            <caption class="visually-hidden">{ tree.title() }</caption>
                            <thead><tr>
                                <th scope="col">{ if tree == Tree::Drug { "Substance" } else { "Site" } }</th>
                                { for t.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }
                            </tr></thead>
                            <tbody>
                                { for t.rows.iter().map(|r| html! {
                                    <tr>
                                        <th scope="row" class={format!("level-{}", r.level.min(6))}>
                                            if filtered && r.level > 0 {
                                                <span class="path">{ r.path.rsplit_once(" > ").map(|(p, _)| format!("{p} > ")).unwrap_or_default() }</span>
                                            }
                                            <Link<Route> to={Route::Term { tree: tree.slug().into(), id: r.id.0 }}>{ &r.term }</Link<Route>>
                                            if !r.see.is_empty() { <span class="see">{ format!(" ({})", r.see) }</span> }
                                        </th>
                                        { for r.cells.iter().map(|c| html! {
                                            <td>
                                                if c.is_empty() || c == "--" { <span aria-label="none">{ "—" }</span> }
                                                else { <a href={code_href(c.trim_end_matches('-'))} class="code">{ c }</a> }
                                            </td>
                                        }) }
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                </>
            }
        }
    };
    html! {
        <section class="table-page">
            <h1>{ tree.title() }</h1>
            <label for="table-filter">{ "Filter the table" }</label>
            <input id="table-filter" type="search" autocomplete="off" value={(*filter).clone()} {oninput}
                placeholder={if tree == Tree::Drug { "e.g. acetaminophen" } else { "e.g. lung upper lobe" }} />
            { body }
        </section>
    }
}
