//! The `raqib` command line: parse arguments, call the library, map errors to exit codes.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use raqib::config::{Config, ConfigError};
use raqib::{daemon, extract, fetch, watch};

/// EX_CONFIG from sysexits.h: systemd's RestartPreventExitStatus keeps a bad config from
/// turning into a restart loop.
const EXIT_CONFIG: u8 = 78;
/// `check-config` on an invalid configuration: 2, as documented (and as a validator run from a
/// script expects), where `run` exits 78 for systemd.
const CHECK_INVALID: u8 = 2;

#[derive(Parser)]
#[command(
    name = "raqib",
    version,
    about = "News monitoring: polls feeds, extracts articles, matches watchlists, raises alerts"
)]
struct Cli {
    /// The configuration file [default: config.toml, in $CONFIGURATION_DIRECTORY when set].
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Log line format (logs go to standard error; filter with RUST_LOG, e.g. RUST_LOG=raqib=debug).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Compact)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Compact,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon until SIGTERM or SIGINT.
    Run {
        /// Poll every feed once, deliver the alerts, and exit.
        #[arg(long)]
        once: bool,
    },
    /// Check the configuration file: exit 0 when valid, 2 with every problem listed otherwise.
    CheckConfig,
    /// Show each configured feed's health: last success, errors, next poll, interval, staleness.
    Feeds {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Extract the article from a page (a file, a URL, or - for standard input).
    Extract {
        /// The page's address, to resolve links and read dates when the input is a file.
        #[arg(long)]
        url: Option<url::Url>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        input: String,
    },
    /// Run the configured watches over a text file (or - for standard input): exit 0 when a
    /// watch fired, 1 when none did, 2 on error.
    Match(MatchArgs),
    /// Run one watch over the articles already stored and record its matches; raise its alerts
    /// only with --alert. For a new or changed watch: see what it would have caught.
    Rescan {
        /// The watch's name in the configuration.
        #[arg(long)]
        watch: String,
        /// Only articles fetched within this long (e.g. 30d, 12h); all articles when absent.
        #[arg(long, value_parser = humantime::parse_duration)]
        since: Option<std::time::Duration>,
        /// Raise alerts (through the outbox, to the watch's sinks) for the articles it fires on.
        #[arg(long)]
        alert: bool,
    },
    /// List the stories that gained an article recently: first seen, outlets, article count,
    /// the first title, the watches hit.
    Stories {
        /// How far back (e.g. 24h, 7d).
        #[arg(long, value_parser = humantime::parse_duration, default_value = "24h")]
        since: std::time::Duration,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Totals, per-outlet counts, database size, oldest and newest article.
    Stats {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Copy the database to PATH, consistently, while the daemon runs (SQLite's online backup).
    Backup {
        /// The copy; must not exist yet.
        path: PathBuf,
    },
    /// List the alerts raised recently, who else reported their story, and their deliveries.
    Alerts {
        /// How far back (e.g. 24h, 7d).
        #[arg(long, value_parser = humantime::parse_duration, default_value = "24h")]
        since: std::time::Duration,
        /// Only this watch's alerts.
        #[arg(long)]
        watch: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(clap::Args)]
struct MatchArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The article's title, for `title:` in queries.
    #[arg(long, default_value = "")]
    title: String,
    /// The outlet name, for `outlet:` in queries.
    #[arg(long, default_value = "")]
    outlet: String,
    /// The language code, for `lang:` in queries (detected from the text when not given).
    #[arg(long)]
    lang: Option<String>,
    /// The article body: a text file, or - for standard input.
    input: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let config = cli.config.unwrap_or_else(Config::default_path);
    let result = match cli.command {
        Command::Run { once } => run(&config, once),
        Command::CheckConfig => check_config(&config),
        Command::Feeds { format } => feeds_command(&config, format),
        Command::Extract { url, format, input } => extract_command(&config, url, format, &input),
        Command::Match(args) => match_command(&config, &args),
        Command::Rescan {
            watch,
            since,
            alert,
        } => rescan_command(&config, &watch, since, alert),
        Command::Stories { since, format } => stories_command(&config, since, format),
        Command::Stats { format } => stats_command(&config, format),
        Command::Backup { path } => backup_command(&config, &path),
        Command::Alerts {
            since,
            watch,
            format,
        } => alerts_command(&config, since, watch.as_deref(), format),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("raqib: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logs(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        // journald stamps every line itself.
        LogFormat::Compact if std::env::var_os("JOURNAL_STREAM").is_some() => {
            builder.compact().without_time().init()
        }
        LogFormat::Compact => builder.compact().init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}

fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|err| {
        eprintln!("{err}");
        ExitCode::from(EXIT_CONFIG)
    })
}

/// Blocking threads (extraction, SQLite): a few per core keep both busy; tokio's default of
/// 512 let hundreds of writes each hold a thread, and its memory, while waiting for the one
/// writer.
const BLOCKING_THREADS: usize = 16;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn run(config_path: &Path, once: bool) -> anyhow::Result<ExitCode> {
    let config = match load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let runtime = runtime()?;
    if once {
        let feeds = config.feeds.len();
        let report = match runtime.block_on(daemon::run_once(config)) {
            Ok(report) => report,
            Err(err) => return daemon_failed(err),
        };
        tracing::info!(
            feeds_ok = report.feeds_ok,
            feeds_failed = report.feeds_failed,
            new_articles = report.new_articles,
            alerts = report.alerts,
            delivered = report.delivered,
            delivery_failures = report.delivery_failures,
            "run --once finished"
        );
        // Exit 1 only when nothing could be polled at all.
        return Ok(if feeds > 0 && report.feeds_ok == 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    match runtime.block_on(daemon::run(config, config_path.to_path_buf())) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(err) => daemon_failed(err),
    }
}

/// A sink that cannot be built (its secret unreadable) is a configuration problem: exit 78 so
/// that systemd does not restart into the same failure.
fn daemon_failed(err: daemon::DaemonError) -> anyhow::Result<ExitCode> {
    match err {
        daemon::DaemonError::Sink(err) => {
            eprintln!("raqib: {err}");
            Ok(ExitCode::from(EXIT_CONFIG))
        }
        other => Err(other.into()),
    }
}

fn check_config(path: &Path) -> anyhow::Result<ExitCode> {
    match Config::load(path) {
        Ok(config) => {
            if let Err(err) = watch::Watchlist::compile(&config.watches) {
                eprintln!("{}: {err}", path.display());
                return Ok(ExitCode::from(CHECK_INVALID));
            }
            // Secrets named by the config are read as the daemon will read them.
            let unreadable: Vec<String> = config
                .sinks
                .iter()
                .filter_map(|s| raqib::alert::sink::Sink::new(s).err())
                .map(|e| e.to_string())
                .collect();
            if !unreadable.is_empty() {
                for problem in unreadable {
                    eprintln!("{}: {problem}", path.display());
                }
                return Ok(ExitCode::from(CHECK_INVALID));
            }
            println!(
                "{}: ok ({} feeds, {} watches, {} sinks)",
                path.display(),
                config.feeds.len(),
                config.watches.len(),
                config.sinks.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ (ConfigError::Invalid { .. } | ConfigError::Read { .. })) => {
            eprintln!("{err}");
            Ok(ExitCode::from(CHECK_INVALID))
        }
    }
}

fn feeds_command(config_path: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(&config.daemon.database)?;
    let now = chrono::Utc::now();
    let urls: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
    let health = reader.feed_healths(&urls, now)?;
    let reports = raqib::health::feed_reports(&config, &health, now);
    match format {
        Format::Text => print!("{}", raqib::health::render_text(&reports, now)),
        Format::Json => {
            for report in &reports {
                println!("{}", serde_json::to_string(report)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The start of a `--since` period.
fn since(period: std::time::Duration) -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::Duration::from_std(period)
        .ok()
        .and_then(|p| now.checked_sub_signed(p))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}

fn print_json_lines<T: serde::Serialize>(items: &[T]) -> anyhow::Result<()> {
    for item in items {
        println!("{}", serde_json::to_string(item)?);
    }
    Ok(())
}

fn stories_command(
    config_path: &Path,
    period: std::time::Duration,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(&config.daemon.database)?;
    let stories = reader.stories_since(since(period))?;
    match format {
        Format::Text => print!("{}", raqib::listing::stories_text(&stories)),
        Format::Json => print_json_lines(&stories)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn stats_command(config_path: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(&config.daemon.database)?;
    let stats = reader.stats()?;
    match format {
        Format::Text => print!("{}", raqib::listing::stats_text(&stats)),
        Format::Json => println!("{}", serde_json::to_string(&stats)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn backup_command(config_path: &Path, to: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(&config.daemon.database)?;
    let started = std::time::Instant::now();
    reader.backup(to)?;
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!(
        "{} -> {} ({:.1} MB in {:.1} s)",
        config.daemon.database.display(),
        to.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn alerts_command(
    config_path: &Path,
    period: std::time::Duration,
    watch: Option<&str>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    if let Some(name) = watch.filter(|n| !config.watches.iter().any(|w| w.name == *n)) {
        // Alerts of a watch since removed from the config are still listed; say so.
        eprintln!(
            "raqib: note: no watch named {name:?} in {}",
            config_path.display()
        );
    }
    let reader = raqib::store::Reader::open(&config.daemon.database)?;
    let alerts = reader.alerts_since(since(period), watch)?;
    match format {
        Format::Text => print!("{}", raqib::listing::alerts_text(&alerts)),
        Format::Json => print_json_lines(&alerts)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_input(input: &str) -> anyhow::Result<Vec<u8>> {
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(input).with_context(|| format!("cannot read {input}"))
    }
}

fn extract_command(
    config_path: &Path,
    url: Option<url::Url>,
    format: Format,
    input: &str,
) -> anyhow::Result<ExitCode> {
    let (html, page_url) = match url::Url::parse(input)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    {
        Some(address) => {
            // Fetch with the configured policy when there is a config, the defaults otherwise.
            let config = if config_path.exists() {
                Config::load(config_path)?
            } else {
                Config::from_toml(config_path, "")?
            };
            let fetcher = fetch::Fetcher::new(&config.daemon)?;
            let outcome = runtime()?.block_on(fetcher.get(&address, None, chrono::Utc::now()))?;
            match outcome {
                fetch::Outcome::Fetched(document) => (document.text, Some(document.url)),
                fetch::Outcome::NotModified { .. } => bail!("{address}: unexpected 304"),
            }
        }
        None => {
            let bytes = read_input(input)?;
            let tld = url
                .as_ref()
                .and_then(|u| u.host_str())
                .and_then(|h| h.rsplit('.').next())
                .map(str::to_string);
            (fetch::charset::decode(&bytes, None, tld.as_deref()).0, url)
        }
    };
    let options = extract::Options {
        fetched_at: Some(chrono::Utc::now()),
        ..extract::Options::default()
    };
    let (article, _) = extract::extract_with(&html, page_url.as_ref(), &options)
        .with_context(|| input.to_string())?;
    match format {
        Format::Text => println!("{}", article.body),
        Format::Json => println!("{}", serde_json::to_string(&article)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn rescan_command(
    config_path: &Path,
    watch: &str,
    since: Option<std::time::Duration>,
    alert: bool,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let report = raqib::rescan::rescan(&config, watch, since, alert, chrono::Utc::now())?;
    println!(
        "watch {watch:?}: {} articles scanned, fired on {}, {} matches recorded, {} alerts raised",
        report.articles, report.matched, report.matches, report.alerts
    );
    Ok(ExitCode::SUCCESS)
}

fn match_command(config_path: &Path, article: &MatchArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let watchlist = watch::Watchlist::compile(&config.watches)?;
    let bytes = read_input(&article.input)?;
    let text = fetch::charset::decode(&bytes, None, None).0;
    let lang = article
        .lang
        .clone()
        .or_else(|| extract::detect_language(&text).map(str::to_string));
    let hits = watchlist.scan(&watch::Subject {
        title: &article.title,
        body: &text,
        outlet: &article.outlet,
        lang: lang.as_deref(),
    });
    for hit in &hits {
        let name = &config.watches[hit.watch].name;
        match article.format {
            Format::Json => {
                let matches: Vec<_> = hit
                    .matches
                    .iter()
                    .map(|m| serde_json::json!({"term": m.term, "text": m.text, "field": m.field, "start": m.start, "end": m.end, "snippet": m.snippet}))
                    .collect();
                println!("{}", serde_json::json!({"watch": name, "matches": matches}));
            }
            Format::Text => {
                for m in &hit.matches {
                    println!(
                        "{name}\t{} {}..{}\t{}\t{}\t{}",
                        m.field.as_str(),
                        m.start,
                        m.end,
                        m.term,
                        m.text,
                        m.snippet
                    );
                }
            }
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
