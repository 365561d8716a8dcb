//! Fetching remote feeds over HTTP, politely and defensively.
//!
//! [`Fetcher::fetch`] gets one URL: a conditional GET with the stored validators,
//! redirects followed by hand (at most [`FetchSettings::max_redirects`], loops detected,
//! permanent ones reported so the caller can move the source), the body counted and
//! decompressed under caps (`body.rs`), and every failure turned into a [`FetchError`]
//! whose message says what the server did. It never parses: deciding what a body means,
//! and what a failure does to the source (`retry.rs`), is the ingest run's job.
//!
//! Politeness: at most [`FetchSettings::concurrency`] requests at once overall and
//! [`FetchSettings::per_host`] per host, a User-Agent naming omroep and the site, and a
//! whole-request timeout that also cuts off servers trickling their bytes.

pub mod body;
pub mod retry;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use body::BodyDecoder;

/// The default cap on a body, compressed or not: 50 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub user_agent: String,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host (name and port).
    pub per_host: usize,
    pub connect_timeout: Duration,
    /// The whole of one request: connecting, waiting, and reading the body.
    pub timeout: Duration,
    pub max_redirects: usize,
    /// Bytes accepted off the network for one body.
    pub max_transfer_bytes: u64,
    /// Bytes a body may have once decompressed.
    pub max_body_bytes: u64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            user_agent: user_agent(None),
            concurrency: 16,
            per_host: 2,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_redirects: 5,
            max_transfer_bytes: DEFAULT_MAX_BYTES,
            max_body_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// `omroep/<version> (+<site url>)`, so that a server's operator can see who is asking
/// and where to complain.
pub fn user_agent(site_url: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match site_url.map(str::trim).filter(|url| !url.is_empty()) {
        Some(url) => format!("omroep/{version} (+{url})"),
        None => format!("omroep/{version}"),
    }
}

/// What to fetch: a URL and the validators from the last successful fetch.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// One redirect followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: String,
    pub to: String,
    pub status: u16,
}

impl Hop {
    /// 301 and 308 move a source for good; 302, 303 and 307 do not.
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, 301 | 308)
    }
}

/// A successful answer.
#[derive(Debug)]
pub enum Answer {
    /// A body (2xx), decompressed.
    Body {
        status: u16,
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        content_type: Option<String>,
        /// The `charset` parameter of `Content-Type`.
        charset: Option<String>,
    },
    /// 304: what the caller has is current.
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Why a fetch failed; the message is one lowercase line without the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("not an http(s) URL: {0}")]
    BadUrl(String),
    #[error("the server answered {}{}", status_line(*.status), retry_hint(.retry_after))]
    Status {
        status: u16,
        retry_after: Option<DateTime<Utc>>,
    },
    #[error(
        "the server answered 410 Gone: the feed was removed, so it is retired and not fetched again; check for a new address, or re-enable it with `omroep sources --enable URL`"
    )]
    Gone,
    #[error("more than {limit} redirects; open the URL in a browser and use where it ends up")]
    TooManyRedirects { limit: usize },
    #[error("redirect loop: {}", .chain.join(" -> "))]
    RedirectLoop { chain: Vec<String> },
    #[error("the server answered {} without a usable Location ({location})", status_line(*.status))]
    BadRedirect { status: u16, location: String },
    #[error(
        "the {} over the limit of {limit} bytes; it is refused",
        if *.transferred { "response is" } else { "decompressed body is" }
    )]
    TooLarge { transferred: bool, limit: u64 },
    #[error("the server sent the body in an unsupported Content-Encoding: {0}")]
    UnsupportedEncoding(String),
    #[error("the {encoding} body could not be decompressed: {detail}")]
    Decompress {
        encoding: &'static str,
        detail: String,
    },
    #[error("no complete answer within {seconds} s; the server is too slow or trickling")]
    Timeout { seconds: u64 },
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the connection failed: {0}")]
    Network(String),
    #[error("the server answered 304 Not Modified to a request that had nothing to compare")]
    UnexpectedNotModified,
}

impl FetchError {
    /// The HTTP status the server gave, when one is to blame.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } | FetchError::BadRedirect { status, .. } => {
                Some(*status)
            }
            FetchError::Gone => Some(410),
            _ => None,
        }
    }
}

fn status_line(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn retry_hint(retry_after: &Option<DateTime<Utc>>) -> String {
    match retry_after {
        Some(when) => format!(
            "; it asks to wait until {}",
            crate::model::utc_seconds::format(when)
        ),
        None => String::new(),
    }
}

/// The result of fetching one URL.
#[derive(Debug)]
pub struct Fetched {
    /// Where the answer came from.
    pub final_url: String,
    /// Every redirect followed, in order.
    pub hops: Vec<Hop>,
    pub result: Result<Answer, FetchError>,
    /// This fetch's place under the global concurrency limit. It is held until the
    /// caller drops it, so that parsing the body counts towards the limit too and the
    /// bodies in memory at once stay bounded.
    pub slot: Option<OwnedSemaphorePermit>,
}

impl Fetched {
    /// Where the source lives now when its redirects began with permanent ones: the
    /// target of the last of those, and the hops themselves.
    pub fn moved_to(&self) -> Option<(&str, &[Hop])> {
        let permanent = self
            .hops
            .iter()
            .take_while(|hop| hop.is_permanent())
            .count();
        let last = self.hops[..permanent].last()?;
        Some((last.to.as_str(), &self.hops[..permanent]))
    }
}

/// The HTTP client with its limits, shared by every fetch of a run.
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// One request's outcome before redirects are followed.
enum Reply {
    Final(Answer),
    Redirect { status: u16, location: String },
}

impl Fetcher {
    /// Builds the client. Installs the TLS crypto provider (ring) if none is yet.
    pub fn new(settings: FetchSettings) -> Result<Fetcher, FetchError> {
        // Another part of the program may have installed it already: that is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .pool_max_idle_per_host(settings.per_host.max(1))
            .build()
            .map_err(|error| FetchError::Network(crate::report::error_chain(&error)))?;
        Ok(Fetcher {
            client,
            global: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            hosts: Mutex::new(HashMap::new()),
            settings,
        })
    }

    /// Fetches one URL, following redirects (see the module docs).
    pub async fn fetch(&self, request: &Request) -> Fetched {
        let mut fetched = Fetched {
            final_url: request.url.clone(),
            hops: Vec::new(),
            result: Err(FetchError::BadUrl(request.url.clone())),
            slot: None,
        };
        let mut url = match Url::parse(request.url.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => url,
            _ => return fetched,
        };
        let mut visited = HashSet::from([url.to_string()]);
        loop {
            fetched.final_url = url.to_string();
            // Host first, then the global slot: a request waiting for a busy host must
            // not sit on one of the global places meanwhile.
            // The semaphores are never closed; were they, the run is being torn down.
            let (Ok(host), Ok(slot)) = (
                self.host_limit(&url).acquire_owned().await,
                self.global.clone().acquire_owned().await,
            ) else {
                fetched.result = Err(FetchError::Network("the run was stopped".into()));
                return fetched;
            };
            let reply = tokio::time::timeout(self.settings.timeout, self.once(&url, request)).await;
            drop(host);
            let reply = match reply {
                Ok(reply) => reply,
                Err(_) => Err(FetchError::Timeout {
                    seconds: self.settings.timeout.as_secs_f64().ceil() as u64,
                }),
            };
            match reply {
                Ok(Reply::Final(answer)) => {
                    fetched.result = Ok(answer);
                    fetched.slot = Some(slot);
                    return fetched;
                }
                Err(error) => {
                    fetched.result = Err(error);
                    return fetched;
                }
                Ok(Reply::Redirect { status, location }) => {
                    drop(slot);
                    let next = match url.join(location.trim()) {
                        Ok(next) if matches!(next.scheme(), "http" | "https") => next,
                        _ => {
                            fetched.result = Err(FetchError::BadRedirect { status, location });
                            return fetched;
                        }
                    };
                    fetched.hops.push(Hop {
                        from: url.to_string(),
                        to: next.to_string(),
                        status,
                    });
                    if !visited.insert(next.to_string()) {
                        let mut chain: Vec<String> =
                            fetched.hops.iter().map(|hop| hop.from.clone()).collect();
                        chain.push(next.to_string());
                        fetched.result = Err(FetchError::RedirectLoop { chain });
                        return fetched;
                    }
                    if fetched.hops.len() > self.settings.max_redirects {
                        fetched.result = Err(FetchError::TooManyRedirects {
                            limit: self.settings.max_redirects,
                        });
                        return fetched;
                    }
                    url = next;
                }
            }
        }
    }

    fn host_limit(&self, url: &Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        hosts
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_host.max(1))))
            .clone()
    }

    /// One request to one URL, its body read in full.
    async fn once(&self, url: &Url, request: &Request) -> Result<Reply, FetchError> {
        let mut builder = self
            .client
            .get(url.clone())
            .header(
                header::ACCEPT,
                "application/rss+xml, application/atom+xml, application/feed+json, \
                 application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.7",
            )
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br");
        if let Some(etag) = &request.etag {
            builder = builder.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = &request.last_modified {
            builder = builder.header(header::IF_MODIFIED_SINCE, date);
        }
        let mut response = builder.send().await.map_err(request_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match status {
            301 | 302 | 303 | 307 | 308 => {
                let location = text_header(&headers, header::LOCATION).unwrap_or_default();
                if location.trim().is_empty() {
                    return Err(FetchError::BadRedirect { status, location });
                }
                Ok(Reply::Redirect { status, location })
            }
            304 => {
                if request.etag.is_none() && request.last_modified.is_none() {
                    return Err(FetchError::UnexpectedNotModified);
                }
                Ok(Reply::Final(Answer::NotModified {
                    etag: text_header(&headers, header::ETAG),
                    last_modified: text_header(&headers, header::LAST_MODIFIED),
                }))
            }
            410 => Err(FetchError::Gone),
            200..=299 => {
                if let Some(length) = response.content_length()
                    && length > self.settings.max_transfer_bytes
                {
                    return Err(FetchError::TooLarge {
                        transferred: true,
                        limit: self.settings.max_transfer_bytes,
                    });
                }
                let encoding = text_header(&headers, header::CONTENT_ENCODING);
                let mut decoder = BodyDecoder::with_length_hint(
                    encoding.as_deref(),
                    self.settings.max_transfer_bytes,
                    self.settings.max_body_bytes,
                    response.content_length(),
                )?;
                while let Some(chunk) = response.chunk().await.map_err(request_error)? {
                    decoder.push(&chunk)?;
                }
                let content_type = text_header(&headers, header::CONTENT_TYPE);
                Ok(Reply::Final(Answer::Body {
                    status,
                    bytes: decoder.finish()?,
                    etag: text_header(&headers, header::ETAG),
                    last_modified: text_header(&headers, header::LAST_MODIFIED),
                    charset: content_type.as_deref().and_then(charset),
                    content_type,
                }))
            }
            _ => {
                let retry_after = match status {
                    429 | 503 => text_header(&headers, header::RETRY_AFTER)
                        .and_then(|value| retry::retry_after(&value, Utc::now())),
                    _ => None,
                };
                Err(FetchError::Status {
                    status,
                    retry_after,
                })
            }
        }
    }
}

/// A header as text, when present and printable.
fn text_header(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

/// The `charset` parameter of a `Content-Type` value (quotes removed).
pub fn charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches('"').trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

fn request_error(error: reqwest::Error) -> FetchError {
    if error.is_connect() {
        FetchError::Connect(innermost(&error))
    } else {
        FetchError::Network(innermost(&error))
    }
}

/// The most specific cause of an error ("connection refused"), which is what a user
/// can act on; reqwest's own top line only repeats the URL.
pub(crate) fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_is_read_from_content_type() {
        assert_eq!(
            charset("application/rss+xml; charset=ISO-8859-1").as_deref(),
            Some("ISO-8859-1")
        );
        assert_eq!(
            charset("text/xml;Charset=\"windows-1252\"").as_deref(),
            Some("windows-1252")
        );
        assert_eq!(
            charset("application/rss+xml;CHARSET=\"utf-8\"").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset("application/xml"), None);
        assert_eq!(charset("text/xml; charset="), None);
    }

    #[test]
    fn user_agent_names_omroep_its_version_and_the_site() {
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            user_agent(Some("https://example.org/")),
            format!("omroep/{version} (+https://example.org/)")
        );
        assert_eq!(user_agent(None), format!("omroep/{version}"));
    }

    #[test]
    fn only_a_leading_run_of_permanent_redirects_moves_a_source() {
        let hop = |from: &str, to: &str, status| Hop {
            from: from.into(),
            to: to.into(),
            status,
        };
        let mut fetched = Fetched {
            final_url: "https://d/".into(),
            hops: vec![
                hop("http://a/", "https://b/", 301),
                hop("https://b/", "https://c/", 308),
                hop("https://c/", "https://d/", 302),
            ],
            result: Err(FetchError::Gone),
            slot: None,
        };
        let (to, hops) = fetched.moved_to().unwrap();
        assert_eq!((to, hops.len()), ("https://c/", 2));
        fetched.hops.remove(0);
        fetched.hops.remove(0);
        assert!(fetched.moved_to().is_none());
    }

    #[test]
    fn errors_read_as_one_line_that_says_what_to_do() {
        let error = FetchError::Status {
            status: 404,
            retry_after: None,
        };
        assert_eq!(error.to_string(), "the server answered 404 Not Found");
        let error = FetchError::RedirectLoop {
            chain: vec!["http://a/".into(), "http://b/".into(), "http://a/".into()],
        };
        assert_eq!(
            error.to_string(),
            "redirect loop: http://a/ -> http://b/ -> http://a/"
        );
    }
}
