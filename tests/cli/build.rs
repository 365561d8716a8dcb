//! `omroep build` and `omroep run`: every format written, nothing rewritten when nothing
//! changed, `--check`, atomic and byte-stable outputs.

use crate::site_env::{TestEnv, assert_outcome};

const FIRST_BUILD: &str = "\
created public/atom.xml
created public/blog/atom.xml
created public/blog/feed.json
created public/blog/rss.xml
created public/content/episodes/001-welcome.mp3
created public/feeds.opml
created public/index.html
created public/index.json
created public/podcast/artwork.jpg
created public/podcast/feed.json
created public/podcast/podcast.xml
created public/rss.xml
updated omroep.ledger (3 new entries)
build: 12 written, 0 unchanged, 0 removed
";

#[test]
fn build_writes_every_format() {
    let env = TestEnv::site();
    assert_outcome(&env.run(&["build"]), 0, FIRST_BUILD, "");
    let rss = env.read("public/blog/rss.xml");
    assert!(rss.contains("<rss version=\"2.0\""));
    assert!(rss.contains("<title>Welcome</title>"));
    assert!(
        rss.contains("<lastBuildDate>Tue, 05 Mar 2024 09:00:00 +0000</lastBuildDate>"),
        "{rss}"
    );
    let atom = env.read("public/blog/atom.xml");
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(atom.contains("<updated>2024-03-05T09:00:00"), "{atom}");
    let podcast = env.read("public/podcast/podcast.xml");
    for tag in [
        "<itunes:explicit>false</itunes:explicit>",
        "<itunes:category text=\"Education\">\n      <itunes:category text=\"How To\"/>",
        "<itunes:image href=\"https://example.org/podcast/artwork.jpg\"",
        "<podcast:guid>",
        "url=\"https://example.org/content/episodes/001-welcome.mp3\"",
        "length=\"18652\"",
    ] {
        assert!(podcast.contains(tag), "{tag} missing from\n{podcast}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&env.read("public/podcast/feed.json")).expect("JSON Feed");
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"][0]["attachments"][0]["size_in_bytes"], 18652);
    let index: serde_json::Value =
        serde_json::from_str(&env.read("public/index.json")).expect("index.json");
    let feeds: Vec<&str> = index["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["feed"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        feeds,
        ["podcast", "blog", "blog"],
        "newest first, each naming its feed"
    );
    let combined = env.read("public/rss.xml");
    assert!(
        combined.contains(
            "<source url=\"https://example.org/podcast/podcast.xml\">My podcast</source>"
        ),
        "{combined}"
    );
    assert!(
        combined.contains("The first post.") && !combined.contains("Hello there."),
        "the combined feed lists entries with their summaries, not their full content"
    );
    assert!(env.read("public/blog/rss.xml").contains("Hello there."));
    let opml = env.read("public/feeds.opml");
    assert!(opml.contains("xmlUrl=\"https://example.org/blog/rss.xml\""));
    assert!(opml.contains("xmlUrl=\"https://example.org/podcast/podcast.xml\""));
    assert!(env.read("public/index.html").contains("<audio"));
}

#[test]
fn a_second_build_rewrites_nothing_and_says_so() {
    let env = TestEnv::site();
    env.run(&["build"]);
    env.age_outputs();
    let before = env.mtimes();
    let ledger = env.read("omroep.ledger");
    assert_outcome(
        &env.run(&["build"]),
        0,
        "build: nothing changed (12 files unchanged)\n",
        "",
    );
    assert_eq!(env.mtimes(), before);
    assert_eq!(env.read("omroep.ledger"), ledger);
}

#[test]
fn verbose_lists_unchanged_files_and_quiet_prints_nothing() {
    let env = TestEnv::site();
    env.run(&["build"]);
    let verbose = env.run(&["build", "-v"]);
    assert!(
        verbose
            .stdout
            .starts_with("unchanged public/atom.xml\nunchanged public/blog/atom.xml\n")
    );
    assert_outcome(&env.run(&["build", "-q"]), 0, "", "");
}

#[test]
fn check_exits_1_after_a_content_change_and_0_otherwise() {
    let env = TestEnv::site();
    env.run(&["build"]);
    assert_outcome(
        &env.run(&["build", "--check"]),
        0,
        "check: outputs are up to date (12 files)\n",
        "",
    );
    env.age_outputs();
    let before = env.outputs();
    let mtimes = env.mtimes();
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("Hello there.", "Hello again."),
    );
    assert_outcome(
        &env.run(&["build", "--check"]),
        1,
        "\
would be updated public/blog/atom.xml
would be updated public/blog/feed.json
would be updated public/blog/rss.xml
check: outputs are out of date (3 to write, 0 to remove, 9 unchanged)
",
        "",
    );
    assert_eq!(env.outputs(), before, "--check writes nothing");
    assert_eq!(env.mtimes(), mtimes);
}

#[test]
fn check_on_a_site_never_built_reports_the_ledger_too() {
    let env = TestEnv::site();
    let outcome = env.run(&["build", "--check"]);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome
            .stdout
            .contains("would be created public/blog/rss.xml\n")
    );
    assert!(
        outcome
            .stdout
            .contains("would be updated omroep.ledger (3 new entries)\n")
    );
    assert!(!env.path("public").exists());
    assert!(!env.path("omroep.ledger").exists());
}

#[test]
fn two_fresh_builds_give_byte_identical_outputs() {
    let first = TestEnv::site();
    let second = TestEnv::site();
    first.run(&["build"]);
    second.run(&["run"]);
    assert_eq!(first.outputs(), second.outputs());
    assert_eq!(first.read("omroep.ledger"), second.read("omroep.ledger"));
}

#[test]
fn a_broken_post_keeps_the_previous_outputs() {
    let env = TestEnv::site();
    env.run(&["build"]);
    let before = env.outputs();
    env.write(
        "content/posts/broken.md",
        "---\ntitle: Broken\ndate: not a date\n---\n\nx\n",
    );
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    let errors: Vec<&str> = outcome.stderr.lines().collect();
    assert!(
        errors[0].starts_with("omroep: error: content/posts/broken.md:3: field `date`: "),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        errors.last().copied(),
        Some("omroep: error: feed `blog`: not rebuilt; its previous outputs stay as they were")
    );
    assert_eq!(
        outcome.stdout,
        "build: nothing changed (4 files unchanged); 1 feed not rebuilt\n"
    );
    assert_eq!(
        env.outputs(),
        before,
        "every previous output survives, byte for byte"
    );
    let leftovers: Vec<_> = walkdir::WalkDir::new(env.path("public"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_other_feeds_are_still_built_when_one_fails() {
    let env = TestEnv::site();
    env.run(&["build"]);
    env.write(
        "content/posts/broken.md",
        "---\ntitle: Broken\n---\n\nno date\n",
    );
    env.write(
        "content/episodes/001-welcome.md",
        &env.read("content/episodes/001-welcome.md")
            .replace("First episode.", "The first episode."),
    );
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 1);
    assert_eq!(
        outcome.stdout,
        "updated public/podcast/feed.json\nupdated public/podcast/podcast.xml\nbuild: 2 written, 2 unchanged, 0 removed; 1 feed not rebuilt\n"
    );
}

#[test]
fn outputs_of_a_removed_feed_are_removed_but_other_files_stay() {
    let env = TestEnv::site();
    env.run(&["build"]);
    env.write("public/CNAME", "example.org\n");
    std::fs::remove_file(env.path("feeds/blog.toml")).expect("remove the blog feed");
    let refused = env.run(&["build"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.ends_with(
        "omroep: error: feed `blog`: not rebuilt; its previous outputs stay as they were\n"
    ));
    assert!(refused.stderr.starts_with(
        "omroep: error: feed `blog`: its definition is gone, dropping published entry"
    ));
    assert!(env.path("public/blog/rss.xml").exists());
    let outcome = env.run(&["build", "--allow-identity-change"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        outcome.stdout.contains("removed public/blog/rss.xml\n"),
        "{}",
        outcome.stdout
    );
    assert!(!env.path("public/blog").exists());
    assert!(
        env.path("public/CNAME").exists(),
        "files omroep did not write are never removed"
    );
}

#[test]
fn remote_sources_never_fetched_are_announced_once_and_the_rest_is_built() {
    let env = TestEnv::site();
    env.write(
        "feeds/blog.toml",
        &format!(
            "{}\n[[source]]\nurl = \"https://old.example.org/feed/\"\n",
            env.read("feeds/blog.toml")
        ),
    );
    let warning = "omroep: warning: feed `blog`: built without the entries of remote sources: there is no store yet (.omroep/store.sqlite); run `omroep ingest` or `omroep run` to fetch them\n";
    // Files written in the tick the build starts in would make the next build a full
    // one, which finds the store this one created and says so instead.
    #[cfg(unix)]
    wait_for_the_next_tick(&env);
    assert_outcome(&env.run(&["build"]), 0, FIRST_BUILD, warning);
    // A rebuild with nothing changed says the same.
    assert_outcome(
        &env.run(&["build"]),
        0,
        "build: nothing changed (12 files unchanged)\n",
        warning,
    );
}

#[test]
fn a_deleted_or_edited_output_is_restored() {
    let env = TestEnv::site();
    env.run(&["build"]);
    let before = env.outputs();
    std::fs::remove_file(env.path("public/blog/atom.xml")).expect("remove an output");
    env.write("public/index.html", "defaced");
    assert_outcome(
        &env.run(&["build"]),
        0,
        "created public/blog/atom.xml\nupdated public/index.html\nbuild: 2 written, 10 unchanged, 0 removed\n",
        "",
    );
    assert_eq!(env.outputs(), before);
}

#[test]
fn a_scheduled_post_is_published_once_due() {
    let env = TestEnv::site();
    let due = chrono::Utc::now() + chrono::Duration::seconds(3);
    env.write(
        "content/posts/soon.md",
        &format!(
            "---\ntitle: Soon\ndate: {}\n---\n\nScheduled.\n",
            due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    );
    env.run(&["build"]);
    assert!(
        !env.read("public/blog/rss.xml")
            .contains("<title>Soon</title>")
    );
    assert_outcome(
        &env.run(&["build"]),
        0,
        "build: nothing changed (12 files unchanged)\n",
        "",
    );
    std::thread::sleep(std::time::Duration::from_secs(4));
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        outcome.stdout.contains("updated public/blog/rss.xml\n"),
        "{}",
        outcome.stdout
    );
    assert!(
        env.read("public/blog/rss.xml")
            .contains("<title>Soon</title>")
    );
}

#[test]
fn the_config_is_found_from_a_subfolder_or_given_with_config() {
    let env = TestEnv::site();
    let nested = env.path("content/posts");
    let outcome = env.run_in(&nested, &["build", "--check", "-q"]);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    let elsewhere = tempfile::tempdir().expect("a folder");
    let config = env.path("omroep.toml");
    let outcome = env.run_in(
        elsewhere.path(),
        &["--config", config.to_str().expect("utf-8"), "build", "-q"],
    );
    assert_outcome(&outcome, 0, "", "");
    assert!(env.path("public/index.html").exists());
}

#[test]
fn the_example_site_builds_every_feed() {
    let env = TestEnv::example();
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        outcome
            .stderr
            .lines()
            .all(|line| line.starts_with("omroep: warning: ")),
        "{}",
        outcome.stderr
    );
    for file in [
        "nl/rss.xml",
        "nl/atom.xml",
        "nl/feed.json",
        "en/rss.xml",
        "en/atom.xml",
        "en/feed.json",
        "podcast/podcast.xml",
        "podcast/feed.json",
        "podcast/artwork.jpg",
        "index.html",
        "index.json",
        "rss.xml",
        "atom.xml",
        "feeds.opml",
    ] {
        assert!(env.path("public").join(file).is_file(), "{file} missing");
    }
    let podcast = env.read("public/podcast/podcast.xml");
    assert!(
        podcast.contains("<podcast:locked owner=\"anne@koershouden.example\">yes</podcast:locked>")
    );
    assert!(podcast.contains(
        "https://media.koershouden.example/fixtures/content/episodes/audio/001-welkom.mp3"
    ));
    // Transcripts and chapters are published with the site, and the feed points at
    // exactly the copies that were written (same bytes as the author's files).
    let attachment_urls: Vec<&str> = podcast
        .lines()
        .filter(|line| line.contains("<podcast:transcript ") || line.contains("<podcast:chapters "))
        .filter_map(|line| line.split("url=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(
        attachment_urls.len(),
        4,
        "three transcripts and one chapters file:\n{podcast}"
    );
    for url in attachment_urls {
        let published = url
            .strip_prefix("https://koershouden.example/")
            .unwrap_or_else(|| panic!("{url} is not on the site"));
        let name = published.rsplit('/').next().unwrap_or_default();
        let written = std::fs::read(env.path("public").join(published))
            .unwrap_or_else(|error| panic!("{url}: public/{published} not written: {error}"));
        let original = std::fs::read(env.path("fixtures/content/episodes/audio").join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(written, original, "{url} differs from the author's file");
    }
    let english = env.read("public/en/rss.xml");
    assert!(english.contains("<language>en</language>"));
    assert!(
        !english.contains("2099"),
        "a post scheduled for 2099 is held back"
    );
    let second = env.run(&["build"]);
    assert_eq!(second.code, 0);
    assert!(
        second.stdout.starts_with("build: nothing changed ("),
        "{}",
        second.stdout
    );
}

/// The titles a built JSON Feed lists, in order.
fn json_feed_titles(env: &TestEnv, file: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&env.read(file)).expect("JSON Feed");
    json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn filters_and_the_limit_decide_what_a_feed_lists() {
    let env = TestEnv::site();
    env.write(
        "content/posts/more-news.md",
        "---\ntitle: More news\ndate: 2024-03-07T09:00:00Z\ntags: [News]\n---\n\nMore.\n",
    );
    env.write(
        "content/posts/private-pick.md",
        "---\ntitle: Private pick\ndate: 2024-03-08T09:00:00Z\ntags: [picks, private]\n---\n\nNot for the picks feed.\n",
    );
    env.write(
        "content/notes/old-news.md",
        "---\ntitle: Old news\ndate: 2024-03-01T09:00:00Z\ntags: [news]\n---\n\nOld.\n",
    );
    // The episode is tagged too, so only the audio filter can keep it out.
    let episode = env.read("content/episodes/001-welcome.md").replacen(
        "episode: 1\n",
        "episode: 1\ntags: [news]\n",
        1,
    );
    env.write("content/episodes/001-welcome.md", &episode);
    let picks = "\
kind = \"blog\"
title = \"Picks\"
path = \"picks\"
formats = [\"json\"]
limit = 2
filter = { tags = [\"news\", \"picks\"] }

[[source]]
markdown = \"content/posts/*.md\"
filter = { exclude_tags = [\"private\"] }

[[source]]
markdown = \"content/episodes/*.md\"
filter = { audio = \"without\" }

[[source]]
markdown = \"content/notes/*.md\"
";
    env.write("feeds/picks.toml", picks);
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    // Newest first: the private pick (excluded by its source), the episode (has audio),
    // "How this site works" (tagged `meta`) are left out, and the limit stops at two.
    assert_eq!(
        json_feed_titles(&env, "public/picks/feed.json"),
        ["More news", "Welcome"]
    );
    // The blog feed, without filters, still lists every post.
    assert_eq!(
        json_feed_titles(&env, "public/blog/feed.json"),
        [
            "Private pick",
            "More news",
            "Welcome",
            "How this site works"
        ]
    );

    env.write("feeds/picks.toml", &picks.replace("limit = 2\n", ""));
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(
        json_feed_titles(&env, "public/picks/feed.json"),
        ["More news", "Welcome", "Old news"]
    );
}

#[test]
fn podcast_artwork_apple_would_refuse_is_a_warning_with_the_numbers() {
    let env = TestEnv::site();
    let small = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/content/broken/small-art.png"),
    )
    .expect("the small artwork fixture");
    std::fs::write(env.path("content/artwork.png"), small).expect("write artwork");
    let podcast = env.read("feeds/podcast.toml").replace(
        "artwork = \"content/artwork.jpg\"",
        "artwork = \"content/artwork.png\"",
    );
    assert!(podcast.contains("content/artwork.png"), "{podcast}");
    env.write("feeds/podcast.toml", &podcast);
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        "omroep: warning: content/artwork.png: artwork is 300x200 px, not square; Apple Podcasts wants a square image\n\
         omroep: warning: content/artwork.png: artwork is 300x200 px, smaller than the 1400x1400 px Apple Podcasts requires\n"
    );
    assert!(env.path("public/podcast/artwork.png").is_file());
}

#[test]
fn a_damaged_store_only_costs_the_file_cache() {
    let edit = |env: &TestEnv| {
        env.write(
            "content/posts/welcome.md",
            &env.read("content/posts/welcome.md")
                .replace("Hello there.", "Hello again."),
        );
    };
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    assert!(env.path(".omroep/store.sqlite").is_file());
    std::fs::write(env.path(".omroep/store.sqlite"), "not a database at all").unwrap();
    edit(&env);
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(
        outcome
            .stderr
            .matches("content files are read without the file cache")
            .count(),
        1,
        "{outcome:?}"
    );
    // The same outputs as a site that never had a store.
    let clean = TestEnv::site();
    edit(&clean);
    assert_eq!(clean.run(&["build"]).code, 0);
    assert_eq!(env.outputs(), clean.outputs());
}

#[test]
fn a_file_cache_that_does_not_load_is_reported_by_build_and_by_check() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    // A table the cache's load reads is gone (a damaged store that still opens).
    let store = env.path(".omroep/store.sqlite");
    rusqlite::Connection::open(&store)
        .unwrap()
        .execute("DROP TABLE local_audio", [])
        .unwrap();
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("Hello there.", "Hello again."),
    );
    let warning = "omroep: warning: store: could not load the file cache (no such table: local_audio); \
                   content files are read without the file cache\n";
    // A check says so (and nothing else), though it never saves the cache.
    let outcome = env.run(&["build", "--check"]);
    assert_eq!(outcome.stderr, warning, "{outcome:?}");
    // So does a build; its save then fails too (the table it writes the audio
    // probes to is gone), and says that, not that the load failed.
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(outcome.stderr.starts_with(warning), "{outcome:?}");
    assert!(
        outcome
            .stderr
            .contains("could not save the file cache (store: no such table: local_audio)"),
        "{outcome:?}"
    );
    assert!(env.read("public/blog/rss.xml").contains("Hello again."));
}

#[test]
fn a_build_reuses_what_the_store_remembers_and_notices_edits() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    // A touched file (new mtime, same bytes) ends the no-change fast path but not the
    // file cache: the outputs stay as they were.
    let welcome = env.path("content/posts/welcome.md");
    let later = std::fs::metadata(&welcome).unwrap().modified().unwrap()
        + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&welcome)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_outcome(
        &env.run(&["build"]),
        0,
        "build: nothing changed (12 files unchanged)\n",
        "",
    );
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("Hello there.", "Hello again."),
    );
    assert_eq!(env.run(&["build"]).code, 0);
    assert!(env.read("public/blog/rss.xml").contains("Hello again."));
}

/// A build records the no-change state only when none of its inputs changed after it
/// started (one changed then may have been stamped after it was read, and its edit would
/// never be published). On Unix "changed" is the ctime, which no tool can date ahead: an
/// input whose mtime lies in the future (copied from a machine whose clock runs ahead,
/// `touch -d`) no longer keeps the fast path off. The other side, an input changed during
/// the build, cannot be reproduced here without a hook inside the build (or sleeps that
/// race it); the unit tests of `build::fingerprint` show it, for a file written, and for
/// one moved in with an old mtime.
#[cfg(unix)]
#[test]
fn a_build_whose_inputs_are_dated_in_the_future_is_followed_by_a_no_change_build() {
    use std::os::unix::fs::MetadataExt;
    let env = TestEnv::site();
    let state = env.path(".omroep/build-state.json");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    for file in [
        "content/posts/welcome.md",
        "content/episodes/001-welcome.mp3",
    ] {
        assert!(env.path(file).is_file(), "{file}");
        std::fs::File::options()
            .write(true)
            .open(env.path(file))
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    wait_for_the_next_tick(&env);
    assert_eq!(env.run(&["build"]).code, 0);
    assert!(state.is_file(), "the build was recorded");
    let recorded = std::fs::metadata(&state).unwrap();
    // The next build takes the no-change path: it writes nothing, the state included
    // (a full build would replace it, under a new inode).
    assert_outcome(
        &env.run(&["build"]),
        0,
        "build: nothing changed (12 files unchanged)\n",
        "",
    );
    let after = std::fs::metadata(&state).unwrap();
    assert_eq!(
        (after.ino(), after.mtime(), after.mtime_nsec()),
        (recorded.ino(), recorded.mtime(), recorded.mtime_nsec()),
        "the second build was the no-change one"
    );
}

/// A site big enough that a build takes a while, so a kill can land in the middle.
fn many_posts(env: &TestEnv, count: usize) {
    for i in 0..count {
        env.write(
            &format!("content/posts/p{i:04}.md"),
            &format!(
                "---\ntitle: Post {i}\ndate: 2023-01-{:02}T09:00:00Z\ntags: [news]\n---\n\n{}\n",
                1 + i % 28,
                "Words that make the body long enough to take some time. ".repeat(40)
            ),
        );
    }
}

/// Kills `omroep build` part-way (several times, at different moments), checks the
/// store each time, then finishes: the outputs are those of an uninterrupted build.
#[test]
fn a_build_killed_mid_way_leaves_the_store_consistent() {
    let env = TestEnv::site();
    many_posts(&env, 1000);
    let store = env.path(".omroep/store.sqlite");
    for delay_ms in [50u64, 300, 800, 1500] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_omroep"))
            .args(["build", "-q"])
            .current_dir(env.root())
            .spawn()
            .expect("start omroep");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if store.is_file() {
            let opened = omroep::store::Store::open(&store).expect("the store opens");
            assert_eq!(opened.check_integrity().unwrap(), Ok(()));
        }
        // Between builds an edit, so the next build cannot take the no-change path.
        env.write(
            "content/posts/p0000.md",
            &env.read("content/posts/p0000.md")
                .replace("Post 0", &format!("Post 0 ({delay_ms})")),
        );
    }
    let outcome = env.run(&["build", "-q"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    let leftovers: Vec<_> = walkdir::WalkDir::new(env.root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .map(|entry| entry.path().to_path_buf())
        .collect();
    assert_eq!(leftovers, Vec::<std::path::PathBuf>::new());

    let clean = TestEnv::site();
    many_posts(&clean, 1000);
    clean.write(
        "content/posts/p0000.md",
        &env.read("content/posts/p0000.md"),
    );
    assert_eq!(clean.run(&["build", "-q"]).code, 0);
    assert_eq!(env.outputs(), clean.outputs());
    assert_eq!(env.read("omroep.ledger"), clean.read("omroep.ledger"));
}

#[test]
fn temporary_files_left_by_a_killed_build_are_removed_by_the_next() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    // What a build killed between staging and renaming leaves behind.
    env.write("public/.omroep-Xa12bC.tmp", "half a feed");
    env.write("public/blog/.omroep-Zz9.tmp", "half a feed");
    env.write(".omroep-Ledg3r.tmp", "half a ledger");
    env.write("public/notes.tmp", "the user's own file");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
    for file in [
        "public/.omroep-Xa12bC.tmp",
        "public/blog/.omroep-Zz9.tmp",
        ".omroep-Ledg3r.tmp",
    ] {
        std::fs::File::options()
            .write(true)
            .open(env.path(file))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("Hello there.", "Hello again."),
    );
    assert_eq!(env.run(&["build", "-q"]).code, 0);
    assert!(!env.path("public/.omroep-Xa12bC.tmp").exists());
    assert!(!env.path("public/blog/.omroep-Zz9.tmp").exists());
    assert!(!env.path(".omroep-Ledg3r.tmp").exists());
    assert!(env.path("public/notes.tmp").exists());
}

/// Runs `omroep build -q` in `env` with `threads` worker threads.
fn build_with_threads(env: &TestEnv, threads: &str) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_omroep"))
        .args(["build", "-q"])
        .current_dir(env.root())
        .env("OMROEP_THREADS", threads)
        .status()
        .expect("run omroep");
    assert!(status.success());
}

#[test]
fn outputs_do_not_depend_on_how_many_threads_build_them() {
    let serial = TestEnv::site();
    let parallel = TestEnv::site();
    for env in [&serial, &parallel] {
        many_posts(env, 300);
    }
    build_with_threads(&serial, "1");
    build_with_threads(&parallel, "8");
    assert_eq!(serial.outputs(), parallel.outputs());
    assert_eq!(serial.read("omroep.ledger"), parallel.read("omroep.ledger"));
    // A second, cached build on many threads gives the same again.
    parallel.write(
        "content/posts/p0001.md",
        &parallel.read("content/posts/p0001.md"),
    );
    std::fs::remove_dir_all(parallel.path("public")).unwrap();
    build_with_threads(&parallel, "8");
    assert_eq!(serial.outputs(), parallel.outputs());
}

#[test]
fn a_feed_that_fails_validation_is_not_published_and_the_others_are() {
    let env = TestEnv::site();
    // Atom too: every valid format of a feed is staged as soon as it is rendered,
    // whatever the order the cores take them in, and must be taken back when another
    // format of the feed (here the podcast RSS) is refused.
    let podcast = env.read("feeds/podcast.toml");
    env.write(
        "feeds/podcast.toml",
        &podcast.replacen(
            "explicit = false",
            "explicit = false\nformats = [\"atom\", \"podcast\", \"json\"]",
            1,
        ),
    );
    assert_eq!(env.run(&["build"]).code, 0);
    let before = env.read("public/podcast/podcast.xml");
    let json_before = env.read("public/podcast/feed.json");
    let atom_before = env.read("public/podcast/atom.xml");
    let combined = [
        "rss.xml",
        "atom.xml",
        "index.html",
        "index.json",
        "feeds.opml",
    ];
    let combined_before: Vec<String> = combined
        .iter()
        .map(|file| env.read(&format!("public/{file}")))
        .collect();
    // A summary over the 4,000 bytes Apple Podcasts accepts in an episode's description.
    let long = "Een lange samenvatting vol woorden. ".repeat(120);
    env.write(
        "content/episodes/001-welcome.md",
        &env.read("content/episodes/001-welcome.md")
            .replace("summary: A short hello.", &format!("summary: {long}")),
    );
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("Welcome", "Hello"),
    );
    // The episode's audio changed too: the refused feed's previous podcast.xml still
    // gives the old file's length, so the old file must stay published beside it.
    let audio = "public/content/episodes/001-welcome.mp3";
    let audio_before = std::fs::read(env.path(audio)).unwrap();
    let mut longer = std::fs::read(env.path("content/episodes/001-welcome.mp3")).unwrap();
    longer.extend(std::iter::repeat_n(0u8, 4096));
    std::fs::write(env.path("content/episodes/001-welcome.mp3"), &longer).unwrap();
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    assert_eq!(
        outcome.stdout,
        "updated public/blog/atom.xml\nupdated public/blog/feed.json\nupdated public/blog/rss.xml\n\
         build: 3 written, 0 unchanged, 0 removed; 1 feed not rebuilt\n"
    );
    assert_eq!(std::fs::read(env.path(audio)).unwrap(), audio_before);
    assert_eq!(
        outcome.stderr,
        "omroep: error: podcast/podcast.xml: line 36: entry `https://example.org/2024/001-welcome/`: \
         description is 4319 bytes, over Apple's 4000 (apple/description-length); fix it, or pass \
         --allow-invalid to publish anyway\n\
         omroep: error: feed `podcast`: not rebuilt; its previous outputs stay as they were\n"
    );
    // The refused feed's files are the last good ones; the blog has the edit.
    assert_eq!(env.read("public/podcast/podcast.xml"), before);
    assert_eq!(env.read("public/podcast/feed.json"), json_before);
    assert_eq!(env.read("public/podcast/atom.xml"), atom_before);
    assert!(
        env.read("public/blog/rss.xml")
            .contains("<title>Hello</title>")
    );
    // The combined files, rendered beside the feeds and staged, were taken back: they
    // would list the blog's edit beside entries the podcast does not publish.
    for (file, before) in combined.iter().zip(&combined_before) {
        assert_eq!(&env.read(&format!("public/{file}")), before, "{file}");
    }

    // --allow-invalid publishes it anyway, with the finding as a warning.
    let outcome = env.run(&["build", "--allow-invalid"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        outcome.stderr.starts_with(
            "omroep: warning: podcast/podcast.xml: line 36: entry `https://example.org/2024/001-welcome/`: \
             description is 4319 bytes, over Apple's 4000 (apple/description-length)"
        ),
        "{}",
        outcome.stderr
    );
    assert!(env.read("public/podcast/podcast.xml").contains(long.trim()));
    assert_ne!(env.read("public/podcast/feed.json"), json_before);
    assert_ne!(env.read("public/podcast/atom.xml"), atom_before);
    assert_eq!(std::fs::read(env.path(audio)).unwrap(), longer);
    // Published now, the combined files carry the edit the refused build held back.
    assert_ne!(env.read("public/rss.xml"), combined_before[0]);
    assert_ne!(env.read("public/index.html"), combined_before[2]);
}

/// A change in the clock tick a build starts in counts as made during the build (its
/// stamps are not recorded, and the next build does the full check): waits (polling,
/// not guessing) until the file system dates a new file later than every change made
/// so far in `env`.
#[cfg(unix)]
fn wait_for_the_next_tick(env: &TestEnv) {
    use std::os::unix::fs::MetadataExt;
    let ctime = |path: &std::path::Path| {
        let meta = std::fs::metadata(path).unwrap();
        (meta.ctime(), meta.ctime_nsec())
    };
    let marker = env.path("settled");
    std::fs::write(&marker, "").unwrap();
    let changed = ctime(&marker);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while ctime(tempfile::NamedTempFile::new_in(env.root()).unwrap().path()) <= changed {
        assert!(
            std::time::Instant::now() < deadline,
            "the clock stands still"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    std::fs::remove_file(&marker).unwrap();
}
