//! The batch's report (`#/batch/report`): every figure of
//! [`icd_core::batch::report`] with its work shown (formula, numerator and
//! denominator, each listing its records on a click, definition, source),
//! inpatient and outpatient apart, and charts the app draws as SVG, each
//! with its data table for screen readers. It prints on its own
//! (`@media print` in `static/app.css` hides the navigation and controls).
//!
//! ```ignore
//! html! { <ReportPage /> }
//! ```

use yew::prelude::*;
use yew_router::Routable;

use crate::desk::use_desk;
use crate::pages::batch::{use_record_opener, AnswerValue};
use crate::protocol::{
    members_key, BatchOp, BatchReply, FigureView, ReportTable, ReportView, Request, RequestKind,
};
use crate::route::Route;

/// One horizontal bar of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Its label.
    pub label: String,
    /// Its value.
    pub value: f64,
    /// The value as written beside the bar.
    pub shown: String,
}

/// Bars of a report table: one per row, its record count.
pub fn bars(table: &ReportTable, limit: usize) -> Vec<Bar> {
    table
        .rows
        .iter()
        .take(limit)
        .map(|r| Bar {
            label: if r.label == r.key || r.label.is_empty() {
                r.key.clone()
            } else {
                format!("{} {}", r.key, r.label)
            },
            value: f64::from(r.count),
            shown: format!("{} ({:.1}%)", r.count, r.share),
        })
        .collect()
}

/// Width of a bar for `value` when the largest is `max`, out of `width` pixels.
pub fn bar_width(value: f64, max: f64, width: f64) -> f64 {
    if max <= 0.0 || value <= 0.0 {
        0.0
    } else {
        (value / max * width).max(1.0)
    }
}

const LABEL_PX: f64 = 260.0;
const BAR_PX: f64 = 360.0;
const ROW_PX: f64 = 22.0;

/// A horizontal bar chart as SVG (hidden from screen readers, which read
/// the table beside it).
pub fn chart(id: &str, title: &str, bars: &[Bar]) -> Html {
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let height = ROW_PX * bars.len() as f64 + 4.0;
    let width = LABEL_PX + BAR_PX + 110.0;
    let short = |s: &str| {
        let mut t: String = s.chars().take(38).collect();
        if s.chars().count() > 38 {
            t.push('…');
        }
        t
    };
    html! {
        <figure class="chart" aria-labelledby={format!("{id}-caption")} data-testid="chart">
            <figcaption id={format!("{id}-caption")}><strong>{ title.to_string() }</strong></figcaption>
            if bars.is_empty() {
                <p class="hint">{ "Nothing to chart." }</p>
            } else {
                <svg viewBox={format!("0 0 {width} {height}")} width={width.to_string()} height={height.to_string()}
                    aria-hidden="true" focusable="false">
                    { for bars.iter().enumerate().map(|(i, b)| {
                        let y = ROW_PX * i as f64 + 2.0;
                        let w = bar_width(b.value, max, BAR_PX);
                        html! {
                            <g>
                                <text x={(LABEL_PX - 6.0).to_string()} y={(y + 15.0).to_string()} text-anchor="end">{ short(&b.label) }</text>
                                <rect class="bar" x={LABEL_PX.to_string()} y={(y + 3.0).to_string()} width={w.to_string()} height={(ROW_PX - 6.0).to_string()} />
                                <text x={(LABEL_PX + w + 6.0).to_string()} y={(y + 15.0).to_string()}>{ b.shown.clone() }</text>
                            </g>
                        }
                    }) }
                </svg>
                <table class="visually-hidden">
                    <caption>{ format!("{title}: data") }</caption>
                    <thead><tr><th scope="col">{ "Category" }</th><th scope="col">{ "Records (share)" }</th></tr></thead>
                    <tbody>
                        { for bars.iter().map(|b| html! { <tr><th scope="row">{ b.label.clone() }</th><td>{ b.shown.clone() }</td></tr> }) }
                    </tbody>
                </table>
            }
        </figure>
    }
}

/// The report page.
#[function_component]
pub fn ReportPage() -> Html {
    crate::pages::set_title("Batch report");
    let desk = use_desk();
    let open_record = use_record_opener();
    {
        let desk = desk.clone();
        use_effect_with((), move |_| {
            desk.ask(RequestKind::BatchReport, "report", |id| Request::Batch {
                id,
                op: BatchOp::Report,
            });
        });
    }
    let ask_members = {
        let desk = desk.clone();
        Callback::from(move |key: String| {
            let k = key.clone();
            desk.ask(RequestKind::BatchMembers, key, |id| Request::Batch {
                id,
                op: BatchOp::Members { key: k },
            });
        })
    };
    let back = html! {
        <p class="no-print"><a href={format!("#{}", Route::Batch.to_path())}>{ "Back to the batch" }</a></p>
    };
    let report: ReportView = match desk.state.batch.report.as_deref_value() {
        Some(BatchReply::Report(r)) => (**r).clone(),
        Some(BatchReply::Failed { message }) => {
            return html! {
                <section>
                    <h1>{ "Batch report" }</h1>
                    <p role="alert">{ message.clone() }</p>
                    { back }
                </section>
            }
        }
        _ => {
            return html! {
                <section>
                    <h1>{ "Batch report" }</h1>
                    { crate::pages::waiting() }
                    { back }
                </section>
            }
        }
    };
    let members = match desk.state.batch.members.as_deref_value() {
        Some(BatchReply::Members {
            title, rows, total, ..
        }) => {
            let items = rows.iter().map(|(row, shown)| {
                let (open_record, row) = (open_record.clone(), *row);
                let onclick = Callback::from(move |_: MouseEvent| open_record.emit(row));
                html! { <li><button type="button" class="link" {onclick}>{ shown.clone() }</button></li> }
            });
            html! {
                <section class="members" aria-labelledby="members-title" data-testid="members">
                    <h2 id="members-title">{ title.clone() }</h2>
                    <p role="status">{ format!("{total} records{}; open one in the record check.",
                        if (*total as usize) > rows.len() { format!(", the first {} listed", rows.len()) } else { String::new() }) }</p>
                    <ul>{ for items }</ul>
                </section>
            }
        }
        _ => Html::default(),
    };
    let figure = |f: &FigureView| figure_card(f, &ask_members);
    let table_section = |t: &ReportTable| {
        let rows = t.rows.iter().map(|r| {
            let key = members_key(&t.id, &r.key);
            let ask = ask_members.clone();
            let onclick = Callback::from(move |_: MouseEvent| ask.emit(key.clone()));
            html! {
                <tr>
                    <th scope="row">{ &r.key }{ " " }{ if r.label != r.key { r.label.clone() } else { String::new() } }</th>
                    <td><button type="button" class="link" {onclick}>{ r.count }</button></td>
                    <td>{ format!("{:.1}%", r.share) }</td>
                    if t.total_is.is_some() {
                        <td>{ r.total.map(|v| crate::batch::number(v, "weight")).unwrap_or_default() }</td>
                    }
                </tr>
            }
        });
        html! {
            <details class="report-table">
                <summary>{ format!("{} (table, {} rows{})", t.title, t.all_rows,
                    if (t.all_rows as usize) > t.rows.len() { format!(", the first {} shown", t.rows.len()) } else { String::new() }) }</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{ "Row" }</th><th scope="col">{ "Records" }</th>
                        <th scope="col">{ format!("Share of {}", t.base) }</th>
                        if let Some(total) = &t.total_is { <th scope="col">{ total.clone() }</th> }
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </details>
        }
    };
    let table = |id: &str| report.tables.iter().find(|t| t.id == id).cloned();
    let charts = [
        ("dispositions", "Discharges by disposition", 12),
        ("mdcs", "DRG mix by MDC", 26),
        ("drgs", "Top DRGs", 15),
        ("findings", "Top findings", 12),
    ]
    .into_iter()
    .filter_map(|(id, title, n)| {
        table(id).map(|t| {
            html! {
                <>
                    { chart(&format!("chart-{id}"), title, &bars(&t, n)) }
                    { table_section(&t) }
                </>
            }
        })
    });
    html! {
        <section class="batch-report">
            <h1>{ "Batch report" }</h1>
            <p>{ format!("{}: {} units read, {} records reviewed ({} inpatient), {} could not be read.",
                if report.name.is_empty() { "The batch" } else { &report.name },
                report.read, report.reviewed, report.inpatient, report.rejected) }</p>
            if !report.excluded.is_empty() {
                <details>
                    <summary>{ "Records left out of figures, and why" }</summary>
                    <ul>
                        { for report.excluded.iter().map(|(from, why, n)| html! {
                            <li>{ format!("{n} left out of {from}: {why}") }</li>
                        }) }
                    </ul>
                </details>
            }
            <p class="no-print"><button type="button" onclick={Callback::from(|_: MouseEvent| {
                if let Some(w) = web_sys::window() { let _ = w.print(); }
            })}>{ "Print" }</button>{ " " }<a href={format!("#{}", Route::Batch.to_path())}>{ "Back to the batch" }</a></p>
            { members }
            <h2>{ "Inpatient" }</h2>
            <ul class="report-figures">{ for report.figures.iter().map(figure) }</ul>
            { for charts }
            <h2>{ "Outpatient (counted apart)" }</h2>
            <ul class="report-figures">{ for report.outpatient.iter().map(figure) }</ul>
            { chart("chart-out-findings", "Outpatient top findings", &bars(&report.outpatient_findings, 12)) }
            { table_section(&report.outpatient_findings) }
        </section>
    }
}

fn figure_card(f: &FigureView, ask: &Callback<String>) -> Html {
    let part = |label: &str,
                shown: &Option<String>,
                records: u32,
                key: &str,
                testid: &'static str| {
        let Some(shown) = shown else {
            return Html::default();
        };
        let list = if records > 0 && !key.is_empty() {
            let (ask, key) = (ask.clone(), key.to_string());
            let onclick = Callback::from(move |_: MouseEvent| ask.emit(key.clone()));
            html! { <>{ " — " }<button type="button" class="link" {onclick} data-testid={testid}>{ format!("list the {records} records") }</button></> }
        } else {
            Html::default()
        };
        html! { <><dt>{ label.to_string() }</dt><dd>{ shown.clone() }{ list }</dd></> }
    };
    html! {
        <li class="figure" data-testid="figure" data-figure={f.id.clone()}>
            <h3>{ f.title.clone() }</h3>
            <p class="value">{ f.value.clone() }</p>
            if let Some(note) = &f.note { <p class="hint">{ note.clone() }</p> }
            <dl>
                <dt>{ "Formula" }</dt><dd>{ f.formula.clone() }</dd>
                { part("Numerator", &f.numerator, f.numerator_records, &f.numerator_key, "figure-numerator") }
                { part("Denominator", &f.denominator, f.denominator_records, &f.denominator_key, "figure-denominator") }
                <dt>{ "Definition" }</dt><dd>{ f.definition.clone() }</dd>
                <dt>{ "Source" }</dt><dd>{ f.source.clone() }</dd>
            </dl>
        </li>
    }
}
