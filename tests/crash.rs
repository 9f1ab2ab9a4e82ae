//! Crash safety: the real daemon killed with SIGKILL at random moments while an outlet keeps
//! publishing, restarted each time, and checked after every kill and at the end.
//!
//! `RAQIB_CRASH_KILLS` sets the number of kills (50 by default, as CI runs it) and
//! `RAQIB_CRASH_SEED` replays a run: a failure prints the seed it used. For a long run:
//!
//! ```text
//! RAQIB_CRASH_KILLS=500 cargo test --release --test crash -- --nocapture
//! ```

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Duration;

use common::daemon::{Guard, run_logged, stop, wait_for};
use common::outlet::{FEEDS, Outlet};
use common::receiver::Receiver;
use common::write_config;

fn query<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> Vec<T> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

#[test]
fn killed_at_random_moments_nothing_is_lost_or_stored_twice() {
    let kills = env_number("RAQIB_CRASH_KILLS").unwrap_or(50);
    let seed = env_number("RAQIB_CRASH_SEED").unwrap_or_else(|| fastrand::u64(..));
    let replay = format!("replay with RAQIB_CRASH_SEED={seed} RAQIB_CRASH_KILLS={kills}");
    eprintln!("crash test: {replay}");
    let mut rng = fastrand::Rng::with_seed(seed);

    let mut outlet = Outlet::start();
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let feeds: String = (0..FEEDS)
        .map(|f| {
            format!(
                "[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n",
                outlet.feed_url(f)
            )
        })
        .collect();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n\
             {feeds}\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n\
             [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
            receiver.url
        ),
    );
    let db = dir.path().join("raqib.db");
    let log = dir.path().join("raqib.log");

    let mut stored_at_kill = vec![0];
    for kill in 0..kills {
        for _ in 0..rng.usize(2..=8) {
            outlet.publish(Duration::from_millis(rng.u64(0..500)));
        }
        let mut child = Guard::new(run_logged(&config, &log));
        // A kill at a random moment is what the test is about.
        std::thread::sleep(Duration::from_millis(rng.u64(200..3_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        let integrity: Vec<String> = query(&db, "PRAGMA integrity_check");
        assert_eq!(
            integrity,
            vec!["ok".to_string()],
            "after kill {kill}; {replay}\n{}",
            tail(&log)
        );
        let orphans: Vec<String> = query(&db, "SELECT \"table\" FROM pragma_foreign_key_check");
        assert!(
            orphans.is_empty(),
            "rows without their parent in {orphans:?} after kill {kill}; {replay}"
        );
        stored_at_kill.push(query::<i64>(&db, "SELECT count(*) FROM article")[0]);
    }

    // One last life, undisturbed, until everything published is stored and delivered.
    let expected_alerts = outlet.published.iter().filter(|p| p.alerts).count();
    let child = Guard::new(run_logged(&config, &log));
    let settled = wait_for(Duration::from_secs(180), || {
        query::<i64>(&db, "SELECT count(*) FROM article")[0] == outlet.published.len() as i64
            && query::<i64>(&db, "SELECT count(*) FROM alert")[0] == expected_alerts as i64
            && query::<i64>(
                &db,
                "SELECT count(*) FROM delivery WHERE state != 'delivered'",
            )[0] == 0
    });
    stop(child.release());
    assert!(settled, "did not settle; {replay}\n{}", tail(&log));
    let integrity: Vec<String> = query(&db, "PRAGMA integrity_check");
    assert_eq!(integrity, vec!["ok".to_string()], "{replay}");

    // Every article published is stored exactly once.
    let urls: Vec<String> = query(&db, "SELECT url FROM article");
    let mut stored: HashMap<String, usize> = HashMap::new();
    for url in &urls {
        *stored.entry(url.clone()).or_default() += 1;
    }
    for p in &outlet.published {
        assert_eq!(
            stored.get(&p.url),
            Some(&1),
            "{} stored {:?} times; {replay}",
            p.url,
            stored.get(&p.url)
        );
    }
    assert_eq!(urls.len(), outlet.published.len(), "{replay}");
    // Each with the page's text, not the feed's (empty) summary.
    let without_page: Vec<String> = query(
        &db,
        "SELECT url FROM article WHERE body NOT LIKE '%crash test, written for article%'",
    );
    assert!(without_page.is_empty(), "{without_page:?}; {replay}");

    // Every alert expected is delivered at least once; a repeat has the same id, at most one
    // per kill.
    let alert_ids: BTreeSet<String> = query::<String>(&db, "SELECT uid FROM alert")
        .into_iter()
        .collect();
    assert_eq!(alert_ids.len(), expected_alerts, "{replay}");
    let mut deliveries: BTreeMap<String, usize> = BTreeMap::new();
    for r in receiver.received() {
        *deliveries
            .entry(r.headers["x-raqib-alert-id"].clone())
            .or_default() += 1;
    }
    let delivered: BTreeSet<String> = deliveries.keys().cloned().collect();
    assert_eq!(
        delivered, alert_ids,
        "delivered ids are exactly the stored alerts; {replay}"
    );
    let repeats: usize = deliveries.values().map(|n| n - 1).sum();
    assert!(
        repeats <= kills as usize,
        "{repeats} repeats for {kills} kills; {replay}"
    );

    let interrupted = stored_at_kill.windows(2).filter(|w| w[1] > w[0]).count();
    eprintln!(
        "crash test: {kills} kills, {} articles, {expected_alerts} alerts, {repeats} repeated \
         deliveries, {interrupted} lives stored articles before their kill; seed {seed}",
        outlet.published.len()
    );
    let whole_log = std::fs::read_to_string(&log).unwrap();
    assert!(
        !whole_log.contains("panicked"),
        "a panic in the log; {replay}"
    );
}
