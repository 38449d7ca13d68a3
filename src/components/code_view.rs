//! The report on one code: title, billable status, path, notes, seventh
//! characters and children.

use std::rc::Rc;

use icd_core::lookup::{CodeReport, NoteReport, SeventhReport};
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
                    <p class="flags">{ "Medicare Code Editor: " }{ r.mce_flags.iter().map(|f| flag_text(f)).collect::<Vec<_>>().join("; ") }</p>
                }) }
            </header>
            { validity(r) }
            { seventh(r) }
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

fn seventh(r: &CodeReport) -> Html {
    let Some(s) = &r.seventh else {
        return Html::default();
    };
    html! { <SeventhPicker code={r.code.clone()} seventh={s.clone()} /> }
}

/// Props of [`SeventhPicker`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SeventhPickerProps {
    /// The code without its 7th character.
    pub code: AttrValue,
    /// The allowed characters.
    pub seventh: SeventhReport,
}

/// Radio buttons for the 7th character; shows the full code (with `X`
/// placeholders) and copies it to the clipboard.
#[function_component]
pub fn SeventhPicker(props: &SeventhPickerProps) -> Html {
    let chosen = use_state(|| None::<usize>);
    let copied = use_state(|| None::<String>);
    {
        // Another code: start over.
        let (chosen, copied) = (chosen.clone(), copied.clone());
        use_effect_with(props.code.clone(), move |_| {
            chosen.set(None);
            copied.set(None);
        });
    }
    let s = &props.seventh;
    let built = chosen
        .and_then(|i| s.options.get(i))
        .map(|o| o.code.clone());
    let copy = built.clone().map(|code| {
        let copied = copied.clone();
        Callback::from(move |_| {
            copy_to_clipboard(&code);
            copied.set(Some(code.clone()));
        })
    });
    html! {
        <section class="seventh" data-testid="seventh-options">
            <fieldset>
                <legend>{ "7th character" }</legend>
                <p class="from">{ format!("Defined at {}. Placeholder X fills the empty positions.", s.defined_at) }</p>
                <ul class="choices">
                    { for s.options.iter().enumerate().map(|(i, o)| {
                        let onchange = {
                            let chosen = chosen.clone();
                            Callback::from(move |_| chosen.set(Some(i)))
                        };
                        let id = format!("seventh-{}", o.ch);
                        html! {
                            <li>
                                <input type="radio" name="seventh" id={id.clone()} checked={*chosen == Some(i)} {onchange} />
                                <label for={id}>{ format!("{} — {}", o.ch, o.meaning) }</label>
                            </li>
                        }
                    }) }
                </ul>
            </fieldset>
            <p class="built">
                { "Full code: " }
                <output data-testid="built-code" aria-live="polite">{ built.clone().unwrap_or_else(|| "choose a 7th character".into()) }</output>
                if let (Some(code), Some(onclick)) = (built.clone(), copy) {
                    { " " }
                    <button type="button" {onclick}>{ format!("Copy {code}") }</button>
                    { " " }
                    <a href={crate::route::code_href(&code)}>{ format!("Open {code}") }</a>
                }
                if let Some(c) = copied.as_ref().filter(|c| Some(*c) == built.as_ref()) {
                    <span class="copied" role="status">{ format!(" Copied {c}.") }</span>
                }
            </p>
        </section>
    }
}

/// An MCE edit flag in words ([`icd_core::record::mce_edits::flag_meaning`]);
/// a flag not described there is shown by its name.
pub fn flag_text(flag: &str) -> &str {
    icd_core::record::mce_edits::flag_meaning(flag).unwrap_or(flag)
}

fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        // The promise is left alone: a refusal (no permission) leaves the code shown to copy by hand.
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// A note's text with every code in it as a link to its view (the codes
/// the record check reads there, [`icd_core::record::conventions::code_refs`]).
pub fn linked_text(text: &str) -> Html {
    let mut out: Vec<Html> = Vec::new();
    let mut at = 0;
    for (range, _) in icd_core::record::conventions::code_refs(text) {
        if range.start > at {
            out.push(html! { { text[at..range.start].to_string() } });
        }
        let code = &text[range.clone()];
        let target = code.trim_end_matches('-').trim_end_matches('.');
        out.push(html! { <a href={crate::route::code_href(target)} class="code">{ code }</a> });
        at = range.end;
    }
    if at < text.len() {
        out.push(html! { { text[at..].to_string() } });
    }
    html! { <>{ for out }</> }
}

/// A note's text after its label: "Use additional code" + "code to
/// identify..." reads "Use additional code to identify...".
fn note_text<'t>(label: &str, text: &'t str) -> &'t str {
    match text.strip_prefix("code ") {
        Some(rest) if label.ends_with(" code") => rest,
        _ => text,
    }
}

/// Notes grouped by where they are written: the code's own first, then the
/// inherited ones from the nearest ancestor up to the chapter (the report
/// lists them chapter first).
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
    let (own, mut inherited): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|(n, _)| !n.inherited);
    inherited.reverse();
    let groups = own.into_iter().chain(inherited);
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
                                <span class="note-label">{ &n.label }</span>{ " " }<span class="note-text">{ linked_text(note_text(&n.label, &n.text)) }</span>
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

/// The MCE validity periods, newest last.
fn validity(r: &CodeReport) -> Html {
    if r.validity_periods.is_empty() {
        return Html::default();
    }
    let spans: Vec<String> = r
        .validity_periods
        .iter()
        .map(|p| match p.end {
            Some(end) => format!("{} to {end}", p.start),
            None => format!("since {}", p.start),
        })
        .collect();
    html! {
        <p class="validity" data-testid="validity">{ "Valid (Medicare Code Editor): " }{ spans.join(", ") }</p>
    }
}
