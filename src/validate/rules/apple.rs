//! `apple/…`: what Apple Podcasts requires of a podcast RSS feed: the show and episode
//! tags it needs, the limits it puts on text, its category list, the values it reads for
//! `explicit`, `type`, `episodeType`, season and episode numbers and durations, the
//! artwork it accepts (read from the image bytes, see `validate::image`) and the
//! enclosures it can play.
//!
//! The family judges RSS 2.0 feeds that speak the iTunes namespace: a blog feed without
//! one is not meant for Apple's directory and gets no finding here. Namespace URIs
//! themselves (the case-sensitive iTunes one) are the `xml/…` family's; guids, dates and
//! other RSS basics are the `rss/…` family's.

use std::collections::{BTreeMap, HashMap};

use super::super::image::{self, Looked};
use super::super::tree::El;
use super::super::{Checker, Document, Rule, Severity, entry_label};
use crate::apple_categories;
use crate::ingest::artwork;
use crate::ingest::feed::ns;

const REQUIREMENTS: &str = "Apple Podcasts, Podcast RSS feed requirements, https://podcasters.apple.com/support/823-podcast-requirements";
const ARTWORK: &str = "Apple Podcasts, Artwork requirements, https://podcasters.apple.com/support/896-artwork-requirements";
const CATEGORIES: &str = "Apple Podcasts, Podcast categories, https://podcasters.apple.com/support/1691-apple-podcasts-categories";

pub const SHOW_REQUIRED: Rule = Rule {
    id: "apple/show-required",
    severity: Severity::Error,
    summary: "The channel has the tags Apple Podcasts requires: title, description, itunes:image, language, itunes:category and itunes:explicit.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts Connect refuses a show whose feed lacks any of `<title>`, \
              `<description>`, `<itunes:image href=\"…\">`, `<language>`, \
              `<itunes:category>` or `<itunes:explicit>` in `<channel>`, or has one of them \
              empty. In omroep, set `title`, `description`, `language`, `artwork`, \
              `[[category]]` and `explicit` in the podcast's feed file.",
};

pub const SHOW_RECOMMENDED: Rule = Rule {
    id: "apple/show-recommended",
    severity: Severity::Warning,
    summary: "The channel has the tags Apple Podcasts recommends: itunes:author, link and an itunes:owner email.",
    reference: REQUIREMENTS,
    explain: "Apple shows `<itunes:author>` under the show title, links `<link>` as the show's \
              website, and writes to the `<itunes:email>` in `<itunes:owner>` to verify \
              ownership when the show is submitted or moved. A feed without them is accepted \
              but harder to claim. In omroep, set `author` and `[owner]` (name and email).",
};

pub const EPISODE_REQUIRED: Rule = Rule {
    id: "apple/episode-required",
    severity: Severity::Error,
    summary: "Every item has the tags Apple Podcasts requires: title, enclosure and guid.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts drops an episode without a `<title>`, an `<enclosure>` or a \
              `<guid>`: the enclosure is the media to play and the guid is how Apple tells \
              episodes apart across feed updates (without it, edits look like new episodes). \
              Give every item all three.",
};

pub const DESCRIPTION_LENGTH: Rule = Rule {
    id: "apple/description-length",
    severity: Severity::Error,
    summary: "Show and episode descriptions are at most 4000 bytes.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts allows at most 4000 bytes in `<description>` (and the older \
              `<itunes:summary>`), for the show and for each episode; longer text is refused \
              or cut. Bytes, not characters: text outside ASCII takes two to four bytes a \
              character. Shorten the text, and put long show notes on the episode's web page.",
};

pub const TEXT_LENGTH: Rule = Rule {
    id: "apple/text-length",
    severity: Severity::Warning,
    summary: "Titles, authors, subtitles and owner names are at most 255 characters.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts truncates `<title>`, `<itunes:title>`, `<itunes:author>`, \
              `<itunes:subtitle>` and `<itunes:name>` past 255 characters, and long titles are \
              cut much earlier on phones. Keep them short; put the rest in the description.",
};

pub const CATEGORY: Rule = Rule {
    id: "apple/category",
    severity: Severity::Error,
    summary: "Every itunes:category names one of Apple's 19 categories, and each nested one a subcategory of it.",
    reference: CATEGORIES,
    explain: "Apple Podcasts ignores a category it does not know, so a misspelt or retired one \
              (`Games & Hobbies`, `Technology/Podcasting`) hides the show from its category \
              pages. Categories are written `<itunes:category text=\"Education\">` with the \
              subcategory nested inside, spelt exactly as Apple lists them (`&` as `&amp;`). \
              The finding suggests the right spelling when one is close.",
};

pub const EXPLICIT: Rule = Rule {
    id: "apple/explicit",
    severity: Severity::Error,
    summary: "itunes:explicit is `true` or `false`.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts reads `<itunes:explicit>` as `true` (the show or episode has \
              explicit content) or `false`. Any other value is refused at the show level and \
              may mark an episode explicit. In omroep, set `explicit = true` or `false`.",
};

pub const EXPLICIT_LEGACY: Rule = Rule {
    id: "apple/explicit-legacy",
    severity: Severity::Warning,
    summary: "itunes:explicit uses `true`/`false`, not the retired `yes`, `no` or `clean`.",
    reference: REQUIREMENTS,
    explain: "Apple's podcast tags once used `yes`, `no` and `clean` for `<itunes:explicit>`. \
              Apple now documents only `true` and `false`; the old words are still read by \
              most apps, but not reliably. Write `true` for `yes` and `false` for `no` or \
              `clean`.",
};

pub const SHOW_TYPE: Rule = Rule {
    id: "apple/type",
    severity: Severity::Error,
    summary: "itunes:type is `episodic` or `serial`.",
    reference: REQUIREMENTS,
    explain: "`<itunes:type>` tells Apple Podcasts how to order and present episodes: \
              `episodic` (newest first, the default) or `serial` (oldest first, numbered). \
              Any other value is refused. In omroep, set `type = \"episodic\"` or `\"serial\"`.",
};

pub const SERIAL_NUMBERS: Rule = Rule {
    id: "apple/serial-episode-number",
    severity: Severity::Error,
    summary: "In a serial show, every full episode has an itunes:episode number.",
    reference: REQUIREMENTS,
    explain: "A `serial` show is presented in episode order, which Apple takes from \
              `<itunes:episode>`. A full episode without a number cannot be placed \
              (trailers and bonus items may go without). Number every full \
              episode (`episode:` in its front matter), or make the show `episodic`.",
};

pub const NUMBER: Rule = Rule {
    id: "apple/number",
    severity: Severity::Error,
    summary: "itunes:season and itunes:episode are whole numbers of 1 or more.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts reads `<itunes:season>` and `<itunes:episode>` as non-zero \
              integers: `0`, `-1`, `2.5` or `S01` are refused or ignored. Write only the \
              number, starting at 1.",
};

pub const EPISODE_TYPE: Rule = Rule {
    id: "apple/episode-type",
    severity: Severity::Error,
    summary: "itunes:episodeType is `full`, `trailer` or `bonus`.",
    reference: REQUIREMENTS,
    explain: "`<itunes:episodeType>` is one of `full` (a normal episode, the default), \
              `trailer` or `bonus`, in lower case. Other values are refused.",
};

pub const DURATION: Rule = Rule {
    id: "apple/duration",
    severity: Severity::Warning,
    summary: "itunes:duration is a number of seconds, or H:MM:SS / MM:SS with minutes and seconds below 60.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts reads `<itunes:duration>` as whole seconds (`3605`, preferred) or \
              as `HH:MM:SS`, `H:MM:SS`, `MM:SS` or `M:SS`. Other forms (`1h05m`, `62:75`, \
              `3605.4`, an empty tag) show a wrong or no length in apps. omroep writes whole \
              seconds measured from the audio.",
};

pub const ARTWORK_HREF: Rule = Rule {
    id: "apple/artwork-href",
    severity: Severity::Error,
    summary: "itunes:image carries the artwork URL in its `href` attribute.",
    reference: ARTWORK,
    explain: "Apple Podcasts reads the artwork only from `<itunes:image href=\"https://…\"/>`. \
              A URL written as the element's text (`<itunes:image>https://…</itunes:image>`) \
              or an empty `href` is ignored, and the show has no artwork.",
};

pub const ARTWORK_FORMAT: Rule = Rule {
    id: "apple/artwork-format",
    severity: Severity::Warning,
    summary: "Artwork is a JPEG or PNG file.",
    reference: ARTWORK,
    explain: "Apple Podcasts accepts show and episode artwork only as JPEG or PNG; the bytes \
              decide, not the file name. Save GIF, WebP or HEIC artwork as JPEG or PNG.",
};

pub const ARTWORK_SIZE: Rule = Rule {
    id: "apple/artwork-size",
    severity: Severity::Warning,
    summary: "Artwork is between 1400x1400 and 3000x3000 pixels.",
    reference: ARTWORK,
    explain: "Apple Podcasts requires artwork of at least 1400 by 1400 pixels and at most \
              3000 by 3000. Export the artwork again at 3000x3000 (it is scaled down for \
              small screens); do not upscale a small image.",
};

pub const ARTWORK_SQUARE: Rule = Rule {
    id: "apple/artwork-square",
    severity: Severity::Warning,
    summary: "Artwork is square.",
    reference: ARTWORK,
    explain: "Apple Podcasts shows artwork in a square and refuses images whose width and \
              height differ. Crop or pad the image to a square.",
};

pub const ARTWORK_COLOUR: Rule = Rule {
    id: "apple/artwork-colour",
    severity: Severity::Warning,
    summary: "Artwork uses RGB colour (not CMYK, greyscale or transparency).",
    reference: ARTWORK,
    explain: "Apple Podcasts requires artwork in the RGB colour space. CMYK images (saved for \
              print) show wrong colours or none; greyscale and transparent images are \
              flattened unpredictably. Export the artwork as an RGB JPEG or an RGB PNG \
              without alpha.",
};

pub const ARTWORK_EXTENSION: Rule = Rule {
    id: "apple/artwork-extension",
    severity: Severity::Warning,
    summary: "The artwork file name's extension matches its bytes (.jpg for JPEG, .png for PNG).",
    reference: ARTWORK,
    explain: "A PNG named `cover.jpg` (or the other way round) is refused by some podcast \
              apps and CDNs send it with the wrong Content-Type. Rename the file after its \
              real format.",
};

pub const ARTWORK_UNREADABLE: Rule = Rule {
    id: "apple/artwork-unreadable",
    severity: Severity::Warning,
    summary: "The artwork can be read: the local file exists and is an image, or the URL answers with one.",
    reference: ARTWORK,
    explain: "omroep reads the artwork's bytes to check its format and size: from the local \
              file that serves the URL, or over HTTP with `--online`. This finding says that \
              file or URL gave no image (missing, not an image, or an HTTP error), so Apple \
              will not get one either. Check the URL and the file it serves.",
};

pub const ARTWORK_UNCHECKED: Rule = Rule {
    id: "apple/artwork-unchecked",
    severity: Severity::Info,
    summary: "Remote artwork is checked only with `--online`.",
    reference: ARTWORK,
    explain: "The artwork lives at a URL no local file is known to serve, so its size, format \
              and colour were not checked. Run `omroep validate --online` to fetch it.",
};

pub const ENCLOSURE_ATTRIBUTES: Rule = Rule {
    id: "apple/enclosure-attributes",
    severity: Severity::Error,
    summary: "Every enclosure has `url`, `length` and `type`.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts needs all three attributes of `<enclosure>`: the media `url`, its \
              `length` in bytes and its MIME `type`. An enclosure missing one is not played.",
};

pub const ENCLOSURE_LENGTH: Rule = Rule {
    id: "apple/enclosure-length",
    severity: Severity::Error,
    summary: "An enclosure's `length` is the file size in bytes: a whole number above zero.",
    reference: REQUIREMENTS,
    explain: "`length` is the media file's size in bytes (`34216300`), not a duration and not \
              `0`. Apps use it for download progress and to detect a changed file. omroep \
              takes it from the file, or from the server with a HEAD request.",
};

pub const ENCLOSURE_TYPE: Rule = Rule {
    id: "apple/enclosure-type",
    severity: Severity::Error,
    summary: "An enclosure's type is one Apple Podcasts plays: audio/mpeg, audio/x-m4a, audio/mp4, video/mp4, video/quicktime, video/x-m4v or application/pdf.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts plays MP3 (`audio/mpeg`), AAC in MP4 (`audio/x-m4a`, \
              `audio/mp4`), video (`video/mp4`, `video/quicktime`, `video/x-m4v`) and PDF \
              (`application/pdf`). Episodes in other formats (Ogg, Opus, WAV, FLAC) are not \
              listed. Encode the episode as MP3 or M4A and give its real type.",
};

pub const ENCLOSURE_UNIQUE: Rule = Rule {
    id: "apple/enclosure-unique",
    severity: Severity::Error,
    summary: "No two items share an enclosure URL.",
    reference: REQUIREMENTS,
    explain: "Apple Podcasts treats the media URL as part of an episode's identity: two items \
              with the same enclosure URL are shown as one, or the later one is refused. Give \
              each episode its own file.",
};

pub const RULES: &[Rule] = &[
    SHOW_REQUIRED,
    SHOW_RECOMMENDED,
    EPISODE_REQUIRED,
    DESCRIPTION_LENGTH,
    TEXT_LENGTH,
    CATEGORY,
    EXPLICIT,
    EXPLICIT_LEGACY,
    SHOW_TYPE,
    SERIAL_NUMBERS,
    NUMBER,
    EPISODE_TYPE,
    DURATION,
    ARTWORK_HREF,
    ARTWORK_FORMAT,
    ARTWORK_SIZE,
    ARTWORK_SQUARE,
    ARTWORK_COLOUR,
    ARTWORK_EXTENSION,
    ARTWORK_UNREADABLE,
    ARTWORK_UNCHECKED,
    ENCLOSURE_ATTRIBUTES,
    ENCLOSURE_LENGTH,
    ENCLOSURE_TYPE,
    ENCLOSURE_UNIQUE,
];

/// The enclosure types Apple Podcasts plays.
const MEDIA_TYPES: &[&str] = &[
    "audio/mpeg",
    "audio/x-m4a",
    "audio/mp4",
    "video/mp4",
    "video/quicktime",
    "video/x-m4v",
    "application/pdf",
];

const MAX_DESCRIPTION_BYTES: usize = 4000;
const MAX_TEXT_CHARS: usize = 255;

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Xml(xml) = doc else { return };
    let Some(channel) = podcast_channel(&xml.root) else {
        return;
    };
    check_show(channel, cx);
    let serial = itunes(channel, "type").is_some_and(|t| t.trimmed() == "serial");
    let items: Vec<&El> = channel.children_named(None, "item").collect();
    let mut enclosure_urls: HashMap<&str, String> = HashMap::new();
    for item in &items {
        let entry = entry_label(item);
        check_episode(item, entry, serial, &mut enclosure_urls, cx);
    }
    check_artwork(channel, &items, cx);
}

/// The RSS channel, when the feed is meant for podcast apps (it uses the iTunes namespace).
pub(crate) fn podcast_channel<'a, 't>(root: &'a El<'t>) -> Option<&'a El<'t>> {
    if root.name != "rss" || root.ns.is_some() {
        return None;
    }
    let channel = root.child(None, "channel")?;
    let speaks_itunes = channel.descendants().any(|el| el.in_ns(ns::ITUNES));
    speaks_itunes.then_some(channel)
}

fn itunes<'a, 't>(parent: &'a El<'t>, name: &str) -> Option<&'a El<'t>> {
    parent
        .children
        .iter()
        .find(|child| child.name == name && child.in_ns(ns::ITUNES))
}

fn plain<'a, 't>(parent: &'a El<'t>, name: &str) -> Option<&'a El<'t>> {
    parent.child(None, name)
}

fn filled(el: Option<&El>) -> bool {
    el.is_some_and(|el| !el.trimmed().is_empty())
}

/// Reports `rule` once, naming every tag of `required` that is absent (`false`).
fn report_missing(
    rule: &'static Rule,
    el: &El,
    entry: Option<&str>,
    what: &str,
    required: &[(&str, bool)],
    cx: &mut Checker,
) {
    let missing: Vec<&str> = required
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        cx.report(
            rule,
            Some(el),
            entry,
            format!("{what} lacks {}", missing.join(", ")),
        );
    }
}

fn check_show(channel: &El, cx: &mut Checker) {
    // An itunes:image without a usable `href` is `apple/artwork-href`'s finding.
    let image = itunes(channel, "image").is_some();
    let required = [
        ("title", filled(plain(channel, "title"))),
        ("description", filled(plain(channel, "description"))),
        ("itunes:image", image),
        ("language", filled(plain(channel, "language"))),
        ("itunes:category", itunes(channel, "category").is_some()),
        ("itunes:explicit", filled(itunes(channel, "explicit"))),
    ];
    report_missing(&SHOW_REQUIRED, channel, None, "the channel", &required, cx);
    let owner_email = itunes(channel, "owner").and_then(|owner| itunes(owner, "email"));
    let recommended = [
        ("itunes:author", filled(itunes(channel, "author"))),
        ("link", filled(plain(channel, "link"))),
        ("itunes:owner with itunes:email", filled(owner_email)),
    ];
    let missing: Vec<&str> = recommended
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        cx.report(
            &SHOW_RECOMMENDED,
            Some(channel),
            None,
            format!("the channel lacks {}", missing.join(", ")),
        );
    }
    check_lengths(channel, None, cx);
    if let Some(owner) = itunes(channel, "owner") {
        check_text_length(itunes(owner, "name"), None, cx);
    }
    for category in channel
        .children
        .iter()
        .filter(|c| c.name == "category" && c.in_ns(ns::ITUNES))
    {
        check_category(category, cx);
    }
    if let Some(explicit) = itunes(channel, "explicit") {
        check_explicit(explicit, None, cx);
    }
    if let Some(kind) = itunes(channel, "type") {
        let value = kind.trimmed();
        if value != "episodic" && value != "serial" {
            cx.report(
                &SHOW_TYPE,
                Some(kind),
                None,
                format!("itunes:type is `{value}`; use `episodic` or `serial`"),
            );
        }
    }
}

fn check_lengths(parent: &El, entry: Option<&str>, cx: &mut Checker) {
    for name in ["title", "description"] {
        if let Some(el) = plain(parent, name) {
            if name == "title" {
                check_text_length(Some(el), entry, cx);
            } else {
                check_description(el, entry, cx);
            }
        }
    }
    if let Some(summary) = itunes(parent, "summary") {
        check_description(summary, entry, cx);
    }
    for name in ["title", "author", "subtitle"] {
        check_text_length(itunes(parent, name), entry, cx);
    }
}

fn check_description(el: &El, entry: Option<&str>, cx: &mut Checker) {
    let bytes = el.trimmed().len();
    if bytes > MAX_DESCRIPTION_BYTES {
        cx.report(
            &DESCRIPTION_LENGTH,
            Some(el),
            entry,
            format!(
                "{} is {bytes} bytes, over Apple's {MAX_DESCRIPTION_BYTES}",
                el.qname()
            ),
        );
    }
}

fn check_text_length(el: Option<&El>, entry: Option<&str>, cx: &mut Checker) {
    let Some(el) = el else { return };
    let chars = el.trimmed().chars().count();
    if chars > MAX_TEXT_CHARS {
        cx.report(
            &TEXT_LENGTH,
            Some(el),
            entry,
            format!(
                "{} is {chars} characters, over Apple's {MAX_TEXT_CHARS}",
                el.qname()
            ),
        );
    }
}

fn check_category(category: &El, cx: &mut Checker) {
    let Some(text) = category
        .attr("text")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        cx.report(
            &CATEGORY,
            Some(category),
            None,
            "itunes:category has no `text` attribute; write <itunes:category text=\"…\">",
        );
        return;
    };
    let subcategories: Vec<String> = category
        .children
        .iter()
        .filter(|c| c.name == "category" && c.in_ns(ns::ITUNES))
        .map(|c| c.attr("text").unwrap_or("").trim().to_string())
        .collect();
    if let Err(problem) = apple_categories::check(text, &subcategories) {
        cx.report(&CATEGORY, Some(category), None, problem.to_string());
    }
}

fn check_explicit(el: &El, entry: Option<&str>, cx: &mut Checker) {
    let value = el.trimmed();
    match value.to_ascii_lowercase().as_str() {
        "true" | "false" => {}
        "yes" | "no" | "clean" => cx.report(
            &EXPLICIT_LEGACY,
            Some(el),
            entry,
            format!(
                "itunes:explicit is `{value}`; write `{}`",
                if value.eq_ignore_ascii_case("yes") {
                    "true"
                } else {
                    "false"
                }
            ),
        ),
        _ => cx.report(
            &EXPLICIT,
            Some(el),
            entry,
            format!("itunes:explicit is `{value}`; use `true` or `false`"),
        ),
    }
}

fn check_episode<'a>(
    item: &'a El,
    entry: Option<&str>,
    serial: bool,
    enclosure_urls: &mut HashMap<&'a str, String>,
    cx: &mut Checker,
) {
    let required = [
        ("title", filled(plain(item, "title"))),
        ("enclosure", plain(item, "enclosure").is_some()),
        ("guid", filled(plain(item, "guid"))),
    ];
    report_missing(&EPISODE_REQUIRED, item, entry, "the item", &required, cx);
    check_lengths(item, entry, cx);
    if let Some(explicit) = itunes(item, "explicit") {
        check_explicit(explicit, entry, cx);
    }
    for name in ["season", "episode"] {
        if let Some(el) = itunes(item, name) {
            let value = el.trimmed();
            let positive = !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_digit())
                && !value.trim_start_matches('0').is_empty();
            if !positive {
                cx.report(
                    &NUMBER,
                    Some(el),
                    entry,
                    format!("itunes:{name} is `{value}`; write a whole number of 1 or more"),
                );
            }
        }
    }
    // Trailers and bonus items sit outside the numbered run (Apple places them by type
    // and season), so only full episodes need a number.
    let numbered_kind = itunes(item, "episodeType")
        .is_none_or(|kind| !matches!(kind.trimmed(), "trailer" | "bonus"));
    if serial && numbered_kind && itunes(item, "episode").is_none() {
        cx.report(
            &SERIAL_NUMBERS,
            Some(item),
            entry,
            "the show is serial, but this item has no itunes:episode",
        );
    }
    if let Some(kind) = itunes(item, "episodeType") {
        let value = kind.trimmed();
        if !matches!(value, "full" | "trailer" | "bonus") {
            cx.report(
                &EPISODE_TYPE,
                Some(kind),
                entry,
                format!("itunes:episodeType is `{value}`; use `full`, `trailer` or `bonus`"),
            );
        }
    }
    if let Some(duration) = itunes(item, "duration") {
        let value = duration.trimmed();
        if !is_duration(value) {
            cx.report(
                &DURATION,
                Some(duration),
                entry,
                format!("itunes:duration is `{value}`; write seconds (`3605`) or H:MM:SS"),
            );
        }
    }
    if let Some(enclosure) = plain(item, "enclosure") {
        check_enclosure(enclosure, entry, enclosure_urls, cx);
    }
}

/// Whole seconds, `M:SS`/`MM:SS`, or `H:MM:SS`/`HH:MM:SS`.
fn is_duration(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let below_60 = |part: &str| part.len() == 2 && part.parse::<u32>().is_ok_and(|n| n < 60);
    match parts.as_slice() {
        [seconds] => digits(seconds),
        [minutes, seconds] => digits(minutes) && minutes.len() <= 2 && below_60(seconds),
        [hours, minutes, seconds] => digits(hours) && below_60(minutes) && below_60(seconds),
        _ => false,
    }
}

fn check_enclosure<'a>(
    enclosure: &'a El,
    entry: Option<&str>,
    seen: &mut HashMap<&'a str, String>,
    cx: &mut Checker,
) {
    let attr = |name: &str| {
        enclosure
            .attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let missing: Vec<&str> = ["url", "length", "type"]
        .into_iter()
        .filter(|name| attr(name).is_none())
        .collect();
    if !missing.is_empty() {
        cx.report(
            &ENCLOSURE_ATTRIBUTES,
            Some(enclosure),
            entry,
            format!("the enclosure lacks {}", missing.join(", ")),
        );
    }
    if let Some(length) = attr("length") {
        let bytes = length
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| length.parse::<u64>().ok())
            .flatten();
        if bytes.is_none_or(|n| n == 0) {
            cx.report(
                &ENCLOSURE_LENGTH,
                Some(enclosure),
                entry,
                format!("the enclosure length is `{length}`; give the file size in bytes"),
            );
        }
    }
    if let Some(kind) = attr("type") {
        let essence = kind.split(';').next().unwrap_or(kind).trim();
        if !MEDIA_TYPES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(essence))
        {
            cx.report(
                &ENCLOSURE_TYPE,
                Some(enclosure),
                entry,
                format!(
                    "the enclosure type is `{kind}`; Apple Podcasts plays {}",
                    MEDIA_TYPES.join(", ")
                ),
            );
        }
    }
    if let Some(url) = enclosure
        .attr("url")
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        let label = entry.unwrap_or("an earlier item").to_string();
        if let Some(first) = seen.get(url) {
            cx.report(
                &ENCLOSURE_UNIQUE,
                Some(enclosure),
                entry,
                format!("the enclosure URL {url} is also the media of {first}"),
            );
        } else {
            seen.insert(url, label);
        }
    }
}

/// Reads each artwork URL once (show first, then episodes) and reports what Apple would
/// refuse, at the first element that names it.
fn check_artwork(channel: &El, items: &[&El], cx: &mut Checker) {
    let mut images: BTreeMap<String, (&El, Option<&str>)> = BTreeMap::new();
    let mut order = Vec::new();
    let mut owners: Vec<(&El, Option<&str>)> = vec![(channel, None)];
    owners.extend(items.iter().map(|item| (*item, entry_label(item))));
    for (owner, entry) in owners {
        let Some(image) = itunes(owner, "image") else {
            continue;
        };
        match image.attr("href").map(str::trim).filter(|h| !h.is_empty()) {
            Some(href) => {
                if !images.contains_key(href) {
                    order.push(href.to_string());
                    images.insert(href.to_string(), (image, entry));
                }
            }
            None => {
                let text = image.trimmed();
                let message = if text.is_empty() {
                    "itunes:image has no `href`; write <itunes:image href=\"https://…\"/>"
                        .to_string()
                } else {
                    format!(
                        "itunes:image gives the URL as text; move `{text}` into its `href` attribute"
                    )
                };
                cx.report(&ARTWORK_HREF, Some(image), entry, message);
            }
        }
    }
    let feed_url = cx
        .context
        .feed_url
        .clone()
        .or_else(|| self_link(channel).map(str::to_string));
    for href in order {
        let Some((image, entry)) = images.get(&href) else {
            continue;
        };
        let looked = image::look(&href, feed_url.as_deref(), cx.context);
        judge_artwork(&href, looked, image, entry.as_deref(), cx);
    }
}

/// The feed's `atom:link rel="self"`.
pub(crate) fn self_link<'a>(channel: &'a El) -> Option<&'a str> {
    channel
        .children
        .iter()
        .find(|c| c.name == "link" && c.in_ns(ns::ATOM10) && c.attr("rel") == Some("self"))
        .and_then(|link| link.attr("href"))
}

fn judge_artwork(href: &str, looked: Looked, image: &El, entry: Option<&str>, cx: &mut Checker) {
    let art = match looked {
        Looked::Read { artwork, .. } => artwork,
        Looked::Unreadable(reason) => {
            cx.report(
                &ARTWORK_UNREADABLE,
                Some(image),
                entry,
                format!("artwork {href}: {reason}"),
            );
            return;
        }
        Looked::Unchecked => {
            cx.report(
                &ARTWORK_UNCHECKED,
                Some(image),
                entry,
                format!("artwork {href} was not read; run with --online to check it"),
            );
            return;
        }
    };
    // A build judged the artwork it serves from its own files (the feed's artwork, episode
    // images, embedded covers) while reading the site; anything else it names — another
    // site's image read under `--online` — is judged here.
    let judged_on_read =
        cx.context.artwork_checked_on_read && cx.context.local_files.contains_key(href);
    if !judged_on_read {
        judge_apple_numbers(href, &art, image, entry, cx);
    }
    if artwork::extension_matches(href, &art.mime_type) == Some(false) {
        cx.report(
            &ARTWORK_EXTENSION,
            Some(image),
            entry,
            format!(
                "artwork {href} holds {} bytes under another extension",
                art.mime_type
            ),
        );
    }
}

/// What Apple requires of the image itself: JPEG or PNG, square, 1400–3000 px, RGB.
fn judge_apple_numbers(
    href: &str,
    art: &artwork::Artwork,
    image: &El,
    entry: Option<&str>,
    cx: &mut Checker,
) {
    let (w, h) = (art.width, art.height);
    if art.mime_type != "image/jpeg" && art.mime_type != "image/png" {
        cx.report(
            &ARTWORK_FORMAT,
            Some(image),
            entry,
            format!("artwork {href} is {}; use JPEG or PNG", art.mime_type),
        );
    }
    if w != h {
        cx.report(
            &ARTWORK_SQUARE,
            Some(image),
            entry,
            format!("artwork {href} is {w}x{h} px, not square"),
        );
    }
    let (min, max) = (artwork::MIN_SIDE, artwork::MAX_SIDE);
    if w.min(h) < min || w.max(h) > max {
        cx.report(
            &ARTWORK_SIZE,
            Some(image),
            entry,
            format!("artwork {href} is {w}x{h} px; Apple wants {min}x{min} to {max}x{max}"),
        );
    }
    if let Some(colour) = art.colour.filter(|colour| *colour != "RGB") {
        cx.report(
            &ARTWORK_COLOUR,
            Some(image),
            entry,
            format!("artwork {href} is {colour}; export it as RGB"),
        );
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::validate::{Context, Finding, validate};
    use std::path::{Path, PathBuf};

    pub(in crate::validate) fn fixture_dir(family: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/validate")
            .join(family)
    }

    /// The findings of `family`'s rules on `fixtures/validate/<family>/<name>.xml`, read
    /// as a feed file in that folder (its artwork beside it).
    pub(in crate::validate) fn fixture_findings(family: &str, name: &str) -> Vec<Finding> {
        let dir = fixture_dir(family);
        let path = dir.join(format!("{name}.xml"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let context = Context {
            base_dir: Some(dir),
            ..Context::default()
        };
        let prefix = format!("{family}/");
        validate(&path.display().to_string(), &bytes, &context)
            .into_iter()
            .filter(|finding| finding.rule.id.starts_with(&prefix))
            .collect()
    }

    /// Each rule's fixture breaks that rule and no other rule of the family.
    pub(in crate::validate) fn assert_every_rule_fires_alone(family: &str, rules: &[Rule]) {
        let mut failures = Vec::new();
        for rule in rules {
            let name = rule.id.split_once('/').map_or(rule.id, |(_, name)| name);
            let findings = fixture_findings(family, name);
            let ids: Vec<&str> = findings.iter().map(|f| f.rule.id).collect();
            if ids.is_empty() || ids.iter().any(|id| *id != rule.id) {
                failures.push(format!("{name}.xml gave {ids:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    fn messages(name: &str) -> Vec<String> {
        fixture_findings("apple", name)
            .into_iter()
            .map(|f| format!("{} {}: {}", f.line.unwrap_or(0), f.rule.id, f.message))
            .collect()
    }

    #[test]
    fn artwork_a_build_checked_on_read_is_not_judged_again_and_other_artwork_is() {
        let dir = fixture_dir("apple");
        for (name, rule) in [
            ("artwork-square", &ARTWORK_SQUARE),
            ("artwork-size", &ARTWORK_SIZE),
            ("artwork-format", &ARTWORK_FORMAT),
            ("artwork-colour", &ARTWORK_COLOUR),
            ("artwork-extension", &ARTWORK_EXTENSION),
        ] {
            let text = std::fs::read_to_string(dir.join(format!("{name}.xml"))).unwrap();
            let href = text
                .split("itunes:image href=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap()
                .to_string();
            let file = dir.join(href.rsplit('/').next().unwrap());
            let fires = |checked: bool, served_from_a_file_of_the_build: bool| {
                let mut context = Context {
                    base_dir: Some(dir.clone()),
                    artwork_checked_on_read: checked,
                    ..Context::default()
                };
                if served_from_a_file_of_the_build {
                    context.local_files.insert(href.clone(), file.clone());
                }
                validate("feed.xml", text.as_bytes(), &context)
                    .iter()
                    .any(|f| f.rule.id == rule.id)
            };
            assert!(fires(false, false), "{name} fires for `omroep validate`");
            assert!(fires(false, true), "{name} fires for `omroep validate`");
            // The file name's extension is not one of the numbers checked on read.
            assert_eq!(
                fires(true, true),
                name == "artwork-extension",
                "{name} in a build, the build's own file"
            );
            // Artwork the build did not read (another site's, under `--online`): judged.
            assert!(
                fires(true, false),
                "{name} in a build, not a file of its own"
            );
        }
    }

    #[test]
    fn trailers_and_bonus_items_of_a_serial_show_need_no_number() {
        let dir = fixture_dir("apple");
        let broken = std::fs::read_to_string(dir.join("serial-episode-number.xml")).unwrap();
        let context = Context {
            base_dir: Some(dir),
            ..Context::default()
        };
        let fires = |text: &str| {
            validate("serial.xml", text.as_bytes(), &context)
                .iter()
                .any(|f| f.rule.id == SERIAL_NUMBERS.id)
        };
        assert!(
            fires(&broken),
            "the fixture's unnumbered full episode is found"
        );
        // The same unnumbered item as a trailer, then as a bonus item.
        let last_type = broken.rfind("<itunes:episodeType>full").unwrap();
        for kind in ["trailer", "bonus"] {
            let mut text = broken.clone();
            text.replace_range(
                last_type..last_type + "<itunes:episodeType>full".len(),
                &format!("<itunes:episodeType>{kind}"),
            );
            assert!(!fires(&text), "an unnumbered {kind} is fine");
        }
    }

    #[test]
    fn the_clean_fixtures_give_no_finding_from_any_family() {
        for family in ["apple", "p20"] {
            let dir = fixture_dir(family);
            let bytes = std::fs::read(dir.join("clean.xml")).unwrap();
            let context = Context {
                base_dir: Some(dir),
                ..Context::default()
            };
            let findings: Vec<String> = validate("clean.xml", &bytes, &context)
                .into_iter()
                .map(|f| format!("{}: {}", f.rule.id, f.message))
                .collect();
            assert_eq!(findings, Vec::<String>::new(), "{family}/clean.xml");
        }
    }

    #[test]
    fn the_clean_feed_has_no_finding() {
        assert_eq!(messages("clean"), Vec::<String>::new());
    }

    #[test]
    fn every_rule_has_a_fixture_that_breaks_it_alone() {
        assert_every_rule_fires_alone("apple", RULES);
    }

    #[test]
    fn findings_name_the_values_found() {
        assert_eq!(
            messages("show-required"),
            ["3 apple/show-required: the channel lacks language"]
        );
        assert_eq!(
            messages("category"),
            [
                "15 apple/category: `Podcasting` is not a subcategory of `Education`; expected one of: Courses, How To, Language Learning, Self-Improvement"
            ]
        );
        let colour = messages("artwork-colour");
        assert_eq!(
            colour,
            [
                "14 apple/artwork-colour: artwork https://pod.example/cmyk.jpg is CMYK; export it as RGB"
            ]
        );
        let size = messages("artwork-size");
        assert_eq!(
            size,
            [
                "14 apple/artwork-size: artwork https://pod.example/small.png is 600x600 px; Apple wants 1400x1400 to 3000x3000"
            ]
        );
        let unique = fixture_findings("apple", "enclosure-unique");
        assert_eq!(unique[0].entry.as_deref(), Some("fixture-episode-2"));
        assert_eq!(
            unique[0].message,
            "the enclosure URL https://media.pod.example/1.mp3 is also the media of fixture-episode-1"
        );
    }

    #[test]
    fn a_blog_feed_without_itunes_tags_is_not_judged() {
        let feed = br#"<rss version="2.0"><channel><title>Blog</title><link>https://b.example/</link><description>d</description><item><title>Post</title><guid>p1</guid><enclosure url="https://b.example/a.ogg" length="0" type="audio/ogg"/></item></channel></rss>"#;
        let findings = validate("blog.xml", feed, &Context::default());
        assert!(
            findings.iter().all(|f| !f.rule.id.starts_with("apple/")),
            "{findings:?}"
        );
    }

    #[test]
    fn durations_follow_apples_forms() {
        for good in ["0", "3605", "5:07", "59:59", "1:02:03", "10:00:00"] {
            assert!(is_duration(good), "{good}");
        }
        for bad in [
            "", "1h05m", "62:75", "3605.4", "1:2:3", "1:60:00", "-5", "123:00",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn each_artwork_url_is_judged_once_and_greyscale_is_named() {
        let dir = fixture_dir("apple");
        let feed = std::fs::read_to_string(dir.join("clean.xml"))
            .unwrap()
            .replace("https://pod.example/good.jpg", "grey.png")
            .replace(
                "<itunes:duration>1805",
                "<itunes:image href=\"grey.png\"/><itunes:duration>1805",
            );
        let context = Context {
            base_dir: Some(dir),
            ..Context::default()
        };
        let findings: Vec<String> = validate("feed.xml", feed.as_bytes(), &context)
            .into_iter()
            .filter(|f| f.rule.id.starts_with("apple/"))
            .map(|f| f.message)
            .collect();
        assert_eq!(
            findings,
            ["artwork grey.png is grayscale; export it as RGB"]
        );
    }
}
