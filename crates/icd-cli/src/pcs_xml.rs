//! Reads the three official ICD-10-PCS XML files (Tables, Definitions,
//! Index) into a [`PcsSource`].

use std::path::Path;

use anyhow::Result;
use icd_core::pcs::{
    Aggregate, IndexTerm, KeyEntry, PcsSource, SourceAxis, SourceTable, SourceValue,
};
use quick_xml::events::{BytesStart, Event};

use crate::xml_reader::Xml;

fn name_of(e: &BytesStart) -> Vec<u8> {
    e.name().as_ref().to_vec()
}

/// One `<axis>` (opened by `e`) with its title, labels and definition.
fn axis(x: &mut Xml, e: &BytesStart) -> Result<(SourceAxis, String, Option<usize>)> {
    let pos: u8 = x
        .attr(e, "pos")?
        .and_then(|p| p.parse().ok())
        .filter(|p| (1..=7).contains(p))
        .ok_or_else(|| x.error("<axis> without a pos attribute of 1 to 7"))?;
    let declared = x.attr(e, "values")?.and_then(|v| v.parse().ok());
    let mut a = SourceAxis {
        pos,
        title: String::new(),
        values: Vec::new(),
    };
    let mut definition = String::new();
    loop {
        match x.event()? {
            Event::Start(e) => match e.name().as_ref() {
                b"title" => a.title = x.text(b"title")?,
                b"definition" => definition = x.text(b"definition")?,
                b"label" => {
                    let code = x
                        .attr(&e, "code")?
                        .ok_or_else(|| x.error("<label> without a code attribute"))?;
                    let mut chars = code.chars();
                    let (Some(ch), None) = (chars.next(), chars.next()) else {
                        return Err(
                            x.error(format!("<label code=\"{code}\">: a code is one character"))
                        );
                    };
                    let label = x.text(b"label")?;
                    a.values.push(SourceValue { ch, label });
                }
                other => {
                    return Err(x.error(format!(
                        "unexpected <{}> in an <axis>",
                        String::from_utf8_lossy(other)
                    )))
                }
            },
            Event::End(e) if e.name().as_ref() == b"axis" => break,
            Event::Eof => return Err(x.error("file ends inside an <axis>: truncated")),
            _ => {}
        }
    }
    Ok((a, definition, declared))
}

/// Reads `icd10pcs-tables-*.xml`.
pub fn read_tables(path: &Path, bytes: &[u8]) -> Result<Vec<SourceTable>> {
    let mut x = Xml::new(path, bytes);
    let mut tables = Vec::new();
    let mut head: Vec<SourceAxis> = Vec::new();
    let mut definition = String::new();
    let mut rows: Vec<[SourceAxis; 4]> = Vec::new();
    let mut row: Vec<SourceAxis> = Vec::new();
    let mut row_codes: Option<u64> = None;
    let mut in_row = false;
    loop {
        match x.event()? {
            Event::Start(e) => match e.name().as_ref() {
                b"ICD10PCS.tabular" | b"pcsTable" => {}
                b"version" | b"title" => {
                    x.text(&name_of(&e))?;
                }
                b"pcsRow" => {
                    in_row = true;
                    row.clear();
                    row_codes = x.attr(&e, "codes")?.and_then(|c| c.parse().ok());
                }
                b"axis" => {
                    let (a, def, declared) = axis(&mut x, &e)?;
                    if declared.is_some_and(|d| d != a.values.len()) {
                        return Err(x.error(format!(
                            "axis {} declares {} values but lists {}",
                            a.pos,
                            declared.unwrap_or(0),
                            a.values.len()
                        )));
                    }
                    if !def.is_empty() {
                        definition = def;
                    }
                    if in_row {
                        row.push(a);
                    } else {
                        head.push(a);
                    }
                }
                other => {
                    return Err(x.error(format!(
                        "unexpected <{}> in the Tables",
                        String::from_utf8_lossy(other)
                    )))
                }
            },
            Event::End(e) => match e.name().as_ref() {
                b"pcsRow" => {
                    in_row = false;
                    let r: [SourceAxis; 4] = std::mem::take(&mut row)
                        .try_into()
                        .map_err(|_| x.error("a <pcsRow> needs exactly the axes 4 to 7"))?;
                    let n: u64 = r.iter().map(|a| a.values.len() as u64).product();
                    if row_codes.is_some_and(|c| c != n) {
                        return Err(x.error(format!(
                            "a <pcsRow> says codes=\"{}\" but its axes expand to {n}",
                            row_codes.unwrap_or(0)
                        )));
                    }
                    rows.push(r);
                }
                b"pcsTable" => {
                    let axes: [SourceAxis; 3] = std::mem::take(&mut head)
                        .try_into()
                        .map_err(|_| x.error("a <pcsTable> needs exactly the axes 1 to 3"))?;
                    tables.push(SourceTable {
                        axes,
                        definition: std::mem::take(&mut definition),
                        rows: std::mem::take(&mut rows),
                    });
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if tables.is_empty() {
        return Err(x.error("no <pcsTable> found: is this the ICD-10-PCS Tables file?"));
    }
    Ok(tables)
}

/// Reads `icd10pcs-definitions-*.xml`: every section's axis entries and
/// the device aggregation table.
pub fn read_definitions(path: &Path, bytes: &[u8]) -> Result<(Vec<KeyEntry>, Vec<Aggregate>)> {
    let mut x = Xml::new(path, bytes);
    let mut keys = Vec::new();
    let mut aggregates = Vec::new();
    let mut section = None;
    let mut axis_pos = 0u8;
    let mut axis_title = String::new();
    let mut cur: Option<KeyEntry> = None;
    let mut agg: Option<Aggregate> = None;
    loop {
        match x.event()? {
            Event::Start(e) => {
                let name = name_of(&e);
                match name.as_slice() {
                    b"ICD10PCS.definitions" | b"deviceAggregation" => {}
                    b"version" => {
                        x.text(b"version")?;
                    }
                    b"section" => {
                        section = x.attr(&e, "code")?.and_then(|c| c.chars().next());
                        if section.is_none() {
                            return Err(x.error("<section> without a code"));
                        }
                    }
                    b"axis" => {
                        axis_pos = x
                            .attr(&e, "pos")?
                            .and_then(|p| p.parse().ok())
                            .ok_or_else(|| x.error("<axis> without a pos"))?;
                        axis_title.clear();
                    }
                    b"terms" => {
                        cur = Some(KeyEntry {
                            section: section
                                .ok_or_else(|| x.error("<terms> outside a <section>"))?,
                            axis: axis_pos,
                            axis_title: axis_title.clone(),
                            ..Default::default()
                        });
                    }
                    b"aggregate" => agg = Some(Aggregate::default()),
                    b"title" | b"definition" | b"explanation" | b"includes" => {
                        let t = x.text(&name)?;
                        match (&mut cur, name.as_slice()) {
                            (Some(k), b"title") => k.titles.push(t),
                            (Some(k), b"definition") => k.definition = t,
                            (Some(k), b"explanation") => k.explanation = t,
                            (Some(k), b"includes") => k.includes.push(t),
                            // A section's or axis's own title.
                            (None, b"title") if axis_pos != 0 => axis_title = t,
                            _ => {}
                        }
                    }
                    b"device" | b"operation" | b"bodySys" | b"parent" => {
                        let value = x.attr(&e, "value")?;
                        let t = x.text(&name)?;
                        let a = agg.as_mut().ok_or_else(|| {
                            x.error("device aggregation field outside <aggregate>")
                        })?;
                        match name.as_slice() {
                            b"device" => a.device = t,
                            b"operation" => a.operation = t,
                            b"bodySys" => a.body_systems.push(t),
                            _ => {
                                a.parent = t;
                                a.parent_ch = value
                                    .and_then(|v| v.chars().next())
                                    .ok_or_else(|| x.error("<parent> without a value"))?;
                            }
                        }
                    }
                    other => {
                        return Err(x.error(format!(
                            "unexpected <{}> in the Definitions",
                            String::from_utf8_lossy(other)
                        )))
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"terms" => keys.extend(cur.take()),
                b"aggregate" => aggregates.extend(agg.take()),
                b"axis" => axis_pos = 0,
                b"section" => section = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if keys.is_empty() {
        return Err(x.error("no <terms> found: is this the ICD-10-PCS Definitions file?"));
    }
    Ok((keys, aggregates))
}

/// Reads `icd10pcs-index-*.xml` into terms in preorder.
pub fn read_index(path: &Path, bytes: &[u8]) -> Result<Vec<IndexTerm>> {
    let mut x = Xml::new(path, bytes);
    let mut terms: Vec<IndexTerm> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    // Inside <see>: its text is the reference, a nested <codes>/<tab> its code.
    let mut in_see = false;
    loop {
        match x.event()? {
            Event::Start(e) => {
                let name = name_of(&e);
                match name.as_slice() {
                    b"ICD10PCS.index" | b"letter" => {}
                    b"version" => {
                        x.text(b"version")?;
                    }
                    b"title" if open.is_empty() => {
                        x.text(b"title")?;
                    }
                    b"mainTerm" | b"term" => {
                        let level = if name == b"mainTerm" {
                            0
                        } else {
                            x.attr(&e, "level")?
                                .and_then(|l| l.parse::<u8>().ok())
                                .ok_or_else(|| x.error("<term> without a numeric level"))?
                        };
                        terms.push(IndexTerm {
                            level,
                            ..Default::default()
                        });
                        open.push(terms.len() - 1);
                    }
                    b"see" => in_see = true,
                    b"title" | b"use" | b"codes" | b"code" | b"tab" => {
                        let t = x.text(&name)?;
                        let Some(&i) = open.last() else {
                            return Err(x.error("index field outside a term"));
                        };
                        let term = &mut terms[i];
                        match name.as_slice() {
                            b"title" => term.title = t,
                            b"use" => term.use_ = t,
                            _ => term.code = t,
                        }
                    }
                    other => {
                        return Err(x.error(format!(
                            "unexpected <{}> in the Index",
                            String::from_utf8_lossy(other)
                        )))
                    }
                }
            }
            Event::Text(t) if in_see => {
                let s = t
                    .unescape()
                    .map_err(|e| x.error(format!("bad text: {e}")))?;
                if let Some(&i) = open.last() {
                    let see = &mut terms[i].see;
                    see.push_str(&s);
                    *see = crate::xml_reader::collapse(see);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"see" => in_see = false,
                b"mainTerm" | b"term" => {
                    open.pop()
                        .ok_or_else(|| x.error("closing term without an opening one"))?;
                }
                _ => {}
            },
            Event::Eof => {
                if !open.is_empty() {
                    return Err(x.error("file ends inside a term: truncated"));
                }
                break;
            }
            _ => {}
        }
    }
    if terms.is_empty() {
        return Err(x.error("no <mainTerm> found: is this the ICD-10-PCS Index file?"));
    }
    Ok(terms)
}

/// Reads the three files into one source.
pub fn read(tables: &Path, definitions: &Path, index: &Path, release: &str) -> Result<PcsSource> {
    let read = crate::xml_reader::read_file;
    let t = read_tables(tables, &read(tables)?)?;
    let (keys, aggregates) = read_definitions(definitions, &read(definitions)?)?;
    let index = read_index(index, &read(index)?)?;
    Ok(PcsSource {
        release: release.to_string(),
        tables: t,
        keys,
        aggregates,
        index,
    })
}
