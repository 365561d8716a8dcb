//! The benchmark corpus: deterministic, realistic feeds (blogs as RSS 2.0 and Atom 1.0,
//! podcasts as RSS 2.0 with the iTunes and Podcasting 2.0 namespaces), 20–100 entries
//! each, with HTML bodies of a size chosen to reach a total byte target.

use std::fmt::Write;

/// A small xorshift generator: the same seed always gives the same corpus.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "the", "a", "of", "and", "to", "in", "is", "that", "for", "it", "with", "as", "was", "on",
    "podcast", "episode", "feed", "listen", "story", "radio", "voice", "studio", "microphone",
    "interview", "guest", "host", "season", "music", "sound", "editing", "recording", "show",
    "writer", "blog", "post", "garden", "bicycle", "city", "river", "morning", "evening",
    "coffee", "library", "window", "weather", "autumn", "winter", "spring", "summer", "train",
    "journey", "letter", "notebook", "kitchen", "bread", "market", "neighbour", "language",
    "Amsterdam", "Utrecht", "Rotterdam", "omroep", "archive", "history", "future", "small",
    "quiet", "bright", "careful", "honest", "strange", "simple", "early", "late", "long",
    "short", "because", "although", "however", "perhaps", "always", "never", "sometimes",
    "we", "they", "you", "I", "she", "he", "our", "their", "my", "your", "this", "those",
    "write", "read", "speak", "think", "build", "find", "remember", "forget", "carry",
    "open", "close", "begin", "finish", "change", "keep", "lose", "learn", "teach", "café",
    "naïve", "façade", "coöperatie", "über", "smörgåsbord", "crème", "brûlée", "Zürich",
];

/// One generated feed.
pub struct FeedDoc {
    /// Path on the server, `/feeds/<n>.xml`.
    pub path: String,
    pub xml: Vec<u8>,
    pub entries: usize,
}

fn words(rng: &mut Rng, n: usize, out: &mut String) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
}

fn paragraph_html(rng: &mut Rng, out: &mut String) {
    out.push_str("<p>");
    let n = 40 + rng.below(40) as usize;
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        let word = WORDS[rng.below(WORDS.len() as u64) as usize];
        match rng.below(25) {
            0 => {
                let _ = write!(out, "<a href=\"/notes/{}\">{word}</a>", rng.below(5000));
            }
            1 => {
                let _ = write!(out, "<em>{word}</em>");
            }
            2 => out.push_str("&amp;"),
            _ => out.push_str(word),
        }
    }
    out.push_str(".</p>\n");
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Days since 1970-01-01 of 2024-12-31: the newest date in the corpus.
const NEWEST: i64 = 20_088;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn rfc822(day: u64) -> String {
    let days = NEWEST - day as i64;
    let (year, month, date) = civil(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    format!(
        "{weekday}, {date:02} {} {year} 09:00:00 +0000",
        MONTHS[month as usize - 1]
    )
}

fn rfc3339(day: u64) -> String {
    let (year, month, date) = civil(NEWEST - day as i64);
    format!("{year}-{month:02}-{date:02}T09:00:00Z")
}

/// Year, month and day of a day count since 1970-01-01 (the proleptic Gregorian
/// calendar, after Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_have_the_right_weekday() {
        assert_eq!(super::rfc822(0), "Tue, 31 Dec 2024 09:00:00 +0000");
        assert_eq!(super::rfc822(366), "Sun, 31 Dec 2023 09:00:00 +0000");
        assert_eq!(super::rfc3339(30), "2024-12-01T09:00:00Z");
    }
}

/// Generates `count` feeds averaging about `target_bytes / count` bytes each.
pub fn generate(count: usize, target_bytes: usize, base: &str) -> Vec<FeedDoc> {
    let per_feed = target_bytes / count.max(1);
    // About 60 entries a feed and ~420 bytes a paragraph (measured on the output).
    let paragraphs = (per_feed / 60 / 420).max(1) as u64;
    (0..count)
        .map(|index| {
            let mut rng = Rng::new(index as u64 + 1);
            let entries = 20 + rng.below(81) as usize;
            let kind = index % 5;
            let xml = match kind {
                0 | 1 => rss_blog(&mut rng, index, entries, paragraphs, base),
                2 => atom_blog(&mut rng, index, entries, paragraphs, base),
                _ => podcast(&mut rng, index, entries, paragraphs, base),
            };
            FeedDoc {
                path: format!("/feeds/{index}.xml"),
                xml: xml.into_bytes(),
                entries,
            }
        })
        .collect()
}

fn body(rng: &mut Rng, paragraphs: u64) -> String {
    let mut html = String::new();
    for _ in 0..(paragraphs / 2 + rng.below(paragraphs + 1)) {
        paragraph_html(rng, &mut html);
    }
    html
}

fn summary(rng: &mut Rng) -> String {
    let mut text = String::new();
    let n = 30 + rng.below(20) as usize;
    words(rng, n, &mut text);
    text
}

fn title(rng: &mut Rng) -> String {
    let mut title = String::new();
    let n = 3 + rng.below(6) as usize;
    words(rng, n, &mut title);
    title
}

fn rss_blog(rng: &mut Rng, index: usize, entries: usize, paragraphs: u64, base: &str) -> String {
    let mut xml = String::new();
    let site = format!("https://blog{index}.example");
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>Blog {index}: {}</title>\n\
         <link>{site}/</link>\n<atom:link rel=\"self\" href=\"{base}/feeds/{index}.xml\" \
         type=\"application/rss+xml\"/>\n<description>{}</description>\n<language>en</language>\n\
         <lastBuildDate>{}</lastBuildDate>\n",
        escape(&title(rng)),
        escape(&title(rng)),
        rfc822(0)
    );
    for n in 0..entries {
        let day = (n as u64) * 3 + rng.below(3);
        let html = body(rng, paragraphs);
        let _ = write!(
            xml,
            "<item>\n<title>{}</title>\n<link>{site}/posts/{n}/</link>\n\
             <guid isPermaLink=\"true\">{site}/posts/{n}/</guid>\n<pubDate>{}</pubDate>\n\
             <dc:creator>Author {index}</dc:creator>\n<category>notes</category>\n\
             <description>{}</description>\n<content:encoded><![CDATA[{html}]]></content:encoded>\n</item>\n",
            escape(&title(rng)),
            rfc822(day),
            escape(&summary(rng)),
        );
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

fn atom_blog(rng: &mut Rng, index: usize, entries: usize, paragraphs: u64, base: &str) -> String {
    let mut xml = String::new();
    let site = format!("https://journal{index}.example");
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xml:lang=\"nl\">\n<title>Journal {index}: {}</title>\n<id>tag:journal{index}.example,2024:feed</id>\n\
         <link rel=\"alternate\" href=\"{site}/\"/>\n<link rel=\"self\" href=\"{base}/feeds/{index}.xml\"/>\n\
         <updated>{}</updated>\n<author><name>Writer {index}</name></author>\n",
        escape(&title(rng)),
        rfc3339(0)
    );
    for n in 0..entries {
        let day = (n as u64) * 4 + rng.below(4);
        let html = body(rng, paragraphs);
        let _ = write!(
            xml,
            "<entry>\n<title>{}</title>\n<id>tag:journal{index}.example,2024:{n}</id>\n\
             <link rel=\"alternate\" href=\"{site}/{n}.html\"/>\n<published>{}</published>\n\
             <updated>{}</updated>\n<summary>{}</summary>\n<content type=\"html\">{}</content>\n</entry>\n",
            escape(&title(rng)),
            rfc3339(day),
            rfc3339(day),
            escape(&title(rng)),
            escape(&html),
        );
    }
    xml.push_str("</feed>\n");
    xml
}

fn podcast(rng: &mut Rng, index: usize, entries: usize, paragraphs: u64, base: &str) -> String {
    let mut xml = String::new();
    let site = format!("https://show{index}.example");
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
         xmlns:podcast=\"https://podcastindex.org/namespace/1.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>Show {index}: {}</title>\n\
         <link>{site}/</link>\n<atom:link rel=\"self\" href=\"{base}/feeds/{index}.xml\" \
         type=\"application/rss+xml\"/>\n<description>{}</description>\n<language>nl</language>\n\
         <itunes:author>Host {index}</itunes:author>\n<itunes:explicit>false</itunes:explicit>\n\
         <itunes:type>episodic</itunes:type>\n<itunes:image href=\"{site}/cover.jpg\"/>\n\
         <itunes:category text=\"Society &amp; Culture\"><itunes:category text=\"Documentary\"/></itunes:category>\n\
         <itunes:owner><itunes:name>Host {index}</itunes:name><itunes:email>host@show{index}.example</itunes:email></itunes:owner>\n\
         <podcast:guid>00000000-0000-5000-8000-{index:012}</podcast:guid>\n<podcast:locked>yes</podcast:locked>\n",
        escape(&title(rng)),
        escape(&title(rng)),
    );
    for n in 0..entries {
        let day = (n as u64) * 7 + rng.below(7);
        let html = body(rng, paragraphs.div_ceil(2));
        let seconds = 900 + rng.below(5400);
        let _ = write!(
            xml,
            "<item>\n<title>{}</title>\n<guid isPermaLink=\"false\">show{index}-episode-{n}</guid>\n\
             <link>{site}/episodes/{n}</link>\n<pubDate>{}</pubDate>\n\
             <enclosure url=\"https://cdn.show{index}.example/{n}.mp3\" length=\"{}\" type=\"audio/mpeg\"/>\n\
             <itunes:duration>{}:{:02}:{:02}</itunes:duration>\n<itunes:episode>{}</itunes:episode>\n\
             <itunes:season>{}</itunes:season>\n<itunes:episodeType>full</itunes:episodeType>\n\
             <itunes:explicit>false</itunes:explicit>\n\
             <podcast:transcript url=\"https://cdn.show{index}.example/{n}.vtt\" type=\"text/vtt\" language=\"nl\"/>\n\
             <podcast:chapters url=\"https://cdn.show{index}.example/{n}.json\" type=\"application/json+chapters\"/>\n\
             <description>{}</description>\n<content:encoded><![CDATA[{html}]]></content:encoded>\n</item>\n",
            escape(&title(rng)),
            rfc822(day),
            seconds * 16_000,
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            entries - n,
            1 + (entries - n) / 20,
            escape(&title(rng)),
        );
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}
