//! The extension namespaces both XML dialects carry: Dublin Core and `dcterms:`,
//! `content:encoded`, XHTML `body`, `atom:link`/`updated`/`published`/`author` inside
//! RSS, `admin:generatorAgent`, `itunes:`, `podcast:` (Podcasting 2.0) and `media:`
//! (Media RSS).
//!
//! Reading is in two steps. [`Extensions::read`] is one `match` arm per (namespace, tag):
//! it only remembers which element carried what. The dialect mapper fills the model from
//! its own core elements first and then calls [`Extensions::apply_to_feed`] or
//! [`Extensions::apply_to_entry`], where the precedence lives: most extension values are
//! fallbacks for an empty field, a few win over the core (`content:encoded` over an RSS
//! description as the entry's HTML, `itunes:image` over an RSS `image` as the artwork,
//! since that is what podcast apps show).
//!
//! `itunes:keywords` and `media:keywords` become categories without a scheme (they are
//! free tags, not Apple's taxonomy), added only when no category has the same term.

use std::borrow::Cow;

use super::context::{Ctx, collapse_whitespace, looks_like_html, quote, trim_text};
use super::dom::Element;
use super::ns::{self, Known};
use super::person;
use crate::model::{
    Category, Chapters, Enclosure, Entry, Feed, FeedPodcast, Funding, Image, Locked, Owner, Person,
    PodcastPerson, Transcript,
};
use crate::normalise;

/// The scheme of a `media:category` without one, per the Media RSS specification.
const MEDIA_CATEGORY_SCHEME: &str = "http://search.yahoo.com/mrss/category_schema";

/// What the extension elements of one channel, feed, item or entry said.
#[derive(Debug, Default)]
pub(crate) struct Extensions<'a> {
    dc_title: Option<Element<'a>>,
    dc_description: Option<Element<'a>>,
    dc_language: Option<Element<'a>>,
    dc_rights: Option<Element<'a>>,
    dc_date: Option<Element<'a>>,
    dcterms_issued: Option<Element<'a>>,
    dcterms_modified: Option<Element<'a>>,
    dcterms_created: Option<Element<'a>>,
    creators: Vec<Element<'a>>,
    subjects: Vec<Element<'a>>,
    content_encoded: Option<Element<'a>>,
    xhtml_body: Option<Element<'a>>,
    generator_agent: Option<Element<'a>>,
    /// `atom:link` elements inside RSS, for the dialect mapper to read.
    pub atom_links: Vec<Element<'a>>,
    /// `atom:updated`, `atom:published` and `atom:author` inside RSS (ASP.NET's
    /// syndication classes and Medium write them on every item).
    atom_updated: Option<Element<'a>>,
    atom_published: Option<Element<'a>>,
    atom_authors: Vec<Element<'a>>,

    itunes_title: Option<Element<'a>>,
    itunes_summary: Option<Element<'a>>,
    itunes_subtitle: Option<Element<'a>>,
    itunes_author: Option<Element<'a>>,
    itunes_image: Option<Element<'a>>,
    itunes_categories: Vec<Element<'a>>,
    keywords: Vec<Element<'a>>,
    itunes_explicit: Option<Element<'a>>,
    itunes_block: Option<Element<'a>>,
    itunes_complete: Option<Element<'a>>,
    itunes_type: Option<Element<'a>>,
    itunes_new_feed_url: Option<Element<'a>>,
    itunes_owner: Option<Element<'a>>,
    itunes_duration: Option<Element<'a>>,
    itunes_season: Option<Element<'a>>,
    itunes_episode: Option<Element<'a>>,
    itunes_episode_type: Option<Element<'a>>,

    podcast_guid: Option<Element<'a>>,
    podcast_locked: Option<Element<'a>>,
    podcast_medium: Option<Element<'a>>,
    podcast_season: Option<Element<'a>>,
    podcast_episode: Option<Element<'a>>,
    podcast_chapters: Option<Element<'a>>,
    podcast_funding: Vec<Element<'a>>,
    podcast_persons: Vec<Element<'a>>,
    podcast_transcripts: Vec<Element<'a>>,

    media_title: Option<Element<'a>>,
    media_description: Option<Element<'a>>,
    media_thumbnails: Vec<Element<'a>>,
    /// `media:content` elements; each inner list is one `media:group` (alternatives of one
    /// medium) or one lone `media:content`.
    media_groups: Vec<Vec<Element<'a>>>,
    media_categories: Vec<Element<'a>>,
}

/// Whether `element` is a `media:content` (its namespace kind compared, not its URI).
fn is_media_content(element: Element<'_>) -> bool {
    element.known() == Known::Media && element.name().eq_ignore_ascii_case("content")
}

/// Remembers the first occurrence of a single-valued element.
fn first<'a>(slot: &mut Option<Element<'a>>, element: Element<'a>) {
    if slot.is_none() {
        *slot = Some(element);
    }
}

impl<'a> Extensions<'a> {
    /// Takes note of `element` if it belongs to an extension namespace omroep reads;
    /// returns whether it did.
    pub fn read(&mut self, element: Element<'a>) -> bool {
        // By the namespace's kind, which the reader worked out once per URI: no URI is
        // compared here. An element in no namespace matches no arm.
        let name = element.lower_name();
        match (element.known(), name.as_str()) {
            (Known::Dc, "title") => first(&mut self.dc_title, element),
            (Known::Dc, "description") => first(&mut self.dc_description, element),
            (Known::Dc, "language") => first(&mut self.dc_language, element),
            (Known::Dc, "rights") | (Known::Dcterms, "rights") => {
                first(&mut self.dc_rights, element)
            }
            (Known::Dc, "date") => first(&mut self.dc_date, element),
            (Known::Dc, "creator") | (Known::Dc, "author") => self.creators.push(element),
            (Known::Dc, "subject") => self.subjects.push(element),
            (Known::Dcterms, "issued") => first(&mut self.dcterms_issued, element),
            (Known::Dcterms, "modified") => first(&mut self.dcterms_modified, element),
            (Known::Dcterms, "created") => first(&mut self.dcterms_created, element),
            (Known::Content, "encoded") => first(&mut self.content_encoded, element),
            (Known::Xhtml, "body") => first(&mut self.xhtml_body, element),
            (Known::Admin, "generatoragent") => first(&mut self.generator_agent, element),
            (Known::Atom10, "link") | (Known::Atom03, "link") => self.atom_links.push(element),
            (Known::Atom10, "updated") => first(&mut self.atom_updated, element),
            (Known::Atom10, "published") => first(&mut self.atom_published, element),
            (Known::Atom10, "author") => self.atom_authors.push(element),

            (Known::Itunes, "title") => first(&mut self.itunes_title, element),
            (Known::Itunes, "summary") => first(&mut self.itunes_summary, element),
            (Known::Itunes, "subtitle") => first(&mut self.itunes_subtitle, element),
            (Known::Itunes, "author") => first(&mut self.itunes_author, element),
            (Known::Itunes, "image") => {
                // An `itunes:image` without a URL must not hide one that has it.
                if image_href(element).is_some() {
                    first(&mut self.itunes_image, element);
                }
            }
            (Known::Itunes, "link") if element.attr("rel") == Some("image") => {
                first(&mut self.itunes_image, element)
            }
            (Known::Itunes, "category") => self.itunes_categories.push(element),
            (Known::Itunes, "keywords") | (Known::Media, "keywords") => self.keywords.push(element),
            (Known::Itunes, "explicit") => first(&mut self.itunes_explicit, element),
            (Known::Itunes, "block") => first(&mut self.itunes_block, element),
            (Known::Itunes, "complete") => first(&mut self.itunes_complete, element),
            (Known::Itunes, "type") => first(&mut self.itunes_type, element),
            (Known::Itunes, "new-feed-url") => first(&mut self.itunes_new_feed_url, element),
            (Known::Itunes, "owner") => first(&mut self.itunes_owner, element),
            (Known::Itunes, "duration") => first(&mut self.itunes_duration, element),
            (Known::Itunes, "season") => first(&mut self.itunes_season, element),
            (Known::Itunes, "episode") => first(&mut self.itunes_episode, element),
            (Known::Itunes, "episodetype") => first(&mut self.itunes_episode_type, element),

            (Known::Podcast, "guid") => first(&mut self.podcast_guid, element),
            (Known::Podcast, "locked") => first(&mut self.podcast_locked, element),
            (Known::Podcast, "medium") => first(&mut self.podcast_medium, element),
            (Known::Podcast, "season") => first(&mut self.podcast_season, element),
            (Known::Podcast, "episode") => first(&mut self.podcast_episode, element),
            (Known::Podcast, "chapters") => first(&mut self.podcast_chapters, element),
            (Known::Podcast, "funding") => self.podcast_funding.push(element),
            (Known::Podcast, "person") => self.podcast_persons.push(element),
            (Known::Podcast, "transcript") => self.podcast_transcripts.push(element),

            (Known::Media, "title") => first(&mut self.media_title, element),
            (Known::Media, "description") => first(&mut self.media_description, element),
            (Known::Media, "thumbnail") => self.media_thumbnails.push(element),
            (Known::Media, "category") => self.media_categories.push(element),
            (Known::Media, "content") => {
                self.media_groups.push(vec![element]);
                self.read_media_children(element);
            }
            (Known::Media, "group") => {
                let contents: Vec<Element<'_>> = element
                    .elements()
                    .filter(|child| is_media_content(*child))
                    .collect();
                if !contents.is_empty() {
                    self.media_groups.push(contents.clone());
                }
                for content in contents {
                    self.read_media_children(content);
                }
                self.read_media_children(element);
            }
            _ => return false,
        }
        true
    }

    /// The `media:` elements that describe a `media:content` or `media:group` (title,
    /// description, thumbnails, categories) apply to the item that holds it.
    fn read_media_children(&mut self, container: Element<'a>) {
        for child in container.elements() {
            if child.known() == Known::Media && !is_media_content(child) {
                self.read(child);
            }
        }
    }

    /// Takes an RSS item's `body` written without a namespace as its XHTML body: feeds
    /// write it both ways, and readers (the Universal Feed Parser among them) take either
    /// as the item's full content.
    pub fn read_unqualified_body(&mut self, element: Element<'a>) {
        first(&mut self.xhtml_body, element);
    }

    /// Fills what the channel's or feed's core elements left empty, and the podcast block.
    pub fn apply_to_feed(&self, ctx: &mut Ctx, feed: &mut Feed) {
        if feed.title.is_none() {
            feed.title = [self.dc_title, self.itunes_title]
                .into_iter()
                .flatten()
                .find_map(|element| ctx.plain_of(element));
        }
        if feed.description.is_none() {
            let source = [
                self.dc_description,
                self.itunes_summary,
                self.itunes_subtitle,
            ]
            .into_iter()
            .flatten()
            .find(|element| !element.text().trim().is_empty());
            if let Some(element) = source {
                let (text, html) = description_pair(ctx, element);
                feed.description = text;
                feed.description_html = html;
            }
        }
        if feed.language.is_none() {
            feed.language = self
                .dc_language
                .and_then(|element| normalise::language::normalise(&element.text()));
        }
        if feed.copyright.is_none() {
            feed.copyright = self.dc_rights.and_then(|element| ctx.plain_of(element));
        }
        if feed.updated.is_none() {
            feed.updated = self.updated(ctx);
        }
        if feed.published.is_none() {
            feed.published = self.published(ctx);
        }
        if feed.generator.is_none()
            && let Some(agent) = self.generator_agent
        {
            let value = agent
                .attr_ns(ns::RDF, "resource")
                .map(str::to_string)
                .unwrap_or_else(|| agent.text().into_owned());
            feed.generator = collapse_whitespace(&value);
        }
        self.add_authors(ctx, &mut feed.authors);
        self.add_categories(ctx, &mut feed.categories);

        if let Some(url) = self
            .itunes_image
            .and_then(|element| itunes_image_url(ctx, element))
        {
            match &mut feed.image {
                Some(image) if image.url != url => {
                    // The artwork replaces a smaller RSS image; the size given was the
                    // other picture's.
                    image.url = url;
                    image.width = None;
                    image.height = None;
                }
                Some(_) => {}
                None => {
                    feed.image = Some(Image {
                        url,
                        ..Image::default()
                    })
                }
            }
        }
        if feed.image.is_none() {
            feed.image = self.thumbnail(ctx);
        }

        self.fill_feed_podcast(ctx, &mut feed.podcast);
    }

    fn fill_feed_podcast(&self, ctx: &mut Ctx, podcast: &mut FeedPodcast) {
        podcast.explicit = self
            .itunes_explicit
            .and_then(|element| explicit(ctx, element));
        podcast.kind = self
            .itunes_type
            .and_then(|element| one_of(ctx, "itunes:type", element, &["episodic", "serial"]));
        podcast.owner = self.itunes_owner.and_then(|owner| {
            let name = owner
                .child(Some(ns::ITUNES), "name")
                .and_then(|element| ctx.plain_of(element));
            let email = owner
                .child(Some(ns::ITUNES), "email")
                .and_then(|element| collapse_whitespace(&element.text()));
            (name.is_some() || email.is_some()).then_some(Owner { name, email })
        });
        podcast.author = self.itunes_author.and_then(|element| ctx.plain_of(element));
        podcast.complete = self
            .itunes_complete
            .and_then(|element| apple_yes(ctx, "itunes:complete", element));
        podcast.block = self
            .itunes_block
            .and_then(|element| apple_yes(ctx, "itunes:block", element));
        podcast.new_feed_url = self
            .itunes_new_feed_url
            .and_then(|element| ctx.url_text(element));
        podcast.guid = self
            .podcast_guid
            .and_then(|element| collapse_whitespace(&element.text()));
        podcast.locked = self.podcast_locked.and_then(|element| {
            let value = yes_no(ctx, "podcast:locked", element)?;
            let owner = element.attr("owner").and_then(collapse_whitespace);
            Some(Locked { value, owner })
        });
        podcast.medium = self
            .podcast_medium
            .and_then(|element| collapse_whitespace(&element.text()))
            .map(|medium| medium.to_lowercase());
        podcast.funding = self
            .podcast_funding
            .iter()
            .filter_map(|element| {
                let url = element.attr("url").and_then(|href| ctx.url(*element, href));
                if url.is_none() && !has_value(*element, "url") {
                    ctx.warn("podcast:funding without a url attribute; ignored");
                }
                Some(Funding {
                    url: url?,
                    text: ctx.plain_of(*element),
                })
            })
            .collect();
        podcast.persons = self.persons(ctx);
    }

    /// Whether `content:encoded` or an XHTML `body` carries the full content, so a
    /// description need not be sanitised as content.
    pub fn has_full_content(&self) -> bool {
        [self.content_encoded, self.xhtml_body]
            .into_iter()
            .flatten()
            .any(Element::has_content)
    }

    /// `content:encoded`, whose HTML `apply_to_entry` sanitises first.
    pub fn content_encoded(&self) -> Option<Element<'a>> {
        self.content_encoded
    }

    /// Fills what the item's or entry's core elements left empty, and the podcast block.
    /// `content_encoded_html` is `ctx.html_of(content:encoded)` when the mapper already
    /// made it ([`Ctx::plain_beside`]), so it is not sanitised twice.
    pub fn apply_to_entry(
        &self,
        ctx: &mut Ctx,
        entry: &mut Entry,
        content_encoded_html: Option<Option<String>>,
    ) {
        if entry.title.is_none() {
            entry.title = [self.dc_title, self.media_title, self.itunes_title]
                .into_iter()
                .flatten()
                .find_map(|element| ctx.plain_of(element));
        }
        // Full content wins over a description that served as content.
        let encoded = match content_encoded_html {
            Some(made) => made,
            None => self
                .content_encoded
                .and_then(|element| ctx.html_of(element)),
        };
        if let Some(html) =
            encoded.or_else(|| self.xhtml_body.and_then(|element| ctx.html_of(element)))
        {
            entry.content_html = Some(html);
        }
        if entry.summary.is_none() {
            entry.summary = [
                self.dc_description,
                self.itunes_summary,
                self.itunes_subtitle,
                self.media_description,
            ]
            .into_iter()
            .flatten()
            .find_map(|element| ctx.plain_of(element));
        }
        if entry.content_html.is_none() {
            // Show notes given only as `itunes:summary` are still the episode's content.
            entry.content_html = [self.dc_description, self.itunes_summary]
                .into_iter()
                .flatten()
                .find_map(|element| ctx.html_of(element));
        }
        if entry.published.is_none() {
            entry.published = self.published(ctx);
        }
        if entry.updated.is_none() {
            entry.updated = self.updated(ctx);
        }
        self.add_authors(ctx, &mut entry.authors);
        self.add_categories(ctx, &mut entry.categories);

        if let Some(url) = self
            .itunes_image
            .and_then(|element| itunes_image_url(ctx, element))
        {
            entry.image = Some(Image {
                url,
                ..Image::default()
            });
        }
        if entry.image.is_none() {
            entry.image = self.thumbnail(ctx).or_else(|| self.media_image(ctx));
        }
        let mut media_duration = None;
        if entry.enclosures.is_empty() {
            for group in &self.media_groups {
                if let Some((enclosure, duration)) = media_enclosure(ctx, group) {
                    media_duration = media_duration.or(duration);
                    entry.enclosures.push(enclosure);
                }
            }
        } else {
            // The duration a `media:content` gives for the enclosure's own file.
            media_duration = self
                .media_groups
                .iter()
                .flatten()
                .find(|content| {
                    content.attr("url").map(str::trim) == Some(entry.enclosures[0].url.as_str())
                })
                .and_then(|content| media_seconds(*content));
        }

        let podcast = &mut entry.podcast;
        podcast.duration_seconds = self
            .itunes_duration
            .and_then(|element| duration(ctx, element))
            .or(media_duration);
        podcast.explicit = self
            .itunes_explicit
            .and_then(|element| explicit(ctx, element));
        podcast.season = number(ctx, "itunes:season", self.itunes_season)
            .or_else(|| number(ctx, "podcast:season", self.podcast_season));
        podcast.episode = number(ctx, "itunes:episode", self.itunes_episode)
            .or_else(|| number(ctx, "podcast:episode", self.podcast_episode));
        podcast.episode_type = self.itunes_episode_type.and_then(|element| {
            one_of(
                ctx,
                "itunes:episodeType",
                element,
                &["full", "trailer", "bonus"],
            )
        });
        podcast.block = self
            .itunes_block
            .and_then(|element| apple_yes(ctx, "itunes:block", element));
        podcast.transcripts = self
            .podcast_transcripts
            .iter()
            .filter_map(|element| {
                let url = element.attr("url").and_then(|href| ctx.url(*element, href));
                if url.is_none() && !has_value(*element, "url") {
                    ctx.warn("podcast:transcript without a url attribute; ignored");
                }
                Some(Transcript {
                    url: url?,
                    mime_type: attr_text(*element, "type"),
                    language: element
                        .attr("language")
                        .and_then(normalise::language::normalise),
                    rel: attr_text(*element, "rel"),
                })
            })
            .collect();
        podcast.chapters = self.podcast_chapters.and_then(|element| {
            let url = element.attr("url").and_then(|href| ctx.url(element, href));
            if url.is_none() && !has_value(element, "url") {
                ctx.warn("podcast:chapters without a url attribute; ignored");
            }
            Some(Chapters {
                url: url?,
                mime_type: attr_text(element, "type"),
            })
        });
        podcast.persons = self.persons(ctx);
    }

    /// The first readable date among the candidates, in order.
    /// The update date from the extension namespaces, in the order readers prefer them;
    /// one list for channels and items alike.
    fn updated(&self, ctx: &mut Ctx) -> Option<chrono::DateTime<chrono::Utc>> {
        self.date(
            ctx,
            &[
                ("dc:date", self.dc_date),
                ("dcterms:modified", self.dcterms_modified),
                ("atom:updated", self.atom_updated),
            ],
        )
    }

    /// The publication date from the extension namespaces, for channels and items alike.
    fn published(&self, ctx: &mut Ctx) -> Option<chrono::DateTime<chrono::Utc>> {
        self.date(
            ctx,
            &[
                ("dcterms:issued", self.dcterms_issued),
                ("dcterms:created", self.dcterms_created),
                ("atom:published", self.atom_published),
            ],
        )
    }

    fn date(
        &self,
        ctx: &mut Ctx,
        candidates: &[(&str, Option<Element<'_>>)],
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        candidates
            .iter()
            .filter_map(|(field, element)| Some((*field, (*element)?)))
            .find_map(|(field, element)| ctx.date(field, element))
    }

    fn add_authors(&self, ctx: &Ctx, authors: &mut Vec<Person>) {
        for element in self.creators.iter().chain(self.itunes_author.iter()) {
            if let Some(person) = ctx
                .plain_of(*element)
                .and_then(|text| person::from_text(&text))
            {
                push_person(authors, person);
            }
        }
        for element in &self.atom_authors {
            if let Some(person) = super::atom::atom10_person(ctx, *element) {
                push_person(authors, person);
            }
        }
    }

    fn add_categories(&self, ctx: &Ctx, categories: &mut Vec<Category>) {
        for element in &self.subjects {
            if let Some(term) = ctx.plain_of(*element) {
                push_category(
                    categories,
                    Category {
                        term,
                        ..Category::default()
                    },
                );
            }
        }
        for element in &self.itunes_categories {
            let subcategories: Vec<String> = element
                .children_named(Some(ns::ITUNES), "category")
                .filter_map(|sub| sub.attr("text").and_then(collapse_whitespace))
                .collect();
            let Some(term) = element.attr("text").and_then(collapse_whitespace) else {
                // A wrapper without a name around named categories (seen in the wild,
                // and read as categories by feedparser and podcastparser): the inner
                // names are the show's categories, not subcategories of nothing.
                for term in subcategories {
                    if !categories.iter().any(|known| {
                        known.term == term && known.scheme.as_deref() == Some("itunes")
                    }) {
                        categories.push(Category {
                            term,
                            scheme: Some("itunes".to_string()),
                            ..Category::default()
                        });
                    }
                }
                continue;
            };
            let scheme = Some("itunes".to_string());
            // Apple lists a category with two subcategories as the parent written twice,
            // once around each: both subcategories belong to the one category.
            if let Some(known) = categories
                .iter_mut()
                .find(|known| known.term == term && known.scheme == scheme)
            {
                for sub in subcategories {
                    if !known.subcategories.contains(&sub) {
                        known.subcategories.push(sub);
                    }
                }
                continue;
            }
            categories.push(Category {
                term,
                scheme,
                subcategories,
                ..Category::default()
            });
        }
        for element in &self.media_categories {
            if let Some(term) = ctx.plain_of(*element) {
                push_category(
                    categories,
                    Category {
                        term,
                        label: element.attr("label").and_then(collapse_whitespace),
                        // Media RSS names a default scheme when none is given.
                        scheme: element
                            .attr("scheme")
                            .and_then(collapse_whitespace)
                            .or_else(|| Some(MEDIA_CATEGORY_SCHEME.to_string())),
                        ..Category::default()
                    },
                );
            }
        }
        for element in &self.keywords {
            for keyword in element.text().split(',') {
                let Some(term) = collapse_whitespace(keyword) else {
                    continue;
                };
                let known = categories
                    .iter()
                    .any(|category| category.term.eq_ignore_ascii_case(&term));
                if !known {
                    categories.push(Category {
                        term,
                        ..Category::default()
                    });
                }
            }
        }
    }

    fn persons(&self, ctx: &mut Ctx) -> Vec<PodcastPerson> {
        let mut persons = Vec::new();
        for element in &self.podcast_persons {
            let Some(name) = ctx.plain_of(*element) else {
                ctx.warn("podcast:person without a name; ignored");
                continue;
            };
            persons.push(PodcastPerson {
                name,
                role: attr_text(*element, "role").map(|role| role.to_lowercase()),
                group: attr_text(*element, "group").map(|group| group.to_lowercase()),
                img: element.attr("img").and_then(|href| ctx.url(*element, href)),
                href: element
                    .attr("href")
                    .and_then(|href| ctx.url(*element, href)),
            });
        }
        persons
    }

    /// The first `media:thumbnail` with a URL.
    fn thumbnail(&self, ctx: &Ctx) -> Option<Image> {
        self.media_thumbnails.iter().find_map(|element| {
            let url = element
                .attr("url")
                .and_then(|href| ctx.url(*element, href))?;
            Some(Image {
                url,
                width: element
                    .attr("width")
                    .and_then(|value| value.trim().parse().ok()),
                height: element
                    .attr("height")
                    .and_then(|value| value.trim().parse().ok()),
                ..Image::default()
            })
        })
    }

    /// The first `media:content` that is a picture.
    fn media_image(&self, ctx: &Ctx) -> Option<Image> {
        self.media_groups
            .iter()
            .flatten()
            .filter(|content| is_image(**content))
            .find_map(|element| {
                let url = element
                    .attr("url")
                    .and_then(|href| ctx.url(*element, href))?;
                Some(Image {
                    url,
                    width: element
                        .attr("width")
                        .and_then(|value| value.trim().parse().ok()),
                    height: element
                        .attr("height")
                        .and_then(|value| value.trim().parse().ok()),
                    ..Image::default()
                })
            })
    }
}

/// Plain text and, when the source had markup, sanitised HTML of a description.
pub(crate) fn description_pair(
    ctx: &Ctx,
    element: Element<'_>,
) -> (Option<String>, Option<String>) {
    let value = super::context::raw_value(element);
    let text = ctx.plain(&value);
    let html = if element.has_element_children() || looks_like_html(&value) {
        ctx.html(element, &value)
    } else {
        None
    };
    (text, html)
}

/// Adds a person unless the same one is already listed.
pub(crate) fn push_person(people: &mut Vec<Person>, person: Person) {
    if person.is_empty() {
        return;
    }
    let duplicate = people.iter_mut().find(|known| {
        (known.name.is_some() && known.name == person.name)
            || (known.email.is_some() && known.email == person.email)
    });
    match duplicate {
        // "Jane" from `dc:creator` and "jane@example.com (Jane)" from `author` are one
        // person: keep what either knows.
        Some(known) => {
            if known.name.is_none() {
                known.name = person.name;
            }
            if known.email.is_none() {
                known.email = person.email;
            }
            if known.uri.is_none() {
                known.uri = person.uri;
            }
        }
        None => people.push(person),
    }
}

/// Adds a category unless one with the same term and scheme is already listed.
pub(crate) fn push_category(categories: &mut Vec<Category>, category: Category) {
    let duplicate = categories
        .iter()
        .any(|known| known.term == category.term && known.scheme == category.scheme);
    if !duplicate {
        categories.push(category);
    }
}

/// The URL an `itunes:image` names: `href` as Apple specifies, `url` or the text as
/// some feeds write it.
///
/// Borrowed, and each place read only when the one before is empty: every item of a
/// podcast has one, read twice (to keep it, then to resolve it).
fn image_href(element: Element<'_>) -> Option<Cow<'_, str>> {
    ["href", "url"]
        .into_iter()
        .filter_map(|name| element.attr(name))
        .find(|value| !trim_text(value).is_empty())
        .map(Cow::Borrowed)
        .or_else(|| Some(element.text()).filter(|text| !trim_text(text).is_empty()))
}

fn itunes_image_url(ctx: &Ctx, element: Element<'_>) -> Option<String> {
    image_href(element).and_then(|href| ctx.url(element, &href))
}

/// Whether the attribute is there with a value (a refused value was warned about already).
pub(crate) fn has_value(element: Element<'_>, name: &str) -> bool {
    element
        .attr(name)
        .is_some_and(|value| !value.trim().is_empty())
}

fn attr_text(element: Element<'_>, name: &str) -> Option<String> {
    element.attr(name).and_then(collapse_whitespace)
}

fn explicit(ctx: &mut Ctx, element: Element<'_>) -> Option<bool> {
    let text = element.text();
    if text.trim().is_empty() {
        return None;
    }
    let value = normalise::flag::explicit(&text);
    if value.is_none() {
        ctx.warn(format!(
            "itunes:explicit {} is not yes/no/true/false/clean/explicit; omitted",
            quote(&text)
        ));
    }
    value
}

/// `itunes:block` and `itunes:complete`: Apple acts on `Yes` only and ignores any other
/// value, and so do podcast apps (the Universal Feed Parser, podcast-partytime). A
/// publisher who wrote `true` sees the show listed, so omroep reads it as no, and says so.
fn apple_yes(ctx: &mut Ctx, field: &str, element: Element<'_>) -> Option<bool> {
    let text = element.text();
    let value = text.trim();
    if value.is_empty() {
        return None;
    }
    if value.eq_ignore_ascii_case("yes") {
        return Some(true);
    }
    if normalise::flag::yes_no(value) != Some(false) {
        ctx.warn(format!(
            "{field} {} is not \"Yes\", the only value Apple acts on; read as no",
            quote(value)
        ));
    }
    Some(false)
}

fn yes_no(ctx: &mut Ctx, field: &str, element: Element<'_>) -> Option<bool> {
    let text = element.text();
    if text.trim().is_empty() {
        return None;
    }
    let value = normalise::flag::yes_no(&text);
    if value.is_none() {
        ctx.warn(format!(
            "{field} {} is not yes or no; omitted",
            quote(&text)
        ));
    }
    value
}

/// A lower-cased value from a fixed list; anything else is dropped with a warning.
fn one_of(ctx: &mut Ctx, field: &str, element: Element<'_>, allowed: &[&str]) -> Option<String> {
    let text = element.text();
    let value = text.trim().to_lowercase();
    if value.is_empty() {
        return None;
    }
    if allowed.contains(&value.as_str()) {
        Some(value)
    } else {
        ctx.warn(format!(
            "{field} {} is not one of {}; omitted",
            quote(&text),
            allowed.join(", ")
        ));
        None
    }
}

fn duration(ctx: &mut Ctx, element: Element<'_>) -> Option<u64> {
    let text = element.text();
    if text.trim().is_empty() {
        return None;
    }
    let value = normalise::duration::parse(&text);
    if value.is_none() {
        ctx.warn(format!(
            "itunes:duration {} is not a duration; omitted",
            quote(&text)
        ));
    }
    value
}

/// A season or episode number: a whole number, also when written as `3.0`.
fn number(ctx: &mut Ctx, field: &str, element: Option<Element<'_>>) -> Option<u32> {
    let text = element?.text();
    let trimmed = trim_text(&text);
    if trimmed.is_empty() {
        return None;
    }
    let value = trimmed.parse::<u32>().ok().or_else(|| {
        let float: f64 = trimmed.parse().ok()?;
        (float.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&float))
            .then_some(float as u32)
    });
    if value.is_none() {
        ctx.warn(format!(
            "{field} {} is not a whole number; omitted",
            quote(&text)
        ));
    }
    value
}

fn is_image(content: Element<'_>) -> bool {
    content
        .attr("medium")
        .is_some_and(|medium| medium.trim().eq_ignore_ascii_case("image"))
        || content
            .attr("type")
            .is_some_and(|kind| kind.trim().to_ascii_lowercase().starts_with("image/"))
}

fn media_seconds(content: Element<'_>) -> Option<u64> {
    content
        .attr("duration")
        .and_then(normalise::duration::parse)
}

/// The enclosure one `media:group` (or lone `media:content`) stands for: its default
/// alternative, else its first; pictures are images, not enclosures.
fn media_enclosure(ctx: &mut Ctx, group: &[Element<'_>]) -> Option<(Enclosure, Option<u64>)> {
    let candidates: Vec<Element<'_>> = group
        .iter()
        .copied()
        .filter(|content| !is_image(*content))
        .collect();
    let content = candidates
        .iter()
        .find(|content| {
            content
                .attr("isDefault")
                .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
        })
        .or_else(|| candidates.first())?;
    let url = content
        .attr("url")
        .and_then(|href| ctx.url(*content, href))?;
    let length = content
        .attr("fileSize")
        .and_then(|value| enclosure_length(ctx, "media:content fileSize", value));
    Some((
        Enclosure {
            url,
            mime_type: attr_text(*content, "type"),
            length,
        },
        media_seconds(*content),
    ))
}

/// An enclosure length in bytes; a non-numeric or negative value is dropped with a
/// warning.
pub(crate) fn enclosure_length(ctx: &mut Ctx, field: &str, value: &str) -> Option<u64> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return None;
    }
    let parsed = trimmed.parse::<u64>().ok();
    if parsed.is_none() {
        ctx.warn(format!(
            "{field} {} is not a number of bytes; omitted",
            quote(value)
        ));
    }
    parsed
}

#[cfg(test)]
mod tests;
