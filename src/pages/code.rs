//! The code view page: asks for the report of the code in the URL.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{CodeView, LookupErrorView};
use crate::desk::use_desk;
use crate::protocol::{LookupReply, Request, RequestKind};
use crate::route::Route;

/// Props of [`CodePage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CodePageProps {
    /// The code as in the URL.
    pub code: AttrValue,
}

/// One code of the tabular.
#[function_component]
pub fn CodePage(props: &CodePageProps) -> Html {
    let desk = use_desk();
    let navigator = use_navigator();
    {
        let desk = desk.clone();
        use_effect_with(props.code.clone(), move |code| {
            let code = code.to_string();
            desk.ask(RequestKind::Lookup, code.clone(), |id| Request::Lookup {
                id,
                code,
            });
        });
    }
    let on_select = Callback::from(move |code: String| {
        if let Some(nav) = &navigator {
            nav.push(&Route::Code { code });
        }
    });
    crate::pages::set_title(&props.code);
    match desk
        .state
        .lookup
        .as_ref()
        .filter(|a| a.key == props.code.as_str())
    {
        None => crate::pages::waiting(),
        Some(a) => match &*a.value {
            LookupReply::Found(report) => html! {
                <CodeView report={std::rc::Rc::new((**report).clone())} {on_select} />
            },
            LookupReply::Invalid(message) => html! {
                <LookupErrorView message={message.clone()} {on_select} />
            },
            LookupReply::Missing(e) => html! {
                <LookupErrorView message={e.to_string()} error={e.clone()} {on_select} />
            },
        },
    }
}
