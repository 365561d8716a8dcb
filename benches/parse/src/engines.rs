//! The four parsers measured on the same bytes: a bare quick-xml tokenizing pass (the
//! floor: the bytes decoded to UTF-8 as the XML declaration says, as quick-xml 0.42
//! requires, then every event read and nothing built), feed-rs with and without its ammonia
//! sanitiser, and omroep's own `ingest::feed::parse` — decoding, lenient reading,
//! mapping, dates, plain text, sanitised HTML with absolute URLs and identities, exactly
//! what `omroep parse --json` does before printing.

use std::hint::black_box;

use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    QuickXml,
    FeedRsSanitised,
    FeedRs,
    Omroep,
}

pub const ALL: [Engine; 4] = [
    Engine::QuickXml,
    Engine::FeedRsSanitised,
    Engine::FeedRs,
    Engine::Omroep,
];

/// What one parse produced: enough to check the engines agree, and to keep the
/// optimiser from dropping the work.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcome {
    /// Entries (items) for the feed parsers, events for quick-xml.
    pub count: usize,
    /// Warnings omroep reported; 0 for the others.
    pub warnings: usize,
}

impl Engine {
    /// The name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Engine::QuickXml => "quick-xml",
            Engine::FeedRsSanitised => "feed-rs-sanitise",
            Engine::FeedRs => "feed-rs",
            Engine::Omroep => "omroep",
        }
    }

    /// The name in the report.
    pub fn label(self) -> &'static str {
        match self {
            Engine::QuickXml => "(a) quick-xml 0.42, decode + bare tokenizing pass",
            Engine::FeedRsSanitised => "(b) feed-rs 3, sanitising (baseline)",
            Engine::FeedRs => "(c) feed-rs 3, no sanitising",
            Engine::Omroep => "(d) omroep ingest::feed::parse",
        }
    }

    pub fn from_key(key: &str) -> Option<Engine> {
        ALL.into_iter().find(|engine| engine.key() == key)
    }
}

/// An engine ready to parse: feed-rs parsers are built once, as an application would.
pub struct Parser {
    pub engine: Engine,
    feed_rs: Option<feed_rs::parser::Parser>,
    options: omroep::ingest::feed::ParseOptions,
}

impl Parser {
    pub fn new(engine: Engine) -> Parser {
        let feed_rs = match engine {
            Engine::FeedRsSanitised => Some(
                feed_rs::parser::Builder::new()
                    .sanitize_content(true)
                    .build(),
            ),
            Engine::FeedRs => Some(
                feed_rs::parser::Builder::new()
                    .sanitize_content(false)
                    .build(),
            ),
            _ => None,
        };
        Parser {
            engine,
            feed_rs,
            options: omroep::ingest::feed::ParseOptions::default(),
        }
    }

    /// Parses one document; the error is the parser's own message.
    pub fn parse(&self, bytes: &[u8]) -> Result<Outcome, String> {
        match (self.engine, &self.feed_rs) {
            (Engine::QuickXml, _) => tokenize(bytes),
            (Engine::FeedRsSanitised | Engine::FeedRs, Some(parser)) => {
                let feed = parser.parse(bytes).map_err(|error| error.to_string())?;
                let count = feed.entries.len();
                black_box(feed);
                Ok(Outcome { count, warnings: 0 })
            }
            (Engine::FeedRsSanitised | Engine::FeedRs, None) => {
                Err("feed-rs parser not built".into())
            }
            (Engine::Omroep, _) => {
                let feed = omroep::ingest::feed::parse(bytes, &self.options)
                    .map_err(|error| error.to_string())?;
                let outcome = Outcome {
                    count: feed.entries.len(),
                    warnings: feed.warnings.len(),
                };
                black_box(feed);
                Ok(outcome)
            }
        }
    }
}

/// Decodes a document as its BOM or XML declaration says (UTF-8 by default; valid UTF-8
/// is borrowed, not copied), then reads every event with quick-xml's default
/// configuration and builds nothing.
fn tokenize(bytes: &[u8]) -> Result<Outcome, String> {
    let (encoding, skip) = sniff_encoding(bytes);
    let (text, malformed) = encoding.decode_without_bom_handling(&bytes[skip..]);
    if malformed {
        return Err(format!("not valid {}", encoding.name()));
    }
    let mut reader = Reader::from_str(&text);
    let mut count = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => {
                black_box(&event);
                count += 1;
            }
            Err(error) => return Err(format!("at byte {}: {error}", reader.buffer_position())),
        }
    }
    Ok(Outcome { count, warnings: 0 })
}

/// The encoding a BOM or the XML declaration names, and the length of the BOM.
fn sniff_encoding(bytes: &[u8]) -> (&'static encoding_rs::Encoding, usize) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return (encoding, bom);
    }
    let head = &bytes[..bytes.len().min(256)];
    let declared = head.strip_prefix(b"<?xml").and_then(|rest| {
        let end = rest.windows(2).position(|w| w == b"?>")?;
        let declaration = &rest[..end];
        let at = declaration.windows(8).position(|w| w == b"encoding")?;
        let value = declaration[at + 8..]
            .trim_ascii_start()
            .strip_prefix(b"=")?
            .trim_ascii_start();
        let quote = *value.first()?;
        let value = &value[1..];
        let close = value.iter().position(|&b| b == quote)?;
        encoding_rs::Encoding::for_label(&value[..close])
    });
    (declared.unwrap_or(encoding_rs::UTF_8), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
        <item><title>One</title><description>&lt;p&gt;Hi &lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</description></item>
        <item><title>Two</title></item></channel></rss>"#;

    #[test]
    fn every_engine_reads_a_small_feed() {
        for engine in ALL {
            let outcome = Parser::new(engine)
                .parse(RSS.as_bytes())
                .unwrap_or_else(|error| panic!("{}: {error}", engine.key()));
            match engine {
                Engine::QuickXml => assert!(outcome.count > 10, "{outcome:?}"),
                _ => assert_eq!(outcome.count, 2, "{}", engine.key()),
            }
        }
    }

    #[test]
    fn the_tokenizer_decodes_what_the_declaration_names() {
        let latin1 = b"<?xml version='1.0' encoding=\"ISO-8859-1\"?><a>caf\xe9</a>";
        assert_eq!(sniff_encoding(latin1).0, encoding_rs::WINDOWS_1252);
        assert_eq!(tokenize(latin1).unwrap().count, 4);
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBF<a/>"), (encoding_rs::UTF_8, 3));
        assert_eq!(sniff_encoding(b"<a/>").0, encoding_rs::UTF_8);
        assert!(
            tokenize(b"<a>caf\xe9</a>").is_err(),
            "undeclared Latin-1 is not UTF-8"
        );
    }

    #[test]
    fn broken_xml_is_an_error_for_the_tokenizer() {
        assert!(tokenize(b"<rss><channel></rss>").is_err());
    }

    #[test]
    fn keys_round_trip() {
        for engine in ALL {
            assert_eq!(Engine::from_key(engine.key()), Some(engine));
        }
        assert_eq!(Engine::from_key("nope"), None);
    }
}
