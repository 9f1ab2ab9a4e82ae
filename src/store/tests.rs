use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::*;
use crate::alert::dispatch::Decision;
use crate::config::AlertPolicy;
use crate::extract::learned::{MIN_STORIES, Seen, is_furniture};
use crate::fetch::Validators;
use crate::watch::Field;

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 2, 9, 0, 0).unwrap()
}

pub(super) fn article(feed_id: i64, key: &str) -> NewArticle {
    let title = "حموشي يستقبل زوييف".to_string();
    let body = format!("نص المقال {key}");
    NewArticle {
        feed_id,
        entry_key: key.to_string(),
        url: Some(format!("https://x.ma/{key}")),
        canonical_url: None,
        story: crate::story::Signature::of(&title, &body, []),
        title,
        body,
        body_source: BodySource::Page,
        body_error: None,
        author: None,
        lang: Some("ar".into()),
        site_name: None,
        published_at: None,
        outlet: "X".into(),
        fingerprints: vec![1, 2],
        page_retry_at: None,
        matches: vec![(
            "hammouchi".into(),
            Match {
                term: "حموشي".into(),
                text: "حموشي".into(),
                field: Field::Title,
                start: 0,
                end: 10,
                snippet: "حموشي يستقبل".into(),
            },
        )],
        index_tokens: None,
    }
}

pub(super) fn alert(uid: &str) -> Vec<NewAlert> {
    vec![NewAlert {
        uid: uid.into(),
        policy: AlertPolicy::Article,
        watch: "hammouchi".into(),
        severity: "high".into(),
        payload: "{}".into(),
        sinks: vec!["file".into(), "log".into()],
    }]
}

/// The deliveries due at `at`, claimed for a minute as `claim`.
pub(super) fn claim(store: &mut Store, claim: i64, at: DateTime<Utc>) -> Vec<PendingDelivery> {
    let limits = ClaimLimits {
        alerts: 10,
        digests: 10,
    };
    store
        .claim_deliveries(claim, at, at + chrono::Duration::minutes(1), limits)
        .unwrap()
        .deliveries
}

#[test]
fn migrations_apply_once_and_reopen_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/raqib.db");
    drop(Store::open(&path).unwrap());
    let store = Store::open(&path).unwrap();
    let version: u32 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_raqib_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqib.db");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { .. }));
    assert!(err.to_string().contains("newer"));
}

#[test]
fn an_article_is_stored_once_with_its_alert_and_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let first = store
        .insert_article(
            &article(feed.id, "a"),
            now(),
            Duration::from_secs(3600),
            |_, _| alert("u1"),
        )
        .unwrap();
    assert!(first.is_some());
    let again = store
        .insert_article(
            &article(feed.id, "a"),
            now(),
            Duration::from_secs(3600),
            |_, _| panic!("not called"),
        )
        .unwrap();
    assert_eq!(again, None);

    let known = store
        .known_entries(feed.id, &["a", "b"], &["https://x.ma/a", "https://x.ma/z"])
        .unwrap();
    assert_eq!(
        known,
        HashSet::from(["a".to_string(), "https://x.ma/a".to_string()])
    );

    let due = claim(&mut store, 1, now());
    assert_eq!(
        due.iter().map(|d| d.sink.as_str()).collect::<Vec<_>>(),
        vec!["file", "log"]
    );
    store
        .record_attempts(
            &[
                (due[0].id, Decision::Delivered),
                (
                    due[1].id,
                    Decision::Retry {
                        at: now() + chrono::Duration::minutes(5),
                        error: "sink down".into(),
                    },
                ),
            ],
            now(),
        )
        .unwrap();
    assert!(claim(&mut store, 1, now()).is_empty());
    let later = claim(&mut store, 2, now() + chrono::Duration::minutes(5));
    assert_eq!((later.len(), later[0].attempts), (1, 1));
    assert_eq!(store.pending_deliveries().unwrap(), 1);
}

#[test]
fn a_reprint_joins_the_story_of_its_original() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let window = Duration::from_secs(48 * 3600);
    let a = store
        .insert_article(&article(feed.id, "a"), now(), window, |_, _| Vec::new())
        .unwrap()
        .unwrap();
    let mut reprint = article(feed.id, "a2");
    reprint.story = article(feed.id, "a").story;
    let b = store
        .insert_article(&reprint, now(), window, |_, _| Vec::new())
        .unwrap()
        .unwrap();
    let mut other = article(feed.id, "c");
    other.title = "Marathon de Rabat".into();
    other.body = "Les coureurs du marathon international ont traversé la ville dimanche.".into();
    other.story = crate::story::Signature::of(&other.title, &other.body, []);
    let c = store
        .insert_article(&other, now(), window, |_, _| Vec::new())
        .unwrap()
        .unwrap();
    assert_eq!(a.article.story_id, b.article.story_id);
    assert_ne!(a.article.story_id, c.article.story_id);
}

#[test]
fn poll_health_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    store
        .record_poll_failure(feed.id, "timed out", now(), now())
        .unwrap();
    store
        .record_poll_failure(feed.id, "timed out", now(), now())
        .unwrap();
    assert_eq!(
        store
            .sync_feed("https://x.ma/feed", "X", now())
            .unwrap()
            .consecutive_errors,
        2
    );
    let health = store
        .feed_health("https://x.ma/feed", now())
        .unwrap()
        .unwrap();
    assert_eq!(
        (health.consecutive_errors, health.last_error.as_deref()),
        (2, Some("timed out"))
    );
    assert_eq!(health.last_success_at, None);

    let validators = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: None,
    };
    let record = PollRecord {
        validators: Some(validators.clone()),
        body_hash: Some("abc".into()),
        encoding: Some("windows-1256".into()),
        interval: Duration::from_secs(600),
        newest_entry: Some(now() - chrono::Duration::hours(3)),
    };
    store
        .record_poll_success(feed.id, &record, now(), now())
        .unwrap();
    // A 304 later keeps the validators and does not move the newest entry back.
    let not_modified = PollRecord {
        interval: Duration::from_secs(900),
        ..PollRecord::default()
    };
    store
        .record_poll_success(feed.id, &not_modified, now(), now())
        .unwrap();
    let state = store.sync_feed("https://x.ma/feed", "X2", now()).unwrap();
    assert_eq!(
        (
            state.consecutive_errors,
            state.validators,
            state.body_hash.as_deref()
        ),
        (0, validators, Some("abc"))
    );
    assert_eq!(state.interval, Some(Duration::from_secs(900)));
    let health = store
        .feed_health("https://x.ma/feed", now())
        .unwrap()
        .unwrap();
    assert_eq!(health.outlet, "X2");
    assert_eq!(health.encoding.as_deref(), Some("windows-1256"));
    assert_eq!(
        health.last_entry_at.as_deref(),
        Some("2025-12-02T06:00:00Z")
    );
    assert_eq!(
        store.feed_health("https://other.ma/feed", now()).unwrap(),
        None
    );
}

#[test]
fn a_reader_sees_every_feed_s_health_as_the_writer_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqib.db");
    let mut store = Store::open(&path).unwrap();
    let x = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let y = store.sync_feed("https://y.ma/feed", "Y", now()).unwrap();
    store
        .record_poll_failure(y.id, "timed out", now(), now())
        .unwrap();
    let window = Duration::from_secs(3600);
    // Two articles of x this week, one of y, and one of x too old to count.
    for (feed, key, days_ago) in [
        (x.id, "a", 1),
        (x.id, "b", 2),
        (y.id, "c", 3),
        (x.id, "d", 8),
    ] {
        let at = now() - chrono::Duration::days(days_ago);
        store
            .insert_article(&article(feed, key), at, window, |_, _| Vec::new())
            .unwrap();
    }
    let urls = [
        "https://x.ma/feed",
        "https://none.ma/feed",
        "https://y.ma/feed",
    ];
    let read = Reader::open(&path)
        .unwrap()
        .feed_healths(&urls, now())
        .unwrap();
    let written: Vec<_> = urls
        .iter()
        .map(|url| store.feed_health(url, now()).unwrap())
        .collect();
    assert_eq!(read, written);
    let weekly: Vec<Option<u64>> = read
        .iter()
        .map(|h| h.as_ref().map(|h| h.articles_7d))
        .collect();
    assert_eq!(weekly, [Some(2), None, Some(1)]);
}

#[test]
fn edge_paragraphs_are_counted_with_their_stories_and_the_outlet_s_articles() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let window = Duration::from_secs(3600);
    assert!(
        store
            .learned_records("X", &[1, 2], now())
            .unwrap()
            .is_empty()
    );
    let stories = [
        "حريق في غابة بإقليم شفشاون",
        "افتتاح معرض الكتاب بالرباط",
        "فيضانات في سهل الغرب",
    ];
    // Four articles: paragraph 1 in all (two of them rewrites of one story), paragraph 2 only
    // from the third on, and one feed summary, which counts for nothing.
    let carried: [(&str, &[i64], &str); 4] = [
        ("a", &[1], stories[0]),
        ("b", &[1], stories[0]),
        ("c", &[1, 2], stories[1]),
        ("d", &[1, 2], stories[2]),
    ];
    for (key, prints, story) in carried {
        let mut article = article(feed.id, key);
        article.fingerprints = prints.to_vec();
        article.story = crate::story::Signature::of(story, &format!("{story} {story}"), []);
        store
            .insert_article(&article, now(), window, |_, _| Vec::new())
            .unwrap();
    }
    let mut summary = article(feed.id, "e");
    summary.body_source = BodySource::Feed;
    summary.fingerprints = Vec::new();
    store
        .insert_article(&summary, now(), window, |_, _| Vec::new())
        .unwrap();

    let records = store.learned_records("X", &[1, 2, 3], now()).unwrap();
    assert_eq!(
        records.get(&1),
        Some(&Seen {
            articles: 4,
            stories: 3,
            outlet_articles: 4
        })
    );
    assert_eq!(
        records.get(&2),
        Some(&Seen {
            articles: 2,
            stories: 2,
            outlet_articles: 2
        }),
        "the share counts the outlet's articles since the paragraph first appeared"
    );
    assert_eq!(records.len(), 2);
    assert!(
        store
            .learned_records("Other outlet", &[1, 2], now())
            .unwrap()
            .is_empty()
    );
    let much_later = now() + chrono::Duration::days(45);
    assert!(
        store
            .learned_records("X", &[1, 2], much_later)
            .unwrap()
            .is_empty(),
        "counts expire"
    );
    let year = Duration::from_secs(365 * 86_400);
    let pruned = store.prune(much_later, year, year, 1).unwrap();
    assert_eq!(pruned.paragraphs, 1, "one batch");
    assert_eq!(
        store.prune(much_later, year, year, 10).unwrap().paragraphs,
        1
    );
    let left: i64 = store
        .conn
        .query_row(
            "SELECT (SELECT count(*) FROM outlet_paragraph) + (SELECT count(*) FROM outlet_paragraph_story)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "stale paragraphs and their stories are pruned");
}

#[test]
fn an_outlet_keeps_its_most_recently_seen_paragraphs_up_to_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let x = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let y = store.sync_feed("https://y.ma/feed", "Y", now()).unwrap();
    let window = Duration::from_secs(3600);
    // X: paragraph 1 in every article (its furniture), one paragraph of its own in each; Y two.
    for i in 0..6_i64 {
        let mut article = article(x.id, &format!("x{i}"));
        article.fingerprints = vec![1, 100 + i];
        let at = now() + chrono::Duration::minutes(i);
        store
            .insert_article(&article, at, window, |_, _| Vec::new())
            .unwrap();
    }
    for i in 0..2_i64 {
        let mut article = article(y.id, &format!("y{i}"));
        article.outlet = "Y".into();
        article.fingerprints = vec![200 + i];
        store
            .insert_article(&article, now(), window, |_, _| Vec::new())
            .unwrap();
    }
    let prints = |store: &Store, outlet: &str| -> Vec<i64> {
        store
            .conn
            .prepare("SELECT fingerprint FROM outlet_paragraph WHERE outlet = ?1 ORDER BY 1")
            .unwrap()
            .query_map([outlet], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    assert_eq!(prints(&store, "X").len(), 7);
    let later = now() + chrono::Duration::hours(1);
    let pruned = super::learned::prune(&store.conn, later, 3, 2).unwrap();
    assert_eq!(pruned, 2, "one batch");
    assert_eq!(prints(&store, "X"), [1, 102, 103, 104, 105]);
    let pruned = super::learned::prune(&store.conn, later, 3, 10).unwrap();
    assert_eq!(pruned, 2);
    assert_eq!(
        prints(&store, "X"),
        [1, 104, 105],
        "the furniture and the two latest"
    );
    assert_eq!(prints(&store, "Y"), [200, 201], "under the cap");
    assert_eq!(super::learned::prune(&store.conn, later, 3, 10).unwrap(), 0);
    let orphans: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM outlet_paragraph_story s WHERE NOT EXISTS
                 (SELECT 1 FROM outlet_paragraph p WHERE p.outlet = s.outlet AND p.fingerprint = s.fingerprint)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "their stories go with them");
}

#[test]
fn a_line_in_every_article_is_furniture_and_one_in_a_third_of_them_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let window = Duration::from_secs(3600);
    let (promo, background) = (8, 7);
    let topics = [
        "الفلاحة",
        "الصيد",
        "السياحة",
        "التعليم",
        "الصحة",
        "النقل",
        "الطاقة",
        "الرياضة",
        "الثقافة",
        "القضاء",
        "السكن",
        "التشغيل",
        "البيئة",
        "الماء",
        "الاتصالات",
    ];
    for (n, topic) in topics.iter().enumerate() {
        let mut article = article(feed.id, &format!("k{n}"));
        article.fingerprints = if n % 3 == 0 {
            vec![promo, background]
        } else {
            vec![promo]
        };
        let title = format!("وزارة {topic} تعلن خطة {topic}");
        article.story =
            crate::story::Signature::of(&title, &format!("{topic} {topic} {topic}"), []);
        store
            .insert_article(&article, now(), window, |_, _| Vec::new())
            .unwrap();
    }
    let records = store
        .learned_records("X", &[promo, background], now())
        .unwrap();
    let seen = |print: i64| records.get(&print).copied().unwrap();
    assert_eq!(seen(promo).articles, 15);
    assert!(is_furniture(&seen(promo), 60));
    assert_eq!(
        seen(background),
        Seen {
            articles: 5,
            stories: MIN_STORIES,
            outlet_articles: 15
        },
        "stories are counted up to what the rule asks for"
    );
    assert!(
        !is_furniture(&seen(background), 60),
        "five stories, but a third of the outlet's articles"
    );
}

/// Two outlets publish one story (a reprint); each article's alert closure is given the outlets
/// that published the story before it.
fn one_story_from_two_outlets(policy: AlertPolicy) -> (tempfile::TempDir, Store, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let first = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let second = store.sync_feed("https://y.ma/feed", "Y", now()).unwrap();
    let mut seen = Vec::new();
    for (feed, url, uid) in [
        (first.id, "https://x.ma/a", "u1"),
        (second.id, "https://y.ma/a", "u2"),
    ] {
        let mut reprint = article(feed, "a");
        reprint.url = Some(url.into());
        store
            .insert_article(&reprint, now(), Duration::from_secs(3600), |_, outlets| {
                seen.push(outlets.to_vec());
                let mut alerts = alert(uid);
                alerts[0].policy = policy;
                alerts
            })
            .unwrap()
            .unwrap();
    }
    (dir, store, seen)
}

#[test]
fn a_story_raises_one_alert_and_records_the_other_outlets_against_it() {
    let (_dir, store, seen) = one_story_from_two_outlets(AlertPolicy::Story);
    assert_eq!(seen, vec![Vec::<String>::new(), vec!["X".to_string()]]);
    let count = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(DISTINCT story_id) FROM article"), 1);
    assert_eq!(count("SELECT count(*) FROM alert"), 1);
    assert_eq!(
        count("SELECT count(*) FROM delivery"),
        2,
        "one per sink, once"
    );
    assert_eq!(count("SELECT count(*) FROM alert_report"), 1);
}

/// Rows stored before 0014 have no term counts: their frozen vector (0011's `profile`, or the
/// `article_term` weights before that) is compared instead.
#[test]
fn articles_stored_before_term_counts_are_still_found() {
    for frozen in ["profile", "article_term"] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
        let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
        let body: String = ('a'..='p').map(|c| format!("zorvak{c}{c} ")).collect();
        let mut stories = Vec::new();
        for (i, key) in ["old", "new"].into_iter().enumerate() {
            let mut article = article(feed.id, key);
            article.body = format!("{body} {key}word");
            article.story = crate::story::Signature::of("", &article.body, []);
            let at = now() + chrono::Duration::minutes(20 * i as i64);
            let stored = store
                .insert_article(&article, at, Duration::from_secs(48 * 3600), |_, _| {
                    Vec::new()
                })
                .unwrap()
                .unwrap();
            stories.push(stored.article.story_id);
            if key == "old" {
                let weights: Vec<u8> = store
                    .conn
                    .prepare(
                        "SELECT term, weight FROM article_term WHERE article_id = ?1 ORDER BY term",
                    )
                    .unwrap()
                    .query_map([stored.article.id], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)? as f32))
                    })
                    .unwrap()
                    .flat_map(|pair| {
                        let (term, weight) = pair.unwrap();
                        [term.to_le_bytes().to_vec(), weight.to_le_bytes().to_vec()].concat()
                    })
                    .collect();
                let profile = (frozen == "profile").then_some(weights);
                store
                    .conn
                    .execute(
                        "UPDATE article_story SET term_counts = NULL, profile = ?2 WHERE article_id = ?1",
                        params![stored.article.id, profile],
                    )
                    .unwrap();
            }
        }
        assert_eq!(stories[0], stories[1], "{frozen}");
    }
}

/// An article telling the events of two stories at once merges them: the later story's
/// articles and alerts move to the earlier, the merge is recorded, no alert is raised again.
#[test]
fn an_article_close_to_two_stories_merges_them_and_raises_no_new_alert() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    // Words no prior lists: two halves sharing nothing, and a whole that holds both.
    let words =
        |half: &str| -> Vec<String> { ('a'..='l').map(|c| format!("{half}{c}{c}")).collect() };
    let (left, right) = (words("zorvak").join(" "), words("quentil").join(" "));
    let texts = [
        ("left", left.clone()),
        ("right", right.clone()),
        ("both", format!("{left} {right}")),
    ];
    let mut stories = Vec::new();
    for (i, (key, body)) in texts.iter().enumerate() {
        let mut article = article(feed.id, key);
        article.body = body.clone();
        article.story = crate::story::Signature::of("", body, ["hammouchi"]);
        let at = now() + chrono::Duration::minutes(20 * i as i64);
        let stored = store
            .insert_article(&article, at, Duration::from_secs(48 * 3600), |_, _| {
                let mut alerts = alert(&format!("u-{key}"));
                alerts[0].policy = AlertPolicy::Story;
                alerts
            })
            .unwrap()
            .unwrap();
        stories.push(stored.article.story_id);
    }
    let count = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_ne!(stories[0], stories[1], "the halves are two stories");
    assert_eq!(stories[2], stories[0], "the whole joins the earlier");
    assert_eq!(count("SELECT count(DISTINCT story_id) FROM article"), 1);
    assert_eq!(
        count("SELECT count(DISTINCT story_id) FROM article_story"),
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM alert"),
        2,
        "both alerts raised before the merge stay, and no third"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT 1 FROM alert GROUP BY watch, story_id HAVING count(*) > 1)"
        ),
        0,
        "one alert per watch and story after the merge"
    );
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM alert WHERE uid = 'u-right' AND story_id = {}",
            stories[1]
        )),
        1,
        "the later story's alert stays where it was raised"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM alert_report r JOIN alert a ON a.id = r.alert_id
             JOIN article ar ON ar.id = r.article_id
             WHERE a.uid = 'u-left'"
        ),
        1,
        "the bridging article is recorded against the earlier story's alert"
    );
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM story_merge WHERE story_id = {} AND merged_into = {}",
            stories[1], stories[0]
        )),
        1
    );
    // The record of the merge goes once past retention, with the stories themselves.
    let year = Duration::from_secs(365 * 86_400);
    let later = now() + chrono::Duration::days(400);
    let mut merges = 0;
    loop {
        let pruned = store.prune(later, year, year, 100).unwrap();
        if pruned.is_empty() {
            break;
        }
        merges += pruned.merges;
    }
    assert_eq!(merges, 1);
    let left: i64 = store
        .conn
        .query_row("SELECT count(*) FROM story_merge", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn per_article_alerts_are_raised_for_every_article_of_a_story() {
    let (_dir, store, _) = one_story_from_two_outlets(AlertPolicy::Article);
    let count = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM alert"), 2);
    assert_eq!(count("SELECT count(*) FROM alert_report"), 0);
}

#[test]
fn pruning_removes_old_articles_in_batches_and_keeps_what_alerts_show() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let day = chrono::Duration::days(1);
    let window = Duration::from_secs(3600);
    // Five old articles without alerts, one old with an alert, one recent.
    for i in 0..5 {
        let mut old = article(feed.id, &format!("old {i} distinct words {i}"));
        old.matches.clear();
        store
            .insert_article(&old, now() - day * 400, window, |_, _| Vec::new())
            .unwrap();
    }
    store
        .insert_article(
            &article(feed.id, "alerted long ago"),
            now() - day * 400,
            window,
            |_, _| alert("u-old"),
        )
        .unwrap();
    store
        .insert_article(&article(feed.id, "recent"), now(), window, |_, _| {
            Vec::new()
        })
        .unwrap();
    let count =
        |store: &Store, sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };

    let (year, two_years) = (
        Duration::from_secs(365 * 86_400),
        Duration::from_secs(730 * 86_400),
    );
    let first = store.prune(now(), year, two_years, 2).unwrap();
    assert_eq!(first.articles, 2, "one batch");
    let mut total = first;
    loop {
        let pruned = store.prune(now(), year, two_years, 2).unwrap();
        if pruned.is_empty() {
            break;
        }
        total.add(pruned);
    }
    assert_eq!(total.articles, 5);
    // The document frequencies count what is kept: the article row and every word's count.
    assert_eq!(
        count(&store, "SELECT df FROM term_df WHERE term = 0"),
        count(&store, "SELECT count(*) FROM article_story")
    );
    let word = crate::story::rewrite::words(&crate::text::fold_str("زوييف"))[0].0;
    assert_eq!(
        store
            .conn
            .query_row("SELECT df FROM term_df WHERE term = ?1", [word], |r| r
                .get::<_, i64>(0))
            .unwrap(),
        2,
        "a title word of the two articles kept"
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM article"),
        2,
        "the alerted and the recent"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM \"match\" WHERE article_id NOT IN (SELECT id FROM article)"
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM article_term WHERE article_id NOT IN (SELECT id FROM article)"
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM article_story WHERE article_id NOT IN (SELECT id FROM article)"
        ),
        0
    );

    // Once its alert is past alert_retention, the alert, its deliveries and its article go.
    let later = now() + day * 400;
    let mut gone = Pruned::default();
    loop {
        let pruned = store.prune(later, year, two_years, 100).unwrap();
        if pruned.is_empty() {
            break;
        }
        gone.add(pruned);
    }
    assert_eq!(gone.alerts, 1);
    assert_eq!(count(&store, "SELECT count(*) FROM alert"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM delivery"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM article"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM story"), 0);
    assert_eq!(
        count(&store, "SELECT count(*) FROM term_df WHERE term != 0"),
        0,
        "no term outlives the articles that held it"
    );
    assert_eq!(count(&store, "SELECT df FROM term_df WHERE term = 0"), 0);
    let integrity: String = store
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let fk: i64 = store
        .conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
}

/// A summary stored when the page failed, replaced by the page on a retry: pruning the article
/// later takes every word it was counted for out of the document frequencies, the summary's
/// (which used to stay for good) as well as the page's.
#[test]
fn a_page_fetched_on_retry_leaves_no_document_frequency_behind_when_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let mut summary = article(feed.id, "s");
    summary.body = "ملخص قصير عن زيارة كيلوران".into();
    summary.story = crate::story::Signature::of(&summary.title, &summary.body, []);
    summary.body_source = BodySource::Feed;
    summary.fingerprints = Vec::new();
    summary.page_retry_at = Some(now());
    store
        .insert_article(&summary, now(), Duration::from_secs(3600), |_, _| {
            Vec::new()
        })
        .unwrap();
    let retry = store.pages_to_retry(feed.id, now(), 8).unwrap().remove(0);
    let page = RetriedPage {
        body: "النص الكامل للمقال عن مافيران وزيارته".into(),
        canonical_url: None,
        author: None,
        lang: None,
        site_name: None,
        matches: Vec::new(),
    };
    store
        .complete_page(&retry, &page, Vec::new(), now())
        .unwrap();
    let df = |store: &Store, word: &str| -> Option<i64> {
        let term = crate::story::rewrite::words(&crate::text::fold_str(word))[0].0;
        store
            .conn
            .query_row("SELECT df FROM term_df WHERE term = ?1", [term], |r| {
                r.get(0)
            })
            .optional()
            .unwrap()
    };
    assert_eq!(
        df(&store, "مافيران"),
        Some(1),
        "the page's words are counted"
    );
    assert_eq!(
        df(&store, "كيلوران"),
        None,
        "the summary's are not any more"
    );
    let year = Duration::from_secs(365 * 86_400);
    let later = now() + chrono::Duration::days(400);
    while !store.prune(later, year, year, 100).unwrap().is_empty() {}
    let left: i64 = store
        .conn
        .query_row("SELECT count(*) FROM term_df WHERE term != 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0, "no word outlives the article");
}

#[test]
fn a_batch_commits_its_good_articles_when_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let window = Duration::from_secs(3600);
    let good = article(feed.id, "good");
    // No such feed: the foreign key fails this article's savepoint.
    let orphan = article(feed.id + 100, "orphan");
    let later = article(feed.id, "later");
    let results = store
        .batch(|s| {
            [&good, &orphan, &later]
                .map(|a| s.insert_article(a, now(), window, |_, _| alert(&a.entry_key)))
        })
        .unwrap();
    assert!(matches!(results[0], Ok(Some(_))));
    assert!(results[1].is_err(), "{:?}", results[1]);
    assert!(matches!(results[2], Ok(Some(_))));
    let keys: Vec<String> = store
        .conn
        .prepare("SELECT entry_key FROM article ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(keys, ["good", "later"]);
    let alerts: i64 = store
        .conn
        .query_row("SELECT count(*) FROM alert", [], |r| r.get(0))
        .unwrap();
    assert_eq!(alerts, 2, "the failed article's alert went with it");
    assert!(store.conn.is_autocommit(), "the batch is committed");
}

#[test]
fn an_article_at_a_url_already_stored_through_another_feed_is_not_stored_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let main = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
    let category = store
        .sync_feed("https://x.ma/category/feed", "X", now())
        .unwrap();
    let window = Duration::from_secs(3600);
    let first = article(main.id, "guid:1");
    let mut same = article(category.id, "guid:cat-1");
    same.url = Some("https://X.MA:443/guid:1#comments".into());
    // Both in one transaction, as when the two polls' writes share a batch.
    let results = store
        .batch(|s| {
            [&first, &same].map(|a| s.insert_article(a, now(), window, |_, _| alert(&a.entry_key)))
        })
        .unwrap();
    assert!(matches!(results[0], Ok(Some(Inserted { alerts: 1, .. }))));
    assert!(matches!(results[1], Ok(None)), "{:?}", results[1]);
    let again = store
        .insert_article(&same, now(), window, |_, _| panic!("not called"))
        .unwrap();
    assert_eq!(again, None);
    let count = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM article"), 1);
    assert_eq!(count("SELECT count(*) FROM alert"), 1);
    let known = store
        .known_entries(category.id, &["guid:cat-1"], &["https://x.ma/guid:1"])
        .unwrap();
    assert!(known.contains("https://x.ma/guid:1"), "{known:?}");
    // The database refuses a second copy even from a writer that skips the check.
    let copy = store.conn.execute(
        "INSERT INTO article (feed_id, entry_key, url, title, body, body_source, fetched_at, simhash, story_id)
         SELECT ?1, 'other', url, title, body, body_source, fetched_at, simhash, story_id FROM article",
        [category.id],
    );
    assert!(copy.is_err(), "{copy:?}");
}

#[test]
fn an_unnamed_feed_keeps_its_title_as_outlet_until_the_config_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
    let url = "https://x.ma/feed";
    let outlet = |store: &Store| -> String {
        store
            .conn
            .query_row("SELECT outlet FROM feed WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let feed = store.sync_unnamed_feed(url, "x.ma", now()).unwrap();
    assert_eq!((feed.title, outlet(&store)), (None, "x.ma".to_string()));
    store
        .record_feed_title(feed.id, Some("Akhbar X"), "Akhbar X")
        .unwrap();
    let again = store.sync_unnamed_feed(url, "x.ma", now()).unwrap();
    assert_eq!(again.title.as_deref(), Some("Akhbar X"));
    assert_eq!(outlet(&store), "Akhbar X");
    let named = store.sync_feed(url, "X", now()).unwrap();
    assert_eq!(
        (named.title.as_deref(), outlet(&store).as_str()),
        (Some("Akhbar X"), "X")
    );
    store.record_feed_title(feed.id, None, "x.ma").unwrap();
    store.sync_unnamed_feed(url, "x.ma", now()).unwrap();
    assert_eq!(outlet(&store), "x.ma");
}
