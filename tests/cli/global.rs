//! What every command shares: `-q`, `-v`/`-vv`, `--color` and `NO_COLOR`, `--format
//! json`, `--version`, shell completions and the man page.

use std::process::Command;

use clap::CommandFactory;
use omroep::cli::Cli;

use crate::site_env::{Outcome, TestEnv, assert_outcome};

/// Runs the binary in `dir` with extra environment variables (NO_COLOR removed first).
fn run_with_env(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_omroep"));
    command.args(args).current_dir(dir).env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run omroep");
    Outcome {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// Every subcommand's name, from the clap definitions.
fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|command| command.get_name().to_string())
        .collect()
}

#[test]
fn version_names_the_git_revision() {
    let outcome = TestEnv::empty().run_in(std::path::Path::new("."), &["--version"]);
    let git = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string());
    let revision = match (std::env::var("OMROEP_GIT_REVISION"), git) {
        (Ok(given), _) if !given.trim().is_empty() => given,
        (_, Some(revision)) => revision,
        (_, None) => "unknown".to_string(),
    };
    assert_outcome(
        &outcome,
        0,
        &format!("omroep {} (git {revision})\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    let here = std::path::Path::new(".");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let outcome = TestEnv::empty().run_in(here, &["completions", shell]);
        assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""), "{shell}");
        for name in subcommands() {
            assert!(
                outcome.stdout.contains(&name),
                "{shell} completion lacks {name}"
            );
        }
        assert!(outcome.stdout.contains("color"), "{shell}: global flags");
    }
    let bad = TestEnv::empty().run_in(here, &["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("invalid value 'tcsh'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_man_page_lists_every_subcommand() {
    let outcome = TestEnv::empty().run_in(std::path::Path::new("."), &["man"]);
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    assert!(
        outcome.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "roff"
    );
    assert!(
        outcome.stdout.contains(".TH omroep 1"),
        "{}",
        outcome.stdout
    );
    for name in subcommands() {
        // roff writes a hyphen as `\-`.
        let name = name.replace('-', "\\-");
        assert!(outcome.stdout.contains(&name), "the man page lacks {name}");
    }
}

/// Cron and CI scripts branch on the exit status, so the commands they call document it
/// in their own `--help` (and `-h`), not only in `omroep --help`.
#[test]
fn help_documents_the_exit_status() {
    let here = std::path::Path::new(".");
    let env = TestEnv::empty();
    for args in [
        &["--help"][..],
        &["ingest", "--help"],
        &["run", "--help"],
        &["run", "-h"],
        &["build", "--help"],
    ] {
        let outcome = env.run_in(here, args);
        assert_eq!(outcome.code, 0, "{args:?}: {outcome:?}");
        for line in [
            "Exit status:",
            "  0  everything succeeded",
            "  1  the run finished, but some sources or outputs failed",
            "  2  bad arguments, configuration or store",
            "  3  another run is using the store (ingest, run, build); nothing was done",
        ] {
            assert!(
                outcome.stdout.contains(line),
                "{args:?} lacks `{line}`:\n{}",
                outcome.stdout
            );
        }
    }
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let env = TestEnv::empty();
    std::fs::create_dir_all(env.root()).expect("a folder");
    let missing = "omroep.toml: not found in";
    let red = "omroep: \u{1b}[1;31merror:\u{1b}[0m ";
    for (args, no_color, coloured) in [
        (&["--color", "always", "build"][..], None, true),
        // The command line wins over NO_COLOR, as no-color.org asks.
        (&["--color=always", "build"][..], Some("1"), true),
        (&["--color", "never", "build"][..], None, false),
        // Not a terminal: no colour by default.
        (&["build"][..], None, false),
        (&["build"][..], Some("1"), false),
    ] {
        let vars: Vec<(&str, &str)> = no_color.map(|v| ("NO_COLOR", v)).into_iter().collect();
        let outcome = run_with_env(env.root(), args, &vars);
        assert_eq!(outcome.code, 2, "{args:?}: {outcome:?}");
        assert!(outcome.stderr.contains(missing), "{outcome:?}");
        assert_eq!(
            outcome.stderr.starts_with(red),
            coloured,
            "{args:?}: {outcome:?}"
        );
        assert_eq!(
            outcome.stderr.contains('\u{1b}'),
            coloured,
            "{args:?}: {outcome:?}"
        );
    }
    // clap's own messages follow the flag too.
    let always = run_with_env(
        env.root(),
        &["--color", "always", "frobnicate"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(always.code, 2);
    assert!(always.stderr.contains('\u{1b}'), "{always:?}");
    let never = run_with_env(env.root(), &["--color", "never", "frobnicate"], &[]);
    assert!(
        !never.stderr.contains('\u{1b}') && never.stderr.contains("frobnicate"),
        "{never:?}"
    );
}

#[test]
fn diff_colours_its_markers_only_when_asked() {
    let env = TestEnv::site();
    let plain = env.run(&["diff", "--feed", "podcast"]);
    assert!(plain.stdout.starts_with("== podcast "), "{plain:?}");
    let coloured = env.run(&["--color", "always", "diff", "--feed", "podcast"]);
    assert!(
        coloured.stdout.starts_with("\u{1b}[1m==\u{1b}[0m podcast ")
            && coloured
                .stdout
                .contains("\n\u{1b}[32m+\u{1b}[0m \"Welcome to the podcast\""),
        "{coloured:?}"
    );
}

#[test]
fn every_site_command_honours_quiet_and_very_verbose() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    let debug = "omroep: debug: omroep.toml: 2 feeds, output folder public\n";
    for command in [
        &["build"][..],
        &["run"][..],
        &["ingest"][..],
        &["sources"][..],
        &["diff"][..],
        &["build", "--check"][..],
    ] {
        let quiet: Vec<&str> = command.iter().copied().chain(["-q"]).collect();
        let outcome = env.run(&quiet);
        assert_eq!(outcome.code, 0, "{quiet:?}: {outcome:?}");
        assert_eq!(outcome.stderr, "", "{quiet:?} prints errors only");
        let verbose: Vec<&str> = command.iter().copied().chain(["-vv"]).collect();
        let outcome = env.run(&verbose);
        assert_eq!(outcome.code, 0, "{verbose:?}: {outcome:?}");
        assert!(
            outcome.stderr.starts_with(debug),
            "{verbose:?}: {outcome:?}"
        );
    }
    // The reports that are a command's whole purpose still print with -q; the progress
    // reports of build, run and ingest do not.
    for command in [
        &["build", "-q"][..],
        &["run", "-q"][..],
        &["ingest", "-q"][..],
    ] {
        assert_outcome(&env.run(command), 0, "", "");
    }
    assert!(env.run(&["diff", "-q"]).stdout.ends_with("2 unchanged\n"));
    assert_outcome(&env.run(&["init", "-q", "another"]), 0, "", "");
    let parsed = env.run(&["parse", "-q", "public/blog/rss.xml"]);
    assert!(
        parsed.stdout.starts_with("format:   rss2.0\n") && parsed.stderr.is_empty(),
        "{parsed:?}"
    );
    // A warning names its file, and -q silences it.
    env.write(
        "content/posts/broken-date.md",
        "---\ntitle: Odd\ndate: someday\n---\n\nx\n",
    );
    let warned = env.run(&["build"]);
    assert!(
        warned.stderr.contains("content/posts/broken-date.md"),
        "{warned:?}"
    );
    let quiet = env.run(&["build", "-q"]);
    assert!(!quiet.stderr.contains("warning"), "{quiet:?}");
}

#[test]
fn every_reporting_command_speaks_json() {
    let env = TestEnv::empty();
    let parent = env.root().parent().expect("a parent").to_path_buf();
    let init = env.run_in(&parent, &["init", "site", "--format", "json"]);
    assert_eq!(init.code, 0, "{init:?}");
    let json: serde_json::Value = serde_json::from_str(&init.stdout).expect("init JSON");
    assert!(
        json["created"]
            .as_array()
            .expect("created")
            .iter()
            .any(|path| path == "site/omroep.toml"),
        "{json}"
    );
    for command in [
        &["build", "--format", "json"][..],
        &["run", "--format", "json"][..],
        &["ingest", "--format", "json"][..],
        &["ingest", "--json"][..],
        &["sources", "--format", "json"][..],
        &["sources", "--json"][..],
        &["diff", "--format", "json"][..],
        &[
            "move-feed",
            "https://new.example/show.xml",
            "--format",
            "json",
        ][..],
    ] {
        let outcome = env.run(command);
        assert_eq!(outcome.code, 0, "{command:?}: {outcome:?}");
        let json: serde_json::Value = serde_json::from_str(&outcome.stdout)
            .unwrap_or_else(|error| panic!("{command:?}: {error}: {}", outcome.stdout));
        let keys: Vec<&str> = match &json {
            serde_json::Value::Object(map) => map.keys().map(String::as_str).collect(),
            serde_json::Value::Array(_) => vec!["(list)"],
            _ => vec![],
        };
        let expected: &[&str] = match command[0] {
            "build" => &[
                "check",
                "output",
                "changed",
                "totals",
                "files",
                "ledger",
                "failed_feeds",
                "errors",
                "warnings",
            ],
            "run" => &["ingest", "build"],
            "ingest" => &["totals", "sources"],
            "sources" => &["(list)"],
            "diff" => &["against", "differences", "totals", "feeds"],
            _ => &["feed", "from", "to", "recorded", "redirects"],
        };
        assert_eq!(keys, expected, "{command:?}");
    }
    let build: serde_json::Value =
        serde_json::from_str(&env.run(&["build", "--format", "json"]).stdout).expect("JSON");
    assert_eq!(
        build["totals"]["written"], 1,
        "the podcast feed, now moved: {build}"
    );
    assert_eq!(
        build["files"][0],
        serde_json::json!({"path": "atom.xml", "change": "unchanged"})
    );
    let parsed = env.run(&["parse", "public/blog/rss.xml", "--format", "json"]);
    let feed: serde_json::Value = serde_json::from_str(&parsed.stdout).expect("parse JSON");
    assert_eq!(feed["title"], "My blog");
}
