//! `omroep run`: remote sources fetched into the store, then built into their feeds.

use crate::site_env::{Outcome, TestEnv};
use crate::support::{Route, serve};

/// A remote RSS feed with two items; the newer one's HTML carries a script.
const REMOTE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Friend's blog</title><link>https://friend.example/</link>
<description>Posts by a friend</description>
<item><title>Remote news</title><link>https://friend.example/news</link>
<guid>https://friend.example/news</guid>
<pubDate>Thu, 07 Mar 2024 09:00:00 GMT</pubDate>
<description><![CDATA[<p>Fresh from afar</p><script>alert("owned")</script>]]></description>
</item>
<item><title>Older remote post</title><link>https://friend.example/older</link>
<guid>https://friend.example/older</guid>
<pubDate>Fri, 01 Mar 2024 09:00:00 GMT</pubDate>
<description>Plain words</description>
</item>
</channel></rss>
"#;

/// A site whose aggregate feed `planet` has the local posts and the remote feed at `url`.
fn planet_site(url: &str) -> TestEnv {
    let env = TestEnv::site();
    env.write(
        "feeds/planet.toml",
        &format!(
            "kind = \"aggregate\"\ntitle = \"Planet\"\n\
             [[source]]\nmarkdown = \"content/posts/*.md\"\n\
             [[source]]\nurl = \"{url}\"\n"
        ),
    );
    env
}

fn assert_code(outcome: &Outcome, code: i32) {
    assert_eq!(outcome.code, code, "{outcome:?}");
}

#[test]
fn run_fetches_remote_sources_and_builds_them_into_the_aggregate() {
    let base = serve(vec![Route::tagged(
        "/friend.xml",
        "application/rss+xml",
        REMOTE,
        "\"v1\"",
    )]);
    let url = format!("{base}/friend.xml");
    let env = planet_site(&url);
    let first = env.run(&["run", "-v"]);
    assert_code(&first, 0);
    assert!(
        first
            .stdout
            .starts_with("sources: 1 fetched, 0 not modified, 0 failed, 0 retired, 0 skipped\nentries: 2 new, 0 changed\n"),
        "{first:?}"
    );
    assert!(
        first.stdout.contains("created public/planet/rss.xml\n"),
        "{first:?}"
    );
    assert!(
        first
            .stderr
            .contains(&format!("fetched {url}: 2 entries, 2 new, 0 changed\n")),
        "{first:?}"
    );

    for file in ["planet/rss.xml", "planet/atom.xml", "planet/feed.json"] {
        let text = env.read(&format!("public/{file}"));
        for title in [
            "Remote news",
            "Older remote post",
            "Welcome",
            "How this site works",
        ] {
            assert!(text.contains(title), "{file} lacks {title:?}:\n{text}");
        }
        assert!(text.contains("Fresh from afar"), "{file}:\n{text}");
        assert!(!text.contains("<script"), "{file} kept the script:\n{text}");
        assert!(
            !text.contains("&lt;script"),
            "{file} kept the script:\n{text}"
        );
        assert!(
            !text.contains("alert("),
            "{file} kept the script's text:\n{text}"
        );
    }
    // Newest first: the remote post of 7 March comes before the local one of 5 March.
    let rss = env.read("public/planet/rss.xml");
    let remote = rss.find("Remote news").expect("the remote entry");
    let local = rss.find("Welcome").expect("the local entry");
    assert!(remote < local, "{rss}");
    // The local-only blog feed is not touched by the remote source.
    assert!(!env.read("public/blog/rss.xml").contains("Remote news"));

    // A second run: the server answers 304, and no output is rewritten.
    env.age_outputs();
    let before = env.mtimes();
    let second = env.run(&["run", "-v"]);
    assert_code(&second, 0);
    assert!(
        second
            .stdout
            .starts_with("sources: 0 fetched, 1 not modified, 0 failed, 0 retired, 0 skipped\nentries: 0 new, 0 changed\n"),
        "{second:?}"
    );
    assert!(
        second.stderr.contains(&format!("not modified {url}\n")),
        "{second:?}"
    );
    assert!(
        second.stdout.contains("build: nothing changed"),
        "{second:?}"
    );
    assert_eq!(env.mtimes(), before);
}

#[test]
fn a_failing_source_exits_1_and_the_other_feeds_still_build() {
    let base = serve(vec![]);
    let url = format!("{base}/gone.xml");
    let env = planet_site(&url);
    let outcome = env.run(&["run"]);
    assert_code(&outcome, 1);
    assert!(
        outcome.stderr.contains(&format!(
            "omroep: error: {url}: the server answered 404 Not Found (next try after "
        )),
        "{outcome:?}"
    );
    // The build still ran: every feed is written, the aggregate with its local posts, and
    // the user is told which source is missing from it.
    for file in [
        "blog/rss.xml",
        "podcast/podcast.xml",
        "planet/rss.xml",
        "index.html",
    ] {
        assert!(
            env.path(&format!("public/{file}")).is_file(),
            "{file}: {outcome:?}"
        );
    }
    assert!(env.read("public/planet/rss.xml").contains("Welcome"));
    assert!(
        outcome.stderr.contains(&format!(
            "omroep: warning: feed `planet`: built without the entries of remote sources: 1 of its remote sources never fetched successfully ({url}); run `omroep ingest` or `omroep run` to fetch them\n"
        )),
        "{outcome:?}"
    );
}

#[test]
fn build_reads_what_ingest_fetched_and_never_fetches_itself() {
    let base = serve(vec![Route::ok(
        "/friend.xml",
        "application/rss+xml",
        REMOTE,
    )]);
    let url = format!("{base}/friend.xml");
    let env = planet_site(&url);
    let ingest = env.run(&["ingest", "--feed", "planet"]);
    assert_code(&ingest, 0);
    assert!(env.path(".omroep/store.sqlite").is_file());
    let build = env.run(&["build"]);
    assert_code(&build, 0);
    assert!(env.read("public/planet/atom.xml").contains("Remote news"));

    let unknown = env.run(&["ingest", "--feed", "nope"]);
    assert_code(&unknown, 2);
    assert!(
        unknown.stderr.contains("--feed nope: no such feed in ")
            && unknown
                .stderr
                .contains("the feeds are: blog, planet, podcast"),
        "{unknown:?}"
    );
}

#[test]
fn two_remote_sources_sharing_a_guid_keep_the_first_and_warn() {
    let numbered = |title: &str| {
        format!(
            "<rss version=\"2.0\"><channel><title>{title}</title><link>https://{title}.example/</link>\
             <description>d</description><item><title>{title} one</title>\
             <link>https://{title}.example/1</link><guid isPermaLink=\"false\">1</guid>\
             <pubDate>Thu, 07 Mar 2024 09:00:00 GMT</pubDate></item></channel></rss>"
        )
    };
    let base = serve(vec![
        Route::ok("/a.xml", "application/rss+xml", numbered("alpha")),
        Route::ok("/b.xml", "application/rss+xml", numbered("beta")),
    ]);
    let (a, b) = (format!("{base}/a.xml"), format!("{base}/b.xml"));
    let env = TestEnv::site();
    env.write(
        "feeds/planet.toml",
        &format!(
            "kind = \"aggregate\"\ntitle = \"Planet\"\n\
             [[source]]\nurl = \"{a}\"\n[[source]]\nurl = \"{b}\"\n"
        ),
    );
    let outcome = env.run(&["run"]);
    assert_code(&outcome, 0);
    let rss = env.read("public/planet/rss.xml");
    assert!(rss.contains("alpha one"), "{rss}");
    assert!(!rss.contains("beta one"), "{rss}");
    assert!(
        outcome.stderr.contains(&format!(
            "omroep: warning: feed `planet`: {b} has an entry with the guid `1` that {a} already uses; it is left out\n"
        )),
        "{outcome:?}"
    );
}
