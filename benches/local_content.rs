//! Local content ingest speed: 1,000 Markdown posts and 200 Markdown episodes (each with
//! its own copy of a fixture audio file) generated in a temporary site, collected twice:
//!
//! 1. a first run with an empty file cache (every file read, every audio file measured);
//! 2. a second run with nothing changed, in a new session that keeps the first run's
//!    file cache (what the store gives across runs: no unchanged file is read again,
//!    only its metadata is checked).
//!
//! Run with `cargo bench --bench local_content` (optimised) or, on a busy machine,
//! `cargo test --release --bench local_content`/`cargo test --bench local_content`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omroep::ingest::{LocalSettings, MemoryFileCache, Session};

const POSTS: usize = 1000;
const EPISODES: usize = 200;

/// A file cache shared between sessions, as the store will be.
type SharedCache = Arc<Mutex<MemoryFileCache>>;

fn main() {
    let site = tempfile::tempdir().expect("temporary folder");
    let root = site.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    generate(root, &fixtures);

    let mut settings = LocalSettings::new(
        root,
        url::Url::parse("https://bench.example/").expect("url"),
    );
    settings.permalink = "/{lang}/{year}/{slug}/".to_string();
    settings.language = Some("nl".to_string());

    // Each figure is the best of several rounds: the machine may be shared, and the
    // best round is the one least disturbed by other work.
    let mut first = Duration::MAX;
    let mut second = Duration::MAX;
    let mut items = 0;
    for _ in 0..ROUNDS {
        let cache = SharedCache::default();
        let (cold, cold_items) = run(&settings, cache.clone());
        let (warm, warm_items) = run(&settings, cache);
        assert_eq!(
            cold_items,
            POSTS + EPISODES,
            "every generated file is an item"
        );
        assert_eq!(warm_items, cold_items);
        items = cold_items;
        first = first.min(cold);
        second = second.min(warm);
    }

    println!(
        "local content: {POSTS} posts + {EPISODES} episodes ({items} items), best of {ROUNDS}"
    );
    println!("  first run:                   {}", ms(first));
    println!("  second run, nothing changed: {}", ms(second));
    println!(
        "  speed-up: {:.1}x",
        first.as_secs_f64() / second.as_secs_f64()
    );
}

const ROUNDS: usize = 7;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn run(settings: &LocalSettings, cache: SharedCache) -> (Duration, usize) {
    let start = Instant::now();
    let mut session = Session::with_file_cache(settings.clone(), Box::new(cache));
    let posts = session.collect_markdown("posts/**/*.md");
    let episodes = session.collect_markdown("episodes/*.md");
    let elapsed = start.elapsed();
    for problem in posts.problems.iter().chain(&episodes.problems) {
        eprintln!("{problem}");
    }
    (elapsed, posts.items.len() + episodes.items.len())
}

const AUDIO: &[&str] = &[
    "speech-cbr.mp3",
    "speech-vbr-noxing.mp3",
    "speech.m4a",
    "speech.opus",
    "speech-vorbis.ogg",
];

fn generate(root: &Path, fixtures: &Path) {
    for lang in ["nl", "en"] {
        std::fs::create_dir_all(root.join("posts").join(lang)).expect("posts folder");
    }
    std::fs::create_dir_all(root.join("episodes/audio")).expect("episodes folder");
    std::fs::copy(
        fixtures.join("content/artwork.jpg"),
        root.join("episodes/artwork.jpg"),
    )
    .expect("artwork");
    for i in 0..POSTS {
        let lang = if i % 2 == 0 { "nl" } else { "en" };
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let text = if i % 3 == 0 {
            format!(
                "+++\ntitle = \"Post number {i}\"\ndate = 2023-{month:02}-{day:02}T08:00:00Z\ntags = [\"coaching\", \"t{}\"]\nlang = \"{lang}\"\n+++\n",
                i % 17
            )
        } else {
            format!(
                "---\ntitle: Post number {i}\ndate: 2023-{month:02}-{day:02}\ntags: [coaching, t{}]\nlang: {lang}\nauthors: [Anne de Vries]\n---\n",
                i % 17
            )
        };
        let body = format!(
            "{}\n\nFirst paragraph of post {i}, with *emphasis*, a [link](../other/) and a \
             footnote.[^n]\n\n<!-- more -->\n\n## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
             - one\n- two\n- three\n\n{}\n\n[^n]: The note.\n",
            text,
            "Some longer text that goes on for a while to make the body realistic. ".repeat(20)
        );
        std::fs::write(
            root.join("posts")
                .join(lang)
                .join(format!("post-{i:04}.md")),
            body,
        )
        .expect("post");
    }
    for i in 0..EPISODES {
        let audio = AUDIO[i % AUDIO.len()];
        let ext = audio.rsplit('.').next().unwrap_or("mp3");
        let name = format!("ep-{i:03}.{ext}");
        std::fs::copy(
            fixtures.join("audio").join(audio),
            root.join("episodes/audio").join(&name),
        )
        .expect("audio");
        let transcript = if i % 4 == 0 {
            std::fs::write(
                root.join("episodes/audio").join(format!("ep-{i:03}.vtt")),
                "WEBVTT\n\n00:00.000 --> 00:02.000\nHallo.\n\n00:02.000 --> 00:04.000\nDag.\n",
            )
            .expect("transcript");
            format!("transcript: audio/ep-{i:03}.vtt\n")
        } else {
            String::new()
        };
        let text = format!(
            "---\ntitle: Episode {i}\ndate: 2024-01-{:02}T06:00:00Z\naudio: audio/{name}\nseason: 1\nepisode: {}\nimage: artwork.jpg\n{transcript}persons:\n  - name: Anne de Vries\n    role: host\n---\n\nShow notes for episode {i}.\n",
            1 + i % 28,
            i + 1
        );
        std::fs::write(root.join("episodes").join(format!("ep-{i:03}.md")), text).expect("episode");
    }
}
