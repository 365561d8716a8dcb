//! Test support only: a small strict XML reader that builds the same [`Element`] tree
//! as the real reader (`xml.rs`) for well-formed documents, so the dialect mappers can be
//! tested with inline documents independently of the lenient reader's progress.
//!
//! It resolves namespaces (canonicalised like the real reader), `xml:base` and `xml:lang`,
//! and decodes XML and HTML entities. It does no recovery at all: the documents in the
//! mapper tests are well-formed.

use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use url::Url;

use super::dom::{Attribute, Element, Node};
use super::ns;
use crate::normalise::entities;

/// Reads a well-formed document into its root element; panics (test support) otherwise.
pub(crate) fn read(text: &str, base: Option<&Url>) -> Element {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Each open element with the namespace bindings it declared.
    let mut stack: Vec<(Element, Vec<(String, String)>)> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .expect("test document is well-formed XML");
        match event {
            Event::Start(start) => {
                let element = open(&start, &stack, base);
                stack.push(element);
            }
            Event::Empty(start) => {
                let (element, _) = open(&start, &stack, base);
                close(element, &mut stack, &mut root);
            }
            Event::End(_) => {
                let (element, _) = stack.pop().expect("end tag matches a start tag");
                close(element, &mut stack, &mut root);
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => push_text(&mut stack, &data.xml10_content()),
            Event::GeneralRef(reference) => {
                let decoded = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .map(String::from)
                        .unwrap_or_default()
                } else {
                    let name = reference.xml10_content();
                    match name.as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        other => entities::lookup(&format!("{other};"))
                            .map(String::from)
                            .unwrap_or_else(|| format!("&{other};")),
                    }
                };
                push_text(&mut stack, &decoded);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    root.expect("test document has a root element")
}

fn push_text(stack: &mut [(Element, Vec<(String, String)>)], text: &str) {
    if let Some((element, _)) = stack.last_mut() {
        match element.children.last_mut() {
            Some(Node::Text(previous)) => previous.push_str(text),
            _ => element.children.push(Node::Text(text.to_string())),
        }
    }
}

fn close(
    element: Element,
    stack: &mut [(Element, Vec<(String, String)>)],
    root: &mut Option<Element>,
) {
    match stack.last_mut() {
        Some((parent, _)) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn lookup(
    prefix: &str,
    declared: &[(String, String)],
    stack: &[(Element, Vec<(String, String)>)],
) -> Option<String> {
    declared
        .iter()
        .rev()
        .chain(
            stack
                .iter()
                .rev()
                .flat_map(|(_, bindings)| bindings.iter().rev()),
        )
        .find(|(candidate, _)| candidate == prefix)
        .map(|(_, uri)| uri.clone())
        .or_else(|| {
            ns::default_for_prefix(prefix)
                .filter(|_| !prefix.is_empty())
                .map(String::from)
        })
}

fn open(
    start: &BytesStart<'_>,
    stack: &[(Element, Vec<(String, String)>)],
    doc_base: Option<&Url>,
) -> (Element, Vec<(String, String)>) {
    let mut declared = Vec::new();
    let mut raw = Vec::new();
    for attribute in start.attributes().flatten() {
        let key = attribute.key.into_inner().to_string();
        let value = attribute
            .normalized_value_with(quick_xml::XmlVersion::Implicit1_0, 4, |name| match name {
                "lt" => Some("<"),
                "gt" => Some(">"),
                "amp" => Some("&"),
                "apos" => Some("'"),
                "quot" => Some("\""),
                _ => None,
            })
            .map(|value| value.into_owned())
            .unwrap_or_default();
        if key == "xmlns" {
            declared.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            declared.push((prefix.to_string(), value));
        } else {
            raw.push((key, value));
        }
    }
    let qname = start.name().into_inner().to_string();
    let (prefix, name) = match qname.split_once(':') {
        Some((prefix, name)) => (Some(prefix.to_string()), name.to_string()),
        None => (None, qname.clone()),
    };
    let uri =
        lookup(prefix.as_deref().unwrap_or(""), &declared, stack).filter(|uri| !uri.is_empty());
    let parent = stack.last().map(|(element, _)| element);
    let mut base = parent
        .and_then(|parent| parent.base.clone())
        .or_else(|| doc_base.map(|url| Arc::from(url.as_str())));
    let mut lang = parent.and_then(|parent| parent.lang.clone());
    let mut attrs = Vec::new();
    for (key, value) in raw {
        match key.split_once(':') {
            Some(("xml", "base")) => {
                let resolved = match base.as_deref().and_then(|base| Url::parse(base).ok()) {
                    Some(current) => current.join(value.trim()).ok(),
                    None => Url::parse(value.trim()).ok(),
                };
                base = resolved.map(|url| Arc::from(url.as_str())).or(base);
            }
            Some(("xml", "lang")) => {
                lang = (!value.trim().is_empty()).then(|| Arc::from(value.trim()));
            }
            Some((prefix, local)) => attrs.push(Attribute {
                ns: lookup(prefix, &declared, stack).map(|uri| Arc::from(ns::canonical(&uri))),
                name: local.to_string(),
                value,
            }),
            None => attrs.push(Attribute {
                ns: None,
                name: key,
                value,
            }),
        }
    }
    let element = Element {
        ns: uri.map(|uri| Arc::from(ns::canonical(&uri))),
        prefix,
        name,
        attrs,
        children: Vec::new(),
        base,
        lang,
    };
    (element, declared)
}
