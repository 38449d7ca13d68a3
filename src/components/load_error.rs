//! Shown when the data cannot be loaded; the message says how to fix it.

use yew::prelude::*;

/// Props of [`LoadErrorView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LoadErrorProps {
    /// What went wrong.
    pub message: AttrValue,
}

/// The load failure, as an alert.
#[function_component]
pub fn LoadErrorView(props: &LoadErrorProps) -> Html {
    html! {
        <section class="load-error" role="alert" data-testid="load-error">
            <h2>{ "The ICD-10-CM data could not be loaded" }</h2>
            <p>{ props.message.clone() }</p>
        </section>
    }
}
