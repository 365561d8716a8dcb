//! The identity ledger through the CLI: refusals name the entry and the override flag,
//! refused feeds keep their outputs, and the flag records the change.

use crate::site_env::{TestEnv, assert_outcome};

#[test]
fn a_changed_guid_is_refused_and_the_flag_allows_it() {
    let env = TestEnv::site();
    env.run(&["build"]);
    let before = env.outputs();
    let ledger = env.read("omroep.ledger");
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md").replace(
            "title: Welcome\n",
            "title: Welcome\nguid: urn:example:welcome\n",
        ),
    );
    assert_outcome(
        &env.run(&["build"]),
        1,
        "build: nothing changed (4 files unchanged); 1 feed not rebuilt\n",
        "\
omroep: error: feed `blog`: content/posts/welcome.md: its guid would change from `https://example.org/2024/welcome/` to `urn:example:welcome` and subscribers would see it twice; set `guid: https://example.org/2024/welcome/` in its front matter to keep it, or pass --allow-identity-change
omroep: error: feed `blog`: not rebuilt; its previous outputs stay as they were
",
    );
    assert_eq!(env.outputs(), before);
    assert_eq!(env.read("omroep.ledger"), ledger);

    let allowed = env.run(&["build", "--allow-identity-change"]);
    assert_eq!(allowed.code, 0, "{allowed:?}");
    assert!(allowed.stderr.starts_with(
        "omroep: warning: accepted: feed `blog`: content/posts/welcome.md: its guid would change"
    ));
    assert!(
        env.read("omroep.ledger")
            .contains("\turn:example:welcome\tcontent/posts/welcome.md\t")
    );
    assert!(
        env.read("public/blog/rss.xml")
            .contains("urn:example:welcome")
    );
    assert_outcome(
        &env.run(&["build"]),
        0,
        "build: nothing changed (12 files unchanged)\n",
        "",
    );
}

#[test]
fn a_dropped_entry_is_refused_and_the_flag_allows_it() {
    let env = TestEnv::site();
    env.run(&["build"]);
    std::fs::remove_file(env.path("content/posts/how-this-site-works.md")).expect("remove a post");
    assert_outcome(
        &env.run(&["build"]),
        1,
        "build: nothing changed (4 files unchanged); 1 feed not rebuilt\n",
        "\
omroep: error: feed `blog`: published entry `https://example.org/2024/how-this-site-works/` (content/posts/how-this-site-works.md) would be dropped; restore it (or the filter that kept it), or pass --allow-identity-change
omroep: error: feed `blog`: not rebuilt; its previous outputs stay as they were
",
    );
    assert!(
        env.read("public/blog/rss.xml")
            .contains("How this site works")
    );
    let allowed = env.run(&["build", "--allow-identity-change"]);
    assert_eq!(allowed.code, 0, "{allowed:?}");
    assert!(
        !env.read("public/blog/rss.xml")
            .contains("How this site works")
    );
    assert!(!env.read("omroep.ledger").contains("how-this-site-works"));
}

#[test]
fn a_draft_again_counts_as_a_drop() {
    let env = TestEnv::site();
    env.run(&["build"]);
    env.write(
        "content/posts/welcome.md",
        &env.read("content/posts/welcome.md")
            .replace("title: Welcome\n", "title: Welcome\ndraft: true\n"),
    );
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 1);
    assert!(outcome.stderr.contains("published entry `https://example.org/2024/welcome/` (content/posts/welcome.md) would be dropped"));
}

#[test]
fn a_new_base_url_keeps_the_podcast_guid() {
    let env = TestEnv::site();
    env.run(&["build"]);
    let guid = |env: &TestEnv| {
        let xml = env.read("public/podcast/podcast.xml");
        let start = xml.find("<podcast:guid>").expect("a podcast:guid") + "<podcast:guid>".len();
        xml[start..start + 36].to_string()
    };
    let before = guid(&env);
    env.write(
        "omroep.toml",
        &env.read("omroep.toml")
            .replace("https://example.org/", "https://new.example.org/"),
    );
    // Post guids are their URLs here, so they would change: accept that, and check that
    // the show's identity stayed without being told.
    let outcome = env.run(&["build", "--allow-identity-change"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        !outcome.stderr.contains("podcast:guid"),
        "{}",
        outcome.stderr
    );
    assert_eq!(guid(&env), before);
}

#[test]
fn a_reused_enclosure_url_is_refused() {
    let env = TestEnv::site();
    env.run(&["build"]);
    env.write(
        "content/episodes/002-again.md",
        "---\ntitle: Again\ndate: 2024-03-07T09:00:00Z\naudio: 001-welcome.mp3\nepisode: 2\nexplicit: false\n---\n\nSame audio.\n",
    );
    let outcome = env.run(&["build"]);
    assert_eq!(outcome.code, 1);
    assert_eq!(
        outcome.stderr.lines().next(),
        Some(
            "omroep: error: feed `podcast`: entry `https://example.org/2024/002-again/`: enclosure URL \
             https://example.org/content/episodes/001-welcome.mp3 was already published for entry \
             `https://example.org/2024/001-welcome/` of feed `podcast`; give the new audio its own \
             file name, or pass --allow-identity-change"
        )
    );
}
