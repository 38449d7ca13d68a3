//! Reads the Table of Neoplasms, the Table of Drugs and Chemicals and the
//! External Cause Index (all `ICD10CM.index` XML) into [`TermSource`]s.

use std::path::Path;

use anyhow::Result;
use icd_core::terms::{SourceTerm, TermSource};
use quick_xml::events::Event;

use crate::xml_reader::Xml;

pub fn read(path: &Path, bytes: &[u8], release: &str, title: &str) -> Result<TermSource> {
    let mut x = Xml::new(path, bytes);
    let mut columns: Vec<(usize, String)> = Vec::new();
    let mut terms: Vec<SourceTerm> = Vec::new();
    // Index in `terms` of each open term, and its level.
    let mut open: Vec<usize> = Vec::new();
    let mut seen_root = false;
    loop {
        match x.event()? {
            Event::Start(e) => {
                let name = e.name().as_ref().to_vec();
                match name.as_slice() {
                    b"ICD10CM.index" => seen_root = true,
                    b"version" | b"title" if open.is_empty() => {
                        x.text(&name)?;
                    }
                    b"indexHeading" | b"letter" => {}
                    b"head" => {
                        let col: usize = x
                            .attr(&e, "col")?
                            .and_then(|c| c.parse().ok())
                            .ok_or_else(|| x.error("<head> without a numeric col attribute"))?;
                        let t = x.text(b"head")?;
                        columns.push((col, t));
                    }
                    b"mainTerm" | b"term" => {
                        let level = if name == b"mainTerm" {
                            0
                        } else {
                            x.attr(&e, "level")?
                                .and_then(|l| l.parse::<u8>().ok())
                                .ok_or_else(|| {
                                    x.error("<term> without a numeric level attribute")
                                })?
                        };
                        let ncells = columns.len().saturating_sub(1);
                        terms.push(SourceTerm {
                            level,
                            cells: vec![String::new(); ncells],
                            ..Default::default()
                        });
                        open.push(terms.len() - 1);
                    }
                    field => {
                        let Some(&cur) = open.last() else {
                            return Err(x.error(format!(
                                "<{}> outside a term",
                                String::from_utf8_lossy(field)
                            )));
                        };
                        let col = if field == b"cell" {
                            x.attr(&e, "col")?
                        } else {
                            None
                        };
                        let (text, nemod) = x.text_with_nemod(field)?;
                        let t = &mut terms[cur];
                        match field {
                            b"title" => {
                                t.title = text;
                                t.nemod = nemod;
                            }
                            b"see" => t.see = text,
                            b"seeAlso" => t.see_also = text,
                            b"code" => t.code = text,
                            // A category hint in place of a code: more characters are needed.
                            b"seecat" | b"subcat" if t.code.is_empty() => {
                                t.code = format!("{}-", text.trim_end_matches('-'))
                            }
                            b"seecat" | b"subcat" => {}
                            // The book prints these in brackets after the term.
                            b"manif" => {
                                t.nemod = format!("{} [{}]", t.nemod, text).trim().to_string()
                            }
                            b"cell" => {
                                let i = col
                                    .and_then(|c| c.parse::<usize>().ok())
                                    .filter(|c| *c >= 2 && *c - 2 < t.cells.len());
                                let Some(i) = i else {
                                    return Err(x.error(format!(
                                        "<cell> column must be 2 to {}",
                                        t.cells.len() + 1
                                    )));
                                };
                                t.cells[i - 2] = text;
                            }
                            other => {
                                return Err(x.error(format!(
                                    "unexpected element <{}> in a term",
                                    String::from_utf8_lossy(other)
                                )))
                            }
                        }
                    }
                }
            }
            Event::End(e) => {
                if matches!(e.name().as_ref(), b"mainTerm" | b"term") {
                    let cur = open
                        .pop()
                        .ok_or_else(|| x.error("closing term without an opening one"))?;
                    if terms[cur].title.is_empty() {
                        return Err(x.error("a term without a <title>"));
                    }
                }
            }
            Event::Eof => {
                if !open.is_empty() {
                    return Err(x.error("file ends inside a term: the file is truncated"));
                }
                break;
            }
            _ => {}
        }
    }
    if !seen_root || terms.is_empty() {
        return Err(x.error("no <ICD10CM.index> terms found: is this the right file?"));
    }
    columns.sort();
    Ok(TermSource {
        release: release.to_string(),
        title: title.to_string(),
        key_all_levels: !columns.is_empty(),
        columns: columns.into_iter().map(|(_, c)| c).collect(),
        terms,
    })
}
