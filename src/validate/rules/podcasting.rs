//! `p20/…`: the Podcasting 2.0 namespace (`https://podcastindex.org/namespace/1.0`), tag
//! by tag as its specification (`docs/1.0.md` and `docs/tags/*.md`) defines them: the
//! parent each tag may sit in, how often, its required attributes, the value lists and
//! length limits, and `https:` for every URL it carries.
//!
//! One table ([`TAGS`]) holds what is uniform across tags (parents, count, required
//! attributes, text limits, URL attributes); the checks below it hold what is particular
//! to one tag (the guid's UUIDv5, person roles from the Podcast Taxonomy, the value block,
//! recurrence rules), and the person taxonomy closes the file. Both accepted
//! namespace URIs count (see `ns::canonical`); which URI a feed declares is the `xml/…`
//! family's business.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::super::tree::El;
use super::super::{Checker, Document, Rule, Severity, entry_label};
use crate::ingest::feed::ns;

/// One rule, with its reference built from the tag's own page in the specification.
macro_rules! rule {
    ($name:ident, $id:literal, $severity:ident, $page:literal, $summary:literal, $explain:literal $(,)?) => {
        pub const $name: Rule = Rule {
            id: $id,
            severity: Severity::$severity,
            summary: $summary,
            reference: concat!(
                "Podcasting 2.0 namespace, https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/",
                $page
            ),
            explain: $explain,
        };
    };
}

rule!(
    PARENT,
    "p20/parent",
    Error,
    "1.0.md",
    "Each podcast: tag sits in a parent the specification allows (channel, item, liveItem, or its own parent tag).",
    "Every Podcasting 2.0 tag names its parent: `podcast:guid` and `podcast:medium` belong \
     in `<channel>`, `podcast:transcript` and `podcast:chapters` in `<item>`, \
     `podcast:valueRecipient` inside `podcast:value`, and so on. Apps look for a tag only \
     where the specification puts it, so one in the wrong place is ignored. Move it to the \
     parent the finding names."
);
rule!(
    CARDINALITY,
    "p20/cardinality",
    Error,
    "1.0.md",
    "Tags the specification allows once per parent (guid, locked, medium, chapters, season, episode, …) appear once.",
    "Tags whose count is \"Single\" (`podcast:guid`, `podcast:locked`, `podcast:medium`, \
     `podcast:podroll`, `podcast:updateFrequency`, `podcast:chapters`, `podcast:season`, \
     `podcast:episode`, `podcast:license`, …) may appear at most once in their parent; \
     apps take the first and ignore the rest, so the later ones are dead weight or \
     contradict it. Keep one."
);
rule!(
    REQUIRED_ATTRIBUTE,
    "p20/required-attribute",
    Error,
    "1.0.md",
    "Every attribute the specification marks required is present and not empty.",
    "\"All attributes are required unless explicitly specified as optional\": \
     `podcast:transcript` needs `url` and `type`, `podcast:funding` needs `url`, \
     `podcast:value` needs `type` and `method`, `podcast:valueRecipient` needs `type`, \
     `address` and `split`, `podcast:remoteItem` needs `feedGuid`, `podcast:liveItem` \
     needs `status` and `start`, and so on. A tag without them cannot be used."
);
rule!(
    EMPTY_VALUE,
    "p20/empty-value",
    Error,
    "1.0.md",
    "Tags whose text is required (person, location, trailer, license) are not empty.",
    "The text of `podcast:person` is the person's name, of `podcast:location` the place, \
     of `podcast:trailer` its title and of `podcast:license` the licence; the \
     specification says they cannot be blank. Fill them in or remove the tag."
);
rule!(
    TEXT_LENGTH,
    "p20/text-length",
    Warning,
    "1.0.md",
    "Texts stay within the specification's limits (128 characters for most, 4000 for txt, 32 for episode display and alternateEnclosure title/rel).",
    "Aggregators may truncate longer values: 128 characters for the text of funding, \
     person, location, soundbite, trailer, license and updateFrequency, and for a season's \
     `name` and a txt's `purpose`; 4000 for `podcast:txt`; 32 for an episode's `display` \
     and an alternateEnclosure's `title` and `rel`. Shorten the text."
);
rule!(
    UNKNOWN_ELEMENT,
    "p20/unknown-element",
    Warning,
    "1.0.md",
    "Every element in the podcast namespace is one the specification defines.",
    "An element in the Podcasting 2.0 namespace that the specification does not define is \
     usually a typo (`podcast:transcripts`, `podcast:Funding`: names are case-sensitive) \
     and is ignored by every app. Check the spelling against the list of tags."
);
rule!(
    DEPRECATED,
    "p20/deprecated",
    Warning,
    "tags/images-(deprecated).md",
    "No deprecated tag (podcast:images) is used.",
    "`podcast:images` was replaced by `podcast:image`, one tag per image with `href`, \
     `alt`, `aspect-ratio` and `width`. Apps are dropping support for the old tag."
);
rule!(
    HTTPS,
    "p20/https",
    Error,
    "1.0.md",
    "URLs in podcast: tags use https:, not http:.",
    "The specification: \"Anywhere the url of a hyper-text based resource is specified, it \
     must be given as `https:` and not `http:`.\" Apps may refuse to load plain-http \
     transcripts, chapters, images and links. Serve the resource over HTTPS and change the \
     URL."
);
rule!(
    GUID_FORMAT,
    "p20/guid-format",
    Error,
    "tags/guid.md",
    "podcast:guid is a UUIDv5 (36 characters, four hyphens, version 5).",
    "`podcast:guid` identifies the show for its whole life, across hosts. It is a UUID \
     version 5 made from the feed URL without its scheme and trailing slashes, in the \
     namespace `ead4c236-bf58-58c6-a2c6-a6b28d128cb6`. A value in another form (a URL, a \
     random v4 UUID, braces) does not match what apps and the Podcast Index compute. \
     omroep writes it from the feed URL; once published, never change it."
);
rule!(
    LOCKED,
    "p20/locked",
    Error,
    "tags/locked.md",
    "podcast:locked is `yes` or `no`.",
    "`podcast:locked` tells other hosting platforms whether they may import the feed: `yes` \
     refuses imports, `no` allows them. Any other value is read differently by each host. \
     In omroep, set `locked = true` or `false`."
);
rule!(
    LOCKED_OWNER,
    "p20/locked-owner",
    Warning,
    "tags/locked.md",
    "podcast:locked's `owner` is an email address.",
    "Hosts send a verification message to the `owner` address of `podcast:locked` before a \
     move; a value that is no email address (a name, a URL) makes the feed impossible to \
     move by its owner. Give the owner's email, or leave the attribute out."
);
rule!(
    BLOCK,
    "p20/block",
    Error,
    "tags/block.md",
    "podcast:block is `yes` or `no`.",
    "`podcast:block` says whether a platform (all of them, or the one named by `id`) may \
     list the show: `yes` or `no`, nothing else."
);
rule!(
    PERSON_ROLE,
    "p20/person-role",
    Warning,
    "tags/person.md",
    "A person's `role` is one of the Podcast Taxonomy's roles (any case).",
    "Apps group and label people by `role`, taken from the Podcast Taxonomy Project's list \
     (`host`, `co-host`, `guest`, `producer`, `editor`, `cover art designer`, …; the \
     comparison ignores case). A role outside the list is shown as-is or dropped. Use the \
     nearest listed role; leave it out for a host."
);
rule!(
    PERSON_GROUP,
    "p20/person-group",
    Warning,
    "tags/person.md",
    "A person's `group` is one of the Podcast Taxonomy's groups (any case).",
    "`group` is one of the Podcast Taxonomy Project's groups: `cast`, `writing`, `audio \
     production`, `audio post-production`, `administration`, `visuals`, `community`, \
     `misc.`, `video production`, `video post-production`, `creative direction` (any case). \
     Leave it out for the cast."
);
rule!(
    TRANSCRIPT_TYPE,
    "p20/transcript-type",
    Warning,
    "tags/transcript.md",
    "A transcript's `type` is one of text/plain, text/html, text/vtt, application/json, application/x-subrip (or application/srt).",
    "Apps pick a transcript by its MIME `type` and read only the formats the specification \
     lists: plain text, HTML, WebVTT, the JSON transcript format and SubRip. Give the real \
     type of the file; convert other formats (a PDF, a Word file) to one of these."
);
rule!(
    TRANSCRIPT_REL,
    "p20/transcript-rel",
    Warning,
    "tags/transcript.md",
    "A transcript's `rel`, when present, is `captions`.",
    "The only `rel` the specification defines is `captions`: the file has time codes and \
     apps may show it as closed captions. Other values mean nothing to apps; remove them."
);
rule!(
    CHAPTERS_TYPE,
    "p20/chapters-type",
    Warning,
    "tags/chapters.md",
    "podcast:chapters has `type=\"application/json+chapters\"`.",
    "Apps fetch a chapters file only when they can read it; the format the specification \
     defines is JSON chapters, typed `application/json+chapters`. Give that type (and a \
     file in that format)."
);
rule!(
    SEASON,
    "p20/season",
    Error,
    "tags/season.md",
    "podcast:season is a whole number.",
    "The text of `podcast:season` is the season number, an integer (`3`); a name goes in \
     the `name` attribute. Apps sort and group by the number."
);
rule!(
    EPISODE,
    "p20/episode",
    Error,
    "tags/episode.md",
    "podcast:episode is a decimal number.",
    "The text of `podcast:episode` is a number (`204`, `315.5` for an episode between two \
     others); a label such as `Ch.3` goes in the `display` attribute. Apps sort by the \
     number."
);
rule!(
    MEDIUM,
    "p20/medium",
    Error,
    "tags/medium.md",
    "podcast:medium is one of the listed mediums (podcast, music, video, film, audiobook, newsletter, blog, publisher, course, their `L` list forms, or mixed).",
    "Apps change how they present and play a feed by its medium, and recognise only the \
     listed values: `podcast`, `music`, `video`, `film`, `audiobook`, `newsletter`, `blog`, \
     `publisher`, `course`, each with a list form ending in `L` (`podcastL`, `musicL`), and \
     `mixed`. Values are case-sensitive."
);
rule!(
    TXT_VALUE,
    "p20/txt-value",
    Error,
    "tags/txt.md",
    "A podcast:txt with purpose `ai-content` holds `true` or `false`.",
    "The `ai-content` purpose of `podcast:txt` works like `itunes:explicit`: its text is \
     `true` (AI-generated content was used) or `false`. Other text cannot be read."
);
rule!(
    VALUE_RECIPIENTS,
    "p20/value-recipients",
    Error,
    "tags/value.md",
    "podcast:value holds at least one valueRecipient; a valueTimeSplit holds recipients or exactly one remoteItem.",
    "A value block without a `podcast:valueRecipient` names nobody to pay, and apps skip \
     it. A `podcast:valueTimeSplit` holds either one or more recipients or exactly one \
     `podcast:remoteItem`, not both and not neither."
);
rule!(
    VALUE_SPLIT,
    "p20/value-split",
    Error,
    "tags/value-recipient.md",
    "A valueRecipient's `split` is a whole number of shares, and a block's splits do not all add up to zero.",
    "`split` is the number of shares a recipient receives (`40`, not `40%` or `0.4`); apps \
     divide each payment by the total. A block whose shares add up to zero pays nobody."
);
rule!(
    VALUE_SLUG,
    "p20/value-slug",
    Warning,
    "examples/value/valueslugs.txt",
    "podcast:value `type`/`method` and valueRecipient `type` are known slugs (lightning, keysend, lnaddress, node, …).",
    "Payment apps act only on the service slugs they know: for `podcast:value` the type \
     (`lightning`, `bitcoin`) and method (`keysend`, `lnaddress`, `amp`, `default`), for a \
     recipient the address type (`node`, `lnaddress`, `wallet`). Slugs are lower case."
);
rule!(
    NUMBER,
    "p20/number",
    Error,
    "1.0.md",
    "Numeric attributes (lengths, bitrates, heights, times, durations, suggested amounts, percentages) are numbers.",
    "`length`, `bitrate` and `height` of `podcast:alternateEnclosure`, `length` of \
     `podcast:trailer`, `startTime` and `duration` of `podcast:soundbite` and \
     `podcast:valueTimeSplit`, `suggested` of `podcast:value` and so on are numbers \
     (seconds, bytes, bits per second) without units. Write `3600`, not `1h` or `60 min`."
);
rule!(
    BOOLEAN,
    "p20/boolean",
    Error,
    "1.0.md",
    "Boolean attributes (alternateEnclosure `default`, valueRecipient `fee`, updateFrequency `complete`, podping `usesPodping`) are `true` or `false`.",
    "The specification's boolean attributes take `true` or `false`; `yes`, `1` or an empty \
     value is read differently by each app."
);
rule!(
    ALTERNATE_ENCLOSURE,
    "p20/alternate-enclosure",
    Error,
    "tags/alternate-enclosure.md",
    "A podcast:alternateEnclosure holds at least one podcast:source, and its integrity type is `sri` or `pgp-signature`.",
    "An alternate enclosure says where to get the media with its `podcast:source` children \
     (at least one); without them there is nothing to play. Its optional \
     `podcast:integrity` has `type=\"sri\"` or `type=\"pgp-signature\"`."
);
rule!(
    REMOTE_ITEM_GUID,
    "p20/remote-item-guid",
    Error,
    "tags/remote-item.md",
    "A remoteItem's `feedGuid` is a podcast:guid (a UUID).",
    "`feedGuid` is the `podcast:guid` of the feed pointed to: a UUID in its 36-character \
     form. A feed URL or an item guid there cannot be resolved; put the URL in `feedUrl` \
     and the item's guid in `itemGuid`."
);
rule!(
    PODROLL,
    "p20/podroll",
    Error,
    "tags/podroll.md",
    "A podcast:podroll holds at least one podcast:remoteItem.",
    "A podroll recommends other shows, each named by a `podcast:remoteItem` with its \
     `feedGuid`. An empty podroll recommends nothing; add the shows or remove it."
);
rule!(
    LIVE_ITEM_STATUS,
    "p20/live-item-status",
    Error,
    "tags/live-item.md",
    "A liveItem's `status` is `pending`, `live` or `ended`.",
    "Apps show a live item as upcoming, playing or over by its `status`: one of \
     `pending`, `live` or `ended`, in lower case. The stream's times are only hints; the \
     status is what counts."
);
rule!(
    LIVE_ITEM_CONTENT_LINK,
    "p20/live-item-content-link",
    Warning,
    "tags/live-item.md",
    "A liveItem has a podcast:contentLink.",
    "The specification requires a `podcast:contentLink` in every live item (a web page \
     where the stream plays), so listeners whose app cannot play the stream have a way \
     to it."
);
rule!(
    DATE,
    "p20/date",
    Error,
    "tags/live-item.md",
    "Dates are in the form their tag asks for: ISO 8601 for liveItem start/end and updateFrequency dtstart, RFC 2822 for trailer pubdate.",
    "`start` and `end` of `podcast:liveItem` and `dtstart` of `podcast:updateFrequency` are \
     ISO 8601 timestamps (`2024-05-01T19:30:00Z`, `2024-05-01T19:30:00.000-0600`); the \
     `pubdate` of `podcast:trailer` is an RFC 2822 date as in `<pubDate>` \
     (`Tue, 09 Apr 2024 04:00:00 +0000`). A live item should not end before it starts."
);
rule!(
    UPDATE_FREQUENCY,
    "p20/update-frequency",
    Error,
    "tags/update-frequency.md",
    "podcast:updateFrequency has a valid RFC 5545 `rrule`, a boolean `complete`, and a `dtstart` whenever the rule has a COUNT.",
    "`rrule` is an iCalendar recurrence rule (RFC 5545 §3.3.10): `FREQ=WEEKLY;BYDAY=MO` — \
     FREQ once, known parts only, not both COUNT and UNTIL, positive COUNT and INTERVAL, \
     days written MO..SU. A rule with COUNT needs `dtstart` to count from."
);

pub const RULES: &[Rule] = &[
    PARENT,
    CARDINALITY,
    REQUIRED_ATTRIBUTE,
    EMPTY_VALUE,
    TEXT_LENGTH,
    UNKNOWN_ELEMENT,
    DEPRECATED,
    HTTPS,
    GUID_FORMAT,
    LOCKED,
    LOCKED_OWNER,
    BLOCK,
    PERSON_ROLE,
    PERSON_GROUP,
    TRANSCRIPT_TYPE,
    TRANSCRIPT_REL,
    CHAPTERS_TYPE,
    SEASON,
    EPISODE,
    MEDIUM,
    TXT_VALUE,
    VALUE_RECIPIENTS,
    VALUE_SPLIT,
    VALUE_SLUG,
    NUMBER,
    BOOLEAN,
    ALTERNATE_ENCLOSURE,
    REMOTE_ITEM_GUID,
    PODROLL,
    LIVE_ITEM_STATUS,
    LIVE_ITEM_CONTENT_LINK,
    DATE,
    UPDATE_FREQUENCY,
];

/// Where a podcast: tag may sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parent {
    Channel,
    /// An `<item>`; what an item may hold, a `podcast:liveItem` may hold too.
    Item,
    LiveItem,
    /// Inside another podcast: tag, by its local name.
    Tag(&'static str),
}

impl Parent {
    fn describe(self) -> String {
        match self {
            Parent::Channel => "<channel>".into(),
            Parent::Item => "<item>".into(),
            Parent::LiveItem => "<podcast:liveItem>".into(),
            Parent::Tag(name) => format!("<podcast:{name}>"),
        }
    }
}

/// What the specification says of one tag that every tag has.
struct Tag {
    name: &'static str,
    parents: &'static [Parent],
    single: bool,
    required: &'static [&'static str],
    /// The text must not be empty (for tags whose text is free-form).
    text_required: bool,
    /// (attribute, or "" for the text; most characters).
    limits: &'static [(&'static str, usize)],
    /// Attributes holding URLs that must be https.
    urls: &'static [&'static str],
}

use Parent::{Channel, Item, LiveItem, Tag as In};

macro_rules! tag {
    ($name:literal, [$($parent:expr),*], $single:literal, [$($req:literal),*], $text:literal, [$($limit:expr),*], [$($url:literal),*]) => {
        Tag {
            name: $name,
            parents: &[$($parent),*],
            single: $single,
            required: &[$($req),*],
            text_required: $text,
            limits: &[$($limit),*],
            urls: &[$($url),*],
        }
    };
}

/// Every tag of the namespace, from `docs/tags/*.md`.
const TAGS: &[Tag] = &[
    tag!(
        "transcript",
        [Item],
        false,
        ["url", "type"],
        false,
        [],
        ["url"]
    ),
    tag!("locked", [Channel], true, [], false, [], []),
    tag!(
        "funding",
        [Channel, Item, LiveItem],
        false,
        ["url"],
        false,
        [("", 128)],
        ["url"]
    ),
    tag!(
        "chapters",
        [Item],
        true,
        ["url", "type"],
        false,
        [],
        ["url"]
    ),
    tag!(
        "soundbite",
        [Item],
        false,
        ["startTime", "duration"],
        false,
        [("", 128)],
        []
    ),
    tag!(
        "person",
        [Channel, Item],
        false,
        [],
        true,
        [("", 128)],
        ["href", "img"]
    ),
    tag!(
        "location",
        [Channel, Item, LiveItem],
        false,
        [],
        true,
        [("", 128)],
        []
    ),
    tag!("season", [Item], true, [], false, [("name", 128)], []),
    tag!("episode", [Item], true, [], false, [("display", 32)], []),
    tag!(
        "trailer",
        [Channel],
        false,
        ["url", "pubdate"],
        true,
        [("", 128)],
        ["url"]
    ),
    tag!(
        "license",
        [Channel, Item],
        true,
        [],
        true,
        [("", 128)],
        ["url"]
    ),
    tag!(
        "alternateEnclosure",
        [Item],
        false,
        ["type"],
        false,
        [("title", 32), ("rel", 32)],
        []
    ),
    tag!(
        "source",
        [In("alternateEnclosure")],
        false,
        ["uri"],
        false,
        [],
        ["uri"]
    ),
    tag!(
        "integrity",
        [In("alternateEnclosure")],
        true,
        ["type", "value"],
        false,
        [],
        []
    ),
    tag!("guid", [Channel], true, [], false, [], []),
    tag!(
        "value",
        [Channel, Item],
        false,
        ["type", "method"],
        false,
        [],
        []
    ),
    tag!(
        "valueRecipient",
        [In("value"), In("valueTimeSplit")],
        false,
        ["type", "address", "split"],
        false,
        [],
        []
    ),
    tag!(
        "valueTimeSplit",
        [In("value")],
        false,
        ["startTime", "duration"],
        false,
        [],
        []
    ),
    tag!("medium", [Channel], true, [], false, [], []),
    tag!(
        "liveItem",
        [Channel],
        false,
        ["status", "start"],
        false,
        [],
        []
    ),
    tag!(
        "contentLink",
        [Item, LiveItem],
        false,
        ["href"],
        false,
        [],
        ["href"]
    ),
    tag!(
        "socialInteract",
        [Channel, Item],
        false,
        ["protocol", "uri"],
        false,
        [],
        ["uri", "accountUrl"]
    ),
    tag!("block", [Channel], false, [], false, [], []),
    tag!(
        "txt",
        [Channel, Item],
        false,
        [],
        false,
        [("", 4000), ("purpose", 128)],
        []
    ),
    tag!(
        "remoteItem",
        [
            Channel,
            In("podroll"),
            In("valueTimeSplit"),
            In("publisher")
        ],
        false,
        ["feedGuid"],
        false,
        [],
        ["feedUrl"]
    ),
    tag!("podroll", [Channel], true, [], false, [], []),
    tag!(
        "updateFrequency",
        [Channel],
        true,
        [],
        false,
        [("", 128)],
        []
    ),
    tag!("podping", [Channel], true, [], false, [], []),
    tag!(
        "chat",
        [Channel, Item, LiveItem],
        true,
        ["server", "protocol"],
        false,
        [],
        []
    ),
    tag!("publisher", [Channel], true, [], false, [], []),
    tag!(
        "image",
        [Channel, Item, LiveItem],
        false,
        ["href"],
        false,
        [],
        ["href"]
    ),
    tag!("images", [Channel, Item], true, ["srcset"], false, [], []),
];

const TRANSCRIPT_TYPES: &[&str] = &[
    "text/plain",
    "text/html",
    "text/vtt",
    "application/json",
    "application/x-subrip",
    "application/srt",
];

/// The service slugs of `docs/examples/value/valueslugs.txt`.
const VALUE_SLUGS: &[&str] = &[
    "bitcoin",
    "lightning",
    "keysend",
    "lnaddress",
    "amp",
    "wallet",
    "node",
];

pub fn check(doc: &Document, cx: &mut Checker) {
    let Document::Xml(xml) = doc else { return };
    walk(&xml.root, None, None, cx);
}

/// Visits every element, knowing what kind of parent each podcast: tag sits in and which
/// entry (item) it belongs to.
fn walk(el: &El, parent: Option<Parent>, entry: Option<&str>, cx: &mut Checker) {
    let podcast = is_podcast(el);
    let tag = if podcast {
        TAGS.iter().find(|t| t.name == el.name)
    } else {
        None
    };
    let own_kind = if podcast {
        tag.map(|t| {
            if t.name == "liveItem" {
                LiveItem
            } else {
                In(t.name)
            }
        })
    } else if el.ns.is_none() && el.name == "channel" || el.name == "feed" && el.in_ns(ns::ATOM10) {
        Some(Channel)
    } else if el.ns.is_none() && el.name == "item" || el.name == "entry" && el.in_ns(ns::ATOM10) {
        Some(Item)
    } else {
        None
    };
    // A live item's own findings belong to it, like those of its children.
    let label = match own_kind {
        Some(Item | LiveItem) => entry_label(el),
        _ => None,
    };
    let entry = label.or(entry);
    if podcast {
        check_tag(el, tag, parent, entry, cx);
    }
    if own_kind.is_some() && el.children.len() > 1 {
        check_cardinality(el, own_kind, entry, cx);
    }
    for child in &el.children {
        walk(child, own_kind, entry, cx);
    }
}

fn check_cardinality(parent: &El, kind: Option<Parent>, entry: Option<&str>, cx: &mut Checker) {
    // One pass over the children: (name, count, the second one) per podcast: tag.
    let mut seen: Vec<(&str, usize, &El)> = Vec::new();
    for child in parent.children.iter().filter(|c| is_podcast(c)) {
        match seen.iter_mut().find(|(name, ..)| *name == child.name) {
            Some((_, count, second)) => {
                *count += 1;
                if *count == 2 {
                    *second = child;
                }
            }
            None => seen.push((child.name, 1, child)),
        }
    }
    for (name, count, second) in seen {
        let single = TAGS.iter().any(|tag| tag.single && tag.name == name);
        if single && count > 1 {
            let within = kind.map(Parent::describe).unwrap_or_default();
            cx.report(
                &CARDINALITY,
                Some(second),
                entry,
                format!("podcast:{name} appears {count} times in {within}; keep one"),
            );
        }
    }
}

fn check_tag(
    el: &El,
    tag: Option<&Tag>,
    parent: Option<Parent>,
    entry: Option<&str>,
    cx: &mut Checker,
) {
    let Some(tag) = tag else {
        cx.report(
            &UNKNOWN_ELEMENT,
            Some(el),
            entry,
            format!("{} is not a Podcasting 2.0 tag", el.qname()),
        );
        return;
    };
    let allowed = parent.is_some_and(|p| {
        tag.parents.contains(&p) || (p == LiveItem && tag.parents.contains(&Item))
    });
    if !allowed {
        let places: Vec<String> = tag.parents.iter().map(|p| p.describe()).collect();
        let here = parent
            .map(Parent::describe)
            .unwrap_or_else(|| "the document root".into());
        cx.report(
            &PARENT,
            Some(el),
            entry,
            format!(
                "{} is in {here}; it belongs in {}",
                el.qname(),
                places.join(" or ")
            ),
        );
    }
    let missing: Vec<&str> = tag
        .required
        .iter()
        .copied()
        .filter(|name| el.attr(name).is_none_or(|v| v.trim().is_empty()))
        .collect();
    if !missing.is_empty() {
        cx.report(
            &REQUIRED_ATTRIBUTE,
            Some(el),
            entry,
            format!("{} lacks {}", el.qname(), missing.join(", ")),
        );
    }
    if tag.text_required && el.trimmed().is_empty() {
        cx.report(
            &EMPTY_VALUE,
            Some(el),
            entry,
            format!("{} is empty", el.qname()),
        );
    }
    for &(attr, max) in tag.limits {
        let value = if attr.is_empty() {
            Some(el.trimmed())
        } else {
            el.attr(attr).map(str::trim)
        };
        let chars = value.map_or(0, |v| v.chars().count());
        if chars > max {
            let what = if attr.is_empty() {
                el.qname()
            } else {
                format!("{} {attr}", el.qname())
            };
            cx.report(
                &TEXT_LENGTH,
                Some(el),
                entry,
                format!("{what} is {chars} characters, over the limit of {max}"),
            );
        }
    }
    for &attr in tag.urls {
        if let Some(url) = el.attr(attr).map(str::trim)
            && url
                .get(..5)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http:"))
        {
            cx.report(
                &HTTPS,
                Some(el),
                entry,
                format!("{} {attr} is {url}; use https:", el.qname()),
            );
        }
    }
    check_values(el, entry, cx);
}

/// What is particular to one tag.
fn check_values(el: &El, entry: Option<&str>, cx: &mut Checker) {
    let text = el.trimmed();
    match el.name {
        "guid" => {
            if let Some(problem) = guid_problem(text) {
                cx.report(&GUID_FORMAT, Some(el), entry, problem);
            }
        }
        "locked" => {
            if text != "yes" && text != "no" {
                cx.report(
                    &LOCKED,
                    Some(el),
                    entry,
                    format!("podcast:locked is `{text}`; use `yes` or `no`"),
                );
            }
            if let Some(owner) = el.attr("owner").map(str::trim)
                && !looks_like_email(owner)
            {
                cx.report(
                    &LOCKED_OWNER,
                    Some(el),
                    entry,
                    format!("podcast:locked owner is `{owner}`, not an email address"),
                );
            }
        }
        "block" if text != "yes" && text != "no" => {
            cx.report(
                &BLOCK,
                Some(el),
                entry,
                format!("podcast:block is `{text}`; use `yes` or `no`"),
            );
        }
        "person" => check_person(el, entry, cx),
        "transcript" => {
            if let Some(kind) = el.attr("type").map(str::trim).filter(|t| !t.is_empty()) {
                let essence = kind.split(';').next().unwrap_or(kind).trim();
                if !TRANSCRIPT_TYPES
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(essence))
                {
                    cx.report(
                        &TRANSCRIPT_TYPE,
                        Some(el),
                        entry,
                        format!(
                            "podcast:transcript type is `{kind}`; use one of {}",
                            TRANSCRIPT_TYPES.join(", ")
                        ),
                    );
                }
            }
            if let Some(rel) = el.attr("rel").map(str::trim)
                && rel != "captions"
            {
                cx.report(
                    &TRANSCRIPT_REL,
                    Some(el),
                    entry,
                    format!("podcast:transcript rel is `{rel}`; the only rel is `captions`"),
                );
            }
        }
        "chapters" => {
            if let Some(kind) = el.attr("type").map(str::trim).filter(|t| !t.is_empty())
                && !kind.eq_ignore_ascii_case("application/json+chapters")
            {
                cx.report(
                    &CHAPTERS_TYPE,
                    Some(el),
                    entry,
                    format!("podcast:chapters type is `{kind}`; use application/json+chapters"),
                );
            }
        }
        "season" if (text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit())) => {
            cx.report(
                &SEASON,
                Some(el),
                entry,
                format!("podcast:season is `{text}`; write the season number"),
            );
        }
        "episode" if !is_decimal(text) => {
            cx.report(
                &EPISODE,
                Some(el),
                entry,
                format!("podcast:episode is `{text}`; write a number (labels go in `display`)"),
            );
        }
        "medium" if !crate::model::is_podcast_medium(text) => {
            cx.report(
                &MEDIUM,
                Some(el),
                entry,
                format!(
                    "podcast:medium is `{text}`; use one of {}, a list form (`podcastL`) or `mixed`",
                    crate::model::PODCAST_MEDIUMS.join(", ")
                ),
            );
        }
        "txt"
            if el.attr("purpose").map(str::trim) == Some("ai-content")
                && text != "true"
                && text != "false" =>
        {
            cx.report(
                &TXT_VALUE,
                Some(el),
                entry,
                format!("podcast:txt purpose=\"ai-content\" is `{text}`; use `true` or `false`"),
            );
        }
        "value" => check_value(el, entry, cx),
        "valueRecipient" => {
            slug(el, "type", entry, cx);
            boolean(el, "fee", entry, cx);
            if let Some(split) = el.attr("split").map(str::trim).filter(|s| !s.is_empty())
                && !split.bytes().all(|b| b.is_ascii_digit())
            {
                cx.report(
                    &VALUE_SPLIT,
                    Some(el),
                    entry,
                    format!("valueRecipient split is `{split}`; write a whole number of shares"),
                );
            }
        }
        "valueTimeSplit" => {
            for attr in [
                "startTime",
                "duration",
                "remoteStartTime",
                "remotePercentage",
            ] {
                number(el, attr, entry, cx);
            }
            let recipients = el
                .children
                .iter()
                .filter(|c| is_p20(c, "valueRecipient"))
                .count();
            let remotes = el
                .children
                .iter()
                .filter(|c| is_p20(c, "remoteItem"))
                .count();
            let fine = (recipients > 0 && remotes == 0) || (recipients == 0 && remotes == 1);
            if !fine {
                cx.report(
                    &VALUE_RECIPIENTS,
                    Some(el),
                    entry,
                    format!(
                        "podcast:valueTimeSplit holds {recipients} valueRecipient and {remotes} remoteItem; give recipients or exactly one remoteItem"
                    ),
                );
            }
        }
        "alternateEnclosure" => {
            for attr in ["length", "bitrate", "height"] {
                number(el, attr, entry, cx);
            }
            boolean(el, "default", entry, cx);
            if !el.children.iter().any(|c| is_p20(c, "source")) {
                cx.report(
                    &ALTERNATE_ENCLOSURE,
                    Some(el),
                    entry,
                    "podcast:alternateEnclosure has no podcast:source",
                );
            }
        }
        "integrity" => {
            if let Some(kind) = el.attr("type").map(str::trim)
                && kind != "sri"
                && kind != "pgp-signature"
            {
                cx.report(
                    &ALTERNATE_ENCLOSURE,
                    Some(el),
                    entry,
                    format!("podcast:integrity type is `{kind}`; use `sri` or `pgp-signature`"),
                );
            }
        }
        "soundbite" => {
            number(el, "startTime", entry, cx);
            number(el, "duration", entry, cx);
        }
        "trailer" => {
            number(el, "length", entry, cx);
            if let Some(date) = el.attr("pubdate").map(str::trim).filter(|d| !d.is_empty())
                && DateTime::parse_from_rfc2822(date).is_err()
            {
                cx.report(
                    &DATE,
                    Some(el),
                    entry,
                    format!("podcast:trailer pubdate is `{date}`, not an RFC 2822 date"),
                );
            }
        }
        "remoteItem" => {
            if let Some(guid) = el.attr("feedGuid").map(str::trim).filter(|g| !g.is_empty())
                && !is_uuid(guid)
            {
                cx.report(
                    &REMOTE_ITEM_GUID,
                    Some(el),
                    entry,
                    format!("remoteItem feedGuid is `{guid}`, not a podcast:guid"),
                );
            }
        }
        "podroll" if !el.children.iter().any(|c| is_p20(c, "remoteItem")) => {
            cx.report(
                &PODROLL,
                Some(el),
                entry,
                "podcast:podroll names no remoteItem",
            );
        }
        "liveItem" => check_live_item(el, entry, cx),
        "updateFrequency" => check_update_frequency(el, entry, cx),
        "podping" => boolean(el, "usesPodping", entry, cx),
        "images" => cx.report(
            &DEPRECATED,
            Some(el),
            entry,
            "podcast:images is deprecated; use one podcast:image per image",
        ),
        _ => {}
    }
}

fn is_p20(el: &El, name: &str) -> bool {
    el.name == name && is_podcast(el)
}

/// Whether `el` is in the Podcasting 2.0 namespace (either URI). Every element is asked,
/// so the URIs of the other common vocabularies are answered without canonicalising.
fn is_podcast(el: &El) -> bool {
    match el.ns.as_deref() {
        None => false,
        Some(ns::PODCAST) => true,
        Some(ns::ITUNES | ns::CONTENT | ns::ATOM10 | ns::DC | ns::MEDIA) => false,
        Some(_) => el.in_ns(ns::PODCAST),
    }
}

/// Why `text` is not a UUIDv5, if it is not.
fn guid_problem(text: &str) -> Option<String> {
    if !is_uuid(text) {
        return Some(format!(
            "podcast:guid is `{text}`, not a UUID (8-4-4-4-12 hexadecimal digits)"
        ));
    }
    // The version is the first digit of the third group.
    let version = text.as_bytes()[14];
    (version != b'5').then(|| {
        format!(
            "podcast:guid {text} is a version {} UUID; it must be a UUIDv5 of the feed URL",
            char::from(version)
        )
    })
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn looks_like_email(text: &str) -> bool {
    let text = text.strip_prefix("mailto:").unwrap_or(text);
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty())
        && all_digits(whole)
        && all_digits(fraction)
        && !(digits.contains('.') && fraction.is_empty())
}

fn number(el: &El, attr: &str, entry: Option<&str>, cx: &mut Checker) {
    if let Some(value) = el.attr(attr).map(str::trim)
        && !is_decimal(value)
    {
        cx.report(
            &NUMBER,
            Some(el),
            entry,
            format!("{} {attr} is `{value}`; write a number", el.qname()),
        );
    }
}

fn boolean(el: &El, attr: &str, entry: Option<&str>, cx: &mut Checker) {
    if let Some(value) = el.attr(attr).map(str::trim)
        && value != "true"
        && value != "false"
    {
        cx.report(
            &BOOLEAN,
            Some(el),
            entry,
            format!("{} {attr} is `{value}`; use `true` or `false`", el.qname()),
        );
    }
}

fn slug(el: &El, attr: &str, entry: Option<&str>, cx: &mut Checker) {
    if let Some(value) = el.attr(attr).map(str::trim).filter(|v| !v.is_empty()) {
        let known = VALUE_SLUGS.contains(&value) || (attr == "method" && value == "default");
        if !known {
            cx.report(
                &VALUE_SLUG,
                Some(el),
                entry,
                format!(
                    "{} {attr} is `{value}`; known slugs are {}",
                    el.qname(),
                    VALUE_SLUGS.join(", ")
                ),
            );
        }
    }
}

fn check_person(el: &El, entry: Option<&str>, cx: &mut Checker) {
    if let Some(role) = el.attr("role").map(str::trim)
        && !is_role(role)
    {
        cx.report(
            &PERSON_ROLE,
            Some(el),
            entry,
            format!("podcast:person role `{role}` is not in the Podcast Taxonomy"),
        );
    }
    if let Some(group) = el.attr("group").map(str::trim)
        && !is_group(group)
    {
        cx.report(
            &PERSON_GROUP,
            Some(el),
            entry,
            format!("podcast:person group `{group}` is not in the Podcast Taxonomy"),
        );
    }
}

fn check_value(el: &El, entry: Option<&str>, cx: &mut Checker) {
    slug(el, "type", entry, cx);
    slug(el, "method", entry, cx);
    number(el, "suggested", entry, cx);
    let recipients: Vec<&El> = el
        .children
        .iter()
        .filter(|c| is_p20(c, "valueRecipient"))
        .collect();
    if recipients.is_empty() {
        cx.report(
            &VALUE_RECIPIENTS,
            Some(el),
            entry,
            "podcast:value names no valueRecipient",
        );
        return;
    }
    let splits: Option<Vec<u64>> = recipients
        .iter()
        .map(|r| r.attr("split").and_then(|s| s.trim().parse::<u64>().ok()))
        .collect();
    if let Some(splits) = splits
        && splits.iter().all(|s| *s == 0)
    {
        cx.report(
            &VALUE_SPLIT,
            Some(el),
            entry,
            "every valueRecipient of this podcast:value has split 0; nobody is paid",
        );
    }
}

fn check_live_item(el: &El, entry: Option<&str>, cx: &mut Checker) {
    if let Some(status) = el.attr("status").map(str::trim).filter(|s| !s.is_empty())
        && !matches!(status, "pending" | "live" | "ended")
    {
        cx.report(
            &LIVE_ITEM_STATUS,
            Some(el),
            entry,
            format!("podcast:liveItem status is `{status}`; use pending, live or ended"),
        );
    }
    let mut times = Vec::new();
    for attr in ["start", "end"] {
        let Some(value) = el.attr(attr).map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        match iso8601(value) {
            Some(time) => times.push(time),
            None => cx.report(
                &DATE,
                Some(el),
                entry,
                format!("podcast:liveItem {attr} is `{value}`, not an ISO 8601 timestamp"),
            ),
        }
    }
    if let [start, end] = times.as_slice()
        && end < start
    {
        cx.report(
            &DATE,
            Some(el),
            entry,
            "podcast:liveItem ends before it starts",
        );
    }
    if !el.children.iter().any(|c| is_p20(c, "contentLink")) {
        cx.report(
            &LIVE_ITEM_CONTENT_LINK,
            Some(el),
            entry,
            "podcast:liveItem has no podcast:contentLink to a page where the stream plays",
        );
    }
}

/// An ISO 8601 date or date-time, as UTC seconds when it has a zone (local times and
/// dates count as UTC: only the order of start and end is judged with them).
fn iso8601(value: &str) -> Option<i64> {
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Some(time.timestamp());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(time) = DateTime::parse_from_str(value, format) {
            return Some(time.timestamp());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(value, format) {
            return Some(time.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc().timestamp())
}

fn check_update_frequency(el: &El, entry: Option<&str>, cx: &mut Checker) {
    let complete = el.attr("complete").map(str::trim);
    if let Some(value) = complete
        && value != "true"
        && value != "false"
    {
        cx.report(
            &UPDATE_FREQUENCY,
            Some(el),
            entry,
            format!("podcast:updateFrequency complete is `{value}`; use `true` or `false`"),
        );
    }
    let dtstart = el.attr("dtstart").map(str::trim).filter(|v| !v.is_empty());
    if let Some(value) = dtstart
        && iso8601(value).is_none()
    {
        cx.report(
            &DATE,
            Some(el),
            entry,
            format!("podcast:updateFrequency dtstart is `{value}`, not an ISO 8601 date"),
        );
    }
    let Some(rule) = el.attr("rrule").map(str::trim) else {
        return;
    };
    match rrule_problem(rule) {
        Some(problem) => cx.report(
            &UPDATE_FREQUENCY,
            Some(el),
            entry,
            format!("podcast:updateFrequency rrule `{rule}`: {problem}"),
        ),
        None if rule.split(';').any(|part| part.starts_with("COUNT=")) && dtstart.is_none() => {
            cx.report(
                &UPDATE_FREQUENCY,
                Some(el),
                entry,
                format!("podcast:updateFrequency rrule `{rule}` has a COUNT but no dtstart"),
            );
        }
        None => {}
    }
}

/// What is wrong with an RFC 5545 recurrence rule, if anything.
fn rrule_problem(rule: &str) -> Option<String> {
    const FREQS: &[&str] = &[
        "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
    ];
    const DAYS: &[&str] = &["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    let mut seen: Vec<&str> = Vec::new();
    for part in rule.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            return Some(format!("`{part}` is not NAME=VALUE"));
        };
        if seen.contains(&key) {
            return Some(format!("{key} appears twice"));
        }
        seen.push(key);
        let list = || value.split(',');
        // Whole numbers in [min, max]; `signed` lists may count from the end (`-1`).
        let ints = |min: i64, max: i64, signed: bool| {
            list().all(|v| {
                let unsigned = v.strip_prefix(['+', '-']).unwrap_or(v);
                (signed || unsigned == v)
                    && !unsigned.is_empty()
                    && unsigned.bytes().all(|b| b.is_ascii_digit())
                    && unsigned.parse::<i64>().is_ok_and(|n| n >= min && n <= max)
            })
        };
        let valid = match key {
            "FREQ" => FREQS.contains(&value),
            "UNTIL" => iso8601(value).is_some() || is_ical_date(value),
            "COUNT" | "INTERVAL" => value.parse::<u32>().is_ok_and(|n| n > 0),
            "BYSECOND" => ints(0, 60, false),
            "BYMINUTE" => ints(0, 59, false),
            "BYHOUR" => ints(0, 23, false),
            "BYDAY" => list().all(|day| {
                let name = day.get(day.len().saturating_sub(2)..).unwrap_or("");
                let ordinal = &day[..day.len() - name.len()];
                DAYS.contains(&name)
                    && (ordinal.is_empty()
                        || ordinal
                            .parse::<i32>()
                            .is_ok_and(|n| n != 0 && (-53..=53).contains(&n)))
            }),
            "BYMONTHDAY" => ints(1, 31, true),
            "BYYEARDAY" => ints(1, 366, true),
            "BYWEEKNO" => ints(1, 53, true),
            "BYMONTH" => ints(1, 12, false),
            "BYSETPOS" => ints(1, 366, true),
            "WKST" => DAYS.contains(&value),
            _ => return Some(format!("{key} is not a recurrence rule part")),
        };
        if !valid {
            return Some(format!("{key}={value} is not a valid value"));
        }
    }
    if !seen.contains(&"FREQ") {
        return Some("it has no FREQ".into());
    }
    if seen.contains(&"COUNT") && seen.contains(&"UNTIL") {
        return Some("it has both COUNT and UNTIL".into());
    }
    None
}

/// iCalendar's own date forms (`20231231`, `20231231T000000Z`).
fn is_ical_date(value: &str) -> bool {
    let value = value.strip_suffix('Z').unwrap_or(value);
    NaiveDate::parse_from_str(value, "%Y%m%d").is_ok()
        || NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").is_ok()
}

/// The Podcast Taxonomy Project's groups and their roles (`taxonomy.json` of the
/// namespace's repository), in its order. `Editor` is in two groups.
const TAXONOMY: &[(&str, &[&str])] = &[
    (
        "Creative Direction",
        &[
            "Director",
            "Assistant Director",
            "Executive Producer",
            "Senior Producer",
            "Producer",
            "Associate Producer",
            "Development Producer",
            "Creative Director",
        ],
    ),
    (
        "Cast",
        &[
            "Host",
            "Co-Host",
            "Guest Host",
            "Guest",
            "Voice Actor",
            "Narrator",
            "Announcer",
            "Reporter",
        ],
    ),
    (
        "Writing",
        &[
            "Author",
            "Editorial Director",
            "Co-Writer",
            "Writer",
            "Songwriter",
            "Guest Writer",
            "Story Editor",
            "Managing Editor",
            "Script Editor",
            "Script Coordinator",
            "Researcher",
            "Editor",
            "Fact Checker",
            "Translator",
            "Transcriber",
            "Logger",
        ],
    ),
    (
        "Audio Production",
        &[
            "Studio Coordinator",
            "Technical Director",
            "Technical Manager",
            "Audio Engineer",
            "Remote Recording Engineer",
            "Post Production Engineer",
        ],
    ),
    (
        "Audio Post-Production",
        &[
            "Audio Editor",
            "Sound Designer",
            "Foley Artist",
            "Composer",
            "Theme Music",
            "Music Production",
            "Music Contributor",
        ],
    ),
    (
        "Administration",
        &[
            "Production Coordinator",
            "Booking Coordinator",
            "Production Assistant",
            "Content Manager",
            "Marketing Manager",
            "Sales Representative",
            "Sales Manager",
        ],
    ),
    ("Visuals", &["Graphic Designer", "Cover Art Designer"]),
    ("Community", &["Social Media Manager"]),
    ("Misc.", &["Consultant", "Intern"]),
    (
        "Video Production",
        &[
            "Camera Operator",
            "Lighting Designer",
            "Camera Grip",
            "Assistant Camera",
        ],
    ),
    ("Video Post-Production", &["Editor", "Assistant Editor"]),
];

/// Whether `role` is a taxonomy role; the specification compares without case.
fn is_role(role: &str) -> bool {
    TAXONOMY
        .iter()
        .flat_map(|(_, roles)| roles.iter())
        .any(|known| known.eq_ignore_ascii_case(role))
}

fn is_group(group: &str) -> bool {
    TAXONOMY
        .iter()
        .any(|(known, _)| known.eq_ignore_ascii_case(group))
}

#[cfg(test)]
mod tests {
    use super::super::apple::tests::{assert_every_rule_fires_alone, fixture_findings};
    use super::*;

    fn messages(name: &str) -> Vec<String> {
        fixture_findings("p20", name)
            .into_iter()
            .map(|f| format!("{} {}: {}", f.line.unwrap_or(0), f.rule.id, f.message))
            .collect()
    }

    #[test]
    fn the_clean_feed_using_every_tag_has_no_finding() {
        assert_eq!(messages("clean"), Vec::<String>::new());
    }

    #[test]
    fn every_rule_has_a_fixture_that_breaks_it_alone() {
        assert_every_rule_fires_alone("p20", RULES);
    }

    #[test]
    fn every_tag_of_the_specification_is_known() {
        // docs/1.0.md's table of contents, plus the deprecated podcast:images.
        let listed = [
            "transcript",
            "locked",
            "funding",
            "chapters",
            "soundbite",
            "person",
            "location",
            "season",
            "episode",
            "trailer",
            "license",
            "alternateEnclosure",
            "source",
            "integrity",
            "guid",
            "value",
            "valueRecipient",
            "medium",
            "liveItem",
            "contentLink",
            "socialInteract",
            "block",
            "txt",
            "remoteItem",
            "podroll",
            "updateFrequency",
            "podping",
            "valueTimeSplit",
            "chat",
            "publisher",
            "image",
            "images",
        ];
        let known: Vec<&str> = TAGS.iter().map(|tag| tag.name).collect();
        assert_eq!(known.len(), listed.len());
        for name in listed {
            assert!(known.contains(&name), "{name}");
        }
    }

    #[test]
    fn findings_name_the_tag_the_parent_and_the_values() {
        assert_eq!(
            messages("parent"),
            ["41 p20/parent: podcast:medium is in <item>; it belongs in <channel>"]
        );
        assert_eq!(
            messages("guid-format"),
            [
                "9 p20/guid-format: podcast:guid 917393e3-1b1e-4cef-ace4-edaa54e1f810 is a version 4 UUID; it must be a UUIDv5 of the feed URL"
            ]
        );
        assert_eq!(
            messages("cardinality"),
            ["12 p20/cardinality: podcast:medium appears 2 times in <channel>; keep one"]
        );
        let role = fixture_findings("p20", "person-role");
        assert_eq!(role[0].entry, None);
        assert_eq!(
            role[0].message,
            "podcast:person role `Presenter` is not in the Podcast Taxonomy"
        );
        let https = fixture_findings("p20", "https");
        assert_eq!(https[0].entry.as_deref(), Some("fixture-episode-1"));
    }

    #[test]
    fn hostile_values_are_findings_not_panics() {
        let feed = r#"<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f8€</podcast:guid>
<podcast:person href="htt€p://x">A</podcast:person>
<podcast:updateFrequency rrule="FREQ=WEEKLY;BYDAY=M€">W</podcast:updateFrequency>
<podcast:liveItem status="live" start="2024-01-01T00:00:00Z€"><podcast:contentLink href="https://x.example/"/></podcast:liveItem>
</channel></rss>"#;
        let ids: Vec<&str> =
            crate::validate::validate("f.xml", feed.as_bytes(), &Default::default())
                .iter()
                .map(|f| f.rule.id)
                .filter(|id| id.starts_with("p20/"))
                .collect();
        assert_eq!(ids, ["p20/guid-format", "p20/update-frequency", "p20/date"]);
    }

    #[test]
    fn guids_and_uuids() {
        assert_eq!(guid_problem("917393e3-1b1e-5cef-ace4-edaa54e1f810"), None);
        assert!(guid_problem("{917393e3-1b1e-5cef-ace4-edaa54e1f810}").is_some());
        assert!(guid_problem("917393e31b1e5ceface4edaa54e1f810").is_some());
        assert!(guid_problem("https://pod.example/feed.xml").is_some());
        assert!(guid_problem("").is_some());
    }

    #[test]
    fn roles_and_groups_ignore_case() {
        assert!(is_role("cover art designer") && is_role("HOST") && is_role("Editor"));
        assert!(!is_role("presenter"));
        assert!(is_group("audio post-production") && is_group("misc."));
        assert!(!is_group("audio"));
    }

    #[test]
    fn recurrence_rules_follow_rfc_5545() {
        for good in [
            "FREQ=DAILY",
            "FREQ=WEEKLY;INTERVAL=2",
            "FREQ=DAILY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=YEARLY;BYDAY=+4TH;BYMONTH=11",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "FREQ=WEEKLY;UNTIL=2023-12-31T00:00:00.000Z;BYDAY=MO",
            "FREQ=WEEKLY;UNTIL=20231231T000000Z",
        ] {
            assert_eq!(rrule_problem(good), None, "{good}");
        }
        let bad = [
            ("BYDAY=MO", "it has no FREQ"),
            ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a valid value"),
            ("FREQ=WEEKLY;COUNT=0", "COUNT=0 is not a valid value"),
            ("FREQ=WEEKLY;BYDAY=MON", "BYDAY=MON is not a valid value"),
            ("FREQ=WEEKLY;FREQ=DAILY", "FREQ appears twice"),
            (
                "FREQ=WEEKLY;COUNT=3;UNTIL=20231231",
                "it has both COUNT and UNTIL",
            ),
            ("FREQ=WEEKLY;EVERY=2", "EVERY is not a recurrence rule part"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=0",
                "BYMONTHDAY=0 is not a valid value",
            ),
            ("weekly", "`weekly` is not NAME=VALUE"),
        ];
        for (rule, problem) in bad {
            assert_eq!(rrule_problem(rule).as_deref(), Some(problem), "{rule}");
        }
    }

    #[test]
    fn timestamps_in_the_forms_the_specification_shows() {
        for good in [
            "2021-09-26T07:30:00.000-0600",
            "2021-09-26T07:30:00Z",
            "2023-08-28T00:00:00.000Z",
            "2025-01-01",
            "2021-09-26T07:30",
        ] {
            assert!(iso8601(good).is_some(), "{good}");
        }
        for bad in [
            "26 September 2021",
            "2021-13-01",
            "Sun, 26 Sep 2021 07:30:00 GMT",
            "",
        ] {
            assert!(iso8601(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_live_item_that_ends_before_it_starts_is_a_date_finding() {
        let feed = std::fs::read_to_string(
            super::super::apple::tests::fixture_dir("p20").join("clean.xml"),
        )
        .unwrap()
        .replace(
            "end=\"2024-09-26T09:30:00.000-0600\"",
            "end=\"2024-09-26T06:30:00.000-0600\"",
        );
        let findings: Vec<String> =
            crate::validate::validate("f.xml", feed.as_bytes(), &Default::default())
                .into_iter()
                .filter(|f| f.rule.id.starts_with("p20/"))
                .map(|f| format!("{}: {}", f.rule.id, f.message))
                .collect();
        assert_eq!(
            findings,
            ["p20/date: podcast:liveItem ends before it starts"]
        );
    }
}
