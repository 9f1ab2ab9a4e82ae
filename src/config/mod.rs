//! The configuration file: its TOML schema, defaults and validation.
//!
//! Parsing happens in two steps. serde reads the file into `Raw*` structs that keep the source
//! span of every value a later check may complain about (unknown keys are refused there). Then
//! [`Config::from_toml`] validates meaning (URLs, durations, references between sections) and
//! collects *every* problem with its line and column, so `raqib check-config` can list them all
//! at once.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

mod bounds;
mod database;
mod http;
pub mod postgres_url;
pub mod query;
mod sink;
mod source;
mod watch;
mod zone;

use database::RawDatabase;
pub use database::{Database, Postgres};
use http::RawHttp;
pub use http::{Http, User};
use sink::RawSink;
pub use sink::{ChatId, Matrix, Ntfy, TELEGRAM_API, Telegram};
pub use sink::{
    DEFAULT_EMAIL_TIMEOUT, DEFAULT_TEMPLATE_CONTENT_TYPE, DEFAULT_WEBHOOK_TIMEOUT, Email, Secret,
    Signing, Sink, SinkKind, SmtpTls, Webhook, WebhookFormat,
};
pub use source::{PageRule, Source};
use watch::RawWatch;
pub use watch::{
    AlertPolicy, Context, DEFAULT_CONTEXT_WITHIN, DEFAULT_DIGEST_EVERY, Severity, Watch,
};

/// How long a failing delivery is retried when `delivery_dead_after` is not given: a
/// receiver down overnight still gets its alerts in the morning.
pub const DEFAULT_DELIVERY_DEAD_AFTER: Duration = Duration::from_secs(48 * 3600);

/// How long a feed's lease lasts when `lease` is not given: an instance that dies leaves its
/// feeds unpolled for at most this long.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(120);

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; relative paths in it were resolved against its folder.
    pub path: PathBuf,
    pub daemon: Daemon,
    pub feeds: Vec<Feed>,
    pub watches: Vec<Watch>,
    pub sinks: Vec<Sink>,
    /// `[http]`: the API server, off when absent.
    pub http: Option<Http>,
}

/// `[daemon]`: settings of the process as a whole.
#[derive(Debug, Clone)]
pub struct Daemon {
    pub database: Database,
    /// How long an instance holds a feed it polls before renewing its lease (PostgreSQL,
    /// where instances share feeds).
    pub lease: Duration,
    pub poll_interval: Duration,
    pub alert_max_age: Duration,
    pub allow_private_networks: bool,
    pub user_agent: String,
    pub fetch_timeout: Duration,
    pub max_body_bytes: usize,
    pub concurrency: usize,
    /// Requests in flight to one host at once.
    pub per_host_concurrency: usize,
    /// Time between the starts of two requests to the same host.
    pub politeness_delay: Duration,
    pub respect_robots_txt: bool,
    /// A feed that has published nothing for this long is reported stale.
    pub stale_after: Duration,
    /// Default bounds of adaptive feed intervals.
    pub min_interval: Duration,
    pub max_interval: Duration,
    /// A delivery still failing this long after its alert was raised is marked dead.
    pub delivery_dead_after: Duration,
    /// The wait before the first retry of a failed delivery; it doubles with every failure,
    /// up to an hour.
    pub delivery_retry: Duration,
    /// How long work in flight may finish after SIGTERM or SIGINT.
    pub shutdown_grace: Duration,
    /// Articles fetched longer ago are pruned, with their matches.
    pub retention: Duration,
    /// Alerts raised longer ago are pruned, with their deliveries (and stories left empty).
    pub alert_retention: Duration,
    /// Where `/metrics` and `/healthz` are served; off when absent.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// The desk's time zone: digests align on its days and hours, and feeds default to it.
    pub timezone: chrono_tz::Tz,
}

/// `[[feed]]`: one outlet's feed.
#[derive(Debug, Clone)]
pub struct Feed {
    pub url: Url,
    /// The outlet's name: the config's `outlet`, else the host name until the feed's own
    /// title is known (see [`Feed::outlet_titled`]).
    pub outlet: String,
    /// Whether the config names the outlet: the feed's own title then never replaces it.
    pub outlet_configured: bool,
    /// The desk's grouping of the feed (`category`), kept from OPML and written back to it.
    pub category: Option<String>,
    pub lang: Option<String>,
    pub schedule: FeedSchedule,
    pub scrape: bool,
    /// `[feed.extract]`: the outlet's own extraction rules.
    pub rules: Option<crate::extract::Rules>,
    /// The zone of the outlet's clocks: its dates without an offset are read on them.
    pub timezone: chrono_tz::Tz,
    /// `type`: what the URL serves.
    pub source: Source,
}

impl Feed {
    /// The outlet's name once the feed's own `title` is read: the config's name always wins,
    /// then the title, then the host name (a blank title names nothing).
    pub fn outlet_titled(&self, title: Option<&str>) -> String {
        if self.outlet_configured {
            return self.outlet.clone();
        }
        title
            .and_then(outlet_title)
            .unwrap_or_else(|| host_name(&self.url))
    }
}

/// A feed's own title as an outlet's name, `None` when blank: the title is the feed's, not
/// ours, so it is made one line and short enough for an alert's header.
pub fn outlet_title(title: &str) -> Option<String> {
    let words: Vec<&str> = title.split_whitespace().take(MAX_TITLE_WORDS).collect();
    (!words.is_empty()).then(|| words.join(" ").chars().take(MAX_TITLE_CHARS).collect())
}

/// Bounds on a feed title taken as the outlet's name.
const MAX_TITLE_WORDS: usize = 24;
const MAX_TITLE_CHARS: usize = 120;

/// The name an outlet goes by when neither the config nor the feed names it.
fn host_name(url: &Url) -> String {
    url.host_str()
        .unwrap_or_default()
        .trim_start_matches("www.")
        .to_string()
}

/// How often a feed is polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSchedule {
    /// A fixed interval from the config, or `None` to adapt to how often the feed publishes.
    pub fixed: Option<Duration>,
    /// The interval before anything is known about the feed.
    pub initial: Duration,
    /// Bounds of the adaptive interval.
    pub min: Duration,
    pub max: Duration,
}

/// The first of the directories systemd lists in `var` (colon-separated), if set.
fn first_directory(var: &str) -> Option<PathBuf> {
    let value = std::env::var_os(var)?;
    let first = value.to_string_lossy().split(':').next()?.to_string();
    (!first.is_empty()).then(|| PathBuf::from(first))
}

fn state_directory() -> Option<PathBuf> {
    first_directory("STATE_DIRECTORY")
}

/// One thing wrong with a config file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", render_problems(.path, .problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names the software and what it does; operators add a contact with `daemon.user_agent`.
const DEFAULT_USER_AGENT: &str = concat!(
    "raqib/",
    env!("CARGO_PKG_VERSION"),
    " (news monitoring; feed reader)"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    daemon: RawDaemon,
    #[serde(default)]
    feed: Vec<Spanned<RawFeed>>,
    #[serde(default)]
    watch: Vec<Spanned<RawWatch>>,
    #[serde(default)]
    sink: Vec<Spanned<RawSink>>,
    http: Option<Spanned<RawHttp>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDaemon {
    database: Option<Spanned<String>>,
    database_password_env: Option<Spanned<String>>,
    database_password_file: Option<Spanned<String>>,
    lease: Option<Spanned<String>>,
    poll_interval: Option<Spanned<String>>,
    alert_max_age: Option<Spanned<String>>,
    allow_private_networks: Option<bool>,
    user_agent: Option<String>,
    fetch_timeout: Option<Spanned<String>>,
    max_body_bytes: Option<Spanned<u64>>,
    concurrency: Option<Spanned<u64>>,
    per_host_concurrency: Option<Spanned<u64>>,
    politeness_delay: Option<Spanned<String>>,
    respect_robots_txt: Option<bool>,
    stale_after: Option<Spanned<String>>,
    min_interval: Option<Spanned<String>>,
    max_interval: Option<Spanned<String>>,
    delivery_dead_after: Option<Spanned<String>>,
    delivery_retry: Option<Spanned<String>>,
    shutdown_grace: Option<Spanned<String>>,
    retention: Option<Spanned<String>>,
    alert_retention: Option<Spanned<String>>,
    metrics_listen: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: Spanned<String>,
    outlet: Option<String>,
    category: Option<String>,
    lang: Option<String>,
    interval: Option<Spanned<String>>,
    min_interval: Option<Spanned<String>>,
    max_interval: Option<Spanned<String>>,
    scrape: Option<bool>,
    extract: Option<RawRules>,
    timezone: Option<Spanned<String>>,
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    links: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    links_other_hosts: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    body: Vec<Spanned<String>>,
    #[serde(default)]
    remove: Vec<Spanned<String>>,
}

impl Config {
    /// Read and validate the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(path, &source)
    }

    /// Validate `source`, the text of the config file at `path`.
    pub fn from_toml(path: &Path, source: &str) -> Result<Config, ConfigError> {
        let mut check = Checker {
            source,
            problems: Vec::new(),
            state: state_directory(),
        };
        let raw: RawConfig = match toml::from_str(source) {
            Ok(raw) => raw,
            Err(err) => {
                let span = err.span().unwrap_or(0..0);
                check.problem(span.start, err.message().trim_end().to_string());
                return Err(check.into_error(path));
            }
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let config = check.config(path, base, raw);
        if check.problems.is_empty() {
            Ok(config)
        } else {
            Err(check.into_error(path))
        }
    }

    /// The config file raqib reads when `--config` is not given: `config.toml` in systemd's
    /// `$CONFIGURATION_DIRECTORY` when set, else in the working directory.
    pub fn default_path() -> PathBuf {
        first_directory("CONFIGURATION_DIRECTORY")
            .unwrap_or_default()
            .join("config.toml")
    }

    /// The sinks a watch delivers to.
    pub fn sinks_of<'a>(&'a self, watch: &'a Watch) -> impl Iterator<Item = &'a Sink> + 'a {
        self.sinks
            .iter()
            .filter(|sink| watch.sinks.contains(&sink.name))
    }
}

struct Checker<'s> {
    source: &'s str,
    problems: Vec<Problem>,
    /// Where relative paths of files raqib writes (the database, JSONL sinks) resolve:
    /// systemd's `$STATE_DIRECTORY` when set, else the config file's directory.
    state: Option<PathBuf>,
}

impl Checker<'_> {
    fn problem(&mut self, offset: usize, message: impl fmt::Display) {
        let (line, column) = line_column(self.source, offset);
        self.problems.push(Problem {
            line,
            column,
            message: message.to_string(),
        });
    }

    /// The trimmed name of a `[[watch]]` or `[[sink]]` (`what`), unless it is empty or one of
    /// `taken`: then the problem is noted and the section skipped.
    fn unique_name<'n>(
        &mut self,
        what: &str,
        name: &Spanned<String>,
        mut taken: impl Iterator<Item = &'n str>,
    ) -> Option<String> {
        let trimmed = name.get_ref().trim();
        if trimmed.is_empty() {
            self.problem(name.span().start, format!("{what} name must not be empty"));
            return None;
        }
        if taken.any(|other| other == trimmed) {
            self.problem(
                name.span().start,
                format!("{what} {trimmed:?} is defined twice"),
            );
            return None;
        }
        Some(trimmed.to_string())
    }

    fn into_error(mut self, path: &Path) -> ConfigError {
        self.problems.sort_by_key(|p| (p.line, p.column));
        ConfigError::Invalid {
            path: path.to_path_buf(),
            problems: self.problems,
        }
    }

    /// A file raqib writes: relative to `$STATE_DIRECTORY` under systemd.
    fn state_path(&mut self, base: &Path, value: &Spanned<String>, what: &str) -> PathBuf {
        let base = self.state.clone().unwrap_or_else(|| base.to_path_buf());
        self.path(&base, value, what)
    }

    fn path(&mut self, base: &Path, value: &Spanned<String>, what: &str) -> PathBuf {
        if value.get_ref().trim().is_empty() {
            self.problem(value.span().start, format!("{what} must not be empty"));
        }
        base.join(value.get_ref())
    }

    fn config(&mut self, path: &Path, base: &Path, raw: RawConfig) -> Config {
        let daemon = self.daemon(base, raw.daemon);
        let feeds = raw
            .feed
            .into_iter()
            .filter_map(|feed| self.feed(feed, &daemon))
            .collect::<Vec<_>>();
        let mut seen_urls = HashSet::new();
        for feed in &feeds {
            if !seen_urls.insert(feed.url.as_str()) {
                // Duplicates are rare enough that the first position is precise enough.
                let offset = self.source.find(feed.url.as_str()).unwrap_or(0);
                self.problem(offset, format!("feed {} is listed twice", feed.url));
            }
        }
        let sinks = self.sinks(base, raw.sink);
        let watches = self.watches(raw.watch, &sinks, daemon.timezone);
        self.digest_periods(&daemon, &watches);
        let http = self.http(base, raw.http);
        Config {
            path: path.to_path_buf(),
            daemon,
            feeds,
            watches,
            sinks,
            http,
        }
    }

    /// An alert of a digest watch waits up to a whole period before its first attempt: a period
    /// as long as `delivery_dead_after` leaves it no time to be retried in.
    fn digest_periods(&mut self, daemon: &Daemon, watches: &[Watch]) {
        for watch in watches {
            let AlertPolicy::Digest { every, .. } = watch.alert else {
                continue;
            };
            if every < daemon.delivery_dead_after {
                continue;
            }
            // Watches keep no positions: the first `digest_every` after the watch's name.
            let named = self.source.find(&format!("{:?}", watch.name));
            let offset = named.map_or(0, |at| {
                self.source[at..]
                    .find("digest_every")
                    .map_or(at, |key| at + key)
            });
            let sinks: Vec<String> = watch.sinks.iter().map(|s| format!("sink {s:?}")).collect();
            self.problem(
                offset,
                format!(
                    "watch {:?} ({}): digest_every ({}) must be shorter than daemon.delivery_dead_after ({}), or its alerts would wait for their digest longer than a delivery is retried",
                    watch.name,
                    sinks.join(", "),
                    humantime::format_duration(every),
                    humantime::format_duration(daemon.delivery_dead_after),
                ),
            );
        }
    }

    fn daemon(&mut self, base: &Path, raw: RawDaemon) -> Daemon {
        let database = self.database(
            base,
            RawDatabase {
                database: raw.database.as_ref(),
                password_env: raw.database_password_env.as_ref(),
                password_file: raw.database_password_file.as_ref(),
            },
        );
        let max_body_bytes = raw.max_body_bytes.as_ref().map_or(15 * 1024 * 1024, |v| {
            self.count(v, "daemon.max_body_bytes", bounds::MAX_BODY_BYTES) as usize
        });
        let (min_interval, max_interval) = self.interval_bounds(
            raw.min_interval.as_ref(),
            raw.max_interval.as_ref(),
            (Duration::from_secs(5 * 60), Duration::from_secs(3600)),
            "daemon.",
        );
        let per_host_concurrency = raw.per_host_concurrency.as_ref().map_or(2, |v| {
            self.count(v, "daemon.per_host_concurrency", (1, 64)) as usize
        });
        let concurrency = raw.concurrency.as_ref().map_or(8, |v| {
            self.count(v, "daemon.concurrency", (1, 256)) as usize
        });
        Daemon {
            timezone: self.zone(
                raw.timezone.as_ref(),
                "daemon.timezone",
                chrono_tz::Tz::UTC,
            ),
            database,
            lease: self.duration(
                raw.lease.as_ref(),
                "daemon.lease",
                DEFAULT_LEASE,
                bounds::LEASE,
            ),
            poll_interval: self.duration(
                raw.poll_interval.as_ref(),
                "daemon.poll_interval",
                Duration::from_secs(15 * 60),
                bounds::INTERVAL,
            ),
            alert_max_age: self.duration(
                raw.alert_max_age.as_ref(),
                "daemon.alert_max_age",
                Duration::from_secs(7 * 86_400),
                bounds::ALERT_MAX_AGE,
            ),
            delivery_dead_after: self.duration(
                raw.delivery_dead_after.as_ref(),
                "daemon.delivery_dead_after",
                DEFAULT_DELIVERY_DEAD_AFTER,
                bounds::DELIVERY_DEAD_AFTER,
            ),
            delivery_retry: self.duration(
                raw.delivery_retry.as_ref(),
                "daemon.delivery_retry",
                Duration::from_secs(30),
                bounds::DELIVERY_RETRY,
            ),
            shutdown_grace: self.duration(
                raw.shutdown_grace.as_ref(),
                "daemon.shutdown_grace",
                Duration::from_secs(10),
                bounds::SHUTDOWN_GRACE,
            ),
            retention: self.duration(
                raw.retention.as_ref(),
                "daemon.retention",
                Duration::from_secs(365 * 86_400),
                bounds::RETENTION,
            ),
            alert_retention: self.duration(
                raw.alert_retention.as_ref(),
                "daemon.alert_retention",
                Duration::from_secs(730 * 86_400),
                bounds::RETENTION,
            ),
            metrics_listen: raw.metrics_listen.as_ref().and_then(|listen| {
                match listen.get_ref().parse() {
                    Ok(addr) => Some(addr),
                    Err(_) => {
                        self.problem(
                            listen.span().start,
                            format!(
                                "daemon.metrics_listen {:?} is not an address and port; write e.g. \"127.0.0.1:9464\"",
                                listen.get_ref()
                            ),
                        );
                        None
                    }
                }
            }),
            allow_private_networks: raw.allow_private_networks.unwrap_or(false),
            user_agent: raw
                .user_agent
                .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
            fetch_timeout: self.duration(
                raw.fetch_timeout.as_ref(),
                "daemon.fetch_timeout",
                Duration::from_secs(30),
                bounds::TIMEOUT,
            ),
            max_body_bytes,
            concurrency,
            per_host_concurrency,
            politeness_delay: self.duration(
                raw.politeness_delay.as_ref(),
                "daemon.politeness_delay",
                Duration::from_secs(1),
                bounds::POLITENESS_DELAY,
            ),
            respect_robots_txt: raw.respect_robots_txt.unwrap_or(true),
            min_interval,
            max_interval,
            stale_after: self.duration(
                raw.stale_after.as_ref(),
                "daemon.stale_after",
                Duration::from_secs(7 * 86_400),
                bounds::STALE_AFTER,
            ),
        }
    }

    /// The bounds `[min, max]` of an adaptive interval, checked to be in order.
    fn interval_bounds(
        &mut self,
        min: Option<&Spanned<String>>,
        max: Option<&Spanned<String>>,
        defaults: (Duration, Duration),
        scope: &str,
    ) -> (Duration, Duration) {
        let lo = self.duration(
            min,
            &format!("{scope}min_interval"),
            defaults.0,
            bounds::INTERVAL,
        );
        let hi = self.duration(
            max,
            &format!("{scope}max_interval"),
            defaults.1,
            bounds::INTERVAL,
        );
        if lo > hi {
            let at = max.or(min).map_or(0, |v| v.span().start);
            self.problem(
                at,
                format!("{scope}min_interval is longer than {scope}max_interval"),
            );
            return defaults;
        }
        (lo, hi)
    }

    fn feed(&mut self, raw: Spanned<RawFeed>, daemon: &Daemon) -> Option<Feed> {
        let raw = raw.into_inner();
        let url = match Url::parse(raw.url.get_ref()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => url,
            Ok(url) => {
                self.problem(
                    raw.url.span().start,
                    format!("feed url {url} must be http or https"),
                );
                return None;
            }
            Err(err) => {
                self.problem(
                    raw.url.span().start,
                    format!("feed url {:?} is not a valid URL: {err}", raw.url.get_ref()),
                );
                return None;
            }
        };
        let source = self.source(&raw, &format!("feed {:?} ", url.as_str()));
        let configured = raw.outlet.filter(|o| !o.trim().is_empty());
        let outlet_configured = configured.is_some();
        let outlet = configured.unwrap_or_else(|| host_name(&url));
        let category = raw
            .category
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        let scope = format!("feed {:?} ", url.as_str());
        let (min, max) = self.interval_bounds(
            raw.min_interval.as_ref(),
            raw.max_interval.as_ref(),
            (daemon.min_interval, daemon.max_interval),
            &scope,
        );
        let rules = raw.extract.as_ref().and_then(|rules| self.rules(rules));
        let timezone = self.zone(
            raw.timezone.as_ref(),
            &format!("{scope}timezone"),
            daemon.timezone,
        );
        Some(Feed {
            schedule: FeedSchedule {
                fixed: raw.interval.as_ref().map(|i| {
                    self.duration(
                        Some(i),
                        &format!("{scope}interval"),
                        daemon.poll_interval,
                        bounds::INTERVAL,
                    )
                }),
                initial: daemon.poll_interval,
                min,
                max,
            },
            url,
            outlet,
            outlet_configured,
            category,
            lang: raw.lang,
            scrape: raw.scrape.unwrap_or(true),
            rules,
            timezone,
            source,
        })
    }

    /// Compile a feed's `[feed.extract]`, reporting every selector that does not parse.
    fn rules(&mut self, raw: &RawRules) -> Option<crate::extract::Rules> {
        let mut valid = true;
        for selector in raw.body.iter().chain(&raw.remove) {
            if let Err(err) = crate::extract::selector(selector.get_ref()) {
                self.problem(selector.span().start, format!("feed extract rule: {err}"));
                valid = false;
            }
        }
        let texts =
            |list: &[Spanned<String>]| list.iter().map(|s| s.get_ref().clone()).collect::<Vec<_>>();
        valid
            .then(|| crate::extract::Rules::new(&texts(&raw.body), &texts(&raw.remove)).ok())
            .flatten()
    }
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config as if read from `/etc/raqib/config.toml`; shared with the submodules' tests.
    pub(super) fn load(source: &str) -> Result<Config, ConfigError> {
        Config::from_toml(Path::new("/etc/raqib/config.toml"), source)
    }

    /// The problems of a config that must not load.
    pub(super) fn problems(source: &str) -> Vec<Problem> {
        match load(source) {
            Err(ConfigError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    const VALID: &str = r#"
[daemon]
database = "raqib.db"
poll_interval = "15m"
alert_max_age = "7d"

[[feed]]
url = "https://www.hespress.com/feed"
lang = "ar"
interval = "5m"

[[feed]]
url = "https://fr.le360.ma/rss"
outlet = "Le360"
scrape = false

[[watch]]
name = "hammouchi"
aliases = ["عبد اللطيف حموشي", "Hammouchi"]
severity = "high"
sinks = ["alerts-file"]

[[watch]]
name = "dgsn"
aliases = ["DGSN"]

[[sink]]
name = "alerts-file"
type = "jsonl"
path = "alerts.jsonl"

[[sink]]
name = "journal"
type = "log"
"#;

    #[test]
    fn the_feed_title_names_the_outlet_unless_the_config_does() {
        let config = load(&format!(
            "{VALID}\n[[feed]]\nurl = \"https://www.alyaoum24.com/feed\"\ncategory = \" Maroc \"\n"
        ))
        .unwrap();
        let (hespress, le360, alyaoum) = (&config.feeds[0], &config.feeds[1], &config.feeds[2]);
        assert_eq!(
            hespress.outlet_titled(Some(" هسبريس \n جريدة ")),
            "هسبريس جريدة"
        );
        assert_eq!(hespress.outlet_titled(Some(" \t\n")), "hespress.com");
        assert_eq!(hespress.outlet_titled(None), "hespress.com");
        assert_eq!(le360.outlet_titled(Some("Le360 - Actualité")), "Le360");
        assert_eq!(
            hespress
                .outlet_titled(Some(&"x".repeat(10_000)))
                .chars()
                .count(),
            MAX_TITLE_CHARS
        );
        assert_eq!(alyaoum.category.as_deref(), Some("Maroc"));
        assert_eq!(hespress.category, None);
    }

    #[test]
    fn a_valid_file_gets_defaults_and_resolved_paths() {
        let config = load(VALID).unwrap();
        assert_eq!(
            config.daemon.database,
            Database::Sqlite("/etc/raqib/raqib.db".into())
        );
        assert_eq!(config.daemon.lease, DEFAULT_LEASE);
        assert_eq!(config.daemon.alert_max_age, Duration::from_secs(7 * 86_400));
        assert!(!config.daemon.allow_private_networks);
        assert_eq!(config.feeds[0].outlet, "hespress.com");
        assert_eq!(
            config.feeds[0].schedule.fixed,
            Some(Duration::from_secs(300))
        );
        assert_eq!(config.feeds[1].schedule.fixed, None);
        assert_eq!(config.feeds[1].schedule.initial, Duration::from_secs(900));
        assert_eq!(
            (config.feeds[1].schedule.min, config.feeds[1].schedule.max),
            (Duration::from_secs(300), Duration::from_secs(3600))
        );
        assert_eq!(config.daemon.politeness_delay, Duration::from_secs(1));
        assert!(config.daemon.respect_robots_txt);
        assert!(config.feeds[0].scrape && !config.feeds[1].scrape);
        assert_eq!(config.watches[0].severity, Severity::High);
        assert_eq!(config.watches[1].sinks, vec!["alerts-file", "journal"]);
        assert_eq!(
            config.sinks[0].kind,
            SinkKind::Jsonl {
                path: PathBuf::from("/etc/raqib/alerts.jsonl")
            }
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let found = problems("[daemon]\npoll_intervall = \"5m\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (2, 1));
        assert!(
            found[0].message.contains("poll_intervall"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn every_semantic_problem_is_reported_with_its_position() {
        let source = r#"[daemon]
poll_interval = "soon"

[[feed]]
url = "ftp://example.com/feed"

[[watch]]
name = "x"
aliases = ["X"]
sinks = ["nowhere"]

[[sink]]
name = "s"
type = "pigeon"
"#;
        let found = problems(source);
        let lines: Vec<usize> = found.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 5, 10, 14], "{found:?}");
        assert!(found[0].message.contains("not a duration"));
        assert!(found[1].message.contains("http or https"));
        assert!(found[2].message.contains("nowhere"));
        assert!(found[3].message.contains("pigeon"));
    }

    #[test]
    fn the_error_renders_as_file_line_column() {
        let err = load("[[watch]]\nname = \"a\"\naliases = []\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/etc/raqib/config.toml:1:1: watch \"a\" has neither aliases nor a query; add aliases = [\"…\"] or query = '…'"
        );
    }

    #[test]
    fn outlet_rules_are_compiled_and_bad_selectors_located() {
        let config = load("[[feed]]\nurl = \"https://x.ma/feed\"\n[feed.extract]\nbody = [\"div.entry-content\"]\nremove = [\".share\"]\n").unwrap();
        assert!(config.feeds[0].rules.as_ref().is_some_and(|r| r.has_body()));
        let found = problems(
            "[[feed]]\nurl = \"https://x.ma/feed\"\n[feed.extract]\nbody = [\"div..x\"]\n",
        );
        assert_eq!((found[0].line, found[0].column), (4, 9));
        assert!(found[0].message.contains("div..x"), "{}", found[0].message);
    }

    #[test]
    fn watch_and_sink_names_must_be_given_and_unique() {
        let found = problems(
            "[[watch]]\nname = \" \"\naliases = [\"x\"]\n\
             [[watch]]\nname = \"a\"\naliases = [\"x\"]\n\
             [[watch]]\nname = \"a \"\naliases = [\"y\"]\n\
             [[sink]]\nname = \"\"\ntype = \"log\"\n\
             [[sink]]\nname = \"s\"\ntype = \"log\"\n\
             [[sink]]\nname = \"s\"\ntype = \"log\"\n",
        );
        let found: Vec<(usize, &str)> =
            found.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (2, "watch name must not be empty"),
                (8, "watch \"a\" is defined twice"),
                (11, "sink name must not be empty"),
                (17, "sink \"s\" is defined twice"),
            ]
        );
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\nحموشي = 1", 3 + "حموشي ".len()), (2, 7));
    }
}
