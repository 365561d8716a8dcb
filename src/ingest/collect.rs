//! One source → a [`Collected`]: find the files (a glob of Markdown files, or a folder
//! of audio files), read each one through the session, ask servers about remote audio
//! in one batch, and check what only the whole set can show (two files with the same
//! URL or guid, two different files published at the same path).
//!
//! Files are visited in sorted path order and hidden files and folders (`.git`,
//! `.omroep`) are skipped, so the result never depends on the file system's order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::bare_audio::{self, AudioOutcome};
use super::episode;
use super::file_cache::{CachedDocument, FileStamp, Freshness};
use super::local::{Collected, FileRead, LocalItem, Problem, Session, lock};
use super::name_glob::NamePattern;
use super::permalink;
use super::post::{self, Outcome};
use super::reference;
use super::remote_media;

/// Markdown file extensions.
pub(super) const MARKDOWN: &[&str] = &["md", "markdown"];

pub fn markdown(session: &mut Session, pattern: &str) -> Collected {
    let mut collected = Collected::default();
    if let Err(message) = permalink::check_pattern(&session.settings.permalink) {
        collected.problems.push(Problem::error("", message));
        return collected;
    }
    let root = &session.settings.site_root;
    let listed = session
        .listings
        .as_ref()
        .and_then(|ahead| ahead.take(root, pattern));
    let listed = listed.unwrap_or_else(|| find(root, pattern, MARKDOWN, true));
    let (files, stamps) = match listed {
        Ok(found) => {
            collected.problems.extend(found.link_warnings());
            (found.files, found.stamps)
        }
        Err(message) => {
            collected.problems.push(Problem::error("", message));
            return collected;
        }
    };
    // The files are independent: read (or found unchanged) on every core, then taken
    // in path order. A file that an earlier source of this session named too is not
    // read from disk again: the file cache has its outcome (decoded once more for this
    // source). The document's own file is stamped directly for every source that
    // names it (see `read_or_reuse`); only the files it depends on (audio, artwork)
    // are looked at once per session, through the session's map of stamps.
    // The outcome is taken out of its document on the worker threads: one decoded
    // from the store's row is this run's alone and is moved out, one the cache keeps too (read in this run) is copied, and
    // what is left of the document is freed in parallel instead of on this thread.
    // Each file's own stamp is taken on the workers, from the entry of the folder
    // listing `find` kept open (see `ListedStamp`): the `stat`s, a kernel path lookup
    // each, are spread over the cores instead of holding up the listing. The entry is
    // released by the thread that took the stamp (the last of a folder's closes the
    // listing), so that this thread has none left to drop.
    // While the file cache is still loading (on a thread of its own), one worker takes
    // the stamps of files further on instead of waiting: the `stat`s are a large part of
    // a second run's work, and the caller's core is idle then. Only one: the others wait
    // for the rows rather than take the loading thread's core from it. Each file is
    // stamped once, before it is read, whoever takes its stamp.
    let shared: &Session = session;
    let listed: Vec<(&PathBuf, Mutex<ListedStamp>)> = files
        .iter()
        .zip(stamps)
        .map(|(relative, stamp)| (relative, Mutex::new(stamp)))
        .collect();
    let take_stamp = |stamp: &Mutex<ListedStamp>| {
        stamp
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    };
    let next_ahead = AtomicUsize::new(0);
    let stamping = AtomicBool::new(false);
    let mut pending = Vec::new();
    collected.items.reserve(listed.len());
    crate::parallel::map_gather(
        &listed,
        |(relative, stamp)| {
            if !shared.files.ready() && !stamping.swap(true, Ordering::Acquire) {
                while !shared.files.ready() {
                    let further = next_ahead.fetch_add(1, Ordering::Relaxed);
                    let Some((_, stamp)) = listed.get(further) else {
                        break;
                    };
                    take_stamp(stamp);
                }
                stamping.store(false, Ordering::Release);
            }
            let own = take_stamp(stamp);
            Arc::unwrap_or_clone(read_or_reuse(shared, relative, own)).outcome
        },
        |(relative, _), outcome| match outcome {
            Outcome::Item {
                item,
                pending: waiting,
                problems,
            } => {
                collected.problems.extend(problems);
                match waiting {
                    Some(waiting) => pending.push((*item, waiting)),
                    None => collected.items.push(*item),
                }
            }
            Outcome::Held { held, problems } => {
                collected.problems.extend(problems);
                collected.held_back.push((PathBuf::clone(relative), held));
            }
            Outcome::Failed { problems } => collected.problems.extend(problems),
        },
    );
    resolve_remote(session, pending, &mut collected);
    finish(&mut collected);
    collected
}

/// A Markdown file's outcome: the file cache's, while every file it depended on is
/// unchanged (or only touched: same content) and the settings are the same; else read
/// now (and remembered, with the content hash of every file it depended on). `listed`
/// is the file's own stamp, taken once before the file is read (`None`: it is gone).
fn read_or_reuse(
    session: &Session,
    relative: &Path,
    listed: Option<FileStamp>,
) -> Arc<CachedDocument> {
    let full = session.settings.site_root.join(relative);
    let now = session.settings.now;
    let previous = session.files.document(&full);
    if let Some(cached) = &previous {
        // The file itself has the stamp `listed` gives, not one through the run's map
        // of stamps: it is (as a rule) this document's alone, so remembering its stamp
        // would cost a lock, a key and an insertion per file and spare nothing.
        match cached.freshness(
            &session.settings_key,
            now,
            &mut |path| {
                if path.as_os_str() == full.as_os_str() {
                    listed
                } else {
                    session.stamp(path)
                }
            },
            &mut |path, stamp| session.hash(path, stamp),
        ) {
            Freshness::Same => return cached.clone(),
            Freshness::Touched(mut fresh) => {
                // Remembered with the new stamps, so the next run need not hash again.
                fresh.dependencies.settle(session.started);
                let fresh = Arc::new(fresh);
                session.files.put_document(&full, fresh.clone());
                return fresh;
            }
            Freshness::Changed => {}
        }
    }
    session.note_read(FileRead::Parsed(full.clone()));
    let mut reading = post::read(session, relative, listed);
    // A file the last outcome also depended on, with the same stamp, has the hash
    // that outcome recorded: edited show notes do not make the audio be read again.
    reading.dependencies.fill_hashes(&mut |path, stamp| {
        previous
            .as_deref()
            .and_then(|cached| cached.dependencies.known_hash(path, stamp))
            .or_else(|| session.hash(path, stamp))
    });
    reading.dependencies.settle(session.started);
    let document = Arc::new(CachedDocument {
        settings_key: session.settings_key.clone(),
        dependencies: reading.dependencies,
        date: reading.date,
        was_future: reading.date.is_some_and(|date| date > now),
        outcome: reading.outcome,
    });
    session.files.put_document(&full, document.clone());
    document
}

pub fn audio(session: &mut Session, folder: &str) -> Collected {
    let mut collected = Collected::default();
    let pattern = format!("{}/*", folder.trim_end_matches('/'));
    let files = match find(
        &session.settings.site_root,
        &pattern,
        bare_audio::EXTENSIONS,
        false,
    ) {
        Ok(found) => {
            collected.problems.extend(found.link_warnings());
            found.files
        }
        Err(message) => {
            collected.problems.push(Problem::error("", message));
            return collected;
        }
    };
    for relative in files {
        match bare_audio::read(session, &relative) {
            AudioOutcome::Item(item, problems) => {
                collected.problems.extend(problems);
                collected.items.push(*item);
            }
            AudioOutcome::Held(held, problems) => {
                collected.problems.extend(problems);
                collected.held_back.push((relative, held));
            }
            AudioOutcome::Failed(problems) => collected.problems.extend(problems),
        }
    }
    finish(&mut collected);
    collected
}

/// Asks about every remote audio URL the cache cannot answer, in one batch, then fills
/// the enclosures. An item whose audio cannot be learned is skipped with an error: an
/// enclosure without a length is invalid, and a guess would be silently wrong.
fn resolve_remote(
    session: &mut Session,
    pending: Vec<(LocalItem, episode::Pending)>,
    collected: &mut Collected,
) {
    let mut to_ask: Vec<String> = Vec::new();
    for (item, waiting) in &pending {
        let mut probe = item.entry.clone();
        if episode::fill_remote(session, &mut probe, waiting).is_none()
            && !to_ask.contains(&waiting.url)
        {
            to_ask.push(waiting.url.clone());
        }
    }
    let mut failures: HashMap<String, String> = HashMap::new();
    for (url, answer) in remote_media::ask_all(&to_ask) {
        session.asked.insert(url.clone());
        match answer {
            Ok(media) => lock(&session.remote).put(&url, media),
            Err(reason) => {
                failures.insert(url, reason);
            }
        }
    }
    let load_problem = lock(&session.remote).load_problem.take();
    if let Some(problem) = load_problem {
        collected.problems.push(Problem::warning(
            remote_media::RemoteMediaCache::RELATIVE_PATH,
            problem,
        ));
    }
    for (mut item, waiting) in pending {
        let filled = episode::fill_remote(session, &mut item.entry, &waiting).is_some();
        let complete = item
            .entry
            .enclosures
            .first()
            .is_some_and(|e| e.length.is_some() && e.mime_type.is_some());
        if filled && complete {
            collected.items.push(item);
            continue;
        }
        let reason = failures.get(&waiting.url).cloned().unwrap_or_else(|| {
            "the server did not say its type; give `type` in the front matter".to_string()
        });
        collected.problems.push(
            Problem::error(
                &item.path,
                format!(
                    "cannot learn the length and type of {}: {reason}",
                    waiting.url
                ),
            )
            .at_line(waiting.line)
            .in_field("audio"),
        );
    }
}

/// Checks across items, then sorts everything into its documented order.
fn finish(collected: &mut Collected) {
    // In path order, so the first file keeps its URL and the later one is reported. The
    // items arrive in path order (remote-audio items last), so this sort is nearly free.
    collected.items.sort_by(|a, b| path_order(&a.path, &b.path));
    // foldhash rather than SipHash: the keys are the site's own ids and output paths
    // (no one outside chooses them to collide), and hashing them is much of this
    // function's cost.
    let hasher = foldhash::fast::RandomState::default();
    let mut ids: HashMap<&str, &Path, _> =
        HashMap::with_capacity_and_hasher(collected.items.len(), hasher.clone());
    let mut outputs: HashMap<&str, &Path, _> = HashMap::with_hasher(hasher);
    let mut rejected = vec![false; collected.items.len()];
    let mut clashes = Vec::new();
    for (index, item) in collected.items.iter().enumerate() {
        if let Some(first) = ids.get(item.entry.id.as_str()) {
            clashes.push(Problem::error(
                &item.path,
                format!(
                    "has the same URL/guid as {} ({}); give one of them another `slug` or `guid`",
                    first.display(),
                    item.entry.id
                ),
            ));
            rejected[index] = true;
            continue;
        }
        let clash = item.assets.iter().find_map(|asset| {
            let first = outputs.get(asset.output.as_str())?;
            (*first != asset.source.as_path()).then_some((&asset.output, *first))
        });
        if let Some((output, first)) = clash {
            clashes.push(Problem::error(
                &item.path,
                format!(
                    "would publish a file at {output}, where {} is published already; rename one of them",
                    first.display()
                ),
            ));
            rejected[index] = true;
            continue;
        }
        ids.insert(&item.entry.id, &item.path);
        for asset in &item.assets {
            outputs.insert(&asset.output, &asset.source);
        }
    }
    collected.problems.extend(clashes);
    let mut keep = rejected.iter().map(|r| !r);
    collected.items.retain(|_| keep.next().unwrap_or(true));
    // Newest first; the sort is stable and the items are in path order, so items of the
    // same date stay in path order without comparing paths (which `Path` does component
    // by component, at a cost far above a date's). The dates are sorted with the items'
    // places and each item is moved once, rather than whole items at every merge.
    collected
        .items
        .sort_by_cached_key(|item| std::cmp::Reverse(item.entry.published));
    collected.held_back.sort_by(|a, b| path_order(&a.0, &b.0));
    collected
        .problems
        .sort_by(|a, b| path_order(&a.path, &b.path).then_with(|| a.line.cmp(&b.line)));
}

/// Where `x` and `y` first differ (`None`: one begins the other), eight bytes at a time
/// while they agree: the paths of a source share long beginnings (`posts/2024/`).
fn first_difference(x: &[u8], y: &[u8]) -> Option<usize> {
    let shorter = x.len().min(y.len());
    let (x, y) = (&x[..shorter], &y[..shorter]);
    let mut at = 0;
    for (p, q) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        let differ = word(p) ^ word(q);
        if differ != 0 {
            // Little-endian: the first byte is the lowest.
            return Some(at + differ.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = x[at..].iter().zip(&y[at..]).position(|(p, q)| p != q)?;
    Some(at + rest)
}

/// The order of two `Path`s, which compare component by component, told from their
/// bytes where the bytes decide it: at their first difference, inside a component of
/// both (neither byte is a `/`) that is not `.` or `..` (which `Path` skips or sorts
/// first), the two bytes order the components and so the paths. Else (one path begins
/// the other, or a `/` meets another byte: `a/b` comes before `a-b`) `Path` compares
/// them. Splitting both paths into components, as `Path` does at every comparison,
/// costs far more than finding the difference; sorting a source's items by path is
/// much of `finish`.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    // Windows has two separators and prefixes (`C:`): `Path` decides there.
    if !cfg!(unix) {
        return a.cmp(b);
    }
    let (x, y) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    let Some(at) = first_difference(x, y) else {
        return a.cmp(b);
    };
    let (p, q) = (x[at], y[at]);
    if p == b'/' || q == b'/' {
        return a.cmp(b);
    }
    // A `.` or `..` component is dots only: the difference can be in one only where a
    // dot is at the difference and nothing but dots (or nothing) comes before it in its
    // component. Another byte before it in the component rules that out for both.
    let after_a_name_byte = at > 0 && !matches!(x[at - 1], b'.' | b'/');
    if (p == b'.' || q == b'.') && !after_a_name_byte {
        return a.cmp(b);
    }
    p.cmp(&q)
}

/// What a source's pattern found, relative to the site root, sorted.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    /// How to take each file's size and mtime (see [`ListedStamp`]).
    pub stamps: Vec<ListedStamp>,
    /// Symbolic links that matched: never followed (one could lead out of the site).
    pub links: Vec<PathBuf>,
}

/// A listed file's size and mtime: taken while listing, or to be taken by whoever
/// reads the file (on any thread) through its directory entry, which keeps its folder's
/// listing open. Where std's `DirEntry::metadata` looks the name up relative to the
/// open folder (`fstatat`, as with glibc on Linux) that is a lookup of one name instead
/// of a walk of the whole path; elsewhere (musl, FreeBSD) it looks up the full path,
/// which gives the same stamp at a path walk's cost. Either way it is taken off the
/// listing's thread.
#[derive(Debug)]
pub enum ListedStamp {
    /// Taken while listing (`None`: the file was gone).
    Taken(Option<FileStamp>),
    /// To be taken from the entry, when asked (see [`ListedStamp::get`]).
    Entry(std::fs::DirEntry),
}

impl ListedStamp {
    /// The stamp of the file `entry` lists: the entry itself when `keep_open` (its
    /// folder's listing then stays open until the entry is dropped), else taken now.
    fn of_entry(entry: std::fs::DirEntry, keep_open: bool) -> ListedStamp {
        // On Windows `DirEntry::metadata` is the copy kept in the directory entry, whose
        // size and mtime NTFS updates lazily (a file just written can show its old ones
        // there, and a changed file would pass for unchanged): the stamp is taken from
        // the file itself.
        if cfg!(windows) {
            return ListedStamp::Taken(FileStamp::of(&entry.path()).ok());
        }
        let entry = ListedStamp::Entry(entry);
        if keep_open {
            entry
        } else {
            ListedStamp::Taken(entry.get())
        }
    }

    /// The file's stamp, as [`ListedStamp::get`] gives it, kept in place of the entry:
    /// the entry (and with the last of a folder's, the folder's listing) is released by
    /// the thread that takes the stamp, and every later call gives that same stamp.
    pub(crate) fn take(&mut self) -> Option<FileStamp> {
        let stamp = self.get();
        *self = ListedStamp::Taken(stamp);
        stamp
    }

    /// The file's stamp (`None`: it is gone). An entry's is taken now, by a `stat` each
    /// time asked, so two calls can disagree: a caller asks once, before reading the
    /// file, and uses that stamp for what it read (a stamp taken after reading could
    /// vouch for content the reading never saw).
    pub(crate) fn get(&self) -> Option<FileStamp> {
        match self {
            ListedStamp::Taken(stamp) => *stamp,
            ListedStamp::Entry(entry) => entry
                .metadata()
                .ok()
                .map(|meta| FileStamp::of_metadata(&meta)),
        }
    }
}

/// How many folders' listings [`find`] keeps open for their files' stamps (one open
/// descriptor each); the files of the folders listed after them are stamped while
/// listing. A site has a few content folders, or many small ones (a folder per post):
/// then most files are stamped while listing, as the descriptors allowed are few.
const FOLDERS_KEPT_OPEN: usize = 16;

impl Found {
    fn link_warnings(&self) -> impl Iterator<Item = Problem> + '_ {
        self.links.iter().map(|link| {
            Problem::warning(
                link,
                "is a symbolic link, which omroep does not follow; put the file itself in the site",
            )
        })
    }
}

/// The files matching `pattern` (relative to `root`) with one of `extensions`. A pattern
/// without glob characters that names a folder means every matching file in it (and,
/// when `recursive`, below it).
pub fn find(
    root: &Path,
    pattern: &str,
    extensions: &[&str],
    recursive: bool,
) -> Result<Found, String> {
    let pattern = pattern.trim().trim_start_matches("./");
    if pattern.is_empty() {
        return Err(
            "the source names no files; give a glob such as `content/posts/**/*.md`".to_string(),
        );
    }
    if Path::new(pattern).is_absolute() || pattern.split('/').any(|part| part == "..") {
        return Err(format!(
            "`{pattern}` must be a path inside the site folder, without `..`"
        ));
    }
    let (pattern, start) = glob_and_start(root, pattern, recursive);
    let glob = globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?;
    if !start.exists() {
        return Err(format!(
            "`{pattern}` matches nothing: {} does not exist",
            reference::slash_path(&super::local::relative_to(root, &start))
        ));
    }
    // Each folder's entries are sorted by name and its files and folders taken in that
    // order, which is the order of their paths (component by component). Each file's
    // stamp, the one `stat` a reused outcome needs of its file, comes with it from its
    // directory entry (see `ListedStamp`).
    let mut listed = Listed {
        root,
        pattern: &pattern,
        glob: &glob,
        matcher: std::cell::OnceCell::new(),
        by_name: None,
        extensions,
        found: Found::default(),
        kept_open: 0,
    };
    if start.is_dir() {
        listed.folders(&start)?;
    } else {
        let meta = std::fs::symlink_metadata(&start)
            .map_err(|e| format!("cannot list `{pattern}`: {e}"))?;
        let relative = start.strip_prefix(root).unwrap_or(&start);
        if let Some(name) = relative.file_name() {
            let kind = meta.file_type();
            if listed.wanted(name.as_encoded_bytes(), kind) && listed.path_matches(relative) {
                let relative = relative.to_path_buf();
                if kind.is_symlink() {
                    listed.found.links.push(relative);
                } else {
                    listed.found.files.push(relative);
                    let stamp = ListedStamp::Taken(Some(FileStamp::of_metadata(&meta)));
                    listed.found.stamps.push(stamp);
                }
            }
        }
    }
    Ok(listed.found)
}

/// The characters that make a pattern a glob (a pattern without them names a file or a
/// folder).
pub(crate) const GLOB_CHARACTERS: [char; 4] = ['*', '?', '[', '{'];

/// `pattern` (trimmed, checked) as the glob [`find`] matches, and where its listing starts:
/// a pattern without glob characters that names a folder becomes every file in it (below
/// it, when `recursive`); the listing starts at the pattern's fixed folders, or at the
/// folder of a single file it names.
fn glob_and_start(root: &Path, pattern: &str, recursive: bool) -> (String, PathBuf) {
    let is_glob = pattern.contains(GLOB_CHARACTERS);
    let pattern = if !is_glob && root.join(pattern).is_dir() {
        let any = if recursive { "**/*" } else { "*" };
        format!("{}/{any}", pattern.trim_end_matches('/'))
    } else {
        pattern.to_string()
    };
    let prefix: PathBuf = pattern
        .split('/')
        .take_while(|part| !part.contains(GLOB_CHARACTERS))
        .collect();
    let start = if is_glob || root.join(&prefix).is_dir() {
        root.join(&prefix)
    } else {
        root.join(prefix.parent().unwrap_or(Path::new("")))
    };
    (pattern, start)
}

/// A listing under way (see [`find`]).
struct Listed<'a> {
    root: &'a Path,
    pattern: &'a str,
    glob: &'a globset::Glob,
    /// The glob's matcher, compiled (a regular expression) only when a path is matched
    /// whole: not for a pattern matched by file name.
    matcher: std::cell::OnceCell<globset::GlobMatcher>,
    /// The pattern as a name glob, where a file's name alone decides (see
    /// [`NamePattern::spells`]); else the matcher takes each file's relative path.
    by_name: Option<NamePattern<'a>>,
    extensions: &'a [&'a str],
    /// What was found so far, in path order.
    found: Found,
    /// How many folders' listings are kept open by their files' entries.
    kept_open: usize,
}

/// A folder being gone through: its entries that matter, taken in name order.
struct Frame {
    /// The folder's full path, which its subfolders' names are joined to.
    full: PathBuf,
    /// How many folders below the start it is.
    depth: usize,
    /// Each taken out (`None`) when its turn comes.
    entries: Vec<Option<Entry>>,
    /// The entries' places in `entries`, in name order.
    order: std::vec::IntoIter<(NameKey, usize)>,
}

/// A listed entry: a folder to go into, or a file or link that matched.
struct Entry {
    /// Relative to the root: the folder's relative path with the name joined to it.
    relative: PathBuf,
    kind: EntryKind,
}

enum EntryKind {
    Folder,
    File(ListedStamp),
    Link,
}

/// A name's first 16 bytes, big-endian and padded with zeros: comparing these orders
/// most names without a look at their bytes. A name holds no zero byte (no file system
/// allows one), so the padding sorts a name before every longer one it begins, as the
/// bytes do; names with the same key are ordered by their bytes (see [`Frame::sort`]).
/// The entries are sorted by key and place rather than moved around whole.
type NameKey = u128;

fn name_key(name: &[u8]) -> NameKey {
    let mut first = [0u8; 16];
    let length = name.len().min(16);
    first[..length].copy_from_slice(&name[..length]);
    NameKey::from_be_bytes(first)
}

impl Frame {
    /// The frame of a folder's `entries`, with `order` (each entry's key and place) sorted
    /// into the order of the entries' names.
    fn sort(
        full: PathBuf,
        depth: usize,
        entries: Vec<Entry>,
        mut order: Vec<(NameKey, usize)>,
    ) -> Frame {
        // Two entries of one folder have relative paths that differ only in the name.
        let bytes = |place: usize| entries[place].relative.as_os_str().as_encoded_bytes();
        // By key alone, then each run of equal keys (rare) by the names' bytes.
        order.sort_unstable_by_key(|&(key, _)| key);
        for same in order.chunk_by_mut(|a, b| a.0 == b.0) {
            if same.len() > 1 {
                same.sort_unstable_by(|a, b| bytes(a.1).cmp(bytes(b.1)));
            }
        }
        Frame {
            full,
            depth,
            entries: entries.into_iter().map(Some).collect(),
            order: order.into_iter(),
        }
    }

    /// The next entry in name order.
    fn next(&mut self) -> Option<Entry> {
        let (_, place) = self.order.next()?;
        self.entries[place].take()
    }
}

impl Listed<'_> {
    /// Lists `start` and every folder below it, each folder's entries in name order:
    /// a file's path then comes before every path of a later name, and a folder's files
    /// (`a/x.md`) before a file whose name the folder's begins (`a.md`), as `Path`s
    /// order themselves. Hidden entries (`.git`, `.omroep`) are skipped and symbolic
    /// links are never followed. Each folder is listed to its end before the next is
    /// opened, and only its folders' names and matching files are kept: a deep tree
    /// keeps one frame per level but no descriptor, except the listings that files'
    /// entries keep open for their stamps (see [`FOLDERS_KEPT_OPEN`]). Every folder
    /// below `start` is listed, except under a pattern of one folder's files that is
    /// matched by name (`p/*.md`, whose files are never in a folder below `p`): a
    /// folder that cannot be listed is an error where its files could match.
    fn folders(&mut self, start: &Path) -> Result<(), String> {
        let relative = relative_folder(self.root, start);
        // Where the pattern's fixed folders spell the start folder's path as its files'
        // paths begin, only names need matching; else (`posts//*.md`, a pattern with
        // glob syntax in a folder) every path is matched whole, as the glob has it.
        if !cfg!(windows) {
            self.by_name = NamePattern::of(self.pattern).filter(|by| by.spells(&relative));
        }
        let mut frames = vec![self.folder(start.to_path_buf(), &relative, 0)?];
        while let Some(frame) = frames.last_mut() {
            let Some(entry) = frame.next() else {
                frames.pop();
                continue;
            };
            match entry.kind {
                EntryKind::Folder => {
                    let name = entry.relative.file_name().unwrap_or_default();
                    let full = frame.full.join(name);
                    let depth = frame.depth + 1;
                    let inner = self.folder(full, &entry.relative, depth)?;
                    frames.push(inner);
                }
                EntryKind::File(stamp) => {
                    self.found.files.push(entry.relative);
                    self.found.stamps.push(stamp);
                }
                EntryKind::Link => self.found.links.push(entry.relative),
            }
        }
        Ok(())
    }

    /// The folders and matching files of `folder` (`relative` to the root, see
    /// [`relative_folder`]), sorted. Its listing stays open for its files' stamps while
    /// fewer than [`FOLDERS_KEPT_OPEN`] are.
    fn folder(&mut self, folder: PathBuf, relative: &Path, depth: usize) -> Result<Frame, String> {
        let (root, pattern) = (self.root, self.pattern);
        let cannot = |e: std::io::Error| {
            format!(
                "cannot list `{pattern}`: {}: {e}",
                reference::slash_path(&super::local::relative_to(root, &folder))
            )
        };
        let keep_open = self.kept_open < FOLDERS_KEPT_OPEN;
        // A pattern of one folder's files matched by name finds nothing below it.
        let descend = self
            .by_name
            .as_ref()
            .is_none_or(|by_name| by_name.any_depth);
        let (mut kept, mut files) = (false, 0);
        let (mut entries, mut order) = (Vec::new(), Vec::new());
        for entry in std::fs::read_dir(&folder).map_err(cannot)? {
            let entry = entry.map_err(cannot)?;
            let name = entry.file_name();
            let bytes = name.as_encoded_bytes();
            if bytes.starts_with(b".") {
                continue;
            }
            let kind = entry.file_type().map_err(cannot)?;
            if kind.is_dir() {
                if !descend {
                    continue;
                }
                order.push((name_key(bytes), entries.len()));
                entries.push(Entry {
                    relative: joined(relative, &name),
                    kind: EntryKind::Folder,
                });
                continue;
            }
            if !self.wanted(bytes, kind) {
                continue;
            }
            let relative = match &self.by_name {
                Some(by_name) => {
                    if !(by_name.any_depth || depth == 0) || !by_name.name.matches(bytes) {
                        continue;
                    }
                    joined(relative, &name)
                }
                None => {
                    let relative = joined(relative, &name);
                    if !self.path_matches(&relative) {
                        continue;
                    }
                    relative
                }
            };
            let kind = if kind.is_symlink() {
                EntryKind::Link
            } else {
                // A file gone since it was listed has no stamp: whoever reads it
                // reports it.
                let stamp = ListedStamp::of_entry(entry, keep_open);
                kept |= matches!(stamp, ListedStamp::Entry(_));
                files += 1;
                EntryKind::File(stamp)
            };
            order.push((name_key(bytes), entries.len()));
            entries.push(Entry { relative, kind });
        }
        if kept {
            self.kept_open += 1;
        }
        self.found.files.reserve(files);
        self.found.stamps.reserve(files);
        Ok(Frame::sort(folder, depth, entries, order))
    }

    /// Whether an entry named `name` (its bytes) of this kind can be a source file: a
    /// file or symbolic link with one of the known extensions.
    fn wanted(&self, name: &[u8], kind: std::fs::FileType) -> bool {
        if !kind.is_file() && !kind.is_symlink() {
            return false;
        }
        extension(name).is_some_and(|ext| {
            self.extensions
                .iter()
                .any(|known| ext.eq_ignore_ascii_case(known.as_bytes()))
        })
    }

    /// Whether `relative` matches the whole pattern.
    fn path_matches(&self, relative: &Path) -> bool {
        // globset matches paths with `/` separators; only Windows needs them rewritten.
        let matcher = self.matcher.get_or_init(|| self.glob.compile_matcher());
        if cfg!(windows) {
            matcher.is_match(reference::slash_path(relative))
        } else {
            matcher.is_match(relative)
        }
    }
}

/// `relative` with `name` (an entry's name: no `/`, not empty) joined, as `Path::join`
/// joins them, in one allocation. On Unix that is the bytes with a `/` between them
/// unless `relative` is empty or ends in one: `push` would check the name for a root
/// and a prefix first, at every file.
fn joined(relative: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let length = relative.as_os_str().len() + 1 + name.len();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let mut path = Vec::with_capacity(length);
        path.extend_from_slice(relative.as_os_str().as_bytes());
        if path.last().is_some_and(|&last| last != b'/') {
            path.push(b'/');
        }
        path.extend_from_slice(name.as_bytes());
        PathBuf::from(std::ffi::OsString::from_vec(path))
    }
    #[cfg(not(unix))]
    {
        let mut path = PathBuf::with_capacity(length);
        path.push(relative);
        path.push(name);
        path
    }
}

/// The extension of a file named `name` (its bytes), as `Path::extension` gives it:
/// what follows the last `.`, unless that `.` begins the name (or the name is `..`).
fn extension(name: &[u8]) -> Option<&[u8]> {
    if name == b".." {
        return None;
    }
    let dot = name.iter().rposition(|&b| b == b'.')?;
    (dot > 0).then(|| &name[dot + 1..])
}

/// The path of `folder` relative to `root` that its files' names are joined to: their
/// paths spelled as cutting each file's full path from the root spells them. A `.` in
/// the middle of a path is kept that way, but `strip_prefix` of the folder itself drops
/// a trailing one (`posts/.` gives `posts`), and a pattern `posts/./*.md` matches
/// `posts/./a.md` and not `posts/a.md`; so a name is joined, the path cut, and the name
/// taken off again (`posts/./`; the root itself, or `root/.`, gives an empty path).
fn relative_folder(root: &Path, folder: &Path) -> PathBuf {
    const NAME: &str = "x";
    let inside = folder.join(NAME);
    let Ok(relative) = inside.strip_prefix(root) else {
        // Not below the root: the files' full paths, as cutting them would leave them.
        return folder.to_path_buf();
    };
    // What follows the root comes from the pattern, which is UTF-8.
    match relative.to_str().and_then(|text| text.strip_suffix(NAME)) {
        Some(folder) => PathBuf::from(folder),
        None => relative.parent().unwrap_or(Path::new("")).to_path_buf(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let files: Vec<(&str, &str)> = files.iter().map(|file| (*file, "x")).collect();
        tree_with(&files)
    }

    /// A temporary folder holding each `(path, text)` of `files`.
    pub(in crate::ingest) fn tree_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// Reads `posts/a.md` through a session sharing `cache` (as the runs of one store
    /// do), and returns what that session had to read.
    fn run_reading(
        site: &Path,
        cache: &Arc<super::super::file_cache::MemoryFileCache>,
    ) -> Vec<FileRead> {
        let session = Session::with_file_cache(
            super::super::local::LocalSettings::new(
                site,
                url::Url::parse("https://example.org/").unwrap(),
            ),
            Box::new(cache.clone()),
        );
        let relative = Path::new("posts/a.md");
        let listed = FileStamp::of(&site.join(relative)).ok();
        read_or_reuse(&session, relative, listed);
        lock(&session.reads).clone()
    }

    /// Rewrites `file` with `text` of the same length and puts its mtime back: an edit
    /// in the same tick of the file system's clock as the last reading.
    fn edit_in_the_same_tick(file: &Path, text: &str) {
        let modified = std::fs::metadata(file).unwrap().modified().unwrap();
        std::fs::write(file, text).unwrap();
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(modified)
            .unwrap();
    }

    /// A memory cache that says it is still loading for its first `loading` questions.
    struct StillLoading {
        cache: Arc<super::super::file_cache::MemoryFileCache>,
        loading: AtomicUsize,
    }

    impl super::super::file_cache::FileCache for StillLoading {
        fn audio(&self, path: &Path) -> Option<super::super::file_cache::CachedAudio> {
            self.cache.audio(path)
        }
        fn put_audio(&self, path: &Path, audio: super::super::file_cache::CachedAudio) {
            self.cache.put_audio(path, audio);
        }
        fn document(&self, path: &Path) -> Option<Arc<CachedDocument>> {
            self.cache.document(path)
        }
        fn put_document(&self, path: &Path, document: Arc<CachedDocument>) {
            self.cache.put_document(path, document);
        }
        fn ready(&self) -> bool {
            self.loading
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_err()
        }
    }

    #[test]
    fn stamps_taken_ahead_while_the_cache_loads_give_what_a_ready_cache_gives() {
        let dir = tempfile::tempdir().unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for i in 0..40 {
            let post = dir.path().join(format!("posts/p{i:02}.md"));
            std::fs::create_dir_all(post.parent().unwrap()).unwrap();
            std::fs::write(
                &post,
                format!(
                    "---\ntitle: Post {i}\ndate: 2024-01-{:02}\n---\nText {i}.\n",
                    1 + i % 28
                ),
            )
            .unwrap();
            std::fs::File::options()
                .write(true)
                .open(&post)
                .unwrap()
                // Each file its own mtime: a stamp taken for one file and kept for
                // another differs from the other's, which is then read again.
                .set_modified(hour_ago - std::time::Duration::from_secs(i))
                .unwrap();
        }
        let settings = super::super::local::LocalSettings::new(
            dir.path(),
            url::Url::parse("https://example.org/").unwrap(),
        );
        let cache = Arc::new(super::super::file_cache::MemoryFileCache::default());
        let mut first = Session::with_file_cache(settings.clone(), Box::new(cache.clone()));
        let read = markdown(&mut first, "posts/*.md");
        assert_eq!(read.items.len(), 40, "{:?}", read.problems);

        for loading in [0, 5, 1000] {
            let still = StillLoading {
                cache: cache.clone(),
                loading: AtomicUsize::new(loading),
            };
            let mut again = Session::with_file_cache(settings.clone(), Box::new(still));
            let reused = markdown(&mut again, "posts/*.md");
            assert_eq!(
                reused, read,
                "cache not ready for its first {loading} questions"
            );
            assert!(
                again.reads().is_empty(),
                "every file reused by its stamp: {:?}",
                again.reads()
            );
        }

        // A file edited after the last run is read again, its stamp taken ahead or not.
        std::fs::write(
            dir.path().join("posts/p07.md"),
            "---\ntitle: Edited\ndate: 2024-01-08\n---\nNew text.\n",
        )
        .unwrap();
        let still = StillLoading {
            cache: cache.clone(),
            loading: AtomicUsize::new(1000),
        };
        let mut edited = Session::with_file_cache(settings, Box::new(still));
        let after = markdown(&mut edited, "posts/*.md");
        assert!(
            after
                .items
                .iter()
                .any(|item| item.entry.title.as_deref() == Some("Edited")),
            "the edit is seen"
        );
        assert_eq!(
            edited.reads(),
            vec![FileRead::Parsed(dir.path().join("posts/p07.md"))]
        );
    }

    #[test]
    fn a_file_read_with_a_recent_mtime_is_hashed_next_run_and_an_old_one_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let post = dir.path().join("posts/a.md");
        std::fs::create_dir_all(post.parent().unwrap()).unwrap();
        let parsed = FileRead::Parsed(post.clone());

        // Written just now: its stamp cannot vouch for the content read with it.
        std::fs::write(&post, "---\ntitle: A\ndate: 2024-01-01\n---\nold\n").unwrap();
        let cache = Arc::new(super::super::file_cache::MemoryFileCache::default());
        assert_eq!(run_reading(dir.path(), &cache), vec![parsed.clone()]);
        edit_in_the_same_tick(&post, "---\ntitle: A\ndate: 2024-01-01\n---\nnew\n");
        let next = run_reading(dir.path(), &cache);
        assert!(
            next.contains(&FileRead::Hashed(post.clone())) && next.contains(&parsed),
            "the edit is found by the hash and the file read again: {next:?}"
        );

        // Last changed an hour before the run: same size and mtime mean the same file.
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&post)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        let cache = Arc::new(super::super::file_cache::MemoryFileCache::default());
        assert_eq!(run_reading(dir.path(), &cache), vec![parsed.clone()]);
        edit_in_the_same_tick(&post, "---\ntitle: A\ndate: 2024-01-01\n---\nold\n");
        assert_eq!(
            run_reading(dir.path(), &cache),
            vec![],
            "trusted by its stamp"
        );
    }

    #[test]
    fn the_path_order_orders_paths_as_paths_order_themselves() {
        let mut paths: Vec<PathBuf> = [
            "a/b",
            "a-b",
            "a.b/c",
            "a b",
            "ab",
            "a/b/c",
            "a",
            "a/b-c",
            "a/b/c/d",
            "b/a",
            "A/b",
            "é/a",
            "e/a",
            "a/ b",
            "a/!",
            "post-0010.md",
            "post-0009.md",
            "z",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_order = paths.clone();
        paths.sort();
        by_order.sort_by(|a, b| path_order(a, b));
        assert_eq!(by_order, paths);
        // `a/b` before `a-b`: a plain byte order of the paths would put `-` first.
        assert!(path_order(Path::new("a/b"), Path::new("a-b")).is_lt());
    }

    #[test]
    fn the_path_order_is_the_order_of_paths_on_generated_paths() {
        let mut random = crate::test_random::Xorshift::new(0x0bad_5eed_1234_5678);
        let pieces = [
            "a", "b", "A", "é", "-", ".", "/", "//", "./", "/.", "..", " ", "0", "ab", "a.md",
        ];
        let generate = |random: &mut crate::test_random::Xorshift| {
            let length = random.below(7);
            PathBuf::from(
                (0..length)
                    .map(|_| pieces[random.below(pieces.len())])
                    .collect::<String>(),
            )
        };
        // A `.` or `..` component against a name with a byte below `.` (`-`, ` `):
        // `Path` puts the dots first, their bytes would not.
        for (a, b) in [
            ("a/..", "a/.-"),
            ("a/../b", "a/.-"),
            ("a/.", "a/-"),
            ("a/./b", "a/-"),
            ("..", ". "),
            ("./b", "-"),
            ("a/b/.", "a/b/-"),
        ] {
            let (a, b) = (Path::new(a), Path::new(b));
            assert_eq!(path_order(a, b), a.cmp(b), "{a:?} against {b:?}");
            assert_eq!(path_order(b, a), b.cmp(a), "{b:?} against {a:?}");
        }
        // Paths that differ first at byte 8, 15, 16 and later: the bytes compared eight
        // at a time must find where.
        for (a, b) in [
            ("posts/2024/abc.md", "posts/2024/abd.md"),
            ("abcdefghXb", "abcdefghYa"),
            ("abcdefgh/ijklmnoX", "abcdefgh/ijklmnoY"),
            ("abcdefgh/ijklmno/X", "abcdefgh/ijklmno/Y"),
            (
                "abcdefgh/ijklmno/pqrstuvwxyz1",
                "abcdefgh/ijklmno/pqrstuvwxyz0",
            ),
            ("abcdefghijklmnop-", "abcdefghijklmnop/"),
        ] {
            let (a, b) = (Path::new(a), Path::new(b));
            assert_eq!(path_order(a, b), a.cmp(b), "{a:?} against {b:?}");
            assert_eq!(path_order(b, a), b.cmp(a), "{b:?} against {a:?}");
        }
        for _ in 0..20_000 {
            // Often one shared beginning with different tails, so that long shared
            // beginnings with a difference after them are common.
            let (a, b) = if random.below(2) == 0 {
                let base = generate(&mut random).into_os_string();
                let mut a = base.clone();
                a.push(generate(&mut random));
                let mut b = base;
                b.push(generate(&mut random));
                (PathBuf::from(a), PathBuf::from(b))
            } else {
                (generate(&mut random), generate(&mut random))
            };
            assert_eq!(path_order(&a, &b), a.cmp(&b), "{a:?} against {b:?}");
            assert_eq!(path_order(&b, &a), b.cmp(&a), "{b:?} against {a:?}");
        }
    }

    #[test]
    fn a_name_is_joined_as_path_joins_it() {
        for relative in [
            "",
            "posts",
            "posts/",
            "posts/./",
            "posts/.",
            "/site/posts",
            "a//",
        ] {
            for name in ["a.md", "é", "a b", "..x", "x."] {
                assert_eq!(
                    joined(Path::new(relative), std::ffi::OsStr::new(name)).as_os_str(),
                    Path::new(relative).join(name).as_os_str(),
                    "{relative:?} and {name:?}, spelled"
                );
            }
        }
    }

    #[test]
    fn an_extension_is_the_one_path_gives() {
        for name in [
            "a.md", "a", ".md", "..", ".", "a.", "a.b.md", ".a.md", "..md", "a..", "é.MD", "",
        ] {
            assert_eq!(
                extension(name.as_bytes()),
                Path::new(name).extension().map(|e| e.as_encoded_bytes()),
                "{name:?}"
            );
        }
    }

    /// The files and links of a plain walk, the reference `find` is checked against:
    /// every folder below the start listed in any order, each file's path matched
    /// whole by the glob, and the paths sorted at the end. (The pattern's checks and its
    /// widening are `find`'s own, [`glob_and_start`]: it is given a pattern `find` took.)
    fn found_by_sorting_paths(
        root: &Path,
        pattern: &str,
        extensions: &[&str],
        recursive: bool,
    ) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let (pattern, start) =
            glob_and_start(root, pattern.trim().trim_start_matches("./"), recursive);
        let matcher = globset::GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .unwrap()
            .compile_matcher();
        let (mut files, mut links) = (Vec::new(), Vec::new());
        let mut keep = |relative: PathBuf, kind: std::fs::FileType| {
            let known = relative.extension().is_some_and(|ext| {
                extensions
                    .iter()
                    .any(|known| ext.eq_ignore_ascii_case(known))
            });
            if (kind.is_file() || kind.is_symlink()) && known && matcher.is_match(&relative) {
                if kind.is_symlink() {
                    links.push(relative);
                } else {
                    files.push(relative);
                }
            }
        };
        if start.is_dir() {
            let mut pending = vec![(start.clone(), relative_folder(root, &start))];
            while let Some((folder, relative)) = pending.pop() {
                for entry in std::fs::read_dir(&folder).unwrap() {
                    let entry = entry.unwrap();
                    let name = entry.file_name();
                    if name.as_encoded_bytes().starts_with(b".") {
                        continue;
                    }
                    let kind = entry.file_type().unwrap();
                    if kind.is_dir() {
                        pending.push((folder.join(&name), relative.join(&name)));
                    } else {
                        keep(relative.join(&name), kind);
                    }
                }
            }
        } else if let Ok(meta) = std::fs::symlink_metadata(&start) {
            keep(
                start.strip_prefix(root).unwrap().to_path_buf(),
                meta.file_type(),
            );
        }
        files.sort();
        links.sort();
        (files, links)
    }

    /// A generated site: folders and files named with letters of both cases, digits,
    /// dots, dashes, spaces, non-ASCII letters and long beginnings (and, on Unix, bytes that are not
    /// UTF-8), hidden ones, several extensions and symbolic links.
    fn generated_site(random: &mut crate::test_random::Xorshift) -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        // Names longer than 16 bytes with the same beginning too: `name_key` does not
        // tell them apart.
        let letters = [
            "a",
            "b",
            "A",
            "B",
            "0",
            "9",
            "é",
            "日",
            "-",
            " ",
            ".",
            "ab",
            "a.",
            "a-long-beginning",
        ];
        let extensions = [
            ".md",
            ".md",
            ".MD",
            ".markdown",
            ".mp3",
            ".txt",
            "",
            ".md.md",
        ];
        let name = |random: &mut crate::test_random::Xorshift| -> std::ffi::OsString {
            let mut name: String = (0..1 + random.below(4))
                .map(|_| letters[random.below(letters.len())])
                .collect();
            if random.below(12) == 0 {
                name.insert(0, '.');
            }
            #[cfg(unix)]
            if random.below(15) == 0 {
                use std::os::unix::ffi::OsStringExt;
                let mut bytes = name.into_bytes();
                bytes.push(0xff);
                return std::ffi::OsString::from_vec(bytes);
            }
            name.into()
        };
        let mut folders = vec![site.path().to_path_buf(), site.path().join("p")];
        std::fs::create_dir(&folders[1]).unwrap();
        for _ in 0..random.below(10) {
            let parent = folders[random.below(folders.len())].clone();
            let folder = parent.join(name(random));
            if std::fs::create_dir(&folder).is_ok() {
                folders.push(folder);
            }
        }
        for _ in 0..random.below(40) {
            let folder = &folders[random.below(folders.len())];
            let mut file = name(random);
            file.push(extensions[random.below(extensions.len())]);
            let path = folder.join(file);
            if path.exists() {
                continue;
            }
            #[cfg(unix)]
            if random.below(10) == 0 {
                std::os::unix::fs::symlink(site.path().join("p"), &path).unwrap();
                continue;
            }
            std::fs::write(&path, "x").unwrap();
        }
        site
    }

    #[test]
    fn folders_sorted_while_listing_give_what_sorting_the_paths_gave() {
        let patterns = [
            "p/**/*.md",
            "p/*.md",
            "p",
            "p/",
            "p/.",
            "p/./**/*.md",
            "p/./*",
            "**/*.md",
            "*.md",
            "*",
            "**/*",
            "p/**/*",
            "p/*",
            "p/a*/*.md",
            "p/**/a*.md",
            "p/**/*a*b*",
            "p/**/*.MD",
            "p/**/[a-c]*.md",
            "p/{a,b}*.md",
            "p//**/*.md",
            "p/**/é*",
            "p/**/*.markdown",
            "p/**/*.md.md",
            "p/*/*.md",
            "p/**/b",
            "p/a",
            "p/a/**/*.md",
            "p/a.md",
        ];
        let mut random = crate::test_random::Xorshift::new(0x7e57_f01d_e125_0001);
        for _ in 0..40 {
            let site = generated_site(&mut random);
            // A folder a pattern names, when the generator made none of that name.
            std::fs::create_dir_all(site.path().join("p/a")).unwrap();
            for pattern in patterns {
                for (extensions, recursive) in [(MARKDOWN, true), (&["mp3", "txt"][..], false)] {
                    let found = find(site.path(), pattern, extensions, recursive);
                    let Ok(found) = found else {
                        panic!("{pattern}: {found:?}");
                    };
                    let expected =
                        found_by_sorting_paths(site.path(), pattern, extensions, recursive);
                    assert_eq!(
                        (&found.files, &found.links),
                        (&expected.0, &expected.1),
                        "{pattern} ({extensions:?}) in {:?}",
                        walkdir::WalkDir::new(site.path())
                            .into_iter()
                            .map(|e| e.unwrap().into_path())
                            .collect::<Vec<_>>()
                    );
                    assert_eq!(found.stamps.len(), found.files.len());
                    for (file, stamp) in found.files.iter().zip(&found.stamps) {
                        let expected = FileStamp::of(&site.path().join(file)).ok();
                        assert_eq!(stamp.get(), expected, "{}", file.display());
                    }
                }
            }
        }
    }

    fn names(found: Found) -> Vec<String> {
        found
            .files
            .iter()
            .map(|p| reference::slash_path(p))
            .collect()
    }

    #[test]
    fn items_end_newest_first_and_in_path_order_within_a_date() {
        use chrono::TimeZone;
        // Dates repeating, missing, and out of order against the paths.
        let items: Vec<LocalItem> = (0..300)
            .map(|i: i64| LocalItem {
                entry: crate::model::Entry {
                    id: format!("https://example.org/{i}/"),
                    published: (i % 7 != 3).then(|| {
                        chrono::Utc
                            .timestamp_opt((i * 37) % 23 * 86_400, 0)
                            .unwrap()
                    }),
                    ..Default::default()
                },
                kind: super::super::local::ItemKind::Post,
                language: None,
                path: PathBuf::from(format!("posts/{:03}.md", (i * 7919) % 300)),
                tags: Vec::new(),
                assets: Vec::new(),
            })
            .collect();
        let mut collected = Collected {
            items: items.clone(),
            ..Collected::default()
        };
        finish(&mut collected);
        let mut expected = items;
        expected.sort_by(|a, b| a.path.cmp(&b.path));
        expected.sort_by_key(|item| std::cmp::Reverse(item.entry.published));
        assert_eq!(collected.items, expected);
        assert!(collected.problems.is_empty());
    }

    #[test]
    fn files_come_in_path_order_folder_by_folder_whatever_the_listing_order() {
        // Created out of order; `a/` sorts before `a-b/` and `a.md` (names compare per
        // folder), although `/` is a later byte than `-` and `.`.
        let site = tree(&["p/b.md", "p/a.md", "p/a.b/d.md", "p/a-b/c.md", "p/a/b.md"]);
        assert_eq!(
            names(find(site.path(), "p/**/*.md", MARKDOWN, true).unwrap()),
            vec!["p/a/b.md", "p/a-b/c.md", "p/a.b/d.md", "p/a.md", "p/b.md"]
        );
    }

    #[test]
    fn a_pattern_whose_fixed_part_ends_in_a_dot_finds_the_files_as_it_spells_them() {
        let site = tree(&["top.md", "posts/a.md", "posts/sub/b.md", "episodes/e.mp3"]);
        // Spelled as found (`slash_path` drops a `.` in the middle).
        let found = |pattern: &str, extensions: &[&str], recursive: bool| {
            let found = find(site.path(), pattern, extensions, recursive).unwrap();
            let spelled = |path: &PathBuf| path.to_string_lossy().replace('\\', "/");
            found.files.iter().map(spelled).collect::<Vec<_>>()
        };
        assert_eq!(found("posts/./*.md", MARKDOWN, true), vec!["posts/./a.md"]);
        assert_eq!(
            found("posts/./**/*.md", MARKDOWN, true),
            vec!["posts/./a.md", "posts/./sub/b.md"]
        );
        // A folder: `posts/./**/*`.
        assert_eq!(
            found("posts/.", MARKDOWN, true),
            vec!["posts/./a.md", "posts/./sub/b.md"]
        );
        // An audio folder: `episodes/./*`.
        assert_eq!(
            found("episodes/./*", bare_audio::EXTENSIONS, false),
            vec!["episodes/./e.mp3"]
        );
        // Without the dot, as before.
        assert_eq!(found("posts/*.md", MARKDOWN, true), vec!["posts/a.md"]);
        assert_eq!(
            found("posts/", MARKDOWN, true),
            vec!["posts/a.md", "posts/sub/b.md"]
        );
        assert_eq!(found("*.md", MARKDOWN, true), vec!["top.md"]);
    }

    #[test]
    fn a_folder_relative_to_the_root_keeps_a_trailing_dot() {
        let root = Path::new("/site");
        let relative = |folder: &str| relative_folder(root, &root.join(folder));
        let slash = std::path::MAIN_SEPARATOR;
        assert_eq!(relative("posts/.").as_os_str(), &*format!("posts/.{slash}"));
        assert_eq!(relative("posts").as_os_str(), &*format!("posts{slash}"));
        assert_eq!(relative("posts/").as_os_str(), "posts/");
        // The root itself, however spelled, is no folder of the path.
        assert_eq!(relative("").as_os_str(), "");
        assert_eq!(relative(".").as_os_str(), "");
        // Not below the root: the full path.
        let outside = Path::new("/elsewhere/posts");
        assert_eq!(relative_folder(root, outside), outside);
    }

    /// A tree 300 folders deep, listed with at most 64 open descriptors allowed: in a
    /// child process (the limit is the whole process's), which runs this test alone.
    #[cfg(unix)]
    #[test]
    fn a_tree_deeper_than_the_open_descriptors_allowed_is_listed() {
        const CHILD: &str = "OMROEP_TEST_LISTING_WITH_FEW_DESCRIPTORS";
        const NAME: &str =
            "ingest::collect::tests::a_tree_deeper_than_the_open_descriptors_allowed_is_listed";
        if std::env::var_os(CHILD).is_none() {
            let output = std::process::Command::new(std::env::current_exe().unwrap())
                .args([NAME, "--exact", "--test-threads=1"])
                .env(CHILD, "1")
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success() && stdout.contains("1 passed"),
                "{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            return;
        }
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `limit` is a valid rlimit for the calls to read and write.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
            limit.rlim_cur = limit.rlim_cur.min(64);
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
        let site = tempfile::tempdir().unwrap();
        let mut deep = site.path().join("p");
        for _ in 0..300 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("deep.md"), "x").unwrap();
        std::fs::write(site.path().join("p/top.md"), "x").unwrap();
        // And 100 folders of a file each (a folder per post): the listings kept open
        // for the stamps stay within the descriptors allowed.
        for i in 0..100 {
            let folder = site.path().join(format!("p/w{i:03}"));
            std::fs::create_dir(&folder).unwrap();
            std::fs::write(folder.join("index.md"), "x").unwrap();
        }
        let found = find(site.path(), "p/**/*.md", MARKDOWN, true).unwrap();
        assert!(found.stamps.iter().all(|stamp| stamp.get().is_some()));
        let mut expected = vec![format!("p/{}deep.md", "d/".repeat(300))];
        expected.push("p/top.md".to_string());
        expected.extend((0..100).map(|i| format!("p/w{i:03}/index.md")));
        assert_eq!(names(found), expected);
    }

    #[test]
    fn the_listing_gives_each_file_the_stamp_a_stat_of_its_path_gives() {
        let site = tree(&["p/b.md", "p/a/c.md", "p/a.md", "p/.hidden/d.md"]);
        std::fs::write(site.path().join("p/a/c.md"), "longer content").unwrap();
        let found = find(site.path(), "p/**/*.md", MARKDOWN, true).unwrap();
        assert_eq!(found.files.len(), 3);
        assert_eq!(found.stamps.len(), found.files.len());
        for (file, stamp) in found.files.iter().zip(&found.stamps) {
            let expected = FileStamp::of(&site.path().join(file)).unwrap();
            assert_eq!(stamp.get().as_ref(), Some(&expected), "{}", file.display());
        }
        assert_eq!(found.stamps[0].get().map(|s| s.size), Some(14), "p/a/c.md");
        // Taken when asked: a file changed or removed after the listing has the stamp
        // it has then. (On Windows every stamp is taken while listing: see
        // `ListedStamp::of_entry`.)
        #[cfg(not(windows))]
        {
            std::fs::write(site.path().join("p/a/c.md"), "longer content still").unwrap();
            assert_eq!(found.stamps[0].get().map(|s| s.size), Some(20), "p/a/c.md");
            std::fs::remove_file(site.path().join("p/b.md")).unwrap();
            assert_eq!(found.stamps[2].get(), None, "p/b.md");
            std::fs::write(site.path().join("p/b.md"), "x").unwrap();
        }
        // Taken once: the stamp of that moment is kept in place of the entry.
        let mut found = find(site.path(), "p/**/*.md", MARKDOWN, true).unwrap();
        let first = found.stamps[0].take();
        assert_eq!(first, FileStamp::of(&site.path().join("p/a/c.md")).ok());
        assert!(matches!(found.stamps[0], ListedStamp::Taken(_)));
        std::fs::write(site.path().join("p/a/c.md"), "changed once more").unwrap();
        assert_eq!(found.stamps[0].take(), first);
        assert_eq!(found.stamps[0].get(), first);
        // A single file named by the pattern has its stamp too.
        let one = find(site.path(), "p/b.md", MARKDOWN, true).unwrap();
        assert_eq!(
            one.stamps.iter().map(ListedStamp::get).collect::<Vec<_>>(),
            vec![FileStamp::of(&site.path().join("p/b.md")).ok()]
        );
    }

    /// (On Windows every stamp is taken while listing: see `ListedStamp::of_entry`.)
    #[cfg(not(windows))]
    #[test]
    fn files_of_more_folders_than_are_kept_open_are_stamped_while_listing() {
        let files: Vec<String> = (0..FOLDERS_KEPT_OPEN * 2 + 3)
            .map(|i| format!("p/f{i:03}/a.md"))
            .collect();
        let site = tree(&files.iter().map(String::as_str).collect::<Vec<_>>());
        let found = find(site.path(), "p/**/*.md", MARKDOWN, true).unwrap();
        let kept = found
            .stamps
            .iter()
            .filter(|stamp| matches!(stamp, ListedStamp::Entry(_)))
            .count();
        assert_eq!(kept, FOLDERS_KEPT_OPEN, "one file per folder");
        for (file, stamp) in found.files.iter().zip(&found.stamps) {
            let expected = FileStamp::of(&site.path().join(file)).ok();
            assert!(expected.is_some());
            assert_eq!(stamp.get(), expected, "{}", file.display());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_cannot_be_listed_is_an_error_naming_it() {
        use std::os::unix::fs::PermissionsExt;
        let site = tree(&["p/a.md", "p/locked/b.md"]);
        let locked = site.path().join("p/locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root reads every folder anyway; the error is only seen by other users.
        let listable = std::fs::read_dir(&locked).is_ok();
        let found = find(site.path(), "p/**/*.md", MARKDOWN, true);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        if listable {
            assert_eq!(found.unwrap().files.len(), 2);
        } else {
            let message = found.unwrap_err();
            assert!(
                message.starts_with("cannot list `p/**/*.md`: p/locked: "),
                "{message}"
            );
        }
    }

    #[test]
    fn a_pattern_of_one_folders_files_does_not_list_the_folders_below_it() {
        use std::os::unix::fs::PermissionsExt;
        let site = tree(&["p/a.md", "p/locked/b.md", "p/sub/c.md"]);
        let locked = site.path().join("p/locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let found = find(site.path(), "p/*.md", MARKDOWN, true);
        let below = find(site.path(), "p/*/*.md", MARKDOWN, true);
        let listable = std::fs::read_dir(&locked).is_ok();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        // The folder that cannot be listed holds no file `p/*.md` could match.
        assert_eq!(names(found.unwrap()), ["p/a.md"]);
        // A pattern that reaches into the folders still lists them all.
        match below {
            Ok(found) => {
                assert!(listable);
                assert_eq!(names(found), ["p/locked/b.md", "p/sub/c.md"]);
            }
            Err(message) => {
                assert!(!listable);
                assert!(
                    message.starts_with("cannot list `p/*/*.md`: p/locked: "),
                    "{message}"
                );
            }
        }
    }

    #[test]
    fn globs_folders_and_single_files() {
        let site = tree(&[
            "content/posts/en/b.md",
            "content/posts/en/a.md",
            "content/posts/nl/c.markdown",
            "content/posts/nl/photo.jpg",
            "content/posts/.drafts/d.md",
            "content/top.md",
        ]);
        let root = site.path();
        assert_eq!(
            names(find(root, "content/posts/**/*.md", MARKDOWN, true).unwrap()),
            vec!["content/posts/en/a.md", "content/posts/en/b.md"]
        );
        assert_eq!(
            names(find(root, "content/posts", MARKDOWN, true).unwrap()),
            vec![
                "content/posts/en/a.md",
                "content/posts/en/b.md",
                "content/posts/nl/c.markdown"
            ]
        );
        assert_eq!(
            names(find(root, "content/*.md", MARKDOWN, true).unwrap()),
            vec!["content/top.md"]
        );
        assert_eq!(
            names(find(root, "content/top.md", MARKDOWN, true).unwrap()),
            vec!["content/top.md"]
        );
        assert_eq!(
            names(find(root, "content", MARKDOWN, false).unwrap()),
            vec!["content/top.md"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_reported_not_followed() {
        let site = tree(&["posts/a.md"]);
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("b.md"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("b.md"), site.path().join("posts/b.md"))
            .unwrap();
        let found = find(site.path(), "posts/*.md", MARKDOWN, true).unwrap();
        assert_eq!(found.files, vec![PathBuf::from("posts/a.md")]);
        assert_eq!(found.links, vec![PathBuf::from("posts/b.md")]);
        let warning = found.link_warnings().next().unwrap();
        assert!(!warning.is_error);
        assert!(
            warning
                .to_string()
                .starts_with("posts/b.md: is a symbolic link")
        );
    }

    #[test]
    fn patterns_cannot_leave_the_site() {
        let site = tree(&["a.md"]);
        assert!(
            find(site.path(), "../*.md", MARKDOWN, true)
                .unwrap_err()
                .contains("without `..`")
        );
        assert!(
            find(site.path(), "/etc/*.md", MARKDOWN, true)
                .unwrap_err()
                .contains("inside the site")
        );
        assert!(
            find(site.path(), "nope/*.md", MARKDOWN, true)
                .unwrap_err()
                .contains("does not exist")
        );
    }
}
