//! The minimal loop omroep's ingest is measured against: reqwest (gzip) + feed-rs,
//! 16 requests at once, nothing stored, nothing sanitised. Round 1 fetches and parses
//! every URL; round 2 (with `--rounds 2`) sends the ETags from round 1 and counts 304s.
//!
//! Usage: baseline URLS_FILE [--rounds 1|2] [--concurrency 16]

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).expect("URLS_FILE");
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let rounds = option("--rounds", 1);
    let concurrency = option("--concurrency", 16);
    let urls: Vec<String> = std::fs::read_to_string(file)
        .expect("read URLS_FILE")
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().build().expect("client");
    let limit = Arc::new(Semaphore::new(concurrency));
    let mut etags: Vec<Option<String>> = vec![None; urls.len()];

    for round in 1..=rounds {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (index, url) in urls.iter().enumerate() {
            let client = client.clone();
            let limit = limit.clone();
            let url = url.clone();
            let etag = etags[index].clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("semaphore");
                let mut request = client.get(&url);
                if let Some(etag) = &etag {
                    request = request.header("If-None-Match", etag);
                }
                let response = request.send().await.expect("request");
                let status = response.status().as_u16();
                let etag = response
                    .headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let body = response.bytes().await.expect("body");
                let entries = if status == 200 {
                    feed_rs::parser::parse(&body[..])
                        .map(|feed| feed.entries.len())
                        .unwrap_or(0)
                } else {
                    0
                };
                (index, status, etag, body.len(), entries)
            });
        }
        let (mut bytes, mut entries, mut not_modified) = (0, 0, 0);
        while let Some(result) = tasks.join_next().await {
            let (index, status, etag, size, count) = result.expect("task");
            etags[index] = etag;
            bytes += size;
            entries += count;
            not_modified += usize::from(status == 304);
        }
        eprintln!(
            "baseline round {round}: {} feeds, {entries} entries, {bytes} bytes decompressed, \
             {not_modified} not modified, {:.3} s",
            urls.len(),
            started.elapsed().as_secs_f64()
        );
    }
}
