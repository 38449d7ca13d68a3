//! The footer: which data releases are loaded, and the privacy promise.

use yew::prelude::*;

/// Props of [`Footer`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct FooterProps {
    /// (data set, release), as `Library::releases` lists them; empty while loading.
    #[prop_or_default]
    pub releases: Vec<(AttrValue, AttrValue)>,
    /// The last day the release covers, when known.
    #[prop_or_default]
    pub coverage_end: Option<AttrValue>,
}

/// Data releases and the privacy sentence.
#[function_component]
pub fn Footer(props: &FooterProps) -> Html {
    html! {
        <footer class="site-footer">
            <p class="privacy"><strong>{ "Nothing you type leaves this device." }</strong></p>
            if !props.releases.is_empty() {
                <dl class="releases" data-testid="releases">
                    { for props.releases.iter().map(|(set, release)| html! {
                        <div><dt>{ set }</dt><dd>{ release }</dd></div>
                    }) }
                </dl>
            }
            if let Some(end) = &props.coverage_end {
                <p class="coverage" data-testid="coverage">{ format!(
                    "This release covers dates of service up to {end}. Codes may change after it; for a later date, this release cannot tell."
                ) }</p>
            }
        </footer>
    }
}
