//! The registry of rule families: every family's rules (for `--explain`, the docs and
//! SARIF) and its check, run in this order on every document.
//!
//! A family is one file, `rules/<family>.rs`, with `pub const RULES: &[Rule]` and
//! `pub fn check(doc: &Document, cx: &mut Checker)`; adding one is one `mod` line and one
//! [`FAMILIES`] line here.

pub mod apple;
pub mod atom;
pub mod content;
pub mod dates;
pub mod identity;
pub mod json;
pub mod podcasting;
pub mod rfc5005;
pub mod rss;
pub mod xml;

use super::{Checker, Document, Rule};

/// One family of rules.
pub struct Family {
    /// The id prefix of its rules (`rss` for `rss/guid-unique`).
    pub name: &'static str,
    pub rules: &'static [Rule],
    pub check: fn(&Document, &mut Checker),
}

/// Every family, in the order they run (and are listed in the docs).
pub const FAMILIES: &[Family] = &[
    Family {
        name: "xml",
        rules: xml::RULES,
        check: xml::check,
    },
    Family {
        name: "rss",
        rules: rss::RULES,
        check: rss::check,
    },
    Family {
        name: "atom",
        rules: atom::RULES,
        check: atom::check,
    },
    Family {
        name: "json",
        rules: json::RULES,
        check: json::check,
    },
    Family {
        name: "rfc5005",
        rules: rfc5005::RULES,
        check: rfc5005::check,
    },
    Family {
        name: "content",
        rules: content::RULES,
        check: content::check,
    },
    Family {
        name: "identity",
        rules: identity::RULES,
        check: identity::check,
    },
    Family {
        name: "apple",
        rules: apple::RULES,
        check: apple::check,
    },
    Family {
        name: "p20",
        rules: podcasting::RULES,
        check: podcasting::check,
    },
    Family {
        name: "online",
        rules: super::online::RULES,
        check: super::online::check,
    },
];

/// Every rule of every family.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    FAMILIES.iter().flat_map(|family| family.rules.iter())
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_carry_their_family_prefix() {
        let mut seen = HashSet::new();
        for family in FAMILIES {
            for rule in family.rules {
                assert!(seen.insert(rule.id), "{} listed twice", rule.id);
                let (prefix, name) = rule.id.split_once('/').expect("family/name");
                assert_eq!(prefix, family.name, "{}", rule.id);
                assert!(
                    !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "{}: ids are lowercase words joined by `-`",
                    rule.id
                );
                assert!(
                    !rule.summary.is_empty() && !rule.explain.is_empty(),
                    "{}",
                    rule.id
                );
                assert!(
                    rule.reference.contains("http"),
                    "{}: reference without a URL",
                    rule.id
                );
            }
        }
        assert!(find("xml/well-formed").is_some());
        assert!(find("xml/nonexistent").is_none());
    }

    /// Every rule is named in the tests of its family's file, or in the integration
    /// tests (the `online/…` rules need the test server of `tests/`), or has a fixture
    /// `fixtures/validate/<family>/<rule>.xml` that the family's tests walk: each has a
    /// document that breaks it (the tests themselves assert that it fires, and that clean
    /// ones do not).
    #[test]
    fn every_rule_has_a_test_in_its_family() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("src/validate/rules");
        let integration: String = ["tests/cases/validate_online.rs", "tests/cli/validate.rs"]
            .iter()
            .filter_map(|path| std::fs::read_to_string(root.join(path)).ok())
            .collect();
        for family in FAMILIES {
            let file = match family.name {
                "p20" => dir.join("podcasting.rs"),
                "online" => root.join("src/validate/online.rs"),
                name => dir.join(format!("{name}.rs")),
            };
            let source = std::fs::read_to_string(&file).expect("the family's file");
            let tests = source
                .split_once("#[cfg(test)]")
                .map(|(_, tests)| tests)
                .unwrap_or_else(|| panic!("{} has no tests", file.display()));
            for rule in family.rules {
                let quoted = format!("\"{}\"", rule.id);
                let name = rule.id.split_once('/').map_or(rule.id, |(_, name)| name);
                let fixture = root
                    .join("fixtures/validate")
                    .join(family.name)
                    .join(format!("{name}.xml"));
                assert!(
                    tests.contains(&quoted) || integration.contains(&quoted) || fixture.is_file(),
                    "{}: no test names {}",
                    file.display(),
                    rule.id
                );
            }
        }
        assert!(find("xml/nonexistent").is_none());
    }
}
