//! `omroep diff`: what the next build changes for subscribers, against the output folder
//! or a published URL, as text and JSON; it writes nothing.

use crate::site_env::{TestEnv, assert_outcome};
use crate::support::{Route, serve};

/// A built site, then: a post retitled, one added, one removed, a post given a new guid,
/// the episode's audio renamed and the podcast given another podcast:guid.
fn changed_site() -> TestEnv {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md").replace(
            "title: Welcome\n",
            "title: Welcome back\nguid: urn:example:welcome\n",
        ),
    );
    std::fs::remove_file(env.path("content/posts/how-this-site-works.md")).expect("remove");
    env.write(
        "content/posts/second.md",
        "---\ntitle: Second post\ndate: 2024-03-07T09:00:00Z\n---\n\nMore.\n",
    );
    std::fs::rename(
        env.path("content/episodes/001-welcome.mp3"),
        env.path("content/episodes/001-hello.mp3"),
    )
    .expect("rename the audio");
    env.write(
        "content/episodes/001-welcome.md",
        &env.read("content/episodes/001-welcome.md")
            .replace("audio: 001-welcome.mp3", "audio: 001-hello.mp3")
            .replace("title: Welcome to the podcast", "title: Hello and welcome"),
    );
    env.write(
        "feeds/podcast.toml",
        &format!(
            "guid = \"917393e3-1b1d-5cef-ace4-ac5a7fb25d29\"\n{}",
            env.read("feeds/podcast.toml")
        ),
    );
    env
}

const CHANGED_TEXT: &str = "\
== blog (public/blog/rss.xml): 1 added, 1 changed, 1 removed, 1 identity warning
+ \"Second post\" <https://example.org/2024/second/>
~ \"Welcome back\" <urn:example:welcome>: title \"Welcome\" -> \"Welcome back\"
- \"How this site works\" <https://example.org/2024/how-this-site-works/>
! identity: the guid of \"Welcome back\" would change from https://example.org/2024/welcome/ to urn:example:welcome; subscribers would see it twice
== podcast (public/podcast/podcast.xml): 1 feed field, 1 changed, 2 identity warnings
~ feed: podcast guid \"4b71b814-4cc2-5e86-acda-721f22857c35\" -> \"917393e3-1b1d-5cef-ace4-ac5a7fb25d29\"
~ \"Hello and welcome\" <https://example.org/2024/001-welcome/>: title \"Welcome to the podcast\" -> \"Hello and welcome\"; enclosure url \"https://example.org/content/episodes/001-welcome.mp3\" -> \"https://example.org/content/episodes/001-hello.mp3\"
! identity: podcast:guid would change from 4b71b814-4cc2-5e86-acda-721f22857c35 to 917393e3-1b1d-5cef-ace4-ac5a7fb25d29; podcast indexes would see a new show
! identity: the enclosure URL of \"Hello and welcome\" would change from https://example.org/content/episodes/001-welcome.mp3 to https://example.org/content/episodes/001-hello.mp3; apps would download it again
diff: 2 feeds changed, 0 new, 0 unchanged
";

#[test]
fn added_changed_removed_and_identity_warnings_as_text() {
    let env = changed_site();
    let before = env.outputs();
    let ledger = env.read("omroep.ledger");
    assert_outcome(&env.run(&["diff"]), 0, CHANGED_TEXT, "");
    // Like `git diff --exit-code`: differences make it exit 1.
    assert_outcome(&env.run(&["diff", "--exit-code"]), 1, CHANGED_TEXT, "");
    assert_eq!(env.outputs(), before, "diff writes no output");
    assert_eq!(
        env.read("omroep.ledger"),
        ledger,
        "diff leaves the ledger alone"
    );
}

#[test]
fn the_same_report_as_json() {
    let env = changed_site();
    let outcome = env.run(&["diff", "--format", "json", "--feed", "podcast"]);
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("one JSON document");
    let expected = serde_json::json!({
        "against": "public",
        "differences": true,
        "totals": {"new": 0, "changed": 1, "unchanged": 0, "failed": 0},
        "feeds": [{
            "feed": "podcast",
            "published": "public/podcast/podcast.xml",
            "status": "changed",
            "feed_fields": [{
                "field": "podcast guid",
                "old": "4b71b814-4cc2-5e86-acda-721f22857c35",
                "new": "917393e3-1b1d-5cef-ace4-ac5a7fb25d29"
            }],
            "added": [],
            "changed": [{
                "guid": "https://example.org/2024/001-welcome/",
                "title": "Hello and welcome",
                "fields": [
                    {"field": "title", "old": "Welcome to the podcast", "new": "Hello and welcome"},
                    {
                        "field": "enclosure url",
                        "old": "https://example.org/content/episodes/001-welcome.mp3",
                        "new": "https://example.org/content/episodes/001-hello.mp3"
                    }
                ]
            }],
            "removed": [],
            "identity": [
                {
                    "kind": "podcast_guid_changed",
                    "old": "4b71b814-4cc2-5e86-acda-721f22857c35",
                    "new": "917393e3-1b1d-5cef-ace4-ac5a7fb25d29"
                },
                {
                    "kind": "enclosure_url_changed",
                    "guid": "https://example.org/2024/001-welcome/",
                    "title": "Hello and welcome",
                    "old": "https://example.org/content/episodes/001-welcome.mp3",
                    "new": "https://example.org/content/episodes/001-hello.mp3"
                }
            ]
        }]
    });
    assert_eq!(json, expected);
}

#[test]
fn a_site_never_built_is_all_new_and_a_built_one_unchanged() {
    let env = TestEnv::site();
    assert_outcome(
        &env.run(&["diff", "--exit-code"]),
        1,
        "\
== blog (public/blog/rss.xml): new feed, 2 entries
+ \"Welcome\" <https://example.org/2024/welcome/>
+ \"How this site works\" <https://example.org/2024/how-this-site-works/>
== podcast (public/podcast/podcast.xml): new feed, 1 entry
+ \"Welcome to the podcast\" <https://example.org/2024/001-welcome/>
diff: 0 feeds changed, 2 new, 0 unchanged
",
        "",
    );
    assert!(!env.path("public").exists(), "diff writes nothing");
    assert_eq!(env.run(&["build"]).code, 0);
    let unchanged = "\
== blog (public/blog/rss.xml): unchanged
== podcast (public/podcast/podcast.xml): unchanged
diff: 0 feeds changed, 0 new, 2 unchanged
";
    assert_outcome(&env.run(&["diff", "--exit-code"]), 0, unchanged, "");
}

#[test]
fn against_a_published_url() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    let published = env.read("public/blog/rss.xml");
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("Hello there.", "Hello again."),
    );
    // Only the blog is online yet: the podcast answers 404 and so is new.
    let base = serve(vec![Route::ok(
        "/site/blog/rss.xml",
        "application/rss+xml",
        published,
    )]);
    let against = format!("{base}/site");
    let outcome = env.run(&["diff", "--against", &against]);
    assert_outcome(
        &outcome,
        0,
        &format!(
            "\
== blog ({base}/site/blog/rss.xml): 1 changed
~ \"Welcome\" <https://example.org/2024/welcome/>: content changed
== podcast ({base}/site/podcast/podcast.xml): new feed, 1 entry
+ \"Welcome to the podcast\" <https://example.org/2024/001-welcome/>
diff: 1 feed changed, 1 new, 0 unchanged
"
        ),
        "",
    );
    let json = env.run(&["diff", "--against", &against, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["against"], format!("{base}/site/"));
}

#[test]
fn an_unreachable_site_or_a_bad_url_is_an_error() {
    let env = TestEnv::site();
    let bad = env.run(&["diff", "--against", "ftp://example.org/"]);
    assert_outcome(
        &bad,
        2,
        "",
        "omroep: error: --against ftp://example.org/: not an http(s) URL; give the published site's base URL\n",
    );
    let base = serve(vec![Route {
        path: "/blog/rss.xml",
        head: "HTTP/1.1 500 Internal Server Error\r\n".into(),
        body: Vec::new(),
        chunked: false,
        etag: None,
    }]);
    let failed = env.run(&["diff", "--against", &base, "--feed", "blog"]);
    assert_outcome(
        &failed,
        2,
        &format!(
            "== blog ({base}/blog/rss.xml): failed\ndiff: 0 feeds changed, 0 new, 0 unchanged, 1 failed\n"
        ),
        &format!(
            "omroep: error: feed `blog`: {base}/blog/rss.xml: the server answered 500 Internal Server Error\n"
        ),
    );
}

#[test]
fn a_feed_the_build_would_not_rebuild_fails_and_an_unknown_feed_is_refused() {
    let env = TestEnv::site();
    env.write("content/posts/bad.md", "---\ntitle: [broken\n---\nx\n");
    assert_outcome(
        &env.run(&["diff"]),
        2,
        "\
== blog (public/blog/rss.xml): failed
== podcast (public/podcast/podcast.xml): new feed, 1 entry
+ \"Welcome to the podcast\" <https://example.org/2024/001-welcome/>
diff: 0 feeds changed, 1 new, 0 unchanged, 1 failed
",
        "\
omroep: error: feed `blog`: content/posts/bad.md:2: front matter is not valid YAML: unclosed bracket '['
omroep: error: feed `blog`: a build would not rebuild this feed; fix the errors above
",
    );
    assert_outcome(
        &env.run(&["diff", "--feed", "nope"]),
        2,
        "",
        "omroep: error: --feed nope: no such feed; the feeds are: blog, podcast\n",
    );
}
