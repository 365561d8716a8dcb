//! `omroep new post|episode`: the file written (whole), the path printed (whole), the
//! JSON report, the site's time zone, the next episode number, and every refusal.

use crate::site_env::{TestEnv, assert_outcome};

/// The `omroep init` site, its dates read in Amsterdam time.
fn amsterdam_site() -> TestEnv {
    let env = TestEnv::site();
    let site = env.read("omroep.toml");
    env.write(
        "omroep.toml",
        &site.replace(
            "language = \"en\"\n",
            "language = \"en\"\ntimezone = \"Europe/Amsterdam\"\n",
        ),
    );
    env
}

#[test]
fn a_new_post_is_dated_in_the_site_zone_and_named_from_its_folded_title() {
    let env = amsterdam_site();
    let outcome = env.run(&[
        "new",
        "post",
        "Één ontwikkeling",
        "--date",
        "2024-03-05 09:30",
    ]);
    assert_outcome(
        &outcome,
        0,
        "content/posts/2024-03-05-een-ontwikkeling.md\n",
        "",
    );
    assert_eq!(
        env.read("content/posts/2024-03-05-een-ontwikkeling.md"),
        "---\ntitle: \"Één ontwikkeling\"\ndate: 2024-03-05T09:30:00+01:00\n---\n"
    );
    // Summer time, and a draft.
    let outcome = env.run(&[
        "new",
        "post",
        "Zomer",
        "--date",
        "2024-07-01 09:30",
        "--draft",
    ]);
    assert_outcome(&outcome, 0, "content/posts/2024-07-01-zomer.md\n", "");
    assert_eq!(
        env.read("content/posts/2024-07-01-zomer.md"),
        "---\ntitle: \"Zomer\"\ndate: 2024-07-01T09:30:00+02:00\ndraft: true\n---\n"
    );
    // The new files build: the post is published at that moment, the draft is not.
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    let rss = env.read("public/blog/rss.xml");
    assert!(rss.contains("<title>Één ontwikkeling</title>"), "{rss}");
    assert!(
        rss.contains("<pubDate>Tue, 05 Mar 2024 08:30:00 +0000</pubDate>"),
        "{rss}"
    );
    assert!(!rss.contains("Zomer"), "{rss}");
}

#[test]
fn without_a_date_the_post_is_dated_now() {
    let env = TestEnv::site();
    let before = chrono::Utc::now().timestamp();
    let outcome = env.run(&["new", "post", "Nu", "--format", "json"]);
    let after = chrono::Utc::now().timestamp();
    assert_eq!(
        (outcome.code, outcome.stderr.as_str()),
        (0, ""),
        "{outcome:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let date = chrono::DateTime::parse_from_rfc3339(report["date"].as_str().expect("a date"))
        .expect("RFC 3339");
    assert!((before..=after).contains(&date.timestamp()), "{date}");
    let path = report["path"].as_str().expect("a path");
    assert_eq!(
        path,
        format!("content/posts/{}-nu.md", date.format("%Y-%m-%d"))
    );
    assert!(env.read(path).contains(&format!(
        "date: {}\n",
        report["date"].as_str().unwrap_or("")
    )));
}

#[test]
fn a_new_episode_gets_the_next_number_and_the_measured_audio() {
    let env = amsterdam_site();
    for copy in ["002-twee.mp3", "003-drie.mp3"] {
        std::fs::copy(
            env.path("content/episodes/001-welcome.mp3"),
            env.path(&format!("content/episodes/{copy}")),
        )
        .expect("copy the sample audio");
    }
    let outcome = env.run(&[
        "new",
        "episode",
        "Twee: het vervolg",
        "--audio",
        "content/episodes/002-twee.mp3",
        "--date",
        "2024-03-12",
        "--format",
        "json",
    ]);
    assert_outcome(
        &outcome,
        0,
        r#"{
  "path": "content/episodes/2024-03-12-twee-het-vervolg.md",
  "feed": "podcast",
  "kind": "episode",
  "title": "Twee: het vervolg",
  "date": "2024-03-12T00:00:00+01:00",
  "slug": "twee-het-vervolg",
  "draft": false,
  "episode": 2,
  "audio": "/content/episodes/002-twee.mp3",
  "duration_seconds": 5,
  "length": 18652,
  "mime_type": "audio/mpeg"
}
"#,
        "",
    );
    assert_eq!(
        env.read("content/episodes/2024-03-12-twee-het-vervolg.md"),
        "---\ntitle: \"Twee: het vervolg\"\ndate: 2024-03-12T00:00:00+01:00\n\
         audio: \"/content/episodes/002-twee.mp3\"\nduration: 5\nepisode: 2\n---\n"
    );
    // A draft episode still counts: the next one is 3.
    let outcome = env.run(&[
        "new",
        "episode",
        "Drie",
        "--audio",
        "content/episodes/003-drie.mp3",
        "--draft",
        "--date",
        "2024-03-19",
    ]);
    assert_outcome(&outcome, 0, "content/episodes/2024-03-19-drie.md\n", "");
    assert!(
        env.read("content/episodes/2024-03-19-drie.md")
            .contains("episode: 3\ndraft: true\n")
    );
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    let podcast = env.read("public/podcast/podcast.xml");
    assert!(
        podcast.contains("<itunes:episode>2</itunes:episode>"),
        "{podcast}"
    );
    assert!(!podcast.contains("Drie"), "{podcast}");
}

#[test]
fn refusals_are_one_clear_line_and_write_nothing() {
    let env = TestEnv::site();
    let first = env.run(&["new", "post", "Hallo", "--date", "2024-03-05"]);
    assert_eq!(first.code, 0, "{first:?}");
    let cases: &[(&[&str], &str)] = &[
        (
            &["new", "post", "Hallo!", "--date", "2025-01-01"],
            "omroep: error: content/posts/2024-03-05-hallo.md already has the slug `hallo` (its URL would be this one's); choose another title\n",
        ),
        (
            &["new", "post", "  "],
            "omroep: error: the title is empty; give one, such as `omroep new post \"My title\"`\n",
        ),
        (
            &["new", "post", "X", "--feed", "podcast"],
            "omroep: error: feed `podcast` is a podcast feed; a new post goes to a blog feed\n",
        ),
        (
            &["new", "post", "X", "--feed", "nieuws"],
            "omroep: error: no feed `nieuws`; the site's feeds are blog, podcast\n",
        ),
        (
            &["new", "post", "X", "--date", "volgende week"],
            "omroep: error: --date: expected a date such as `2024-03-05` or `2024-03-05 09:30`, found `volgende week`\n",
        ),
        (
            &["new", "episode", "X", "--audio", "missing.mp3"],
            "omroep: error: missing.mp3: cannot open the audio (No such file or directory (os error 2)); check the path\n",
        ),
        (
            &["new", "episode", "X", "--audio", "content/posts/welcome.md"],
            "omroep: error: content/posts/welcome.md: not an audio format podcasts use (it starts with \"---\\x0atitl\"); use MP3, M4A, Ogg/Opus or FLAC\n",
        ),
    ];
    let before = env.tree("content");
    for (args, stderr) in cases {
        assert_outcome(&env.run(args), 2, "", stderr);
    }
    assert_eq!(env.tree("content"), before);
    let outside = tempfile::NamedTempFile::new().expect("a temporary file");
    let path = outside.path().to_string_lossy().into_owned();
    let outcome = env.run(&["new", "episode", "X", "--audio", &path]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("is outside the site folder")
            && outcome
                .stderr
                .contains("copy the audio into the site first"),
        "{outcome:?}"
    );
}

#[test]
fn several_candidate_feeds_need_a_choice() {
    let env = TestEnv::example();
    assert_outcome(
        &env.run(&["new", "post", "Nieuw"]),
        2,
        "",
        "omroep: error: several feeds could take the post: blog-en, blog-nl; choose one with --feed NAME\n",
    );
    let outcome = env.run(&[
        "new",
        "post",
        "Nieuw",
        "--feed",
        "blog-nl",
        "--date",
        "2024-06-01",
    ]);
    assert_outcome(
        &outcome,
        0,
        "fixtures/content/posts/nl/2024-06-01-nieuw.md\n",
        "",
    );
}

#[test]
fn dates_written_without_an_offset_are_read_in_the_site_zone() {
    let env = amsterdam_site();
    env.write(
        "content/posts/welcome.md",
        "---\ntitle: Welcome\ndate: 2024-03-05 09:30\n---\n\nHello there.\n",
    );
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    let rss = env.read("public/blog/rss.xml");
    // 09:30 in Amsterdam (winter time, +01:00) is 08:30 UTC.
    assert!(
        rss.contains("<pubDate>Tue, 05 Mar 2024 08:30:00 +0000</pubDate>"),
        "{rss}"
    );
    let wrong = env
        .read("omroep.toml")
        .replace("Europe/Amsterdam", "Amsterdam");
    env.write("omroep.toml", &wrong);
    let build = env.run(&["build"]);
    assert_eq!(build.code, 2);
    assert!(
        build.stderr.starts_with(
            "omroep: error: omroep.toml:7: key `timezone`: `Amsterdam` is not a time zone name"
        ),
        "{build:?}"
    );
}
