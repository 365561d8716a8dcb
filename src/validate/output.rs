//! Findings as the user reads them: text grouped by target then entry (coloured on a
//! terminal), one JSON document, or SARIF 2.1.0 for CI annotations. Every format carries
//! the rule id, severity, target, entry, line, message and the rule's reference.
//!
//! Untrusted values (messages quote the feed) are cleaned of terminal controls in the
//! text format; JSON and SARIF escape them as JSON does.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Finding, Rule, Severity, rules};
use crate::report::clean;

/// A summary of a run: counts per severity and how many targets were checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    pub targets: usize,
}

impl Counts {
    pub fn of(findings: &[Finding], targets: usize) -> Counts {
        let mut counts = Counts {
            targets,
            ..Counts::default()
        };
        for finding in findings {
            match finding.severity() {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.info += 1,
            }
        }
        counts
    }
}

/// Writes findings as text: a heading per target, findings without an entry first, then
/// one sub-heading per entry; a summary line at the end.
pub fn text(
    out: &mut impl Write,
    findings: &[Finding],
    targets: &[String],
    color: bool,
) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    for target in targets {
        let mine: Vec<&Finding> = findings.iter().filter(|f| &f.target == target).collect();
        if mine.is_empty() {
            continue;
        }
        writeln!(out, "{}", paint("1", &clean(target)))?;
        let mut entries: Vec<Option<&str>> = Vec::new();
        for finding in &mine {
            if !entries.contains(&finding.entry.as_deref()) {
                entries.push(finding.entry.as_deref());
            }
        }
        // Feed-level findings first, then entries in the order they were first met.
        entries.sort_by_key(|entry| entry.is_some());
        for entry in entries {
            let indent = match entry {
                Some(entry) => {
                    writeln!(out, "  entry {}", paint("1", &clean(entry)))?;
                    "    "
                }
                None => "  ",
            };
            for finding in mine.iter().filter(|f| f.entry.as_deref() == entry) {
                let severity = finding.severity();
                let code = match severity {
                    Severity::Error => "31",
                    Severity::Warning => "33",
                    Severity::Info => "36",
                };
                let line = finding
                    .line
                    .map(|line| format!("line {line}: "))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{indent}{} {}: {line}{}",
                    paint(code, &format!("{:<7}", severity.as_str())),
                    finding.rule.id,
                    clean(&finding.message)
                )?;
            }
        }
    }
    let counts = Counts::of(findings, targets.len());
    writeln!(
        out,
        "{} {} checked: {} {}, {} {}, {} info",
        counts.targets,
        plural(counts.targets, "target", "targets"),
        counts.errors,
        plural(counts.errors, "error", "errors"),
        counts.warnings,
        plural(counts.warnings, "warning", "warnings"),
        counts.info,
    )?;
    if !findings.is_empty() {
        writeln!(out, "explain a rule: omroep validate --explain RULE")?;
    }
    Ok(())
}

/// The findings as one JSON object: `findings` (each with its rule's reference) and
/// `summary`.
pub fn json(findings: &[Finding], targets: &[String]) -> Value {
    let counts = Counts::of(findings, targets.len());
    json!({
        "findings": findings.iter().map(|finding| json!({
            "rule": finding.rule.id,
            "severity": finding.severity(),
            "target": finding.target,
            "entry": finding.entry,
            "line": finding.line,
            "message": finding.message,
            "reference": finding.rule.reference,
        })).collect::<Vec<_>>(),
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "info": counts.info,
            "targets": counts.targets,
        },
    })
}

/// The findings as a SARIF 2.1.0 log: every rule in `tool.driver.rules`, one result per
/// finding with its location (the target as artifact, the line as region).
pub fn sarif(findings: &[Finding]) -> Value {
    let all: Vec<&'static Rule> = rules::all().collect();
    let rules: Vec<Value> = all
        .iter()
        .map(|rule| {
            let mut value = json!({
                "id": rule.id,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.explain},
                "help": {"text": format!("{}\n\nReference: {}", rule.explain, rule.reference)},
                "defaultConfiguration": {"level": level(rule.severity)},
            });
            if let Some(uri) = first_url(rule.reference) {
                value["helpUri"] = json!(uri);
            }
            value
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let mut location = json!({
                "physicalLocation": {"artifactLocation": {"uri": finding.target}},
            });
            if let Some(line) = finding.line {
                location["physicalLocation"]["region"] = json!({"startLine": line});
            }
            if let Some(entry) = &finding.entry {
                location["logicalLocations"] = json!([{"name": entry, "kind": "object"}]);
            }
            let index = all.iter().position(|rule| rule.id == finding.rule.id);
            json!({
                "ruleId": finding.rule.id,
                "ruleIndex": index,
                "level": level(finding.severity()),
                "message": {"text": finding.message},
                "locations": [location],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "omroep",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// `--explain`: the rule's full text.
pub fn explain(out: &mut impl Write, rule: &Rule) -> io::Result<()> {
    writeln!(out, "{} ({})", rule.id, rule.severity.as_str())?;
    writeln!(out, "{}", rule.summary)?;
    writeln!(out)?;
    writeln!(out, "{}", rule.explain)?;
    writeln!(out)?;
    writeln!(out, "Reference: {}", rule.reference)
}

/// The rule list of `docs/validate.md`: one table per family (id, severity, what it
/// asks for, reference), generated from the registry so the docs cannot drift.
pub fn rules_markdown() -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    for family in rules::FAMILIES {
        out.push_str(&format!("\n### `{}/…`\n\n", family.name));
        out.push_str("| Rule | Severity | Checks | Reference |\n|---|---|---|---|\n");
        for rule in family.rules {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                rule.id,
                rule.severity.as_str(),
                cell(rule.summary),
                cell(rule.reference)
            ));
        }
    }
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn first_url(text: &str) -> Option<&str> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ';' || c == ')')
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches(['.', ',']))
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::{rss, xml};

    fn findings() -> Vec<Finding> {
        let finding = |rule, entry: Option<&str>, line, message: &str| Finding {
            rule,
            target: "feed.xml".into(),
            entry: entry.map(str::to_string),
            line,
            message: message.into(),
        };
        vec![
            finding(
                &rss::GUID_UNIQUE,
                Some("ep-1"),
                Some(9),
                "guid \"ep-1\" twice",
            ),
            finding(&xml::NAMESPACE_LEGACY, None, Some(2), "old URI\u{1b}[2J"),
            finding(&rss::DATE_FORMAT, Some("ep-1"), None, "bad date"),
        ]
    }

    #[test]
    fn text_groups_by_target_then_entry_and_cleans_controls() {
        let mut out = Vec::new();
        text(
            &mut out,
            &findings(),
            &["feed.xml".into(), "other.xml".into()],
            false,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "feed.xml\n\
             \x20 warning xml/namespace-legacy: line 2: old URI\\u{1b}[2J\n\
             \x20 entry ep-1\n\
             \x20   error   rss/guid-unique: line 9: guid \"ep-1\" twice\n\
             \x20   error   rss/date-format: bad date\n\
             2 targets checked: 2 errors, 1 warning, 0 info\n\
             explain a rule: omroep validate --explain RULE\n"
        );
        let mut coloured = Vec::new();
        text(&mut coloured, &findings(), &["feed.xml".into()], true).unwrap();
        assert!(
            String::from_utf8(coloured)
                .unwrap()
                .contains("\x1b[31merror  \x1b[0m")
        );
    }

    #[test]
    fn sarif_lists_rules_and_locates_results() {
        let log = sarif(&findings());
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rules::all().count());
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "rss/guid-unique");
        assert_eq!(result["level"], "error");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], "rss/guid-unique");
        assert!(
            rules[index]["helpUri"]
                .as_str()
                .unwrap()
                .starts_with("https://www.rssboard.org/")
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            9
        );
        assert_eq!(run["results"][1]["level"], "warning");
        assert!(
            run["results"][2]["locations"][0]["physicalLocation"]
                .get("region")
                .is_none()
        );
    }

    /// docs/validate.md lists every rule of the registry, as generated; re-generate with
    /// `OMROEP_BLESS=1 cargo test --lib docs_list_every_rule` and review the diff.
    #[test]
    fn docs_list_every_rule() {
        const START: &str = "<!-- rules: generated from the registry, do not edit -->\n";
        const END: &str = "<!-- rules: end -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validate.md");
        let doc = std::fs::read_to_string(&path).expect("docs/validate.md");
        let start = doc.find(START).expect("the start marker") + START.len();
        let end = doc.find(END).expect("the end marker");
        let generated = rules_markdown();
        if std::env::var_os("OMROEP_BLESS").is_some() {
            let updated = format!("{}{generated}\n{}", &doc[..start], &doc[end..]);
            std::fs::write(&path, updated).expect("write docs/validate.md");
            return;
        }
        assert!(
            doc[start..end].trim() == generated.trim(),
            "docs/validate.md is out of date: run OMROEP_BLESS=1 cargo test --lib docs_list_every_rule"
        );
        for rule in rules::all() {
            assert!(doc.contains(&format!("`{}`", rule.id)), "{}", rule.id);
        }
    }

    #[test]
    fn json_carries_reference_and_summary() {
        let value = json(&findings(), &["feed.xml".into()]);
        assert_eq!(value["findings"][0]["rule"], "rss/guid-unique");
        assert_eq!(value["findings"][0]["severity"], "error");
        assert!(
            value["findings"][0]["reference"]
                .as_str()
                .unwrap()
                .contains("rssboard")
        );
        assert_eq!(value["summary"]["errors"], 2);
        assert_eq!(value["summary"]["warnings"], 1);
    }
}
