//! The report on one code: title, billable status, path, notes, seventh
//! characters and children.

use std::rc::Rc;

use icd_core::lookup::{CodeReport, NoteReport};
use yew::prelude::*;

use super::CodeLink;

/// Props of [`CodeView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CodeViewProps {
    /// The report, as `Library::lookup` returns it.
    pub report: Rc<CodeReport>,
    /// Called with a code the user clicked (child, 7th character, path).
    pub on_select: Callback<String>,
}

/// Everything the tabular says about a code.
#[function_component]
pub fn CodeView(props: &CodeViewProps) -> Html {
    let r = &props.report;
    let on_select = &props.on_select;
    let badge = if r.billable {
        html! { <span class="badge badge-billable" data-testid="billable-badge">{ "Billable" }</span> }
    } else {
        html! { <span class="badge badge-not-billable" data-testid="billable-badge">{ "Not billable" }</span> }
    };
    let why_not = match (&r.seventh, r.billable) {
        (Some(_), _) => Some("Needs a 7th character: choose one below."),
        (None, false) if !r.billable_children.is_empty() => {
            Some("Not a final code: report one of the billable codes below.")
        }
        _ => None,
    };
    html! {
        <article class="code-view">
            <nav class="breadcrumbs" aria-label="Path">
                <ol>
                    { for r.path.iter().map(|p| html! {
                        <li><CodeLink code={p.clone()} on_select={on_select.clone()} /></li>
                    }) }
                </ol>
            </nav>
            <header class="code-head">
                <h2><span class="code">{ &r.code }</span>{ " " }<span data-testid="code-title">{ &r.title }</span></h2>
                { badge }
                { for why_not.map(|w| html! { <p class="hint">{ w }</p> }) }
                { for (!r.mce_flags.is_empty()).then(|| html! {
                    <p class="flags">{ "Medicare Code Editor: " }{ r.mce_flags.join(", ") }</p>
                }) }
            </header>
            { seventh(r, on_select) }
            { code_list("Children", "children", &r.children, on_select) }
            // Below a subcategory the billable codes are often just its
            // children, already listed and marked; list them only when deeper.
            { for has_deeper_billable(r).then(|| code_list(
                if r.billable_children.len() >= 200 { "Billable codes below (first 200)" } else { "Billable codes below" },
                "billable-children",
                &r.billable_children,
                on_select,
            )) }
            // Choices first (they are what a coder picks), then the notes.
            { notes(&r.notes) }
        </article>
    }
}

fn has_deeper_billable(r: &CodeReport) -> bool {
    r.billable_children
        .iter()
        .any(|b| !r.children.iter().any(|c| c.code == b.code))
}

fn seventh(r: &CodeReport, on_select: &Callback<String>) -> Html {
    let Some(s) = &r.seventh else {
        return Html::default();
    };
    html! {
        <section class="seventh" data-testid="seventh-options">
            <h3>{ "7th character" }<span class="from">{ format!(" (defined at {})", s.defined_at) }</span></h3>
            <ul class="choices">
                { for s.options.iter().map(|o| {
                    let onclick = {
                        let (code, on_select) = (o.code.clone(), on_select.clone());
                        Callback::from(move |_| on_select.emit(code.clone()))
                    };
                    html! {
                        <li>
                            <button type="button" class="code-link seventh-choice" {onclick}>
                                <span class="ch">{ o.ch }</span>
                                <span class="code">{ &o.code }</span>
                                <span class="title">{ &o.meaning }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

/// Notes grouped by where they are written, in report order (inherited first).
fn notes(notes: &[NoteReport]) -> Html {
    if notes.is_empty() {
        return Html::default();
    }
    let mut groups: Vec<(&NoteReport, Vec<&NoteReport>)> = Vec::new();
    for n in notes {
        match groups.last_mut() {
            Some((first, list)) if first.from == n.from => list.push(n),
            _ => groups.push((n, vec![n])),
        }
    }
    html! {
        <section class="notes" data-testid="notes">
            <h3>{ "Notes" }</h3>
            { for groups.into_iter().map(|(first, list)| html! {
                <div class={classes!("note-group", first.inherited.then_some("inherited"))}>
                    <h4 class="from">
                        { if first.inherited { format!("From {}", first.from) } else { "At this code".to_string() } }
                        { for first.inherited.then(|| html! { <span class="tag">{ "inherited" }</span> }) }
                    </h4>
                    <ul>
                        { for list.into_iter().map(|n| html! {
                            <li class={classes!("note", format!("note-{}", n.kind.xml_name()))}>
                                <span class="note-label">{ n.label }</span>{ " " }<span class="note-text">{ &n.text }</span>
                            </li>
                        }) }
                    </ul>
                </div>
            }) }
        </section>
    }
}

fn code_list(
    heading: &str,
    testid: &'static str,
    codes: &[icd_core::lookup::CodeRef],
    on_select: &Callback<String>,
) -> Html {
    if codes.is_empty() {
        return Html::default();
    }
    html! {
        <section class="code-list" data-testid={testid}>
            <h3>{ heading }</h3>
            <ul>
                { for codes.iter().map(|c| html! {
                    <li><CodeLink code={c.clone()} on_select={on_select.clone()} show_billable=true /></li>
                }) }
            </ul>
        </section>
    }
}
