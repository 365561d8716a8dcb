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
        // The body reads the same, whether it became Markdown or stayed HTML.
        if let Some(html) = &entry.content_html {
            let text = |html: &str| omroep::normalise::text::plain(html);
            let rebuilt = find(&built.json).content_html.unwrap_or_default();
            assert_eq!(text(&rebuilt), text(html), "{label}: {guid}");
        }
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

/// A podcast RSS feed with `items` (title, guid, RFC 822 date, audio URL) and an
/// optional `next` page link.
fn podcast_rss(items: &[(String, Option<String>, String, String)], next: Option<&str>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>\n\
         <title>Gegenereerd</title><link>https://old.example/</link>\n\
         <description>Een show om te importeren.</description><language>nl</language>\n\
         <itunes:image href=\"https://old.example/art.jpg\"/>\n\
         <itunes:category text=\"Education\"/><itunes:explicit>false</itunes:explicit>\n",
    );
    if let Some(next) = next {
        out.push_str(&format!("<atom:link rel=\"next\" href=\"{next}\"/>\n"));
    }
    for (i, (title, guid, date, audio)) in items.iter().enumerate() {
        out.push_str("<item>");
        out.push_str(&format!("<title>{title}</title><pubDate>{date}</pubDate>"));
        if let Some(guid) = guid {
            out.push_str(&format!("<guid isPermaLink=\"false\">{guid}</guid>"));
        }
        out.push_str(&format!(
            "<enclosure url=\"{audio}\" length=\"{}\" type=\"audio/mpeg\"/>\
             <description>&lt;p&gt;Aflevering {i}.&lt;/p&gt;</description></item>\n",
            1000 + i
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

fn item(i: usize, title: &str, guid: bool) -> (String, Option<String>, String, String) {
    let day = 1 + i % 28;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"][i % 6];
    (
        title.to_string(),
        guid.then(|| format!("gen-{i}")),
        format!(
            "Mon, {day:02} {month} 2023 {:02}:{:02}:07 +0100",
            10 + i % 12,
            i % 60
        ),
        format!("https://cdn.old.example/audio/{i}.mp3?src=feed&amp;n={i}"),
    )
}

#[test]
fn five_hundred_entries_with_hostile_titles() {
    let hostile = [
        "../../etc/passwd",
        "Één ontwikkeling",
        "CON",
        "<b>???</b>",
        "???",
        "Aflevering met een heel erg lange titel die maar doorgaat en doorgaat tot ver voorbij wat een bestandsnaam kan hebben zonder problemen",
        "Dubbel",
        "Dubbel",
        ".verborgen",
        "a/b\\c:d*e",
    ];
    let items: Vec<_> = (0..500)
        .map(|i| {
            let title = hostile[i % hostile.len()]
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            item(i, &title, i % 7 != 0)
        })
        .collect();
    let env = TestEnv::site();
    env.write("feed.xml", &podcast_rss(&items, None));
    let first = env.run(&["import", "feed.xml", "--feed", "gen"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .ends_with("import: 500 entries from 1 page: 500 written, 0 unchanged, 0 skipped\n"),
        "{first:?}"
    );
    let files = env.tree("content/gen");
    assert_eq!(files.len(), 500);
    for (name, _) in &files {
        assert!(
            !name.contains('/')
                && !name.starts_with('.')
                && name.ends_with(".md")
                && name.len() <= 11 + 80 + 3,
            "{name}"
        );
    }
    // Nothing escaped the content folder.
    assert_eq!(env.tree("content").len(), env.tree("content/gen").len() + 5);
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    let source = parse(env.read("feed.xml").as_bytes());
    let out = built(&env, "gen");
    assert!(out.podcast);
    assert_eq!(out.xml.entries.len(), 500);
    assert_identity_survives(&source, &out, "generated");
    let again = env.run(&["import", "feed.xml", "--feed", "gen"]);
    assert_outcome(
        &again,
        0,
        "import: 500 entries from 1 page: 0 written, 500 unchanged, 0 skipped\n",
        "",
    );
    assert_eq!(env.tree("content/gen"), files);
}

#[test]
fn paged_feeds_are_followed_until_they_loop() {
    let page = |from: usize, next: &str| {
        let items: Vec<_> = (from..from + 2)
            .map(|i| item(i, &format!("Deel {i}"), true))
            .collect();
        podcast_rss(&items, Some(next))
    };
    let base = serve(vec![
        Route::ok(
            "/feed.xml",
            "application/rss+xml",
            page(0, "/feed.xml?page=2"),
        ),
        Route::ok(
            "/feed.xml?page=2",
            "application/rss+xml",
            page(2, "feed.xml?page=3"),
        ),
        // The last page points back at the first: a loop, not an endless import.
        Route::ok(
            "/feed.xml?page=3",
            "application/rss+xml",
            page(4, "/feed.xml"),
        ),
    ]);
    let url = format!("{base}/feed.xml");
    let env = TestEnv::site();
    let dry = env.run(&["import", &url, "--dry-run"]);
    let loop_warning = format!(
        "omroep: warning: page {url} was read before (the `next` links loop); stopped there\n"
    );
    assert_outcome(
        &dry,
        0,
        "would create feeds/gegenereerd.toml\n\
         would create content/gegenereerd/2023-01-01-deel-0.md\n\
         would create content/gegenereerd/2023-02-02-deel-1.md\n\
         would create content/gegenereerd/2023-03-03-deel-2.md\n\
         would create content/gegenereerd/2023-04-04-deel-3.md\n\
         would create content/gegenereerd/2023-05-05-deel-4.md\n\
         would create content/gegenereerd/2023-06-06-deel-5.md\n\
         import (dry run): 6 entries from 3 pages: 6 to write, 0 unchanged, 0 skipped\n",
        &loop_warning,
    );
    assert!(!env.path("feeds/gegenereerd.toml").exists());
    assert!(!env.path("content/gegenereerd").exists());

    let first = env.run(&["import", &url]);
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(
        first.stdout,
        dry.stdout.replace("would create", "created").replace(
            "import (dry run): 6 entries from 3 pages: 6 to write",
            "import: 6 entries from 3 pages: 6 written",
        )
    );
    // No podcast:guid in the source: the one podcast apps derived from its URL is kept.
    let guid = omroep::normalise::id::podcast_guid(&url);
    assert!(
        env.read("feeds/gegenereerd.toml")
            .contains(&format!("\nguid = \"{guid}\"\n")),
        "{}",
        env.read("feeds/gegenereerd.toml")
    );
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    assert!(
        env.read("public/gegenereerd/podcast.xml")
            .contains(&format!("<podcast:guid>{guid}</podcast:guid>"))
    );

    let again = env.run(&["import", &url, "--format", "json"]);
    assert_eq!(
        (again.code, again.stderr.as_str()),
        (0, loop_warning.as_str())
    );
    let report: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(report["feed"], "gegenereerd");
    assert_eq!(report["pages"], 3);
    assert_eq!(report["entries"], 6);
    assert_eq!(report["definition"]["action"], "unchanged");
    let actions: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["unchanged"; 6]);
    assert_eq!(
        report["files"][0]["path"],
        "content/gegenereerd/2023-01-01-deel-0.md"
    );
    assert_eq!(report["files"][0]["guid"], "gen-0");
}

#[test]
fn the_page_cap_is_reported() {
    let page = |from: usize, next: &str| {
        podcast_rss(&[item(from, &format!("Deel {from}"), true)], Some(next))
    };
    let base = serve(vec![
        Route::ok("/a.xml", "application/rss+xml", page(0, "/b.xml")),
        Route::ok("/b.xml", "application/rss+xml", page(1, "/c.xml")),
        Route::ok("/c.xml", "application/rss+xml", page(2, "/d.xml")),
    ]);
    let env = TestEnv::site();
    let outcome = env.run(&[
        "import",
        &format!("{base}/a.xml"),
        "--max-pages",
        "1",
        "--dry-run",
    ]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        format!(
            "omroep: warning: stopped after 1 next pages (--max-pages); {base}/c.xml and later pages were not read\n"
        )
    );
    assert!(outcome.stdout.ends_with(
        "import (dry run): 2 entries from 2 pages: 2 to write, 0 unchanged, 0 skipped\n"
    ));
}

#[test]
fn into_an_existing_podcast_the_guid_is_added_and_nothing_else_changes() {
    let env = TestEnv::site();
    let source_path = fixture("rss2.0/rss_2.0_buzzsprout.xml");
    let before = env.read("feeds/podcast.toml");
    let outcome = env.run(&["import", &source_path, "--feed", "podcast"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        outcome.stdout.starts_with(
            "updated feeds/podcast.toml\n\
             created content/episodes/2024-03-05-42-tomaten-paprika-en-de-strijd-tegen-de-slak.md\n"
        ),
        "{outcome:?}"
    );
    // The show's podcast:guid, before the first table; the user's lines untouched.
    let after = env.read("feeds/podcast.toml");
    let guid_line = "guid = \"f3a9c2d1-7b4e-5a60-9c8d-2e1f0a3b4c5d\"\n";
    assert_eq!(after.replacen(guid_line, "", 1), before);
    assert!(after.find(guid_line) < after.find("[[category]]"));
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    let source = parse(&std::fs::read(&source_path).expect("the fixture"));
    assert_identity_survives(&source, &built(&env, "podcast"), "merged");
    assert!(
        env.read("public/podcast/podcast.xml")
            .contains("<podcast:guid>f3a9c2d1-7b4e-5a60-9c8d-2e1f0a3b4c5d</podcast:guid>")
    );
    let again = env.run(&["import", &source_path, "--feed", "podcast"]);
    assert_outcome(
        &again,
        0,
        "import: 3 entries from 1 page: 0 written, 3 unchanged, 0 skipped\n",
        "",
    );
}

#[test]
fn a_new_definition_can_read_another_folder() {
    let env = TestEnv::site();
    let outcome = env.run(&[
        "import",
        &fixture("rss2.0/rss_2.0_wordpress.xml"),
        "--feed",
        "tuin",
        "--into",
        "content/oud/tuin",
    ]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        env.read("feeds/tuin.toml")
            .ends_with("\n[[source]]\nmarkdown = \"content/oud/tuin/*.md\"\n")
    );
    assert_eq!(env.tree("content/oud/tuin").len(), 3);
    // Once the definition exists, it says where the files are.
    let again = env.run(&[
        "import",
        &fixture("rss2.0/rss_2.0_wordpress.xml"),
        "--feed",
        "tuin",
        "--into",
        "content/elders",
    ]);
    assert_outcome(
        &again,
        0,
        "import: 3 entries from 1 page: 0 written, 3 unchanged, 0 skipped\n",
        "omroep: warning: --into content/elders is not used: feeds/tuin.toml exists, and its files go where it reads them\n",
    );
    let bad = env.run(&[
        "import",
        &fixture("rss2.0/rss_2.0_wordpress.xml"),
        "--feed",
        "x",
        "--into",
        "../buiten",
    ]);
    assert_outcome(
        &bad,
        2,
        "",
        "omroep: error: --into ../buiten: expected a folder inside the site such as `content/blog`, without `..` or wildcards\n",
    );
    let missing = env.run(&["import", "nergens.xml"]);
    assert_outcome(
        &missing,
        2,
        "",
        "omroep: error: nergens.xml: could not open (No such file or directory (os error 2)); check the path\n",
    );
}
