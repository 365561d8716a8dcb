//! `online/…`: the hosting checks `omroep validate --online` adds. The feed URL answers,
//! and its ETag gives 304 Not Modified when sent back; each enclosure answers `HEAD` with
//! the length and type the feed promises and a `Range` request with 206 Partial Content;
//! each artwork URL answers `HEAD` with a JPEG or PNG type; redirects end within five
//! hops, and where they end is told.
//!
//! Requests are the only network traffic `validate` makes, and only under `--online`
//! (`Context::online`): without it this family reports nothing. They run at most
//! [`CONCURRENCY`] at a time, each with a [`TIMEOUT`], on a thread and runtime of their
//! own so callers need not be async. Redirects are followed here, not by the HTTP client,
//! to count them. No body is read except an artwork's first bytes (for `apple/artwork-…`,
//! through [`fetch_prefix`]); a media file is never downloaded.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap};
use reqwest::{Client, Method, StatusCode};
use url::Url;

use super::tree::El;
use super::{Checker, Document, Rule, Severity, entry_label};
use crate::ingest::feed::ns;

/// How long one request may take, connection to last header.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// Requests in flight at once.
pub const CONCURRENCY: usize = 8;
/// The most redirects followed from one URL (as podcast apps and Apple do).
pub const MAX_REDIRECTS: usize = 5;
/// The most bytes of a remote image read: enough for its headers and frame marker.
pub const MAX_PREFIX_BYTES: usize = 2 * 1024 * 1024;

const HOSTING: &str = "Apple Podcasts, Hosting requirements, https://podcasters.apple.com/support/823-podcast-requirements";
const HTTP_CACHING: &str =
    "RFC 9110 §13.1.2 If-None-Match, https://www.rfc-editor.org/rfc/rfc9110#name-if-none-match";
const HTTP_RANGE: &str =
    "RFC 9110 §14 Range Requests, https://www.rfc-editor.org/rfc/rfc9110#name-range-requests";
const HTTP_REDIRECT: &str =
    "RFC 9110 §15.4 Redirection 3xx, https://www.rfc-editor.org/rfc/rfc9110#name-redirection-3xx";

pub const FEED_ANSWERS: Rule = Rule {
    id: "online/feed-answers",
    severity: Severity::Error,
    summary: "The feed URL answers a GET with 200.",
    reference: HOSTING,
    explain: "Directories and apps fetch the feed from its published URL (the `feed_url` of \
              the build, or the feed's `atom:link rel=\"self\"`). When that URL fails (404, \
              5xx, a TLS or connection error), nobody gets new episodes. Publish the feed, \
              or fix the self link to the URL it is really served from.",
};

pub const FEED_ETAG: Rule = Rule {
    id: "online/feed-etag",
    severity: Severity::Warning,
    summary: "The feed is served with an ETag, and sending it back in If-None-Match gives 304 Not Modified.",
    reference: HTTP_CACHING,
    explain: "Podcast apps and directories poll feeds every few minutes. With an `ETag` they \
              ask `If-None-Match` and an unchanged feed costs a 304 with no body; without one \
              (or when the server ignores it) every poll downloads the whole feed. Serve the \
              feed from a host that sends ETags and honours them (static hosts and CDNs do \
              unless a proxy strips them).",
};

pub const HEAD: Rule = Rule {
    id: "online/head",
    severity: Severity::Error,
    summary: "Every enclosure and artwork URL answers HEAD with 2xx.",
    reference: HOSTING,
    explain: "Apple Podcasts and many apps check media and artwork with a `HEAD` request \
              before downloading. A URL that answers 404, 403, 5xx or refuses `HEAD` (405) \
              is treated as missing. Upload the file, fix the URL, or allow `HEAD` on the \
              server.",
};

pub const CONTENT_LENGTH: Rule = Rule {
    id: "online/content-length",
    severity: Severity::Error,
    summary: "An enclosure's Content-Length equals the `length` the feed gives.",
    reference: HOSTING,
    explain: "The enclosure's `length` must be the file's size in bytes; apps use it for \
              progress and to tell a changed file. When the server's `Content-Length` \
              differs, the file was replaced (or the feed is wrong) and downloads may be cut \
              or refused. Rebuild the feed after changing a file; omroep measures local \
              files and asks the server for remote ones.",
};

pub const CONTENT_TYPE: Rule = Rule {
    id: "online/content-type",
    severity: Severity::Warning,
    summary: "An enclosure is served with the type the feed gives; artwork with image/jpeg or image/png.",
    reference: HOSTING,
    explain: "Apps and Apple check the `Content-Type` the server sends. An MP3 served as \
              `application/octet-stream` or `text/html` (often an error page with status \
              200) is refused by some players; artwork must come as `image/jpeg` or \
              `image/png`. Configure the server's MIME types, or fix the URL.",
};

pub const RANGE: Rule = Rule {
    id: "online/range",
    severity: Severity::Error,
    summary: "Every enclosure answers a byte-range request with 206 Partial Content.",
    reference: HTTP_RANGE,
    explain: "Apple Podcasts requires media servers to support byte-range requests: players \
              seek and resume with `Range: bytes=…`, and iOS refuses to play media whose \
              server answers a range request with the whole file (200). Serve media from a \
              host or CDN that supports ranges.",
};

pub const REDIRECT_LIMIT: Rule = Rule {
    id: "online/redirect-limit",
    severity: Severity::Error,
    summary: "Redirects end at a real answer within 5 hops.",
    reference: HTTP_REDIRECT,
    explain: "Apps follow a few redirects and give up after about five, or at a loop, or at a \
              redirect without a `Location`. Point the feed (and any tracking prefixes) at \
              the final URL, or shorten the chain.",
};

pub const REDIRECT: Rule = Rule {
    id: "online/redirect",
    severity: Severity::Info,
    summary: "A URL that redirects: how many hops, and where it ends.",
    reference: HTTP_REDIRECT,
    explain: "Not a problem by itself (analytics prefixes and moved hosts redirect), but each \
              hop costs every listener a round trip and a point of failure. The finding \
              gives the number of hops and the final URL; use that URL in the feed when the \
              redirect is not intended.",
};

pub const RULES: &[Rule] = &[
    FEED_ANSWERS,
    FEED_ETAG,
    HEAD,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    RANGE,
    REDIRECT_LIMIT,
    REDIRECT,
];

/// One URL to ask about, and what the feed says of it.
#[derive(Debug, Clone)]
enum Probe {
    Feed,
    Media {
        length: Option<u64>,
        mime_type: Option<String>,
    },
    Artwork,
}

#[derive(Debug, Clone)]
struct Job {
    url: String,
    probe: Probe,
    line: Option<u32>,
    entry: Option<String>,
}

/// One finding to report: (rule, message).
type Said = (&'static Rule, String);

pub fn check(doc: &Document, cx: &mut Checker) {
    if !cx.context.online {
        return;
    }
    let Document::Xml(xml) = doc else { return };
    let jobs = jobs(&xml.root, cx.context.feed_url.as_deref());
    if jobs.is_empty() {
        return;
    }
    let answers = run(jobs.clone());
    for (job, said) in jobs.iter().zip(answers) {
        for (rule, message) in said {
            cx.report_at(rule, job.line, job.entry.as_deref(), message);
        }
    }
}

/// What to ask: the feed itself, each enclosure, each artwork URL (each URL once).
fn jobs(root: &El, feed_url: Option<&str>) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let Some(channel) = root.child(None, "channel").filter(|_| root.name == "rss") else {
        return jobs;
    };
    let self_link = super::rules::apple::self_link(channel).map(str::to_string);
    if let Some(url) = feed_url.map(str::to_string).or(self_link) {
        jobs.push(Job {
            url,
            probe: Probe::Feed,
            line: Some(channel.line),
            entry: None,
        });
    }
    let mut owners: Vec<(&El, Option<&str>)> = vec![(channel, None)];
    owners.extend(
        channel
            .children_named(None, "item")
            .map(|item| (item, entry_label(item))),
    );
    for (owner, entry) in owners {
        if let Some(enclosure) = owner.child(None, "enclosure")
            && let Some(url) = enclosure.attr("url").map(str::trim)
        {
            let length = enclosure.attr("length").and_then(|l| l.trim().parse().ok());
            let mime_type = enclosure.attr("type").map(|t| t.trim().to_string());
            push_once(
                &mut jobs,
                url,
                Probe::Media { length, mime_type },
                enclosure,
                &entry,
            );
        }
        let image = owner
            .children
            .iter()
            .find(|c| c.name == "image" && c.in_ns(ns::ITUNES));
        if let Some(image) = image
            && let Some(href) = image.attr("href").map(str::trim)
        {
            push_once(&mut jobs, href, Probe::Artwork, image, &entry);
        }
    }
    jobs
}

fn push_once(jobs: &mut Vec<Job>, url: &str, probe: Probe, el: &El, entry: &Option<&str>) {
    let web = Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if web && !jobs.iter().any(|job| job.url == url) {
        jobs.push(Job {
            url: url.to_string(),
            probe,
            line: Some(el.line),
            entry: entry.map(str::to_string),
        });
    }
}

/// Runs every job, [`CONCURRENCY`] at a time; the findings of each, in job order.
fn run(jobs: Vec<Job>) -> Vec<Vec<Said>> {
    let count = jobs.len();
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let client = client()?;
        Ok::<_, String>(runtime.block_on(run_all(client, jobs)))
    });
    match worker.join() {
        Ok(Ok(answers)) => answers,
        Ok(Err(reason)) => vec![vec![(&HEAD, reason)]; count],
        Err(_) => vec![vec![(&HEAD, "the HTTP checks stopped unexpectedly".into())]; count],
    }
}

fn client() -> Result<Client, String> {
    // Another part of the program may have installed it already; that is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .user_agent(concat!(
            "omroep/",
            env!("CARGO_PKG_VERSION"),
            " (validate --online)"
        ))
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))
}

async fn run_all(client: Client, jobs: Vec<Job>) -> Vec<Vec<Said>> {
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, job) in jobs.iter().cloned().enumerate() {
        let client = client.clone();
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire().await;
            (index, ask(&client, &job).await)
        });
    }
    let mut answers = vec![Vec::new(); jobs.len()];
    while let Some(done) = tasks.join_next().await {
        if let Ok((index, said)) = done {
            answers[index] = said;
        }
    }
    answers
}

/// Where a chain of redirects ended.
struct Reached {
    response: reqwest::Response,
    final_url: String,
    hops: usize,
}

/// Sends `method` to `url` with `headers`, following up to [`MAX_REDIRECTS`] redirects.
async fn send(
    client: &Client,
    method: Method,
    url: &str,
    headers: &HeaderMap,
) -> Result<Reached, Said> {
    let mut current = Url::parse(url).map_err(|e| (&HEAD, format!("{url} is not a URL: {e}")))?;
    let mut seen = vec![current.to_string()];
    for hops in 0..=MAX_REDIRECTS {
        let response = client
            .request(method.clone(), current.clone())
            .headers(headers.clone())
            .send()
            .await
            .map_err(|e| {
                (
                    &HEAD,
                    format!(
                        "{method} {current} failed: {}",
                        crate::report::error_chain(&e)
                    ),
                )
            })?;
        if !response.status().is_redirection() || response.status() == StatusCode::NOT_MODIFIED {
            return Ok(Reached {
                response,
                final_url: current.to_string(),
                hops,
            });
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| current.join(v.trim()).ok());
        let Some(next) = location else {
            return Err((
                &REDIRECT_LIMIT,
                format!(
                    "{current} answers {} without a usable Location",
                    response.status().as_u16()
                ),
            ));
        };
        if seen.contains(&next.to_string()) {
            return Err((
                &REDIRECT_LIMIT,
                format!("{url} redirects in a loop back to {next}"),
            ));
        }
        seen.push(next.to_string());
        current = next;
    }
    Err((
        &REDIRECT_LIMIT,
        format!("{url} still redirects after {MAX_REDIRECTS} hops (next to {current})"),
    ))
}

async fn ask(client: &Client, job: &Job) -> Vec<Said> {
    let mut said = Vec::new();
    let method = match job.probe {
        Probe::Feed => Method::GET,
        _ => Method::HEAD,
    };
    let reached = match send(client, method.clone(), &job.url, &HeaderMap::new()).await {
        Ok(reached) => reached,
        Err((rule, message)) => {
            let rule = match (&job.probe, rule.id) {
                (Probe::Feed, "online/head") => &FEED_ANSWERS,
                _ => rule,
            };
            return vec![(rule, message)];
        }
    };
    if reached.hops > 0 {
        said.push((
            &REDIRECT,
            format!(
                "{} redirects {} time{} to {}",
                job.url,
                reached.hops,
                if reached.hops == 1 { "" } else { "s" },
                reached.final_url
            ),
        ));
    }
    let status = reached.response.status();
    if !status.is_success() {
        let rule = match job.probe {
            Probe::Feed => &FEED_ANSWERS,
            _ => &HEAD,
        };
        said.push((
            rule,
            format!(
                "{method} {} answered {}",
                reached.final_url,
                status_text(status)
            ),
        ));
        return said;
    }
    let content_type = essence(reached.response.headers());
    match &job.probe {
        Probe::Feed => {
            let etag = reached
                .response
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            // The body is not needed; dropping the response closes it.
            drop(reached.response);
            said.extend(check_etag(client, &reached.final_url, etag).await);
        }
        Probe::Media { length, mime_type } => {
            let served = reached
                .response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            match (length, served) {
                (Some(length), Some(served)) if *length != served => said.push((
                    &CONTENT_LENGTH,
                    format!(
                        "{} is {served} bytes, but the enclosure length is {length}",
                        job.url
                    ),
                )),
                (Some(_), None) => said.push((
                    &CONTENT_LENGTH,
                    format!("{} answers HEAD without a Content-Length", job.url),
                )),
                _ => {}
            }
            if let Some(expected) = mime_type
                && !same_media_type(expected, content_type.as_deref())
            {
                said.push((
                    &CONTENT_TYPE,
                    format!(
                        "{} is served as {}, but the enclosure type is {expected}",
                        job.url,
                        content_type.as_deref().unwrap_or("no Content-Type")
                    ),
                ));
            }
            said.extend(check_range(client, &reached.final_url, &job.url).await);
        }
        Probe::Artwork => {
            if !matches!(content_type.as_deref(), Some("image/jpeg" | "image/png")) {
                said.push((
                    &CONTENT_TYPE,
                    format!(
                        "artwork {} is served as {}; Apple wants image/jpeg or image/png",
                        job.url,
                        content_type.as_deref().unwrap_or("no Content-Type")
                    ),
                ));
            }
        }
    }
    said
}

async fn check_etag(client: &Client, url: &str, etag: Option<String>) -> Option<Said> {
    let Some(etag) = etag else {
        return Some((
            &FEED_ETAG,
            format!("{url} is served without an ETag; every poll downloads the whole feed"),
        ));
    };
    let mut headers = HeaderMap::new();
    let value = header::HeaderValue::from_str(&etag).ok()?;
    headers.insert(header::IF_NONE_MATCH, value);
    let again = client
        .get(url)
        .headers(headers)
        .send()
        .await
        .map_err(|e| crate::report::error_chain(&e));
    match again {
        Ok(response) if response.status() == StatusCode::NOT_MODIFIED => None,
        Ok(response) => Some((
            &FEED_ETAG,
            format!(
                "{url} answered {} to If-None-Match: {etag}, not 304 Not Modified",
                status_text(response.status())
            ),
        )),
        Err(reason) => Some((
            &FEED_ETAG,
            format!("{url} failed when asked again with If-None-Match: {reason}"),
        )),
    }
}

async fn check_range(client: &Client, final_url: &str, url: &str) -> Option<Said> {
    let mut headers = HeaderMap::new();
    headers.insert(header::RANGE, header::HeaderValue::from_static("bytes=0-1"));
    // Bodies are never read: a server that ignores the range would send the whole file.
    headers.insert(
        header::ACCEPT_ENCODING,
        header::HeaderValue::from_static("identity"),
    );
    match send(client, Method::GET, final_url, &headers).await {
        Ok(reached) if reached.response.status() == StatusCode::PARTIAL_CONTENT => None,
        Ok(reached) => Some((
            &RANGE,
            format!(
                "{url} answered {} to Range: bytes=0-1, not 206 Partial Content",
                status_text(reached.response.status())
            ),
        )),
        Err((_, message)) => Some((&RANGE, format!("a range request failed: {message}"))),
    }
}

/// The first bytes of the image at `url` (at most [`MAX_PREFIX_BYTES`]), for reading its
/// format, size and colour model.
pub fn fetch_prefix(url: &str) -> Result<Vec<u8>, String> {
    let url = url.to_string();
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let client = client()?;
        runtime.block_on(async {
            let reached = send(&client, Method::GET, &url, &HeaderMap::new())
                .await
                .map_err(|(_, message)| message)?;
            let status = reached.response.status();
            if !status.is_success() {
                return Err(format!("{url} answered {}", status_text(status)));
            }
            let mut response = reached.response;
            let mut bytes = Vec::new();
            while bytes.len() < MAX_PREFIX_BYTES {
                match response.chunk().await {
                    Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => {
                        return Err(format!(
                            "{url} broke off: {}",
                            crate::report::error_chain(&e)
                        ));
                    }
                }
            }
            bytes.truncate(MAX_PREFIX_BYTES);
            Ok(bytes)
        })
    });
    worker
        .join()
        .unwrap_or_else(|_| Err("the HTTP request stopped unexpectedly".into()))
}

/// The `Content-Type` without parameters, in lower case.
fn essence(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// Whether the served type is the enclosure's; the MP4 audio names count as one type,
/// as players treat them.
fn same_media_type(expected: &str, served: Option<&str>) -> bool {
    let Some(served) = served else { return false };
    let expected = expected
        .split(';')
        .next()
        .unwrap_or(expected)
        .trim()
        .to_ascii_lowercase();
    let family = |t: &str| match t {
        "audio/x-m4a" | "audio/mp4" | "audio/m4a" | "audio/aac" => "audio/mp4".to_string(),
        "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg" => "audio/mpeg".to_string(),
        other => other.to_string(),
    };
    family(&expected) == family(served)
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mp4_audio_names_count_as_one_type() {
        assert!(same_media_type("audio/x-m4a", Some("audio/mp4")));
        assert!(same_media_type(
            "audio/mpeg; charset=binary",
            Some("audio/mpeg")
        ));
        assert!(!same_media_type("audio/mpeg", Some("text/html")));
        assert!(!same_media_type("audio/mpeg", None));
    }

    #[test]
    fn without_online_nothing_is_asked() {
        // The URLs point at a port nothing listens on: a request would be a finding.
        let feed = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>t</title><item><enclosure url="http://127.0.0.1:9/a.mp3" length="1" type="audio/mpeg"/></item></channel></rss>"#;
        let findings = super::super::validate("f.xml", feed, &super::super::Context::default());
        assert!(
            findings.iter().all(|f| !f.rule.id.starts_with("online/")),
            "{findings:?}"
        );
    }
}
