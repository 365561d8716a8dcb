//! The folders of a run's Markdown sources, listed while its store opens.
//!
//! A run opens its store and loads the file cache (`store`) before it collects its
//! sources, and listing the content folders does not need the store: a run that knows
//! its sources (a build knows them from its feeds) opens the store on a thread of its
//! own ([`crate::store::Store::open_in_background`]) and lists meanwhile
//! ([`Listings::list`]). In a run with nothing changed the listing is a sixth of the
//! work, and the store's opening left the other core idle while it waited.
//!
//! A listing is handed out once, to the first collection of its pattern
//! ([`Listings::take`]); its files are stamped by whoever reads them, as with a
//! listing taken at the time (see `collect::ListedStamp`). A pattern that was not
//! listed ahead, or that a second source names again, is listed when it is collected.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::collect::{Found, MARKDOWN, find};
use super::local::lock;

/// How many patterns are listed ahead at most: each listing keeps up to 16 folders
/// open until it is collected (see `collect::ListedStamp`), and a site with more
/// sources than this lists the rest when it collects them.
const AT_MOST: usize = 4;

/// The listings of some Markdown patterns of one site, each until it is taken.
#[derive(Debug)]
pub struct Listings {
    root: PathBuf,
    listed: Vec<(String, Listed)>,
}

/// One pattern's listing (or why it could not be listed), until it is taken.
type Listed = Mutex<Option<Result<Found, String>>>;

impl Listings {
    /// Lists the Markdown files of each pattern (in this order) under `root` now, as
    /// `collect_markdown` would.
    pub fn list<S: AsRef<str>>(root: &Path, patterns: &[S]) -> Listings {
        let mut seen = std::collections::HashSet::new();
        let listed = patterns
            .iter()
            .map(AsRef::as_ref)
            .filter(|pattern| seen.insert(*pattern))
            .take(AT_MOST)
            .map(|pattern| {
                let found = find(root, pattern, MARKDOWN, true);
                (pattern.to_string(), Mutex::new(Some(found)))
            })
            .collect();
        Listings {
            root: root.to_path_buf(),
            listed,
        }
    }

    /// The listing of `pattern` under `root`, if it was listed ahead and not taken yet.
    pub(crate) fn take(&self, root: &Path, pattern: &str) -> Option<Result<Found, String>> {
        if root != self.root {
            return None;
        }
        let (_, listed) = self.listed.iter().find(|(listed, _)| listed == pattern)?;
        lock(listed).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::local::{Collected, LocalSettings, Session};
    use std::sync::Arc;

    fn site() -> tempfile::TempDir {
        crate::ingest::collect::tests::tree_with(&[
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
        ])
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
        let listings = Arc::new(Listings::list(dir.path(), &PATTERNS));
        for (pattern, expected) in PATTERNS.iter().zip(&expected) {
            let mut session = session(dir.path()).with_listings(listings.clone());
            assert_eq!(&session.collect_markdown(pattern), expected, "{pattern}");
        }
        // Each listing is handed out once: asked again, the pattern is listed again.
        assert!(listings.take(dir.path(), PATTERNS[0]).is_none());
        let mut session = session(dir.path()).with_listings(listings);
        assert_eq!(session.collect_markdown(PATTERNS[0]), expected[0]);
    }

    // Elsewhere a stamp is taken while listing (see `collect::ListedStamp`).
    #[cfg(not(windows))]
    #[test]
    fn a_listing_taken_ahead_sees_the_folder_as_it_was_listed_and_stamps_files_when_read() {
        let dir = site();
        let listings = Listings::list(dir.path(), &["posts/**/*.md"]);
        std::fs::write(dir.path().join("posts/nl/later.md"), "---\ntitle: L\n---\n").unwrap();
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
        let listings = Listings::list(dir.path(), &["pages/*.md", "pages/*.md"]);
        assert_eq!(
            listings.listed.len(),
            1,
            "a pattern named twice is listed once"
        );
        assert!(listings.take(other.path(), "pages/*.md").is_none());
        assert!(listings.take(dir.path(), "posts/**/*.md").is_none());
        assert!(listings.take(dir.path(), "pages/*.md").is_some());
        let many: Vec<String> = (0..AT_MOST + 3).map(|i| format!("p{i}/*.md")).collect();
        assert_eq!(Listings::list(dir.path(), &many).listed.len(), AT_MOST);
        assert!(
            Listings::list(dir.path(), &[] as &[&str])
                .take(dir.path(), "a")
                .is_none()
        );
    }
}
