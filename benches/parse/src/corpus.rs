//! The benchmark corpus: a seeded generator of realistic feed documents.
//!
//! `generate` writes `feeds/` (the measured corpus: WordPress-style RSS 2.0 with
//! `content:encoded`, RSS 2.0 with entity-escaped HTML descriptions, Atom 1.0 with
//! escaped-HTML or XHTML content under `xml:base`, RSS 1.0, and podcasts with iTunes and
//! Podcasting 2.0 tags, including one large podcast feed of a few thousand episodes) and
//! `small/` (many small feeds for the many-files command line run). About one document
//! in seven is written in windows-1252 or ISO-8859-1 and says so in its XML declaration.
//! Every document is well-formed, so every parser measured reads every byte of it. The
//! same seed gives the same bytes.

use std::fmt::Write as _;
use std::path::Path;

use crate::prose::{self, Charset, HtmlStyle, Site};
use crate::rng::Rng;

/// What to generate.
pub struct Options {
    /// Size of `feeds/` in MB (10^6 bytes), reached or passed by the last document.
    pub megabytes: usize,
    /// Number of files in `small/`.
    pub small_files: usize,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Default)]
pub struct Summary {
    pub documents: usize,
    pub bytes: usize,
    pub entries: usize,
    pub non_utf8: usize,
    pub largest: usize,
    pub small_files: usize,
    pub small_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    WordPress,
    EscapedRss,
    Atom,
    Rdf,
    Podcast,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::WordPress => "rss2-wordpress",
            Kind::EscapedRss => "rss2-escaped",
            Kind::Atom => "atom1",
            Kind::Rdf => "rss1",
            Kind::Podcast => "podcast",
        }
    }
}

/// One generated document.
pub struct Document {
    pub name: String,
    pub bytes: Vec<u8>,
    pub entries: usize,
}

/// Writes the corpus under `dir`, replacing what a previous run left there.
pub fn generate(dir: &Path, options: &Options) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    for (folder, documents) in [
        ("feeds", feeds(options.seed, options.megabytes * 1_000_000)),
        ("small", small_feeds(options.seed, options.small_files)),
    ] {
        let folder = dir.join(folder);
        if folder.exists() {
            std::fs::remove_dir_all(&folder)?;
        }
        std::fs::create_dir_all(&folder)?;
        for document in documents {
            std::fs::write(folder.join(&document.name), &document.bytes)?;
            if folder.ends_with("small") {
                summary.small_files += 1;
                summary.small_bytes += document.bytes.len();
            } else {
                summary.documents += 1;
                summary.bytes += document.bytes.len();
                summary.entries += document.entries;
                summary.largest = summary.largest.max(document.bytes.len());
                if !document.name.contains("utf-8") {
                    summary.non_utf8 += 1;
                }
            }
        }
    }
    Ok(summary)
}

/// The measured corpus: documents until `total` bytes are reached.
pub fn feeds(seed: u64, total: usize) -> Vec<Document> {
    let mut rng = Rng::new(seed);
    let mut documents = Vec::new();
    let mut bytes = 0;
    // The largest document first, so that even a small corpus has one.
    let mut index = 0;
    while bytes < total || index == 0 {
        let mut doc_rng = rng.fork(index as u64);
        let kind = if index == 0 {
            Kind::Podcast
        } else {
            match doc_rng.range(0, 99) {
                0..=34 => Kind::WordPress,
                35..=49 => Kind::EscapedRss,
                50..=69 => Kind::Atom,
                70..=74 => Kind::Rdf,
                _ => Kind::Podcast,
            }
        };
        let charset = match doc_rng.range(0, 99) {
            0..=6 if index > 0 => Charset::Windows1252,
            7..=13 if index > 0 => Charset::Latin1,
            _ => Charset::Utf8,
        };
        let size = if index == 0 { Size::Huge } else { Size::Normal };
        let document = document(&mut doc_rng, index, kind, charset, size);
        bytes += document.bytes.len();
        documents.push(document);
        index += 1;
    }
    documents
}

/// Many small documents of every kind, for the many-files command line run.
pub fn small_feeds(seed: u64, count: usize) -> Vec<Document> {
    let mut rng = Rng::new(seed ^ 0x5a11);
    (0..count)
        .map(|index| {
            let mut doc_rng = rng.fork(index as u64);
            let kind = doc_rng.pick(&[
                Kind::WordPress,
                Kind::EscapedRss,
                Kind::Atom,
                Kind::Rdf,
                Kind::Podcast,
            ]);
            let charset = if doc_rng.chance(15) {
                Charset::Windows1252
            } else {
                Charset::Utf8
            };
            document(&mut doc_rng, index, kind, charset, Size::Small)
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Size {
    Small,
    Normal,
    Huge,
}

fn document(rng: &mut Rng, index: usize, kind: Kind, charset: Charset, size: Size) -> Document {
    let site = Site {
        host: format!(
            "{}.example.{}",
            prose::slug(rng),
            rng.pick(&["com", "org", "nl", "net"])
        ),
        path: if rng.chance(20) {
            "/blog".into()
        } else {
            String::new()
        },
    };
    let mut w = Writer {
        rng,
        site,
        charset,
        size,
        out: String::new(),
        entries: 0,
    };
    match kind {
        Kind::WordPress => w.wordpress(),
        Kind::EscapedRss => w.escaped_rss(),
        Kind::Atom => w.atom(),
        Kind::Rdf => w.rdf(),
        Kind::Podcast => w.podcast(),
    }
    let (label, bytes) = match charset {
        Charset::Utf8 => {
            let mut bytes = Vec::with_capacity(w.out.len() + 3);
            if index % 40 == 7 {
                bytes.extend_from_slice(b"\xEF\xBB\xBF");
            }
            bytes.extend_from_slice(w.out.as_bytes());
            ("utf-8", bytes)
        }
        Charset::Windows1252 => ("windows-1252", encode_legacy(&w.out)),
        Charset::Latin1 => ("iso-8859-1", encode_legacy(&w.out)),
    };
    Document {
        name: format!("{index:04}-{}-{label}.xml", kind.name()),
        bytes,
        entries: w.entries,
    }
}

/// windows-1252 bytes (identical to ISO-8859-1 for the Latin-1 prose of those documents).
fn encode_legacy(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    debug_assert!(!unmappable, "prose outside the document's encoding");
    bytes.into_owned()
}

struct Writer<'r> {
    rng: &'r mut Rng,
    site: Site,
    charset: Charset,
    size: Size,
    out: String,
    entries: usize,
}

impl Writer<'_> {
    fn declaration(&mut self) {
        let label = match self.charset {
            Charset::Utf8 => "UTF-8",
            Charset::Windows1252 => "windows-1252",
            Charset::Latin1 => "ISO-8859-1",
        };
        let _ = writeln!(self.out, "<?xml version=\"1.0\" encoding=\"{label}\"?>");
    }

    fn home(&self) -> String {
        format!("https://{}{}/", self.site.host, self.site.path)
    }

    fn entry_count(&mut self, normal: (usize, usize), huge: usize) -> usize {
        match self.size {
            Size::Small => self.rng.range(1, 5),
            Size::Normal => self.rng.range(normal.0, normal.1),
            Size::Huge => huge,
        }
    }

    /// Size of one entry's HTML: 2–8 KB, smaller in the small documents.
    fn html_size(&mut self) -> usize {
        match self.size {
            Size::Small => self.rng.range(200, 1_500),
            _ => self.rng.range(2_000, 8_000),
        }
    }

    fn html(&mut self, target: usize, xml_safe: bool) -> String {
        let style = HtmlStyle {
            charset: self.charset,
            xml_safe,
            relative_percent: 25,
        };
        prose::html_body(self.rng, &self.site, style, target)
    }

    fn title(&mut self) -> String {
        prose::escape(&prose::title(self.rng, self.charset))
    }

    fn text(&mut self, words: usize) -> String {
        prose::escape(&prose::sentences(self.rng, self.charset, words))
    }

    fn wordpress(&mut self) {
        self.declaration();
        let home = self.home();
        self.out.push_str("<rss version=\"2.0\"\n\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\txmlns:atom=\"http://www.w3.org/2005/Atom\"\n\txmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"\n\txmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"\n\t>\n\n<channel>\n");
        let title = self.title();
        let description = self.text(12);
        let mut time = Time::start(self.rng);
        let _ = write!(
            self.out,
            "\t<title>{title}</title>\n\t<atom:link href=\"{home}feed/\" rel=\"self\" type=\"application/rss+xml\" />\n\t<link>{home}</link>\n\t<description>{description}</description>\n\t<lastBuildDate>{}</lastBuildDate>\n\t<language>{}</language>\n\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n\t<generator>https://wordpress.org/?v=6.4.3</generator>\n",
            time.rfc822(self.rng),
            self.rng.pick(&["en-US", "nl-NL", "en-GB", "de-DE"]),
        );
        let _ = write!(
            self.out,
            "<image>\n\t<url>{home}wp-content/uploads/2021/01/cropped-icon-32x32.png</url>\n\t<title>{title}</title>\n\t<link>{home}</link>\n\t<width>32</width>\n\t<height>32</height>\n</image> \n"
        );
        for _ in 0..self.entry_count((10, 40), 0) {
            self.entries += 1;
            let id = self.rng.range(10, 99_999);
            let slug = prose::slug(self.rng);
            let title = self.title();
            let author = prose::escape(&prose::title(self.rng, self.charset));
            let date = time.rfc822(self.rng);
            let size = self.html_size();
            let html = self.html(size, false);
            let excerpt = prose::escape(&prose::excerpt(self.rng, self.charset, 300));
            let _ = write!(
                self.out,
                "\t<item>\n\t\t<title>{title}</title>\n\t\t<link>{home}{slug}/</link>\n\t\t<comments>{home}{slug}/#respond</comments>\n\t\t<dc:creator><![CDATA[{author}]]></dc:creator>\n\t\t<pubDate>{date}</pubDate>\n"
            );
            for _ in 0..self.rng.range(1, 4) {
                let category = prose::word(self.rng, self.charset);
                let _ = writeln!(self.out, "\t\t<category><![CDATA[{category}]]></category>");
            }
            let _ = write!(
                self.out,
                "\t\t<guid isPermaLink=\"false\">{home}?p={id}</guid>\n\n\t\t\t\t\t<description><![CDATA[{excerpt} [&#8230;]]]></description>\n\t\t\t\t\t\t\t\t\t\t<content:encoded><![CDATA[{html}]]></content:encoded>\n\t\t\t\t\t\n\t\t\t\t\t<wfw:commentRss>{home}{slug}/feed/</wfw:commentRss>\n\t\t\t<slash:comments>{}</slash:comments>\n\t\t\t\t\t\t\t\n\t\t\t\t\t\t\n\t\t\t\t\t</item>\n",
                self.rng.range(0, 40)
            );
        }
        self.out.push_str("\t</channel>\n</rss>\n");
    }

    /// RSS 2.0 whose HTML is entity-escaped in `description` (Blogger, Medium, many
    /// static site generators).
    fn escaped_rss(&mut self) {
        self.declaration();
        let home = self.home();
        self.out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n  <channel>\n");
        let title = self.title();
        let description = self.text(20);
        let mut time = Time::start(self.rng);
        let _ = write!(
            self.out,
            "    <title>{title}</title>\n    <link>{home}</link>\n    <description>{description}</description>\n    <generator>Hugo -- gohugo.io</generator>\n    <language>en-us</language>\n    <managingEditor>editor@{host} (The Editor)</managingEditor>\n    <copyright>© 2024 {title}</copyright>\n    <lastBuildDate>{}</lastBuildDate>\n    <atom:link href=\"{home}index.xml\" rel=\"self\" type=\"application/rss+xml\" />\n",
            time.rfc822(self.rng),
            host = self.site.host,
        );
        for _ in 0..self.entry_count((10, 40), 0) {
            self.entries += 1;
            let title = self.title();
            let slug = prose::slug(self.rng);
            let date = time.rfc822(self.rng);
            let size = self.html_size();
            let html = prose::escape(&self.html(size, false));
            let _ = write!(
                self.out,
                "    <item>\n      <title>{title}</title>\n      <link>{home}posts/{slug}/</link>\n      <pubDate>{date}</pubDate>\n      <guid>{home}posts/{slug}/</guid>\n      <description>{html}</description>\n"
            );
            if self.rng.chance(50) {
                let creator = prose::escape(&prose::title(self.rng, self.charset));
                let _ = writeln!(self.out, "      <dc:creator>{creator}</dc:creator>");
            }
            self.out.push_str("    </item>\n");
        }
        self.out.push_str("  </channel>\n</rss>\n");
    }

    fn atom(&mut self) {
        self.declaration();
        let home = self.home();
        let lang = self.rng.pick(&["en", "nl", "en-GB"]);
        let title = self.title();
        let mut time = Time::start(self.rng);
        let subtitle = prose::escape(&format!("<em>{}</em>", self.text(8)));
        let _ = write!(
            self.out,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\" xml:base=\"{home}\">\n  <id>tag:{host},2005:/feed</id>\n  <title type=\"text\">{title}</title>\n  <subtitle type=\"html\">{}</subtitle>\n  <updated>{}</updated>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{home}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{home}feed.atom\"/>\n  <generator uri=\"https://gohugo.io/\" version=\"0.121\">Hugo</generator>\n  <author>\n    <name>{}</name>\n    <uri>{home}about/</uri>\n  </author>\n  <icon>/favicon.ico</icon>\n",
            subtitle,
            time.rfc3339(self.rng),
            prose::escape(&prose::title(self.rng, self.charset)),
            host = self.site.host,
        );
        let xhtml = self.rng.chance(25);
        for _ in 0..self.entry_count((10, 40), 0) {
            self.entries += 1;
            let title = self.title();
            let slug = prose::slug(self.rng);
            let updated = time.rfc3339(self.rng);
            let id = self.rng.range(1_000, 9_999_999);
            let size = self.html_size();
            let summary = prose::escape(&prose::excerpt(self.rng, self.charset, 250));
            let _ = write!(
                self.out,
                "  <entry>\n    <id>tag:{host},2005:Post/{id}</id>\n    <published>{updated}</published>\n    <updated>{updated}</updated>\n    <link rel=\"alternate\" type=\"text/html\" href=\"posts/{slug}/\"/>\n    <title type=\"html\">{title}</title>\n",
                host = self.site.host,
            );
            for _ in 0..self.rng.range(0, 3) {
                let term = prose::escape_attr(prose::word(self.rng, self.charset));
                let _ = writeln!(self.out, "    <category term=\"{term}\"/>");
            }
            let _ = writeln!(self.out, "    <summary type=\"text\">{summary}</summary>");
            if xhtml {
                let html = self.html(size, true);
                let _ = writeln!(
                    self.out,
                    "    <content type=\"xhtml\" xml:base=\"{home}posts/{slug}/\"><div xmlns=\"http://www.w3.org/1999/xhtml\">{html}</div></content>"
                );
            } else {
                let html = prose::escape(&self.html(size, false));
                let _ = writeln!(self.out, "    <content type=\"html\">{html}</content>");
            }
            self.out.push_str("  </entry>\n");
        }
        self.out.push_str("</feed>\n");
    }

    fn rdf(&mut self) {
        self.declaration();
        let home = self.home();
        let title = self.title();
        let description = self.text(15);
        let count = self.entry_count((10, 30), 0);
        let slugs: Vec<String> = (0..count).map(|_| prose::slug(self.rng)).collect();
        let _ = write!(
            self.out,
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel rdf:about=\"{home}index.rdf\">\n<title>{title}</title>\n<link>{home}</link>\n<description>{description}</description>\n<dc:language>en</dc:language>\n<items>\n<rdf:Seq>\n"
        );
        for slug in &slugs {
            let _ = writeln!(self.out, "<rdf:li rdf:resource=\"{home}{slug}.html\" />");
        }
        self.out.push_str("</rdf:Seq>\n</items>\n</channel>\n");
        let mut time = Time::start(self.rng);
        for slug in &slugs {
            self.entries += 1;
            let title = self.title();
            let summary = self.text(40);
            let date = time.w3cdtf(self.rng);
            let creator = prose::escape(&prose::title(self.rng, self.charset));
            let size = self.html_size();
            let html = self.html(size, false);
            let _ = write!(
                self.out,
                "<item rdf:about=\"{home}{slug}.html\">\n<title>{title}</title>\n<link>{home}{slug}.html</link>\n<description>{summary}</description>\n<dc:creator>{creator}</dc:creator>\n<dc:date>{date}</dc:date>\n<content:encoded><![CDATA[{html}]]></content:encoded>\n</item>\n"
            );
        }
        self.out.push_str("</rdf:RDF>\n");
    }

    /// A podcast as the big hosts publish it: iTunes tags on channel and items,
    /// Podcasting 2.0 tags (under either of its namespace URIs), show notes in both
    /// `description` and `content:encoded`.
    fn podcast(&mut self) {
        self.declaration();
        let home = self.home();
        let podcast_ns = if self.rng.chance(80) {
            "https://podcastindex.org/namespace/1.0"
        } else {
            "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
        };
        let _ = write!(
            self.out,
            "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:podcast=\"{podcast_ns}\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n"
        );
        let title = self.title();
        let author = prose::escape(&prose::title(self.rng, self.charset));
        let summary = self.text(60);
        let mut time = Time::start(self.rng);
        let explicit = self.rng.pick(&["yes", "no", "true", "false", "clean"]);
        let guid = format!(
            "{:08x}-{:04x}-5{:03x}-a{:03x}-{:012x}",
            self.rng.next() as u32,
            self.rng.next() as u16,
            self.rng.next() % 0x1000,
            self.rng.next() % 0x1000,
            self.rng.next() % 0x1_0000_0000_0000
        );
        let _ = write!(
            self.out,
            "<atom:link href=\"https://feeds.{host}/podcast.rss\" rel=\"self\" type=\"application/rss+xml\"/>\n<title>{title}</title>\n<link>{home}</link>\n<language>{}</language>\n<copyright>{author}</copyright>\n<description><![CDATA[<p>{summary}</p>]]></description>\n<lastBuildDate>{}</lastBuildDate>\n<generator>Podcast host</generator>\n<image>\n<url>https://img.{host}/show/cover-3000.jpg</url>\n<title>{title}</title>\n<link>{home}</link>\n</image>\n<itunes:author>{author}</itunes:author>\n<itunes:summary>{summary}</itunes:summary>\n<itunes:type>{}</itunes:type>\n<itunes:owner>\n<itunes:name>{author}</itunes:name>\n<itunes:email>shows@{host}</itunes:email>\n</itunes:owner>\n<itunes:explicit>{explicit}</itunes:explicit>\n<itunes:image href=\"https://img.{host}/show/cover-3000.jpg\"/>\n<itunes:category text=\"Society &amp; Culture\">\n<itunes:category text=\"Documentary\"/>\n</itunes:category>\n<itunes:category text=\"Technology\"/>\n<podcast:guid>{guid}</podcast:guid>\n<podcast:locked owner=\"shows@{host}\">yes</podcast:locked>\n<podcast:funding url=\"https://www.patreon.com/{slug}\">Support the show</podcast:funding>\n<podcast:person role=\"host\" img=\"https://img.{host}/host.jpg\" href=\"{home}about\">{author}</podcast:person>\n<podcast:medium>podcast</podcast:medium>\n",
            self.rng.pick(&["en", "en-us", "nl", "de"]),
            time.rfc822(self.rng),
            self.rng.pick(&["episodic", "serial"]),
            host = self.site.host,
            slug = prose::slug(self.rng),
        );
        let count = self.entry_count((10, 120), 1_500);
        let season_length = self.rng.range(8, 30);
        for number in (1..=count).rev() {
            self.entries += 1;
            let title = self.title();
            let notes_size = match self.size {
                Size::Small => self.rng.range(200, 1_000),
                _ => self.rng.range(500, 3_000),
            };
            let notes = self.html(notes_size, false);
            let date = time.rfc822(self.rng);
            let seconds = self.rng.range(300, 3 * 3600);
            let duration = match self.rng.range(0, 3) {
                0 => seconds.to_string(),
                1 => format!("{}:{:02}", seconds / 60, seconds % 60),
                2 => format!(
                    "{:02}:{:02}:{:02}",
                    seconds / 3600,
                    seconds / 60 % 60,
                    seconds % 60
                ),
                _ => format!(
                    " {}:{:02}:{:02} ",
                    seconds / 3600,
                    seconds / 60 % 60,
                    seconds % 60
                ),
            };
            let length = seconds * 16_000 + self.rng.range(0, 9_999);
            let id = self.rng.next();
            let season = (number - 1) / season_length + 1;
            let kind = if number == 1 && self.rng.chance(30) {
                "trailer"
            } else if self.rng.chance(5) {
                "bonus"
            } else {
                "full"
            };
            let explicit = if self.rng.chance(10) { "true" } else { "false" };
            let _ = write!(
                self.out,
                "<item>\n<title>{title}</title>\n<itunes:title>{title}</itunes:title>\n<description><![CDATA[{notes}]]></description>\n<link>{home}episodes/{number}</link>\n<guid isPermaLink=\"false\">{id:016x}</guid>\n<pubDate>{date}</pubDate>\n<enclosure url=\"https://media.{host}/{id:016x}.mp3?source=feed&amp;aid={number}\" length=\"{length}\" type=\"audio/mpeg\"/>\n<itunes:duration>{duration}</itunes:duration>\n<itunes:episode>{number}</itunes:episode>\n<itunes:season>{season}</itunes:season>\n<itunes:episodeType>{kind}</itunes:episodeType>\n<itunes:explicit>{explicit}</itunes:explicit>\n<itunes:image href=\"https://img.{host}/episodes/{number}.jpg\"/>\n<podcast:season>{season}</podcast:season>\n<podcast:episode>{number}</podcast:episode>\n<podcast:transcript url=\"https://media.{host}/{id:016x}.vtt\" type=\"text/vtt\" language=\"en\" rel=\"captions\"/>\n<podcast:chapters url=\"https://media.{host}/{id:016x}.json\" type=\"application/json+chapters\"/>\n",
                host = self.site.host,
            );
            if self.rng.chance(40) {
                let guest = prose::escape(&prose::title(self.rng, self.charset));
                let _ = writeln!(
                    self.out,
                    "<podcast:person role=\"guest\" href=\"{home}guests/{number}\">{guest}</podcast:person>"
                );
            }
            if self.rng.chance(60) {
                let _ = writeln!(
                    self.out,
                    "<content:encoded><![CDATA[{notes}]]></content:encoded>"
                );
            }
            self.out.push_str("</item>\n");
        }
        self.out.push_str("</channel>\n</rss>\n");
    }
}

/// Entry dates: newest first, a few hours to a few weeks apart.
struct Time {
    seconds: i64,
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Time {
    fn start(rng: &mut Rng) -> Time {
        // Somewhere in 2024–2026.
        Time {
            seconds: 1_704_067_200 + rng.range(0, 3 * 365 * 86_400) as i64,
        }
    }

    /// Moves back in time and returns the new instant as (UTC seconds, offset in minutes).
    fn step(&mut self, rng: &mut Rng) -> (i64, i64) {
        self.seconds -= rng.range(3_600, 21 * 86_400) as i64;
        let offset = rng.pick(&[0, 0, 0, 60, 120, -300, -240, 330]);
        (self.seconds, offset)
    }

    fn rfc822(&mut self, rng: &mut Rng) -> String {
        let (utc, offset) = self.step(rng);
        let zone = match (offset, rng.range(0, 3)) {
            (0, 0) => "GMT".to_string(),
            (0, 1) => "+0000".to_string(),
            _ => numeric_zone(offset, ""),
        };
        rfc822_at(utc + offset * 60, &zone)
    }

    fn rfc3339(&mut self, rng: &mut Rng) -> String {
        let (utc, offset) = self.step(rng);
        let zone = if offset == 0 {
            "Z".to_string()
        } else {
            numeric_zone(offset, ":")
        };
        let fraction = if rng.chance(30) { ".000" } else { "" };
        rfc3339_at(utc + offset * 60, fraction, &zone)
    }

    fn w3cdtf(&mut self, rng: &mut Rng) -> String {
        let stamp = self.rfc3339(rng);
        stamp.replace(".000", "")
    }
}

/// `+0100`, `-05:00`: an offset in minutes as RFC 822 (`separator` empty) or RFC 3339
/// (`:`) write it.
fn numeric_zone(offset: i64, separator: &str) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{sign}{:02}{separator}{:02}",
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// An RFC 822 date for local time `local` (seconds since the epoch, offset applied).
fn rfc822_at(local: i64, zone: &str) -> String {
    let days = local.div_euclid(86_400);
    let (year, month, day) = civil(days);
    let second = local.rem_euclid(86_400);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} {zone}",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[month as usize - 1],
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// An RFC 3339 date for local time `local`.
fn rfc3339_at(local: i64, fraction: &str, zone: &str) -> String {
    let (year, month, day) = civil(local.div_euclid(86_400));
    let second = local.rem_euclid(86_400);
    format!(
        "{year}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}{zone}",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(civil(-1), (1969, 12, 31));
    }

    #[test]
    fn dates_are_written_as_the_specs_spell_them() {
        // 2024-03-05 14:03:00 UTC, a Tuesday.
        assert_eq!(
            rfc822_at(1_709_647_380, "GMT"),
            "Tue, 05 Mar 2024 14:03:00 GMT"
        );
        assert_eq!(
            rfc822_at(1_709_647_380 - 300 * 60, &numeric_zone(-300, "")),
            "Tue, 05 Mar 2024 09:03:00 -0500"
        );
        assert_eq!(
            rfc3339_at(1_709_647_380 + 330 * 60, ".000", &numeric_zone(330, ":")),
            "2024-03-05T19:33:00.000+05:30"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_corpus() {
        // Past the first, large document, so that every kind of feed is drawn.
        let a = feeds(42, 9_000_000);
        let b = feeds(42, 9_000_000);
        assert!(a.len() > 5, "{} documents", a.len());
        assert_eq!(a.len(), b.len());
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.name == y.name && x.bytes == y.bytes)
        );
        let c = feeds(43, 9_000_000);
        assert_ne!(a[0].bytes, c[0].bytes);
        assert_ne!(a[1].bytes, c[1].bytes);
    }

    #[test]
    fn every_document_reads_cleanly_with_its_entries() {
        let options = omroep::ingest::feed::ParseOptions::default();
        let feed_rs = feed_rs::parser::Builder::new().build();
        for document in feeds(7, 9_000_000).iter().chain(&small_feeds(7, 60)) {
            let feed = omroep::ingest::feed::parse(&document.bytes, &options)
                .unwrap_or_else(|error| panic!("{}: {error}", document.name));
            assert_eq!(feed.warnings, Vec::<String>::new(), "{}", document.name);
            assert_eq!(feed.entries.len(), document.entries, "{}", document.name);
            let theirs = feed_rs
                .parse(document.bytes.as_slice())
                .unwrap_or_else(|error| panic!("feed-rs, {}: {error}", document.name));
            assert_eq!(theirs.entries.len(), document.entries, "{}", document.name);
        }
    }

    #[test]
    fn legacy_documents_are_really_in_their_encoding() {
        let documents = feeds(1, 20_000_000);
        let legacy: Vec<&Document> = documents
            .iter()
            .filter(|d| !d.name.contains("utf-8"))
            .collect();
        assert!(!legacy.is_empty(), "no windows-1252 or ISO-8859-1 document");
        for document in legacy {
            assert!(
                std::str::from_utf8(&document.bytes).is_err(),
                "{} is valid UTF-8",
                document.name
            );
            let head = String::from_utf8_lossy(&document.bytes[..60]);
            assert!(
                head.contains("windows-1252") || head.contains("ISO-8859-1"),
                "{head}"
            );
        }
    }
}
