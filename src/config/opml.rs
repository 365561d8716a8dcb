//! Reads the feed URLs out of an OPML file (`<outline xmlUrl="…">` at any depth), for
//! `[[source]] opml = "…"`. Only the URLs matter to omroep; titles and folders are the
//! subscription reader's business.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

use super::values::HttpUrl;

/// Reads at most this much: an OPML file of subscriptions is kilobytes, not megabytes.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// Every `xmlUrl` of an `outline`, in document order, without duplicates.
pub fn feed_urls(text: &str) -> Result<Vec<url::Url>, String> {
    let mut reader = Reader::from_str(text);
    let mut urls: Vec<url::Url> = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|error| {
            format!(
                "not well-formed XML at byte {} ({error})",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name();
                let name = name.as_ref();
                if name.eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                }
                if !name.eq_ignore_ascii_case("outline") {
                    continue;
                }
                for attribute in element.attributes() {
                    let attribute =
                        attribute.map_err(|error| format!("a broken attribute ({error})"))?;
                    if !attribute
                        .key
                        .local_name()
                        .as_ref()
                        .eq_ignore_ascii_case("xmlurl")
                    {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|error| format!("a broken xmlUrl value ({error})"))?;
                    let url = HttpUrl::parse(&value)
                        .map_err(|error| format!("outline xmlUrl: {error}"))?
                        .0;
                    if !urls.contains(&url) {
                        urls.push(url);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        return Err("not an OPML document (no <opml> element)".into());
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_outlines() {
        let text = r#"<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Friends">
    <outline type="rss" text="A" xmlUrl="https://a.example/feed.xml"/>
    <outline type="rss" text="B &amp; C" xmlUrl="https://b.example/rss?x=1&amp;y=2"></outline>
  </outline>
  <outline type="rss" text="A again" xmlUrl="https://a.example/feed.xml"/>
</body></opml>"#;
        let urls = feed_urls(text).unwrap();
        let urls: Vec<&str> = urls.iter().map(|url| url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://a.example/feed.xml",
                "https://b.example/rss?x=1&y=2"
            ]
        );
    }

    #[test]
    fn refuses_non_http_urls_and_non_opml() {
        let text = r#"<opml><body><outline xmlUrl="file:///etc/passwd"/></body></opml>"#;
        assert!(feed_urls(text).unwrap_err().contains("not an http(s) URL"));
        assert!(feed_urls("<rss/>").unwrap_err().contains("not an OPML"));
        assert!(feed_urls("<opml><body>").is_ok());
        assert!(feed_urls("<opml><outline xmlUrl=\"x").is_err());
    }
}
