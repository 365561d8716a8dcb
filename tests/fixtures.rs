//! The fixture corpus, walked through the parser.
//!
//! Every sample under `fixtures/feeds/<format>/` and `fixtures/invalid/` is read with
//! `omroep::ingest::feed::parse` (default options, no base URL) and its outcome compared
//! with the file beside it: `NAME.expected.json` holds the `parse --json` object the sample
//! must give (compared as JSON values, so key order does not matter), and
//! `NAME.expected-error.txt` the one-line error a document with nothing recoverable must
//! give. Samples under `fixtures/feeds` must parse, must be detected as the format their
//! folder names, and must be named `<format>_<version>_<source>.<ext>`.
//!
//! `OMROEP_BLESS=1 cargo test --test fixtures` rewrites the expected files from what the
//! parser gives now; `OMROEP_BLESS=<text>` rewrites only the samples whose path contains
//! `<text>`. Blessing never hides a failure: the run still fails on every sample whose
//! expected file changed, so the diff is read before it is committed (see
//! `fixtures/README.md`).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use omroep::ingest::feed::{self, ParseError, ParseOptions};
use omroep::model::Feed;
use serde_json::Value;

const EXPECTED_JSON: &str = ".expected.json";
const EXPECTED_ERROR: &str = ".expected-error.txt";
/// The most differences listed for one sample; the rest are counted.
const MAX_DIFFERENCES: usize = 30;

/// What parsing a sample gave, or must give.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Feed(Value),
    Error(String),
}

/// Which samples `OMROEP_BLESS` asks to rewrite.
enum Bless {
    None,
    All,
    Matching(String),
}

impl Bless {
    fn from_env() -> Bless {
        match std::env::var("OMROEP_BLESS") {
            Ok(value) if value == "1" => Bless::All,
            Ok(value) if !value.trim().is_empty() => Bless::Matching(value),
            _ => Bless::None,
        }
    }

    fn wants(&self, relative: &str) -> bool {
        match self {
            Bless::None => false,
            Bless::All => true,
            Bless::Matching(text) => relative.contains(text.as_str()),
        }
    }
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn is_expected_file(name: &str) -> bool {
    name.ends_with(EXPECTED_JSON) || name.ends_with(EXPECTED_ERROR)
}

/// Every sample under `fixtures/feeds` and `fixtures/invalid`, sorted, and every expected
/// file found there.
fn walk() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut samples = Vec::new();
    let mut expected = Vec::new();
    for folder in ["feeds", "invalid"] {
        let root = fixtures_root().join(folder);
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.unwrap_or_else(|error| panic!("cannot walk {root:?}: {error}"));
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.') || name == "README.md" {
                continue;
            }
            if is_expected_file(&name) {
                expected.push(entry.into_path());
            } else {
                samples.push(entry.into_path());
            }
        }
    }
    (samples, expected)
}

fn relative(path: &Path) -> String {
    path.strip_prefix(fixtures_root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// `dir/NAME.ext` → `dir/NAME<suffix>`: the expected file beside a sample.
fn beside(sample: &Path, suffix: &str) -> PathBuf {
    let name = sample
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name.as_str(),
    };
    sample.with_file_name(format!("{stem}{suffix}"))
}

/// The sample a stray expected file would belong to, by stem.
fn stem_of_expected(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.trim_end_matches(EXPECTED_JSON)
        .trim_end_matches(EXPECTED_ERROR)
        .to_string()
}

fn parse(sample: &Path) -> Result<(Outcome, String), String> {
    let bytes = fs::read(sample).map_err(|error| format!("cannot read the sample: {error}"))?;
    Ok(match feed::parse(&bytes, &ParseOptions::default()) {
        Ok(feed) => {
            let text = serde_json::to_string_pretty(&feed)
                .map_err(|error| format!("the feed does not serialise: {error}"))?;
            let value = serde_json::to_value(&feed)
                .map_err(|error| format!("the feed does not serialise: {error}"))?;
            (Outcome::Feed(value), format!("{text}\n"))
        }
        Err(error) => {
            let message = error.to_string();
            (Outcome::Error(message.clone()), format!("{message}\n"))
        }
    })
}

/// Reads the expected outcome beside a sample; `Ok(None)` when there is none.
fn expected(sample: &Path) -> Result<Option<Outcome>, String> {
    let json = beside(sample, EXPECTED_JSON);
    let error = beside(sample, EXPECTED_ERROR);
    match (json.exists(), error.exists()) {
        (true, true) => Err(format!(
            "both {} and {} exist; keep the one that is right",
            relative(&json),
            relative(&error)
        )),
        (false, false) => Ok(None),
        (true, false) => {
            let text = fs::read_to_string(&json)
                .map_err(|e| format!("cannot read {}: {e}", relative(&json)))?;
            // The expected file must itself be a valid contract object: a misspelt key in a
            // hand-written file would otherwise only ever show up as a difference.
            serde_json::from_str::<Feed>(&text).map_err(|e| {
                format!(
                    "{} is not a valid parse --json object: {e}",
                    relative(&json)
                )
            })?;
            let value = serde_json::from_str::<Value>(&text)
                .map_err(|e| format!("{} is not JSON: {e}", relative(&json)))?;
            Ok(Some(Outcome::Feed(value)))
        }
        (false, true) => {
            let text = fs::read_to_string(&error)
                .map_err(|e| format!("cannot read {}: {e}", relative(&error)))?;
            let line = text.trim_end_matches(['\n', '\r']);
            if line.is_empty() || line.contains('\n') {
                return Err(format!(
                    "{} must hold exactly one line, the error",
                    relative(&error)
                ));
            }
            Ok(Some(Outcome::Error(line.to_string())))
        }
    }
}

/// Writes the parser's outcome as the expected file, removing one of the other kind.
fn bless(sample: &Path, outcome: &Outcome, text: &str) -> Result<(), String> {
    let (keep, remove) = match outcome {
        Outcome::Feed(_) => (EXPECTED_JSON, EXPECTED_ERROR),
        Outcome::Error(_) => (EXPECTED_ERROR, EXPECTED_JSON),
    };
    let keep = beside(sample, keep);
    let remove = beside(sample, remove);
    fs::write(&keep, text).map_err(|e| format!("cannot write {}: {e}", relative(&keep)))?;
    if remove.exists() {
        fs::remove_file(&remove)
            .map_err(|e| format!("cannot remove {}: {e}", relative(&remove)))?;
    }
    Ok(())
}

/// Rules that hold for every sample in `fixtures/feeds/<format>/`, whatever is expected.
fn check_feed_sample(relative: &str, outcome: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    let parts: Vec<&str> = relative.split('/').collect();
    let [_, folder, name] = parts.as_slice() else {
        return vec![format!(
            "samples live in fixtures/feeds/<format>/, not at {relative}"
        )];
    };
    // `rss2.0` → `rss_2.0`, `rss0.9x` → `rss_0.9`, `jsonfeed1.1` → `jsonfeed_1.1`.
    let digit = folder.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let prefix = format!(
        "{}_{}",
        &folder[..digit],
        folder[digit..].trim_end_matches('x')
    );
    let name_ok = name.starts_with(&prefix) && name.split('_').count() >= 3;
    if !name_ok {
        problems.push(format!(
            "file name should be <format>_<version>_<source>.<ext> starting with {prefix}"
        ));
    }
    match outcome {
        Outcome::Feed(value) => {
            let format = value.get("format").and_then(Value::as_str).unwrap_or("");
            if format != *folder {
                problems.push(format!(
                    "detected as format {format:?}, but it lives in fixtures/feeds/{folder}/"
                ));
            }
        }
        Outcome::Error(message) => {
            problems.push(format!("a platform sample must parse, but got: {message}"));
        }
    }
    problems
}

/// Lists where two JSON values differ, one line per difference, paths like
/// `entries[2].podcast.duration_seconds`.
fn differences(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, want_value) in want {
                let child = join(path, key);
                match got.get(key) {
                    Some(got_value) => differences(&child, want_value, got_value, out),
                    None => out.push(format!("{child}: missing, expected {}", show(want_value))),
                }
            }
            for (key, got_value) in got {
                if !want.contains_key(key) {
                    out.push(format!(
                        "{}: unexpected, got {}",
                        join(path, key),
                        show(got_value)
                    ));
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            for (index, (want_item, got_item)) in want.iter().zip(got).enumerate() {
                differences(&format!("{path}[{index}]"), want_item, got_item, out);
            }
            for (index, want_item) in want.iter().enumerate().skip(got.len()) {
                out.push(format!(
                    "{path}[{index}]: missing, expected {}",
                    show(want_item)
                ));
            }
            for (index, got_item) in got.iter().enumerate().skip(want.len()) {
                out.push(format!(
                    "{path}[{index}]: unexpected, got {}",
                    show(got_item)
                ));
            }
        }
        _ if expected != actual => out.push(format!(
            "{}: expected {}, got {}",
            if path.is_empty() { "(root)" } else { path },
            show(expected),
            show(actual)
        )),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value as it appears in a difference line: compact JSON, long values shortened,
/// invisible characters spelt out (a no-break space must not look like a space).
fn show(value: &Value) -> String {
    let text = visible(&value.to_string());
    if text.chars().count() <= 160 {
        return text;
    }
    let head: String = text.chars().take(150).collect();
    format!("{head}… ({} chars)", text.chars().count())
}

/// Invisible and look-alike characters written as `\u{…}`.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            let invisible = (c.is_whitespace() && c != ' ')
                || c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}');
            if invisible {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Feed(_) => "a feed".to_string(),
        Outcome::Error(message) => format!("the error {message:?}"),
    }
}

/// Compares one sample; returns the report lines of what is wrong with it.
fn check(sample: &Path, bless_mode: &Bless) -> Vec<String> {
    let name = relative(sample);
    let (actual, text) = match parse(sample) {
        Ok(parsed) => parsed,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    if name.starts_with("feeds/") {
        problems.extend(check_feed_sample(&name, &actual));
    }
    let wanted = expected(sample);
    if bless_mode.wants(&name) && wanted.as_ref().ok() != Some(&Some(actual.clone())) {
        match bless(sample, &actual, &text) {
            Ok(()) => {
                problems.push("expected file rewritten (OMROEP_BLESS); review the diff".into())
            }
            Err(problem) => problems.push(problem),
        }
        return problems;
    }
    match wanted {
        Err(problem) => problems.push(problem),
        Ok(None) => problems.push(format!(
            "no {EXPECTED_JSON} or {EXPECTED_ERROR} beside it; the parser gives {}",
            describe(&actual)
        )),
        Ok(Some(wanted)) if wanted == actual => {}
        Ok(Some(Outcome::Feed(want))) => match &actual {
            Outcome::Feed(got) => {
                let mut lines = Vec::new();
                differences("", &want, got, &mut lines);
                let total = lines.len();
                problems.extend(lines.into_iter().take(MAX_DIFFERENCES));
                if total > MAX_DIFFERENCES {
                    problems.push(format!("… and {} more", total - MAX_DIFFERENCES));
                }
            }
            Outcome::Error(_) => problems.push(format!(
                "expected a feed, but the parser gives {}",
                describe(&actual)
            )),
        },
        Ok(Some(Outcome::Error(want))) => problems.push(format!(
            "expected the error {want:?}, but the parser gives {}",
            describe(&actual)
        )),
    }
    problems
}

#[test]
fn every_fixture_gives_its_expected_outcome() {
    let bless_mode = Bless::from_env();
    let (samples, expected_files) = walk();
    assert!(
        samples.len() >= 20,
        "the corpus under {:?} has only {} samples; is the folder missing?",
        fixtures_root(),
        samples.len()
    );
    let mut report = String::new();
    let mut failed = 0;
    for sample in &samples {
        let problems = check(sample, &bless_mode);
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "\n{}:", relative(sample));
            for problem in problems {
                let _ = writeln!(report, "  {problem}");
            }
        }
    }
    // An expected file whose sample was renamed or deleted would silently stop being checked.
    for path in &expected_files {
        let stem = stem_of_expected(path);
        let has_sample = samples
            .iter()
            .any(|sample| beside(sample, "") == path.with_file_name(stem.as_str()));
        if !has_sample {
            failed += 1;
            let _ = writeln!(
                report,
                "\n{}:\n  no sample beside it; remove it or restore its sample",
                relative(path)
            );
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} fixtures do not give their expected outcome:\n{report}\n\
         When the parser is right and the expected file is wrong, regenerate with \
         OMROEP_BLESS=1 cargo test --test fixtures (or OMROEP_BLESS=<part of the path>) \
         and review the diff.",
        samples.len()
    );
}

#[test]
fn a_document_over_the_size_limit_is_refused() {
    let sample = fixtures_root().join("feeds/rss2.0/rss_2.0_wordpress.xml");
    let bytes = fs::read(&sample).expect("the WordPress sample is part of the corpus");
    let options = ParseOptions {
        max_bytes: 1024,
        ..ParseOptions::default()
    };
    let error = feed::parse(&bytes, &options).expect_err("a document over the limit must fail");
    assert_eq!(
        error,
        ParseError::TooLarge {
            size: bytes.len(),
            limit: 1024
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "document is {} bytes, over the limit of 1024 bytes; raise --max-bytes if it is really a feed",
            bytes.len()
        )
    );
    // At exactly the limit the document is read.
    let at_limit = ParseOptions {
        max_bytes: bytes.len(),
        ..ParseOptions::default()
    };
    assert!(
        !matches!(
            feed::parse(&bytes, &at_limit),
            Err(ParseError::TooLarge { .. })
        ),
        "a document of exactly max_bytes must not be refused for its size"
    );
}

#[test]
fn the_differences_name_the_path_of_each_change() {
    let want = serde_json::json!({
        "title": "A",
        "entries": [{"id": "1", "podcast": {"duration_seconds": 60}}, {"id": "2"}],
        "language": "nl"
    });
    let got = serde_json::json!({
        "title": "B",
        "entries": [{"id": "1", "podcast": {"duration_seconds": 61}}],
        "generator": "x"
    });
    let mut lines = Vec::new();
    differences("", &want, &got, &mut lines);
    assert_eq!(
        lines,
        vec![
            r#"title: expected "A", got "B""#,
            "entries[0].podcast.duration_seconds: expected 60, got 61",
            r#"entries[1]: missing, expected {"id":"2"}"#,
            r#"language: missing, expected "nl""#,
            r#"generator: unexpected, got "x""#,
        ]
    );
    let mut nbsp = Vec::new();
    differences(
        "",
        &serde_json::json!({"title": "a\u{a0}b"}),
        &serde_json::json!({"title": "a b"}),
        &mut nbsp,
    );
    assert_eq!(nbsp, vec![r#"title: expected "a\u{a0}b", got "a b""#]);
    let mut none = Vec::new();
    differences("", &want, &want.clone(), &mut none);
    assert!(none.is_empty());
}

#[test]
fn feed_samples_must_sit_in_the_folder_of_their_format() {
    let feed = Outcome::Feed(serde_json::json!({"format": "atom1.0"}));
    assert!(check_feed_sample("feeds/atom1.0/atom_1.0_blogger.xml", &feed).is_empty());
    assert!(
        check_feed_sample(
            "feeds/rss0.9x/rss_0.91_netscape.xml",
            &Outcome::Feed(serde_json::json!({"format": "rss0.9x"}))
        )
        .is_empty()
    );
    assert_eq!(
        check_feed_sample("feeds/rss2.0/atom_1.0_blogger.xml", &feed),
        vec![
            "file name should be <format>_<version>_<source>.<ext> starting with rss_2.0",
            r#"detected as format "atom1.0", but it lives in fixtures/feeds/rss2.0/"#,
        ]
    );
    assert_eq!(
        check_feed_sample(
            "feeds/atom1.0/atom_1.0_blogger.xml",
            &Outcome::Error("not valid XML".into())
        ),
        vec!["a platform sample must parse, but got: not valid XML"]
    );
}
