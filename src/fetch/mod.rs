//! HTTP client policy for feeds and article pages.
//!
//! One [`Fetcher`] serves the whole daemon: connect and total timeouts, at most
//! [`MAX_REDIRECTS`] redirects, a body cap enforced while streaming (after decompression, so a
//! gzip bomb stops at the cap), conditional GET with ETag and Last-Modified, the SSRF guard
//! ([`guard`]) and charset decoding ([`charset`]).

pub mod charset;
pub mod guard;

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};
use url::Url;

use crate::config::Daemon;

pub const MAX_REDIRECTS: usize = 5;

/// HTTP validators remembered from the last successful fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetched document.
#[derive(Debug)]
pub struct Document {
    /// Where it was finally found, after redirects.
    pub url: Url,
    pub text: String,
    /// The encoding the bytes were decoded with.
    pub encoding: &'static str,
    pub validators: Validators,
}

#[derive(Debug)]
pub enum Outcome {
    Fetched(Document),
    /// 304: unchanged since the validators were issued.
    NotModified,
}

/// Why a fetch failed, named so a log line says what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "refused {url}: its address is private or reserved (set daemon.allow_private_networks = true to allow)"
    )]
    Private { url: Url },
    #[error("{url}: HTTP {status}")]
    Status { url: Url, status: StatusCode },
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: Url, limit: usize },
    #[error("{url}: timed out")]
    Timeout { url: Url },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    Redirects { url: Url },
    #[error("{url}: {message}")]
    Network { url: Url, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// The shared HTTP client.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body_bytes: usize,
    allow_private: bool,
}

impl Fetcher {
    pub fn new(daemon: &Daemon) -> Result<Fetcher, FetchError> {
        let allow_private = daemon.allow_private_networks;
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error(TooManyRedirects)
            } else if !allow_private && literal_is_forbidden(attempt.url()) {
                attempt.error(PrivateTarget)
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(daemon.user_agent.clone())
            .connect_timeout(Duration::from_secs(10).min(daemon.fetch_timeout))
            .read_timeout(daemon.fetch_timeout)
            .timeout(daemon.fetch_timeout)
            .redirect(policy)
            // A proxy resolves names itself and would bypass the guarded resolver.
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(guard::GuardedResolver::shared());
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            max_body_bytes: daemon.max_body_bytes,
            allow_private,
        })
    }

    /// GET `url`, conditionally when `validators` are given.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Outcome, FetchError> {
        if !self.allow_private && literal_is_forbidden(url) {
            return Err(FetchError::Private { url: url.clone() });
        }
        let mut headers = HeaderMap::new();
        if let Some(v) = validators {
            if let Some(etag) = v
                .etag
                .as_deref()
                .and_then(|e| HeaderValue::from_str(e).ok())
            {
                headers.insert(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = v
                .last_modified
                .as_deref()
                .and_then(|e| HeaderValue::from_str(e).ok())
            {
                headers.insert(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let response = self
            .client
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| classify(url, e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.clone(),
                status,
            });
        }
        let final_url = response.url().clone();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header_text(header::CONTENT_TYPE);
        let validators = Validators {
            etag: header_text(header::ETAG),
            last_modified: header_text(header::LAST_MODIFIED),
        };
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body_bytes as u64)
        {
            return Err(FetchError::TooLarge {
                url: url.clone(),
                limit: self.max_body_bytes,
            });
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| classify(url, e))?;
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(FetchError::TooLarge {
                    url: url.clone(),
                    limit: self.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        let tld = final_url
            .host_str()
            .and_then(|h| h.rsplit('.').next())
            .map(str::to_string);
        let (text, encoding) = charset::decode(&body, content_type.as_deref(), tld.as_deref());
        Ok(Outcome::Fetched(Document {
            url: final_url,
            text,
            encoding,
            validators,
        }))
    }
}

fn literal_is_forbidden(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => guard::is_forbidden(ip.into()),
        Some(url::Host::Ipv6(ip)) => guard::is_forbidden(ip.into()),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        None => true,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("too many redirects")]
struct TooManyRedirects;

#[derive(Debug, thiserror::Error)]
#[error("redirect to a private address")]
struct PrivateTarget;

fn classify(url: &Url, err: reqwest::Error) -> FetchError {
    let url = url.clone();
    if err.is_timeout() {
        return FetchError::Timeout { url };
    }
    let mut source: Option<&dyn std::error::Error> = Some(&err);
    while let Some(e) = source {
        if e.is::<TooManyRedirects>() {
            return FetchError::Redirects { url };
        }
        if e.is::<PrivateTarget>() || e.is::<guard::Refused>() {
            return FetchError::Private { url };
        }
        source = e.source();
    }
    // reqwest's own text repeats the URL; the causes below it say what went wrong.
    let mut causes: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        let text = e.to_string();
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = e.source();
    }
    let kind = if err.is_connect() {
        "cannot connect"
    } else if err.is_body() || err.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let message = if causes.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", causes.join(": "))
    };
    FetchError::Network { url, message }
}
