//! HTTP client policy for feeds and article pages.
//!
//! One [`Fetcher`] serves the whole daemon: connect and total timeouts, at most
//! [`MAX_REDIRECTS`] redirects, a body cap enforced while streaming (after decompression, so a
//! gzip bomb stops at the cap), conditional GET with ETag and Last-Modified, the SSRF guard
//! ([`guard`]) and charset decoding ([`charset`]).

pub mod caching;
pub mod charset;
pub mod guard;
pub mod politeness;
pub mod robots;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::Daemon;
use crate::schedule::Hints;

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
    /// What the caching headers ask for (`max_age`, `expires_in`).
    pub hints: Hints,
    /// SHA-256 of the body as received (after decompression), hex.
    pub body_hash: String,
}

#[derive(Debug)]
pub enum Outcome {
    Fetched(Document),
    /// 304: unchanged since the validators were issued.
    NotModified {
        hints: Hints,
    },
}

/// Why a fetch failed, named so a log line says what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "refused {url}: its address is private or reserved (set daemon.allow_private_networks = true to allow)"
    )]
    Private { url: Url },
    #[error("{url}: HTTP {status}{}", retry_note(.retry_after))]
    Status {
        url: Url,
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: Url, limit: usize },
    #[error("{url}: timed out")]
    Timeout { url: Url },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    Redirects { url: Url },
    #[error("{url}: disallowed by robots.txt (set daemon.respect_robots_txt = false to ignore)")]
    Robots { url: Url },
    #[error("{url}: {message}")]
    Dns { url: Url, message: String },
    #[error("{url}: broken gzip file: {message}")]
    Gzip { url: Url, message: String },
    #[error("{url}: {message}")]
    Network { url: Url, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

fn retry_note(retry_after: &Option<Duration>) -> String {
    retry_after.map_or(String::new(), |d| {
        format!(" (retry after {}s)", d.as_secs())
    })
}

impl FetchError {
    /// A short name for the kind of failure, for metrics.
    pub fn class(&self) -> &'static str {
        match self {
            FetchError::Private { .. } => "private",
            FetchError::Status { .. } => "http_status",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Redirects { .. } => "redirects",
            FetchError::Robots { .. } => "robots",
            FetchError::Dns { .. } => "dns",
            FetchError::Gzip { .. } => "gzip",
            FetchError::Network { .. } => "network",
            FetchError::Client(_) => "client",
        }
    }

    /// The server's `Retry-After`, if it gave one with a 429 or 503.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A response as received, before its status is judged.
struct Raw {
    status: StatusCode,
    url: Url,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// The shared HTTP client: one per daemon, used for feeds, pages and robots.txt alike, so the
/// global and per-host limits cover them all.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body_bytes: usize,
    allow_private: bool,
    slots: Arc<Semaphore>,
    hosts: Arc<politeness::HostGate>,
    /// Turns shared with other processes, when the delay is not zero.
    shared_turns: Option<Arc<dyn politeness::HostTurns>>,
    robots: Option<Arc<robots::RobotsCache>>,
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
        let builder = reqwest::Client::builder()
            .user_agent(daemon.user_agent.clone())
            .connect_timeout(Duration::from_secs(10).min(daemon.fetch_timeout))
            .read_timeout(daemon.fetch_timeout)
            .timeout(daemon.fetch_timeout)
            .redirect(policy)
            // A proxy resolves names itself and would bypass the guarded resolver.
            .no_proxy()
            .dns_resolver(guard::GuardedResolver::shared(allow_private));
        let client = builder
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            max_body_bytes: daemon.max_body_bytes,
            allow_private,
            slots: Arc::new(Semaphore::new(daemon.concurrency.max(1))),
            hosts: Arc::new(politeness::HostGate::new(
                daemon.per_host_concurrency,
                daemon.politeness_delay,
            )),
            shared_turns: None,
            robots: daemon
                .respect_robots_txt
                .then(|| Arc::new(robots::RobotsCache::default())),
        })
    }

    /// Space requests to each host by `politeness_delay` across the processes sharing `turns`
    /// too (when it is not zero).
    pub fn share_turns(&mut self, turns: Arc<dyn politeness::HostTurns>) {
        if !self.hosts.delay().is_zero() {
            self.shared_turns = Some(turns);
        }
    }

    /// GET `url`, conditionally when `validators` are given. `now` dates the caching headers.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, FetchError> {
        let raw = self.request(url, validators).await?;
        let hints = Hints {
            max_age: header_text(&raw.headers, header::CACHE_CONTROL)
                .as_deref()
                .and_then(caching::max_age),
            expires_in: header_text(&raw.headers, header::EXPIRES)
                .as_deref()
                .and_then(|e| {
                    caching::expires_in(e, header_text(&raw.headers, header::DATE).as_deref(), now)
                }),
            ..Hints::default()
        };
        if raw.status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified { hints });
        }
        if !raw.status.is_success() {
            let retry_after = matches!(
                raw.status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            )
            .then(|| header_text(&raw.headers, header::RETRY_AFTER))
            .flatten()
            .and_then(|v| caching::retry_after(&v, now));
            return Err(FetchError::Status {
                url: url.clone(),
                status: raw.status,
                retry_after,
            });
        }
        let body = if raw.body.starts_with(&GZIP_MAGIC) {
            inflate(url, &raw.body, self.max_body_bytes)?
        } else {
            raw.body
        };
        let content_type = header_text(&raw.headers, header::CONTENT_TYPE);
        let tld = raw
            .url
            .host_str()
            .and_then(|h| h.rsplit('.').next())
            .map(str::to_string);
        let (text, encoding) = charset::decode(&body, content_type.as_deref(), tld.as_deref());
        Ok(Outcome::Fetched(Document {
            validators: Validators {
                etag: header_text(&raw.headers, header::ETAG),
                last_modified: header_text(&raw.headers, header::LAST_MODIFIED),
            },
            body_hash: format!("{:x}", Sha256::digest(&body)),
            url: raw.url,
            text,
            encoding,
            hints,
        }))
    }

    /// GET an article page, first asking its origin's robots.txt when configured to.
    pub async fn get_page(&self, url: &Url, now: DateTime<Utc>) -> Result<Outcome, FetchError> {
        self.get_listing(url, None, now).await
    }

    /// GET a page under robots.txt as [`Fetcher::get_page`] does, conditionally when
    /// `validators` are given (an outlet's section page, polled as a feed).
    pub async fn get_listing(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, FetchError> {
        if let Some(cache) = &self.robots {
            let rules = match cache.get(url) {
                Some(rules) => rules,
                None => {
                    let rules = match robots::location(url) {
                        Some(at) => match self.request(&at, None).await {
                            Ok(raw) => robots::Rules::from_response(raw.status.as_u16(), &raw.body),
                            Err(FetchError::Private { url }) => {
                                return Err(FetchError::Private { url });
                            }
                            Err(_) => robots::Rules::DisallowAll,
                        },
                        None => robots::Rules::AllowAll,
                    };
                    cache.put(url, rules)
                }
            };
            if !rules.allows(url) {
                return Err(FetchError::Robots { url: url.clone() });
            }
        }
        self.get(url, validators, now).await
    }

    /// One request under the global and per-host limits, its body read up to the cap.
    async fn request(&self, url: &Url, validators: Option<&Validators>) -> Result<Raw, FetchError> {
        if !self.allow_private && literal_is_forbidden(url) {
            return Err(FetchError::Private { url: url.clone() });
        }
        // The host slot first: waiting for a busy host must not hold a global slot.
        let host = url.host_str().unwrap_or_default();
        let _host = self.hosts.enter(host).await;
        if let Some(turns) = &self.shared_turns {
            tokio::time::sleep(turns.turn(host, self.hosts.delay()).await).await;
        }
        let _slot = self.slots.acquire().await;
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
        let final_url = response.url().clone();
        let headers = response.headers().clone();
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
        Ok(Raw {
            status,
            url: final_url,
            headers,
            body,
        })
    }
}

/// How a gzip file starts. No text document does, so one served without a
/// `Content-Encoding` (a sitemap file named `.xml.gz`) is inflated whatever its type says.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A gzip file's content, refused once it inflates past `limit` (a gzip bomb stops there).
fn inflate(url: &Url, gzip: &[u8], limit: usize) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let mut body = Vec::new();
    flate2::read::MultiGzDecoder::new(gzip)
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|err| FetchError::Gzip {
            url: url.clone(),
            message: err.to_string(),
        })?;
    if body.len() > limit {
        return Err(FetchError::TooLarge {
            url: url.clone(),
            limit,
        });
    }
    Ok(body)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Whether `url` names a forbidden address literally; names are checked by the resolver.
fn literal_is_forbidden(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => guard::is_forbidden(ip.into()),
        Some(url::Host::Ipv6(ip)) => guard::is_forbidden(ip.into()),
        Some(url::Host::Domain(_)) => false,
        None => true,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("too many redirects")]
struct TooManyRedirects;

#[derive(Debug, thiserror::Error)]
#[error("redirect to a private address")]
struct PrivateTarget;

/// What went wrong under a reqwest error: its own text repeats the URL, the causes below it
/// say what happened (each once).
pub(crate) fn causes(err: &reqwest::Error) -> Vec<String> {
    let mut causes: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        let text = e.to_string();
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = e.source();
    }
    causes
}

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
        if let Some(unresolved) = e.downcast_ref::<guard::Unresolved>() {
            return FetchError::Dns {
                url,
                message: unresolved.to_string(),
            };
        }
        source = e.source();
    }
    let causes = causes(&err);
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
