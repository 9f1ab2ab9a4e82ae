//! Failover on PostgreSQL: three `raqib run` share one database (`RAQIB_TEST_POSTGRES`, see
//! `support/postgres.rs`) while an outlet keeps publishing, and one of them is SIGKILLed at
//! seeded random moments, then while it delivers and while it polls. The others take its
//! feeds once its leases end and its deliveries once their claims end, and finish: every
//! article stored once, every alert delivered, a repeat only of an alert the killed process
//! was sending, under the same id.
//!
//! `RAQIB_TEST_SEED` replays a run: the test prints the seed it used.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use common::daemon::{Guard, run_logged, stop, wait_for};
use common::outlet::{FEEDS, Outlet};
use common::receiver::Receiver;
use common::{skip, write_config};

/// Kills at random moments before the two aimed at a delivery and at a poll in flight.
const RANDOM_KILLS: usize = 2;
/// How long the receiver holds each delivery before answering: a kill within it interrupts
/// the delivery.
const HOLD: Duration = Duration::from_secs(2);

/// The processes, each with its own number: its user agent and webhook path say which one
/// fetched or delivered.
struct Instances {
    dir: PathBuf,
    database: String,
    feeds: String,
    hook: String,
    running: Vec<(usize, Guard)>,
    started: usize,
}

impl Instances {
    fn start(&mut self) {
        let n = self.started;
        self.started += 1;
        let dir = self.dir.join(format!("instance-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let config = write_config(
            &dir,
            &format!(
                "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
                 politeness_delay = \"0s\"\nper_host_concurrency = 16\nlease = \"10s\"\n\
                 delivery_retry = \"1s\"\nuser_agent = \"{}\"\n{}\
                 [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n\
                 [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}/{n}\"\n",
                self.database,
                agent(n),
                self.feeds,
                self.hook
            ),
        );
        let child = run_logged(&config, &self.log(n));
        self.running.push((n, Guard::new(child)));
    }

    fn log(&self, n: usize) -> PathBuf {
        self.dir.join(format!("raqib-{n}.log"))
    }

    /// SIGKILL process `n`.
    fn kill(&mut self, n: usize) {
        let at = self.running.iter().position(|(m, _)| *m == n).unwrap();
        let (_, mut child) = self.running.remove(at);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    fn logs(&self) -> String {
        (0..self.started)
            .map(|n| {
                let text = std::fs::read_to_string(self.log(n)).unwrap_or_default();
                let trouble: Vec<&str> = text
                    .lines()
                    .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("panicked"))
                    .collect();
                format!("process {n}:\n{}\n", trouble.join("\n"))
            })
            .collect()
    }
}

fn agent(n: usize) -> String {
    format!("raqib-failover-{n}")
}

/// The process that sent a webhook request, from the path it posted to.
fn sender(path: &str) -> usize {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

#[test]
fn a_killed_instances_feeds_and_deliveries_are_taken_over() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let seed = std::env::var("RAQIB_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let replay = format!("replay with RAQIB_TEST_SEED={seed}");
    eprintln!("failover test: {replay}");
    let mut rng = fastrand::Rng::with_seed(seed);

    let mut outlet = Outlet::start();
    let receiver = Receiver::start(|_| 200);
    receiver.hold(HOLD);
    let dir = tempfile::tempdir().unwrap();
    let feeds: String = (0..FEEDS)
        .map(|f| {
            format!(
                "[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n",
                outlet.feed_url(f)
            )
        })
        .collect();
    let mut instances = Instances {
        dir: dir.path().to_path_buf(),
        database: db.url.clone(),
        feeds,
        hook: receiver.url.clone(),
        running: Vec::new(),
        started: 0,
    };
    for _ in 0..3 {
        instances.start();
    }
    let mut killed: Vec<usize> = Vec::new();

    // Kills at random moments, each victim replaced by a new process.
    for _ in 0..RANDOM_KILLS {
        for _ in 0..rng.usize(2..=5) {
            outlet.publish(Duration::from_millis(rng.u64(100..1500)));
        }
        // A kill at a random moment is what the test is about.
        std::thread::sleep(Duration::from_millis(rng.u64(500..4000)));
        let victim = instances.running[rng.usize(..instances.running.len())].0;
        instances.kill(victim);
        killed.push(victim);
        instances.start();
    }

    // A kill while the victim holds a delivery the receiver has not answered.
    for _ in 0..rng.usize(2..=5) {
        outlet.publish(Duration::from_millis(rng.u64(100..800)));
    }
    let mut interrupted = None;
    let found = wait_for(Duration::from_secs(30), || {
        let alive: Vec<usize> = instances.running.iter().map(|(n, _)| *n).collect();
        interrupted = receiver
            .received()
            .into_iter()
            .filter(|r| alive.contains(&sender(&r.path)))
            .find(|r| r.at.elapsed() < HOLD / 2);
        interrupted.is_some()
    });
    assert!(
        found,
        "no delivery in flight; {replay}\n{}",
        instances.logs()
    );
    let interrupted = interrupted.unwrap();
    let victim = sender(&interrupted.path);
    instances.kill(victim);
    killed.push(victim);
    instances.start();

    // A kill while the victim polls: it holds the lease of the feed whose page it fetches.
    let slow = outlet.published.len();
    outlet.publish(Duration::from_secs(3));
    let slow_path = format!("/p/{slow}.html");
    let mut fetching = None;
    let found = wait_for(Duration::from_secs(30), || {
        fetching = outlet
            .server
            .requests()
            .into_iter()
            .find(|r| r.path == slow_path && !r.answered);
        fetching.is_some()
    });
    assert!(
        found,
        "{slow_path} never fetched; {replay}\n{}",
        instances.logs()
    );
    let fetching = fetching.unwrap();
    let victim = (0..instances.started)
        .find(|&n| agent(n) == fetching.agent)
        .unwrap();
    let killed_at = Instant::now();
    instances.kill(victim);
    killed.push(victim);
    // Articles keep appearing; the two left finish without it.
    for _ in 0..rng.usize(2..=4) {
        outlet.publish(Duration::from_millis(rng.u64(100..800)));
    }

    let count = |sql: &str| -> i64 {
        runtime
            .block_on(async { db.client().await.query_one(sql, &[]).await })
            .map_or(-1, |row| row.get(0))
    };
    let expected_alerts = outlet.published.iter().filter(|p| p.alerts).count();
    let settled = wait_for(Duration::from_secs(90), || {
        count("SELECT count(*) FROM article") == outlet.published.len() as i64
            && count("SELECT count(*) FROM alert") == expected_alerts as i64
            && count("SELECT count(*) FROM delivery WHERE state <> 'delivered'") == 0
    });
    let taken_over = outlet
        .server
        .requests()
        .into_iter()
        .any(|r| r.path == slow_path && r.agent != fetching.agent && r.answered);
    let survivors: Vec<Child> = instances
        .running
        .drain(..)
        .map(|(_, g)| g.release())
        .collect();
    for child in survivors {
        stop(child);
    }
    assert!(
        settled,
        "did not settle: {} articles of {}, {} alerts of {expected_alerts}, {} undelivered; \
         {replay}\n{}",
        count("SELECT count(*) FROM article"),
        outlet.published.len(),
        count("SELECT count(*) FROM alert"),
        count("SELECT count(*) FROM delivery WHERE state <> 'delivered'"),
        instances.logs()
    );
    eprintln!(
        "failover test: {} articles, {expected_alerts} alerts, killed {killed:?}, all stored \
         and delivered {:.1} s after the last kill",
        outlet.published.len(),
        killed_at.elapsed().as_secs_f64()
    );

    // The page the killed process was fetching was fetched again by another, once its
    // lease ended.
    assert!(
        taken_over,
        "{slow_path} not fetched by another process; {replay}"
    );

    // Every article stored once, with its page.
    let stored: Vec<(String, String)> = runtime.block_on(async {
        db.client()
            .await
            .query("SELECT url, body FROM article", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    });
    let urls: BTreeSet<&String> = stored.iter().map(|(url, _)| url).collect();
    assert_eq!(
        urls.len(),
        stored.len(),
        "an article stored twice; {replay}"
    );
    assert_eq!(
        urls,
        outlet.published.iter().map(|p| &p.url).collect(),
        "{replay}"
    );
    for (url, body) in &stored {
        assert!(
            body.contains("of the crash test, written for article"),
            "{url} stored without its page; {replay}"
        );
    }

    // Every alert delivered; a repeat only of one a killed process was sending, same id.
    let alert_ids: BTreeSet<String> = runtime.block_on(async {
        db.client()
            .await
            .query("SELECT uid FROM alert", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    let mut senders: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for r in receiver.received() {
        senders
            .entry(r.headers["x-raqib-alert-id"].clone())
            .or_default()
            .push(sender(&r.path));
    }
    assert_eq!(
        senders.keys().cloned().collect::<BTreeSet<_>>(),
        alert_ids,
        "delivered ids are the stored alerts; {replay}"
    );
    for (id, by) in &senders {
        assert!(
            by.len() == 1 || by[..by.len() - 1].iter().all(|n| killed.contains(n)),
            "{id} sent by {by:?}, killed {killed:?}; {replay}"
        );
    }
    // The delivery interrupted by the kill was sent again by another process.
    let id = &interrupted.headers["x-raqib-alert-id"];
    assert!(
        senders[id].iter().any(|&n| n != sender(&interrupted.path)),
        "{id} sent by {:?} only; {replay}",
        senders[id]
    );
    for n in 0..instances.started {
        let log = std::fs::read_to_string(instances.log(n)).unwrap_or_default();
        assert!(!log.contains("panicked"), "process {n}: {log}");
    }
}
