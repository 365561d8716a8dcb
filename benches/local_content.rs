//! Local content ingest speed: 1,000 Markdown posts and 200 Markdown episodes (each with
//! its own copy of a fixture audio file) generated in a temporary site, collected three
//! times:
//!
//! 1. a cold run (every file read, every audio file measured);
//! 2. a second run with nothing changed, in a new session that keeps the first run's
//!    file cache (what the store will give across runs: no unchanged file is read
//!    again, only its metadata is checked);
//! 3. a second run without any cache (what every run costs today).
//!
//! Run with `cargo bench --bench local_content` (optimised) or, on a busy machine,
//! `cargo test --release --bench local_content`/`cargo test --bench local_content`.

use std::path::Path;
use std::time::{Duration, Instant};

use omroep::ingest::audio::AudioInfo;
use omroep::ingest::file_cache::CachedDocument;
use omroep::ingest::{FileCache, FileStamp, LocalSettings, MemoryFileCache, Session};

const POSTS: usize = 1000;
const EPISODES: usize = 200;

/// A file cache shared between sessions, as the store will be.
#[derive(Clone, Default)]
struct SharedCache(std::sync::Arc<std::sync::Mutex<MemoryFileCache>>);

impl FileCache for SharedCache {
    fn audio(&self, path: &Path, stamp: &FileStamp) -> Option<AudioInfo> {
        self.0.lock().ok()?.audio(path, stamp)
    }

    fn put_audio(&mut self, path: &Path, stamp: FileStamp, info: &AudioInfo) {
        if let Ok(mut cache) = self.0.lock() {
            cache.put_audio(path, stamp, info);
        }
    }

    fn document(&self, path: &Path) -> Option<CachedDocument> {
        self.0.lock().ok()?.document(path)
    }

    fn put_document(&mut self, path: &Path, document: CachedDocument) {
        if let Ok(mut cache) = self.0.lock() {
            cache.put_document(path, document);
        }
    }
}

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

    let cache = SharedCache::default();
    let (cold, items) = run(&settings, Some(cache.clone()));
    let (warm, warm_items) = run(&settings, Some(cache));
    let (uncached, _) = run(&settings, None);
    assert_eq!(items, POSTS + EPISODES, "every generated file is an item");
    assert_eq!(warm_items, items);

    println!("local content: {POSTS} posts + {EPISODES} episodes ({items} items)");
    println!("  first run:                        {}", ms(cold));
    println!(
        "  second run, file cache kept:      {} ({:.1}x faster)",
        ms(warm),
        cold.as_secs_f64() / warm.as_secs_f64()
    );
    println!("  second run, no cache:             {}", ms(uncached));
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn run(settings: &LocalSettings, cache: Option<SharedCache>) -> (Duration, usize) {
    let start = Instant::now();
    let mut session = match cache {
        Some(cache) => Session::with_file_cache(settings.clone(), Box::new(cache)),
        None => Session::new(settings.clone()),
    };
    let posts = session.collect_markdown("posts/**/*.md");
    let after_posts = start.elapsed();
    let episodes = session.collect_markdown("episodes/*.md");
    let elapsed = start.elapsed();
    println!(
        "    (posts {}, episodes {})",
        ms(after_posts),
        ms(elapsed - after_posts)
    );
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
