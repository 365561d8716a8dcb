//! The podcast rule families (`apple/…`, `p20/…`) on what `build` writes: the example
//! site's podcast feed and the `init` site's must give no finding, artwork included (read
//! from the built site, as `validate` does for a site's own feeds); and `validate --online`
//! asking a local server.

use omroep::validate::{Context, validate};
use serde_json::Value;

use crate::site_env::TestEnv;
use crate::support::{Route, serve};

/// The `apple/…` and `p20/…` findings on `public/<path>` of a built site, as lines.
fn podcast_findings(env: &TestEnv, path: &str, feed_url: &str) -> Vec<String> {
    let file = env.path("public").join(path);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let context = Context {
        feed_url: Some(feed_url.to_string()),
        base_dir: file.parent().map(|dir| dir.to_path_buf()),
        ..Context::default()
    };
    validate(path, &bytes, &context)
        .into_iter()
        .filter(|f| f.rule.id.starts_with("apple/") || f.rule.id.starts_with("p20/"))
        .map(|f| {
            format!(
                "{}:{} {} {}",
                path,
                f.line.unwrap_or(0),
                f.rule.id,
                f.message
            )
        })
        .collect()
}

#[test]
fn the_example_sites_podcast_feed_meets_apple_and_podcasting_2_0() {
    let env = TestEnv::example();
    let outcome = env.run(&["build", "-q"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    let findings = podcast_findings(
        &env,
        "podcast/podcast.xml",
        "https://koershouden.example/podcast/podcast.xml",
    );
    assert_eq!(findings, Vec::<String>::new());
    // The artwork really was read: break it, and the rules see it.
    std::fs::write(env.path("public/podcast/artwork.jpg"), b"not a picture").unwrap();
    let findings = podcast_findings(
        &env,
        "podcast/podcast.xml",
        "https://koershouden.example/podcast/podcast.xml",
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].contains(" apple/artwork-unreadable "),
        "{findings:?}"
    );
}

#[test]
fn the_init_sites_podcast_feed_meets_apple_and_podcasting_2_0() {
    let env = TestEnv::site();
    let outcome = env.run(&["build", "-q"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    let findings = podcast_findings(
        &env,
        "podcast/podcast.xml",
        "https://example.org/podcast/podcast.xml",
    );
    assert_eq!(findings, Vec::<String>::new());
}

/// The rule ids (sorted) of `omroep validate --format json ARGS`, and the exit status.
fn rule_ids(env: &TestEnv, args: &[&str]) -> (Vec<String>, i32) {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(args);
    let outcome = env.run(&all);
    let report: Value =
        serde_json::from_str(&outcome.stdout).unwrap_or_else(|e| panic!("{e}: {outcome:?}"));
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    (ids, outcome.code)
}

#[test]
fn online_adds_the_hosting_checks_of_a_local_server() {
    let artwork = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/validate/apple/good.jpg"),
    )
    .unwrap();
    // The media host ignores ranges: the one hosting fault of this feed.
    let base = serve(vec![
        Route::tagged("/feed.xml", "application/rss+xml", "<rss/>", "\"v1\""),
        Route::ok("/ep.mp3", "audio/mpeg", vec![b'x'; 1000]),
        Route::ok("/art.jpg", "image/jpeg", artwork),
    ]);
    let feed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/validate/apple/clean.xml"),
    )
    .unwrap()
    .replace("https://pod.example/feed.xml", &format!("{base}/feed.xml"))
    .replace("https://pod.example/good.jpg", &format!("{base}/art.jpg"))
    .replace(
        "https://media.pod.example/1.mp3\" length=\"123456\"",
        &format!("{base}/ep.mp3\" length=\"1000\""),
    )
    .replace(
        "https://media.pod.example/2.mp3\" length=\"123456\"",
        &format!("{base}/ep.mp3\" length=\"1000\""),
    );
    let env = TestEnv::empty();
    env.write("feed.xml", &feed);
    // Both items share one file: apple/enclosure-unique, asked about once online.
    let (ids, code) = rule_ids(&env, &["feed.xml"]);
    assert_eq!(
        (ids, code),
        (
            vec![
                "apple/artwork-unchecked".to_string(),
                "apple/enclosure-unique".to_string()
            ],
            1
        )
    );
    let (ids, code) = rule_ids(&env, &["--online", "feed.xml"]);
    assert_eq!(
        (ids, code),
        (
            vec![
                "apple/enclosure-unique".to_string(),
                "online/range".to_string()
            ],
            1
        )
    );
}

#[test]
fn online_on_a_site_asks_where_build_publishes() {
    // Nothing is published yet: the site's feed, media and artwork URLs all answer 404.
    let base = serve(Vec::new());
    let env = TestEnv::site();
    let config = env
        .read("omroep.toml")
        .replace("https://example.org/", &format!("{base}/"));
    env.write("omroep.toml", &config);
    let (ids, code) = rule_ids(&env, &["--online"]);
    assert_eq!(code, 1);
    let online: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| id.starts_with("online/"))
        .collect();
    // The blog's RSS feed and the podcast feed, the episode's audio and the artwork.
    assert_eq!(
        online,
        [
            "online/feed-answers",
            "online/feed-answers",
            "online/head",
            "online/head"
        ],
        "{ids:?}"
    );
    let (offline, _) = rule_ids(&env, &[]);
    assert!(
        offline.iter().all(|id| !id.starts_with("online/")),
        "{offline:?}"
    );
}
