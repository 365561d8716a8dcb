//! `omroep init`: a new site that builds at once.

use crate::site_env::{TestEnv, assert_outcome};

#[test]
fn init_then_run_works() {
    let env = TestEnv::empty();
    let parent = env.root().parent().expect("a parent").to_path_buf();
    assert_outcome(
        &env.run_in(&parent, &["init", "site"]),
        0,
        "\
created site/omroep.toml
created site/feeds/blog.toml
created site/feeds/podcast.toml
created site/content/posts/welcome.md
created site/content/posts/how-this-site-works.md
created site/content/episodes/001-welcome.md
created site/content/episodes/001-welcome.mp3
created site/content/artwork.jpg
created site/.gitignore
next: cd site && omroep run   (then open public/index.html)
",
        "",
    );
    let outcome = env.run(&["run"]);
    assert_eq!(
        (outcome.code, outcome.stderr.as_str()),
        (0, ""),
        "{outcome:?}"
    );
    assert!(
        outcome
            .stdout
            .ends_with("build: 12 written, 0 unchanged, 0 removed\n")
    );
    let index = env.read("public/index.html");
    assert!(index.contains("Welcome to the podcast"));
    assert!(index.contains("How this site works"));
}

#[test]
fn init_refuses_an_existing_site() {
    let env = TestEnv::site();
    let before = env.read("omroep.toml");
    let outcome = env.run(&["init", "."]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .ends_with("already holds a site (omroep.toml or feeds/); choose an empty folder\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(env.read("omroep.toml"), before);
}
