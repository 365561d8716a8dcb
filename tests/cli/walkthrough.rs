//! A new user's first hour, end to end: `init`, `run`, `new post`, `diff`, `validate`,
//! `run` again; after that the published site is what a build would write, and valid.

use crate::site_env::{TestEnv, assert_outcome};

#[test]
fn a_new_site_through_new_post_run_diff_and_validate() {
    let env = TestEnv::empty();
    let parent = env.root().parent().expect("a parent").to_path_buf();
    assert_eq!(
        env.root().file_name().and_then(|n| n.to_str()),
        Some("site")
    );
    let init = env.run_in(&parent, &["init", "site"]);
    assert_eq!((init.code, init.stderr.as_str()), (0, ""), "{init:?}");

    // The first run publishes the sample site.
    let run = env.run(&["run"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert!(
        run.stdout.ends_with(
            "updated omroep.ledger (3 new entries)\nbuild: 12 written, 0 unchanged, 0 removed\n"
        ),
        "{run:?}"
    );

    // The next post, written the way the README says.
    let new = env.run(&[
        "new",
        "post",
        "Één ontwikkeling",
        "--date",
        "2026-01-05 09:30",
    ]);
    assert_outcome(
        &new,
        0,
        "content/posts/2026-01-05-een-ontwikkeling.md\n",
        "",
    );
    let file = new.stdout.trim();
    let front = env.read(file);
    env.write(file, &format!("{front}\nEen eerste alinea over groei.\n"));

    // What the pull request's CI job prints: one entry added to the blog, nothing else.
    assert_outcome(
        &env.run(&["diff"]),
        0,
        "\
== blog (public/blog/rss.xml): 1 added
+ \"Één ontwikkeling\" <https://example.org/2026/een-ontwikkeling/>
== podcast (public/podcast/podcast.xml): unchanged
diff: 1 feed changed, 0 new, 1 unchanged
",
        "",
    );
    let json = env.run(&["diff", "--exit-code", "--format", "json"]);
    assert_eq!(json.code, 1, "--exit-code: differences exit 1: {json:?}");
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("diff JSON");
    assert_eq!(report["differences"], true);
    assert_eq!(
        report["feeds"][0]["added"][0]["guid"],
        "https://example.org/2026/een-ontwikkeling/"
    );
    assert_eq!(report["feeds"][0]["removed"], serde_json::json!([]));
    assert_eq!(report["feeds"][0]["identity"], serde_json::json!([]));

    // The site as the next build would write it passes every rule.
    assert_outcome(
        &env.run(&["validate"]),
        0,
        "7 targets checked: 0 errors, 0 warnings, 0 info\n",
        "",
    );

    // Cron (or the merge's CI job) publishes it; only what changed is rewritten.
    let run = env.run(&["run"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert!(
        run.stdout.ends_with(
            "updated omroep.ledger (1 new entry)\nbuild: 7 written, 5 unchanged, 0 removed\n"
        ),
        "{run:?}"
    );
    assert!(!run.stdout.contains("podcast/podcast.xml"), "{run:?}");
    let rss = env.read("public/blog/rss.xml");
    assert!(rss.contains("<title>Één ontwikkeling</title>"), "{rss}");
    assert!(rss.contains("Een eerste alinea over groei."), "{rss}");

    // Published and built now agree, and the published feeds are valid.
    assert_outcome(
        &env.run(&["diff", "--exit-code"]),
        0,
        "\
== blog (public/blog/rss.xml): unchanged
== podcast (public/podcast/podcast.xml): unchanged
diff: 0 feeds changed, 0 new, 2 unchanged
",
        "",
    );
    let validate = env.run(&[
        "validate",
        "--strict",
        "public/blog/rss.xml",
        "public/blog/atom.xml",
        "public/blog/feed.json",
        "public/podcast/podcast.xml",
    ]);
    assert_eq!(validate.code, 0, "{validate:?}");
    assert!(
        validate.stdout.ends_with("0 errors, 0 warnings, 0 info\n"),
        "{validate:?}"
    );
}
