//! One ingest run over many remote sources: fetch them concurrently, parse what changed,
//! record each source in the store as it completes, and report.
//!
//! The fetches run on a tokio runtime, the parses (CPU work) on a thread per core
//! ([`ParsePool`]); the store is written on the calling thread
//! in the order sources finish. Each result is recorded as it arrives, and the results
//! of a quarter of a second share one commit ([`Store::group`]), so the index pages
//! that every source's entries touch are written out a few times a second rather than
//! once per source; inside it each source's update has its own savepoint, so it lands
//! whole or not at all, and one source's update that the store refuses is rolled back
//! alone and reported as that source's failure without costing the others theirs
//! ([`Group`](store::Group)). Everything costly that needs
//! no database — parsing, and packing entries for the store with their hashes
//! ([`PreparedEntries`]) — happens before a result reaches that thread, since it is the
//! one part that cannot run in parallel; and from the first document to store, the
//! store writes through a rollback journal rather than its WAL
//! ([`Store::begin_long_run`]): the new pages that make up most of a run reach the
//! database file once, with no checkpoints to wait for during the run nor at its end.
//! (Should the store be open elsewhere, the run keeps the WAL and checkpoints it on a
//! thread of their own, `store::checkpoint`.) A fetch keeps its place under the global limit
//! until its result is queued for the writer, so what is held in memory is bounded
//! whatever the speed of the disk: at most the concurrency limit's worth of bodies, and
//! [`QUEUE_PER_FETCH`] times that many prepared results waiting for the writer (a
//! prepared result is the document's entries packed and compressed, a fraction of its
//! body), and of those never more than [`QUEUE_BYTES`] however large the documents are
//! (their entries and their feed's own fields, see [`RunSettings::queue_bytes`]). The
//! queue is that deep so that the writer's pauses (its commits and their waits for the
//! disk) do not stop the fetches and parses: a queue only
//! as deep as the concurrency limit (16 results, at the ~300 a second of the fetch
//! benchmark on a quiet machine) filled in a pause of about 50 ms, every fetch then held
//! its place waiting to queue, and both cores went idle until the writer came back. A source's failure is recorded and reported and never
//! stops the others; only a store error ends the run early.
//!
//! What a result does to a source:
//! - 200 with a body whose hash ([`store::content_hash`]) equals the stored one: not
//!   parsed, like a 304.
//!   (The stored fingerprint includes omroep's version: a new version re-parses every
//!   feed once, without validators, as its parser may read more.)
//! - 304: nothing parsed; the stored entries count as seen.
//! - 410: the source is retired and skipped by later runs until re-enabled.
//! - 429/503 with `Retry-After`: not fetched again before the time the server asked.
//! - Any other failure (404, 5xx, timeouts, caps, a body that is not a feed):
//!   exponential back-off across runs ([`Backoff`]); a source still waiting is skipped
//!   and reported as deferred.
//! - Permanent redirects (301/308) move the source to its new URL, reported, when the
//!   fetch succeeded; temporary ones (302/303/307) change nothing.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ingest::feed::{ParseError, ParseOptions};
use crate::ingest::parse_pool::ParsePool;
use crate::ingest::remote::retry::Backoff;
use crate::ingest::remote::{Answer, FetchError, FetchSettings, Fetcher, Request};
use crate::model::Feed;
use crate::store::{
    self, FetchRecord, Outcome, PreparedEntries, SourceId, Store, StoreError, Validators,
};

/// A parser for fetched bodies: [`crate::ingest::feed::parse`] in real runs.
pub type ParseFn = fn(&[u8], &ParseOptions) -> Result<Feed, ParseError>;

/// One remote source to ingest: the URL as the configuration names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub url: String,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub fetch: FetchSettings,
    pub backoff: Backoff,
    pub parse: ParseFn,
    /// How long the results of a run share one commit (250 ms unless a test sets it).
    /// A run killed meanwhile loses at most this long's worth of results, which its
    /// next run fetches again as if they had never been fetched (their validators were
    /// not stored either); a longer window writes the shared index pages out less often.
    pub group_window: std::time::Duration,
    /// How many bytes of results may wait for the writer at once ([`QUEUE_BYTES`] unless
    /// a test sets it): a parsed document's prepared entries ([`PreparedEntries::bytes`])
    /// and its feed's own fields (their length as JSON), and every result's addresses,
    /// validators and error. A result larger than this waits until nothing else does,
    /// then goes alone.
    pub queue_bytes: usize,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            fetch: FetchSettings::default(),
            backoff: Backoff::default(),
            parse: crate::ingest::feed::parse,
            group_window: GROUP_WINDOW,
            queue_bytes: QUEUE_BYTES,
        }
    }
}

/// Why a run could not go on at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not set up the HTTP client: {0}")]
    Client(FetchError),
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("could not start the parse threads: {0}")]
    Threads(std::io::Error),
}

/// What happened to one source in this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SourceOutcome {
    /// A new document was parsed and stored.
    Fetched {
        entries: u64,
        entries_new: u64,
        entries_changed: u64,
    },
    /// 304 Not Modified.
    NotModified,
    /// 200, but the body is the one already stored.
    Unchanged,
    /// Failed this run; not fetched again before `next_fetch`.
    Failed {
        error: String,
        #[serde(with = "crate::model::utc_seconds::option")]
        next_fetch: Option<DateTime<Utc>>,
    },
    /// Answered 410 Gone in this run, and retired.
    Retired { error: String },
    /// Retired by an earlier run: not fetched.
    SkippedRetired {
        #[serde(with = "crate::model::utc_seconds::option")]
        since: Option<DateTime<Utc>>,
    },
    /// Still backing off after earlier failures: not fetched.
    Deferred {
        #[serde(with = "crate::model::utc_seconds::option")]
        until: Option<DateTime<Utc>>,
        error: Option<String>,
    },
}

/// One source's line of the run report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceReport {
    /// The URL as configured.
    pub url: String,
    /// Where it was fetched (after permanent moves recorded earlier).
    pub fetched_url: String,
    /// The final HTTP status, when an answer came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Set when permanent redirects moved the source in this run: its new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    #[serde(flatten)]
    pub outcome: SourceOutcome,
    /// What the parser repaired or ignored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl SourceReport {
    pub fn is_failure(&self) -> bool {
        matches!(self.outcome, SourceOutcome::Failed { .. })
    }
}

/// Counts over a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub sources: u64,
    pub fetched: u64,
    /// 304s and unchanged bodies.
    pub not_modified: u64,
    pub failed: u64,
    /// Retired in this run.
    pub retired: u64,
    /// Skipped: retired earlier, or backing off.
    pub skipped: u64,
    pub moved: u64,
    pub entries_new: u64,
    pub entries_changed: u64,
}

/// The report of a run, one line per source in the order the sources were given.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunReport {
    pub sources: Vec<SourceReport>,
}

impl RunReport {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals {
            sources: self.sources.len() as u64,
            ..Totals::default()
        };
        for source in &self.sources {
            totals.moved += u64::from(source.moved_to.is_some());
            match &source.outcome {
                SourceOutcome::Fetched {
                    entries_new,
                    entries_changed,
                    ..
                } => {
                    totals.fetched += 1;
                    totals.entries_new += entries_new;
                    totals.entries_changed += entries_changed;
                }
                SourceOutcome::NotModified | SourceOutcome::Unchanged => totals.not_modified += 1,
                SourceOutcome::Failed { .. } => totals.failed += 1,
                SourceOutcome::Retired { .. } => totals.retired += 1,
                SourceOutcome::SkippedRetired { .. } | SourceOutcome::Deferred { .. } => {
                    totals.skipped += 1
                }
            }
        }
        totals
    }
}

/// What a fetch task hands back to the writing thread.
struct Done {
    index: usize,
    source: SourceId,
    url: String,
    fetched_url: String,
    /// The permanent move and its hops, when the redirects began with permanent ones.
    moved: Option<(String, Vec<store::Redirect>)>,
    at: DateTime<Utc>,
    status: Option<u16>,
    result: TaskResult,
    failures_before: u32,
    /// The result's room in the queue, given back once it is recorded.
    room: Option<OwnedSemaphorePermit>,
}

enum TaskResult {
    Parsed {
        /// The feed without its entries, which are in `entries`.
        meta: Box<Feed>,
        /// The length of `meta` as JSON ([`json_bytes`]), measured on the parse thread.
        meta_bytes: usize,
        entries: PreparedEntries,
        validators: Validators,
        body_hash: String,
    },
    NotModified(Validators),
    Unchanged(Validators),
    Failed(String, Option<DateTime<Utc>>),
    Gone(String),
}

/// The default of [`RunSettings::group_window`].
const GROUP_WINDOW: std::time::Duration = std::time::Duration::from_millis(250);

/// How many results may wait for the writer, per place under the global concurrency
/// limit (see the module docs). On the fetch benchmark (1,000 feeds, 16 at once) 64
/// queued results are about a fifth of a second of the run's output and, packed and
/// compressed, about 12 MB on average (its store holds about 190 KB per source).
pub const QUEUE_PER_FETCH: usize = 4;

/// The default of [`RunSettings::queue_bytes`]: some three times what a full queue holds
/// on the fetch benchmark (64 results of 160-190 KB of entries and under 1 KB of feed
/// fields each: 10-12 MB), so it binds only where documents are far larger.
pub const QUEUE_BYTES: usize = 32 * 1024 * 1024;

impl Done {
    /// Frees what a recorded result no longer needs, and its room in the queue: once in
    /// the store's transaction its entries and feed fields are only memory, while the
    /// report line waits for the commit (it needs only the feed's warnings).
    fn drop_recorded(&mut self) {
        if let TaskResult::Parsed { meta, entries, .. } = &mut self.result {
            entries.clear();
            **meta = Feed {
                warnings: std::mem::take(&mut meta.warnings),
                ..Feed::default()
            };
        }
        self.room = None;
    }

    /// About how many bytes the result holds (see [`RunSettings::queue_bytes`]).
    fn bytes(&self) -> usize {
        let validators = |validators: &Validators| {
            validators.etag.as_ref().map_or(0, String::len)
                + validators.last_modified.as_ref().map_or(0, String::len)
        };
        let moved = self.moved.as_ref().map_or(0, |(to, hops)| {
            to.len()
                + hops
                    .iter()
                    .map(|hop| hop.from.len() + hop.to.len())
                    .sum::<usize>()
        });
        let result = match &self.result {
            TaskResult::Parsed {
                meta_bytes,
                entries,
                validators: kept,
                body_hash,
                ..
            } => meta_bytes + entries.bytes() + validators(kept) + body_hash.len(),
            TaskResult::NotModified(kept) | TaskResult::Unchanged(kept) => validators(kept),
            TaskResult::Failed(error, _) | TaskResult::Gone(error) => error.len(),
        };
        self.url.len() + self.fetched_url.len() + moved + result
    }
}

/// The room of the whole queue in semaphore permits, one a byte: `queue_bytes`, but at
/// least one (so that a limit of zero still lets one result through at a time), at most
/// what a semaphore can hold ([`Semaphore::MAX_PERMITS`], 512 MiB on 32-bit targets)
/// and what one acquire can ask for (`u32`).
fn room_limit(queue_bytes: usize) -> u32 {
    u32::try_from(queue_bytes.clamp(1, Semaphore::MAX_PERMITS)).unwrap_or(u32::MAX)
}

/// The length of `feed` as JSON: what the store writes of it, and about what its text
/// takes in memory, counted without writing it anywhere.
fn json_bytes(feed: &Feed) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // A feed that cannot be written as JSON is refused by the store when recorded; what
    // was counted up to there stands.
    let _ = serde_json::to_writer(&mut count, feed);
    count.0
}

/// What ends a body's fingerprint: the omroep version that parsed it.
const VERSION_SUFFIX: &str = concat!("@omroep-", env!("CARGO_PKG_VERSION"));

/// The stored fingerprint of a parsed body: its hash ([`store::content_hash`]) and the
/// omroep version that parsed it, so that after an upgrade every feed is parsed once
/// more even when its server says (304) or its bytes show (same hash) that it has not
/// changed. A fingerprint stored with a SHA-256 (before the hash changed kind) never
/// equals a new one: that body is parsed once more the next time it is sent whole.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{}{VERSION_SUFFIX}", store::content_hash(bytes))
}

/// Ingests `sources` into `store`; `on_source` is called as each source is recorded
/// (or skipped), for progress display.
pub fn ingest(
    store: &mut Store,
    sources: &[SourceSpec],
    settings: &RunSettings,
    on_source: &mut dyn FnMut(&SourceReport),
) -> Result<RunReport, RunError> {
    let mut seen = HashSet::new();
    let urls: Vec<&str> = sources
        .iter()
        .map(|spec| spec.url.as_str())
        .filter(|url| seen.insert(*url))
        .collect();
    let states = store.ensure_sources(&urls)?;
    let now = Utc::now();
    let mut reports: Vec<Option<SourceReport>> = vec![None; states.len()];
    let mut to_fetch = Vec::new();
    for (index, state) in states.into_iter().enumerate() {
        let skipped = |outcome| SourceReport {
            url: state.configured_url.clone(),
            fetched_url: state.url.clone(),
            status: None,
            moved_to: None,
            outcome,
            warnings: Vec::new(),
        };
        let report = if state.retired_at.is_some() {
            skipped(SourceOutcome::SkippedRetired {
                since: state.retired_at,
            })
        } else if state.next_fetch.is_some_and(|when| when > now) {
            skipped(SourceOutcome::Deferred {
                until: state.next_fetch,
                error: state.last_error.clone(),
            })
        } else {
            to_fetch.push((index, state));
            continue;
        };
        on_source(&report);
        reports[index] = Some(report);
    }

    // However the writing part below ends (an error returned half-way, or nothing to
    // fetch at all), the store goes back to WAL: from a long run of this one, or one
    // that an earlier run left it in (see `Store::long_run`).
    let mut store = store.long_run();
    if !to_fetch.is_empty() {
        // Declared before the runtime so that it is dropped after it: once the runtime's
        // tasks are gone, work still queued for the pool is skipped.
        // One thread per core, or as many as `OMROEP_THREADS` says (1: serial parses).
        let parse_pool =
            Arc::new(ParsePool::new(crate::parallel::threads()).map_err(RunError::Threads)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(RunError::Runtime)?;
        let fetcher = {
            let _guard = runtime.enter();
            Arc::new(Fetcher::new(settings.fetch.clone()).map_err(RunError::Client)?)
        };
        let (sender, mut receiver) =
            tokio::sync::mpsc::channel::<Done>(settings.fetch.concurrency.max(1) * QUEUE_PER_FETCH);
        let room_limit = room_limit(settings.queue_bytes);
        let queue_room = Arc::new(Semaphore::new(room_limit as usize));
        let names: Vec<(usize, String, String)> = to_fetch
            .iter()
            .map(|(index, state)| (*index, state.configured_url.clone(), state.url.clone()))
            .collect();
        for (index, state) in to_fetch {
            let fetcher = fetcher.clone();
            let sender = sender.clone();
            let parse_pool = parse_pool.clone();
            let queue_room = queue_room.clone();
            let parse = settings.parse;
            let max_bytes = usize::try_from(settings.fetch.max_body_bytes).unwrap_or(usize::MAX);
            runtime.spawn(async move {
                let (mut done, slot) =
                    fetch_one(index, state, &fetcher, &parse_pool, parse, max_bytes).await;
                let needed = u32::try_from(done.bytes()).map_or(room_limit, |b| b.min(room_limit));
                // Only a closed semaphore refuses, and nothing closes this one.
                done.room = queue_room.acquire_many_owned(needed).await.ok();
                // The receiver is gone only when the run is ending early (a store
                // error); the result is then of no use to anyone.
                let _ = sender.send(done).await;
                // Only now may another fetch start: what waits for the writer is bounded
                // by the channel and its room in bytes, and what is in flight by the
                // concurrency limit.
                drop(slot);
            });
        }
        drop(sender);
        // Results are recorded as they arrive, each in its own savepoint, but committed
        // together for a while (`settings.group_window`): every commit writes out each index page
        // it touched, and the entries' keys and links land on pages all over their
        // indexes, so few large commits write those pages far fewer times than many small
        // ones. What a group held is dropped as soon as it is recorded; only its report
        // lines wait for the commit, as nothing may be reported stored before that.
        let mut pending: Vec<(Done, Result<store::EntryCounts, StoreError>)> = Vec::new();
        while let Some(first) = receiver.blocking_recv() {
            // A rollback journal from the first group with a document to store (see
            // `Store::begin_long_run`), while the fetches go on. A run of 304s and
            // failures writes one small row per source: the switch's and FULL sync's
            // waits for the disk would cost it more than the WAL does.
            if matches!(first.result, TaskResult::Parsed { .. }) {
                store.begin()?;
            }
            let mut group = store.group()?;
            let deadline = tokio::time::Instant::now() + settings.group_window;
            let mut next = Some(first);
            while let Some(mut done) = next {
                let counts = group.record(done.source, &plan(&done, settings.backoff))?;
                done.drop_recorded();
                pending.push((done, counts));
                next = next_in_group(&runtime, &mut receiver, deadline);
            }
            group.commit()?;
            for (done, counts) in pending.drain(..) {
                let index = done.index;
                let report = match counts {
                    Ok(counts) => report(done, counts, settings.backoff),
                    Err(error) => unstored(done, &error),
                };
                on_source(&report);
                reports[index] = Some(report);
            }
        }
        // A task that died (a bug) sent nothing: say so rather than drop its line.
        for (index, url, fetched_url) in names {
            if reports[index].is_none() {
                let report = SourceReport {
                    url,
                    fetched_url,
                    status: None,
                    moved_to: None,
                    outcome: SourceOutcome::Failed {
                        error: "omroep stopped working on this source unexpectedly; please report this feed".into(),
                        next_fetch: None,
                    },
                    warnings: Vec::new(),
                };
                on_source(&report);
                reports[index] = Some(report);
            }
        }
    }
    drop(store);
    Ok(RunReport {
        sources: reports.into_iter().flatten().collect(),
    })
}

/// The next result for the open group, or `None` when the group must end: its
/// `deadline` passed, or no result came before it, or none will come (every fetch is
/// done). A group ends at its deadline even while results keep coming (they stay in the
/// channel for the next group), so a kill never loses more than one window's worth of
/// them.
fn next_in_group<T>(
    runtime: &tokio::runtime::Runtime,
    receiver: &mut tokio::sync::mpsc::Receiver<T>,
    deadline: tokio::time::Instant,
) -> Option<T> {
    if tokio::time::Instant::now() >= deadline {
        return None;
    }
    match receiver.try_recv() {
        Ok(done) => Some(done),
        Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => None,
        // The timer is made inside the runtime, which it needs.
        Err(tokio::sync::mpsc::error::TryRecvError::Empty) => runtime
            .block_on(async { tokio::time::timeout_at(deadline, receiver.recv()).await })
            .ok()
            .flatten(),
    }
}

/// Fetches and (when needed) parses one source.
async fn fetch_one(
    index: usize,
    state: store::FetchState,
    fetcher: &Fetcher,
    parse_pool: &ParsePool,
    parse: ParseFn,
    max_bytes: usize,
) -> (Done, Option<OwnedSemaphorePermit>) {
    // Validators only count when the document they describe was stored, by this
    // version of omroep (a newer parser may read more out of the same document).
    let has_document = state
        .body_hash
        .as_deref()
        .is_some_and(|hash| hash.ends_with(VERSION_SUFFIX));
    let request = Request {
        url: state.url.clone(),
        etag: state.etag.clone().filter(|_| has_document),
        last_modified: state.last_modified.clone().filter(|_| has_document),
    };
    let fetched = fetcher.fetch(&request).await;
    let at = Utc::now();
    let moved = fetched.moved_to().map(|(to, hops)| {
        let hops = hops
            .iter()
            .map(|hop| store::Redirect {
                from: hop.from.clone(),
                to: hop.to.clone(),
                status: hop.status,
                at,
            })
            .collect();
        (to.to_string(), hops)
    });
    let mut status = fetched.result.as_ref().err().and_then(FetchError::status);
    let slot = fetched.slot;
    let result = match fetched.result {
        Ok(Answer::NotModified {
            etag,
            last_modified,
        }) => {
            status = Some(304);
            TaskResult::NotModified(Validators {
                etag,
                last_modified,
            })
        }
        Ok(Answer::Body {
            status: code,
            bytes,
            etag,
            last_modified,
            charset,
            ..
        }) => {
            status = Some(code);
            let validators = Validators {
                etag,
                last_modified,
            };
            let stored_hash = state.body_hash.clone();
            let source = state.id;
            let options = ParseOptions {
                max_bytes,
                base_url: url::Url::parse(&fetched.final_url).ok(),
                http_charset: charset,
                ..ParseOptions::default()
            };
            let parsed = parse_pool
                .run(move || {
                    let body_hash = fingerprint(&bytes);
                    if stored_hash.as_deref() == Some(body_hash.as_str()) {
                        return Ok(None);
                    }
                    let mut feed = parse(&bytes, &options).map_err(|error| error.to_string())?;
                    drop(bytes);
                    let entries = std::mem::take(&mut feed.entries);
                    let prepared = PreparedEntries::new(source, &entries)
                        .map_err(|error| error.to_string())?;
                    let meta_bytes = json_bytes(&feed);
                    Ok(Some((feed, meta_bytes, prepared, body_hash)))
                })
                .await;
            match parsed {
                Ok(Ok(Some((meta, meta_bytes, entries, body_hash)))) => TaskResult::Parsed {
                    meta: Box::new(meta),
                    meta_bytes,
                    entries,
                    validators,
                    body_hash,
                },
                Ok(Ok(None)) => TaskResult::Unchanged(validators),
                Ok(Err(error)) => TaskResult::Failed(error, None),
                Err(panic) => TaskResult::Failed(
                    format!("the parser failed unexpectedly ({panic}); please report this feed"),
                    None,
                ),
            }
        }
        Err(FetchError::Gone) => TaskResult::Gone(FetchError::Gone.to_string()),
        Err(error) => {
            let retry_after = match &error {
                FetchError::Status { retry_after, .. } => *retry_after,
                _ => None,
            };
            TaskResult::Failed(error.to_string(), retry_after)
        }
    };
    let done = Done {
        index,
        source: state.id,
        url: state.configured_url,
        fetched_url: state.url,
        moved,
        at,
        status,
        result,
        failures_before: state.consecutive_failures,
        room: None,
    };
    (done, slot)
}

/// The moves to record for a finished source: only when the fetch succeeded.
fn moved(done: &Done) -> Option<&(String, Vec<store::Redirect>)> {
    let succeeded = matches!(
        done.result,
        TaskResult::Parsed { .. } | TaskResult::NotModified(_) | TaskResult::Unchanged(_)
    );
    done.moved.as_ref().filter(|_| succeeded)
}

/// When a failed source may be fetched again: when the server asked, else back-off.
fn next_fetch(done: &Done, retry_after: Option<DateTime<Utc>>, backoff: Backoff) -> DateTime<Utc> {
    retry_after.unwrap_or_else(|| backoff.next_fetch(done.failures_before, done.at))
}

/// What to record in the store for a finished source.
fn plan(done: &Done, backoff: Backoff) -> FetchRecord<'_> {
    let moved = moved(done);
    let (moved_to, redirects) = match moved {
        Some((to, hops)) => (Some(to.as_str()), hops.as_slice()),
        None => (None, &[][..]),
    };
    let outcome = match &done.result {
        TaskResult::Parsed {
            meta,
            entries,
            validators,
            body_hash,
            ..
        } => Outcome::Parsed {
            meta,
            entries,
            validators: validators.clone(),
            body_hash,
        },
        TaskResult::NotModified(validators) | TaskResult::Unchanged(validators) => {
            Outcome::NotModified {
                validators: validators.clone(),
            }
        }
        TaskResult::Failed(error, retry_after) => Outcome::Failed {
            error,
            next_fetch: next_fetch(done, *retry_after, backoff),
        },
        TaskResult::Gone(error) => Outcome::Gone { error },
    };
    FetchRecord {
        at: done.at,
        status: done.status,
        moved_to,
        redirects,
        outcome,
    }
}

/// The report line of a source whose update the store refused on its own (see
/// [`Store::group`]): nothing of this fetch was kept, so the next run fetches it
/// again as if this one had not happened.
fn unstored(done: Done, error: &StoreError) -> SourceReport {
    SourceReport {
        url: done.url,
        fetched_url: done.fetched_url,
        status: done.status,
        moved_to: None,
        outcome: SourceOutcome::Failed {
            error: format!("could not be stored, so nothing of this fetch was kept: {error}"),
            next_fetch: None,
        },
        warnings: Vec::new(),
    }
}

/// The report line of a source once it is recorded.
fn report(done: Done, counts: store::EntryCounts, backoff: Backoff) -> SourceReport {
    let moved_to = moved(&done).map(|(to, _)| to.clone());
    let mut warnings = Vec::new();
    let outcome = match done.result {
        TaskResult::Parsed { ref meta, .. } => {
            warnings = meta.warnings.clone();
            SourceOutcome::Fetched {
                entries: counts.seen,
                entries_new: counts.new,
                entries_changed: counts.changed,
            }
        }
        TaskResult::NotModified(_) => SourceOutcome::NotModified,
        TaskResult::Unchanged(_) => SourceOutcome::Unchanged,
        TaskResult::Failed(ref error, retry_after) => SourceOutcome::Failed {
            error: error.clone(),
            next_fetch: Some(next_fetch(&done, retry_after, backoff)),
        },
        TaskResult::Gone(ref error) => SourceOutcome::Retired {
            error: error.clone(),
        },
    };
    SourceReport {
        url: done.url,
        fetched_url: done.fetched_url,
        status: done.status,
        moved_to,
        outcome,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;
    use tokio::time::Instant;

    use super::{Done, TaskResult, json_bytes, next_in_group, room_limit};
    use crate::model::Feed;
    use crate::store::{PreparedEntries, Redirect, Validators};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_group_past_its_deadline_ends_even_with_results_waiting() {
        let runtime = runtime();
        let (sender, mut receiver) = mpsc::channel(4);
        for i in 0..4 {
            sender.try_send(i).unwrap();
        }
        // The channel is full and the deadline already passed: the group ends here, and
        // every waiting result is left for the next group, none lost.
        let passed = Instant::now() - Duration::from_millis(1);
        assert_eq!(next_in_group(&runtime, &mut receiver, passed), None);
        let rest: Vec<i32> = std::iter::from_fn(|| receiver.try_recv().ok()).collect();
        assert_eq!(rest, [0, 1, 2, 3]);
    }

    #[test]
    fn a_group_before_its_deadline_takes_what_is_waiting_in_order() {
        let runtime = runtime();
        let (sender, mut receiver) = mpsc::channel(4);
        sender.try_send("a").unwrap();
        sender.try_send("b").unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        assert_eq!(next_in_group(&runtime, &mut receiver, deadline), Some("a"));
        assert_eq!(next_in_group(&runtime, &mut receiver, deadline), Some("b"));
        // Every fetch done and the channel empty: the group (and the run) ends at once,
        // long before the deadline.
        drop(sender);
        let start = std::time::Instant::now();
        assert_eq!(next_in_group(&runtime, &mut receiver, deadline), None);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_group_waits_for_a_result_until_its_deadline_and_no_longer() {
        let runtime = runtime();
        let (sender, mut receiver) = mpsc::channel::<u32>(4);
        // A result sent while the group waits joins it.
        let late = sender.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            late.blocking_send(7).unwrap();
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        assert_eq!(next_in_group(&runtime, &mut receiver, deadline), Some(7));
        thread.join().unwrap();
        // Nothing comes: the group ends at its deadline although the run goes on.
        let start = Instant::now();
        let deadline = start + Duration::from_millis(50);
        assert_eq!(next_in_group(&runtime, &mut receiver, deadline), None);
        assert!(start.elapsed() >= Duration::from_millis(50));
        drop(sender);
    }

    fn done(result: TaskResult) -> Done {
        Done {
            index: 0,
            source: 1,
            url: "https://a.example/feed".into(),
            fetched_url: "https://a.example/feed".into(),
            moved: None,
            at: chrono::Utc::now(),
            status: Some(200),
            result,
            failures_before: 0,
            room: None,
        }
    }

    fn parsed(meta: Feed) -> TaskResult {
        TaskResult::Parsed {
            meta_bytes: json_bytes(&meta),
            meta: Box::new(meta),
            entries: PreparedEntries::new(1, &[]).unwrap(),
            validators: Validators::default(),
            body_hash: "hash".into(),
        }
    }

    #[test]
    fn a_result_s_room_counts_its_feed_s_fields_addresses_and_error() {
        let big = "x".repeat(100_000);
        let described = done(parsed(Feed {
            description: Some(big.clone()),
            description_html: Some(format!("<p>{big}</p>")),
            warnings: vec![big.clone()],
            ..Feed::default()
        }));
        assert!(described.bytes() > 300_000, "{}", described.bytes());
        let failed = done(TaskResult::Failed(big.clone(), None));
        assert!(failed.bytes() > 100_000);
        let mut moved = done(TaskResult::NotModified(Validators {
            etag: Some(big.clone()),
            last_modified: None,
        }));
        assert!(moved.bytes() > 100_000);
        moved.moved = Some((
            big.clone(),
            vec![Redirect {
                from: big.clone(),
                to: big.clone(),
                status: 301,
                at: chrono::Utc::now(),
            }],
        ));
        assert!(moved.bytes() > 400_000);
    }

    #[test]
    fn a_recorded_result_keeps_only_what_its_report_line_needs() {
        let big = "x".repeat(100_000);
        let mut recorded = done(parsed(Feed {
            title: Some(big.clone()),
            description: Some(big.clone()),
            warnings: vec!["a warning".into()],
            ..Feed::default()
        }));
        let room = std::sync::Arc::new(tokio::sync::Semaphore::new(10));
        recorded.room = Some(room.clone().try_acquire_many_owned(10).unwrap());
        recorded.drop_recorded();
        let TaskResult::Parsed { meta, entries, .. } = &recorded.result else {
            unreachable!()
        };
        let warnings_only = Feed {
            warnings: vec!["a warning".into()],
            ..Feed::default()
        };
        assert_eq!(**meta, warnings_only);
        assert!(entries.is_empty());
        assert_eq!(room.available_permits(), 10, "its room is given back");
    }

    #[test]
    fn the_queue_s_room_fits_a_semaphore_and_one_acquire() {
        assert_eq!(room_limit(0), 1);
        assert_eq!(room_limit(32 << 20), 32 << 20);
        for huge in [usize::MAX, tokio::sync::Semaphore::MAX_PERMITS + 1] {
            let limit = room_limit(huge);
            assert!(limit as usize <= tokio::sync::Semaphore::MAX_PERMITS);
            // Would panic above MAX_PERMITS (512 MiB on 32-bit targets).
            let room = tokio::sync::Semaphore::new(limit as usize);
            assert_eq!(room.available_permits(), limit as usize);
        }
    }
}
