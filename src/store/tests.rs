use chrono::TimeZone;

use super::*;

thread_local! {
    /// How many times `sync_wal_file` ran on this thread (each test runs on its own).
    pub(super) static WAL_SYNCS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 10, hour, 0, 0).unwrap()
}

fn entry(id: &str, title: &str, day: Option<u32>) -> Entry {
    Entry {
        id: id.into(),
        guid: Some(id.into()),
        title: Some(title.into()),
        published: day.map(|d| Utc.with_ymd_and_hms(2024, 3, d, 9, 0, 0).unwrap()),
        ..Entry::default()
    }
}

fn meta(title: &str) -> Feed {
    Feed {
        title: Some(title.into()),
        ..Feed::default()
    }
}

/// Records a parsed document (prepared for `source`, as the ingest run does).
fn record_parsed(
    store: &mut Store,
    source: SourceId,
    when: DateTime<Utc>,
    meta: &Feed,
    entries: &[Entry],
    etag: &str,
) -> EntryCounts {
    let prepared = PreparedEntries::new(source, entries).unwrap();
    store
        .record(source, &parsed(when, meta, &prepared, etag))
        .unwrap()
}

fn parsed<'a>(
    when: DateTime<Utc>,
    meta: &'a Feed,
    entries: &'a PreparedEntries,
    etag: &str,
) -> FetchRecord<'a> {
    FetchRecord {
        at: when,
        status: Some(200),
        moved_to: None,
        redirects: &[],
        outcome: Outcome::Parsed {
            meta,
            entries,
            validators: Validators {
                etag: Some(etag.into()),
                last_modified: Some("Tue, 05 Mar 2024 09:00:00 GMT".into()),
            },
            body_hash: "abc",
        },
    }
}

/// The entries of `source` as the store gives them back (newest first).
fn read_back(store: &Store, source: SourceId) -> Vec<Entry> {
    store
        .entries(&[source])
        .unwrap()
        .into_iter()
        .map(|stored| stored.entry)
        .collect()
}

fn titles(entries: &[StoredEntry]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e.entry.title.as_deref().unwrap_or(""))
        .collect()
}

#[test]
fn opening_a_file_store_uses_wal_and_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/folder/store.sqlite");
    let store = Store::open(&path).unwrap();
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let page_size: i64 = store
        .conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 16384);
    drop(store);
    // Reopening migrates nothing and keeps what was stored.
    let mut store = Store::open(&path).unwrap();
    store.ensure_source("https://a.example/feed").unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.sources().unwrap().len(), 1);
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
}

#[test]
fn ensure_sources_adds_the_missing_ones_and_keeps_the_order_asked() {
    let mut store = Store::open_in_memory().unwrap();
    let b = store.ensure_source("https://b.example/").unwrap();
    let states = store
        .ensure_sources(&["https://a.example/", "https://b.example/"])
        .unwrap();
    assert_eq!(states[0].configured_url, "https://a.example/");
    assert_eq!(states[1].id, b.id);
    assert_eq!(states[1].url, b.url);
    assert_eq!(store.sources().unwrap().len(), 2);
}

#[test]
fn parsed_entries_are_read_back_newest_first_with_validators_kept() {
    let mut store = Store::open_in_memory().unwrap();
    let source = store.ensure_source("https://a.example/feed").unwrap();
    assert_eq!(source.last_fetch, None);
    let entries = [
        entry("https://a.example/1", "one", Some(1)),
        entry("https://a.example/3", "three", Some(3)),
        entry("https://a.example/2", "two", Some(2)),
    ];
    let feed = meta("A");
    let counts = record_parsed(&mut store, source.id, at(8), &feed, &entries, "\"v1\"");
    assert_eq!(
        counts,
        EntryCounts {
            new: 3,
            changed: 0,
            seen: 3
        }
    );
    let read = store.entries(&[source.id]).unwrap();
    assert_eq!(titles(&read), ["three", "two", "one"]);
    assert_eq!(read[0].first_seen, at(8));
    let state = store.source("https://a.example/feed").unwrap().unwrap();
    assert_eq!(state.title.as_deref(), Some("A"));
    assert_eq!(state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(state.body_hash.as_deref(), Some("abc"));
    assert_eq!(state.last_status, Some(200));
    assert_eq!(state.last_success, Some(at(8)));
    assert_eq!(state.entries, 3);
    assert_eq!(store.source_feed(source.id).unwrap(), Some(feed));
}

#[test]
fn entries_that_leave_the_feed_stay_and_changes_are_counted() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.ensure_source("https://a.example/feed").unwrap().id;
    let feed = meta("A");
    let first = [
        entry("https://a.example/1", "one", Some(1)),
        entry("https://a.example/2", "two", Some(2)),
    ];
    record_parsed(&mut store, id, at(8), &feed, &first, "1");
    // The window moved: 1 dropped out, 2 was edited, 3 is new.
    let second = [
        entry("https://a.example/2", "two (edited)", Some(2)),
        entry("https://a.example/3", "three", Some(3)),
    ];
    let counts = record_parsed(&mut store, id, at(9), &feed, &second, "2");
    assert_eq!((counts.new, counts.changed, counts.seen), (1, 1, 2));
    let read = store.entries(&[id]).unwrap();
    assert_eq!(titles(&read), ["three", "two (edited)", "one"]);
    let one = &read[2];
    assert_eq!((one.last_seen, one.last_changed), (at(8), at(8)));
    let two = &read[1];
    assert_eq!((two.first_seen, two.last_changed), (at(8), at(9)));
    // The same document again changes nothing.
    let counts = record_parsed(&mut store, id, at(10), &feed, &second, "2");
    assert_eq!((counts.new, counts.changed), (0, 0));
}

#[test]
fn an_undated_entry_keeps_the_time_it_was_first_seen() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.ensure_source("https://a.example/feed").unwrap().id;
    let feed = meta("A");
    let undated = [entry("https://a.example/x", "undated", None)];
    record_parsed(&mut store, id, at(8), &feed, &undated, "1");
    // Seen again later, and edited: the date stays the first sighting.
    let edited = [entry("https://a.example/x", "undated, edited", None)];
    record_parsed(&mut store, id, at(12), &feed, &edited, "2");
    let read = store.entries(&[id]).unwrap();
    assert_eq!(read[0].entry.published, Some(at(8)));
    assert_eq!(read[0].entry.updated, None);
    // It sorts by that time among dated entries.
    let dated = [
        Entry {
            published: Some(at(7)),
            ..entry("https://a.example/old", "older", None)
        },
        Entry {
            published: Some(at(9)),
            ..entry("https://a.example/new", "newer", None)
        },
    ];
    record_parsed(&mut store, id, at(13), &feed, &dated, "3");
    assert_eq!(
        titles(&store.entries(&[id]).unwrap()),
        ["newer", "undated, edited", "older"]
    );
}

#[test]
fn the_same_entry_in_two_sources_is_stored_once() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/planet").unwrap().id;
    let feed = meta("x");
    let by_guid = entry("https://a.example/post", "post", Some(1));
    let by_link = Entry {
        id: "https://a.example/other".into(),
        guid: None,
        link: Some("https://a.example/other".into()),
        title: Some("other".into()),
        ..Entry::default()
    };
    record_parsed(
        &mut store,
        a,
        at(8),
        &feed,
        &[by_guid.clone(), by_link.clone()],
        "1",
    );
    // The planet republishes both: same guid, and the same link under a local guid.
    let by_guid_b = Entry {
        title: Some("post as the planet has it".into()),
        ..by_guid.clone()
    };
    let by_link_b = Entry {
        id: "planet-17".into(),
        guid: Some("planet-17".into()),
        ..by_link.clone()
    };
    let counts = record_parsed(&mut store, b, at(9), &feed, &[by_guid_b, by_link_b], "1");
    assert_eq!((counts.new, counts.changed, counts.seen), (0, 0, 2));
    let rows: i64 = store
        .conn
        .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
    // Either source's entries include both, in the owner's version, once.
    let read = store.entries(&[a, b]).unwrap();
    // "other" has no date: it sorts by when it was first seen (2025), after "post" (2024).
    assert_eq!(titles(&read), ["other", "post"]);
    assert!(read.iter().all(|e| e.source == a));
    assert_eq!(store.entries(&[b]).unwrap().len(), 2);
    assert_eq!(read[0].last_seen, at(9));
}

#[test]
fn local_guids_and_shared_links_do_not_merge_different_entries() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    let feed = meta("x");
    // Two shows whose items are numbered 1, 2 and all link to the show's home page.
    let show = |host: &str| -> Vec<Entry> {
        (1..=2)
            .map(|n| Entry {
                id: n.to_string(),
                guid: Some(n.to_string()),
                link: Some("https://network.example/".into()),
                title: Some(format!("{host} {n}")),
                ..Entry::default()
            })
            .collect()
    };
    record_parsed(&mut store, a, at(8), &feed, &show("a"), "1");
    let counts = record_parsed(&mut store, b, at(8), &feed, &show("b"), "1");
    assert_eq!(counts.new, 2);
    assert_eq!(store.entries(&[a]).unwrap().len(), 2);
    assert_eq!(store.entries(&[a, b]).unwrap().len(), 4);
}

#[test]
fn a_repeated_id_in_one_document_is_stored_once() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let twice = [
        entry("https://a.example/1", "first", Some(1)),
        entry("https://a.example/1", "second", Some(2)),
    ];
    let counts = record_parsed(&mut store, a, at(8), &meta("x"), &twice, "1");
    assert_eq!((counts.new, counts.seen), (1, 1));
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["first"]);
}

#[test]
fn not_modified_keeps_validators_and_marks_entries_seen() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.ensure_source("https://a.example/feed").unwrap().id;
    let entries = [entry("https://a.example/1", "one", Some(1))];
    record_parsed(&mut store, id, at(8), &meta("A"), &entries, "\"v1\"");
    let counts = store
        .record(
            id,
            &FetchRecord {
                at: at(9),
                status: Some(304),
                moved_to: None,
                redirects: &[],
                outcome: Outcome::NotModified {
                    validators: Validators::default(),
                },
            },
        )
        .unwrap();
    assert_eq!(counts, EntryCounts::default());
    let state = store.source("https://a.example/feed").unwrap().unwrap();
    assert_eq!(state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(state.last_status, Some(304));
    assert_eq!(state.last_fetch, Some(at(9)));
    assert_eq!(store.entries(&[id]).unwrap()[0].last_seen, at(9));
}

#[test]
fn failures_count_up_and_a_success_clears_them() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.ensure_source("https://a.example/feed").unwrap().id;
    for (n, hour) in [(1, 8), (2, 9)] {
        store
            .record(
                id,
                &FetchRecord {
                    at: at(hour),
                    status: Some(500),
                    moved_to: None,
                    redirects: &[],
                    outcome: Outcome::Failed {
                        error: "server error",
                        next_fetch: at(hour + 1),
                    },
                },
            )
            .unwrap();
        let state = store.source("https://a.example/feed").unwrap().unwrap();
        assert_eq!(state.consecutive_failures, n);
        assert_eq!(state.next_fetch, Some(at(hour + 1)));
        assert_eq!(state.last_error.as_deref(), Some("server error"));
    }
    record_parsed(&mut store, id, at(11), &meta("A"), &[], "1");
    let state = store.source("https://a.example/feed").unwrap().unwrap();
    assert_eq!(state.consecutive_failures, 0);
    assert_eq!((state.next_fetch, state.last_error), (None, None));
}

#[test]
fn gone_retires_until_reenabled() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.ensure_source("https://a.example/feed").unwrap().id;
    store
        .record(
            id,
            &FetchRecord {
                at: at(8),
                status: Some(410),
                moved_to: None,
                redirects: &[],
                outcome: Outcome::Gone { error: "gone" },
            },
        )
        .unwrap();
    let state = store.source("https://a.example/feed").unwrap().unwrap();
    assert_eq!(state.retired_at, Some(at(8)));
    assert!(store.reenable("https://a.example/feed").unwrap());
    assert!(!store.reenable("https://unknown.example/").unwrap());
    let state = store.source("https://a.example/feed").unwrap().unwrap();
    assert_eq!((state.retired_at, state.consecutive_failures), (None, 0));
}

#[test]
fn a_permanent_move_updates_the_url_and_its_history() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.ensure_source("http://a.example/rss").unwrap().id;
    let hops = [
        Redirect {
            from: "http://a.example/rss".into(),
            to: "https://a.example/rss".into(),
            status: 301,
            at: at(8),
        },
        Redirect {
            from: "https://a.example/rss".into(),
            to: "https://a.example/feed.xml".into(),
            status: 308,
            at: at(8),
        },
    ];
    store
        .record(
            id,
            &FetchRecord {
                moved_to: Some("https://a.example/feed.xml"),
                redirects: &hops,
                ..parsed(
                    at(8),
                    &meta("A"),
                    &PreparedEntries::new(id, &[]).unwrap(),
                    "1",
                )
            },
        )
        .unwrap();
    let state = store.source("http://a.example/rss").unwrap().unwrap();
    assert_eq!(state.url, "https://a.example/feed.xml");
    assert_eq!(state.configured_url, "http://a.example/rss");
    assert_eq!(state.redirects, hops);
}

#[test]
fn media_facts_are_remembered_and_replaced() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.media("https://cdn.example/1.mp3").unwrap(), None);
    let mut facts = MediaFacts {
        url: "https://cdn.example/1.mp3".into(),
        length: Some(12_345_678),
        mime_type: Some("audio/mpeg".into()),
        checked_at: at(8),
    };
    store.remember_media(&facts).unwrap();
    assert_eq!(store.media(&facts.url).unwrap(), Some(facts.clone()));
    facts.length = Some(99);
    facts.checked_at = at(9);
    store.remember_media(&facts).unwrap();
    assert_eq!(store.media(&facts.url).unwrap(), Some(facts));
}

#[test]
fn global_guids_are_told_from_local_ones() {
    assert!(is_global_guid("https://a.example/p/1"));
    assert!(is_global_guid(
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    ));
    assert!(is_global_guid("tag:a.example,2024:post-1"));
    assert!(is_global_guid("1225c695-cfb8-4ebb-aaaa-80da344efa6a"));
    assert!(!is_global_guid("42"));
    assert!(!is_global_guid("post-1"));
    assert!(!is_global_guid("a.example/p/1"));
}

#[test]
fn sha256_hex_matches_a_known_vector() {
    assert_eq!(
        hex_sha256(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn entries_prepared_for_another_source_are_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    let entries = [Entry {
        id: "7".into(),
        guid: Some("7".into()),
        ..Entry::default()
    }];
    let prepared = PreparedEntries::new(a, &entries).unwrap();
    assert_eq!(prepared.len(), 1);
    assert!(
        store
            .record(b, &parsed(at(8), &meta("x"), &prepared, "1"))
            .is_err()
    );
    assert!(store.entries(&[a, b]).unwrap().is_empty());
}

#[test]
fn several_sources_recorded_together_are_each_whole() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    let feed = meta("x");
    let entries_a =
        PreparedEntries::new(a, &[entry("https://a.example/1", "a1", Some(1))]).unwrap();
    let failed = FetchRecord {
        at: at(8),
        status: Some(500),
        moved_to: None,
        redirects: &[],
        outcome: Outcome::Failed {
            error: "server error",
            next_fetch: at(9),
        },
    };
    let first = parsed(at(8), &feed, &entries_a, "1");
    let counts = store.record_all(&[(a, &first), (b, &failed)]).unwrap();
    assert_eq!(counts[0].as_ref().unwrap().new, 1);
    assert_eq!(*counts[1].as_ref().unwrap(), EntryCounts::default());
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["a1"]);
    let b_state = store.source("https://b.example/feed").unwrap().unwrap();
    assert_eq!(b_state.consecutive_failures, 1);
    // One source's update failing in the group is rolled back alone: `b`'s (entries
    // prepared for `a`) leaves no trace, not even the source row it changed first,
    // and `a`'s, in the same group, lands.
    let next = PreparedEntries::new(a, &[entry("https://a.example/2", "a2", Some(2))]).unwrap();
    let second = parsed(at(10), &feed, &next, "2");
    let counts = store.record_all(&[(b, &second), (a, &second)]).unwrap();
    let error = counts[0].as_ref().unwrap_err().to_string();
    assert!(error.contains("prepared for source"), "{error}");
    assert_eq!(counts[1].as_ref().unwrap().new, 1);
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["a2", "a1"]);
    assert!(store.entries(&[b]).unwrap().is_empty());
    let b_after = store.source("https://b.example/feed").unwrap().unwrap();
    assert_eq!(b_after, b_state);
}

#[test]
fn a_group_keeps_nothing_until_it_commits_and_a_refused_update_stays_out() {
    let (_dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    let feed = meta("x");
    let for_a = PreparedEntries::new(a, &[entry("https://a.example/1", "a1", Some(1))]).unwrap();
    let record = parsed(at(8), &feed, &for_a, "1");

    // Recorded but never committed: a run killed mid-group leaves no trace of it,
    // as another connection (the next run) sees.
    let mut group = store.group().unwrap();
    assert_eq!(group.record(a, &record).unwrap().unwrap().new, 1);
    let other = Store::open(&path).unwrap();
    assert!(other.entries(&[a]).unwrap().is_empty());
    drop(group);
    assert!(store.entries(&[a]).unwrap().is_empty());
    assert_eq!(
        store
            .source("https://a.example/feed")
            .unwrap()
            .unwrap()
            .etag,
        None
    );

    // Committed: everything recorded lands, except an update refused on its own data
    // (entries prepared for `a` recorded for `b`), which is rolled back alone.
    let mut group = store.group().unwrap();
    let refused = group.record(b, &record).unwrap().unwrap_err();
    assert!(
        refused.to_string().contains("prepared for source"),
        "{refused}"
    );
    assert_eq!(group.record(a, &record).unwrap().unwrap().new, 1);
    group.commit().unwrap();
    assert_eq!(titles(&other.entries(&[a]).unwrap()), ["a1"]);
    assert!(other.entries(&[b]).unwrap().is_empty());
    assert_eq!(
        other
            .source("https://b.example/feed")
            .unwrap()
            .unwrap()
            .etag,
        None
    );
}

#[test]
fn a_database_error_dooms_the_group_and_nothing_of_it_is_committed() {
    let (_dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    // A database error that strikes after `b`'s update has written to `sources`: on
    // `b`'s first entry the trigger makes SQLite fail at run time (SQLITE_ERROR, an
    // error of the database rather than a constraint on the update's data).
    store
        .conn
        .execute_batch(&format!(
            "CREATE TRIGGER fail_for_b BEFORE INSERT ON entries WHEN NEW.owner = {b}
             BEGIN SELECT json('not json'); END;"
        ))
        .unwrap();
    let feed = meta("x");
    let for_a = PreparedEntries::new(a, &[entry("https://a.example/1", "a1", Some(1))]).unwrap();
    let for_b = PreparedEntries::new(b, &[entry("https://b.example/1", "b1", Some(1))]).unwrap();

    let mut group = store.group().unwrap();
    assert_eq!(
        group
            .record(a, &parsed(at(8), &feed, &for_a, "1"))
            .unwrap()
            .unwrap()
            .new,
        1
    );
    let error = group
        .record(b, &parsed(at(8), &feed, &for_b, "1"))
        .unwrap_err();
    assert!(error.is_store_wide(), "{error}");
    assert!(error.to_string().contains("malformed JSON"), "{error}");
    // Once doomed, the group takes no more and refuses to commit.
    assert!(matches!(
        group.record(a, &parsed(at(9), &feed, &for_a, "2")),
        Err(StoreError::Doomed)
    ));
    let refused = group.commit().unwrap_err().to_string();
    assert!(refused.contains("none of it may be committed"), "{refused}");

    // Another connection (the next run) sees nothing of the group: neither the update
    // that failed half-way nor the one that succeeded before it.
    let other = Store::open(&path).unwrap();
    assert!(other.entries(&[a, b]).unwrap().is_empty());
    for url in ["https://a.example/feed", "https://b.example/feed"] {
        let state = other.source(url).unwrap().unwrap();
        assert_eq!(state.etag, None, "{url}");
        assert_eq!(state.last_fetch, None, "{url}");
    }
}

#[test]
fn a_large_update_refused_half_way_is_rolled_back_whole_from_its_savepoint() {
    large_update_refused_half_way(false);
}

#[test]
fn in_a_long_run_a_large_refused_update_is_rolled_back_whole_from_its_savepoint() {
    // With a rollback journal the savepoint gives back pages from the main journal as
    // well as its own, and with a page cache of a few pages the group spills its pages
    // into the database file before the update is refused (the test checks that it
    // did): what `ROLLBACK TO` gives back must then come from the journal.
    large_update_refused_half_way(true);
}

fn large_update_refused_half_way(long_run: bool) {
    // The savepoint's journal of a source's update must give back every page the
    // update changed, far more than the 64 KiB SQLite keeps in memory before it
    // spills the journal to a temporary file: 300 entries of several KiB each, all
    // changed, refused at the last one by a constraint (an error of this update alone).
    let (_dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    let version = |title: &str| -> Vec<Entry> {
        (0..300)
            .map(|n| Entry {
                title: Some(format!("{title} {n}")),
                // Varied text, so that compression leaves each value several KiB.
                content_html: Some(
                    (0..120u64)
                        .map(|k| {
                            format!(
                                "<p>{:x}</p>",
                                (n * 7919 + k).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                            )
                        })
                        .collect(),
                ),
                ..entry(&format!("https://a.example/{n}"), "", Some(1))
            })
            .collect()
    };
    let first = version("first");
    assert_eq!(
        record_parsed(&mut store, a, at(8), &meta("a"), &first, "1").new,
        300
    );
    let (_, length) = stored_json(&store, "guid:https://a.example/0");
    assert!(length > 2048, "{length}");
    let before = read_back(&store, a);
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER refuse_last BEFORE UPDATE ON entries
                 WHEN NEW.key = 'guid:https://a.example/299'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .unwrap();

    let second = PreparedEntries::new(a, &version("second")).unwrap();
    let for_b = PreparedEntries::new(b, &[entry("https://b.example/1", "b1", Some(1))]).unwrap();
    let mut reader = None;
    if long_run {
        store.begin_long_run().unwrap();
        assert_eq!(journal_mode(&store), "persist");
        store.conn.pragma_update(None, "cache_size", 4).unwrap();
        store.conn.pragma_update(None, "cache_spill", 4).unwrap();
        reader = Some(Connection::open(&path).unwrap());
    }
    let mut group = store.group().unwrap();
    let refused = group
        .record(a, &parsed(at(9), &meta("a2"), &second, "2"))
        .unwrap()
        .unwrap_err();
    if let Some(reader) = &reader {
        // A spill takes the exclusive lock, held until the commit: a reader that will
        // not wait is refused.
        let read = reader.query_row("SELECT count(*) FROM sources", [], |row| {
            row.get::<_, i64>(0)
        });
        assert!(
            matches!(
                read,
                Err(rusqlite::Error::SqliteFailure(ref error, _))
                    if error.code == rusqlite::ErrorCode::DatabaseBusy
            ),
            "the group spilled pages into the database file before its commit: {read:?}"
        );
    }
    assert!(
        refused.to_string().contains("refused by the test"),
        "{refused}"
    );
    assert_eq!(
        group
            .record(b, &parsed(at(9), &meta("b"), &for_b, "1"))
            .unwrap()
            .unwrap()
            .new,
        1
    );
    group.commit().unwrap();
    store.end_long_run();
    assert_eq!(journal_mode(&store), "wal");

    let other = Store::open(&path).unwrap();
    assert_eq!(read_back(&other, a), before);
    assert_eq!(
        other
            .source("https://a.example/feed")
            .unwrap()
            .unwrap()
            .etag
            .as_deref(),
        Some("1")
    );
    assert_eq!(titles(&other.entries(&[b]).unwrap()), ["b1"]);
    assert_eq!(other.check_integrity().unwrap(), Ok(()));
}

#[test]
fn cleared_entries_are_empty_and_still_belong_to_their_source() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    let mut prepared = PreparedEntries::new(
        a,
        &[
            entry("https://a.example/1", "a1", Some(1)),
            entry("https://a.example/2", "a2", Some(2)),
        ],
    )
    .unwrap();
    assert_eq!(prepared.len(), 2);
    prepared.clear();
    assert!(prepared.is_empty());
    let counts = store
        .record(a, &parsed(at(8), &meta("x"), &prepared, "1"))
        .unwrap();
    assert_eq!(counts, EntryCounts::default());
    assert!(store.entries(&[a]).unwrap().is_empty());
    // Still prepared for `a`: the store refuses them for any other source.
    assert!(
        store
            .record(b, &parsed(at(8), &meta("x"), &prepared, "1"))
            .is_err()
    );
}

#[test]
fn ensure_sources_reads_what_a_fetch_needs_in_one_go() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let feed = meta("x");
    let entries = PreparedEntries::new(a, &[entry("https://a.example/1", "a1", None)]).unwrap();
    store
        .record(a, &parsed(at(8), &feed, &entries, "\"v1\""))
        .unwrap();
    // Asked twice in one list, a new source is added once and given in both places.
    let states = store
        .ensure_sources(&[
            "https://a.example/feed",
            "https://n.example/feed",
            "https://n.example/feed",
        ])
        .unwrap();
    assert_eq!(states.len(), 3);
    assert_eq!(states[0].id, a);
    assert_eq!(states[0].etag.as_deref(), Some("\"v1\""));
    assert_eq!(states[0].body_hash.as_deref(), Some("abc"));
    assert_eq!(states[1], states[2]);
    assert_eq!(states[1].url, "https://n.example/feed");
    assert_eq!(states[1].etag, None);
    assert_eq!(store.sources().unwrap().len(), 2);
}

/// Whether `hash` is a SHA-256 in hex, as entry hashes of the earliest stores were.
fn is_sha256_hex(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn content_hashes_tell_content_apart_and_say_their_kind() {
    let a = content_hash(b"<p>one</p>");
    assert_eq!(a, content_hash(b"<p>one</p>"));
    assert_ne!(a, content_hash(b"<p>one </p>"));
    let hex = a.strip_prefix("x3:").expect("the kind prefix");
    assert_eq!(hex.len(), 32);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!is_sha256_hex(&a));
    assert!(is_sha256_hex(&hex_sha256(b"<p>one</p>")));
}

/// The entry as an earlier build stored it: the JSON as text, or LZ4-compressed.
fn old_value(entry: &Entry, compressed: bool) -> rusqlite::types::Value {
    let json = serde_json::to_vec(entry).unwrap();
    if !compressed {
        return rusqlite::types::Value::Text(String::from_utf8(json).unwrap());
    }
    let mut blob = vec![entry_value::JSON_LZ4];
    blob.extend_from_slice(&(json.len() as u32).to_le_bytes());
    blob.extend_from_slice(&lz4_flex::block::compress(&json));
    rusqlite::types::Value::Blob(blob)
}

/// Rewrites every stored entry as an earlier build stored it: its JSON (as text, or
/// compressed when `compressed`), hashed with `hash` (the kind of that build).
fn store_entries_the_old_way(store: &Store, compressed: bool, hash: fn(&[u8]) -> String) {
    let rows: Vec<(i64, Entry)> = store
        .conn
        .prepare("SELECT id, key, json FROM entries")
        .unwrap()
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                entry_from_column(row.get(1)?, row.get_ref(2)?).unwrap(),
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (id, entry) in rows {
        let json = serde_json::to_vec(&entry).unwrap();
        store
            .conn
            .execute(
                "UPDATE entries SET hash = ?2, json = ?3 WHERE id = ?1",
                params![id, hash(&json), old_value(&entry, compressed)],
            )
            .unwrap();
    }
}

/// An entry's stored hash (`typeof` and, for text, the text) and when it last changed.
fn stored_hash_and_change(store: &Store, key: &str) -> (String, Option<String>, i64) {
    store
        .conn
        .query_row(
            "SELECT typeof(hash), CASE typeof(hash) WHEN 'text' THEN hash END, last_changed
             FROM entries WHERE key = ?1",
            [key],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap()
}

#[test]
fn entries_stored_by_earlier_builds_are_not_counted_as_changed_when_their_content_is_the_same() {
    type OldHash = fn(&[u8]) -> String;
    let old_kinds: [(bool, OldHash); 3] = [
        (false, hex_sha256),
        (false, content_hash),
        (true, content_hash),
    ];
    for (compressed, hash) in old_kinds {
        let mut store = Store::open_in_memory().unwrap();
        let source = store.ensure_source("https://a.example/feed").unwrap().id;
        let feed = meta("A");
        let first = [
            entry("https://a.example/1", "one", Some(1)),
            long_entry("https://a.example/2", 40),
        ];
        record_parsed(&mut store, source, at(8), &feed, &first, "\"v1\"");
        store_entries_the_old_way(&store, compressed, hash);
        let (kind, _, _) = stored_hash_and_change(&store, "guid:https://a.example/2");
        assert_eq!(kind, "text");
        // What an earlier build stored reads back as it was.
        let mut read = read_back(&store, source);
        read.reverse();
        assert_eq!(read, first);

        // The same first entry, a changed second one.
        let second = [
            entry("https://a.example/1", "one", Some(1)),
            Entry {
                title: Some("two, corrected".into()),
                ..long_entry("https://a.example/2", 40)
            },
        ];
        let counts = record_parsed(&mut store, source, at(9), &feed, &second, "\"v2\"");
        assert_eq!(
            counts,
            EntryCounts {
                new: 0,
                changed: 1,
                seen: 2
            },
            "compressed {compressed}"
        );
        let (kind, _, changed) = stored_hash_and_change(&store, "guid:https://a.example/1");
        assert_eq!((kind.as_str(), changed), ("blob", at(8).timestamp()));
        let (kind, _, changed) = stored_hash_and_change(&store, "guid:https://a.example/2");
        assert_eq!((kind.as_str(), changed), ("blob", at(9).timestamp()));
        assert_eq!(
            titles(&store.entries(&[source]).unwrap()),
            ["two, corrected", "one"]
        );

        // From then on the new hashes compare directly: nothing changes.
        let counts = record_parsed(&mut store, source, at(10), &feed, &second, "\"v3\"");
        assert_eq!(counts.changed, 0);
    }
}

fn long_entry(id: &str, paragraphs: usize) -> Entry {
    let body: String = (0..paragraphs)
        .map(|n| format!("<p>Paragraph {n} of a long post, with <a href=\"https://a.example/{n}\">a link</a>.</p>"))
        .collect();
    Entry {
        content_html: Some(body),
        ..entry(id, "long", Some(4))
    }
}

/// How an entry's value is stored: its format byte, and its length.
fn stored_json(store: &Store, key: &str) -> (u8, i64) {
    store
        .conn
        .query_row(
            "SELECT json, length(json) FROM entries WHERE key = ?1",
            [key],
            |row| Ok((row.get::<_, Vec<u8>>(0)?[0], row.get(1)?)),
        )
        .unwrap()
}

#[test]
fn long_entries_are_stored_compressed_and_read_back_whole() {
    let mut store = Store::open_in_memory().unwrap();
    let source = store.ensure_source("https://a.example/feed").unwrap().id;
    let entries = [
        long_entry("https://a.example/long", 400),
        long_entry("https://a.example/medium", 100),
        entry("https://a.example/short", "short", Some(3)),
    ];
    record_parsed(&mut store, source, at(8), &meta("A"), &entries, "\"v1\"");

    let json_len = serde_json::to_vec(&entries[0]).unwrap().len() as i64;
    let (format, stored_len) = stored_json(&store, "guid:https://a.example/long");
    assert_eq!(format, entry_value::PACKED_LZ4);
    assert!(stored_len * 3 < json_len, "{stored_len} of {json_len}");
    let (format, _) = stored_json(&store, "guid:https://a.example/medium");
    assert_eq!(format, entry_value::PACKED_LZ4);
    // Short: not worth compressing (see `entry_value::COMPRESS_FROM`).
    let (format, _) = stored_json(&store, "guid:https://a.example/short");
    assert_eq!(format, entry_value::PACKED);

    let read = read_back(&store, source);
    assert_eq!(read.len(), 3);
    assert!(read.contains(&entries[0]) && read.contains(&entries[1]));
    assert!(read.contains(&entries[2]));

    // The same entries again: nothing reads as changed.
    let counts = record_parsed(&mut store, source, at(9), &meta("A"), &entries, "\"v2\"");
    assert_eq!(counts.changed, 0);
}

#[test]
fn entries_of_mixed_lengths_in_one_document_each_read_back_as_they_were() {
    // One compression buffer serves a whole document: a long entry's bytes must never
    // show through in a shorter one stored after it.
    let mut store = Store::open_in_memory().unwrap();
    let source = store.ensure_source("https://a.example/feed").unwrap().id;
    let entries: Vec<Entry> = [300, 8, 120, 0, 400, 30]
        .iter()
        .enumerate()
        .map(|(n, &paragraphs)| Entry {
            published: Some(
                Utc.with_ymd_and_hms(2024, 3, 1 + n as u32, 9, 0, 0)
                    .unwrap(),
            ),
            ..long_entry(&format!("https://a.example/{n}"), paragraphs)
        })
        .collect();
    record_parsed(&mut store, source, at(8), &meta("A"), &entries, "\"v1\"");
    let formats: Vec<u8> = (0..entries.len())
        .map(|n| stored_json(&store, &format!("guid:https://a.example/{n}")).0)
        .collect();
    let (packed, lz4) = (entry_value::PACKED, entry_value::PACKED_LZ4);
    assert_eq!(formats, [lz4, lz4, lz4, packed, lz4, lz4]);
    let mut read = read_back(&store, source);
    read.reverse();
    assert_eq!(read, entries);
}

#[test]
fn a_damaged_entry_is_a_clear_error_not_a_crash() {
    let mut store = Store::open_in_memory().unwrap();
    let source = store.ensure_source("https://a.example/feed").unwrap().id;
    let long = long_entry("https://a.example/long", 200);
    record_parsed(&mut store, source, at(8), &meta("A"), &[long], "\"v1\"");
    let json_lz4 = entry_value::JSON_LZ4;
    let damaged: [rusqlite::types::Value; 6] = [
        // claims 4 GiB from a few bytes
        vec![json_lz4, 0xff, 0xff, 0xff, 0xff, 1, 2, 3].into(),
        // cut short before its length
        vec![json_lz4, 1, 2].into(),
        // a format this build does not know
        vec![9, 1, 0, 0, 0, b'x'].into(),
        // a length that the block does not decompress to
        vec![json_lz4, 40, 0, 0, 0, 0x10, b'{'].into(),
        // packed, cut short
        vec![entry_value::PACKED, 0x82, 0xa2, b'i', b'd'].into(),
        // JSON text that is not an entry
        rusqlite::types::Value::Text("{\"id\": 4".into()),
    ];
    for value in damaged {
        store
            .conn
            .execute("UPDATE entries SET json = ?1", [&value])
            .unwrap();
        let error = store.entries(&[source]).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("store: entry guid:https://a.example/long holds ")
                && message.ends_with("; the store is damaged"),
            "{message}"
        );
    }
}

#[test]
fn background_checkpoints_move_the_wal_into_the_database_file_without_the_writer() {
    let (dir, path, mut store) = temp_store();
    store.checkpoint_in_background().unwrap();
    let thread = |store: &Store| {
        store
            .checkpointer
            .as_ref()
            .and_then(|checkpointer| checkpointer.thread.as_ref())
            .map(|handle| handle.thread().id())
    };
    let first = thread(&store);
    assert!(first.is_some(), "no checkpoint thread started");
    // Turning it on twice keeps the one thread.
    store.checkpoint_in_background().unwrap();
    assert_eq!(thread(&store), first);
    let source = store.ensure_source("https://a.example/feed").unwrap().id;
    let before = std::fs::metadata(&path).unwrap().len();
    // ~1 MiB of entries: far below the writer's own checkpoint threshold (64 MiB of
    // WAL), so only the background thread can bring them into the database file.
    // Hashes as text: bodies LZ4 cannot shrink.
    let body = |n: usize| -> String {
        (0..125)
            .map(|k| content_hash(format!("{n}/{k}").as_bytes()))
            .collect()
    };
    let entries: Vec<Entry> = (0..250)
        .map(|n| Entry {
            content_html: Some(body(n)),
            ..entry(
                &format!("urn:uuid:00000000-0000-0000-0000-{n:012}"),
                "t",
                None,
            )
        })
        .collect();
    record_parsed(&mut store, source, at(1), &meta("A"), &entries, "\"1\"");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::metadata(&path).unwrap().len() < before + 500_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the database file stayed at {} bytes",
            std::fs::metadata(&path).unwrap().len()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The writer goes on writing while the thread runs, and closing stops it.
    record_parsed(
        &mut store,
        source,
        at(2),
        &meta("A"),
        &entries[..10],
        "\"2\"",
    );
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
    assert_eq!(store.entries(&[source]).unwrap().len(), 250);
    // Closed cleanly: the last connection checkpointed the rest and emptied the WAL,
    // which stays for the next run (see `keep_wal_files`).
    drop(store);
    let wal = std::fs::metadata(dir.path().join("store.sqlite-wal")).unwrap();
    assert_eq!(wal.len(), 0, "every commit is in the database file");
}

/// Commits eight groups of ~1 MiB each one right after another, as an ingest run
/// does, with background checkpoints and the writer waiting for them once the WAL has
/// grown past `restart_from`; returns the largest the WAL file grew.
fn largest_wal_over_eight_groups(restart_from: u64) -> u64 {
    let (dir, path, mut store) = temp_store();
    store.checkpoint_in_background().unwrap();
    if let Some(checkpointer) = store.checkpointer.as_mut() {
        checkpointer.restart_from = restart_from;
        // A loaded machine may take long over a checkpoint; the run's bound is not
        // what is tested here.
        checkpointer.settle_limit = std::time::Duration::from_secs(30);
    }
    let source = store.ensure_source("https://a.example/feed").unwrap().id;
    let wal = dir.path().join("store.sqlite-wal");
    // Eight groups of ~1 MiB each (hashes as text: bodies LZ4 cannot shrink), prepared
    // first and then committed one right after another, as an ingest run commits them.
    let groups: Vec<PreparedEntries> = (0..8)
        .map(|group_number| {
            let entries: Vec<Entry> = (0..250)
                .map(|n| Entry {
                    content_html: Some(
                        (0..125)
                            .map(|k| content_hash(format!("{group_number}/{n}/{k}").as_bytes()))
                            .collect(),
                    ),
                    ..entry(
                        &format!("urn:uuid:00000000-0000-0000-{group_number:04}-{n:012}"),
                        "t",
                        None,
                    )
                })
                .collect();
            PreparedEntries::new(source, &entries).unwrap()
        })
        .collect();
    let feed = meta("A");
    let mut largest = 0;
    for prepared in &groups {
        let record = parsed(at(1), &feed, prepared, "\"1\"");
        let mut group = store.group().unwrap();
        assert_eq!(group.record(source, &record).unwrap().unwrap().new, 250);
        group.commit().unwrap();
        largest = largest.max(std::fs::metadata(&wal).unwrap().len());
    }
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
    assert_eq!(store.entries(&[source]).unwrap().len(), 8 * 250);
    largest
}

#[test]
fn with_background_checkpoints_the_wal_starts_over_at_every_group() {
    // Appended to, the WAL would hold all eight groups (8 MiB and more); started over
    // at each, it holds one.
    let largest = largest_wal_over_eight_groups(0);
    assert!(
        largest < 3 << 20,
        "the WAL grew to {largest} bytes over eight groups of ~1 MiB"
    );
}

#[test]
fn the_wal_starts_over_once_it_grew_past_the_size_asked() {
    // Past 3 MiB the writer waits: the WAL holds the groups up to that size, the one
    // committed meanwhile, and at most a group more that the last checkpoint had not
    // yet counted; never all eight. (It may start over sooner: the writer also waits
    // for a thread two checkpoints behind.)
    let largest = largest_wal_over_eight_groups(3 << 20);
    assert!(
        largest < 7 << 20,
        "the WAL grew to {largest} bytes over eight groups of ~1 MiB"
    );
}

#[test]
fn closing_empties_the_wal_and_keeps_both_files_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let wal = dir.path().join("store.sqlite-wal");
    let shm = dir.path().join("store.sqlite-shm");
    let mut store = Store::open(&path).unwrap();
    store.ensure_source("https://a.example/feed").unwrap();
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the commit is in the WAL"
    );
    drop(store);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    assert!(shm.exists());
    // The database file alone holds the commit: a copy of it without the WAL has it.
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(&path, &copy).unwrap();
    assert_eq!(Store::open(&copy).unwrap().sources().unwrap().len(), 1);
    // The next run opens the files it left and reads and writes as before.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.sources().unwrap().len(), 1);
    store.ensure_source("https://b.example/feed").unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.sources().unwrap().len(), 2);
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
}

#[test]
fn a_store_in_memory_has_no_background_checkpoints() {
    let mut store = Store::open_in_memory().unwrap();
    store.checkpoint_in_background().unwrap();
    assert!(store.checkpointer.is_none());
}

#[test]
fn a_store_of_the_schema_before_packed_entries_opens_and_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let long = long_entry("https://a.example/long", 50);
    let short = entry("https://a.example/short", "short", Some(2));
    {
        // Schema version 3, with entries as that version wrote them.
        let conn = Connection::open(&path).unwrap();
        for sql in &schema::MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute(
            "INSERT INTO sources (id, configured_url, url) VALUES (1, 'https://a.example/feed', 'https://a.example/feed')",
            [],
        )
        .unwrap();
        for (key, entry, compressed) in [
            ("guid:https://a.example/long", &long, true),
            ("guid:https://a.example/short", &short, false),
        ] {
            let json = serde_json::to_vec(entry).unwrap();
            conn.execute(
                "INSERT INTO entries (key, owner, link, hash, sort_date, first_seen, last_changed, json)
                 VALUES (?1, 1, ?2, ?3, 0, 0, 0, ?4)",
                params![key, entry.link, content_hash(&json), old_value(entry, compressed)],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO entry_sources (source, entry, last_seen) VALUES (1, last_insert_rowid(), 0)",
                [],
            )
            .unwrap();
        }
    }
    let mut store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, schema::MIGRATIONS.len() as i64);
    let read = read_back(&store, 1);
    assert_eq!(read, [long.clone(), short.clone()]);
    // The same entries parsed again are not changes.
    let counts = record_parsed(&mut store, 1, at(9), &meta("A"), &[long, short], "\"v2\"");
    assert_eq!((counts.new, counts.changed, counts.seen), (0, 0, 2));
}

#[test]
fn file_of_names_the_file_of_a_store_on_disk_and_none_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = Store::open(&path).unwrap();
    assert_eq!(file_of(&store.conn).map(Path::new), Some(path.as_path()));
    let memory = Store::open_in_memory().unwrap();
    assert_eq!(file_of(&memory.conn), None);
}

#[test]
fn prepared_entries_bytes_are_their_keys_guids_links_and_stored_values() {
    let long = Entry {
        link: Some("https://blog.example/long".into()),
        content_html: Some("<p>Long enough to be compressed. </p>".repeat(40)),
        ..entry("https://blog.example/1", "Long", Some(1))
    };
    let local = Entry {
        guid: Some("7".into()),
        link: Some("https://blog.example/local".into()),
        ..entry("7", "Local guid", Some(2))
    };
    let no_guid = Entry {
        guid: None,
        ..entry("urn:x:3", "No guid nor link", None)
    };
    // A repeated id keeps its first occurrence, and only that one counts.
    let repeated = entry("https://blog.example/1", "Again", Some(3));
    let prepared = PreparedEntries::new(5, &[long, local, no_guid, repeated]).unwrap();
    assert_eq!(prepared.len(), 3);
    let counted: usize = prepared
        .items
        .iter()
        .map(|item| {
            item.key.len()
                + item.guid.as_ref().map_or(0, String::len)
                + item.link.as_ref().map_or(0, String::len)
                + item.stored.value.len()
        })
        .sum();
    assert_eq!(prepared.bytes(), counted);
    let mut cleared = prepared;
    cleared.clear();
    assert_eq!(cleared.bytes(), 0);
}

fn synchronous(store: &Store) -> i64 {
    store
        .conn
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap()
}

fn journal_mode(store: &Store) -> String {
    store
        .conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_long_run_writes_through_a_rollback_journal_and_readers_read_meanwhile() {
    let (dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let b = store.ensure_source("https://b.example/feed").unwrap().id;
    record_parsed(
        &mut store,
        a,
        at(1),
        &meta("A"),
        &[entry("https://a.example/1", "a1", Some(1))],
        "1",
    );
    store.begin_long_run().unwrap();
    assert_eq!(journal_mode(&store), "persist");
    assert_eq!(
        synchronous(&store),
        2,
        "FULL: a committed group survives a power loss"
    );
    assert!(store.checkpointer.is_none(), "no WAL to checkpoint");

    // A group open: another process opening the store (`omroep sources`) reads the
    // last commit, and leaves the store in the run's mode rather than switch it back.
    let for_b = PreparedEntries::new(b, &[entry("https://b.example/1", "b1", Some(1))]).unwrap();
    let mut group = store.group().unwrap();
    assert_eq!(
        group
            .record(b, &parsed(at(2), &meta("B"), &for_b, "1"))
            .unwrap()
            .unwrap()
            .new,
        1
    );
    let reader = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&reader), "persist");
    assert_eq!(titles(&reader.entries(&[a, b]).unwrap()), ["a1"]);
    drop(reader);
    group.commit().unwrap();
    let reader = Store::open(&path).unwrap();
    assert_eq!(titles(&reader.entries(&[b]).unwrap()), ["b1"]);
    drop(reader);

    // Back to WAL at the end, every commit kept.
    store.end_long_run();
    assert_eq!(journal_mode(&store), "wal");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&store), "wal");
    assert_eq!(store.entries(&[a, b]).unwrap().len(), 2);
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
    assert!(dir.path().join("store.sqlite-wal").exists());
}

#[test]
fn a_store_left_in_a_long_run_opens_in_its_mode_and_the_next_run_ends_in_wal() {
    // A run that ended early (a store error returns before its end; a killed run is
    // the kill tests' part) leaves the store in the rollback journal's mode.
    let (_dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    store.begin_long_run().unwrap();
    let a1 = [entry("https://a.example/1", "a1", Some(1))];
    record_parsed(&mut store, a, at(1), &meta("A"), &a1, "1");
    let for_a = PreparedEntries::new(a, &[entry("https://a.example/2", "a2", Some(2))]).unwrap();
    let mut group = store.group().unwrap();
    group
        .record(a, &parsed(at(2), &meta("A"), &for_a, "2"))
        .unwrap()
        .unwrap();
    drop(group);
    drop(store);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&store), "persist");
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["a1"]);
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
    store.begin_long_run().unwrap();
    store.end_long_run();
    assert_eq!(journal_mode(&store), "wal");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&store), "wal");
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["a1"]);
}

/// A long run where the writer's group commit meets a reader (`omroep sources`,
/// `sqlite3`) in a read transaction that outlasts the normal busy timeout.
fn commit_waits_for_a_reader(handler_gives_up_early: bool) {
    let (_dir, path, mut store) = temp_store();
    store.busy = BusyTimeouts {
        normal: Duration::from_millis(200),
        long_run: Duration::from_secs(30),
    };
    store.conn.busy_timeout(store.busy.normal).unwrap();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    store.begin_long_run().unwrap();
    assert_eq!(journal_mode(&store), "persist");
    if handler_gives_up_early {
        // SQLite's busy handler answers busy long before the reader ends: the group
        // must be kept and its COMMIT tried again.
        store.conn.busy_timeout(Duration::from_millis(50)).unwrap();
    }

    let reader = Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let sources: i64 = reader
        .query_row("SELECT count(*) FROM sources", [], |row| row.get(0))
        .unwrap();
    assert_eq!(sources, 1);
    let for_a = PreparedEntries::new(a, &[entry("https://a.example/1", "a1", Some(1))]).unwrap();
    let mut group = store.group().unwrap();
    group
        .record(a, &parsed(at(1), &meta("A"), &for_a, "1"))
        .unwrap()
        .unwrap();
    let hold = Duration::from_millis(800);
    let reader = std::thread::spawn(move || {
        std::thread::sleep(hold);
        reader.execute_batch("COMMIT").unwrap();
    });
    let started = Instant::now();
    group.commit().unwrap();
    let waited = started.elapsed();
    reader.join().unwrap();
    assert!(waited >= hold - Duration::from_millis(100), "{waited:?}");

    store.end_long_run();
    assert_eq!(journal_mode(&store), "wal");
    let waits: i64 = store
        .conn
        .query_row("PRAGMA busy_timeout", [], |row| row.get(0))
        .unwrap();
    assert_eq!(waits, 200, "the normal busy timeout is back");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["a1"]);
}

#[test]
fn in_a_long_run_a_commit_waits_for_a_reader_past_the_normal_busy_timeout() {
    commit_waits_for_a_reader(false);
}

#[test]
fn in_a_long_run_a_commit_refused_busy_is_tried_again_with_the_group_whole() {
    commit_waits_for_a_reader(true);
}

#[test]
fn a_long_run_syncs_the_emptied_wal_and_begins_without_one_as_well() {
    let (dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let wal = dir.path().join("store.sqlite-wal");
    assert!(wal.exists());
    WAL_SYNCS.with(|syncs| syncs.set(0));
    store.begin_long_run().unwrap();
    assert_eq!(WAL_SYNCS.with(|syncs| syncs.get()), 1);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    drop(store);

    // Left in the rollback journal's mode, with no `-wal` (nor `-shm`) at all.
    std::fs::remove_file(&wal).unwrap();
    let _ = std::fs::remove_file(dir.path().join("store.sqlite-shm"));
    let mut store = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&store), "persist");
    store.begin_long_run().unwrap();
    assert_eq!(WAL_SYNCS.with(|syncs| syncs.get()), 2);
    assert_eq!(journal_mode(&store), "persist");
    record_parsed(
        &mut store,
        a,
        at(1),
        &meta("A"),
        &[entry("https://a.example/1", "a1", Some(1))],
        "1",
    );
    store.end_long_run();
    assert_eq!(journal_mode(&store), "wal");
    assert_eq!(titles(&store.entries(&[a]).unwrap()), ["a1"]);
}

#[test]
fn a_store_open_elsewhere_keeps_the_wal_in_a_long_run_with_background_checkpoints() {
    let (_dir, path, mut store) = temp_store();
    let a = store.ensure_source("https://a.example/feed").unwrap().id;
    let other = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&other), "wal");
    WAL_SYNCS.with(|syncs| syncs.set(0));
    store.begin_long_run().unwrap();
    assert_eq!(journal_mode(&store), "wal");
    assert_eq!(synchronous(&store), 1, "NORMAL, as WAL needs");
    assert!(store.checkpointer.is_some());
    assert!(!store.in_long_run);
    assert_eq!(WAL_SYNCS.with(|syncs| syncs.get()), 0);
    record_parsed(
        &mut store,
        a,
        at(1),
        &meta("A"),
        &[entry("https://a.example/1", "a1", Some(1))],
        "1",
    );
    assert_eq!(titles(&other.entries(&[a]).unwrap()), ["a1"]);
    store.end_long_run();
    assert!(store.checkpointer.is_none());
    assert_eq!(journal_mode(&store), "wal");
}

#[test]
fn a_long_run_scope_switches_back_to_wal_however_it_ends() {
    let (_dir, path, mut store) = temp_store();
    {
        let mut run = store.long_run();
        run.begin().unwrap();
        run.begin().unwrap();
        assert_eq!(journal_mode(&run), "persist");
        assert_eq!(synchronous(&run), 2);
        // An error returned half-way drops the scope like this.
    }
    assert_eq!(journal_mode(&store), "wal");
    assert_eq!(synchronous(&store), 1);

    // A store an earlier run left in the rollback journal's mode goes back to WAL at
    // the end of a run that never began its own.
    store.begin_long_run().unwrap();
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(journal_mode(&store), "persist");
    drop(store.long_run());
    assert_eq!(journal_mode(&store), "wal");
}
