//! `omroep ingest`: summary, JSON, exit codes, the run lock, and a run killed mid-way.

use std::time::{Duration, Instant};

use omroep::store::Store;
use omroep::store::lock::StoreLock;

use crate::support::{Reply, Server, Site, json_feed, numbered_feed, response, stderr, stdout};

fn blog() -> Vec<u8> {
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

fn server() -> Server {
    Server::start(|hit| match hit.path.as_str() {
        "/blog.json" if hit.header("if-none-match") == Some("\"b1\"") => {
            Reply::Raw(response(304, &[], b""))
        }
        "/blog.json" => Reply::Raw(response(200, &[("ETag", "\"b1\"")], &blog())),
        "/pod.json" => Reply::Raw(response(200, &[], &numbered_feed("Pod", "ep", 3))),
        _ => Reply::Raw(response(404, &[], b"")),
    })
}

#[test]
fn a_run_prints_a_summary_and_exits_1_when_a_source_failed() {
    let server = server();
    let ok = server.url("/blog.json");
    let missing = server.url("/missing");
    let site = Site::new(&[("blog", vec![ok.clone(), missing.clone()])]);
    let output = site.run(&["ingest", "-v"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "sources: 1 fetched, 0 not modified, 1 failed, 0 retired, 0 skipped\n\
         entries: 2 new, 0 changed\n"
    );
    let err = stderr(&output);
    assert!(
        err.contains(&format!("fetched {ok}: 2 entries, 2 new, 0 changed\n")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "omroep: error: {missing}: the server answered 404 Not Found (next try after "
        )),
        "{err}"
    );
    // The store is where the site says, and holds the entries.
    let store = Store::open(&site.store_path()).unwrap();
    assert_eq!(store.source(&ok).unwrap().unwrap().entries, 2);
}

#[test]
fn all_well_exits_0_and_a_second_run_is_all_not_modified() {
    let server = server();
    let site = Site::new(&[("blog", vec![server.url("/blog.json")])]);
    let first = site.run(&["ingest"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = site.run(&["ingest"]);
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(
        stdout(&second),
        "sources: 0 fetched, 1 not modified, 0 failed, 0 retired, 0 skipped\n\
         entries: 0 new, 0 changed\n"
    );
    // Off a terminal a run that went well says nothing on standard error; -v logs
    // each source with its URL.
    assert_eq!(stderr(&second), "");
    let verbose = site.run(&["ingest", "-v"]);
    assert_eq!(
        stderr(&verbose),
        format!("not modified {}\n", server.url("/blog.json"))
    );
    // -q: nothing but errors.
    let quiet = site.run(&["ingest", "-q"]);
    assert_eq!(
        (stdout(&quiet), stderr(&quiet)),
        (String::new(), String::new())
    );
}

#[test]
fn json_summary_and_feed_selection() {
    let server = server();
    let blog = server.url("/blog.json");
    let pod = server.url("/pod.json");
    let site = Site::new(&[("blog", vec![blog.clone()]), ("pod", vec![pod.clone()])]);
    let output = site.run(&["ingest", "--feed", "pod", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["totals"],
        serde_json::json!({
            "sources": 1, "fetched": 1, "not_modified": 0, "failed": 0, "retired": 0,
            "skipped": 0, "moved": 0, "entries_new": 3, "entries_changed": 0
        })
    );
    assert_eq!(
        json["sources"],
        serde_json::json!([{
            "url": pod, "fetched_url": pod, "status": 200, "outcome": "fetched",
            "entries": 3, "entries_new": 3, "entries_changed": 0
        }])
    );
    assert_eq!(server.hits_of("/blog.json"), 0);

    let unknown = site.run(&["ingest", "--feed", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).starts_with("omroep: error: --feed nope: no such feed in ")
            && stderr(&unknown).contains("the feeds are: blog, pod"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn config_and_store_errors_exit_2() {
    let outside = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_omroep"))
        .arg("ingest")
        .current_dir(outside.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("omroep.toml: not found in "),
        "{}",
        stderr(&output)
    );

    let site = Site::new(&[("blog", vec!["https://blog.example/feed".into()])]);
    std::fs::create_dir_all(site.store_path().parent().unwrap()).unwrap();
    std::fs::write(
        site.store_path(),
        b"this is not a database, it is a text file....",
    )
    .unwrap();
    let output = site.run(&["ingest"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("store.sqlite"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_second_run_over_the_same_store_says_so_and_exits_3() {
    let server = server();
    let site = Site::new(&[("blog", vec![server.url("/blog.json")])]);
    let held = StoreLock::acquire(&site.store_path()).unwrap();
    let output = site.run(&["ingest"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("another omroep run is using this store"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.hits().len(), 0);
    // `run` takes the same lock before fetching, and builds nothing while it is held.
    let output = site.run(&["run"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("another omroep run is using this store"));
    assert_eq!(server.hits().len(), 0);
    assert!(!site.path().join("public").exists());
    // Nor does `build`: it writes the outputs, the ledger and the store's file cache.
    let output = site.run(&["build"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("another omroep run is using this store"));
    assert!(!site.path().join("public").exists());
    // `build --check` writes nothing, so it does not wait for the lock.
    assert_eq!(site.run(&["build", "--check"]).status.code(), Some(1));
    drop(held);
    assert_eq!(site.run(&["ingest"]).status.code(), Some(0));
    let output = site.run(&["run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(site.path().join("public/blog/rss.xml").is_file());
}

/// Kills a run part-way with `signal`, checks the store, then runs to the end.
fn kill_mid_run(signal: libc::c_int) {
    const FEEDS: usize = 40;
    const ENTRIES: usize = 5;
    let server = Server::start(|hit| {
        let n = hit.path.trim_start_matches("/f");
        Reply::After(
            Duration::from_millis(60),
            response(200, &[], &numbered_feed(&format!("feed {n}"), n, ENTRIES)),
        )
    });
    let urls: Vec<String> = (0..FEEDS).map(|i| server.url(&format!("/f{i}"))).collect();
    let site = Site::new(&[("planet", urls.clone())]);
    let mut command = site.command(&["ingest", "--concurrency", "2"]);
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // A shell starts a background job with SIGINT ignored, and the child would inherit
    // that (the test then failed when `cargo test` ran in the background): give the run
    // the default disposition, as a terminal's foreground job has.
    // SAFETY: `signal` is async-signal-safe, and the closure touches nothing else.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    // Wait until some sources are in, then kill.
    let started = Instant::now();
    while server.hits().len() < 8 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Sent from this process, without spawning a shell.
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: `kill` only sends a signal to the child this test spawned and still holds.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let exit = child.wait().unwrap();
    assert!(!exit.success(), "the run was meant to be killed mid-way");

    let store = Store::open(&site.store_path()).unwrap();
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
    let mut done = 0;
    for url in &urls {
        let Some(state) = store.source(url).unwrap() else {
            continue;
        };
        // Every source is either wholly recorded or not at all.
        if state.last_success.is_some() {
            done += 1;
            assert_eq!(state.entries, ENTRIES as u64, "{url}");
            assert!(state.body_hash.is_some());
        } else {
            assert_eq!(state.entries, 0, "{url}");
        }
    }
    assert!(done < FEEDS, "the kill came after the run had finished");
    drop(store);

    let output = site.run(&["ingest", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["totals"]["failed"], 0);
    assert_eq!(
        json["totals"]["fetched"].as_u64().unwrap()
            + json["totals"]["not_modified"].as_u64().unwrap(),
        FEEDS as u64
    );
    let store = Store::open(&site.store_path()).unwrap();
    for url in &urls {
        assert_eq!(store.source(url).unwrap().unwrap().entries, ENTRIES as u64);
    }
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
}

#[test]
fn a_run_killed_with_sigkill_leaves_the_store_consistent() {
    kill_mid_run(libc::SIGKILL);
}

#[test]
fn a_run_killed_with_sigterm_or_sigint_leaves_the_store_consistent() {
    kill_mid_run(libc::SIGTERM);
    kill_mid_run(libc::SIGINT);
}

/// A cron job sees only the summary (standard output) unless something failed, so a
/// moved or retired source must be named there, not only with `-v` or in `sources`.
#[test]
fn a_permanent_move_and_a_retirement_are_in_the_summary() {
    let server = Server::start(|hit| match hit.path.as_str() {
        "/old" => crate::support::redirect(301, "/new"),
        "/new" => Reply::Raw(response(200, &[], &blog())),
        _ => Reply::Raw(response(410, &[], b"")),
    });
    let [old, new, gone] = ["/old", "/new", "/gone"].map(|path| server.url(path));
    let site = Site::new(&[("planet", vec![old.clone(), gone.clone()])]);
    let output = site.run(&["ingest"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let summary = stdout(&output);
    assert!(
        summary.starts_with(
            "sources: 1 fetched, 0 not modified, 0 failed, 1 retired, 0 skipped\n\
             entries: 2 new, 0 changed\n"
        ),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "moved: {old} -> {new} (permanent redirect; update the feed definition)\n"
        )),
        "{summary}"
    );
    assert!(summary.contains(&format!("retired: {gone} (")), "{summary}");
    assert!(
        summary.contains(&format!(
            "; `omroep sources --enable {gone}` fetches it again)\n"
        )),
        "{summary}"
    );
    // The store agrees with the report.
    let store = Store::open(&site.store_path()).unwrap();
    assert_eq!(store.source(&old).unwrap().unwrap().entries, 2);
    drop(store);

    // The next run skips the retired source without naming it again, and goes straight
    // to the new address.
    let again = site.run(&["ingest"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        "sources: 0 fetched, 1 not modified, 0 failed, 0 retired, 1 skipped\n\
         entries: 0 new, 0 changed\n"
    );
    assert_eq!(server.hits_of("/gone"), 1);
    assert_eq!(server.hits_of("/old"), 1);
}

/// Every file under `dir` (relative path → bytes), temporary files included.
fn files_under(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// `omroep run` killed at any moment (while fetching, storing, rendering or writing)
/// leaves every published file whole — the old version or the new one — and the next run
/// completes normally and removes the temporary files the killed runs left behind.
#[test]
fn a_killed_run_leaves_the_published_outputs_whole() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let version = Arc::new(AtomicUsize::new(3));
    let served = Arc::clone(&version);
    let server = Server::start(move |_| {
        let n = served.load(Ordering::SeqCst);
        Reply::Raw(response(200, &[], &numbered_feed("Blog", "post", n)))
    });
    let site = Site::new(&[("blog", vec![server.url("/feed.json")])]);
    let first = site.run(&["run"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let old = files_under(&site.path().join("public"));
    assert!(old.contains_key("blog/rss.xml"), "{:?}", old.keys());
    let old_ledger = std::fs::read(site.path().join("omroep.ledger")).unwrap();

    // A twin site, built the same way, times one complete run with the new content, so
    // the kills below are spread over the whole run however loaded the machine is.
    let twin = Site::new(&[("blog", vec![server.url("/feed.json")])]);
    assert_eq!(twin.run(&["run"]).status.code(), Some(0));
    // From now on the feed has more entries, so a completed run rewrites the outputs.
    version.store(40, Ordering::SeqCst);
    let started = Instant::now();
    assert_eq!(twin.run(&["run"]).status.code(), Some(0));
    let whole_run = started.elapsed();
    let mut snapshots = Vec::new();
    for step in 0..30u32 {
        let delay = whole_run * step / 24;
        let mut child = site
            .command(&["run"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -KILL {}", child.id())])
            .status()
            .unwrap();
        assert!(status.success());
        child.wait().unwrap();
        snapshots.push((
            delay.as_millis(),
            files_under(&site.path().join("public")),
            std::fs::read(site.path().join("omroep.ledger")).unwrap(),
        ));
        // Start the next attempt from the old outputs again, as if this run never was.
        // Temporary files a kill left behind stay, for the last run to deal with.
        if snapshots.last().is_some_and(|(_, files, _)| *files != old) {
            for name in snapshots.last().unwrap().1.keys() {
                if !name.ends_with(".tmp") && !old.contains_key(name) {
                    std::fs::remove_file(site.path().join("public").join(name)).unwrap();
                }
            }
            for (name, bytes) in &old {
                let path = site.path().join("public").join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
            std::fs::write(site.path().join("omroep.ledger"), &old_ledger).unwrap();
        }
    }

    let last = site.run(&["run"]);
    assert_eq!(last.status.code(), Some(0), "{}", stderr(&last));
    let new = files_under(&site.path().join("public"));
    let new_ledger = std::fs::read(site.path().join("omroep.ledger")).unwrap();
    assert_ne!(new, old, "the completed run changed the outputs");
    assert!(
        new.keys().all(|name| !name.ends_with(".tmp")),
        "a completed run leaves no temporary files: {:?}",
        new.keys()
    );
    let store = Store::open(&site.store_path()).unwrap();
    assert_eq!(store.check_integrity().unwrap(), Ok(()));

    for (delay_ms, files, ledger) in &snapshots {
        assert!(
            *ledger == old_ledger || *ledger == new_ledger,
            "killed after {delay_ms} ms: omroep.ledger is neither the old nor the new one"
        );
        // A kill mid-write leaves its temporary files (nothing can clean up after
        // SIGKILL); the next build removes them, as checked above.
        for (name, bytes) in files.iter().filter(|(name, _)| !name.ends_with(".tmp")) {
            assert!(
                old.get(name) == Some(bytes) || new.get(name) == Some(bytes),
                "killed after {delay_ms} ms: public/{name} is neither the old nor the new file"
            );
        }
        for name in old.keys() {
            assert!(
                files.contains_key(name),
                "killed after {delay_ms} ms: public/{name} is gone"
            );
        }
    }
}

/// The journal modes a store file's header names (its bytes 18 and 19, the versions
/// that write and read it): 2 for WAL, 1 for a rollback journal.
fn header_modes(path: &std::path::Path) -> [u8; 2] {
    let header = std::fs::read(path).unwrap();
    [header[18], header[19]]
}

#[test]
fn an_ingest_that_stored_documents_leaves_the_store_in_wal() {
    // The run writes through a rollback journal; every other command, and the next
    // run's start, expect the WAL back.
    let server = server();
    let site = Site::new(&[(
        "blog",
        vec![server.url("/blog.json"), server.url("/pod.json")],
    )]);
    let run = site.run(&["ingest"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        stdout(&run),
        "sources: 2 fetched, 0 not modified, 0 failed, 0 retired, 0 skipped\n\
         entries: 5 new, 0 changed\n"
    );
    assert_eq!(header_modes(&site.store_path()), [2, 2]);
}

#[test]
fn an_all_not_modified_run_writes_no_rollback_journal() {
    // A run with no document to store stays in the WAL: no `-journal`, and the
    // header's change counter (bytes 24-27), which commits through a rollback
    // journal and the switches to and from one advance, and commits through the WAL
    // leave as it is, does not move.
    let server = server();
    let site = Site::new(&[("blog", vec![server.url("/blog.json")])]);
    let first = site.run(&["ingest"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let store = site.store_path();
    let journal = store.with_file_name("store.sqlite-journal");
    let _ = std::fs::remove_file(&journal);
    let counter = |store: &std::path::Path| std::fs::read(store).unwrap()[24..28].to_vec();
    let before = counter(&store);

    let second = site.run(&["ingest"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(
        stdout(&second),
        "sources: 0 fetched, 1 not modified, 0 failed, 0 retired, 0 skipped\n\
         entries: 0 new, 0 changed\n"
    );
    assert_eq!(header_modes(&store), [2, 2]);
    assert!(!journal.exists(), "{}", journal.display());
    assert_eq!(counter(&store), before);
}
