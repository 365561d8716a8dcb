//! Local content ingest speed: 1,000 Markdown posts and 200 Markdown episodes (each with
//! its own copy of a fixture audio file) generated in a temporary site, collected three
//! times, each run as a new process would do it (open the SQLite store, load its file
//! cache, read, save what was learned):
//!
//! 1. a first run with an empty store (every file read, every audio file measured and
//!    hashed);
//! 2. a second run with nothing changed (no file read: only its size and mtime are
//!    looked at);
//! 3. a run after every file got a new mtime with the same content, as a `git checkout`
//!    does (every file hashed, none parsed or measured).
//!
//! Run with `cargo bench --bench local_content` (optimised) or, on a busy machine,
//! `cargo test --release --bench local_content`/`cargo test --bench local_content`.
//!
//! Besides wall time, each run's CPU time (user and system, all threads) and minor page
//! faults are taken from `getrusage`: on a shared machine wall time also counts other
//! people's work, and a second run's cost is partly the kernel's (a `stat` per file,
//! fresh pages for what is decoded).
//!
//! For profiling the second run alone, `LOCAL_CONTENT_SECOND_RUNS=N` makes the bench do
//! one first run and then N second runs, and print only their mean wall and CPU time
//! (both without freeing what was collected, as a run's time here), and, where
//! `getrusage` can tell it (Linux, FreeBSD, OpenBSD), the calling thread's share of the
//! CPU time (`perf record`/`strace -c -f` then see mostly second runs).

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use omroep::ingest::{FileRead, Listings, LocalSettings, Session};
use omroep::store::Store;

/// The allocator the shipped binary uses (`src/main.rs`): the bench measures what users
/// run, and a second run's time is largely allocation (decoding remembered outcomes).
#[global_allocator]
static ALLOCATOR: omroep::alloc::MiMalloc = omroep::alloc::MiMalloc;

const POSTS: usize = 1000;
const EPISODES: usize = 200;
const POSTS_PATTERN: &str = "posts/**/*.md";
const EPISODES_PATTERN: &str = "episodes/*.md";

fn main() {
    omroep::alloc::configure();
    let site = tempfile::tempdir().expect("temporary folder");
    let root = site.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    generate(root, &fixtures);
    // Last changed well before the runs, as a site's files are: the file cache does not
    // trust the stamp of a file changed just before a run, and hashes it next run.
    set_mtimes(root, |_| SystemTime::now() - Duration::from_secs(3600));

    let mut settings = LocalSettings::new(
        root,
        url::Url::parse("https://bench.example/").expect("url"),
    );
    settings.permalink = "/{lang}/{year}/{slug}/".to_string();
    settings.language = Some("nl".to_string());

    if let Some(repeat) = std::env::var("LOCAL_CONTENT_SECOND_RUNS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        let store = root.join(".omroep/store-profile.sqlite");
        run(&settings, &store);
        // The runs' own time, as the CPU figures: freeing what was collected and
        // printing its problems are left out of both.
        let mut wall = Duration::ZERO;
        let mut usage = Usage::ZERO;
        let mut calling = Some(Usage::ZERO);
        for _ in 0..repeat {
            let warm = run(&settings, &store);
            assert_eq!(
                warm.parsed + warm.probed + warm.hashed,
                0,
                "nothing read again"
            );
            wall += warm.time;
            usage = usage.plus(&warm.usage);
            calling = calling.zip(warm.calling).map(|(sum, run)| sum.plus(&run));
        }
        let each = |d: Duration| ms(d / repeat.max(1) as u32);
        let calling = match calling {
            Some(calling) => format!(
                ", of it the calling thread {} (user {} + system {})",
                each(calling.cpu),
                each(calling.user),
                each(calling.system),
            ),
            None => String::new(),
        };
        println!(
            "{repeat} second runs: {} each; CPU {} (user {} + system {}){calling}",
            each(wall),
            each(usage.cpu),
            each(usage.user),
            each(usage.system),
        );
        return;
    }

    // Each figure is the best of several rounds: the machine may be shared, and the
    // best round is the one least disturbed by other work.
    let mut first = Duration::MAX;
    let mut second = Duration::MAX;
    let mut touched = Duration::MAX;
    let mut phases = [Duration::MAX; PHASES.len()];
    let mut usage = [Usage::MAX; 3];
    let mut items = 0;
    for round in 0..ROUNDS {
        let store = root.join(format!(".omroep/store-{round}.sqlite"));
        let cold = run(&settings, &store);
        let warm = run(&settings, &store);
        touch_all(root);
        let checked_out = run(&settings, &store);
        assert_eq!(
            cold.items,
            POSTS + EPISODES,
            "every generated file is an item"
        );
        assert_eq!(warm.items, cold.items);
        assert_eq!(checked_out.items, cold.items);
        assert_eq!(
            warm.parsed + warm.probed + warm.hashed,
            0,
            "nothing read again"
        );
        assert_eq!(
            checked_out.parsed + checked_out.probed,
            0,
            "nothing parsed again"
        );
        items = cold.items;
        first = first.min(cold.time);
        second = second.min(warm.time);
        touched = touched.min(checked_out.time);
        for (best, phase) in phases.iter_mut().zip(warm.phases) {
            *best = (*best).min(phase);
        }
        for (best, run) in usage.iter_mut().zip([&cold, &warm, &checked_out]) {
            *best = best.least(&run.usage);
        }
    }

    println!(
        "local content: {POSTS} posts + {EPISODES} episodes ({items} items), best of {ROUNDS}, store on disk"
    );
    println!("  first run:                   {}", ms(first));
    println!("  second run, nothing changed: {}", ms(second));
    println!("  every mtime changed:         {}", ms(touched));
    println!(
        "  speed-up of the second run: {:.1}x",
        first.as_secs_f64() / second.as_secs_f64()
    );
    println!("  second run by phase (best of {ROUNDS} each):");
    for (name, best) in PHASES.iter().zip(phases) {
        println!("    {name:<30} {}", ms(best));
    }
    println!("  CPU time and minor page faults (getrusage, all threads, least of {ROUNDS} each):");
    for (name, least) in ["first run", "second run", "every mtime changed"]
        .iter()
        .zip(&usage)
    {
        println!(
            "    {name:<26} {} user + {} system = {}, {} page faults",
            ms(least.user),
            ms(least.system),
            ms(least.cpu),
            least.faults
        );
    }
    println!(
        "  speed-up of the second run in CPU time: {:.1}x",
        usage[0].cpu.as_secs_f64() / usage[1].cpu.as_secs_f64()
    );
}

/// CPU time and minor page faults of the whole process (every thread, finished ones
/// included) between two points.
#[derive(Debug, Clone, Copy)]
struct Usage {
    user: Duration,
    system: Duration,
    /// `user + system`, measured together (the kernel splits a thread's time between
    /// the two by sampling, so their least values need not add up to this one's).
    cpu: Duration,
    faults: u64,
}

impl Usage {
    const MAX: Usage = Usage {
        user: Duration::MAX,
        system: Duration::MAX,
        cpu: Duration::MAX,
        faults: u64::MAX,
    };

    const ZERO: Usage = Usage {
        user: Duration::ZERO,
        system: Duration::ZERO,
        cpu: Duration::ZERO,
        faults: 0,
    };

    /// The process's usage so far.
    fn now() -> Usage {
        Usage::of(libc::RUSAGE_SELF)
    }

    /// The calling thread's usage so far: what a run spends there cannot use the
    /// other core. Only where `getrusage` can tell a thread's (not on macOS).
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    fn of_this_thread() -> Option<Usage> {
        Some(Usage::of(libc::RUSAGE_THREAD))
    }

    #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
    fn of_this_thread() -> Option<Usage> {
        None
    }

    fn of(who: libc::c_int) -> Usage {
        // SAFETY: `getrusage` only writes into the struct it is given, which is zeroed
        // and of the right type; it cannot fail for RUSAGE_SELF or RUSAGE_THREAD.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(who, &mut usage);
            usage
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec.unsigned_abs())
                + Duration::from_micros(t.tv_usec.unsigned_abs())
        };
        let (user, system) = (time(usage.ru_utime), time(usage.ru_stime));
        Usage {
            user,
            system,
            cpu: user + system,
            faults: usage.ru_minflt.unsigned_abs(),
        }
    }

    fn since(&self, start: &Usage) -> Usage {
        Usage {
            user: self.user.saturating_sub(start.user),
            system: self.system.saturating_sub(start.system),
            cpu: self.cpu.saturating_sub(start.cpu),
            faults: self.faults.saturating_sub(start.faults),
        }
    }

    fn plus(&self, other: &Usage) -> Usage {
        Usage {
            user: self.user + other.user,
            system: self.system + other.system,
            cpu: self.cpu + other.cpu,
            faults: self.faults + other.faults,
        }
    }

    /// Each figure the least of the two.
    fn least(&self, other: &Usage) -> Usage {
        Usage {
            user: self.user.min(other.user),
            system: self.system.min(other.system),
            cpu: self.cpu.min(other.cpu),
            faults: self.faults.min(other.faults),
        }
    }
}

/// The phases of a run, timed one by one (the run's time is the sum of all but the
/// last). The store opens and then loads the file cache's rows on a thread of its own
/// while the first phase lists the content folders; the first file asked for
/// (collecting posts) waits for the rows, and the save for the store.
const PHASES: [&str; 5] = [
    "list (the store opens meanwhile)",
    "collect posts (+ wait for rows)",
    "collect episodes",
    "save, close the store",
    "(free what was collected)",
];

const ROUNDS: usize = 5;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Run {
    time: Duration,
    /// Of the run's phases, as `time` (freeing what was collected not included).
    usage: Usage,
    /// Of it, the calling thread's (where it can be told).
    calling: Option<Usage>,
    phases: [Duration; PHASES.len()],
    items: usize,
    parsed: usize,
    probed: usize,
    hashed: usize,
}

/// One run as a new process does it: open the store, read, save what was learned.
fn run(settings: &LocalSettings, store: &Path) -> Run {
    let mut phases = [Duration::ZERO; PHASES.len()];
    let start = Usage::now();
    let start_calling = Usage::of_this_thread();
    let mut clock = Instant::now();
    let mut lap = |phase: usize| {
        let now = Instant::now();
        phases[phase] = now - clock;
        clock = now;
    };
    // As a build does: the store opens (and then loads the file cache) on a thread of
    // its own while this one lists the content folders.
    let (files, store) = Store::open_in_background(store);
    let listings = std::sync::Arc::new(Listings::list(
        &settings.site_root,
        &[POSTS_PATTERN, EPISODES_PATTERN],
    ));
    let files = std::sync::Arc::new(files.expect("file cache"));
    lap(0);
    let mut session =
        Session::with_file_cache(settings.clone(), Box::new(files.clone())).with_listings(listings);
    let posts = session.collect_markdown(POSTS_PATTERN);
    lap(1);
    let episodes = session.collect_markdown(EPISODES_PATTERN);
    lap(2);
    let mut store = store.wait().expect("store");
    store.save_local_files(&files, true).expect("saved");
    drop(store);
    lap(3);
    let usage = Usage::now().since(&start);
    let calling = Usage::of_this_thread()
        .zip(start_calling)
        .map(|(end, start)| end.since(&start));
    let problems: Vec<String> = posts
        .problems
        .iter()
        .chain(&episodes.problems)
        .map(ToString::to_string)
        .collect();
    let items = posts.items.len() + episodes.items.len();
    drop((posts, episodes, files));
    let reads = session.reads();
    drop(session);
    lap(4);
    // A new process starts its threads again.
    omroep::parallel::release();
    for problem in problems {
        eprintln!("{problem}");
    }
    let count = |f: fn(&FileRead) -> bool| reads.iter().filter(|r| f(r)).count();
    Run {
        // As a build uses what it collected, freeing it is not part of a run's time.
        time: phases[..PHASES.len() - 1].iter().sum(),
        usage,
        calling,
        phases,
        items,
        parsed: count(|r| matches!(r, FileRead::Parsed(_))),
        probed: count(|r| matches!(r, FileRead::Probed(_))),
        hashed: count(|r| matches!(r, FileRead::Hashed(_))),
    }
}

/// Gives every content file a new mtime (a second later), content unchanged.
fn touch_all(root: &Path) {
    set_mtimes(root, |modified| modified + Duration::from_secs(1));
}

/// Sets every content file's mtime to `new` of the one it has, content unchanged.
fn set_mtimes(root: &Path, new: impl Fn(SystemTime) -> SystemTime) {
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.expect("walk");
        let path = entry.path();
        if !entry.file_type().is_file() || path.components().any(|c| c.as_os_str() == ".omroep") {
            continue;
        }
        let modified = entry
            .metadata()
            .expect("metadata")
            .modified()
            .expect("mtime");
        std::fs::File::options()
            .write(true)
            .open(path)
            .and_then(|file| file.set_modified(new(modified)))
            .expect("touch");
    }
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
