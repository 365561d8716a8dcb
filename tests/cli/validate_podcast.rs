//! The podcast rule families (`apple/…`, `p20/…`) on what `build` writes: the example
//! site's podcast feed and the `init` site's must give no finding, artwork included (read
//! from the built site, as `validate` does for a site's own feeds).

use omroep::validate::{Context, validate};

use crate::site_env::TestEnv;

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
