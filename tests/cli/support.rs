//! Running the binary, and a tiny HTTP server on 127.0.0.1 for URL sources.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

/// What one run of the binary printed and returned.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `omroep ARGS` in `dir` with `stdin` as standard input.
pub fn omroep(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_omroep"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the omroep binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    input.write_all(stdin).expect("stdin accepts the document");
    drop(input);
    let output = child.wait_with_output().expect("omroep finishes");
    Output {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        code: output.status.code().unwrap_or(-1),
    }
}

/// One canned answer: for a request path, the raw status line and headers to send, and
/// the body (sent without `Content-Length` when `chunked`).
pub struct Route {
    pub path: &'static str,
    pub head: String,
    pub body: Vec<u8>,
    pub chunked: bool,
    /// When set, sent as `ETag`, and a request whose `If-None-Match` names it gets 304.
    pub etag: Option<&'static str>,
}

impl Route {
    pub fn ok(path: &'static str, content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            path,
            head: format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"),
            body: body.into(),
            chunked: false,
            etag: None,
        }
    }

    /// A 200 with an `ETag`, answered with 304 Not Modified when the client sends it back.
    pub fn tagged(
        path: &'static str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
        etag: &'static str,
    ) -> Route {
        Route {
            path,
            head: format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nETag: {etag}\r\n"),
            body: body.into(),
            chunked: false,
            etag: Some(etag),
        }
    }

    pub fn redirect(path: &'static str, location: &str) -> Route {
        Route {
            path,
            head: format!("HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\n"),
            body: Vec::new(),
            chunked: false,
            etag: None,
        }
    }
}

/// Serves `routes` on a free port of 127.0.0.1 until the test process ends; unknown
/// paths get a 404. Returns the base URL (`http://127.0.0.1:PORT`).
pub fn serve(routes: Vec<Route>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    let address = listener.local_addr().expect("the listener has an address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &routes);
        }
    });
    format!("http://{address}")
}

fn answer(mut stream: TcpStream, routes: &[Route]) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let answered_tag = |etag: &str| {
        request.lines().any(|line| {
            line.split_once(':').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("if-none-match") && value.trim() == etag
            })
        })
    };
    let response = match routes.iter().find(|route| route.path == path) {
        Some(Route {
            etag: Some(etag), ..
        }) if answered_tag(etag) => format!(
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .into_bytes(),
        Some(route) if route.chunked => {
            let mut response = format!(
                "{}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                route.head
            )
            .into_bytes();
            for piece in route.body.chunks(1000) {
                response.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                response.extend_from_slice(piece);
                response.extend_from_slice(b"\r\n");
            }
            response.extend_from_slice(b"0\r\n\r\n");
            response
        }
        Some(route) => {
            let mut response = format!(
                "{}Content-Length: {}\r\nConnection: close\r\n\r\n",
                route.head,
                route.body.len()
            )
            .into_bytes();
            response.extend_from_slice(&route.body);
            response
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&response);
}
