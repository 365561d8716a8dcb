//! `omroep ingest`'s fetch flags, seen from a real server on 127.0.0.1: `--timeout` cuts
//! off a server that trickles its answer, `--per-host` and `--concurrency` bound how many
//! requests the server has in flight at once.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::site_env::TestEnv;

/// What the server saw: requests in flight now and at most.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    most: AtomicUsize,
    served: AtomicUsize,
}

/// A server whose `/slow` answers one byte every 200 ms for half a minute, and whose
/// other paths answer a small feed after holding the request for 400 ms.
fn serve(load: Arc<Load>, stop: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (load, stop) = (load.clone(), stop.clone());
            std::thread::spawn(move || answer(stream, &load, &stop));
        }
    });
    format!("http://{address}")
}

fn answer(mut stream: TcpStream, load: &Load, stop: &AtomicBool) {
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split(' ').nth(1).unwrap_or("/").to_string();
    if path == "/slow" {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 150\r\n\r\n";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for _ in 0..150 {
            if stop.load(Ordering::SeqCst) || stream.write_all(b" ").is_err() {
                return;
            }
            let _ = stream.flush();
            std::thread::sleep(Duration::from_millis(200));
        }
        return;
    }
    let now = load.now.fetch_add(1, Ordering::SeqCst) + 1;
    load.most.fetch_max(now, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(400));
    let body = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {path}</title>\
         <link>https://friend.example{path}</link><description>d</description>\
         <item><title>Post of {path}</title><guid>https://friend.example{path}/1</guid>\
         <pubDate>Thu, 07 Mar 2024 09:00:00 GMT</pubDate></item></channel></rss>"
    );
    load.now.fetch_sub(1, Ordering::SeqCst);
    load.served.fetch_add(1, Ordering::SeqCst);
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A site with one aggregate feed of the given remote paths.
fn site(base: &str, paths: &[&str]) -> TestEnv {
    let env = TestEnv::site();
    let sources: String = paths
        .iter()
        .map(|path| format!("[[source]]\nurl = \"{base}{path}\"\n"))
        .collect();
    env.write(
        "feeds/planet.toml",
        &format!("kind = \"aggregate\"\ntitle = \"Planet\"\n{sources}"),
    );
    env
}

#[test]
fn timeout_cuts_off_a_trickling_server_and_the_other_source_still_lands() {
    let (load, stop) = (Arc::new(Load::default()), Arc::new(AtomicBool::new(false)));
    let base = serve(load.clone(), stop.clone());
    let env = site(&base, &["/slow", "/one.xml"]);
    let started = Instant::now();
    let outcome = env.run(&["ingest", "--timeout", "1"]);
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    assert_eq!(outcome.code, 1, "{outcome:?}");
    assert!(
        outcome.stderr.contains(&format!(
            "omroep: error: {base}/slow: no complete answer within 1 s; the server is too slow or trickling"
        )),
        "{outcome:?}"
    );
    assert!(
        outcome
            .stdout
            .starts_with("sources: 1 fetched, 0 not modified, 1 failed, 0 retired"),
        "{outcome:?}"
    );
    // The server would trickle for 30 s; the run gave up after its one second.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn per_host_and_concurrency_bound_the_requests_in_flight() {
    let paths = ["/1.xml", "/2.xml", "/3.xml", "/4.xml", "/5.xml", "/6.xml"];

    let (load, stop) = (Arc::new(Load::default()), Arc::new(AtomicBool::new(false)));
    let env = site(&serve(load.clone(), stop), &paths);
    let outcome = env.run(&["ingest", "--per-host", "1"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(load.served.load(Ordering::SeqCst), 6);
    assert_eq!(load.most.load(Ordering::SeqCst), 1, "--per-host 1");

    // Every source is on one host: the smaller of the two limits applies.
    let (load, stop) = (Arc::new(Load::default()), Arc::new(AtomicBool::new(false)));
    let env = site(&serve(load.clone(), stop), &paths);
    let outcome = env.run(&["ingest", "--per-host", "8", "--concurrency", "3"]);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(load.served.load(Ordering::SeqCst), 6);
    let most = load.most.load(Ordering::SeqCst);
    assert!((2..=3).contains(&most), "--concurrency 3: {most} in flight");
}

/// The most threads named as the ingest's parse threads that `omroep ingest` had at once,
/// read from /proc while it runs with `OMROEP_THREADS` set to `threads`.
#[cfg(target_os = "linux")]
fn parse_threads_seen(threads: &str) -> usize {
    let (load, stop) = (Arc::new(Load::default()), Arc::new(AtomicBool::new(false)));
    let base = serve(load, stop);
    let env = site(&base, &["/one.xml", "/two.xml"]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_omroep"))
        .arg("ingest")
        .current_dir(env.root())
        .env("OMROEP_THREADS", threads)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run omroep");
    let tasks = format!("/proc/{}/task", child.id());
    let mut most = 0;
    // The server holds each request 400 ms: the threads are there while it does.
    while child.try_wait().unwrap().is_none() {
        let named = std::fs::read_dir(&tasks)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.starts_with("omroep-parse-"))
            })
            .count();
        most = most.max(named);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(child.wait().unwrap().success());
    most
}

#[cfg(target_os = "linux")]
#[test]
fn the_parse_threads_are_as_many_as_omroep_threads_says() {
    assert_eq!(parse_threads_seen("1"), 1);
    assert_eq!(parse_threads_seen("3"), 3);
}
