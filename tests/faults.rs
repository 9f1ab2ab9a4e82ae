//! Faults around the daemon, with the real binary and servers on 127.0.0.1: a full disk, the
//! database locked by another process, a name that does not resolve, a sink that is down for a
//! while, a feed whose bytes change on every request, a feed of 10,000 items and a 50 MB page.
//! Each asserts what raqib does about it, that it keeps running, and that nothing stored is
//! lost; the memory ones read the daemon's peak resident set.
//!
//! The disk-full and DNS tests need Linux namespaces (`unshare`): a tmpfs of a few megabytes
//! mounted for the daemon alone, a network namespace without any interface. Where the machine
//! forbids them they fail under `CI=true` and elsewhere print `skipped:` and pass.

mod common;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::daemon::{Guard, free_addr, http_get, peak_rss_mib, stop, wait_for};
use common::outlet::{FEEDS, Outlet};
use common::receiver::Receiver;
use common::skip;
use common::{Resource, Server, write_config};

const DAEMON: &str =
    "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n";

/// The outlet's feeds, polled every second.
fn feeds(outlet: &Outlet) -> String {
    (0..FEEDS)
        .map(|f| {
            format!(
                "[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n",
                outlet.feed_url(f)
            )
        })
        .collect()
}

const WATCH: &str = "[[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n";

fn start(config: &Path, log: &Path) -> Child {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or(-1)
}

fn integrity(db: &Path) -> String {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
        .unwrap_or_else(|e| e.to_string())
}

fn read(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Whether this machine lets an unprivileged process have its own user and `kind` namespaces.
fn namespaces(kind: &str) -> bool {
    let usable = Command::new("unshare")
        .args(["--user", "--map-root-user", kind, "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        skip::unavailable(
            &format!("a test in a {kind} namespace"),
            &format!("`unshare --user {kind}` fails here (not installed, or namespaces refused)"),
        );
    }
    usable
}

/// The daemon on a tmpfs of its own mount namespace, and the shell that mounted it.
struct OnTmpfs {
    shell: Guard,
    pid_file: PathBuf,
}

impl OnTmpfs {
    /// Mount a tmpfs of `size` on `data` in a new mount namespace and run the daemon there.
    /// Once it exits, its exit code goes to `dir/raqib.exit` and its database files are copied
    /// to `dir/copy`, for the test to check: SQLite resolves /proc/<pid>/root as a symbolic
    /// link, so it cannot open them inside the namespace from outside.
    fn start(size: &str, data: &Path, config: &Path, log: &Path, dir: &Path) -> OnTmpfs {
        std::fs::create_dir_all(dir.join("copy")).unwrap();
        let shell = Guard::new(
            Command::new("unshare")
                .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
                .arg(
                    "mount -t tmpfs -o size=\"$1\" tmpfs \"$2\" || exit 97
                     \"$3\" --config \"$4\" run 2>>\"$5\" & echo $! > \"$6/raqib.pid\"
                     wait $!; code=$?
                     cp \"$2\"/raqib.db* \"$6/copy/\"; echo $code > \"$6/raqib.exit\"
                     exec sleep 600",
                )
                .arg("sh")
                .arg(size)
                .arg(data)
                .arg(env!("CARGO_BIN_EXE_raqib"))
                .args([config, log, dir])
                .spawn()
                .unwrap(),
        );
        OnTmpfs {
            shell,
            pid_file: dir.join("raqib.pid"),
        }
    }

    /// A path inside the tmpfs, as the test (outside the namespace) reaches it.
    fn inside(&self, data: &Path, name: &str) -> PathBuf {
        PathBuf::from(format!("/proc/{}/root", self.shell.id()))
            .join(data.strip_prefix("/").unwrap())
            .join(name)
    }

    fn signal(&self, name: &str) {
        let pid = std::fs::read_to_string(&self.pid_file).unwrap_or_default();
        if !pid.trim().is_empty() {
            let _ = Command::new("kill")
                .args([&format!("-{name}"), pid.trim()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for OnTmpfs {
    fn drop(&mut self) {
        // The daemon is the shell's child: killing the shell alone would leave it running.
        self.signal("KILL");
    }
}

fn metric(addr: &str, name: &str) -> Option<u64> {
    let (_, text) = http_get(addr, "/metrics");
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn a_full_disk_pauses_polls_and_resumes_when_space_returns() {
    if !namespaces("--mount") {
        return;
    }
    let mut outlet = Outlet::start();
    for _ in 0..2 {
        outlet.publish(Duration::ZERO);
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let addr = free_addr();
    let config = write_config(
        dir.path(),
        &format!(
            "{DAEMON}database = \"{}\"\nmetrics_listen = \"{addr}\"\n{}{WATCH}",
            data.join("raqib.db").display(),
            feeds(&outlet)
        ),
    );
    let log = dir.path().join("raqib.log");
    let daemon = OnTmpfs::start("24m", &data, &config, &log, dir.path());
    let stored = || metric(&addr, "raqib_articles_stored_total").unwrap_or(0);
    assert!(
        wait_for(Duration::from_secs(30), || stored() == 2),
        "{}",
        read(&log)
    );

    // Fill the file system, then publish articles too large for what is left.
    let ballast = daemon.inside(&data, "ballast");
    let mut file = std::fs::File::create(&ballast).unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    drop(file);
    for _ in 0..4 {
        outlet.publish_padded(Duration::ZERO, 300_000);
    }
    let paused = wait_for(Duration::from_secs(30), || {
        read(&log).contains("disk is full: polls and deliveries paused")
    });
    assert!(paused, "{}", read(&log));
    let feed_hits = |outlet: &Outlet| -> usize {
        (0..FEEDS)
            .map(|f| outlet.server.hits(&format!("/feed/{f}.xml")))
            .sum()
    };
    let hits = feed_hits(&outlet);
    // That no poll happens while the disk is full can only be seen over time: four of the
    // feeds' 1 s intervals.
    std::thread::sleep(Duration::from_secs(4));
    let polls_while_full = feed_hits(&outlet) - hits;
    let health_while_full = http_get(&addr, "/healthz");
    let stored_while_full = stored();

    // Space returns: the probe sees it, polls resume, the articles arrive.
    std::fs::remove_file(&ballast).unwrap();
    let resumed = wait_for(Duration::from_secs(60), || stored() == 6);
    let log_text = read(&log);
    daemon.signal("TERM");
    let exit_file = dir.path().join("raqib.exit");
    assert!(wait_for(Duration::from_secs(20), || exit_file.exists()));
    let exit = std::fs::read_to_string(&exit_file).unwrap();
    let copy = dir.path().join("copy/raqib.db");

    assert!(
        polls_while_full <= 1,
        "{polls_while_full} feed polls while the disk was full"
    );
    assert_eq!(stored_while_full, 2);
    assert_eq!(health_while_full.0, 503, "{health_while_full:?}");
    assert!(resumed, "{log_text}");
    assert!(
        log_text.contains("takes writes again: polls and deliveries resumed"),
        "{log_text}"
    );
    assert!(!log_text.contains("panicked"), "{log_text}");
    assert_eq!(exit.trim(), "0", "{log_text}");
    assert_eq!(integrity(&copy), "ok");
    assert_eq!(
        count(&copy, "SELECT count(*) FROM article"),
        6,
        "nothing lost"
    );
}

#[test]
fn a_database_locked_by_another_process_delays_work_and_loses_nothing() {
    let mut outlet = Outlet::start();
    for _ in 0..4 {
        outlet.publish(Duration::ZERO);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &format!("{DAEMON}{}{WATCH}", feeds(&outlet)));
    let (db, log) = (dir.path().join("raqib.db"), dir.path().join("raqib.log"));
    let child = Guard::new(start(&config, &log));
    assert!(wait_for(Duration::from_secs(30), || count(
        &db,
        "SELECT count(*) FROM article"
    ) == 4));

    // Another process holds the write lock while the outlet publishes, until the daemon has
    // met it.
    let locks_met = || read(&log).matches("database is locked").count();
    let before = locks_met();
    let locker = rusqlite::Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    for _ in 0..4 {
        outlet.publish(Duration::ZERO);
    }
    let met_the_lock = wait_for(Duration::from_secs(60), || locks_met() > before);
    let during = locker
        .query_row("SELECT count(*) FROM article", [], |r| r.get::<_, i64>(0))
        .unwrap();
    locker.execute_batch("COMMIT").unwrap();
    drop(locker);
    let caught_up = wait_for(Duration::from_secs(60), || {
        count(&db, "SELECT count(*) FROM article") == 8
    });
    let alerts_delivered = count(
        &db,
        "SELECT count(*) FROM delivery WHERE state = 'delivered'",
    );
    let still_running = stop(child.release());
    let log_text = read(&log);

    assert!(met_the_lock, "{log_text}{still_running}");
    assert_eq!(during, 4, "nothing written under another process's lock");
    assert!(caught_up, "{log_text}{still_running}");
    assert!(log_text.contains("database is locked"), "{log_text}");
    assert_eq!(alerts_delivered, 0, "no sink configured, no delivery rows");
    assert_eq!(integrity(&db), "ok");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (SELECT url FROM article GROUP BY url HAVING count(*) > 1)"
        ),
        0
    );
    assert!(!log_text.contains("panicked"), "{log_text}");
}

#[test]
fn a_name_that_does_not_resolve_is_a_dns_error_of_its_feed() {
    // A network namespace has no interface but a loopback that is down: the lookup fails
    // at once, and no query leaves the machine.
    if !namespaces("--net") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[daemon]\n[[feed]]\nurl = \"https://outlet.example.invalid/feed\"\n",
    );
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net"])
        .arg(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run", "--once"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "nothing could be polled: {log}"
    );
    assert!(
        log.contains("https://outlet.example.invalid/feed: cannot resolve outlet.example.invalid"),
        "{log}"
    );
    assert!(log.contains("feeds_failed=1"), "{log}");
    let feeds = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "feeds"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&feeds.stdout);
    assert!(table.contains("failing"), "{table}");
    assert!(
        table.contains("last error: https://outlet.example.invalid/feed: cannot resolve"),
        "{table}"
    );
}

#[test]
fn a_sink_that_refuses_connections_for_a_while_gets_every_alert_afterwards() {
    let mut outlet = Outlet::start();
    for _ in 0..6 {
        outlet.publish(Duration::ZERO);
    }
    let expected = outlet.published.iter().filter(|p| p.alerts).count();
    // A port nobody listens on until the receiver starts there.
    let addr = free_addr();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "{DAEMON}{}{WATCH}[[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://{addr}/hook\"\n",
            feeds(&outlet)
        ),
    );
    let (db, log) = (dir.path().join("raqib.db"), dir.path().join("raqib.log"));
    let child = Guard::new(start(&config, &log));
    let refused = wait_for(Duration::from_secs(30), || {
        count(&db, "SELECT count(*) FROM alert") == expected as i64
            && read(&log).contains("will retry")
    });
    // The outage's length is what the test is about: the sink stays down 3 s more, through
    // retries at the 1 s `delivery_retry`.
    std::thread::sleep(Duration::from_secs(3));
    let receiver = Receiver::start_on(&addr, |_| 200);
    let delivered = wait_for(Duration::from_secs(60), || {
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'",
        ) == expected as i64
    });
    stop(child.release());
    let log_text = read(&log);

    assert!(refused, "{log_text}");
    assert!(delivered, "{log_text}");
    let ids: std::collections::BTreeSet<String> = receiver
        .received()
        .iter()
        .map(|r| r.headers["x-raqib-alert-id"].clone())
        .collect();
    assert_eq!(ids.len(), expected);
    assert_eq!(
        count(&db, "SELECT count(*) FROM delivery WHERE state = 'dead'"),
        0
    );
}

#[test]
fn a_feed_whose_bytes_change_on_every_request_stores_each_article_once() {
    let server = Server::start();
    let pages = 5;
    for n in 0..pages {
        server.put(
            &format!("/p/{n}.html"),
            Resource::new(
                "text/html",
                format!(
                    "<html><body><article><h1>Item {n}</h1><p>Hammouchi received delegation {n} \
                     today and discussed cooperation at length with its members.</p></article></body></html>"
                ),
            ),
        );
    }
    let base = server.base.clone();
    // A cache-busting build date, a comment and the item order change on every request.
    server.put_fn("/feed.xml", move |request| {
        let mut items: Vec<String> = (0..pages)
            .map(|n| {
                format!(
                    "<item><title>Item {n}</title><link>{base}/p/{n}.html</link><guid>item-{n}</guid></item>"
                )
            })
            .collect();
        items.rotate_left(request % pages);
        Resource::new(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>t</title><lastBuildDate>Mon, 01 Dec 2025 10:00:{:02} GMT</lastBuildDate>\
                 <!-- request {request} -->{}</channel></rss>",
                request % 60,
                items.concat()
            ),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "{DAEMON}[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n{WATCH}",
            server.url("/feed.xml")
        ),
    );
    let (db, log) = (dir.path().join("raqib.db"), dir.path().join("raqib.log"));
    let child = Guard::new(start(&config, &log));
    let polled = wait_for(Duration::from_secs(30), || server.hits("/feed.xml") >= 5);
    stop(child.release());
    let log_text = read(&log);

    assert!(polled, "{log_text}");
    assert_eq!(count(&db, "SELECT count(*) FROM article"), pages as i64);
    assert_eq!(count(&db, "SELECT count(*) FROM alert"), pages as i64);
    for n in 0..pages {
        assert_eq!(
            server.hits(&format!("/p/{n}.html")),
            1,
            "page {n} fetched once"
        );
    }
    assert!(!log_text.contains("WARN"), "{log_text}");
}

#[test]
fn a_feed_of_10000_items_is_read_whole_in_bounded_memory() {
    let server = Server::start();
    let items: String = (0..10_000)
        .map(|n| {
            format!(
                "<item><title>Dispatch {n}: {}</title><guid>d-{n}</guid>\
                 <description>Report number {n} on the regional security meeting held on day {n} with the delegations.</description></item>",
                if n % 1000 == 0 { "Hammouchi" } else { "weather" }
            )
        })
        .collect();
    let feed = format!("<rss version=\"2.0\"><channel><title>big</title>{items}</channel></rss>");
    let feed_bytes = feed.len();
    server.put("/big.xml", Resource::new("application/rss+xml", feed));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "{DAEMON}[[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n{WATCH}",
            server.url("/big.xml")
        ),
    );
    let (db, log) = (dir.path().join("raqib.db"), dir.path().join("raqib.log"));
    let child = Guard::new(start(&config, &log));
    let pid = child.id();
    let stored = wait_for(Duration::from_secs(300), || {
        count(&db, "SELECT count(*) FROM article") == 10_000
    });
    let peak = peak_rss_mib(pid).unwrap_or(0);
    stop(child.release());
    let log_text = read(&log);

    assert!(
        stored,
        "{}",
        &log_text[log_text.len().saturating_sub(3000)..]
    );
    assert_eq!(count(&db, "SELECT count(*) FROM alert"), 10);
    eprintln!("10,000-item feed ({feed_bytes} bytes): peak RSS {peak} MiB");
    assert!(peak < 200, "peak RSS {peak} MiB");
    assert!(log_text.contains("entries=10000 new=10000"), "{log_text}");
}

#[test]
fn a_50_mb_page_is_cut_at_the_size_limit_and_the_summary_kept() {
    let server = Server::start();
    let paragraph = "<p>Hammouchi padding paragraph for a page far larger than any article.</p>\n";
    let page = format!(
        "<html><body><article>{}</article></body></html>",
        paragraph.repeat(50 * 1024 * 1024 / paragraph.len())
    );
    server.put("/huge.html", Resource::new("text/html", page));
    server.put(
        "/feed.xml",
        Resource::new(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>t</title><item><title>Huge</title>\
                 <link>{}</link><guid>huge</guid><description>Hammouchi in the summary.</description></item></channel></rss>",
                server.url("/huge.html")
            ),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "{DAEMON}[[feed]]\nurl = \"{}\"\ninterval = \"1h\"\n{WATCH}",
            server.url("/feed.xml")
        ),
    );
    let (db, log) = (dir.path().join("raqib.db"), dir.path().join("raqib.log"));
    let child = Guard::new(start(&config, &log));
    let pid = child.id();
    let stored = wait_for(Duration::from_secs(60), || {
        count(&db, "SELECT count(*) FROM article") == 1
    });
    let peak = peak_rss_mib(pid).unwrap_or(0);
    stop(child.release());
    let log_text = read(&log);

    assert!(stored, "{log_text}");
    assert!(
        log_text.contains("/huge.html: body larger than 15728640 bytes"),
        "{log_text}"
    );
    let body: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT body FROM article", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "Hammouchi in the summary.");
    assert_eq!(count(&db, "SELECT count(*) FROM alert"), 1);
    eprintln!("50 MB page: peak RSS {peak} MiB");
    assert!(peak < 120, "peak RSS {peak} MiB");
}
