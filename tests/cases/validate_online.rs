//! `validate --online` against a real local server that misbehaves in each way issue 6
//! lists: wrong lengths and types, no range support, missing files, redirect chains and
//! loops, a feed whose ETag is ignored. Each test asserts the exact findings (rule id and
//! entry) the `online/…` family, and the artwork rules reading remote images, give.

use std::path::Path;

use omroep::validate::{Context, Finding, validate};

use crate::support::{Hit, Reply, Server, redirect, response};

const MEDIA_BYTES: usize = 1000;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/validate/apple")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A media file: HEAD and GET with its length and type, ranges honoured unless `ranges`
/// is false.
fn media(hit: &Hit, length: usize, mime_type: &str, ranges: bool) -> Reply {
    let length_text = length.to_string();
    if hit.method == "HEAD" {
        return Reply::Raw(response(
            200,
            &[
                ("Content-Type", mime_type),
                ("Content-Length", &length_text),
            ],
            b"",
        ));
    }
    match hit.header("range") {
        Some("bytes=0-1") if ranges => Reply::Raw(response(
            206,
            &[
                ("Content-Type", mime_type),
                ("Content-Range", &format!("bytes 0-1/{length}")),
            ],
            b"ID",
        )),
        _ => Reply::Raw(response(
            200,
            &[("Content-Type", mime_type)],
            &vec![b'x'; length],
        )),
    }
}

fn image(hit: &Hit, bytes: Vec<u8>, mime_type: &str) -> Reply {
    if hit.method == "HEAD" {
        let length = bytes.len().to_string();
        return Reply::Raw(response(
            200,
            &[("Content-Type", mime_type), ("Content-Length", &length)],
            b"",
        ));
    }
    Reply::Raw(response(200, &[("Content-Type", mime_type)], &bytes))
}

/// The feed at `/feed.xml` (ETag honoured) and `/stubborn.xml` (ETag ignored), media and
/// artwork in every state.
fn server() -> Server {
    Server::start(|hit: &Hit| {
        let path = hit.path.as_str();
        match path {
            "/feed.xml" if hit.header("if-none-match") == Some("\"v1\"") => {
                Reply::Raw(response(304, &[("ETag", "\"v1\"")], b""))
            }
            "/feed.xml" => Reply::Raw(response(
                200,
                &[("Content-Type", "application/rss+xml"), ("ETag", "\"v1\"")],
                b"<rss/>",
            )),
            "/stubborn.xml" => Reply::Raw(response(
                200,
                &[("Content-Type", "application/rss+xml"), ("ETag", "\"v1\"")],
                b"<rss/>",
            )),
            "/untagged.xml" => {
                Reply::Raw(response(200, &[("Content-Type", "text/xml")], b"<rss/>"))
            }
            "/good.mp3" => media(hit, MEDIA_BYTES, "audio/mpeg", true),
            "/episode.m4a" => media(hit, MEDIA_BYTES, "audio/mp4", true),
            "/resized.mp3" => media(hit, MEDIA_BYTES - 1, "audio/mpeg", true),
            "/page.mp3" => media(hit, MEDIA_BYTES, "text/html; charset=utf-8", true),
            "/whole.mp3" => media(hit, MEDIA_BYTES, "audio/mpeg", false),
            "/hop.mp3" => redirect(302, "/good.mp3"),
            "/loop-a.mp3" => redirect(302, "/loop-b.mp3"),
            "/loop-b.mp3" => redirect(302, "/loop-a.mp3"),
            "/art.jpg" => image(hit, fixture("good.jpg"), "image/jpeg"),
            "/small.png" => image(hit, fixture("small.png"), "image/png"),
            "/art-page.jpg" => image(hit, fixture("good.jpg"), "text/html"),
            _ => {
                if let Some(n) = path
                    .strip_prefix("/chain-")
                    .and_then(|rest| rest.strip_suffix(".mp3"))
                    .and_then(|n| n.parse::<u32>().ok())
                {
                    return redirect(302, &format!("/chain-{}.mp3", n + 1));
                }
                Reply::Raw(response(404, &[("Content-Type", "text/html")], b"gone"))
            }
        }
    })
}

/// A podcast feed whose self link is `self_path` and whose items are
/// (guid, enclosure path); the show's artwork is `art_path`.
fn feed(server: &Server, self_path: &str, art_path: &str, items: &[(&str, &str)]) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <channel>
    <title>Online</title>
    <link>https://pod.example/</link>
    <description>Checked over HTTP.</description>
    <language>en</language>
    <atom:link href="{}" rel="self" type="application/rss+xml"/>
    <itunes:author>A</itunes:author>
    <itunes:owner><itunes:email>a@pod.example</itunes:email></itunes:owner>
    <itunes:image href="{}"/>
    <itunes:category text="News"/>
    <itunes:explicit>false</itunes:explicit>
"#,
        server.url(self_path),
        server.url(art_path)
    );
    for (guid, path) in items {
        let mime_type = if path.ends_with(".m4a") {
            "audio/x-m4a"
        } else {
            "audio/mpeg"
        };
        xml.push_str(&format!(
            "    <item><title>{guid}</title><guid>{guid}</guid><enclosure url=\"{}\" length=\"{MEDIA_BYTES}\" type=\"{mime_type}\"/></item>\n",
            server.url(path)
        ));
    }
    xml.push_str("  </channel>\n</rss>\n");
    xml
}

fn check(xml: &str, online: bool) -> Vec<Finding> {
    let context = Context {
        online,
        ..Context::default()
    };
    validate("feed.xml", xml.as_bytes(), &context)
        .into_iter()
        .filter(|f| f.rule.id.starts_with("online/") || f.rule.id.starts_with("apple/"))
        .collect()
}

fn ids(findings: &[Finding]) -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f.rule.id.to_string(), f.entry.clone().unwrap_or_default()))
        .collect();
    ids.sort();
    ids
}

fn pair(id: &str, entry: &str) -> (String, String) {
    (id.to_string(), entry.to_string())
}

#[test]
fn a_well_hosted_feed_passes_and_its_remote_artwork_is_read() {
    let server = server();
    let xml = feed(
        &server,
        "/feed.xml",
        "/art.jpg",
        &[("one", "/good.mp3"), ("two", "/episode.m4a")],
    );
    let findings = check(&xml, true);
    assert_eq!(
        ids(&findings),
        Vec::<(String, String)>::new(),
        "{findings:#?}"
    );
    // The feed was asked again with its ETag, and media with a range.
    let again = server
        .hits()
        .into_iter()
        .filter(|hit| hit.path == "/feed.xml")
        .filter_map(|hit| hit.header("if-none-match").map(str::to_string))
        .collect::<Vec<_>>();
    assert_eq!(again, ["\"v1\""]);
    assert_eq!(
        server.last_hit("/good.mp3").header("range"),
        Some("bytes=0-1")
    );
    // Without --online, nothing is asked and the artwork is only announced.
    let before = server.hits().len();
    let offline = check(&xml, false);
    assert_eq!(ids(&offline), [pair("apple/artwork-unchecked", "")]);
    assert_eq!(server.hits().len(), before);
}

#[test]
fn each_misbehaving_url_gives_its_finding() {
    let server = server();
    let xml = feed(
        &server,
        "/stubborn.xml",
        "/small.png",
        &[
            ("resized", "/resized.mp3"),
            ("page", "/page.mp3"),
            ("whole", "/whole.mp3"),
            ("missing", "/missing.mp3"),
            ("hop", "/hop.mp3"),
            ("loop", "/loop-a.mp3"),
            ("chain", "/chain-0.mp3"),
        ],
    );
    let findings = check(&xml, true);
    assert_eq!(
        ids(&findings),
        [
            pair("apple/artwork-size", ""),
            pair("online/content-length", "resized"),
            pair("online/content-type", "page"),
            pair("online/feed-etag", ""),
            pair("online/head", "missing"),
            pair("online/range", "whole"),
            pair("online/redirect", "hop"),
            pair("online/redirect-limit", "chain"),
            pair("online/redirect-limit", "loop"),
        ],
        "{findings:#?}"
    );
    let message = |id: &str, entry: &str| {
        findings
            .iter()
            .find(|f| f.rule.id == id && f.entry.as_deref().unwrap_or("") == entry)
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    let base = server.url("");
    assert_eq!(
        message("online/content-length", "resized"),
        format!("{base}/resized.mp3 is 999 bytes, but the enclosure length is 1000")
    );
    assert_eq!(
        message("online/redirect", "hop"),
        format!("{base}/hop.mp3 redirects 1 time to {base}/good.mp3")
    );
    assert_eq!(
        message("online/redirect-limit", "chain"),
        format!("{base}/chain-0.mp3 still redirects after 5 hops (next to {base}/chain-6.mp3)")
    );
    assert_eq!(
        message("online/head", "missing"),
        format!("HEAD {base}/missing.mp3 answered 404 Not Found")
    );
    assert_eq!(
        message("online/feed-etag", ""),
        format!(
            "{base}/stubborn.xml answered 200 OK to If-None-Match: \"v1\", not 304 Not Modified"
        )
    );
    assert_eq!(
        message("online/range", "whole"),
        format!("{base}/whole.mp3 answered 200 OK to Range: bytes=0-1, not 206 Partial Content")
    );
    // No more than five redirects were followed from the chain.
    assert_eq!(server.hits_of("/chain-5.mp3"), 1);
    assert_eq!(server.hits_of("/chain-6.mp3"), 0);
}

#[test]
fn a_feed_url_that_fails_or_has_no_etag_and_artwork_served_as_a_page() {
    let server = server();
    let gone = feed(
        &server,
        "/gone.xml",
        "/art-page.jpg",
        &[("one", "/good.mp3")],
    );
    let findings = check(&gone, true);
    assert_eq!(
        ids(&findings),
        [
            pair("online/content-type", ""),
            pair("online/feed-answers", ""),
        ],
        "{findings:#?}"
    );
    let untagged = feed(
        &server,
        "/untagged.xml",
        "/art.jpg",
        &[("one", "/good.mp3")],
    );
    let findings = check(&untagged, true);
    assert_eq!(
        ids(&findings),
        [pair("online/feed-etag", "")],
        "{findings:#?}"
    );
    assert!(
        findings[0]
            .message
            .ends_with("is served without an ETag; every poll downloads the whole feed")
    );
}
