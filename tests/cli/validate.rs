//! `omroep validate`: the example site is clean, files and standard input and URLs are
//! checked alone, the three output formats, `--strict`, `--explain`, colour, exit codes,
//! and `build` reporting what the rules find.

use serde_json::Value;

use crate::site_env::{TestEnv, assert_outcome};
use crate::support::{Route, omroep, serve};

/// A feed with one error (a duplicate guid) and one warning (no self link).
const BROKEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Show</title>
    <link>https://show.example/</link>
    <description>A show</description>
    <item><title>Two</title><guid>https://show.example/1</guid></item>
    <item><title>One</title><guid>https://show.example/1</guid></item>
  </channel>
</rss>
"#;

/// The same feed without the error.
fn warning_only() -> String {
    BROKEN.replacen(
        "https://show.example/1</guid></item>\n",
        "https://show.example/2</guid></item>\n",
        1,
    )
}

const OLD_POST: &str = "---\ntitle: Old\ndate: 1970-01-01T00:00:00Z\n---\n\nAn old post.\n";

#[test]
fn the_example_site_has_no_finding() {
    let env = TestEnv::example();
    assert_outcome(
        &env.run(&["validate"]),
        0,
        "10 targets checked: 0 errors, 0 warnings, 0 info\n",
        "",
    );
    let sarif = env.run(&["validate", "--format", "sarif"]);
    assert_eq!(sarif.code, 0, "{sarif:?}");
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
    // Nothing was written: validate renders in memory.
    assert!(!env.path("public").exists());
    assert!(!env.path("omroep.ledger").exists());
}

#[test]
fn a_file_with_an_error_prints_grouped_findings_and_exits_1() {
    let env = TestEnv::empty();
    env.write("feed.xml", BROKEN);
    assert_outcome(
        &env.run(&["validate", "feed.xml"]),
        1,
        "\
feed.xml
  warning rss/self-link: line 3: no <atom:link rel=\"self\">
  entry https://show.example/1
    error   rss/guid-unique: line 8: guid \"https://show.example/1\" is also the guid of the item on line 7
1 target checked: 1 error, 1 warning, 0 info
explain a rule: omroep validate --explain RULE
",
        "",
    );
    let coloured = env.run(&["--color", "always", "validate", "feed.xml"]);
    assert!(
        coloured.stdout.contains("\x1b[31merror  \x1b[0m"),
        "{coloured:?}"
    );
}

#[test]
fn warnings_fail_only_under_strict() {
    let env = TestEnv::empty();
    env.write("feed.xml", &warning_only());
    assert_eq!(env.run(&["validate", "feed.xml"]).code, 0);
    assert_eq!(env.run(&["validate", "--strict", "feed.xml"]).code, 1);
}

#[test]
fn json_output_names_rule_severity_entry_line_and_reference() {
    let env = TestEnv::empty();
    env.write("feed.xml", BROKEN);
    let outcome = env.run(&["validate", "--format", "json", "feed.xml"]);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    let value: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let error = &value["findings"][1];
    assert_eq!(error["rule"], "rss/guid-unique");
    assert_eq!(error["severity"], "error");
    assert_eq!(error["target"], "feed.xml");
    assert_eq!(error["entry"], "https://show.example/1");
    assert_eq!(error["line"], 8);
    assert!(
        error["reference"]
            .as_str()
            .unwrap()
            .starts_with("RSS 2.0 Specification")
    );
    assert_eq!(value["summary"]["errors"], 1);
    assert_eq!(value["summary"]["warnings"], 1);
}

#[test]
fn sarif_output_has_rules_results_and_locations() {
    let env = TestEnv::empty();
    env.write("feed.xml", BROKEN);
    let outcome = env.run(&["validate", "--format", "sarif", "feed.xml"]);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    let log: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "omroep");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|rule| rule["id"] == "xml/well-formed"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let error = &results[1];
    assert_eq!(error["ruleId"], "rss/guid-unique");
    assert_eq!(error["level"], "error");
    assert_eq!(
        error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "feed.xml"
    );
    assert_eq!(
        error["locations"][0]["physicalLocation"]["region"]["startLine"],
        8
    );
    assert_eq!(
        rules[error["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "rss/guid-unique"
    );
}

#[test]
fn standard_input_and_urls_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = omroep(
        dir.path(),
        &["validate", "-"],
        b"<rss version=\"2.0\"><channel></rss>",
    );
    assert_eq!(outcome.code, 1);
    assert_eq!(
        outcome.stdout,
        "standard input\n  error   xml/well-formed: line 1: not well-formed: </rss> closes <channel>; every element must be closed by its own end tag\n\
         1 target checked: 1 error, 0 warnings, 0 info\nexplain a rule: omroep validate --explain RULE\n"
    );

    let base = serve(vec![Route::ok("/feed.xml", "application/rss+xml", BROKEN)]);
    let url = format!("{base}/feed.xml");
    let outcome = omroep(dir.path(), &["validate", "--format", "json", &url], b"");
    assert_eq!(outcome.code, 1, "{outcome:?}");
    let value: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(value["findings"][1]["target"], url.as_str());
    assert_eq!(value["findings"][1]["rule"], "rss/guid-unique");

    let missing = format!("{base}/missing.xml");
    let outcome = omroep(dir.path(), &["validate", &missing], b"");
    assert_eq!(outcome.code, 1);
    assert!(
        outcome
            .stderr
            .starts_with(&format!("omroep: error: {missing}: ")),
        "{outcome:?}"
    );
}

#[test]
fn explain_prints_the_rule_and_an_unknown_rule_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = omroep(
        dir.path(),
        &["validate", "--explain", "xml/namespace-uri"],
        b"",
    );
    assert_eq!(outcome.code, 0);
    assert!(
        outcome.stdout.starts_with("xml/namespace-uri (error)\n"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("http://www.itunes.com/dtds/podcast-1.0.dtd")
    );
    assert!(outcome.stdout.contains("\nReference: "));
    let unknown = omroep(dir.path(), &["validate", "--explain", "rss/nope"], b"");
    assert_eq!(
        (
            unknown.code,
            unknown.stdout.as_str(),
            unknown.stderr.as_str()
        ),
        (
            2,
            "",
            "omroep: error: no rule `rss/nope`; rule ids look like `rss/guid-unique`, and docs/validate.md lists them all\n"
        )
    );
    let missing = omroep(dir.path(), &["validate", "nothing-here.xml"], b"");
    assert_eq!(missing.code, 1);
}

#[test]
fn a_site_with_an_implausible_date_warns_in_validate_and_build() {
    let env = TestEnv::site();
    env.write("content/posts/old.md", OLD_POST);
    let outcome = env.run(&["validate"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(
        outcome.stdout.contains(
            "public/blog/rss.xml\n  entry https://example.org/1970/old/\n    warning rss/date-implausible: line "
        ),
        "{}",
        outcome.stdout
    );
    assert_eq!(env.run(&["validate", "--strict"]).code, 1);
    let build = env.run(&["build"]);
    assert_eq!(build.code, 0, "{build:?}");
    assert!(
        build
            .stderr
            .contains("omroep: warning: blog/rss.xml: line ")
            && build.stderr.contains("(rss/date-implausible)"),
        "{}",
        build.stderr
    );
}

#[test]
fn identity_changes_are_findings_against_the_ledger() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    env.write(
        "content/episodes/001-welcome.md",
        &env.read("content/episodes/001-welcome.md").replace(
            "title: Welcome to the podcast\n",
            "title: Welcome to the podcast\nguid: urn:example:ep1\n",
        ),
    );
    let outcome = env.run(&["validate", "--format", "json"]);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    let value: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let ids: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"identity/guid-changed"), "{ids:?}");
    // Nothing was written, and build still refuses the change.
    assert_eq!(env.run(&["build"]).code, 1);
}
