//! The feed definition an import writes (`feeds/NAME.toml`) or merges into.
//!
//! A new definition gets the source feed's metadata: title, description, language,
//! artwork, author and copyright, and for a podcast the iTunes category, explicit flag,
//! show type, owner and the Podcasting 2.0 guid, funding, persons and medium, plus one
//! `[[source]]` reading the imported folder. The `podcast:guid` is what podcast apps know
//! the show by, so it is kept: the source's own, else the one derived from the old feed's
//! URL (what apps derived for it). Whatever the source lacks that a podcast needs is
//! reported, not invented.
//!
//! An existing definition belongs to the user: it is only read (for the folder of its
//! first `markdown` source), and the one key a move must not lose, `guid`, is added when
//! it has none. A different `guid` is reported, never replaced.

use std::fmt::Write;

use crate::apple_categories;
use crate::config::values::{HttpUrl, Language};
use crate::model::Feed;
use crate::normalise::id::podcast_guid;

/// A TOML basic string: the YAML double-quoted form omroep writes is one too (the same
/// `\"`, `\\`, `\n`, `\t`, `\r` and `\uXXXX` escapes).
pub fn quote(text: &str) -> String {
    crate::create::yaml::quote(text)
}

/// The `podcast:guid` to keep: the source's, else derived from the old feed's URL.
pub fn show_guid(feed: &Feed, source_url: Option<&str>) -> Option<String> {
    feed.podcast
        .guid
        .clone()
        .or_else(|| feed.self_link.as_deref().map(podcast_guid))
        .or_else(|| source_url.map(podcast_guid))
        .and_then(|guid| {
            uuid::Uuid::parse_str(guid.trim())
                .ok()
                .map(|u| u.hyphenated().to_string())
        })
}

/// A new definition for `feed`, reading Markdown from `folder`; with the warnings about
/// what it lacks.
pub fn new_definition(
    feed: &Feed,
    podcast: bool,
    folder: &str,
    guid: Option<&str>,
) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut warnings = Vec::new();
    let mut line = |key: &str, value: String| {
        let _ = writeln!(out, "{key} = {value}");
    };
    line("kind", quote(if podcast { "podcast" } else { "blog" }));
    line(
        "title",
        quote(feed.title.as_deref().unwrap_or("Imported feed")),
    );
    if let Some(description) = &feed.description {
        line("description", quote(description));
    }
    if let Some(language) = feed
        .language
        .as_deref()
        .and_then(|l| Language::parse(l).ok())
    {
        line("language", quote(&language.0));
    }
    let artwork = feed
        .image
        .as_ref()
        .and_then(|image| HttpUrl::parse(&image.url).ok());
    if let Some(artwork) = &artwork {
        line("artwork", quote(artwork.0.as_str()));
    }
    if let Some(copyright) = &feed.copyright {
        line("copyright", quote(copyright));
    }
    let author = feed
        .podcast
        .author
        .clone()
        .or_else(|| feed.authors.iter().find_map(|a| a.name.clone()));
    if let Some(author) = &author {
        line("author", quote(author));
    }
    let p = &feed.podcast;
    let mut tables = String::new();
    if podcast {
        match p.explicit {
            Some(explicit) => line("explicit", explicit.to_string()),
            None => warnings.push(
                "the source says nothing about explicit content; add `explicit = true` or `false` to the feed definition".into(),
            ),
        }
        if let Some(kind) = p
            .kind
            .as_deref()
            .filter(|k| matches!(*k, "episodic" | "serial"))
        {
            line("type", quote(kind));
        }
        if let Some(guid) = guid {
            line("guid", quote(guid));
        }
        if let Some(medium) = &p.medium {
            line("medium", quote(medium));
        }
        if p.complete == Some(true) {
            line("complete", "true".into());
        }
        if p.block == Some(true) {
            line("block", "true".into());
        }
        let owner_email = p.owner.as_ref().and_then(|o| o.email.clone());
        if let Some(locked) = &p.locked
            && (!locked.value || owner_email.is_some())
        {
            line("locked", locked.value.to_string());
        }
        if let Some(email) = &owner_email {
            let _ = writeln!(tables, "\n[owner]");
            if let Some(name) = p.owner.as_ref().and_then(|o| o.name.as_ref()) {
                let _ = writeln!(tables, "name = {}", quote(name));
            }
            let _ = writeln!(tables, "email = {}", quote(email));
        }
        let mut categories = 0;
        for category in feed
            .categories
            .iter()
            .filter(|c| c.scheme.as_deref() == Some("itunes"))
        {
            match apple_categories::check(category.term.trim(), &category.subcategories) {
                Ok((name, subcategories)) => {
                    categories += 1;
                    let _ = writeln!(tables, "\n[[category]]\nname = {}", quote(name));
                    if !subcategories.is_empty() {
                        let list: Vec<String> = subcategories.iter().map(|s| quote(s)).collect();
                        let _ = writeln!(tables, "subcategories = [{}]", list.join(", "));
                    }
                }
                Err(error) => warnings.push(format!(
                    "itunes:category `{}` left out: {error}",
                    category.term
                )),
            }
        }
        if categories == 0 {
            warnings.push(
                "the source has no Apple category; add a [[category]] to the feed definition"
                    .into(),
            );
        }
        if artwork.is_none() {
            warnings
                .push("the source has no artwork URL; add `artwork` to the feed definition".into());
        }
        if feed.description.is_none() {
            warnings.push(
                "the source has no description; add `description` to the feed definition".into(),
            );
        }
        for funding in p.funding.iter().filter(|f| HttpUrl::parse(&f.url).is_ok()) {
            let _ = writeln!(tables, "\n[[funding]]\nurl = {}", quote(&funding.url));
            if let Some(text) = funding.text.as_deref().filter(|t| !t.trim().is_empty()) {
                let _ = writeln!(tables, "text = {}", quote(text));
            }
        }
        for person in p.persons.iter().filter(|p| !p.name.trim().is_empty()) {
            let _ = writeln!(tables, "\n[[person]]\nname = {}", quote(&person.name));
            for (key, value) in [("role", &person.role), ("group", &person.group)] {
                if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                    let _ = writeln!(tables, "{key} = {}", quote(value));
                }
            }
            for (key, value) in [("img", &person.img), ("href", &person.href)] {
                if let Some(value) = value.as_deref().filter(|v| HttpUrl::parse(v).is_ok()) {
                    let _ = writeln!(tables, "{key} = {}", quote(value));
                }
            }
        }
    }
    let _ = writeln!(
        tables,
        "\n[[source]]\nmarkdown = {}",
        quote(&format!("{folder}/*.md"))
    );
    out.push_str(&tables);
    (out, warnings)
}

/// What an existing definition holds that the import needs.
#[derive(Debug, Default)]
pub struct Existing {
    pub kind: Option<String>,
    /// The first `markdown` source pattern.
    pub markdown: Option<String>,
    pub guid: Option<String>,
}

/// Reads an existing definition's text (the checked config may not load yet: a podcast
/// still missing its artwork, say).
pub fn read_existing(text: &str) -> Result<Existing, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        format!(
            "is not valid TOML ({}); fix it before importing into it",
            e.message().trim()
        )
    })?;
    let text_of = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let markdown = table
        .get("source")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .find_map(|source| source.get("markdown").and_then(|v| v.as_str()))
        .map(str::to_string);
    Ok(Existing {
        kind: text_of("kind"),
        markdown,
        guid: text_of("guid"),
    })
}

/// `text` with a top-level `guid` key added before its first table.
pub fn add_guid(text: &str, guid: &str) -> String {
    let line = format!("guid = {}\n", quote(guid));
    let mut out = String::with_capacity(text.len() + line.len());
    let mut added = false;
    for piece in text.split_inclusive('\n') {
        if !added && piece.trim_start().starts_with('[') {
            out.push_str(&line);
            added = true;
        }
        out.push_str(piece);
    }
    if !added {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_reads_back_from_toml() {
        let hostile = "a\"b\\c\nd\u{7}\u{2028}\u{feff} [[source]]";
        let text = format!("title = {}\n", quote(hostile));
        let table: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(table["title"].as_str(), Some(hostile));
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn a_guid_goes_before_the_first_table() {
        let text = "kind = \"podcast\"\ntitle = \"x\"\n\n[owner]\nemail = \"a@b.example\"\n";
        let added = add_guid(text, "9b024349-ccf0-5f69-a609-6b82873eab3c");
        assert_eq!(
            added,
            "kind = \"podcast\"\ntitle = \"x\"\n\nguid = \"9b024349-ccf0-5f69-a609-6b82873eab3c\"\n[owner]\nemail = \"a@b.example\"\n"
        );
        let existing = read_existing(&added).unwrap();
        assert_eq!(
            existing.guid.as_deref(),
            Some("9b024349-ccf0-5f69-a609-6b82873eab3c")
        );
        assert_eq!(
            add_guid("kind = \"podcast\"", "g"),
            "kind = \"podcast\"\nguid = \"g\"\n"
        );
    }

    #[test]
    fn the_show_guid_is_kept_or_derived_from_the_old_url() {
        let mut feed = Feed::default();
        assert_eq!(
            show_guid(&feed, Some("https://podnews.net/rss")).as_deref(),
            Some("9b024349-ccf0-5f69-a609-6b82873eab3c")
        );
        feed.podcast.guid = Some("917393E3-1B1E-5CEF-ACE4-EDAA54E1F810".into());
        assert_eq!(
            show_guid(&feed, Some("https://podnews.net/rss")).as_deref(),
            Some("917393e3-1b1e-5cef-ace4-edaa54e1f810")
        );
        assert_eq!(show_guid(&Feed::default(), None), None);
    }
}
