//! Config loading: every error names file, line and key; defaults and paths resolve.

use std::fs;
use std::path::Path;

use super::*;

const SITE: &str = r#"title = "Coach"
base_url = "https://coach.example/site"
language = "nl"

[author]
name = "Anna"
email = "anna@coach.example"
"#;

const BLOG: &str = r#"kind = "blog"
title = "Blog"

[[source]]
markdown = "posts/*.md"
"#;

const PODCAST: &str = r#"kind = "podcast"
title = "Show"
description = "A show"
artwork = "art.jpg"
explicit = false

[[category]]
name = "Education"
subcategories = ["Self-Improvement"]

[[source]]
audio = "episodes"
"#;

fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("feeds")).unwrap();
    fs::create_dir_all(dir.path().join("episodes")).unwrap();
    fs::write(dir.path().join("art.jpg"), b"jpeg").unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn errors(dir: &Path) -> Vec<String> {
    let file = dir.join(SITE_FILE);
    match load(&file, dir) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn loads_a_site_with_defaults() {
    let dir = site(&[
        ("omroep.toml", SITE),
        ("feeds/blog.toml", BLOG),
        ("feeds/show.toml", PODCAST),
    ]);
    let site = load(&dir.path().join(SITE_FILE), dir.path()).unwrap();
    assert_eq!(site.base_url.as_str(), "https://coach.example/site/");
    assert_eq!(site.media_base_url, site.base_url);
    assert_eq!(site.timezone, chrono_tz::Tz::UTC);
    assert_eq!(site.output, dir.path().join("public"));
    assert_eq!(site.store, dir.path().join(".omroep/store.sqlite"));
    assert_eq!(site.ledger, dir.path().join("omroep.ledger"));
    let names: Vec<&str> = site.feeds.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["blog", "show"]);
    let blog = &site.feeds[0];
    assert_eq!(blog.path, "blog");
    assert_eq!(blog.language, "nl");
    assert_eq!(
        blog.formats,
        [OutputFormat::Rss, OutputFormat::Atom, OutputFormat::Json]
    );
    assert_eq!(
        site.url_of(&blog.output_file(OutputFormat::Rss)),
        "https://coach.example/site/blog/rss.xml"
    );
    let show = &site.feeds[1];
    let podcast = show.podcast.as_ref().unwrap();
    assert_eq!(show.formats, [OutputFormat::Podcast, OutputFormat::Json]);
    assert_eq!(podcast.owner_email.as_deref(), Some("anna@coach.example"));
    assert_eq!(podcast.owner_name.as_deref(), Some("Anna"));
    assert_eq!(podcast.categories[0].subcategories, ["Self-Improvement"]);
    assert_eq!(podcast.show_type, ShowType::Episodic);
    assert_eq!(
        show.sources[0].location,
        SourceLocation::Audio("episodes".into())
    );
}

#[test]
fn the_site_time_zone_is_read_and_checked() {
    let zoned = format!("timezone = \"Europe/Amsterdam\"\n{SITE}");
    let dir = site(&[("omroep.toml", &zoned), ("feeds/blog.toml", BLOG)]);
    let site = load(&dir.path().join(SITE_FILE), dir.path()).unwrap();
    assert_eq!(site.timezone, chrono_tz::Tz::Europe__Amsterdam);

    let wrong = format!("timezone = \"Amsterdam\"\n{SITE}");
    let dir = self::site(&[("omroep.toml", &wrong), ("feeds/blog.toml", BLOG)]);
    assert_eq!(
        errors(dir.path()),
        [
            "omroep.toml:1: key `timezone`: `Amsterdam` is not a time zone name; expected an IANA \
          name such as `Europe/Amsterdam`, `America/New_York` or `UTC`"
        ]
    );
}

#[test]
fn an_unknown_key_names_file_line_and_key() {
    let podcast = PODCAST.replace("explicit = false", "explcit = false");
    let dir = site(&[("omroep.toml", SITE), ("feeds/podcast.toml", &podcast)]);
    let found = errors(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(
            "feeds/podcast.toml:5: key `explcit`: unknown key; expected one of `kind`, `title`"
        ),
        "{}",
        found[0]
    );
}

#[test]
fn a_wrong_type_names_the_key_and_what_is_expected() {
    let podcast = PODCAST.replace("explicit = false", "explicit = \"no\"");
    let dir = site(&[("omroep.toml", SITE), ("feeds/podcast.toml", &podcast)]);
    assert_eq!(
        errors(dir.path()),
        ["feeds/podcast.toml:5: key `explicit`: expected a boolean, found string \"no\""]
    );
}

#[test]
fn source_tables_need_exactly_one_location() {
    let blog = format!(
        "{BLOG}\n[[source]]\nmarkdown = \"a/*.md\"\naudio = \"episodes\"\n\n[[source]]\nfilter = {{ tags = [\"x\"] }}\n"
    );
    let dir = site(&[("omroep.toml", SITE), ("feeds/blog.toml", &blog)]);
    assert_eq!(
        errors(dir.path()),
        [
            "feeds/blog.toml:9: key `source[2].audio`: this [[source]] has both `markdown` and `audio`; give each its own [[source]] table",
            "feeds/blog.toml:11: key `source[3]`: a [[source]] needs exactly one of `markdown`, `audio`, `url` or `opml`",
        ]
    );
}

#[test]
fn a_missing_required_key_is_named() {
    let dir = site(&[
        ("omroep.toml", SITE),
        ("feeds/blog.toml", "kind = \"blog\"\n"),
    ]);
    assert_eq!(
        errors(dir.path()),
        ["feeds/blog.toml:1: key `title`: missing; this key is required"]
    );
}

#[test]
fn apple_categories_are_checked() {
    let podcast = PODCAST.replace("\"Self-Improvement\"", "\"Self Help\"");
    let dir = site(&[("omroep.toml", SITE), ("feeds/podcast.toml", &podcast)]);
    assert_eq!(
        errors(dir.path()),
        [
            "feeds/podcast.toml:8: key `category[1].name`: `Self Help` is not a subcategory of `Education`; expected one of: Courses, How To, Language Learning, Self-Improvement"
        ]
    );
}

#[test]
fn a_podcast_without_required_metadata_says_what_is_missing() {
    let podcast = "kind = \"podcast\"\ntitle = \"Show\"\n\n[[source]]\naudio = \"episodes\"\n";
    let dir = site(&[("omroep.toml", SITE), ("feeds/podcast.toml", podcast)]);
    let found = errors(dir.path());
    let keys: Vec<&str> = found
        .iter()
        .map(|line| line.split('`').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(keys, ["artwork", "category", "explicit", "description"]);
    assert!(found[0].starts_with(
        "feeds/podcast.toml:1: key `artwork`: missing; a podcast needs square artwork"
    ));
}

#[test]
fn podcast_keys_on_a_blog_are_refused() {
    let blog = format!("explicit = true\n{BLOG}");
    let dir = site(&[("omroep.toml", SITE), ("feeds/blog.toml", &blog)]);
    assert_eq!(
        errors(dir.path()),
        [
            "feeds/blog.toml:1: key `explicit`: only for podcast feeds; this feed has `kind = \"blog\"`"
        ]
    );
}

#[test]
fn site_file_errors_name_the_key() {
    let bad = SITE.replace("https://coach.example/site", "coach.example");
    let dir = site(&[("omroep.toml", &bad), ("feeds/blog.toml", BLOG)]);
    let found = errors(dir.path());
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("omroep.toml:2: key `base_url`: `coach.example` is not a URL"),
        "{}",
        found[0]
    );
}

#[test]
fn a_syntax_error_has_a_line() {
    let dir = site(&[
        ("omroep.toml", SITE),
        ("feeds/blog.toml", "kind = \"blog\ntitle = 1\n"),
    ]);
    let found = errors(dir.path());
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("feeds/blog.toml:1: "), "{}", found[0]);
}

#[test]
fn opml_sources_resolve_against_the_feed_folder() {
    let opml =
        r#"<opml version="2.0"><body><outline xmlUrl="https://a.example/feed"/></body></opml>"#;
    let planet =
        "kind = \"aggregate\"\ntitle = \"Planet\"\n\n[[source]]\nopml = \"friends.opml\"\n";
    let dir = site(&[
        ("omroep.toml", SITE),
        ("feeds/planet.toml", planet),
        ("feeds/friends.opml", opml),
    ]);
    let site = load(&dir.path().join(SITE_FILE), dir.path()).unwrap();
    match &site.feeds[0].sources[0].location {
        SourceLocation::Opml { file, feeds } => {
            assert_eq!(file, &dir.path().join("feeds/friends.opml"));
            assert_eq!(feeds[0].as_str(), "https://a.example/feed");
        }
        other => panic!("not an OPML source: {other:?}"),
    }
    assert!(site.feeds[0].has_remote_sources());
}

#[test]
fn remote_urls_are_the_url_sources_and_opml_feeds_each_once() {
    let opml = r#"<opml version="2.0"><body><outline text="folder">
        <outline xmlUrl="https://a.example/feed"/><outline xmlUrl="https://c.example/rss"/>
        </outline></body></opml>"#;
    let planet = "kind = \"aggregate\"\ntitle = \"Planet\"\n\n\
        [[source]]\nurl = \"https://a.example/feed\"\n\
        [[source]]\nmarkdown = \"posts/*.md\"\n\
        [[source]]\nopml = \"friends.opml\"\n";
    let dir = site(&[
        ("omroep.toml", SITE),
        ("feeds/planet.toml", planet),
        ("feeds/friends.opml", opml),
        ("feeds/blog.toml", BLOG),
    ]);
    let site = load(&dir.path().join(SITE_FILE), dir.path()).unwrap();
    let planet = site.feeds.iter().find(|f| f.name == "planet").unwrap();
    let urls: Vec<&str> = planet
        .remote_urls()
        .into_iter()
        .map(url::Url::as_str)
        .collect();
    assert_eq!(urls, ["https://a.example/feed", "https://c.example/rss"]);
    let blog = site.feeds.iter().find(|f| f.name == "blog").unwrap();
    assert!(blog.remote_urls().is_empty());
}

#[test]
fn a_missing_opml_file_is_reported_at_its_key() {
    let planet = "kind = \"aggregate\"\ntitle = \"Planet\"\n\n[[source]]\nopml = \"nope.opml\"\n";
    let dir = site(&[("omroep.toml", SITE), ("feeds/planet.toml", planet)]);
    let found = errors(dir.path());
    assert!(
        found[0].starts_with("feeds/planet.toml:5: key `source[1].opml`: cannot open"),
        "{}",
        found[0]
    );
}

#[test]
fn feeds_may_not_share_an_output_path() {
    let other = format!("path = \"blog\"\n{BLOG}");
    let dir = site(&[
        ("omroep.toml", SITE),
        ("feeds/blog.toml", BLOG),
        ("feeds/copy.toml", &other),
    ]);
    assert_eq!(
        errors(dir.path()),
        [
            "feeds/copy.toml: key `path`: `blog` is also the path of feed `blog`; each feed needs its own path"
        ]
    );
}

#[test]
fn output_paths_cannot_escape() {
    let blog = format!("path = \"../etc\"\n{BLOG}");
    let dir = site(&[("omroep.toml", SITE), ("feeds/blog.toml", &blog)]);
    let found = errors(dir.path());
    assert!(
        found[0].starts_with("feeds/blog.toml:1: key `path`: `../etc` is not allowed"),
        "{}",
        found[0]
    );
}

#[test]
fn config_is_found_in_parent_folders() {
    let dir = site(&[("omroep.toml", SITE), ("feeds/blog.toml", BLOG)]);
    let nested = dir.path().join("posts/deep");
    fs::create_dir_all(&nested).unwrap();
    assert_eq!(locate(None, &nested).unwrap(), dir.path().join(SITE_FILE));
    assert_eq!(
        locate(Some(Path::new("../..")), &nested).unwrap(),
        nested.join("../..").join(SITE_FILE)
    );
    let empty = tempfile::tempdir().unwrap();
    let error = locate(None, empty.path()).unwrap_err().to_string();
    assert!(error.starts_with("omroep.toml: not found in "), "{error}");
}

#[test]
fn filters_match_tags_ignoring_case() {
    let filter = Filter {
        tags: vec!["Coaching".into()],
        exclude_tags: vec!["private".into()],
        audio: Some(AudioFilter::Without),
    };
    assert!(filter.keeps(["coaching"].into_iter(), false));
    assert!(!filter.keeps(["coaching"].into_iter(), true));
    assert!(!filter.keeps(["coaching", "Private"].into_iter(), false));
    assert!(!filter.keeps(["other"].into_iter(), false));
    assert!(Filter::default().keeps([].into_iter(), true));
}
