//! The files in `examples/` (crontab, systemd units, GitHub Actions, GitLab CI) are valid
//! where they will be used, and every `omroep …` command in them parses with this
//! binary's own argument definitions.

use std::collections::BTreeMap;
use std::path::Path;

use clap::Parser;
use omroep::cli::Cli;
use serde_json::Value;

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn yaml(name: &str) -> Value {
    serde_saphyr::from_str(&example(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// Splits a shell command line into words: whitespace separates, quotes group.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in {line:?}");
    if started {
        words.push(word);
    }
    words
}

/// Every `omroep …` command in a piece of shell: lines split at `&&`, `||`, `;` and `|`.
fn omroep_commands(shell: &str) -> Vec<Vec<String>> {
    shell
        .lines()
        .flat_map(|line| line.split("&&"))
        .flat_map(|part| part.split("||"))
        .flat_map(|part| part.split(';'))
        .flat_map(|part| part.split('|'))
        .map(words)
        .filter(|words| {
            words
                .first()
                .is_some_and(|first| first == "omroep" || first.ends_with("/omroep"))
        })
        .collect()
}

/// Asserts that each command parses; returns the subcommands used.
fn assert_commands_parse(file: &str, commands: &[Vec<String>]) -> Vec<String> {
    let mut used = Vec::new();
    for command in commands {
        let name = command
            .iter()
            .skip(1)
            .find(|word| !word.starts_with('-'))
            .cloned()
            .unwrap_or_default();
        used.push(name.clone());
        if let Err(error) = Cli::try_parse_from(command) {
            panic!("{file}: {command:?} does not parse:\n{error}");
        }
    }
    used
}

#[test]
fn the_crontab_line_has_five_time_fields_and_a_valid_command() {
    let text = example("crontab");
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let fields: Vec<&str> = lines[0].splitn(6, ' ').collect();
    assert_eq!(fields.len(), 6, "{}", lines[0]);
    assert_eq!(&fields[..5], ["*/30", "*", "*", "*", "*"]);
    let used = assert_commands_parse("crontab", &omroep_commands(fields[5]));
    assert_eq!(used, ["run"]);
}

/// A systemd unit file, read as INI: section → key → values (a key may repeat).
fn unit(name: &str) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut sections: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (number, line) in example(name).lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(section.to_string());
            sections.entry(section.to_string()).or_default();
            continue;
        }
        let section = current
            .clone()
            .unwrap_or_else(|| panic!("{name}:{}: a key before any section", number + 1));
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{name}:{}: not `key=value`: {line}", number + 1));
        sections
            .entry(section)
            .or_default()
            .entry(key.trim().to_string())
            .or_default()
            .push(value.trim().to_string());
    }
    sections
}

#[test]
fn the_systemd_service_and_timer_have_the_keys_they_need() {
    let service = unit("systemd/omroep.service");
    let sections: Vec<&str> = service.keys().map(String::as_str).collect();
    assert_eq!(sections, ["Service", "Unit"]);
    assert!(service["Unit"].contains_key("Description"));
    let run = &service["Service"];
    assert_eq!(run["Type"], ["oneshot"]);
    assert!(run.contains_key("WorkingDirectory"));
    let exec = &run["ExecStart"];
    assert_eq!(exec.len(), 1);
    assert!(
        exec[0].starts_with('/') || exec[0].starts_with("%h/"),
        "an absolute path: {exec:?}"
    );
    let used = assert_commands_parse("omroep.service", &omroep_commands(&exec[0]));
    assert_eq!(used, ["run"]);

    let timer = unit("systemd/omroep.timer");
    let sections: Vec<&str> = timer.keys().map(String::as_str).collect();
    assert_eq!(sections, ["Install", "Timer", "Unit"]);
    assert!(timer["Timer"].contains_key("OnCalendar"));
    assert_eq!(timer["Timer"]["Unit"], ["omroep.service"]);
    assert_eq!(timer["Install"]["WantedBy"], ["timers.target"]);
}

#[test]
fn the_github_workflow_builds_validates_diffs_and_deploys() {
    let workflow = yaml("github-actions.yml");
    assert_eq!(workflow["name"], "omroep");
    for trigger in ["push", "pull_request", "schedule"] {
        assert!(
            workflow["on"].get(trigger).is_some(),
            "on.{trigger}: {workflow}"
        );
    }
    let jobs = workflow["jobs"].as_object().expect("jobs");
    assert_eq!(jobs.keys().collect::<Vec<_>>(), ["build", "deploy"]);
    for job in jobs.values() {
        assert_eq!(job["runs-on"], "ubuntu-latest");
        assert!(
            job["steps"]
                .as_array()
                .is_some_and(|steps| !steps.is_empty())
        );
    }
    let shell: Vec<String> = jobs["build"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["run"].as_str().map(str::to_string))
        .collect();
    let used = assert_commands_parse("github-actions.yml", &omroep_commands(&shell.join("\n")));
    assert_eq!(used, ["run", "validate", "diff"]);
    let uses: Vec<&str> = jobs
        .values()
        .flat_map(|job| job["steps"].as_array().into_iter().flatten())
        .filter_map(|step| step["uses"].as_str())
        .collect();
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-pages-artifact@"))
    );
    assert!(uses.iter().any(|u| u.starts_with("actions/deploy-pages@")));
    assert_eq!(jobs["deploy"]["needs"], "build");
}

#[test]
fn the_gitlab_pipeline_builds_validates_diffs_and_deploys() {
    let pipeline = yaml("gitlab-ci.yml");
    assert_eq!(pipeline["stages"], serde_json::json!(["build", "deploy"]));
    let build = &pipeline["build"];
    assert_eq!(build["stage"], "build");
    let script: Vec<String> = build["script"]
        .as_array()
        .expect("a script list")
        .iter()
        .map(|line| line.as_str().expect("a command").to_string())
        .collect();
    let used = assert_commands_parse("gitlab-ci.yml", &omroep_commands(&script.join("\n")));
    assert_eq!(used, ["run", "validate", "diff"]);
    assert_eq!(build["artifacts"]["paths"], serde_json::json!(["public/"]));
    let pages = &pipeline["pages"];
    assert_eq!(pages["stage"], "deploy");
    assert_eq!(pages["needs"], serde_json::json!(["build"]));
    assert_eq!(pages["artifacts"]["paths"], serde_json::json!(["public/"]));
    assert!(
        pages["rules"][0]["if"]
            .as_str()
            .is_some_and(|rule| rule.contains("CI_DEFAULT_BRANCH"))
    );
}

#[test]
fn the_shell_splitter_used_above_is_right() {
    assert_eq!(
        omroep_commands("cd x && omroep diff --against \"$SITE_URL\" | tee log; omroep -q run"),
        [
            vec!["omroep", "diff", "--against", "$SITE_URL"],
            vec!["omroep", "-q", "run"],
        ]
    );
    assert!(Cli::try_parse_from(["omroep", "no-such-command"]).is_err());
}
