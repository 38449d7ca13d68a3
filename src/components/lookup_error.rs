//! Why the typed text has no report: not a code, unknown or retired.

use icd_core::lookup::LookupError;
use yew::prelude::*;

use super::CodeLink;

/// Props of [`LookupErrorView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LookupErrorProps {
    /// The message (`CodeError` or `LookupError` text).
    pub message: AttrValue,
    /// The lookup error, when the code was well formed, to offer the nearest code.
    #[prop_or_default]
    pub error: Option<LookupError>,
    /// Called with a code the user clicked.
    pub on_select: Callback<String>,
}

/// The error text, and a link to the nearest existing code when there is one.
#[function_component]
pub fn LookupErrorView(props: &LookupErrorProps) -> Html {
    let nearest = match &props.error {
        Some(LookupError::Unknown {
            nearest: Some(n), ..
        }) => Some(n.clone()),
        _ => None,
    };
    html! {
        <section class="lookup-error">
            <p role="alert" data-testid="lookup-error">{ props.message.clone() }</p>
            if let Some(n) = nearest {
                <p>{ "Look up instead: " }<CodeLink code={n} on_select={props.on_select.clone()} /></p>
            }
        </section>
    }
}
