//! What the tests share: a real HTTP server on 127.0.0.1 with byte-level control over
//! its answers, feed bodies, and a runner for the `omroep` binary in a site folder.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// `GET`, `HEAD`, …
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// How the server answers one request.
pub enum Reply {
    /// These exact bytes (status line, headers, body), then the connection closes.
    Raw(Vec<u8>),
    /// The head, then the body one byte at a time with a pause between bytes.
    Trickle {
        head: Vec<u8>,
        body: Vec<u8>,
        pause: Duration,
    },
    /// Wait, then send these bytes.
    After(Duration, Vec<u8>),
}

type Handler = dyn Fn(&Hit) -> Reply + Send + Sync;

/// Counts requests in flight over several servers (to measure a global limit).
#[derive(Default)]
pub struct Group {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Group {
    pub fn max_in_flight(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

/// A server on 127.0.0.1 (a port of its own), answering every connection on its own
/// thread until the test process ends.
pub struct Server {
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Server {
    pub fn start(handler: impl Fn(&Hit) -> Reply + Send + Sync + 'static) -> Server {
        Self::start_in(Arc::new(Group::default()), Arc::new(handler))
    }

    /// A server whose requests in flight also count in `group`.
    pub fn start_in(group: Arc<Group>, handler: Arc<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let hits = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let server = Server {
            addr,
            hits: hits.clone(),
            in_flight: in_flight.clone(),
            max_in_flight: max_in_flight.clone(),
        };
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let hits = hits.clone();
                let counters = (in_flight.clone(), max_in_flight.clone(), group.clone());
                std::thread::spawn(move || serve(stream, &*handler, &hits, counters));
            }
        });
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub fn hits_of(&self, path: &str) -> usize {
        self.hits().iter().filter(|hit| hit.path == path).count()
    }

    pub fn last_hit(&self, path: &str) -> Hit {
        self.hits()
            .into_iter()
            .rev()
            .find(|hit| hit.path == path)
            .unwrap_or_else(|| panic!("{path} was never requested"))
    }

    /// The most requests this server was answering at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

fn serve(
    stream: TcpStream,
    handler: &Handler,
    hits: &Mutex<Vec<Hit>>,
    (in_flight, max_in_flight, group): (Arc<AtomicUsize>, Arc<AtomicUsize>, Arc<Group>),
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let method = request_line
        .split_whitespace()
        .next()
        .unwrap_or("GET")
        .to_string();
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let hit = Hit {
        method,
        path,
        headers,
    };
    hits.lock().unwrap().push(hit.clone());
    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    max_in_flight.fetch_max(now, Ordering::SeqCst);
    let all = group.now.fetch_add(1, Ordering::SeqCst) + 1;
    group.max.fetch_max(all, Ordering::SeqCst);
    let mut stream = stream;
    // A request stops counting as in flight when its reply starts to go out: from then
    // on the client may finish and send its next request before this thread runs again,
    // and counting until the end would see the two overlap when they did not.
    let done = || {
        in_flight.fetch_sub(1, Ordering::SeqCst);
        group.now.fetch_sub(1, Ordering::SeqCst);
    };
    match handler(&hit) {
        Reply::Raw(bytes) => {
            done();
            let _ = stream.write_all(&bytes);
        }
        Reply::After(pause, bytes) => {
            std::thread::sleep(pause);
            done();
            let _ = stream.write_all(&bytes);
        }
        Reply::Trickle { head, body, pause } => {
            done();
            let _ = stream.write_all(&head);
            for byte in body {
                if stream.write_all(&[byte]).is_err() {
                    break;
                }
                std::thread::sleep(pause);
            }
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Drain what the client may still send so the close is orderly.
    let mut rest = [0u8; 512];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = reader.get_mut().read(&mut rest);
}

/// An HTTP/1.1 response with `Content-Length` (unless `headers` gives a
/// `Transfer-Encoding`) and `Connection: close`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    let chunked = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding"));
    let explicit_length = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-length"));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !chunked && !explicit_length && status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if chunked {
        for chunk in body.chunks(16 * 1024) {
            bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            bytes.extend_from_slice(chunk);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
    } else {
        bytes.extend_from_slice(body);
    }
    bytes
}

/// A redirect to `location`.
pub fn redirect(status: u16, location: &str) -> Reply {
    Reply::Raw(response(status, &[("Location", location)], b""))
}

/// A JSON Feed 1.1 document; items are (id, title, date).
pub fn json_feed(title: &str, items: &[(&str, &str, Option<&str>)]) -> Vec<u8> {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|(id, title, date)| {
            let mut item = serde_json::json!({
                "id": id,
                "url": id,
                "title": title,
                "content_text": format!("The text of {title}."),
            });
            if let Some(date) = date {
                item["date_published"] = serde_json::json!(date);
            }
            item
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": "https://blog.example/",
        "items": items,
    }))
    .unwrap()
}

/// A JSON Feed with `n` items, ids `https://blog.example/<prefix>/<i>`.
pub fn numbered_feed(title: &str, prefix: &str, n: usize) -> Vec<u8> {
    let ids: Vec<(String, String, String)> = (0..n)
        .map(|i| {
            (
                format!("https://blog.example/{prefix}/{i}"),
                format!("{title} post {i}"),
                format!("2024-03-{:02}T09:00:00Z", 1 + i % 28),
            )
        })
        .collect();
    let items: Vec<(&str, &str, Option<&str>)> = ids
        .iter()
        .map(|(id, title, date)| (id.as_str(), title.as_str(), Some(date.as_str())))
        .collect();
    json_feed(title, &items)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A site folder with `omroep.toml` and one feed definition per (name, urls).
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn new(feeds: &[(&str, Vec<String>)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("omroep.toml"),
            "title = \"Test site\"\nbase_url = \"https://site.example/\"\nlanguage = \"en\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("feeds")).unwrap();
        for (name, urls) in feeds {
            let mut text = String::from("kind = \"aggregate\"\ntitle = \"x\"\n");
            for url in urls {
                text.push_str(&format!("[[source]]\nurl = \"{url}\"\n"));
            }
            std::fs::write(dir.path().join(format!("feeds/{name}.toml")), text).unwrap();
        }
        Site { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store_path(&self) -> PathBuf {
        self.dir.path().join(".omroep/store.sqlite")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_omroep"));
        command.args(args).current_dir(self.path());
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run omroep")
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
