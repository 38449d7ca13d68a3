//! The code box: typing any form of a code (`e11.22`, `E1122`) looks it up.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`CodeInput`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CodeInputProps {
    /// The text shown.
    pub value: AttrValue,
    /// Called with the new text on every keystroke.
    pub on_input: Callback<String>,
}

/// A labelled, autofocused text box for a code.
#[function_component]
pub fn CodeInput(props: &CodeInputProps) -> Html {
    let input = use_node_ref();
    {
        // `autofocus` is only honoured on page load; the box is inserted later.
        let input = input.clone();
        use_effect_with((), move |_| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let on_input = props
        .on_input
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <div class="code-input">
            <label for="code">{ "Code" }</label>
            <input
                id="code"
                ref={input}
                type="text"
                data-testid="code-input"
                autofocus=true
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                placeholder="E11.22"
                value={props.value.clone()}
                oninput={on_input}
            />
        </div>
    }
}
