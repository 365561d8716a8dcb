//! Audio that lives only at a URL: its byte length and MIME type, learned once over HTTP
//! and remembered in `.omroep/remote-media.json` beside the site.
//!
//! An enclosure needs both, and asking the CDN on every cron run would be slow and rude,
//! so an answer is kept until the user asks for a refresh. The cache is a small struct
//! with `get`/`put`/`save`, so it can move into the SQLite store (issue 5) unchanged for
//! its callers.
//!
//! The question is a `HEAD` request; servers that refuse `HEAD` or give no length get a
//! one-byte `Range: bytes=0-0` GET, whose `Content-Range: bytes 0-0/TOTAL` holds the size.
//! Requests run on their own thread with their own runtime, so callers need not be async
//! and may even be inside another runtime.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a server said about one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteMedia {
    pub length: u64,
    /// The `Content-Type` without parameters; absent when the server sent none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// When it was asked (RFC 3339), so a user can judge how old an answer is.
    pub checked: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    media: BTreeMap<String, RemoteMedia>,
}

/// The remembered answers of one site.
#[derive(Debug)]
pub struct RemoteMediaCache {
    path: PathBuf,
    entries: Option<BTreeMap<String, RemoteMedia>>,
    dirty: bool,
    /// Why the cache file could not be read (it is then rebuilt).
    pub load_problem: Option<String>,
}

impl RemoteMediaCache {
    /// Where the cache lives, relative to the site root.
    pub const RELATIVE_PATH: &'static str = ".omroep/remote-media.json";

    /// The cache of the site at `site_root`; nothing is read until it is needed.
    pub fn for_site(site_root: &Path) -> RemoteMediaCache {
        RemoteMediaCache {
            path: site_root.join(Self::RELATIVE_PATH),
            entries: None,
            dirty: false,
            load_problem: None,
        }
    }

    fn entries(&mut self) -> &mut BTreeMap<String, RemoteMedia> {
        if self.entries.is_none() {
            let loaded = match std::fs::read(&self.path) {
                Ok(bytes) => match serde_json::from_slice::<CacheFile>(&bytes) {
                    Ok(file) => file.media,
                    Err(e) => {
                        self.load_problem = Some(format!(
                            "{}: not a cache file omroep can read ({e}); it will be rebuilt",
                            self.path.display()
                        ));
                        BTreeMap::new()
                    }
                },
                Err(_) => BTreeMap::new(),
            };
            self.entries = Some(loaded);
        }
        self.entries.get_or_insert_with(BTreeMap::new)
    }

    pub fn get(&mut self, url: &str) -> Option<RemoteMedia> {
        self.entries().get(url).cloned()
    }

    pub fn put(&mut self, url: &str, media: RemoteMedia) {
        if self.entries().get(url) != Some(&media) {
            self.entries().insert(url.to_string(), media);
            self.dirty = true;
        }
    }

    /// Writes the cache if it changed (to a temporary file, then renamed).
    pub fn save(&mut self) -> Result<(), String> {
        if !self.dirty {
            return Ok(());
        }
        let file = CacheFile {
            version: 1,
            media: self.entries.clone().unwrap_or_default(),
        };
        let write = || -> std::io::Result<()> {
            let dir = self.path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            serde_json::to_writer_pretty(&mut tmp, &file)?;
            std::io::Write::write_all(&mut tmp, b"\n")?;
            tmp.persist(&self.path).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(|e| format!("cannot save the remote media cache: {e}"))?;
        self.dirty = false;
        Ok(())
    }
}

/// How long one question may take.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Questions asked at the same time.
const CONCURRENCY: usize = 8;

/// Asks the server of each URL for its length and type. Each answer is the media or a
/// one-line reason.
pub fn ask_all(urls: &[String]) -> Vec<(String, Result<RemoteMedia, String>)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let urls = urls.to_vec();
    let worker = std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                let reason = format!("cannot start the HTTP client: {e}");
                return urls
                    .into_iter()
                    .map(|url| (url, Err(reason.clone())))
                    .collect();
            }
        };
        runtime.block_on(ask_all_async(urls))
    });
    worker.join().unwrap_or_else(|_| Vec::new())
}

async fn ask_all_async(urls: Vec<String>) -> Vec<(String, Result<RemoteMedia, String>)> {
    // Another part of the program may have installed it already; that is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .user_agent(concat!("omroep/", env!("CARGO_PKG_VERSION")))
        .timeout(TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            let reason = format!("cannot start the HTTP client: {e}");
            return urls.into_iter().map(|u| (u, Err(reason.clone()))).collect();
        }
    };
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, url) in urls.iter().enumerate() {
        let client = client.clone();
        let limit = limit.clone();
        let url = url.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire().await;
            (index, ask(&client, &url).await)
        });
    }
    let mut answers: Vec<Option<Result<RemoteMedia, String>>> = vec![None; urls.len()];
    while let Some(done) = tasks.join_next().await {
        if let Ok((index, answer)) = done {
            answers[index] = Some(answer);
        }
    }
    urls.into_iter()
        .zip(answers)
        .map(|(url, answer)| {
            let answer = answer.unwrap_or_else(|| Err("the request was lost".to_string()));
            (url, answer)
        })
        .collect()
}

async fn ask(client: &reqwest::Client, url: &str) -> Result<RemoteMedia, String> {
    let checked = crate::model::utc_seconds::format(&chrono::Utc::now());
    let head = client
        .head(url)
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .send()
        .await;
    let mut mime_type = None;
    let mut head_failure = None;
    match head {
        Ok(response) if response.status().is_success() => {
            mime_type = content_type(&response);
            refuse_text(mime_type.as_deref())?;
            if let Some(length) = header_number(&response, reqwest::header::CONTENT_LENGTH)
                && length > 0
            {
                return Ok(RemoteMedia {
                    length,
                    mime_type,
                    checked,
                });
            }
        }
        Ok(response) => head_failure = Some(format!("HEAD answered {}", response.status())),
        Err(e) => head_failure = Some(format!("HEAD failed: {}", crate::report::error_chain(&e))),
    }
    let response = client
        .get(url)
        .header(reqwest::header::RANGE, "bytes=0-0")
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .map_err(|e| format!("cannot reach it: {}", crate::report::error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        let head = head_failure.map(|h| format!("{h}, ")).unwrap_or_default();
        return Err(format!("{head}GET answered {status}"));
    }
    mime_type = mime_type.or_else(|| content_type(&response));
    refuse_text(mime_type.as_deref())?;
    let length = if status == reqwest::StatusCode::PARTIAL_CONTENT {
        response
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(total_from_content_range)
    } else {
        // The server ignored the range: its Content-Length is the whole file. The body
        // is dropped unread.
        header_number(&response, reqwest::header::CONTENT_LENGTH)
    };
    match length {
        Some(length) if length > 0 => Ok(RemoteMedia {
            length,
            mime_type,
            checked,
        }),
        _ => Err(
            "the server did not say how large the file is; give `length` in the front matter"
                .to_string(),
        ),
    }
}

/// A server that answers with a web page (a login wall, a "not found" page served with
/// 200) has not given us the audio; its length would be silently wrong.
fn refuse_text(mime_type: Option<&str>) -> Result<(), String> {
    match mime_type {
        Some(t) if t.starts_with("text/") || t == "application/xhtml+xml" => Err(format!(
            "the server answers with {t}, not audio; check the URL"
        )),
        _ => Ok(()),
    }
}

fn header_number(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<u64> {
    response
        .headers()
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn content_type(response: &reqwest::Response) -> Option<String> {
    let value = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// `bytes 0-0/12345` → 12345 (`*` as the total means unknown).
fn total_from_content_range(value: &str) -> Option<u64> {
    let (_, total) = value.trim().rsplit_once('/')?;
    total.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::Mutex;

    /// A tiny HTTP/1.1 server on 127.0.0.1 that answers from a routing function and
    /// records each request line (with its Range header, if any).
    fn serve(route: fn(&str, &str, Option<&str>) -> String) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                let mut range = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("range:") {
                        range = Some(value.trim().to_string());
                    }
                }
                let mut parts = request.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let path = parts.next().unwrap_or("").to_string();
                seen.lock().unwrap().push(format!(
                    "{method} {path} {}",
                    range.clone().unwrap_or_default()
                ));
                let response = route(&method, &path, range.as_deref());
                let _ = stream.write_all(response.as_bytes());
            }
        });
        (base, log)
    }

    fn route(method: &str, path: &str, range: Option<&str>) -> String {
        match (method, path, range) {
            ("HEAD", "/page.mp3", _) => "HTTP/1.1 200 OK\r\nContent-Length: 5120\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n".into(),
            ("HEAD", "/ep1.mp3", _) => "HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\nContent-Type: audio/mpeg\r\nConnection: close\r\n\r\n".into(),
            ("HEAD", "/no-head.m4a", _) => "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
            ("GET", "/no-head.m4a", Some("bytes=0-0")) => "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-0/7654321\r\nContent-Length: 1\r\nContent-Type: audio/x-m4a; charset=binary\r\nConnection: close\r\n\r\nx".into(),
            _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
        }
    }

    #[test]
    fn learns_length_and_type_with_head_then_range() {
        let (base, log) = serve(route);
        let urls = vec![
            format!("{base}/ep1.mp3"),
            format!("{base}/no-head.m4a"),
            format!("{base}/missing.mp3"),
            format!("{base}/page.mp3"),
        ];
        let answers = ask_all(&urls);
        let ep1 = answers[0].1.as_ref().unwrap();
        assert_eq!(
            (ep1.length, ep1.mime_type.as_deref()),
            (1_234_567, Some("audio/mpeg"))
        );
        let m4a = answers[1].1.as_ref().unwrap();
        assert_eq!(
            (m4a.length, m4a.mime_type.as_deref()),
            (7_654_321, Some("audio/x-m4a"))
        );
        let missing = answers[2].1.as_ref().unwrap_err();
        assert!(missing.contains("404"), "{missing}");
        let page = answers[3].1.as_ref().unwrap_err();
        assert_eq!(
            page,
            "the server answers with text/html, not audio; check the URL"
        );
        let log = log.lock().unwrap();
        assert!(
            log.contains(&"GET /no-head.m4a bytes=0-0".to_string()),
            "{log:?}"
        );
        assert!(
            !log.iter().any(|l| l.starts_with("GET /ep1.mp3")),
            "{log:?}"
        );
    }

    #[test]
    fn the_cache_survives_a_save_and_reload() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = RemoteMediaCache::for_site(dir.path());
        assert_eq!(cache.get("https://cdn.example/a.mp3"), None);
        let media = RemoteMedia {
            length: 42,
            mime_type: Some("audio/mpeg".into()),
            checked: "2024-01-01T00:00:00Z".into(),
        };
        cache.put("https://cdn.example/a.mp3", media.clone());
        cache.save().unwrap();
        let mut again = RemoteMediaCache::for_site(dir.path());
        assert_eq!(again.get("https://cdn.example/a.mp3"), Some(media));
        assert!(dir.path().join(".omroep/remote-media.json").is_file());
    }

    #[test]
    fn a_corrupt_cache_is_reported_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".omroep")).unwrap();
        std::fs::write(dir.path().join(".omroep/remote-media.json"), "{not json").unwrap();
        let mut cache = RemoteMediaCache::for_site(dir.path());
        assert_eq!(cache.get("x"), None);
        assert!(
            cache
                .load_problem
                .as_deref()
                .unwrap()
                .contains("will be rebuilt")
        );
    }

    #[test]
    fn content_range_totals() {
        assert_eq!(total_from_content_range("bytes 0-0/12345"), Some(12345));
        assert_eq!(total_from_content_range("bytes 0-0/*"), None);
    }
}
