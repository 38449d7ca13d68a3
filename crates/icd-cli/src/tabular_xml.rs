//! Reads the ICD-10-CM Tabular List XML into a [`TabularSource`].

use std::path::Path;

use anyhow::Result;
use icd_core::tabular::{NoteKind, SourceKind, SourceNode, TabularSource};
use quick_xml::events::Event;

use crate::xml_reader::Xml;

pub fn read(path: &Path, bytes: &[u8], release: &str) -> Result<TabularSource> {
    let mut x = Xml::new(path, bytes);
    let mut chapters = Vec::new();
    // Open nodes with the byte position each was opened at.
    let mut stack: Vec<(SourceNode, usize)> = Vec::new();
    let mut seen_root = false;
    loop {
        let ev = x.event()?;
        match ev {
            Event::Start(e) => {
                let name = e.name().as_ref().to_vec();
                match name.as_slice() {
                    b"ICD10CM.tabular" => seen_root = true,
                    b"introduction" | b"sectionIndex" | b"version" => x.skip(&e)?,
                    b"chapter" => {
                        stack.push((SourceNode::new(SourceKind::Chapter, "", ""), x.pos()))
                    }
                    b"section" => {
                        let id = x
                            .attr(&e, "id")?
                            .ok_or_else(|| x.error("<section> without an id attribute"))?;
                        stack.push((SourceNode::new(SourceKind::Block, &id, ""), x.pos()));
                    }
                    b"diag" => stack.push((SourceNode::new(SourceKind::Diag, "", ""), x.pos())),
                    b"name" => {
                        let t = x.text(b"name")?;
                        let (top, _) = stack
                            .last_mut()
                            .ok_or_else(|| x.error("<name> outside a chapter or diag"))?;
                        top.key = t;
                    }
                    b"desc" => {
                        let t = x.text(b"desc")?;
                        let (top, _) = stack
                            .last_mut()
                            .ok_or_else(|| x.error("<desc> outside a chapter, section or diag"))?;
                        top.title = t;
                    }
                    b"sevenChrDef" => {
                        let mut defs = Vec::new();
                        let mut seventh_notes = Vec::new();
                        loop {
                            match x.event()? {
                                Event::Start(ext) if ext.name().as_ref() == b"extension" => {
                                    let ch = x.attr(&ext, "char")?.unwrap_or_default();
                                    let mut chars = ch.chars();
                                    let (Some(c), None) = (chars.next(), chars.next()) else {
                                        return Err(x.error(format!(
                                            "<extension char=\"{ch}\">: expected one character"
                                        )));
                                    };
                                    let meaning = x.text(b"extension")?;
                                    defs.push((c, meaning));
                                }
                                // An inclusion note for the character just defined.
                                Event::Start(n) if n.name().as_ref() == b"note" => {
                                    let text = x.text(b"note")?;
                                    let ch = defs.last().map(|(c, _)| *c).unwrap_or('?');
                                    seventh_notes.push((
                                        NoteKind::InclusionTerm,
                                        format!("7th character {ch}: {text}"),
                                    ));
                                }
                                Event::End(end) if end.name().as_ref() == b"sevenChrDef" => break,
                                Event::Eof => {
                                    return Err(x.error(
                                        "file ends inside <sevenChrDef>: the file is truncated",
                                    ))
                                }
                                _ => {}
                            }
                        }
                        let (top, _) = stack
                            .last_mut()
                            .ok_or_else(|| x.error("<sevenChrDef> outside a diag"))?;
                        top.seventh = defs;
                        top.notes.extend(seventh_notes);
                    }
                    b"visualImpairment" => {
                        let text = visual_impairment(&mut x)?;
                        let (top, _) = stack
                            .last_mut()
                            .ok_or_else(|| x.error("<visualImpairment> outside a diag"))?;
                        top.notes
                            .extend(text.into_iter().map(|t| (NoteKind::Notes, t)));
                    }
                    other => {
                        let tag = String::from_utf8_lossy(other).into_owned();
                        let Some(kind) = NoteKind::from_xml_name(&tag) else {
                            return Err(x.error(format!("unexpected element <{tag}>; expected a chapter, section, diag or one of the note elements")));
                        };
                        let mut notes = Vec::new();
                        loop {
                            match x.event()? {
                                Event::Start(n) if n.name().as_ref() == b"note" => {
                                    notes.push(x.text(b"note")?)
                                }
                                Event::End(end) if end.name().as_ref() == other => break,
                                Event::Eof => {
                                    return Err(x.error(format!(
                                        "file ends inside <{tag}>: the file is truncated"
                                    )))
                                }
                                Event::Start(n) => {
                                    return Err(x.error(format!(
                                        "unexpected <{}> inside <{tag}>; expected <note>",
                                        String::from_utf8_lossy(n.name().as_ref())
                                    )))
                                }
                                _ => {}
                            }
                        }
                        let (top, _) = stack.last_mut().ok_or_else(|| {
                            x.error(format!("<{tag}> outside a chapter, section or diag"))
                        })?;
                        top.notes.extend(notes.into_iter().map(|n| (kind, n)));
                    }
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_vec();
                if matches!(name.as_slice(), b"chapter" | b"section" | b"diag") {
                    let (node, opened) = stack
                        .pop()
                        .ok_or_else(|| x.error("closing tag without an opening one"))?;
                    if node.key.is_empty() || node.title.is_empty() {
                        return Err(x.error(format!(
                            "<{}> opened at line {} has no {}",
                            String::from_utf8_lossy(&name),
                            x.line_at(opened),
                            if node.key.is_empty() {
                                "<name>"
                            } else {
                                "<desc>"
                            }
                        )));
                    }
                    match stack.last_mut() {
                        Some((parent, _)) => parent.children.push(node),
                        None if node.kind == SourceKind::Chapter => chapters.push(node),
                        None => return Err(x.error("a section or diag outside any chapter")),
                    }
                }
            }
            Event::Eof => {
                if let Some((node, pos)) = stack.last() {
                    return Err(x.error(format!("file ends inside the element opened at line {} ('{}'): the file is truncated", x.line_at(*pos), node.key)));
                }
                break;
            }
            _ => {}
        }
    }
    if !seen_root || chapters.is_empty() {
        return Err(x.error("no <ICD10CM.tabular> chapters found: is this the tabular XML?"));
    }
    Ok(TabularSource {
        release: release.to_string(),
        chapters,
    })
}

/// The visual impairment table under H54, as one note per category.
fn visual_impairment(x: &mut Xml) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut category = String::new();
    let mut max = Vec::new();
    let mut min = Vec::new();
    let mut path: Vec<Vec<u8>> = Vec::new();
    loop {
        match x.event()? {
            Event::Start(e) => {
                let name = e.name().as_ref().to_vec();
                if name == b"value" || name == b"heading" {
                    let t = x.text(&name)?;
                    match path.last().map(Vec::as_slice) {
                        Some(b"visMax") => max.push(t),
                        Some(b"visMin") => min.push(t),
                        Some(b"visCategory") => category = t,
                        _ => {}
                    }
                } else {
                    path.push(name);
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_vec();
                if name == b"visualImpairment" {
                    break;
                }
                if name == b"visCategory" {
                    out.push(format!(
                        "{}: {} | {}",
                        category,
                        max.join(" / "),
                        min.join(" / ")
                    ));
                    category.clear();
                    max.clear();
                    min.clear();
                }
                path.pop();
            }
            Event::Eof => {
                return Err(x.error("file ends inside <visualImpairment>: the file is truncated"))
            }
            _ => {}
        }
    }
    Ok(out)
}
