//! The index browser: letters, the main terms of a letter, and a term with
//! its subterms (collapsible), codes and `see`/`see also` references as links.

use icd_core::lookup::TermReport;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::desk::use_desk;
use crate::protocol::{Request, RequestKind, Tree};
use crate::route::{code_href, Route};

/// Props of the pages of one tree.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LettersProps {
    /// Which tree.
    pub tree: Tree,
}

/// Letter links A to Z.
#[function_component]
pub fn Letters(props: &LettersProps) -> Html {
    crate::pages::set_title(props.tree.title());
    let other = match props.tree {
        Tree::Index => {
            html! { <p>{ "Also: " }<Link<Route> to={Route::Eindex}>{ "External Cause Index" }</Link<Route>></p> }
        }
        _ => {
            html! { <p>{ "Also: " }<Link<Route> to={Route::Index}>{ "Alphabetic Index" }</Link<Route>></p> }
        }
    };
    html! {
        <section class="index-letters">
            <h1>{ props.tree.title() }</h1>
            <p class="hint">{ "Look the term up here first, then verify the code in the tabular: its notes can change the answer." }</p>
            <nav aria-label="Letters">
                <ul class="letters">
                    { for ('A'..='Z').map(|c| html! {
                        <li><Link<Route> to={letter_route(props.tree, c)}>{ c.to_string() }</Link<Route>></li>
                    }) }
                </ul>
            </nav>
            { other }
        </section>
    }
}

fn letter_route(tree: Tree, c: char) -> Route {
    match tree {
        Tree::Eindex => Route::Letter {
            letter: format!("e-{c}"),
        },
        _ => Route::Letter {
            letter: c.to_string(),
        },
    }
}

/// Props of [`LetterPage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LetterPageProps {
    /// Which tree (the letter may say `e-F` for the External Cause Index).
    pub tree: Tree,
    /// The letter or prefix.
    pub letter: AttrValue,
}

/// The main terms starting with a letter.
#[function_component]
pub fn LetterPage(props: &LetterPageProps) -> Html {
    let desk = use_desk();
    let (tree, prefix) = match props.letter.strip_prefix("e-") {
        Some(rest) => (Tree::Eindex, rest.to_string()),
        None => (props.tree, props.letter.to_string()),
    };
    let key = format!("{}|{prefix}", tree.slug());
    {
        let (desk, key, prefix) = (desk.clone(), key.clone(), prefix.clone());
        use_effect_with(key.clone(), move |_| {
            desk.ask(RequestKind::MainTerms, key, |id| Request::MainTerms {
                id,
                tree,
                prefix,
            });
        });
    }
    crate::pages::set_title(&format!("{} – {prefix}", tree.title()));
    // A filter over the letter's main terms (P has 870): the terms that
    // start with what is typed, else those containing it; Enter opens the first.
    let narrow = use_state(String::new);
    let navigator = use_navigator();
    let answer = desk.state.main_terms.as_ref().filter(|a| a.key == key);
    let wanted = narrow.trim().to_lowercase();
    let shown: Vec<&crate::protocol::TermLink> = match answer {
        None => Vec::new(),
        Some(a) if wanted.is_empty() => a.value.iter().collect(),
        Some(a) => {
            let starts: Vec<_> = a
                .value
                .iter()
                .filter(|t| t.term.to_lowercase().starts_with(&wanted))
                .collect();
            if starts.is_empty() {
                a.value
                    .iter()
                    .filter(|t| t.term.to_lowercase().contains(&wanted))
                    .collect()
            } else {
                starts
            }
        }
    };
    let on_narrow = {
        let narrow = narrow.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                narrow.set(i.value());
            }
        })
    };
    let on_narrow_key = {
        let first = shown.first().map(|t| t.id.0);
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                if let (Some(id), Some(nav)) = (first, &navigator) {
                    e.prevent_default();
                    nav.push(&Route::Term {
                        tree: tree.slug().into(),
                        id,
                    });
                }
            }
        })
    };
    let filter_box = match answer {
        Some(a) if a.value.len() > 1 => html! {
            <p class="term-filter">
                <label for="term-filter">{ "Find a main term" }</label>{ " " }
                <input id="term-filter" type="search" autocomplete="off" value={(*narrow).clone()}
                    oninput={on_narrow} onkeydown={on_narrow_key} aria-describedby="term-filter-count" />
                <span id="term-filter-count" class="hint" role="status">{ format!(" {} of {} main terms", shown.len(), a.value.len()) }</span>
            </p>
        },
        _ => Html::default(),
    };
    let list = match answer {
        None => crate::pages::waiting(),
        Some(a) if a.value.is_empty() => html! { <p>{ "No main term starts with this." }</p> },
        Some(_) if shown.is_empty() => {
            html! { <p>{ format!("No main term of this letter has \"{}\".", narrow.trim()) }</p> }
        }
        Some(_) => html! {
            <ul class="main-terms">
                { for shown.iter().map(|t| html! {
                    <li>
                        <Link<Route> to={Route::Term { tree: tree.slug().into(), id: t.id.0 }}>{ &t.term }</Link<Route>>
                        if !t.code.is_empty() { { " " }<span class="code">{ &t.code }</span> }
                    </li>
                }) }
            </ul>
        },
    };
    let back = if tree == Tree::Eindex {
        Route::Eindex
    } else {
        Route::Index
    };
    html! {
        <section class="index-letter">
            <nav aria-label="Breadcrumbs" class="breadcrumbs"><ol>
                <li><Link<Route> to={back}>{ tree.title() }</Link<Route>></li>
            </ol></nav>
            <h1>{ format!("{} — {}", tree.title(), prefix.to_uppercase()) }</h1>
            { filter_box }
            { list }
        </section>
    }
}

/// Props of [`TermPage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct TermPageProps {
    /// Which tree.
    pub tree: Tree,
    /// The term's id.
    pub id: u32,
}

/// A term with two levels of subterms.
#[function_component]
pub fn TermPage(props: &TermPageProps) -> Html {
    let desk = use_desk();
    let tree = props.tree;
    let key = format!("{}|{}", tree.slug(), props.id);
    {
        let (desk, key, id) = (desk.clone(), key.clone(), props.id);
        use_effect_with(key.clone(), move |_| {
            desk.ask(RequestKind::Term, key, |rid| Request::Term {
                id: rid,
                tree,
                term: icd_core::terms::TermId(id),
            });
        });
    }
    let Some(answer) = desk.state.term.as_ref().filter(|a| a.key == key) else {
        return crate::pages::waiting();
    };
    let Some(report) = &answer.value.report else {
        return html! { <p role="alert">{ "This term is not in the current release. Browse from the letters instead." }</p> };
    };
    crate::pages::set_title(&report.path);
    let home = match tree {
        Tree::Index => html! { <Link<Route> to={Route::Index}>{ tree.title() }</Link<Route>> },
        Tree::Eindex => html! { <Link<Route> to={Route::Eindex}>{ tree.title() }</Link<Route>> },
        Tree::Neoplasm | Tree::Drug => {
            html! { <Link<Route> to={Route::Table { tree: tree.slug().into() }}>{ tree.title() }</Link<Route>> }
        }
    };
    html! {
        <article class="term-view">
            <nav aria-label="Breadcrumbs" class="breadcrumbs"><ol>
                <li>{ home }</li>
                { for answer.value.ancestors.iter().map(|t| html! {
                    <li><Link<Route> to={Route::Term { tree: tree.slug().into(), id: t.id.0 }}>{ &t.term }</Link<Route>></li>
                }) }
            </ol></nav>
            <h1>{ &report.term }{ for (!report.nemod.is_empty()).then(|| html! { <span class="nemod">{ format!(" {}", report.nemod) }</span> }) }</h1>
            { term_line(tree, report, true) }
            if !report.children.is_empty() {
                <ul class="subterms">{ for report.children.iter().map(|c| subterm(tree, c)) }</ul>
            }
        </article>
    }
}

/// A subterm: collapsible when it has subterms of its own.
fn subterm(tree: Tree, t: &TermReport) -> Html {
    let label = html! {
        <>
            <span class="term">{ &t.term }</span>
            if !t.nemod.is_empty() { <span class="nemod">{ format!(" {}", t.nemod) }</span> }
        </>
    };
    if t.children.is_empty() {
        html! { <li class="subterm">{ label }{ " " }{ term_line(tree, t, false) }</li> }
    } else {
        html! {
            <li class="subterm">
                <details>
                    // Collapsed, the row still shows its code.
                    <summary>{ label }
                        if !t.code.is_empty() { { " " }<span class="code summary-code" data-testid="collapsed-code">{ &t.code }</span> }
                    </summary>
                    { term_line(tree, t, false) }
                    <ul class="subterms">{ for t.children.iter().map(|c| subterm(tree, c)) }</ul>
                    <Link<Route> to={Route::Term { tree: tree.slug().into(), id: t.id.0 }} classes="more">{ format!("Open “{}”", t.term) }</Link<Route>>
                </details>
            </li>
        }
    }
}

/// A term's code (linked, with what the tabular says), cells and references.
fn term_line(tree: Tree, t: &TermReport, full: bool) -> Html {
    let code = (!t.code.is_empty()).then(|| {
        let target = t.code.trim_end_matches('-');
        let note = t.code_target.as_ref().map(|c| {
            if c.incomplete {
                "needs more characters: verify in the tabular".to_string()
            } else {
                c.title.clone()
            }
        });
        html! {
            <span class="term-code">
                <a href={code_href(target)} class="code">{ &t.code }</a>
                if let Some(n) = note { <span class="hint">{ format!(" {n}") }</span> }
            </span>
        }
    });
    let see = |label: &str, text: &str, resolved: Option<icd_core::terms::TermId>| -> Html {
        if text.is_empty() {
            return Html::default();
        }
        let target = match resolved {
            Some(id) => {
                html! { <Link<Route> to={Route::Term { tree: tree.slug().into(), id: id.0 }}>{ text }</Link<Route>> }
            }
            None => html! { <span>{ text }</span> },
        };
        html! { <span class="see"><em>{ format!(" {label} ") }</em>{ target }</span> }
    };
    let cells = (full && !t.cells.is_empty()).then(|| html! {
        <dl class="cells">
            { for t.cells.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| html! {
                <div><dt>{ k }</dt><dd><a href={code_href(v.trim_end_matches('-'))} class="code">{ v }</a></dd></div>
            }) }
        </dl>
    });
    html! {
        <>
            { for code }
            { see("see", &t.see, t.see_resolved) }
            { see("see also", &t.see_also, t.see_also_resolved) }
            { for cells }
        </>
    }
}
