//! Generates the benchmark corpus and serves it, gzipped with strong ETags (304 when
//! `If-None-Match` matches), over HTTP/1.1 keep-alive on 127.0.0.1 … 127.0.0.N — several
//! loopback hosts, so that a per-host limit does not turn the run into a single queue.
//! Writes a site folder for omroep (omroep.toml, feeds/planet.toml) and urls.txt, then
//! prints `ready` and serves until killed. Listens on loopback addresses only.
//!
//! Usage: bench-server --site DIR [--port 18080] [--hosts 16] [--feeds 1000]
//!        [--bytes 300000000]

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Served {
    gz: Vec<u8>,
    etag: String,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let site = PathBuf::from(arg(&args, "--site").expect("--site DIR"));
    let port: u16 = arg(&args, "--port").map_or(18080, |p| p.parse().expect("port"));
    let hosts: u8 = arg(&args, "--hosts").map_or(16, |p| p.parse().expect("hosts"));
    let count: usize = arg(&args, "--feeds").map_or(1000, |p| p.parse().expect("feeds"));
    let bytes: usize = arg(&args, "--bytes").map_or(300_000_000, |p| p.parse().expect("bytes"));

    let host_of = |index: usize| Ipv4Addr::new(127, 0, 0, 1 + (index % hosts as usize) as u8);
    let docs = omroep_fetch_bench::generate(count, bytes, "https://bench.example");
    let mut served = HashMap::new();
    let mut urls = Vec::new();
    let (mut raw, mut compressed, mut entries) = (0usize, 0usize, 0usize);
    for (index, doc) in docs.into_iter().enumerate() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        encoder.write_all(&doc.xml).expect("gzip");
        let gz = encoder.finish().expect("gzip");
        raw += doc.xml.len();
        compressed += gz.len();
        entries += doc.entries;
        urls.push(format!("http://{}:{port}{}", host_of(index), doc.path));
        let etag = format!("\"{:016x}\"", fnv(&doc.xml));
        served.insert(doc.path, Served { gz, etag });
    }

    std::fs::create_dir_all(site.join("feeds")).expect("site folder");
    std::fs::write(
        site.join("omroep.toml"),
        "title = \"Benchmark\"\nbase_url = \"https://bench.example/\"\nlanguage = \"en\"\n",
    )
    .expect("omroep.toml");
    let mut planet = String::from("kind = \"aggregate\"\ntitle = \"Planet\"\n");
    for url in &urls {
        planet.push_str(&format!("[[source]]\nurl = \"{url}\"\n"));
    }
    std::fs::write(site.join("feeds/planet.toml"), planet).expect("planet.toml");
    std::fs::write(site.join("urls.txt"), urls.join("\n") + "\n").expect("urls.txt");

    let served = Arc::new(served);
    for host in 0..hosts {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + host)), port);
        let listener = TcpListener::bind(addr).await.expect("bind a loopback address");
        let served = served.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let served = served.clone();
                tokio::spawn(async move {
                    let _ = connection(stream, &served).await;
                });
            }
        });
    }
    println!(
        "ready: {count} feeds, {entries} entries, {raw} bytes ({compressed} gzipped) on {hosts} hosts"
    );
    std::io::stdout().flush().expect("stdout");
    std::future::pending::<()>().await;
}

async fn connection(mut stream: TcpStream, served: &HashMap<String, Served>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // Read one request head.
        let end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        buffer.drain(..end + 4);
        let mut lines = head.lines();
        let path = lines
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_string();
        let mut if_none_match = None;
        let mut close = false;
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "if-none-match" {
                    if_none_match = Some(value.trim().to_string());
                } else if name == "connection" && value.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        match served.get(&path) {
            Some(doc) if if_none_match.as_deref() == Some(doc.etag.as_str()) => {
                let head = format!("HTTP/1.1 304 Not Modified\r\nETag: {}\r\n\r\n", doc.etag);
                stream.write_all(head.as_bytes()).await?;
            }
            Some(doc) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n\
                     Content-Encoding: gzip\r\nETag: {}\r\nContent-Length: {}\r\n\r\n",
                    doc.etag,
                    doc.gz.len()
                );
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&doc.gz).await?;
            }
            None => {
                stream
                    .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    .await?;
            }
        }
        if close {
            return Ok(());
        }
    }
}
