//! OPML 2.0 subscription lists, written with quick-xml's writer (the `opml` crate is
//! avoided, see the crate notes).
//!
//! Each outline is a feed (`type="rss"`, as OPML 2.0 says for every feed format) with
//! `text` and `title`, `xmlUrl`, optional `htmlUrl`, and its kind as an OPML `category`
//! (`/podcast`). Children nest: an aggregate lists its sources under it. No
//! `dateCreated`: the document depends only on its input.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::xml_text;

/// One feed in the list, with the feeds it is made of (for aggregates) as children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline<'a> {
    pub title: &'a str,
    /// The feed's own URL.
    pub xml_url: &'a str,
    /// The feed's web page.
    pub html_url: Option<&'a str>,
    /// `blog`, `podcast`, `aggregate` (see `FeedKind::as_str`), or none for a source.
    pub kind: Option<&'a str>,
    pub children: Vec<Outline<'a>>,
}

/// Renders an OPML 2.0 document listing `outlines` in the order given.
pub fn render(title: &str, outlines: &[Outline]) -> String {
    let mut writer = Writer::new(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = write_document(&mut writer, title, outlines);
    super::xml::layout(&writer.into_inner())
}

fn write_document(
    writer: &mut Writer<Vec<u8>>,
    title: &str,
    outlines: &[Outline],
) -> io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|writer| {
            writer
                .create_element("head")
                .write_inner_content(|writer| {
                    writer
                        .create_element("title")
                        .write_text_content(BytesText::new(&xml_text(title)))?;
                    Ok(())
                })?;
            writer
                .create_element("body")
                .write_inner_content(|writer| {
                    outlines
                        .iter()
                        .try_for_each(|outline| write_outline(writer, outline))
                })?;
            Ok(())
        })?;
    Ok(())
}

fn write_outline(writer: &mut Writer<Vec<u8>>, outline: &Outline) -> io::Result<()> {
    let title = xml_text(outline.title);
    let xml_url = xml_text(outline.xml_url);
    let html_url = outline.html_url.map(xml_text);
    let category = outline.kind.map(|kind| format!("/{}", xml_text(kind)));
    let mut attributes: Vec<(&str, &str)> = vec![
        ("text", &title),
        ("title", &title),
        ("type", "rss"),
        ("xmlUrl", &xml_url),
    ];
    if let Some(html_url) = &html_url {
        attributes.push(("htmlUrl", html_url));
    }
    if let Some(category) = &category {
        attributes.push(("category", category));
    }
    let element = writer.create_element("outline").with_attributes(attributes);
    if outline.children.is_empty() {
        element.write_empty()?;
    } else {
        element.write_inner_content(|writer| {
            outline
                .children
                .iter()
                .try_for_each(|child| write_outline(writer, child))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn sample() -> Vec<Outline<'static>> {
        vec![
            Outline {
                title: "Notes & <Sketches>",
                xml_url: "https://example.org/blog/feed.xml",
                html_url: Some("https://example.org/blog/"),
                kind: Some("blog"),
                children: vec![],
            },
            Outline {
                title: "Planet",
                xml_url: "https://example.org/planet/feed.xml",
                html_url: None,
                kind: Some("aggregate"),
                children: vec![Outline {
                    title: "Someone \"else\"",
                    xml_url: "https://other.example/feed?a=1&b=2",
                    html_url: None,
                    kind: None,
                    children: vec![],
                }],
            },
        ]
    }

    #[test]
    fn snapshot() {
        fixture::assert_snapshot("feeds.opml", &render("Example & Co", &sample()));
    }

    #[test]
    fn is_well_formed_and_escaped_with_nested_sources() {
        let opml = render("Example & Co", &sample());
        fixture::assert_well_formed(&opml);
        assert!(
            opml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">")
        );
        assert!(opml.contains("<title>Example &amp; Co</title>"));
        assert!(opml.contains("text=\"Notes &amp; &lt;Sketches&gt;\""));
        assert!(opml.contains(
            "    <outline text=\"Planet\" title=\"Planet\" type=\"rss\" xmlUrl=\"https://example.org/planet/feed.xml\" category=\"/aggregate\">\n      <outline text=\"Someone &quot;else&quot;\""
        ));
        assert!(opml.contains("xmlUrl=\"https://other.example/feed?a=1&amp;b=2\"/>"));
        assert!(opml.ends_with("</opml>\n"));
    }
}
