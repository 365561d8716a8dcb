//! The HTML index in a real browser: Debian's headless Chromium loads the rendered page,
//! and `tests/browser/index-page.cjs` (playwright-core) uses the filter, the search box
//! and the keyboard like a visitor, and runs axe-core's accessibility rules. Screenshots
//! are kept in `target/render-browser/`.
//!
//! Chromium is `$OMROEP_CHROMIUM`, else `/usr/bin/chromium` (Debian package `chromium`);
//! the interaction part also needs `node` and `npm ci --prefix tests/browser`. Whatever is
//! missing makes the test print why and pass, unless `OMROEP_REQUIRE_BROWSER=1` (set in
//! CI), which turns a missing browser into a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::fixture;
use super::index::{html, tests::sample};

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/render-browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("OMROEP_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Passes with a message, or fails when CI demands the browser.
fn skip(why: &str) {
    if std::env::var_os("OMROEP_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
        panic!("browser test cannot run: {why}");
    }
    eprintln!("skipping the browser test of the HTML index: {why}");
}

/// Runs a command with a deadline; a browser that hangs must not hang the test run.
fn run(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the command");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("poll the command").is_some() {
            return child.wait_with_output().expect("collect output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("collect output");
            panic!(
                "{command:?} did not finish in {limit:?}; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The flags for a headless Chromium with a fresh profile that stays off the network.
fn headless(profile: &Path) -> Command {
    let mut command = Command::new(chromium());
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn index_page_works_in_headless_chromium() {
    if !chromium().exists() {
        skip(&format!(
            "{} not found (install Debian's `chromium`, or set OMROEP_CHROMIUM)",
            chromium().display()
        ));
        return;
    }
    let dir = out_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let (blog, podcast) = (fixture::blog(), fixture::podcast());
    let page = dir.join("index.html");
    std::fs::write(&page, html(&sample(&blog, &podcast))).unwrap();
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().unwrap();

    // 1. The DOM after scripts ran: every entry is there, and the script (allowed by the
    // CSP hash) revealed the filter form and counted the entries.
    let dom = run(
        headless(profile.path())
            .arg("--virtual-time-budget=2000")
            .arg("--dump-dom")
            .arg(&url),
        Duration::from_secs(90),
    );
    assert!(dom.status.success(), "chromium --dump-dom failed: {dom:?}");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<li class=\"entry\"").count(), 5, "{dom}");
    assert!(dom.contains("Fish &amp; Chips &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        dom.contains("<form id=\"controls\" class=\"controls\" role=\"search\" aria-label=\"Filter the entries\">"),
        "the inline script did not run (CSP hash wrong?)"
    );
    assert!(dom.contains(">5 entries shown</p>"), "{dom}");

    // 2. A screenshot as a plain visitor sees the page.
    let shot = dir.join("index.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot = run(
        headless(profile.path())
            .arg("--window-size=1024,1400")
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url),
        Duration::from_secs(90),
    );
    assert!(screenshot.status.success(), "{screenshot:?}");
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);

    // 3. Interaction, driven by playwright-core.
    let browser_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !browser_dir.join("node_modules/playwright-core").exists() {
        skip("playwright-core missing: run `npm ci --prefix tests/browser`");
        return;
    }
    let node = run(
        Command::new("node")
            .arg(browser_dir.join("index-page.cjs"))
            .arg(&page)
            .arg(dir.join("index"))
            .env("OMROEP_CHROMIUM", chromium()),
        Duration::from_secs(120),
    );
    assert!(
        node.status.success(),
        "index-page.cjs failed: {}",
        String::from_utf8_lossy(&node.stderr)
    );
    let result: Value = serde_json::from_slice(&node.stdout).expect("the script prints JSON");
    let kinds = |key: &str| -> Vec<String> {
        result[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing: {result}"))
            .iter()
            .map(|entry| entry["kind"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let titles = |key: &str| -> Vec<String> {
        result[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing: {result}"))
            .iter()
            .map(|entry| entry["title"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        result["errors"],
        serde_json::json!([]),
        "console errors or CSP reports"
    );
    assert_eq!(result["no_js"]["entries"], 5);
    assert_eq!(result["no_js"]["controls_shown"], false);
    assert_eq!(result["controls_shown"], true);
    // Newest first, as rendered.
    assert_eq!(
        titles("all"),
        [
            "Episode 2: Feeds & <Formats>",
            "Fish & Chips <script>alert(1)</script>",
            "Trailer",
            "Schrikkeldag",
            "Undated draft"
        ]
    );
    assert_eq!(result["count_all"], "5 entries shown");
    assert_eq!(kinds("episodes"), ["episode", "episode"]);
    assert_eq!(result["count_episodes"], "2 entries shown");
    assert_eq!(kinds("posts"), ["post", "post", "post"]);
    assert_eq!(titles("search_one"), ["Schrikkeldag"]);
    assert_eq!(titles("search_words"), ["Episode 2: Feeds & <Formats>"]);
    assert_eq!(result["search_and_filter"], serde_json::json!([]));
    assert_eq!(result["first_focus"]["text"], "Skip to the entries");
    assert_eq!(result["first_focus"]["on_screen"], true);
    assert_eq!(result["first_focus"]["outline"], "solid");
    assert_eq!(result["after_skip"], "main");
    assert_eq!(
        result["mobile_overflow"], false,
        "page scrolls sideways on a phone"
    );
    for name in ["index-desktop.png", "index-mobile.png"] {
        let png = std::fs::read(dir.join(name)).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}");
    }
}
