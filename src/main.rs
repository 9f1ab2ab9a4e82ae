//! The `raqib` command line: parse arguments and dispatch to the commands in [`cli`]; map
//! errors to exit codes.

mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use cli::Format;
use raqib::config::Config;

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
    /// Show each configured feed's health: last success, errors, next poll, interval, staleness;
    /// or bring feeds in from OPML and out to it.
    Feeds {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(subcommand)]
        opml: Option<FeedsCommand>,
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
    /// Read an outlet's home page and propose ready [[feed]] blocks for its feeds and sitemaps
    /// (its <link rel="alternate"> feeds, the usual paths, its robots.txt's Sitemap: lines),
    /// each with how many entries it yielded and its newest date: exit 0, or 1 when none.
    Discover {
        /// The outlet's home page.
        url: url::Url,
    },
    /// Run the configured watches over a text file (or - for standard input): exit 0 when a
    /// watch fired, 1 when none did, 2 on error.
    Match(cli::text::MatchArgs),
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
    /// Search the stored articles with a watch query (its language: folding, clitics, phrases,
    /// `*`, AND/OR/NOT, NEAR/n, fields): exit 0 when an article matched, 1 when none did, 2 on
    /// error.
    Search(cli::search::SearchArgs),
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
    /// Copy the database to PATH, consistently, while the daemon runs (SQLite's online backup;
    /// on PostgreSQL, pg_dump's custom format, which pg_restore reads).
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
    /// Send a sample alert (Arabic and Latin text) through one configured sink and print what
    /// became of it: exit 0 when delivered, 1 when not, 2 when the sink is unknown or its
    /// secret unreadable.
    TestSink {
        /// The sink's name in the configuration.
        name: String,
    },
}

#[derive(Subcommand)]
enum FeedsCommand {
    /// Print `[[feed]]` blocks for the feeds of an OPML file (Miniflux, FreshRSS, Feedly,
    /// Inoreader…) that the config does not have yet, to append to it.
    Import {
        /// The OPML file.
        file: PathBuf,
    },
    /// Print the configured feeds as OPML 2.0, categories as parent outlines.
    Export,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let config = cli.config.unwrap_or_else(Config::default_path);
    let result = match cli.command {
        Command::Run { once } => cli::daemon::run(&config, once),
        Command::CheckConfig => cli::daemon::check_config(&config),
        Command::Feeds { format, opml: None } => cli::archive::feeds_command(&config, format),
        Command::Feeds {
            opml: Some(FeedsCommand::Import { file }),
            ..
        } => cli::opml::import_command(&config, &file),
        Command::Feeds {
            opml: Some(FeedsCommand::Export),
            ..
        } => cli::opml::export_command(&config),
        Command::Extract { url, format, input } => {
            cli::text::extract_command(&config, url, format, &input)
        }
        Command::Match(args) => cli::text::match_command(&config, &args),
        Command::Discover { url } => cli::discover::discover_command(&config, &url),
        Command::Rescan {
            watch,
            since,
            alert,
        } => cli::rescan::rescan_command(&config, &watch, since, alert),
        Command::Search(args) => cli::search::search_command(&config, &args),
        Command::Stories { since, format } => cli::archive::stories_command(&config, since, format),
        Command::Stats { format } => cli::archive::stats_command(&config, format),
        Command::Backup { path } => cli::archive::backup_command(&config, &path),
        Command::Alerts {
            since,
            watch,
            format,
        } => cli::archive::alerts_command(&config, since, watch.as_deref(), format),
        Command::TestSink { name } => cli::sink::test_sink_command(&config, &name),
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
