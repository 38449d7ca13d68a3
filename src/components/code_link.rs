//! A code that can be clicked to look it up, with its title.

use icd_core::lookup::CodeRef;
use icd_core::Code;
use yew::prelude::*;

/// Props of [`CodeLink`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CodeLinkProps {
    /// The code and title.
    pub code: CodeRef,
    /// Called with the code when clicked.
    pub on_select: Callback<String>,
    /// Mark billable codes.
    #[prop_or_default]
    pub show_billable: bool,
}

/// A link to a code's view; chapters and blocks (`Chapter 4`, `E08-E13`) cannot
/// be looked up by code, so they render as plain text.
#[function_component]
pub fn CodeLink(props: &CodeLinkProps) -> Html {
    let CodeRef {
        code,
        title,
        billable,
    } = &props.code;
    let mark = (props.show_billable && *billable)
        .then(|| html! { <span class="mark-billable" title="Billable">{ "billable" }</span> });
    if code.parse::<Code>().is_err() {
        return html! {
            <span class="code-ref"><span class="group">{ code }</span>{ " " }<span class="title">{ title }</span></span>
        };
    }
    let onclick = {
        let (code, on_select) = (code.clone(), props.on_select.clone());
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            on_select.emit(code.clone())
        })
    };
    html! {
        <a href={crate::route::code_href(code)} class="code-ref code-link" {onclick}>
            <span class="code">{ code }</span>{ " " }<span class="title">{ title }</span>{ mark }
        </a>
    }
}
