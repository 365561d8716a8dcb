//! Fetching one document over HTTP(S) for `omroep parse URL` and `omroep import URL`: a
//! plain GET with a 30-second timeout, redirects followed, the size cap enforced while the
//! body streams in (a server's `Content-Length` is not trusted), and what the parser needs
//! from the response: the bytes, the `charset` of its `Content-Type` and the final URL as
//! base.
//!
//! Remote fetching with caching and conditional requests belongs to the store and fetch
//! part of omroep; this is the one-shot reader a user points at a URL to see what omroep
//! makes of it.

use std::sync::Once;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use url::Url;

/// How long one request may take, connection to last byte.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A fetched document.
#[derive(Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The base for relative URLs in the document: the URL after redirects, or the
    /// response's `Content-Location` resolved against it.
    pub base_url: Url,
    /// The `charset` parameter of the response's `Content-Type`.
    pub charset: Option<String>,
    /// The response's `Content-Language`.
    pub language: Option<String>,
}

/// An HTTP client and the runtime it runs on, built on first use.
pub struct Fetcher {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Fetcher {
    pub fn new() -> Result<Fetcher> {
        static PROVIDER: Once = Once::new();
        PROVIDER.call_once(|| {
            // Fails only when a provider is installed already, which is as good.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("could not start the HTTP runtime")?;
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("omroep/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("could not set up the HTTP client")?;
        Ok(Fetcher { runtime, client })
    }

    /// GETs `url`, refusing a body over `max_bytes`.
    pub fn get(&self, url: &Url, max_bytes: usize) -> Result<Fetched> {
        self.runtime.block_on(get(&self.client, url, max_bytes))
    }
}

async fn get(client: &reqwest::Client, url: &Url, max_bytes: usize) -> Result<Fetched> {
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|error| anyhow::anyhow!(describe(&error)))?;
    let status = response.status();
    if !status.is_success() {
        bail!(
            "the server answered HTTP {}{}",
            status.as_u16(),
            status
                .canonical_reason()
                .map(|reason| format!(" {reason}"))
                .unwrap_or_default()
        );
    }
    if let Some(length) = response.content_length()
        && length > max_bytes as u64
    {
        bail!(
            "document is {length} bytes, over the limit of {max_bytes} bytes; raise --max-bytes if it is really a feed"
        );
    }
    let headers = response.headers();
    let header = |name: reqwest::header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    let charset = header(reqwest::header::CONTENT_TYPE)
        .and_then(|value| crate::ingest::remote::charset(&value));
    let language = header(reqwest::header::CONTENT_LANGUAGE);
    // The document's own address, when the server names one, is what its relative URLs
    // are relative to (as the Universal Feed Parser reads it).
    let final_url = response.url().clone();
    let base_url = header(reqwest::header::CONTENT_LOCATION)
        .and_then(|location| final_url.join(&location).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .unwrap_or(final_url);
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| anyhow::anyhow!(describe(&error)))?
    {
        if bytes.len() + chunk.len() > max_bytes {
            bail!(
                "document is over the limit of {max_bytes} bytes; raise --max-bytes if it is really a feed"
            );
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched {
        bytes,
        base_url,
        charset,
        language,
    })
}

/// One line for a failed request: reqwest's own message plus its deepest cause (where
/// the useful part, "connection refused", lives).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out after 30 s"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "too many redirects"
    } else if error.is_body() || error.is_decode() {
        "the response broke off"
    } else {
        "request failed"
    };
    format!("{kind}: {}", crate::ingest::remote::innermost(error))
}
