//! The `<!DOCTYPE …>` declaration: the public identifier the dialect detection needs, and
//! the plain-text entities of the internal subset.
//!
//! Nothing here is ever fetched. Of the internal subset only general entities whose value
//! is plain text (character references and the five XML entities allowed, resolved once
//! here) are kept; external entities (`SYSTEM`/`PUBLIC`) and values that refer to other
//! entities are dropped and reported, which rules out both XXE and entity-expansion
//! attacks. Parameter entities (`%name;`, used to pull in DTD modules) are ignored
//! silently: they never reach the document's text.

use super::reference::{char_reference, predefined};

/// What a DOCTYPE declaration contributes to reading the document.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Doctype<'a> {
    /// The declaration without its internal subset, whitespace collapsed.
    pub(super) declaration: String,
    /// Plain-text general entities, in declaration order, values resolved.
    pub(super) entities: Vec<(&'a str, String)>,
    /// The first general entity that was not kept (external or nested), if any.
    pub(super) refused: Option<&'a str>,
}

/// Parses the contents of `<!DOCTYPE` … `>`.
pub(super) fn parse(content: &str) -> Doctype<'_> {
    let subset_start = find_outside_quotes(content, b'[');
    let (declaration, subset) = match subset_start {
        Some(open) => (&content[..open], &content[open + 1..]),
        None => (content, ""),
    };
    let mut doctype = Doctype {
        declaration: declaration.split_whitespace().collect::<Vec<_>>().join(" "),
        ..Doctype::default()
    };
    let mut rest = subset;
    while let Some(open) = rest.find("<!") {
        rest = &rest[open..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let end = find_outside_quotes(rest, b'>').unwrap_or(rest.len());
        let markup = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        if let Some(declaration) = markup.strip_prefix("<!ENTITY") {
            read_entity(declaration, &mut doctype);
        }
    }
    doctype
}

fn read_entity<'a>(declaration: &'a str, doctype: &mut Doctype<'a>) {
    let declaration = declaration.trim_start();
    if declaration.starts_with('%') {
        return;
    }
    let name_end = declaration
        .find(|c: char| c.is_whitespace())
        .unwrap_or(declaration.len());
    let name = &declaration[..name_end];
    let definition = declaration[name_end..].trim();
    if name.is_empty() {
        return;
    }
    let value = match definition.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let body = &definition[1..];
            body.find(quote).map(|end| &body[..end])
        }
        _ => None,
    };
    match value.and_then(plain_text) {
        Some(value) => doctype.entities.push((name, value)),
        None => {
            doctype.refused.get_or_insert(name);
        }
    }
}

/// The value with its references resolved, when every reference is to a character or
/// one of the five XML entities; `None` for anything that could nest or reach outside.
fn plain_text(value: &str) -> Option<String> {
    if value.contains('%') {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';')?;
        let name = &after[..end];
        match name.strip_prefix('#') {
            Some(number) => out.push(char_reference(number)?.ok()?),
            None => out.push_str(predefined(name)?),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn find_outside_quotes(text: &str, wanted: u8) -> Option<usize> {
    let mut quote = None;
    for (index, byte) in text.bytes().enumerate() {
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte == wanted => return Some(index),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_identifier_without_subset() {
        let doctype = parse(
            "rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n   \"http://my.netscape.com/publish/formats/rss-0.91.dtd\"",
        );
        assert_eq!(
            doctype.declaration,
            "rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\""
        );
        assert!(doctype.entities.is_empty());
        assert_eq!(doctype.refused, None);
    }

    #[test]
    fn plain_text_entities_are_kept() {
        let doctype = parse(
            "rss [\n <!ENTITY id \"tag:example.com,\">\n <!ENTITY q '&#8220;&amp;&#x201D;'>\n <!-- <!ENTITY c SYSTEM \"x\"> -->\n]",
        );
        assert_eq!(doctype.declaration, "rss");
        assert_eq!(
            doctype.entities,
            vec![
                ("id", "tag:example.com,".to_string()),
                ("q", "\u{201c}&\u{201d}".to_string())
            ]
        );
        assert_eq!(doctype.refused, None);
    }

    #[test]
    fn external_nested_and_parameter_entities_are_not_kept() {
        let doctype = parse(
            "lolz [<!ENTITY % HTMLlat1 PUBLIC \"-//W3C//ENTITIES Latin 1 for XHTML//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent\"> %HTMLlat1;]",
        );
        assert!(doctype.entities.is_empty());
        assert_eq!(doctype.refused, None);

        let doctype = parse(
            "x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY a \"b\"><!ENTITY lol \"&a;&a;\"><!ENTITY p \"%x;\">]",
        );
        assert_eq!(doctype.entities, vec![("a", "b".to_string())]);
        assert_eq!(doctype.refused, Some("xxe"));
    }

    #[test]
    fn brackets_inside_quotes_do_not_start_the_subset() {
        let doctype = parse("x PUBLIC \"-//a[b]//EN\" \"u\" [<!ENTITY e \"v\">]");
        assert_eq!(doctype.declaration, "x PUBLIC \"-//a[b]//EN\" \"u\"");
        assert_eq!(doctype.entities, vec![("e", "v".to_string())]);
    }
}
