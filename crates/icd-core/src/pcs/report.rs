//! What a coder sees of a PCS code or table: the seven axes with labels,
//! the definitions that apply, the key entries, the device aggregation,
//! and the MCE validity periods and procedure flags.
//!
//! Reports are plain serde types, printed by the CLI and posted by the
//! worker unchanged.

use serde::{Deserialize, Serialize};

use super::{AggregateReport, AxisValue, InvalidAt, KeyReport, Pcs, RowId, TableId, Value};
use crate::code::PcsCode;
use crate::date::Date;
use crate::lookup::{Validity, ValidityPeriod};
use crate::mce::{Mce, Table};

/// Everything about one PCS code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PcsReport {
    /// The code.
    pub code: PcsCode,
    /// Whether a row of the Tables allows it. `false` for a code only the
    /// MCE master lists (added by an update after the Tables' release).
    pub in_tables: bool,
    /// The long title derived from the labels; `None` without a row.
    pub title: Option<String>,
    /// Why there is no title, for an MCE-only code.
    pub note: Option<String>,
    /// The seven axes (empty without a row).
    pub axes: Vec<AxisValue>,
    /// The root operation's definition, explanation and examples.
    pub operation: Option<KeyReport>,
    /// The approach's definition.
    pub approach: Option<KeyReport>,
    /// Body part key entries for the body part value.
    pub body_part_key: Vec<KeyReport>,
    /// Device (or substance) key entries for the axis 6 value.
    pub device_key: Vec<KeyReport>,
    /// Specific devices coded with this device value (device aggregation).
    pub device_aggregation: Vec<AggregateReport>,
    /// MCE validity periods.
    pub validity_periods: Vec<ValidityPeriod>,
    /// Validity on the date asked about.
    pub validity: Option<Validity>,
    /// MCE procedure flags (on the date asked about, else the latest period).
    pub mce_flags: Vec<String>,
}

/// Why a PCS code lookup found nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PcsLookupError {
    /// Neither the Tables nor the MCE master have the code.
    #[error("{0}")]
    Unknown(InvalidAt),
}

/// One row of a table as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    /// Axes 4 to 7: title and allowed values.
    pub axes: Vec<(String, Vec<Value>)>,
    /// How many codes the row expands to.
    pub codes: u64,
}

/// A table with every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableReport {
    /// The three characters.
    pub table: String,
    /// Section, body system, operation.
    pub axes: Vec<AxisValue>,
    /// The operation's definition.
    pub definition: String,
    /// The rows (only those allowing the characters typed after the table, if any).
    pub rows: Vec<RowReport>,
    /// How many codes the rows shown expand to.
    pub codes: u64,
}

/// The full report on a code: from its row when the Tables have it, else
/// from the MCE master alone.
pub fn report<D: AsRef<[u8]>, E: AsRef<[u8]>>(
    pcs: &Pcs<D>,
    mce: &Mce<E>,
    code: &PcsCode,
    on: Option<Date>,
) -> Result<PcsReport, PcsLookupError> {
    let periods = mce.periods(Table::Sg, code.as_str());
    let checked = pcs.check(code);
    if let (Err(e), true) = (&checked, periods.is_empty()) {
        return Err(PcsLookupError::Unknown(e.clone()));
    }
    let period = match on {
        Some(date) => mce.period_on(Table::Sg, code.as_str(), date),
        None => periods.last().copied(),
    };
    let validity = on.map(|date| {
        let valid = mce.period_on(Table::Sg, code.as_str(), date).is_some();
        Validity {
            date,
            valid,
            reason: if valid {
                format!("valid on {date}")
            } else {
                format!("not valid on {date}: see the validity periods")
            },
        }
    });
    let mut r = PcsReport {
        code: *code,
        in_tables: checked.is_ok(),
        title: None,
        note: None,
        axes: Vec::new(),
        operation: None,
        approach: None,
        body_part_key: Vec::new(),
        device_key: Vec::new(),
        device_aggregation: Vec::new(),
        validity_periods: periods
            .iter()
            .map(|p| ValidityPeriod {
                start: p.start,
                end: p.end,
            })
            .collect(),
        validity,
        mce_flags: period
            .map(|p| {
                mce.flags_named(Table::Sg, p.flags)
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let Some(axes) = pcs.axes(code) else {
        r.note = Some(format!(
            "{code} is listed by the MCE master (see its validity periods) but no row of the Tables allows it: a code of a later update than {}, so it has no title here",
            pcs.release()
        ));
        return Ok(r);
    };
    let section = axes[0].ch;
    r.title = Some(super::title::derive(&axes));
    r.operation = pcs.definition(section, 3, &axes[2].label);
    r.approach = pcs.definition(section, 5, &axes[4].label);
    r.body_part_key = pcs.key_entries(section, 4, &axes[3].label, None);
    r.device_key = pcs.key_entries(
        section,
        6,
        &axes[5].label,
        Some((&axes[1].label, &axes[2].label)),
    );
    r.device_aggregation = pcs
        .aggregates()
        .into_iter()
        .filter(|a| {
            // The specific device itself, or a general value it is coded with.
            (a.device == axes[5].label || (a.parent_ch == axes[5].ch && a.parent == axes[5].label))
                && a.body_systems.contains(&axes[1].label)
                && (a.operation == "All applicable" || a.operation.contains(&axes[2].label))
        })
        .collect();
    r.axes = axes.to_vec();
    Ok(r)
}

/// A table with its rows; with a longer `prefix` (`0DTJ`), only the rows
/// that allow it.
pub fn table_report<D: AsRef<[u8]>>(pcs: &Pcs<D>, t: TableId, prefix: &str) -> TableReport {
    let titles = pcs.axis_titles(t);
    let rest = prefix
        .as_bytes()
        .get(3..)
        .unwrap_or(&[])
        .to_ascii_uppercase();
    let rows: Vec<RowReport> = pcs
        .table_rows(t)
        .filter(|r| {
            rest.iter().enumerate().all(|(i, c)| {
                pcs.row_values(RowId(*r), 4 + i as u8)
                    .iter()
                    .any(|v| v.ch as u8 == *c)
            })
        })
        .map(|r| RowReport {
            axes: (4..=7)
                .map(|p| (titles[p as usize - 1].clone(), pcs.row_values(RowId(r), p)))
                .collect(),
            codes: pcs.row_code_count(RowId(r)),
        })
        .collect();
    TableReport {
        table: pcs.table_key(t),
        axes: pcs.table_axes(t).to_vec(),
        definition: pcs.table_definition(t).to_string(),
        codes: rows.iter().map(|r| r.codes).sum(),
        rows,
    }
}
