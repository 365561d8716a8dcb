//! The local content source as `omroep build` uses it: the example site's posts and
//! episodes under `fixtures/content`, the broken front matter cases, folders of bare
//! audio files, and remote audio learned from a real HTTP server on 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use omroep::ingest::file_cache::CachedDocument;
use omroep::ingest::{
    CachedAudio, FileCache, FileRead, HeldBack, ItemKind, LocalItem, LocalSettings,
    MemoryFileCache, Session, collect_audio, collect_markdown,
};
use omroep::model::Person;
use url::Url;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn date(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn settings(root: &Path) -> LocalSettings {
    let mut s = LocalSettings::new(root, Url::parse("https://koershouden.example/").unwrap());
    s.media_base_url = Url::parse("https://media.koershouden.example/podcast/").unwrap();
    s.permalink = "/{lang}/{year}/{slug}/".into();
    s.language = Some("nl".into());
    s.author = Some(Person {
        name: Some("Site Author".into()),
        ..Person::default()
    });
    s.now = date("2025-01-01T00:00:00Z");
    s
}

fn by_path<'a>(items: &'a [LocalItem], name: &str) -> &'a LocalItem {
    items
        .iter()
        .find(|i| i.path.to_string_lossy().ends_with(name))
        .unwrap_or_else(|| panic!("no item {name}"))
}

fn messages(problems: &[omroep::ingest::Problem]) -> Vec<String> {
    problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn example_posts_in_both_languages() {
    let root = fixtures().join("content");
    let c = collect_markdown("posts/**/*.md", &settings(&root));
    assert_eq!(messages(&c.problems), Vec::<String>::new());
    assert_eq!(c.items.len(), 8);
    assert_eq!(
        c.held_back,
        vec![
            (
                PathBuf::from("posts/en/2099-01-04-coaching-in-2099.md"),
                HeldBack::Scheduled(date("2099-01-04T09:00:00Z"))
            ),
            (
                PathBuf::from("posts/nl/2024-05-06-teamdynamiek.md"),
                HeldBack::Draft
            ),
        ]
    );
    // Newest first.
    let dates: Vec<_> = c.items.iter().map(|i| i.entry.published).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(c.items.iter().all(|i| i.kind == ItemKind::Post));

    let stilte = by_path(&c.items, "2024-02-12-de-kracht-van-stilte.md");
    let e = &stilte.entry;
    assert_eq!(
        e.link.as_deref(),
        Some("https://koershouden.example/nl/2024/de-kracht-van-stilte/")
    );
    assert_eq!(e.guid, e.link);
    assert_eq!(
        e.id,
        "https://koershouden.example/nl/2024/de-kracht-van-stilte/"
    );
    assert_eq!(e.guid_is_permalink, Some(true));
    assert_eq!(e.published, Some(date("2024-02-12T07:30:00Z")));
    assert_eq!(stilte.language.as_deref(), Some("nl"));
    assert_eq!(stilte.tags, vec!["coaching", "gespreksvoering"]);
    assert_eq!(e.categories[1].term, "gespreksvoering");
    assert_eq!(
        e.authors[0].email.as_deref(),
        Some("anne@koershouden.example")
    );
    // First paragraph as plain text.
    assert_eq!(
        e.summary.as_deref(),
        Some(
            "Wie coacht, wil helpen. Juist daardoor vullen we stiltes te snel op. Toch gebeurt het belangrijkste werk vaak in de seconden nádat iemand is uitgepraat."
        )
    );
    let html = e.content_html.as_deref().unwrap();
    assert!(html.contains("<table>"), "{html}");
    assert!(html.contains("footnote-definition"), "{html}");
    assert!(
        html.contains("<h2 id=\"waarom-we-stilte-ongemakkelijk-vinden\">"),
        "{html}"
    );
    assert!(html.contains("“Wat gebeurde er in die stilte?”"), "{html}");
    assert!(
        html.contains("<img src=\"https://koershouden.example/nl/2024/de-kracht-van-stilte/beeld/stil-water.jpg\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://koershouden.example/nl/2024/goede-vragen/\""));
    assert_eq!(
        e.image.as_ref().unwrap().url,
        "https://koershouden.example/nl/2024/de-kracht-van-stilte/beeld/stil-water.jpg"
    );
    assert_eq!(stilte.assets.len(), 1);
    assert_eq!(
        stilte.assets[0].output,
        "nl/2024/de-kracht-van-stilte/beeld/stil-water.jpg"
    );
    assert_eq!(
        stilte.assets[0].source,
        root.join("posts/nl/beeld/stil-water.jpg")
    );

    // Front matter summary, slug, updated and a single `author`.
    let feedback = by_path(&c.items, "2024-03-04-feedback-geven.md");
    assert_eq!(
        feedback.entry.link.as_deref(),
        Some("https://koershouden.example/nl/2024/feedback-die-landt/")
    );
    assert_eq!(
        feedback.entry.summary.as_deref(),
        Some("Feedback landt beter als je beschrijft wat je zag in plaats van wat je ervan vindt.")
    );
    assert_eq!(feedback.entry.updated, Some(date("2024-03-18T14:15:00Z")));
    assert_eq!(feedback.tags, vec!["leiderschap", "feedback"]);
    let html = feedback.entry.content_html.as_deref().unwrap();
    assert!(
        !html.contains("more"),
        "the marker is not published: {html}"
    );
    assert!(html.contains("<del>Sandwichfeedback</del>"));

    // TOML, a guid kept from an old blog, a canonical URL elsewhere.
    let grenzen = by_path(&c.items, "2024-04-15-grenzen-stellen.md");
    assert_eq!(
        grenzen.entry.id,
        "tag:koershouden.example,2019:blog/grenzen"
    );
    assert_eq!(grenzen.entry.guid_is_permalink, Some(false));
    assert_eq!(
        grenzen.entry.link.as_deref(),
        Some("https://www.linkedin.com/pulse/grenzen-stellen-anne-de-vries")
    );

    // A link post; no authors in the file means the site's author.
    let leestip = by_path(&c.items, "2024-05-27-leestip-mindset.md");
    assert_eq!(
        leestip.entry.link.as_deref(),
        Some("https://example.org/artikelen/groeimindset")
    );
    assert_eq!(
        leestip.entry.guid.as_deref(),
        Some("https://koershouden.example/nl/2024/leestip-mindset/")
    );
    assert_eq!(
        leestip.entry.authors[0].name.as_deref(),
        Some("Site Author")
    );

    // English: `lang` overrides the site language; a shared image keeps its own path.
    let silence = by_path(&c.items, "2024-02-19-the-power-of-silence.md");
    assert_eq!(silence.language.as_deref(), Some("en"));
    assert_eq!(
        silence.entry.link.as_deref(),
        Some("https://koershouden.example/en/2024/the-power-of-silence/")
    );
    assert_eq!(silence.assets[0].output, "posts/nl/beeld/stil-water.jpg");
    let html = silence.entry.content_html.as_deref().unwrap();
    assert!(
        html.contains("href=\"https://koershouden.example/nl/2024/de-kracht-van-stilte/\""),
        "{html}"
    );
    let boundaries = by_path(&c.items, "2024-04-22-setting-boundaries.md");
    assert_eq!(
        boundaries.entry.image.as_ref().unwrap().url,
        "https://koershouden.example/artwork.jpg"
    );
    assert_eq!(
        boundaries.entry.published,
        Some(date("2024-04-22T05:00:00Z"))
    );
}

#[test]
fn a_scheduled_post_is_released_by_the_first_run_after_its_date() {
    let root = fixtures().join("content");
    let mut s = settings(&root);
    s.now = date("2099-01-04T08:59:59Z");
    let before = collect_markdown("posts/en", &s);
    assert_eq!(before.items.len(), 4);
    s.now = date("2099-01-04T09:00:00Z");
    let after = collect_markdown("posts/en", &s);
    assert_eq!(after.items.len(), 5);
    assert_eq!(
        after.items[0].entry.title.as_deref(),
        Some("Coaching in 2099")
    );
    assert!(after.held_back.is_empty());
}

#[test]
fn example_episodes_with_audio_transcripts_and_chapters() {
    let root = fixtures().join("content");
    let c = collect_markdown("episodes/*.md", &settings(&root));
    assert_eq!(messages(&c.problems), Vec::<String>::new());
    assert_eq!(c.items.len(), 3);
    assert!(c.items.iter().all(|i| i.kind == ItemKind::Episode));

    let welkom = by_path(&c.items, "001-welkom.md");
    let e = &welkom.entry;
    assert_eq!(
        e.link.as_deref(),
        Some("https://koershouden.example/nl/2024/welkom/")
    );
    let enclosure = &e.enclosures[0];
    assert_eq!(
        enclosure.url,
        "https://media.koershouden.example/podcast/episodes/audio/001-welkom.mp3"
    );
    assert_eq!(enclosure.mime_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(enclosure.length, Some(39267));
    let p = &e.podcast;
    assert_eq!(p.duration_seconds, Some(5));
    assert_eq!((p.season, p.episode), (Some(1), Some(1)));
    assert_eq!(p.episode_type.as_deref(), Some("trailer"));
    assert_eq!(p.explicit, Some(false));
    assert_eq!(p.transcripts.len(), 1);
    assert_eq!(
        p.transcripts[0].url,
        "https://koershouden.example/nl/2024/welkom/audio/001-welkom.vtt"
    );
    assert_eq!(p.transcripts[0].mime_type.as_deref(), Some("text/vtt"));
    assert_eq!(p.transcripts[0].language.as_deref(), Some("nl"));
    assert_eq!(p.transcripts[0].rel.as_deref(), Some("captions"));
    let chapters = p.chapters.as_ref().unwrap();
    assert_eq!(
        chapters.url,
        "https://koershouden.example/nl/2024/welkom/audio/001-welkom.chapters.json"
    );
    assert_eq!(
        chapters.mime_type.as_deref(),
        Some("application/json+chapters")
    );
    assert_eq!(p.persons[0].name, "Anne de Vries");
    assert_eq!(p.persons[0].role.as_deref(), Some("host"));
    assert_eq!(p.funding[0].url, "https://koershouden.example/steun/");
    assert_eq!(
        e.image.as_ref().unwrap().url,
        "https://koershouden.example/artwork.jpg"
    );
    let outputs: Vec<&str> = welkom.assets.iter().map(|a| a.output.as_str()).collect();
    assert_eq!(
        outputs,
        vec![
            "artwork.jpg",
            "nl/2024/welkom/audio/001-welkom.chapters.json",
            "nl/2024/welkom/audio/001-welkom.vtt",
        ]
    );

    let three = by_path(&c.items, "002-three-questions.md");
    let enclosure = &three.entry.enclosures[0];
    assert_eq!(enclosure.mime_type.as_deref(), Some("audio/x-m4a"));
    assert_eq!(enclosure.length, Some(20972));
    assert_eq!(three.entry.podcast.duration_seconds, Some(4));
    assert_eq!(
        three.entry.podcast.persons[1].group.as_deref(),
        Some("cast")
    );
    assert_eq!(
        three.entry.podcast.transcripts[0].mime_type.as_deref(),
        Some("text/plain")
    );
    assert_eq!(three.entry.podcast.transcripts[0].rel, None);

    // The VBR MP3 without a Xing header: 4.94 s, not lofty's 2.27 s.
    let vragen = by_path(&c.items, "003-goede-vragen.md");
    assert_eq!(vragen.entry.podcast.duration_seconds, Some(5));
    assert_eq!(vragen.entry.enclosures[0].length, Some(66762));
    assert_eq!(
        vragen.entry.podcast.transcripts[0].mime_type.as_deref(),
        Some("application/x-subrip")
    );
    assert_eq!(vragen.entry.podcast.episode_type.as_deref(), Some("bonus"));
}

#[test]
fn broken_files_are_reported_with_file_line_and_field_and_the_rest_still_publish() {
    let root = fixtures().join("content");
    let c = collect_markdown("broken", &settings(&root));
    assert_eq!(
        messages(&c.problems),
        vec![
            "broken/bad-date.md:3: field `date`: expected a date such as `2024-03-05` or `2024-03-05T09:30:00+01:00`, found `5 maart 2024`",
            "broken/bad-toml.md:4: front matter is not valid TOML: string values must be quoted, expected literal string",
            "broken/bad-yaml.md:4: front matter is not valid YAML: unclosed bracket '['",
            "broken/draft-with-mistakes.md:2: field `titel`: unknown field; did you mean `title`?",
            "broken/draft-with-mistakes.md:3: field `date`: expected a date such as `2024-03-05` or `2024-03-05T09:30:00+01:00`, found `volgende week`",
            "broken/episode-bad-attachments.md:5: field `transcript`: `bad-timing.vtt` line 3: expected a timing such as `00:01.000 --> 00:04.500`, found `00:00.000 --> 00:02,400`",
            "broken/episode-bad-attachments.md:6: field `chapters`: `bad-chapters.json` chapter 3 starts at 12 s, not after chapter 2 at 30 s; `startTime`s must ascend",
            "broken/episode-bad-attachments.md:7: field `episode_type`: expected `full`, `trailer` or `bonus`, found `teaser`",
            "broken/episode-missing-audio.md:4: field `audio`: `audio/bestaat-niet.mp3` not found (looked for broken/audio/bestaat-niet.mp3)",
            "broken/episode-outside-site.md:4: field `audio`: `../../../../../etc/passwd` leads outside the site folder",
            "broken/episode-small-art.md:5: field `image`: is 300x200 px, not square; Apple Podcasts wants a square image",
            "broken/episode-small-art.md:5: field `image`: is 300x200 px, smaller than the 1400x1400 px Apple Podcasts requires",
            "broken/no-date.md:1: field `date`: no `date`; add one such as `date: 2024-03-05` (omroep never uses the file's modification time)",
            "broken/no-front-matter.md:1: no front matter; start the file with a `---` (YAML) or `+++` (TOML) line",
            "broken/not-utf8.md:6: not UTF-8 text (byte 44); save the file as UTF-8",
            "broken/typo-field.md:2: field `titel`: unknown field; did you mean `title`?",
            "broken/typo-field.md:4: field `catagories`: unknown field; did you mean `categories`?",
            "broken/unclosed.md:1: front matter opened with `---` on line 1 is never closed; add a `---` line after the last field",
            "broken/wrong-types.md:4: field `tags`: expected a list such as `[coaching, podcast]`, found a table of keys",
            "broken/wrong-types.md:5: field `draft`: expected true or false, found `misschien`",
            "broken/wrong-types.md:6: field `season`: only episodes use this; add `audio` to make this an episode, or remove it",
            "broken/wrong-types.md:7: field `lang`: expected a language tag such as `nl` or `en-GB`, found `12345`",
        ]
    );
    let warnings: Vec<bool> = c.problems.iter().map(|p| p.is_error).collect();
    assert_eq!(
        warnings.iter().filter(|e| !**e).count(),
        7,
        "artwork, typos, the episode field on a post and a draft's mistakes are warnings"
    );
    assert_eq!(
        c.held_back,
        vec![(
            PathBuf::from("broken/draft-with-mistakes.md"),
            HeldBack::Draft
        )]
    );
    // Files with only warnings are published; every other file was skipped.
    let published: Vec<_> = c.items.iter().map(|i| i.path.clone()).collect();
    assert_eq!(
        published,
        vec![
            PathBuf::from("broken/episode-small-art.md"),
            PathBuf::from("broken/typo-field.md"),
        ],
        "same date, so in path order"
    );
}

/// Copies a fixture folder into a fresh site, so tests that write (`.omroep/`) leave the
/// repository alone.
fn site_with(folders: &[(&str, &str)]) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    for (from, to) in folders {
        let from = fixtures().join(from);
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let target = site
                .path()
                .join(to)
                .join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
                // Last changed well before the runs, as a site's files are: a file
                // changed just before a run is hashed by the next one, however alike.
                std::fs::File::options()
                    .write(true)
                    .open(&target)
                    .unwrap()
                    .set_modified(
                        std::time::SystemTime::now() - std::time::Duration::from_secs(3600),
                    )
                    .unwrap();
            }
        }
    }
    site
}

#[test]
fn a_folder_of_bare_audio_files_becomes_episodes_from_their_tags() {
    let site = site_with(&[("audio", "media")]);
    let c = collect_audio("media", &settings(site.path()));
    assert_eq!(messages(&c.problems), Vec::<String>::new());
    let names: Vec<String> = c
        .items
        .iter()
        .map(|i| i.path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec![
            "media/speech-video.mp4",
            "media/speech.flac",
            "media/speech-vorbis.ogg",
            "media/speech.opus",
            "media/speech.m4a",
            "media/speech-vbr-noxing.mp3",
            "media/speech-cbr.mp3",
        ],
        "newest first, and untagged/ is not searched"
    );
    let cbr = by_path(&c.items, "speech-cbr.mp3");
    let e = &cbr.entry;
    assert_eq!(e.title.as_deref(), Some("Welkom bij Koers Houden"));
    assert_eq!(
        e.summary.as_deref(),
        Some("Een korte kennismaking met de podcast.")
    );
    assert_eq!(e.published, Some(date("2024-03-05T00:00:00Z")));
    assert_eq!(e.authors[0].name.as_deref(), Some("Anne de Vries"));
    assert_eq!((e.podcast.episode, e.podcast.season), (Some(1), Some(1)));
    assert_eq!(e.podcast.duration_seconds, Some(5));
    assert_eq!(
        e.id,
        "https://media.koershouden.example/podcast/media/speech-cbr.mp3"
    );
    assert_eq!(e.guid_is_permalink, Some(false));
    assert_eq!(e.enclosures[0].length, Some(39267));

    let opus = by_path(&c.items, "speech.opus");
    assert_eq!(
        opus.entry.enclosures[0].mime_type.as_deref(),
        Some("audio/opus")
    );
    assert_eq!(
        (opus.entry.podcast.episode, opus.entry.podcast.season),
        (Some(4), Some(2))
    );

    // Lossless audio and a video episode are episodes like any other, typed by their bytes.
    let flac = by_path(&c.items, "speech.flac");
    assert_eq!(flac.entry.title.as_deref(), Some("Dezelfde stem (FLAC)"));
    assert_eq!(flac.entry.published, Some(date("2024-04-23T00:00:00Z")));
    assert_eq!(
        flac.entry.enclosures[0].mime_type.as_deref(),
        Some("audio/flac")
    );
    assert_eq!(flac.entry.enclosures[0].length, Some(40938));
    assert_eq!(flac.entry.podcast.duration_seconds, Some(3));
    assert_eq!(
        (flac.entry.podcast.episode, flac.entry.podcast.season),
        (Some(6), Some(2))
    );
    let video = by_path(&c.items, "speech-video.mp4");
    assert_eq!(video.entry.title.as_deref(), Some("A video episode"));
    assert_eq!(
        video.entry.summary.as_deref(),
        Some("The same voice, with a picture.")
    );
    assert_eq!(
        video.entry.enclosures[0].mime_type.as_deref(),
        Some("video/mp4")
    );
    assert_eq!(video.entry.enclosures[0].length, Some(12441));
    assert_eq!(video.entry.podcast.duration_seconds, Some(3));

    // The embedded cover is extracted under .omroep/ and published beside the audio.
    let vbr = by_path(&c.items, "speech-vbr-noxing.mp3");
    assert_eq!(
        vbr.entry.image.as_ref().unwrap().url,
        "https://koershouden.example/media/speech-vbr-noxing.jpg"
    );
    assert_eq!(vbr.assets.len(), 1);
    assert_eq!(vbr.assets[0].output, "media/speech-vbr-noxing.jpg");
    assert!(
        vbr.assets[0]
            .source
            .starts_with(site.path().join(".omroep/covers"))
    );
    assert!(vbr.assets[0].source.is_file());

    let untagged = collect_audio("media/untagged", &settings(site.path()));
    assert!(untagged.items.is_empty());
    assert_eq!(
        messages(&untagged.problems),
        vec![
            "media/untagged/no-tags.mp3: no title tag; add one with a tag editor, or describe the episode in a Markdown file with `audio:`",
            "media/untagged/no-tags.mp3: no date tag; add the publication date (such as 2024-03-05) with a tag editor",
        ]
    );
}

/// A file cache shared by several sessions (as the store is shared by runs) that counts
/// how often audio and Markdown files are really read.
#[derive(Clone, Default)]
struct CountingCache {
    inner: Arc<MemoryFileCache>,
    stored: Arc<Mutex<usize>>,
    documents: Arc<Mutex<Vec<PathBuf>>>,
}

impl FileCache for CountingCache {
    fn audio(&self, path: &Path) -> Option<CachedAudio> {
        self.inner.audio(path)
    }

    fn put_audio(&self, path: &Path, audio: CachedAudio) {
        *self.stored.lock().unwrap() += 1;
        self.inner.put_audio(path, audio);
    }

    fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
        self.inner.document(path)
    }

    fn put_document(&self, path: &Path, document: Arc<CachedDocument>) {
        self.documents.lock().unwrap().push(path.to_path_buf());
        self.inner.put_document(path, document);
    }
}

#[test]
fn unchanged_files_are_not_read_again_and_changed_ones_are() {
    let site = site_with(&[("content/episodes", "episodes"), ("content/posts", "posts")]);
    let cache = CountingCache::default();
    let read = cache.documents.clone();
    let s = settings(site.path());
    let run = |cache: &CountingCache| {
        let mut session = Session::with_file_cache(s.clone(), Box::new(cache.clone()));
        let posts = session.collect_markdown("posts/**/*.md");
        let episodes = session.collect_markdown("episodes");
        (posts, episodes)
    };
    let first = run(&cache);
    assert_eq!(read.lock().unwrap().len(), 13, "10 posts and 3 episodes");
    assert_eq!(*cache.stored.lock().unwrap(), 3);

    read.lock().unwrap().clear();
    let second = run(&cache);
    assert_eq!(second, first);
    assert!(
        read.lock().unwrap().is_empty(),
        "nothing read again: {:?}",
        read.lock().unwrap()
    );
    assert_eq!(*cache.stored.lock().unwrap(), 3);

    // A changed post, a changed transcript and a file that a link could name but that did
    // not exist are each noticed; only the files that depended on them are read.
    std::fs::write(
        site.path()
            .join("posts/en/2024-03-11-feedback-that-lands.md"),
        "---\ntitle: Changed\ndate: 2024-03-11\nlang: en\n---\nNew text.\n",
    )
    .unwrap();
    std::fs::write(
        site.path().join("episodes/audio/001-welkom.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:04.000\nWelkom.\n",
    )
    .unwrap();
    read.lock().unwrap().clear();
    let third = run(&cache);
    let mut again: Vec<String> = read
        .lock()
        .unwrap()
        .iter()
        .map(|p| {
            p.strip_prefix(site.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    again.sort();
    assert_eq!(
        again,
        vec![
            "episodes/001-welkom.md",
            "posts/en/2024-03-11-feedback-that-lands.md"
        ]
    );
    let changed = by_path(&third.0.items, "2024-03-11-feedback-that-lands.md");
    assert_eq!(changed.entry.title.as_deref(), Some("Changed"));

    // Other settings (a new base URL) mean every file is read again.
    read.lock().unwrap().clear();
    let mut moved = s.clone();
    moved.base_url = Url::parse("https://new.example/").unwrap();
    let mut session = Session::with_file_cache(moved, Box::new(cache.clone()));
    let _ = session.collect_markdown("posts/**/*.md");
    assert_eq!(read.lock().unwrap().len(), 10);
}

#[test]
fn a_session_reads_each_audio_file_once_and_asks_the_file_cache_first() {
    let root = fixtures().join("content");
    let cache = CountingCache::default();
    let stored = cache.stored.clone();
    let documents = cache.documents.clone();
    let mut session = Session::with_file_cache(settings(&root), Box::new(cache));
    let first = session.collect_markdown("episodes/*.md");
    let second = session.collect_markdown("episodes");
    assert_eq!(first.items, second.items);
    assert_eq!(
        *stored.lock().unwrap(),
        3,
        "three audio files, each read once"
    );
    assert_eq!(
        documents.lock().unwrap().len(),
        3,
        "three Markdown files, each read once"
    );
    assert_eq!(session.finish(), None);
}

#[test]
fn two_files_with_the_same_url_are_an_error_on_the_second() {
    let site = tempfile::tempdir().unwrap();
    let posts = site.path().join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(
        posts.join("a.md"),
        "---\ntitle: A\ndate: 2024-01-01\nslug: same\n---\nA\n",
    )
    .unwrap();
    std::fs::write(
        posts.join("b.md"),
        "---\ntitle: B\ndate: 2024-02-01\nslug: same\n---\nB\n",
    )
    .unwrap();
    let c = collect_markdown("posts", &settings(site.path()));
    assert_eq!(c.items.len(), 1);
    assert_eq!(c.items[0].path, PathBuf::from("posts/a.md"));
    assert_eq!(
        messages(&c.problems),
        vec![
            "posts/b.md: has the same URL/guid as posts/a.md (https://koershouden.example/nl/2024/same/); give one of them another `slug` or `guid`"
        ]
    );
}

#[test]
fn a_bad_permalink_pattern_or_source_is_one_clear_problem() {
    let root = fixtures().join("content");
    let mut s = settings(&root);
    s.permalink = "/blog/{jaar}/{slug}/".into();
    let c = collect_markdown("posts/**/*.md", &s);
    assert!(c.items.is_empty());
    assert_eq!(
        messages(&c.problems),
        vec![
            "permalink pattern `/blog/{jaar}/{slug}/` uses `{jaar}`; use {year} {month} {day} {slug} {lang}"
        ]
    );
    let c = collect_markdown("postz/**/*.md", &settings(&root));
    assert_eq!(
        messages(&c.problems),
        vec!["`postz/**/*.md` matches nothing: postz does not exist"]
    );
}

/// An HTTP server on 127.0.0.1 that answers HEAD for `/ep.mp3`, refuses HEAD for
/// `/range.m4a` (answering a one-byte range instead), and logs every request.
fn media_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let request = request.trim().to_string();
            seen.lock().unwrap().push(request.clone());
            let response = if request.starts_with("HEAD /ep.mp3 ") {
                "HTTP/1.1 200 OK\r\nContent-Length: 48151623\r\nContent-Type: audio/mpeg\r\nConnection: close\r\n\r\n"
            } else if request.starts_with("GET /range.m4a ") {
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-0/31337\r\nContent-Length: 1\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\nx"
            } else if request.starts_with("HEAD /range.m4a ") {
                "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (base, log)
}

#[test]
fn remote_audio_is_asked_once_remembered_and_asked_again_only_when_told() {
    let (base, log) = media_server();
    let site = tempfile::tempdir().unwrap();
    let dir = site.path().join("episodes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ep.md"),
        format!("---\ntitle: Op afstand\ndate: 2024-01-01\naudio: {base}/ep.mp3\nduration: 1834\n---\nTekst.\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("range.md"),
        format!(
            "---\ntitle: Range\ndate: 2024-01-02\naudio: {base}/range.m4a\nduration: 60\n---\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("given.md"),
        format!("---\ntitle: Gegeven\ndate: 2024-01-03\naudio: {base}/given.mp3\nlength: 1000\ntype: audio/mpeg\nduration: 60\n---\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("gone.md"),
        format!("---\ntitle: Weg\ndate: 2024-01-04\naudio: {base}/gone.mp3\nduration: 60\n---\n"),
    )
    .unwrap();
    let s = settings(site.path());

    let first = collect_markdown("episodes", &s);
    let ep = by_path(&first.items, "ep.md");
    assert_eq!(ep.entry.enclosures[0].length, Some(48_151_623));
    assert_eq!(
        ep.entry.enclosures[0].mime_type.as_deref(),
        Some("audio/mpeg")
    );
    assert_eq!(ep.entry.podcast.duration_seconds, Some(1834));
    let range = by_path(&first.items, "range.md");
    assert_eq!(range.entry.enclosures[0].length, Some(31_337));
    assert_eq!(
        range.entry.enclosures[0].mime_type.as_deref(),
        Some("audio/x-m4a"),
        "octet-stream from the server: the type comes from our table"
    );
    let given = by_path(&first.items, "given.md");
    assert_eq!(given.entry.enclosures[0].length, Some(1000));
    assert_eq!(first.items.len(), 3);
    assert_eq!(first.problems.len(), 1);
    assert!(first.problems[0].is_error);
    assert_eq!(first.problems[0].line, Some(4));
    assert!(
        first.problems[0].to_string().starts_with(&format!(
            "episodes/gone.md:4: field `audio`: cannot learn the length and type of {base}/gone.mp3: "
        )),
        "{}",
        first.problems[0]
    );
    let asked_first = log.lock().unwrap().clone();
    assert!(asked_first.iter().any(|r| r.starts_with("HEAD /ep.mp3")));
    assert!(asked_first.iter().any(|r| r.starts_with("GET /range.m4a")));
    assert!(
        !asked_first.iter().any(|r| r.contains("/given.mp3")),
        "length and type were given"
    );
    assert!(site.path().join(".omroep/remote-media.json").is_file());

    // A new run: answered from .omroep/remote-media.json, no request for known URLs.
    log.lock().unwrap().clear();
    let second = collect_markdown("episodes", &s);
    assert_eq!(second.items, first.items);
    let asked_second = log.lock().unwrap().clone();
    assert!(
        asked_second.iter().all(|r| r.contains("/gone.mp3")),
        "only the failed URL is asked again: {asked_second:?}"
    );

    // Told to refresh: asked again, once per session even for two sources.
    log.lock().unwrap().clear();
    let mut session = Session::new(s.clone()).refresh_remote_media(true);
    let third = session.collect_markdown("episodes");
    let _ = session.collect_markdown("episodes/ep.md");
    assert_eq!(third.items, first.items);
    let asked_third = log.lock().unwrap().clone();
    assert_eq!(
        asked_third
            .iter()
            .filter(|r| r.starts_with("HEAD /ep.mp3"))
            .count(),
        1,
        "{asked_third:?}"
    );
}

#[test]
fn measured_audio_wins_over_a_wrong_duration_but_explicit_length_and_type_win() {
    let site = site_with(&[("audio", "audio")]);
    std::fs::write(
        site.path().join("ep.md"),
        "---\ntitle: Gemeten\ndate: 2024-01-01\naudio: audio/speech-cbr.mp3\nduration: \"1:00\"\nlength: 40000\ntype: audio/mp3\n---\n",
    )
    .unwrap();
    let c = collect_markdown("ep.md", &settings(site.path()));
    let item = &c.items[0];
    assert_eq!(item.entry.podcast.duration_seconds, Some(5));
    assert_eq!(item.entry.enclosures[0].length, Some(40000));
    assert_eq!(
        item.entry.enclosures[0].mime_type.as_deref(),
        Some("audio/mp3")
    );
    assert_eq!(
        item.entry.enclosures[0].url,
        "https://media.koershouden.example/podcast/audio/speech-cbr.mp3"
    );
    assert_eq!(
        messages(&c.problems),
        vec![
            "ep.md:5: field `duration`: says 60 s, but the audio is 5 s long; using 5 s",
            "ep.md:6: field `length`: says 40000 bytes, but the file has 39267 bytes; using 40000 as you asked",
            "ep.md:7: field `type`: says audio/mp3, but the file is audio/mpeg; using audio/mp3 as you asked",
        ]
    );
    assert!(c.problems.iter().all(|p| !p.is_error));
}

#[test]
fn audio_paths_with_spaces_are_percent_encoded_in_the_enclosure_url() {
    let site = site_with(&[("audio", "mijn audio")]);
    std::fs::rename(
        site.path().join("mijn audio/speech.opus"),
        site.path().join("mijn audio/goede vragen #1.opus"),
    )
    .unwrap();
    std::fs::write(
        site.path().join("ep.md"),
        "---\ntitle: Spaties\ndate: 2024-01-01\naudio: \"mijn audio/goede vragen #1.opus\"\n---\n",
    )
    .unwrap();
    let c = collect_markdown("ep.md", &settings(site.path()));
    assert_eq!(messages(&c.problems), Vec::<String>::new());
    assert_eq!(
        c.items[0].entry.enclosures[0].url,
        "https://media.koershouden.example/podcast/mijn%20audio/goede%20vragen%20%231.opus"
    );
}

/// One run as `omroep build` makes it, in a new process: the store opened, its file
/// cache loaded and shared by the session, what was learned saved at the end.
fn run_with_store(
    store: &Path,
    s: &LocalSettings,
) -> (
    omroep::ingest::Collected,
    omroep::ingest::Collected,
    Vec<FileRead>,
) {
    let mut store = omroep::store::Store::open(store).unwrap();
    let files = Arc::new(store.local_files().unwrap());
    let mut session = Session::with_file_cache(s.clone(), Box::new(files.clone()));
    let posts = session.collect_markdown("posts/**/*.md");
    let episodes = session.collect_markdown("episodes");
    store.save_local_files(&files, true).unwrap();
    (posts, episodes, session.reads())
}

/// Each read as `kind path` relative to `root`, sorted.
fn read_names(root: &Path, reads: &[FileRead]) -> Vec<String> {
    let mut names: Vec<String> = reads
        .iter()
        .map(|read| {
            let (kind, path) = match read {
                FileRead::Parsed(path) => ("parsed", path),
                FileRead::Probed(path) => ("probed", path),
                FileRead::Hashed(path) => ("hashed", path),
            };
            let relative = path.strip_prefix(root).unwrap_or(path);
            format!("{kind} {}", relative.to_string_lossy())
        })
        .collect();
    names.sort();
    names
}

/// Gives `path` another mtime, a minute before the one it has: clearly before the next
/// run, whose stamps of files changed just before it would not vouch for their content.
fn touch(path: &Path) {
    let other =
        std::fs::metadata(path).unwrap().modified().unwrap() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(other)
        .unwrap();
}

#[test]
fn the_store_keeps_what_was_read_so_a_new_run_reads_only_what_changed() {
    let site = site_with(&[("content/episodes", "episodes"), ("content/posts", "posts")]);
    let root = site.path();
    let store = root.join(".omroep/store.sqlite");
    let s = settings(root);

    let first = run_with_store(&store, &s);
    let reads = read_names(root, &first.2);
    assert_eq!(
        reads.iter().filter(|r| r.starts_with("parsed ")).count(),
        13,
        "10 posts and 3 episodes: {reads:?}"
    );
    assert_eq!(
        reads.iter().filter(|r| r.starts_with("probed ")).count(),
        3,
        "{reads:?}"
    );

    // A new process, nothing changed: no file is read, the results are the same.
    let second = run_with_store(&store, &s);
    assert_eq!(read_names(root, &second.2), Vec::<String>::new());
    assert_eq!((&second.0, &second.1), (&first.0, &first.1));

    // An edited post is read again, and only it.
    let post = root.join("posts/en/2024-03-11-feedback-that-lands.md");
    std::fs::write(
        &post,
        "---\ntitle: Edited\ndate: 2024-03-11\nlang: en\n---\nNew text.\n",
    )
    .unwrap();
    let third = run_with_store(&store, &s);
    assert_eq!(
        read_names(root, &third.2),
        vec!["parsed posts/en/2024-03-11-feedback-that-lands.md"]
    );
    assert_eq!(
        by_path(&third.0.items, "2024-03-11-feedback-that-lands.md")
            .entry
            .title
            .as_deref(),
        Some("Edited")
    );

    // Touched, same bytes (a git checkout): hashed, not parsed or measured again.
    let audio = std::fs::read_dir(root.join("episodes/audio"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "mp3"))
        .unwrap();
    touch(&post);
    touch(&audio);
    let fourth = run_with_store(&store, &s);
    assert_eq!(
        read_names(root, &fourth.2),
        vec![
            format!(
                "hashed {}",
                audio.strip_prefix(root).unwrap().to_string_lossy()
            ),
            "hashed posts/en/2024-03-11-feedback-that-lands.md".to_string(),
        ]
    );
    assert_eq!((&fourth.0, &fourth.1), (&third.0, &third.1));
    // The fresh stamps were kept: the next run hashes nothing.
    let fifth = run_with_store(&store, &s);
    assert_eq!(read_names(root, &fifth.2), Vec::<String>::new());

    // Same size, other bytes, new mtime: the hash differs, so the post is read again.
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text.replace("Edited", "Edites")).unwrap();
    touch(&post);
    let sixth = run_with_store(&store, &s);
    assert_eq!(
        read_names(root, &sixth.2),
        vec![
            "hashed posts/en/2024-03-11-feedback-that-lands.md",
            "parsed posts/en/2024-03-11-feedback-that-lands.md"
        ]
    );
    assert_eq!(
        by_path(&sixth.0.items, "2024-03-11-feedback-that-lands.md")
            .entry
            .title
            .as_deref(),
        Some("Edites")
    );
}

#[test]
fn two_sources_naming_the_same_files_read_them_once_per_run_with_the_store() {
    let site = site_with(&[("content/posts", "posts")]);
    let root = site.path();
    let store = root.join(".omroep/store.sqlite");
    let s = settings(root);
    // One run: every post, then the English ones again (a second feed of one language).
    let run = || {
        let mut store = omroep::store::Store::open(&store).unwrap();
        let files = Arc::new(store.local_files().unwrap());
        let mut session = Session::with_file_cache(s.clone(), Box::new(files.clone()));
        let all = session.collect_markdown("posts/**/*.md");
        let english = session.collect_markdown("posts/en");
        store.save_local_files(&files, true).unwrap();
        (all, english, read_names(root, &session.reads()))
    };

    let (all, english, reads) = run();
    let parsed = reads.iter().filter(|r| r.starts_with("parsed ")).count();
    assert_eq!(parsed, 10, "each post parsed once: {reads:?}");
    let distinct: std::collections::BTreeSet<_> = reads.iter().collect();
    assert_eq!(distinct.len(), reads.len(), "no file read twice: {reads:?}");
    let in_english = all
        .items
        .iter()
        .filter(|item| item.path.starts_with("posts/en"))
        .count();
    assert!(in_english > 0);
    assert_eq!(english.items.len(), in_english);
    for item in &english.items {
        assert_eq!(by_path(&all.items, &item.path.to_string_lossy()), item);
    }

    // A new process, nothing changed: nothing read, and both sources get the same
    // items as the first run (each decoded for its own source).
    let (again_all, again_english, reads) = run();
    assert_eq!(reads, Vec::<String>::new());
    assert_eq!(again_all.items, all.items);
    assert_eq!(again_english.items, english.items);
    assert_eq!(again_english.held_back, english.held_back);
}

#[test]
fn edited_show_notes_are_read_again_without_measuring_the_unchanged_audio() {
    let site = site_with(&[("content/episodes", "episodes")]);
    let root = site.path();
    std::fs::copy(
        fixtures().join("content/artwork.jpg"),
        root.join("artwork.jpg"),
    )
    .unwrap();
    touch(&root.join("artwork.jpg"));
    let store = root.join(".omroep/store.sqlite");
    let s = settings(root);
    let episodes = |store: &Path| {
        let mut store = omroep::store::Store::open(store).unwrap();
        let files = Arc::new(store.local_files().unwrap());
        let mut session = Session::with_file_cache(s.clone(), Box::new(files.clone()));
        let collected = session.collect_markdown("episodes");
        store.save_local_files(&files, true).unwrap();
        (collected, read_names(root, &session.reads()))
    };
    let (first, reads) = episodes(&store);
    assert_eq!(reads.iter().filter(|r| r.starts_with("probed ")).count(), 3);
    // A run with nothing changed reuses every outcome and never asks for a probe.
    assert_eq!(episodes(&store).1, Vec::<String>::new());

    // Then only the show notes of one episode change.
    let notes = root.join("episodes/001-welkom.md");
    let text = std::fs::read_to_string(&notes).unwrap();
    std::fs::write(&notes, format!("{text}\nOne more line.\n")).unwrap();
    let (edited, reads) = episodes(&store);
    assert_eq!(reads, vec!["parsed episodes/001-welkom.md"]);
    assert!(!edited.has_errors(), "{:?}", edited.problems);
    let welkom = by_path(&edited.items, "001-welkom.md");
    assert!(
        welkom
            .entry
            .content_html
            .as_deref()
            .is_some_and(|html| html.contains("One more line."))
    );
    assert_eq!(
        welkom.entry.enclosures,
        by_path(&first.items, "001-welkom.md").entry.enclosures
    );
}

#[test]
fn a_damaged_file_cache_costs_reading_never_a_wrong_result() {
    let site = site_with(&[("content/episodes", "episodes"), ("content/posts", "posts")]);
    let root = site.path();
    let store = root.join(".omroep/store.sqlite");
    let s = settings(root);
    let first = run_with_store(&store, &s);
    let probes = |reads: &[String]| reads.iter().filter(|r| r.starts_with("probed ")).count();
    let first_probes = probes(&read_names(root, &first.2));
    // One byte changed in the middle of every remembered row, past its prefix.
    assert!(damage_outcomes(&store) > 0);
    let second = run_with_store(&store, &s);
    assert_eq!((&second.0, &second.1), (&first.0, &first.1));
    let reads = read_names(root, &second.2);
    assert_eq!(
        reads.iter().filter(|r| r.starts_with("parsed ")).count(),
        13,
        "every Markdown file read again: {reads:?}"
    );
    assert_eq!(
        probes(&reads),
        first_probes,
        "every audio file probed again"
    );
    // The rows written again read back: a third run reads nothing.
    let third = run_with_store(&store, &s);
    assert_eq!((&third.0, &third.1), (&first.0, &first.1));
    assert_eq!(read_names(root, &third.2), Vec::<String>::new());
}

/// Damages every remembered row (outcomes and audio probes): one letter in the middle
/// of its body (the first ASCII letter from its middle on, so a byte of a string, which
/// without the row's checksum would read back as another, equally valid string) is
/// changed to another letter. Returns how many rows were damaged.
fn damage_outcomes(store: &Path) -> usize {
    let db = rusqlite::Connection::open(store).unwrap();
    let mut count = 0;
    for table in ["local_documents", "local_audio"] {
        let rows: Vec<(String, Vec<u8>)> = db
            .prepare(&format!("SELECT path, data FROM {table}"))
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (path, mut data) in rows {
            assert!(data.starts_with(b"omroep-compact-"), "{path}");
            let middle = data.len() / 2;
            let at = (middle..data.len())
                .find(|&at| data[at].is_ascii_alphabetic())
                .unwrap_or(middle);
            data[at] = if data[at] == b'x' { b'y' } else { b'x' };
            db.execute(
                &format!("UPDATE {table} SET data = ?1 WHERE path = ?2"),
                rusqlite::params![data, path],
            )
            .unwrap();
            count += 1;
        }
    }
    count
}
