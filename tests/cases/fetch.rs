//! The ingest run against a real local server misbehaving in every way issue 5 lists.
//! Each test asserts both the run's report and what the store holds afterwards.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use omroep::ingest::remote::FetchSettings;
use omroep::ingest::remote::retry::Backoff;
use omroep::ingest::run::{
    RunReport, RunSettings, SourceOutcome, SourceReport, SourceSpec, ingest,
};
use omroep::store::{SourceState, Store};

use crate::support::{Group, Reply, Server, gzip, json_feed, numbered_feed, redirect, response};

fn settings() -> RunSettings {
    RunSettings {
        fetch: FetchSettings {
            user_agent: omroep::ingest::remote::user_agent(Some("https://site.example/")),
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
            ..FetchSettings::default()
        },
        ..RunSettings::default()
    }
}

fn run_with(store: &mut Store, urls: &[String], settings: &RunSettings) -> RunReport {
    let specs: Vec<SourceSpec> = urls
        .iter()
        .map(|url| SourceSpec { url: url.clone() })
        .collect();
    let mut seen = 0;
    let report = ingest(store, &specs, settings, &mut |_| seen += 1).expect("run");
    assert_eq!(seen, report.sources.len(), "every source is reported once");
    report
}

fn run(store: &mut Store, url: &str) -> SourceReport {
    run_with(store, &[url.to_string()], &settings())
        .sources
        .remove(0)
}

fn state(store: &Store, url: &str) -> SourceState {
    store.source(url).unwrap().expect("source in store")
}

/// Records a parsed fetch of `source` with no entries and the given body fingerprint, as
/// an earlier omroep would have stored it.
fn record_body_hash(
    store: &mut Store,
    source: omroep::store::SourceId,
    validators: omroep::store::Validators,
    body_hash: &str,
) {
    let meta = omroep::model::Feed::default();
    let none = omroep::store::PreparedEntries::new(source, &[]).unwrap();
    store
        .record(
            source,
            &omroep::store::FetchRecord {
                at: Utc::now(),
                status: Some(200),
                moved_to: None,
                redirects: &[],
                outcome: omroep::store::Outcome::Parsed {
                    meta: &meta,
                    entries: &none,
                    validators,
                    body_hash,
                },
            },
        )
        .unwrap();
}

fn entry_titles(store: &Store, url: &str) -> Vec<String> {
    let id = state(store, url).id;
    store
        .entries(&[id])
        .unwrap()
        .into_iter()
        .map(|e| e.entry.title.unwrap_or_default())
        .collect()
}

fn failed_error(report: &SourceReport) -> &str {
    match &report.outcome {
        SourceOutcome::Failed { error, .. } => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

const FEED_ETAG: &str = "\"v1\"";
const FEED_DATE: &str = "Tue, 05 Mar 2024 09:00:00 GMT";

fn feed_v1() -> Vec<u8> {
    json_feed(
        "Blog",
        &[
            (
                "https://blog.example/1",
                "First",
                Some("2024-03-01T09:00:00Z"),
            ),
            (
                "https://blog.example/2",
                "Second",
                Some("2024-03-02T09:00:00Z"),
            ),
        ],
    )
}

/// Answers 200 with validators, and 304 when the request carries them.
fn conditional_server() -> Server {
    Server::start(|hit| {
        if hit.header("if-none-match") == Some(FEED_ETAG) {
            return Reply::Raw(response(304, &[("ETag", FEED_ETAG)], b""));
        }
        Reply::Raw(response(
            200,
            &[
                ("Content-Type", "application/feed+json"),
                ("ETag", FEED_ETAG),
                ("Last-Modified", FEED_DATE),
            ],
            &feed_v1(),
        ))
    })
}

#[test]
fn a_200_with_validators_then_a_304_that_costs_no_parsing() {
    let server = conditional_server();
    let url = server.url("/feed.json");
    let mut store = Store::open_in_memory().unwrap();

    let first = run(&mut store, &url);
    assert_eq!(first.status, Some(200));
    assert_eq!(
        first.outcome,
        SourceOutcome::Fetched {
            entries: 2,
            entries_new: 2,
            entries_changed: 0
        }
    );
    let stored = state(&store, &url);
    assert_eq!(stored.etag.as_deref(), Some(FEED_ETAG));
    assert_eq!(stored.last_modified.as_deref(), Some(FEED_DATE));
    assert_eq!(stored.title.as_deref(), Some("Blog"));
    assert_eq!(entry_titles(&store, &url), ["Second", "First"]);
    let hit = server.last_hit("/feed.json");
    assert_eq!(hit.header("if-none-match"), None);
    assert_eq!(
        hit.header("user-agent"),
        Some(
            format!(
                "omroep/{} (+https://site.example/)",
                env!("CARGO_PKG_VERSION")
            )
            .as_str()
        )
    );
    assert_eq!(hit.header("accept-encoding"), Some("gzip, deflate, br"));

    let second = run(&mut store, &url);
    assert_eq!(second.status, Some(304));
    assert_eq!(second.outcome, SourceOutcome::NotModified);
    let hit = server.last_hit("/feed.json");
    assert_eq!(hit.header("if-none-match"), Some(FEED_ETAG));
    assert_eq!(hit.header("if-modified-since"), Some(FEED_DATE));
    let after = state(&store, &url);
    assert_eq!(after.last_status, Some(304));
    assert_eq!(after.etag.as_deref(), Some(FEED_ETAG));
    assert_eq!(after.entries, 2);
    assert_eq!(after.consecutive_failures, 0);
}

#[test]
fn a_200_with_the_same_body_is_not_parsed_again_and_a_new_body_is() {
    let version = Arc::new(std::sync::atomic::AtomicUsize::new(1));
    let serving = version.clone();
    // No validators at all: every run gets a full 200.
    let server = Server::start(move |_| {
        let body = if serving.load(std::sync::atomic::Ordering::SeqCst) == 1 {
            feed_v1()
        } else {
            json_feed(
                "Blog",
                &[
                    (
                        "https://blog.example/2",
                        "Second, edited",
                        Some("2024-03-02T09:00:00Z"),
                    ),
                    (
                        "https://blog.example/3",
                        "Third",
                        Some("2024-03-03T09:00:00Z"),
                    ),
                ],
            )
        };
        Reply::Raw(response(
            200,
            &[("Content-Type", "application/json")],
            &body,
        ))
    });
    let url = server.url("/feed");
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &url);
    let before = state(&store, &url);

    let again = run(&mut store, &url);
    assert_eq!(again.outcome, SourceOutcome::Unchanged);
    assert_eq!(again.status, Some(200));
    let after = state(&store, &url);
    assert_eq!(after.body_hash, before.body_hash);
    assert!(after.last_fetch >= before.last_fetch);

    version.store(2, std::sync::atomic::Ordering::SeqCst);
    let changed = run(&mut store, &url);
    assert_eq!(
        changed.outcome,
        SourceOutcome::Fetched {
            entries: 2,
            entries_new: 1,
            entries_changed: 1
        }
    );
    assert_ne!(state(&store, &url).body_hash, before.body_hash);
    // "First" left the feed but stays in the store (the archive).
    assert_eq!(
        entry_titles(&store, &url),
        ["Third", "Second, edited", "First"]
    );
}

#[test]
fn a_301_and_308_chain_moves_the_source_and_the_next_run_goes_straight_there() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/old" => redirect(301, "/older-still"),
        "/older-still" => redirect(308, "/feed.json"),
        "/feed.json" => Reply::Raw(response(200, &[], &feed_v1())),
        _ => Reply::Raw(response(404, &[], b"")),
    });
    let old = server.url("/old");
    let new = server.url("/feed.json");
    let mut store = Store::open_in_memory().unwrap();

    let report = run(&mut store, &old);
    assert_eq!(report.moved_to.as_deref(), Some(new.as_str()));
    assert!(matches!(
        report.outcome,
        SourceOutcome::Fetched { entries: 2, .. }
    ));
    let stored = state(&store, &old);
    assert_eq!(stored.url, new);
    assert_eq!(stored.configured_url, old);
    let history: Vec<(String, String, u16)> = stored
        .redirects
        .iter()
        .map(|r| (r.from.clone(), r.to.clone(), r.status))
        .collect();
    assert_eq!(
        history,
        [
            (old.clone(), server.url("/older-still"), 301),
            (server.url("/older-still"), new.clone(), 308),
        ]
    );

    let again = run(&mut store, &old);
    assert_eq!(again.fetched_url, new);
    assert_eq!(again.moved_to, None);
    assert_eq!(server.hits_of("/old"), 1);
    assert_eq!(server.hits_of("/feed.json"), 2);
}

#[test]
fn a_302_is_followed_but_does_not_move_the_source() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/feed" => redirect(302, "/today.json"),
        _ => Reply::Raw(response(200, &[], &feed_v1())),
    });
    let url = server.url("/feed");
    let mut store = Store::open_in_memory().unwrap();
    let report = run(&mut store, &url);
    assert!(matches!(
        report.outcome,
        SourceOutcome::Fetched { entries: 2, .. }
    ));
    assert_eq!(report.moved_to, None);
    assert_eq!(state(&store, &url).url, url);
    assert!(state(&store, &url).redirects.is_empty());
    run(&mut store, &url);
    assert_eq!(server.hits_of("/feed"), 2);
}

#[test]
fn a_permanent_redirect_after_a_temporary_one_does_not_move_the_source() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/feed" => redirect(307, "/b"),
        "/b" => redirect(301, "/c"),
        _ => Reply::Raw(response(200, &[], &feed_v1())),
    });
    let url = server.url("/feed");
    let mut store = Store::open_in_memory().unwrap();
    let report = run(&mut store, &url);
    assert!(matches!(report.outcome, SourceOutcome::Fetched { .. }));
    assert_eq!(report.moved_to, None);
    assert_eq!(state(&store, &url).url, url);
}

#[test]
fn a_redirect_loop_is_detected_and_changes_nothing() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/a" => redirect(301, "/b"),
        _ => redirect(301, "/a"),
    });
    let url = server.url("/a");
    let mut store = Store::open_in_memory().unwrap();
    let report = run(&mut store, &url);
    let error = failed_error(&report);
    assert_eq!(
        error,
        format!("redirect loop: {} -> {} -> {}", url, server.url("/b"), url)
    );
    assert_eq!(report.moved_to, None);
    let stored = state(&store, &url);
    assert_eq!(stored.url, url);
    assert_eq!(stored.last_error.as_deref(), Some(error));
    assert_eq!(stored.consecutive_failures, 1);
    assert_eq!(server.hits().len(), 2);
}

#[test]
fn more_than_five_redirects_are_refused() {
    let server = Server::start(|hit| {
        let n: u32 = hit.path.trim_start_matches("/r").parse().unwrap_or(0);
        redirect(302, &format!("/r{}", n + 1))
    });
    let url = server.url("/r0");
    let mut store = Store::open_in_memory().unwrap();
    let report = run(&mut store, &url);
    assert!(failed_error(&report).starts_with("more than 5 redirects"));
    // The first request and five redirects followed; the sixth is not.
    assert_eq!(server.hits().len(), 6);
    assert_eq!(state(&store, &url).consecutive_failures, 1);
}

#[test]
fn a_404_backs_off_across_runs() {
    let server = Server::start(|_| Reply::Raw(response(404, &[], b"no")));
    let url = server.url("/missing");
    let mut store = Store::open_in_memory().unwrap();
    let before = Utc::now();
    let report = run(&mut store, &url);
    assert_eq!(report.status, Some(404));
    assert_eq!(failed_error(&report), "the server answered 404 Not Found");
    let stored = state(&store, &url);
    assert_eq!(stored.consecutive_failures, 1);
    assert_eq!(stored.last_status, Some(404));
    let wait = stored.next_fetch.unwrap() - before;
    assert!(
        (14..=16).contains(&wait.num_minutes()),
        "first back-off is 15 minutes, got {wait}"
    );

    // The next run leaves it alone until then.
    let deferred = run(&mut store, &url);
    assert!(matches!(deferred.outcome, SourceOutcome::Deferred { .. }));
    assert_eq!(server.hits().len(), 1);
}

#[test]
fn a_500_counts_failures_and_the_back_off_doubles() {
    let server = Server::start(|_| Reply::Raw(response(500, &[], b"oops")));
    let url = server.url("/feed");
    let mut store = Store::open_in_memory().unwrap();
    // A zero base lets the test run again at once; the doubling is checked on the max.
    let mut quick = settings();
    quick.backoff = Backoff {
        base: Duration::ZERO,
        max: Duration::ZERO,
    };
    for n in 1..=3 {
        let report = run_with(&mut store, std::slice::from_ref(&url), &quick);
        assert_eq!(
            failed_error(&report.sources[0]),
            "the server answered 500 Internal Server Error"
        );
        assert_eq!(report.totals().failed, 1);
        assert_eq!(state(&store, &url).consecutive_failures, n);
    }
    // With the real back-off, the fourth failure waits 15 min · 2³ = 2 hours.
    let before = Utc::now();
    run(&mut store, &url);
    let wait = state(&store, &url).next_fetch.unwrap() - before;
    assert!((119..=121).contains(&wait.num_minutes()), "got {wait}");
}

#[test]
fn a_410_retires_the_source_for_good() {
    let server = Server::start(|_| Reply::Raw(response(410, &[], b"")));
    let url = server.url("/gone");
    let mut store = Store::open_in_memory().unwrap();
    let report = run(&mut store, &url);
    assert_eq!(report.status, Some(410));
    match &report.outcome {
        SourceOutcome::Retired { error } => assert!(error.contains("410 Gone"), "{error}"),
        other => panic!("expected retirement, got {other:?}"),
    }
    assert!(state(&store, &url).retired_at.is_some());

    let later = run(&mut store, &url);
    assert!(matches!(
        later.outcome,
        SourceOutcome::SkippedRetired { .. }
    ));
    assert_eq!(server.hits().len(), 1);

    store.reenable(&url).unwrap();
    run(&mut store, &url);
    assert_eq!(server.hits().len(), 2);
}

#[test]
fn a_429_and_a_503_are_retried_when_the_server_asks() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/busy" => Reply::Raw(response(429, &[("Retry-After", "120")], b"")),
        _ => {
            let when = httpdate::fmt_http_date(
                std::time::SystemTime::now() + Duration::from_secs(3 * 3600),
            );
            Reply::Raw(response(503, &[("Retry-After", &when)], b""))
        }
    });
    let busy = server.url("/busy");
    let down = server.url("/down");
    let mut store = Store::open_in_memory().unwrap();
    let before = Utc::now();
    let report = run_with(&mut store, &[busy.clone(), down.clone()], &settings());
    assert_eq!(report.totals().failed, 2);
    assert!(
        failed_error(&report.sources[0])
            .starts_with("the server answered 429 Too Many Requests; it asks to wait until ")
    );
    let wait = state(&store, &busy).next_fetch.unwrap() - before;
    assert!((118..=122).contains(&wait.num_seconds()), "got {wait}");
    assert_eq!(state(&store, &busy).last_status, Some(429));
    let wait = state(&store, &down).next_fetch.unwrap() - before;
    assert!((179..=181).contains(&wait.num_minutes()), "got {wait}");
    assert_eq!(state(&store, &down).last_status, Some(503));
}

#[test]
fn a_server_that_trickles_is_cut_off_at_the_timeout() {
    let server = Server::start(|_| Reply::Trickle {
        head: b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n".to_vec(),
        body: feed_v1(),
        pause: Duration::from_millis(50),
    });
    let url = server.url("/slow");
    let mut store = Store::open_in_memory().unwrap();
    let mut quick = settings();
    quick.fetch.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let report = run_with(&mut store, std::slice::from_ref(&url), &quick);
    let took = started.elapsed();
    assert_eq!(
        failed_error(&report.sources[0]),
        "no complete answer within 1 s; the server is too slow or trickling"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let stored = state(&store, &url);
    assert_eq!(stored.consecutive_failures, 1);
    assert_eq!(stored.entries, 0);
}

#[test]
fn a_body_over_the_cap_is_refused_whether_announced_or_not() {
    let big = vec![b' '; 300_000];
    let announced = big.clone();
    let server = Server::start(move |hit| match hit.path.as_str() {
        "/announced" => Reply::Raw(response(200, &[], &announced)),
        _ => Reply::Raw(response(200, &[("Transfer-Encoding", "chunked")], &big)),
    });
    let mut store = Store::open_in_memory().unwrap();
    let mut capped = settings();
    capped.fetch.max_transfer_bytes = 100_000;
    capped.fetch.max_body_bytes = 100_000;
    let urls = [server.url("/announced"), server.url("/chunked")];
    let report = run_with(&mut store, &urls, &capped);
    for source in &report.sources {
        assert_eq!(
            failed_error(source),
            "the response is over the limit of 100000 bytes; it is refused"
        );
    }
    for url in &urls {
        assert_eq!(state(&store, url).consecutive_failures, 1);
    }
}

#[test]
fn a_gzip_bomb_is_refused_and_honest_compression_works() {
    let bomb = gzip(&vec![b' '; 20 << 20]);
    let feed_gz = gzip(&feed_v1());
    let mut feed_br = Vec::new();
    {
        use std::io::Write;
        let mut writer = brotli::CompressorWriter::new(&mut feed_br, 4096, 5, 22);
        writer.write_all(&feed_v1()).unwrap();
    }
    let server = Server::start(move |hit| match hit.path.as_str() {
        "/bomb" => Reply::Raw(response(200, &[("Content-Encoding", "gzip")], &bomb)),
        "/gz" => Reply::Raw(response(200, &[("Content-Encoding", "gzip")], &feed_gz)),
        _ => Reply::Raw(response(200, &[("Content-Encoding", "br")], &feed_br)),
    });
    let mut store = Store::open_in_memory().unwrap();
    let mut capped = settings();
    capped.fetch.max_body_bytes = 1 << 20;
    let urls = [server.url("/bomb"), server.url("/gz"), server.url("/br")];
    let report = run_with(&mut store, &urls, &capped);
    assert_eq!(
        failed_error(&report.sources[0]),
        "the decompressed body is over the limit of 1048576 bytes; it is refused"
    );
    for source in &report.sources[1..] {
        assert!(
            matches!(source.outcome, SourceOutcome::Fetched { entries: 2, .. }),
            "{source:?}"
        );
    }
    assert_eq!(state(&store, &urls[0]).entries, 0);
    assert_eq!(state(&store, &urls[1]).entries, 2);
}

#[test]
fn an_html_page_names_the_feeds_it_links_to() {
    let page = br#"<!DOCTYPE html><html><head><title>My blog</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="https://blog.example/atom.xml">
</head><body>Hello</body></html>"#;
    let server = Server::start(move |_| {
        Reply::Raw(response(
            200,
            &[("Content-Type", "text/html; charset=utf-8")],
            page,
        ))
    });
    let url = server.url("/blog/");
    let mut store = Store::open_in_memory().unwrap();
    let report = run(&mut store, &url);
    let error = failed_error(&report);
    assert!(error.starts_with("got an HTML page, not a feed"), "{error}");
    assert!(error.contains(&server.url("/feed.xml")), "{error}");
    assert!(error.contains("https://blog.example/atom.xml"), "{error}");
    assert_eq!(state(&store, &url).last_error.as_deref(), Some(error));
    assert_eq!(state(&store, &url).last_status, Some(200));
}

#[test]
fn a_feed_served_with_the_wrong_content_type_is_read_anyway() {
    let server = Server::start(|hit| {
        let kind = if hit.path == "/html" {
            "text/html"
        } else {
            "application/octet-stream"
        };
        Reply::Raw(response(200, &[("Content-Type", kind)], &feed_v1()))
    });
    let urls = [server.url("/html"), server.url("/binary")];
    let mut store = Store::open_in_memory().unwrap();
    let report = run_with(&mut store, &urls, &settings());
    assert_eq!(report.totals().fetched, 2);
    for url in &urls {
        assert_eq!(entry_titles(&store, url), ["Second", "First"]);
    }
}

#[test]
fn one_failing_source_never_stops_the_others() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/ok" => Reply::Raw(response(200, &[], &feed_v1())),
        "/broken" => Reply::Raw(response(200, &[], b"{\"version\": 42")),
        _ => Reply::Raw(response(500, &[], b"")),
    });
    let refused = {
        // A port nobody listens on: bind, note it, close.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        format!("http://127.0.0.1:{port}/feed")
    };
    let urls = [
        server.url("/broken"),
        refused.clone(),
        server.url("/ok"),
        server.url("/error"),
        "ftp://files.example/feed".to_string(),
    ];
    let mut store = Store::open_in_memory().unwrap();
    let report = run_with(&mut store, &urls, &settings());
    let totals = report.totals();
    assert_eq!((totals.fetched, totals.failed), (1, 4));
    // The report keeps the order the sources were given.
    let order: Vec<&str> = report.sources.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(order, urls.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(failed_error(&report.sources[0]).starts_with("not valid JSON Feed"));
    assert!(failed_error(&report.sources[1]).starts_with("could not connect: "));
    assert_eq!(
        failed_error(&report.sources[4]),
        "not an http(s) URL: ftp://files.example/feed"
    );
    assert_eq!(entry_titles(&store, &urls[2]), ["Second", "First"]);
}

#[test]
fn concurrency_is_limited_per_host_and_overall() {
    let group = Arc::new(Group::default());
    // Each answer takes long enough that requests sent together overlap even when a
    // loaded machine starts the client's tasks late (150 ms was too short at load 10+).
    let slow: Arc<dyn Fn(&crate::support::Hit) -> Reply + Send + Sync> = Arc::new(|_| {
        Reply::After(
            Duration::from_millis(400),
            response(200, &[], &numbered_feed("x", "p", 1)),
        )
    });
    let servers: Vec<Server> = (0..3)
        .map(|_| Server::start_in(group.clone(), slow.clone()))
        .collect();
    let urls: Vec<String> = servers
        .iter()
        .flat_map(|server| (0..6).map(move |i| server.url(&format!("/feed{i}"))))
        .collect();
    let mut limits = settings();
    limits.fetch.concurrency = 4;
    limits.fetch.per_host = 2;
    let mut store = Store::open_in_memory().unwrap();
    let report = run_with(&mut store, &urls, &limits);
    assert_eq!(report.totals().fetched, 18);
    // The limits are ceilings: on a busy machine the requests may overlap less than they
    // could, but never more.
    for server in &servers {
        let most = server.max_in_flight();
        assert!((1..=2).contains(&most), "per-host limit: {most} in flight");
    }
    let most = group.max_in_flight();
    assert!((2..=4).contains(&most), "global limit: {most} in flight");
}

#[test]
fn a_group_ends_at_its_deadline_while_results_wait_in_the_queue() {
    // With a window of zero every group's deadline has passed once its first result is
    // recorded, so each result must get a commit of its own, also while others wait in
    // the queue; a group that went on taking what was queued would commit them together,
    // and a kill could lose far more than the window's worth of results.
    const FEEDS: usize = 30;
    let server = Server::start(|hit| {
        let i = hit.path.trim_start_matches("/feed");
        let etag = format!("\"v{i}\"");
        Reply::Raw(response(
            200,
            &[("ETag", etag.as_str())],
            &numbered_feed(&format!("f{i}"), &format!("p{i}"), 2),
        ))
    });
    let urls: Vec<String> = (0..FEEDS)
        .map(|i| server.url(&format!("/feed{i}")))
        .collect();
    let specs: Vec<SourceSpec> = urls
        .iter()
        .map(|url| SourceSpec { url: url.clone() })
        .collect();
    let mut zero = settings();
    zero.fetch.concurrency = FEEDS;
    zero.fetch.per_host = FEEDS;
    zero.group_window = Duration::ZERO;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).unwrap();
    // The next run's view: another connection, which sees only what was committed.
    let other = Store::open(&path).unwrap();

    let mut reported = 0;
    let report = ingest(&mut store, &specs, &zero, &mut |source| {
        let i = source.url.rsplit("/feed").next().unwrap();
        let state = other.source(&source.url).unwrap().expect("source in store");
        // Reported only once committed: the validators and the entries are there.
        assert_eq!(state.etag.as_deref(), Some(format!("\"v{i}\"").as_str()));
        assert_eq!(other.entries(&[state.id]).unwrap().len(), 2, "{i}");
        reported += 1;
        let committed = other
            .sources()
            .unwrap()
            .iter()
            .filter(|state| state.last_fetch.is_some())
            .count();
        assert_eq!(
            committed, reported,
            "sources committed at report {reported}"
        );
        if reported == 1 {
            // Hold the writer while every other feed is served, parsed and queued.
            let start = Instant::now();
            while server.hits().len() < FEEDS && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    })
    .expect("run");
    assert_eq!(report.totals().fetched, FEEDS as u64);
    assert_eq!(reported, FEEDS);
}

#[test]
fn fetches_go_on_while_the_writer_pauses_until_the_queue_is_full() {
    // The writer pauses (its commits, its waits for a checkpoint); meanwhile the fetches
    // and parses must go on into the queue, several results per place under the
    // concurrency limit, and then stop: what waits in memory stays bounded.
    const FEEDS: usize = 40;
    const CONCURRENCY: usize = 2;
    // One result being reported, a full queue, and one finished fetch per place
    // waiting to queue its result.
    let most = 1 + CONCURRENCY * omroep::ingest::run::QUEUE_PER_FETCH + CONCURRENCY;
    assert!(most < FEEDS);
    let server = Server::start(|hit| {
        let i = hit.path.trim_start_matches("/feed");
        Reply::Raw(response(
            200,
            &[],
            &numbered_feed(&format!("f{i}"), &format!("p{i}"), 2),
        ))
    });
    let specs: Vec<SourceSpec> = (0..FEEDS)
        .map(|i| SourceSpec {
            url: server.url(&format!("/feed{i}")),
        })
        .collect();
    let mut paused = settings();
    paused.fetch.concurrency = CONCURRENCY;
    paused.fetch.per_host = CONCURRENCY;
    // A group per result: the first report comes right after the first commit.
    paused.group_window = Duration::ZERO;
    let mut store = Store::open_in_memory().unwrap();
    let mut served_while_paused = None;
    let report = ingest(&mut store, &specs, &paused, &mut |_| {
        if served_while_paused.is_none() {
            // Hold the writer until as many feeds were served as the queue allows (a
            // shallower queue never gets there: the wait then times out and the count
            // below is short), then a while longer, in which no more may come.
            let start = Instant::now();
            while server.hits().len() < most && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(500));
            served_while_paused = Some(server.hits().len());
        }
    })
    .expect("run");
    assert_eq!(
        served_while_paused,
        Some(most),
        "feeds served while the writer was held in its first report"
    );
    assert_eq!(report.totals().fetched, FEEDS as u64);
    assert_eq!(report.totals().entries_new, 2 * FEEDS as u64);
}

/// Two fetches at once, with a queue deep enough never to bind by count: how many
/// feeds the server had served while the writer was held in its first report, with
/// `queue_bytes` of room for results and `body` giving feed `i`'s document. The hold
/// lasts until `expected` were served, then half a second more in which no more may
/// come.
fn served_while_the_writer_is_held(
    queue_bytes: usize,
    expected: usize,
    body: fn(usize) -> Vec<u8>,
) -> usize {
    const FEEDS: usize = 40;
    let server = Server::start(move |hit| {
        let i = hit.path.trim_start_matches("/feed").parse().unwrap();
        Reply::Raw(response(200, &[], &body(i)))
    });
    let specs: Vec<SourceSpec> = (0..FEEDS)
        .map(|i| SourceSpec {
            url: server.url(&format!("/feed{i}")),
        })
        .collect();
    let mut paused = settings();
    paused.fetch.concurrency = HELD_CONCURRENCY;
    paused.fetch.per_host = HELD_CONCURRENCY;
    paused.group_window = Duration::ZERO;
    paused.queue_bytes = queue_bytes;
    let mut store = Store::open_in_memory().unwrap();
    let mut served_while_paused = None;
    let report = ingest(&mut store, &specs, &paused, &mut |_| {
        if served_while_paused.is_none() {
            let start = Instant::now();
            while server.hits().len() < expected && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(500));
            served_while_paused = Some(server.hits().len());
        }
    })
    .expect("run");
    assert_eq!(report.totals().fetched, FEEDS as u64);
    served_while_paused.unwrap()
}

const HELD_CONCURRENCY: usize = 2;

/// The room the result of `body` fetched from `url` takes in the queue, counted the way
/// `RunSettings::queue_bytes` says: its addresses (asked and fetched, the same here),
/// its fingerprint, its feed's fields as JSON and its prepared entries.
fn room(url: &str, body: &[u8]) -> usize {
    let mut feed = omroep::ingest::feed::parse(body, &Default::default()).unwrap();
    let entries = std::mem::take(&mut feed.entries);
    // The ids are absolute URLs: the source does not change the entries' keys.
    let prepared = omroep::store::PreparedEntries::new(1, &entries).unwrap();
    2 * url.len()
        + omroep::ingest::run::fingerprint(body).len()
        + serde_json::to_vec(&feed).unwrap().len()
        + prepared.bytes()
}

/// A queue room of two and a half times the largest result of `body`, after checking
/// that three of the smallest do not fit in it: room for exactly two results.
fn room_for_two(body: fn(usize) -> Vec<u8>) -> usize {
    // The server's port is not known yet: counted with five digits, the most it has;
    // with one digit, each result is 8 bytes smaller (its address counts twice).
    let rooms: Vec<usize> = (0..40)
        .map(|i| room(&format!("http://127.0.0.1:65535/feed{i}"), &body(i)))
        .collect();
    let (least, most) = (rooms.iter().min().unwrap(), rooms.iter().max().unwrap());
    let limit = most * 5 / 2;
    assert!(3 * (least - 8) > limit, "{rooms:?}");
    limit
}

/// One result being reported (its room given back once recorded), those the room
/// holds queued, and one finished fetch per place waiting for room.
fn held_with_room_for(queued: usize) -> usize {
    1 + queued + HELD_CONCURRENCY
}

fn small_document(i: usize) -> Vec<u8> {
    numbered_feed(&format!("f{i:02}"), &format!("p{i:02}"), 2)
}

#[test]
fn what_waits_for_the_writer_is_bounded_by_its_bytes_too() {
    // Room for less than any result: however deep the queue, one result waits in it,
    // and every other finished fetch waits for room, holding its place.
    let most = held_with_room_for(1);
    assert_eq!(
        served_while_the_writer_is_held(1, most, small_document),
        most
    );
}

#[test]
fn a_queue_room_for_two_documents_holds_two() {
    // Counted too small, more would wait; too large, fewer.
    let most = held_with_room_for(2);
    let limit = room_for_two(small_document);
    assert_eq!(
        served_while_the_writer_is_held(limit, most, small_document),
        most
    );
}

#[test]
fn a_document_without_entries_takes_room_for_its_feed_s_own_fields() {
    // A description of 80 KB, as text and as HTML, and no entries.
    fn described(i: usize) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": format!("f{i:02}"),
            "description": "<p>A <b>long</b> description.</p>".repeat(2_500),
            "items": [],
        }))
        .unwrap()
    }
    let most = held_with_room_for(2);
    let limit = room_for_two(described);
    assert!(limit > 2 * 80_000, "{limit}");
    assert_eq!(
        served_while_the_writer_is_held(limit, most, described),
        most
    );
}

/// The options the parser was last called with, by the capturing parser below.
static SEEN_OPTIONS: std::sync::Mutex<Vec<(Option<String>, Option<String>)>> =
    std::sync::Mutex::new(Vec::new());

fn capturing_parse(
    bytes: &[u8],
    options: &omroep::ingest::feed::ParseOptions,
) -> Result<omroep::model::Feed, omroep::ingest::feed::ParseError> {
    SEEN_OPTIONS.lock().unwrap().push((
        options.http_charset.clone(),
        options.base_url.as_ref().map(|url| url.to_string()),
    ));
    omroep::ingest::feed::parse(bytes, options)
}

#[test]
fn the_header_charset_and_the_final_url_reach_the_parser() {
    // The header says Latin-1 while the document is UTF-8 JSON: the parser is the one
    // to weigh the two, so it must be told what the header said.
    let server = Server::start(|hit| match hit.path.as_str() {
        "/feed" => redirect(302, "/real/feed.json"),
        _ => Reply::Raw(response(
            200,
            &[(
                "Content-Type",
                "application/feed+json; charset=\"ISO-8859-1\"",
            )],
            &json_feed("Café", &[("https://blog.example/é", "Überall", None)]),
        )),
    });
    let url = server.url("/feed");
    let mut store = Store::open_in_memory().unwrap();
    let mut capturing = settings();
    capturing.parse = capturing_parse;
    let report = run_with(&mut store, std::slice::from_ref(&url), &capturing);
    assert!(matches!(
        report.sources[0].outcome,
        SourceOutcome::Fetched { entries: 1, .. }
    ));
    let seen = SEEN_OPTIONS.lock().unwrap().clone();
    assert_eq!(
        seen,
        [(
            Some("ISO-8859-1".to_string()),
            Some(server.url("/real/feed.json"))
        )]
    );
    assert_eq!(state(&store, &url).title.as_deref(), Some("Café"));
    assert_eq!(entry_titles(&store, &url), ["Überall"]);
}

/// An RSS document in windows-1252 bytes whose declaration names `declared`.
fn latin1_rss(declared: &str) -> Vec<u8> {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"{declared}\"?>\n<rss version=\"2.0\"><channel>\
         <title>Caf\u{e9} Oranje</title><link>https://cafe.example/</link>\
         <item><title>Cr\u{e8}me br\u{fb}l\u{e9}e</title><guid>https://cafe.example/1</guid>\
         <pubDate>Tue, 05 Mar 2024 09:00:00 GMT</pubDate></item></channel></rss>"
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn a_header_charset_that_disagrees_with_the_document_is_handled_as_http_says() {
    let server = Server::start(|hit| match hit.path.as_str() {
        // The header is right and the declaration wrong: the header wins (RFC 7303).
        "/header-right" => Reply::Raw(response(
            200,
            &[("Content-Type", "application/rss+xml; charset=ISO-8859-1")],
            &latin1_rss("UTF-8"),
        )),
        // The header claims UTF-8 for Latin-1 bytes: repaired, with a warning.
        _ => Reply::Raw(response(
            200,
            &[("Content-Type", "application/rss+xml; charset=utf-8")],
            &latin1_rss("ISO-8859-1"),
        )),
    });
    let urls = [server.url("/header-right"), server.url("/header-wrong")];
    let mut store = Store::open_in_memory().unwrap();
    let report = run_with(&mut store, &urls, &settings());
    assert_eq!(report.totals().fetched, 2);
    for url in &urls {
        assert_eq!(state(&store, url).title.as_deref(), Some("Café Oranje"));
        assert_eq!(entry_titles(&store, url), ["Crème brûlée"]);
    }
    assert!(
        report.sources[0].warnings.is_empty(),
        "{:?}",
        report.sources[0].warnings
    );
    assert!(!report.sources[1].warnings.is_empty());
}

#[test]
fn a_feed_parsed_by_an_older_omroep_is_fetched_whole_and_parsed_again() {
    let server = conditional_server();
    let url = server.url("/feed.json");
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &url);
    let stored = state(&store, &url);
    assert!(
        stored
            .body_hash
            .as_deref()
            .unwrap()
            .ends_with(&format!("@omroep-{}", env!("CARGO_PKG_VERSION")))
    );
    // Pretend an older omroep parsed the same document.
    let old_hash = stored
        .body_hash
        .unwrap()
        .replace("@omroep-", "@omroep-0.0.0-old-");
    let validators = omroep::store::Validators {
        etag: Some(FEED_ETAG.into()),
        last_modified: None,
    };
    record_body_hash(&mut store, stored.id, validators, &old_hash);
    let report = run(&mut store, &url);
    assert_eq!(server.last_hit("/feed.json").header("if-none-match"), None);
    assert!(matches!(
        report.outcome,
        SourceOutcome::Fetched { entries: 2, .. }
    ));
    assert_eq!(state(&store, &url).title.as_deref(), Some("Blog"));
}

#[test]
fn a_body_fingerprinted_with_the_older_sha_256_is_parsed_once_more_then_recognised() {
    // No validators: every run gets a full 200 of the same body.
    let server = Server::start(|_| {
        Reply::Raw(response(
            200,
            &[("Content-Type", "application/feed+json")],
            &feed_v1(),
        ))
    });
    let url = server.url("/feed.json");
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &url);
    let stored = state(&store, &url);
    // Pretend this version stored it with the fingerprint of earlier builds: the
    // SHA-256 of the body and the version.
    let old_fingerprint = format!(
        "{}@omroep-{}",
        omroep::store::hex_sha256(&feed_v1()),
        env!("CARGO_PKG_VERSION")
    );
    record_body_hash(
        &mut store,
        stored.id,
        omroep::store::Validators::default(),
        &old_fingerprint,
    );

    // It reads as changed once: parsed again, no error, and no entry counted as changed.
    let report = run(&mut store, &url);
    assert_eq!(
        report.outcome,
        SourceOutcome::Fetched {
            entries: 2,
            entries_new: 0,
            entries_changed: 0
        }
    );
    let now_stored = state(&store, &url).body_hash.unwrap();
    assert!(now_stored.starts_with("x3:"), "{now_stored}");
    assert_eq!(state(&store, &url).title.as_deref(), Some("Blog"));
    // And from then on the same body is recognised without parsing.
    assert_eq!(run(&mut store, &url).outcome, SourceOutcome::Unchanged);
}

fn panicking_parse(
    bytes: &[u8],
    options: &omroep::ingest::feed::ParseOptions,
) -> Result<omroep::model::Feed, omroep::ingest::feed::ParseError> {
    if bytes.starts_with(b"{\"boom\"") {
        panic!("a parser bug");
    }
    omroep::ingest::feed::parse(bytes, options)
}

#[test]
fn a_parser_crash_on_one_feed_is_that_feed_s_failure_only() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/boom" => Reply::Raw(response(200, &[], b"{\"boom\": true}")),
        _ => Reply::Raw(response(200, &[], &feed_v1())),
    });
    let urls = [server.url("/boom"), server.url("/fine")];
    let mut store = Store::open_in_memory().unwrap();
    let mut crashing = settings();
    crashing.parse = panicking_parse;
    let report = run_with(&mut store, &urls, &crashing);
    // The panic's message quoted and escaped (see `parse_pool::WorkError`).
    assert_eq!(
        failed_error(&report.sources[0]),
        r#"the parser failed unexpectedly (panicked with message "a parser bug"); please report this feed"#,
    );
    assert!(matches!(
        report.sources[1].outcome,
        SourceOutcome::Fetched { entries: 2, .. }
    ));
    assert_eq!(state(&store, &urls[0]).consecutive_failures, 1);
}
