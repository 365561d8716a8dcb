//! The folders of a run's Markdown sources, listed ahead on a thread of their own.
//!
//! A run first opens its store and starts loading the file cache (`store`), and only
//! then collects its sources. Listing the content folders does not need the store: a
//! run that knows its sources (a build knows them from its feeds) starts
//! [`Listings::start`] before it opens the store, so that the listing, on another
//! core, is done or nearly done when the collection asks for it. In a run with nothing
//! changed that listing is a sixth of the work, and the store's opening leaves the
//! other core idle meanwhile.
//!
//! A listing is handed out once, to the first collection of its pattern
//! ([`Listings::take`]); its files are stamped by whoever reads them, as with a
//! listing taken at the time (see `collect::ListedStamp`). A pattern that was not
//! listed ahead, or that a second source names again, is listed when it is collected.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::collect::{Found, MARKDOWN, find};
use super::local::lock;

/// How many patterns are listed ahead at most: each listing keeps up to 16 folders
/// open until it is collected (see `collect::ListedStamp`), and a site with more
/// sources than this lists the rest when it collects them.
const AT_MOST: usize = 8;

/// The listings of some Markdown patterns of one site, being taken or taken.
#[derive(Debug)]
pub struct Listings {
    root: PathBuf,
    slots: Arc<[Slot]>,
}

/// One pattern's listing: set by the listing thread when it is done (`None` when the
/// thread stopped before it: the collection then lists it itself), taken once.
#[derive(Debug)]
struct Slot {
    pattern: String,
    listed: OnceLock<Mutex<Option<Result<Found, String>>>>,
}

/// Sets every slot the listing thread did not reach (it panicked) to "not listed",
/// so that no collection waits for it forever.
struct FillTheRest<'a>(&'a [Slot]);

impl Drop for FillTheRest<'_> {
    fn drop(&mut self) {
        for slot in self.0 {
            let _ = slot.listed.set(Mutex::new(None));
        }
    }
}

impl Listings {
    /// Starts listing the Markdown files of each pattern (in this order) under `root`,
    /// as `collect_markdown` would. When no thread can be started, nothing is listed
    /// ahead and every collection lists its own.
    pub fn start<S: AsRef<str>>(root: &Path, patterns: &[S]) -> Listings {
        let mut seen = std::collections::HashSet::new();
        let slots: Arc<[Slot]> = patterns
            .iter()
            .map(AsRef::as_ref)
            .filter(|pattern| seen.insert(*pattern))
            .take(AT_MOST)
            .map(|pattern| Slot {
                pattern: pattern.to_string(),
                listed: OnceLock::new(),
            })
            .collect();
        let listings = Listings {
            root: root.to_path_buf(),
            slots,
        };
        if listings.slots.is_empty() {
            return listings;
        }
        // On a core of its own, or it waits for the caller to block (see `Spread`).
        let spread = Arc::new(crate::parallel::Spread::beside_caller());
        let started = std::thread::Builder::new()
            .name("omroep-listing".into())
            .spawn({
                let root = listings.root.clone();
                let slots = listings.slots.clone();
                let spread = spread.clone();
                move || {
                    spread.settle();
                    let rest = FillTheRest(&slots);
                    for slot in rest.0 {
                        let found = find(&root, &slot.pattern, MARKDOWN, true);
                        let _ = slot.listed.set(Mutex::new(Some(found)));
                    }
                }
            });
        match started {
            Ok(_) => spread.started(),
            Err(_) => {
                drop(FillTheRest(&listings.slots));
            }
        }
        listings
    }

    /// The listing of `pattern` under `root`, if it was started ahead and not taken
    /// yet; waits for it while it is being taken.
    pub(crate) fn take(&self, root: &Path, pattern: &str) -> Option<Result<Found, String>> {
        if root != self.root {
            return None;
        }
        let slot = self.slots.iter().find(|slot| slot.pattern == pattern)?;
        lock(slot.listed.wait()).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::local::{Collected, LocalSettings, Session};

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            (
                "posts/nl/a.md",
                "---\ntitle: A\ndate: 2024-01-02\n---\nEen.\n",
            ),
            (
                "posts/nl/b.md",
                "---\ntitle: B\ndate: 2024-01-03\ndraft: true\n---\nTwee.\n",
            ),
            (
                "posts/en/c.md",
                "---\ntitle: C\ndate: 2024-01-01\n---\nThree.\n",
            ),
            ("posts/en/broken.md", "---\ntitle: [\n---\nBody.\n"),
            ("posts/en/notes.txt", "not Markdown"),
            (
                "pages/about.md",
                "---\ntitle: About\ndate: 2023-05-05\n---\nMe.\n",
            ),
        ];
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn session(root: &Path) -> Session {
        Session::new(LocalSettings::new(
            root,
            url::Url::parse("https://example.org/").unwrap(),
        ))
    }

    const PATTERNS: [&str; 4] = ["posts/**/*.md", "pages/*.md", "missing/*.md", "../out/*.md"];

    /// What each pattern collects in a session of its own, listed when collected.
    fn listed_when_collected(root: &Path) -> Vec<Collected> {
        PATTERNS
            .iter()
            .map(|pattern| session(root).collect_markdown(pattern))
            .collect()
    }

    #[test]
    fn a_listing_taken_ahead_collects_what_a_listing_taken_then_collects() {
        let dir = site();
        let expected = listed_when_collected(dir.path());
        assert_eq!(expected[0].items.len(), 2, "{:?}", expected[0]);
        assert!(expected[0].has_errors(), "the broken post is an error");
        assert!(expected[2].has_errors() && expected[3].has_errors());
        let listings = Arc::new(Listings::start(dir.path(), &PATTERNS));
        for (pattern, expected) in PATTERNS.iter().zip(&expected) {
            let mut session = session(dir.path()).with_listings(listings.clone());
            assert_eq!(&session.collect_markdown(pattern), expected, "{pattern}");
        }
        // Each listing is handed out once: asked again, the pattern is listed again.
        assert!(listings.take(dir.path(), PATTERNS[0]).is_none());
        let mut session = session(dir.path()).with_listings(listings);
        assert_eq!(session.collect_markdown(PATTERNS[0]), expected[0]);
    }

    #[test]
    fn a_listing_taken_ahead_sees_the_folder_as_it_was_listed_and_stamps_files_when_read() {
        let dir = site();
        let listings = Listings::start(dir.path(), &["posts/**/*.md"]);
        let found = listings.take(dir.path(), "posts/**/*.md").unwrap().unwrap();
        let names: Vec<_> = found
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "posts/en/broken.md",
                "posts/en/c.md",
                "posts/nl/a.md",
                "posts/nl/b.md"
            ]
        );
        // A file written after the listing has the stamp it has when it is read.
        let edited = dir.path().join("posts/en/c.md");
        std::fs::write(
            &edited,
            "---\ntitle: C, longer now\ndate: 2024-01-01\n---\n",
        )
        .unwrap();
        let stamp = found.stamps[1].get().unwrap();
        assert_eq!(stamp, crate::ingest::FileStamp::of(&edited).unwrap());
    }

    #[test]
    fn only_the_patterns_and_the_site_listed_ahead_are_handed_out() {
        let dir = site();
        let other = site();
        let listings = Listings::start(dir.path(), &["pages/*.md", "pages/*.md"]);
        assert_eq!(
            listings.slots.len(),
            1,
            "a pattern named twice is listed once"
        );
        assert!(listings.take(other.path(), "pages/*.md").is_none());
        assert!(listings.take(dir.path(), "posts/**/*.md").is_none());
        assert!(listings.take(dir.path(), "pages/*.md").is_some());
        let many: Vec<String> = (0..AT_MOST + 3).map(|i| format!("p{i}/*.md")).collect();
        assert_eq!(Listings::start(dir.path(), &many).slots.len(), AT_MOST);
        assert!(
            Listings::start(dir.path(), &[] as &[&str])
                .take(dir.path(), "a")
                .is_none()
        );
    }

    #[test]
    fn slots_a_stopped_listing_never_reached_are_not_waited_for() {
        let slots: Vec<Slot> = ["a/*.md", "b/*.md"]
            .iter()
            .map(|pattern| Slot {
                pattern: pattern.to_string(),
                listed: OnceLock::new(),
            })
            .collect();
        let _ = slots[0].listed.set(Mutex::new(Some(Err("listed".into()))));
        drop(FillTheRest(&slots));
        let listings = Listings {
            root: PathBuf::from("/site"),
            slots: slots.into(),
        };
        assert_eq!(
            listings.take(Path::new("/site"), "a/*.md").map(|r| r.err()),
            Some(Some("listed".to_string()))
        );
        assert!(listings.take(Path::new("/site"), "b/*.md").is_none());
    }
}
