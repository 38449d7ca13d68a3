//! `#/rules`: every check the record review runs, from the engine's rule
//! registry ([`icd_core::record::rules::RULES`]), with its severity, what
//! it rests on and what to do. `#/rules/<id>` opens one; each finding of the
//! record check links here by its rule id.

use icd_core::record::rules::{Rule, RULES};
use yew::prelude::*;

/// Props: the rule to show open, if any.
#[derive(Properties, PartialEq, Debug)]
pub struct Props {
    /// A rule id (`mce.age_conflict`), or empty for the whole list.
    #[prop_or_default]
    pub id: String,
}

/// The list of rules, grouped by the part of the check that runs them.
#[function_component(RulesPage)]
pub fn rules_page(props: &Props) -> Html {
    let open = props.id.clone();
    let known = open.is_empty() || RULES.iter().any(|r| r.id == open);
    super::set_title(if open.is_empty() { "Rules" } else { &open });
    {
        // Bring the opened rule into view.
        let open = open.clone();
        use_effect_with(open, |open| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&rule_anchor(open)))
            {
                el.scroll_into_view();
            }
        });
    }
    let mut groups: Vec<(&str, Vec<&Rule>)> = Vec::new();
    for r in RULES.iter().copied() {
        let group = r.id.split('.').next().unwrap_or("");
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push(r),
            None => groups.push((group, vec![r])),
        }
    }
    html! {
        <section class="rules">
            <h1>{ "Rules" }</h1>
            <p class="hint">{ format!(
                "The {} checks the record review runs, with what each rests on. A finding names its rule; open the rule to read why it matters.",
                RULES.len()
            ) }</p>
            if !known {
                <p class="error" role="alert">{ format!("No rule is called '{open}'. The list below has every rule ICD Desk runs.") }</p>
            }
            { for groups.into_iter().map(|(group, list)| html! {
                <section aria-labelledby={format!("rules-{group}")}>
                    <h2 id={format!("rules-{group}")}>{ group_title(group) }</h2>
                    <dl class="rule-list">
                        { for list.into_iter().map(|r| rule_item(r, r.id == open)) }
                    </dl>
                </section>
            }) }
        </section>
    }
}

fn rule_item(r: &Rule, open: bool) -> Html {
    let href = crate::route::rule_href(r.id);
    html! {
        <div id={rule_anchor(r.id)} class={classes!("rule", open.then_some("open"))}>
            <dt>
                <a href={href} aria-current={open.then_some("true")}><code>{ r.id }</code></a>
                { " " }<span class={classes!("severity", r.severity.to_string())}>{ r.severity.to_string() }</span>
            </dt>
            <dd>
                <p class="rule-title">{ r.title }</p>
                <p class="authority">{ r.authority.to_string() }</p>
                if open {
                    <p class="rule-explanation">{ r.explanation }</p>
                }
            </dd>
        </div>
    }
}

/// The element id of a rule's entry.
fn rule_anchor(id: &str) -> String {
    format!("rule-{}", id.replace('.', "-"))
}

fn group_title(group: &str) -> &str {
    match group {
        "input" => "Reading the input",
        "record" => "The record: form and completeness",
        "code" => "Codes",
        "discharge" => "Discharge",
        "mce" => "Medicare Code Editor",
        "tabular" => "Tabular List conventions",
        "combination" => "Combination codes",
        "drg" => "MS-DRG",
        other => other,
    }
}

/// Route helper for the switch.
pub fn view(id: Option<String>) -> Html {
    let id = id.unwrap_or_default();
    html! { <RulesPage {id} /> }
}
