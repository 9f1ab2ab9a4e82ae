//! `raqib search` on both backends (the same articles stored through the storage seam, in a
//! SQLite file and in a PostgreSQL database of the test's own): a search gives exactly the
//! articles the watch it stands for fires on (its `--as-watch` block read back through the
//! configuration and run with `Watchlist::scan`), in the same order on both; the index follows
//! pages completed late, pruning and the migration that creates it.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use common::articles;
use common::skip;
use raqib::config::Config;
use raqib::search::{Found, Search, Sort};
use raqib::store::{Postgres, Reader, RetriedPage, SearchIndex, Sqlite, Storage};
use raqib::watch::{Subject, Watchlist};
use support::TestDatabase;

const STORY_WINDOW: Duration = Duration::from_secs(48 * 3600);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

/// One article of the corpus as stored.
#[derive(Clone)]
struct Doc {
    key: String,
    outlet: &'static str,
    title: String,
    body: String,
    lang: Option<String>,
    published: Option<DateTime<FixedOffset>>,
    fetched: DateTime<Utc>,
}

impl Doc {
    fn at(&self) -> i64 {
        self.published
            .map_or(self.fetched, |p| p.to_utc())
            .timestamp()
    }
}

/// Spellings the index must see through: proclitic chains, hamza and ta marbuta, vowel marks.
const VARIANTS: &[(&str, &str)] = &[
    (
        "زيارة بمكتب الأمم المتحدة",
        "استقبل المسؤول وفدا بمكتب الأمم المتحدة بالرباط يوم الاثنين لبحث التعاون.",
    ),
    (
        "تقرير عن التنظيم",
        "نشر تقرير جديد للقاعدة في الساحل، وقال خبراء إن تنظيم القاعدة يعيد انتشاره.",
    ),
    (
        "أحمد يفتتح مدرسة",
        "افتتح أحمد مدرسة جديدة في الحي، وحضر التلاميذ حفل المدرسة.",
    ),
    (
        "احمد في مدرسه",
        "زار احمد مدرسه القرية وتحدث عن مكافحة الإرهاب والتطرف.",
    ),
    ("مَدْرَسَةٌ جَدِيدَةٌ", "أَعْلَنَ أَحْمَدُ عَنْ مَدْرَسَةٍ لِلْقَاعِدَةِ الشَّعْبِيَّةِ فِي طنجة."),
    (
        "Sécurité renforcée à Tanger",
        "La DGSN a renforcé la sécurité à Tanger avant le match, selon un communiqué.",
    ),
    (
        "Police chief meets UN envoy",
        "Morocco's police chief Hammouchi met the UN counter-terrorism envoy in Rabat.",
    ),
];

fn corpus() -> Vec<Doc> {
    let mut texts: Vec<(String, String)> = VARIANTS
        .iter()
        .map(|(t, b)| (t.to_string(), b.to_string()))
        .collect();
    for dir in ["tests/fixtures/seeds", "tests/fixtures/stories"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(path).unwrap();
            let (title, body) = text.split_once('\n').unwrap();
            texts.push((title.trim().to_string(), body.trim().to_string()));
        }
    }
    let zone = FixedOffset::east_opt(3600).unwrap();
    texts
        .into_iter()
        .enumerate()
        .map(|(i, (title, body))| Doc {
            key: format!("guid:{i}"),
            outlet: ["Hespress", "Le360", "Alyaoum24"][i % 3],
            lang: raqib::extract::detect_language(&body).map(str::to_string),
            // Some dates unknown (ordered by their fetch), the others out of fetch order.
            published: (i % 4 != 3).then(|| {
                (t0() - chrono::Duration::hours((i * 7 % 30) as i64)).with_timezone(&zone)
            }),
            fetched: t0() + chrono::Duration::minutes(i as i64),
            title,
            body,
        })
        .collect()
}

async fn store_corpus(store: &impl Storage, docs: &[Doc]) -> Vec<i64> {
    let mut ids = Vec::new();
    for doc in docs {
        let feed = store
            .sync_feed(
                format!("http://127.0.0.1:9/{}", doc.outlet),
                doc.outlet.into(),
                t0(),
            )
            .await
            .unwrap()
            .id;
        let mut article = articles::summary(
            feed,
            &doc.key,
            &format!("http://127.0.0.1:9/{}", doc.key),
            &doc.title,
            &doc.body,
        );
        article.outlet = doc.outlet.into();
        article.lang = doc.lang.clone();
        article.published_at = doc.published;
        let inserted = store
            .insert_article(article, doc.fetched, STORY_WINDOW, |_, _| Vec::new())
            .await
            .unwrap()
            .expect("a new article");
        ids.push(inserted.article.id);
    }
    ids
}

/// The articles the watch `query` stands for fires on, newest first: its `--as-watch` block
/// read as a configuration, compiled, and run on each article as the daemon would.
fn expected(query: &str, docs: &[Doc], ids: &[i64]) -> Vec<i64> {
    let block = Search::new(query).unwrap().as_watch("probe");
    let config = Config::from_toml(Path::new("config.toml"), &block)
        .unwrap_or_else(|e| panic!("{block}: {e}"));
    let watchlist = Watchlist::compile(&config.watches).unwrap();
    let mut fired: Vec<(i64, i64)> = docs
        .iter()
        .zip(ids)
        .filter(|(doc, _)| {
            !watchlist
                .scan(&Subject {
                    title: &doc.title,
                    body: &doc.body,
                    outlet: doc.outlet,
                    lang: doc.lang.as_deref(),
                })
                .is_empty()
        })
        .map(|(doc, &id)| (doc.at(), id))
        .collect();
    fired.sort_by(|a, b| b.cmp(a));
    fired.into_iter().map(|(_, id)| id).collect()
}

/// Queries written for the cases the index must not lose.
const QUERIES: &[&str] = &[
    "مكتب",
    "\"مكتب الأمم المتحدة\"",
    "القاعدة",
    "قاعدة",
    "أحمد",
    "احمد",
    "مدرسة",
    "مدرسه",
    "مَدرسة",
    "إرهاب*",
    "الإرهاب*",
    "\"مكافحة الإرهاب\"",
    "حموشي",
    "\"عبد اللطيف حموشي\"",
    "حموشي NEAR/5 زوييف",
    "حموشي ONEAR/3 زوييف",
    "مراكش OR طنجة",
    "مراكش NOT احتيال",
    "title:مراكش",
    "body:مدرسة",
    "lang:fr sécurité",
    "outlet:hespress (مكتب OR مدرسة OR حموشي)",
    "securite tanger",
    "Sécurité NEAR/3 Tanger",
    "dgsn OR hammouchi",
    "counter*",
    "police NOT chief",
    "\"police chief\"",
    "رب*",
];

fn words(docs: &[Doc]) -> Vec<String> {
    let mut words: Vec<String> = docs
        .iter()
        .flat_map(|d| d.title.split_whitespace().chain(d.body.split_whitespace()))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| {
            w.chars().count() >= 2
                && w.chars().all(char::is_alphanumeric)
                && !["AND", "OR", "NOT"].contains(&w.as_str())
        })
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Queries drawn from the corpus's words, with chains added and stems cut: the property that
/// a search equals its watch is checked on these as on the written ones.
fn drawn_queries(docs: &[Doc], count: usize) -> Vec<String> {
    let words = words(docs);
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut queries = Vec::new();
    while queries.len() < count {
        let a = &words[next(words.len())];
        let b = &words[next(words.len())];
        let cut: String = a.chars().take(3 + next(3)).collect();
        let query = match next(8) {
            0 => a.clone(),
            1 => format!("{}{a}", ["و", "ب", "لل", "وبال", "ال"][next(5)]),
            2 => format!("{cut}*"),
            3 => format!("{a} {b}"),
            4 => format!("{a} NEAR/{} {b}", 1 + next(10)),
            5 => format!("{a} OR {b}"),
            6 => format!("{a} NOT {b}"),
            _ => format!("title:{a}"),
        };
        if Search::new(&query).is_ok() {
            queries.push(query);
        }
    }
    queries
}

async fn search(index: &impl SearchIndex, query: &str, sort: Sort) -> Vec<Found> {
    Search::new(query)
        .unwrap()
        .run(index, None, usize::MAX, sort, t0())
        .await
        .unwrap()
}

/// After a migration, queries of every kind find what the watch finds among the articles
/// stored before it.
async fn finds_stored_articles_as_the_watch_does(
    index: &impl SearchIndex,
    docs: &[Doc],
    stored: &[i64],
) {
    for query in ["مكتب", "القاعدة", "أحمد", "حموشي NEAR/5 زوييف"] {
        let found = ids(&search(index, query, Sort::Newest).await);
        assert!(!found.is_empty(), "{query}");
        assert_eq!(found, expected(query, docs, stored), "{query}");
    }
}

fn ids(found: &[Found]) -> Vec<i64> {
    found.iter().map(|f| f.article.id).collect()
}

/// Every query gives the articles its watch fires on, newest first; the relevance order and
/// the matches are returned too, for the backends to be compared.
async fn searches_equal_their_watch(
    index: &impl SearchIndex,
    docs: &[Doc],
    stored: &[i64],
) -> Vec<(String, Vec<i64>, Vec<i64>)> {
    let mut queries: Vec<String> = QUERIES.iter().map(|q| q.to_string()).collect();
    queries.extend(drawn_queries(docs, 150));
    let mut fired = 0;
    let mut results = Vec::new();
    for query in queries {
        let newest = search(index, &query, Sort::Newest).await;
        assert_eq!(ids(&newest), expected(&query, docs, stored), "{query}");
        fired += usize::from(!newest.is_empty());
        let relevance = search(index, &query, Sort::Relevance).await;
        let mut same = ids(&relevance);
        same.sort_unstable();
        let mut newest_ids = ids(&newest);
        newest_ids.sort_unstable();
        assert_eq!(same, newest_ids, "{query}");
        assert!(
            relevance.windows(2).all(|w| w[0].score >= w[1].score),
            "{query}"
        );
        results.push((query, ids(&newest), ids(&relevance)));
    }
    // The property means something only if many queries find articles.
    assert!(fired * 2 > results.len(), "{fired} of {}", results.len());
    results
}

fn sqlite_corpus() -> (tempfile::TempDir, Arc<Sqlite>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Sqlite::open(&dir.path().join("raqib.db")).unwrap();
    (dir, Arc::new(store))
}

/// The corpus stored in a SQLite file, then `sql` run on it (taking it back to an older
/// schema) and the file opened again, which migrates it.
async fn sqlite_corpus_rewound(docs: &[Doc], sql: &str) -> (tempfile::TempDir, Vec<i64>) {
    let (dir, store) = sqlite_corpus();
    let stored = store_corpus(&*store, docs).await;
    drop(store);
    let path = dir.path().join("raqib.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    drop(Sqlite::open(&path).unwrap());
    (dir, stored)
}

async fn postgres_corpus() -> Option<(TestDatabase, Arc<Postgres>)> {
    let db = TestDatabase::create().await?;
    let store = Postgres::connect(&db.url, None, 4).await.expect("connect");
    Some((db, Arc::new(store)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_give_what_the_watch_gives_in_the_same_order() {
    let docs = corpus();
    let (dir, sqlite) = sqlite_corpus();
    let stored = store_corpus(&*sqlite, &docs).await;
    let reader = Reader::open(&dir.path().join("raqib.db")).unwrap();
    let on_sqlite = searches_equal_their_watch(&reader, &docs, &stored).await;
    let Some((_db, postgres)) = postgres_corpus().await else {
        return;
    };
    let stored_pg = store_corpus(&*postgres, &docs).await;
    assert_eq!(stored_pg, stored, "the same ids on both");
    let on_postgres = searches_equal_their_watch(postgres.pool(), &docs, &stored).await;
    assert_eq!(on_postgres, on_sqlite);
}

/// `--since` keeps articles published within it, and those of unknown date fetched within it.
async fn since_counts_publication_then_fetch(index: &impl SearchIndex, docs: &[Doc], ids: &[i64]) {
    let now = t0() + chrono::Duration::hours(2);
    let since = Duration::from_secs(6 * 3600);
    let found = Search::new("مراكش OR حموشي OR أحمد OR police OR sécurité")
        .unwrap()
        .run(index, Some(since), usize::MAX, Sort::Newest, now)
        .await
        .unwrap();
    let cutoff = (now - chrono::Duration::hours(6)).timestamp();
    let all = expected("مراكش OR حموشي OR أحمد OR police OR sécurité", docs, ids);
    let within: Vec<i64> = all
        .into_iter()
        .filter(|id| docs[ids.iter().position(|i| i == id).unwrap()].at() >= cutoff)
        .collect();
    assert!(!within.is_empty() && within.len() < docs.len());
    assert_eq!(ids_of(&found), within);
    let limited = Search::new("مراكش OR حموشي OR أحمد OR police OR sécurité")
        .unwrap()
        .run(index, Some(since), 2, Sort::Newest, now)
        .await
        .unwrap();
    assert_eq!(ids_of(&limited), within[..2]);
}

fn ids_of(found: &[Found]) -> Vec<i64> {
    ids(found)
}

#[tokio::test]
async fn since_and_limit_on_both_backends() {
    let docs = corpus();
    let (dir, sqlite) = sqlite_corpus();
    let stored = store_corpus(&*sqlite, &docs).await;
    since_counts_publication_then_fetch(
        &Reader::open(&dir.path().join("raqib.db")).unwrap(),
        &docs,
        &stored,
    )
    .await;
    let Some((_db, postgres)) = postgres_corpus().await else {
        return;
    };
    let stored = store_corpus(&*postgres, &docs).await;
    since_counts_publication_then_fetch(postgres.pool(), &docs, &stored).await;
}

/// 300 articles holding both words of a phrase, half of them as the phrase, dated out of
/// their order: the candidates come in several pages (64, then 256) and the results must be
/// the watch's, in its order, whatever the limit.
async fn results_span_pages_of_candidates(store: &impl Storage, index: &impl SearchIndex) {
    let zone = FixedOffset::east_opt(3600).unwrap();
    let docs: Vec<Doc> = (0..300)
        .map(|i| Doc {
            key: format!("paged:{i}"),
            outlet: "Hespress",
            title: format!("خبر رقم {i}"),
            body: if i % 2 == 0 {
                format!("قال وزير الداخلية في اللقاء {i} إن الأمن مستتب.")
            } else {
                format!("قالت الداخلية في اللقاء {i} إن الوزير غائب، ولم يحضر أي وزير.")
            },
            lang: Some("ar".into()),
            published: (i % 5 != 0).then(|| {
                (t0() - chrono::Duration::minutes((i * 37 % 200) as i64)).with_timezone(&zone)
            }),
            fetched: t0() + chrono::Duration::minutes(i as i64 % 50),
        })
        .collect();
    let stored = store_corpus(store, &docs).await;
    let query = "\"وزير الداخلية\"";
    let all = expected(query, &docs, &stored);
    assert_eq!(all.len(), 150);
    for limit in [usize::MAX, 100, 40] {
        let found = Search::new(query)
            .unwrap()
            .run(index, None, limit, Sort::Newest, t0())
            .await
            .unwrap();
        assert_eq!(ids(&found), all[..all.len().min(limit)], "limit {limit}");
    }
}

#[tokio::test]
async fn results_span_pages_of_candidates_on_both_backends() {
    let (dir, sqlite) = sqlite_corpus();
    let reader = Reader::open(&dir.path().join("raqib.db")).unwrap();
    results_span_pages_of_candidates(&*sqlite, &reader).await;
    let Some((_db, postgres)) = postgres_corpus().await else {
        return;
    };
    results_span_pages_of_candidates(&*postgres, postgres.pool()).await;
}

/// A summary completed by its page is found by the page's words, no longer by the summary's;
/// a pruned article leaves the index.
async fn the_index_follows_pages_and_pruning(store: &impl Storage, index: &impl SearchIndex) {
    let feed = store
        .sync_feed("http://127.0.0.1:9/feed".into(), "Outlet".into(), t0())
        .await
        .unwrap()
        .id;
    let mut summary = articles::summary(
        feed,
        "guid:late",
        "http://127.0.0.1:9/late",
        "زيارة رسمية",
        "ملخص قصير عن الزيارة الرسمية",
    );
    summary.page_retry_at = Some(t0());
    let late = store
        .insert_article(summary, t0(), STORY_WINDOW, |_, _| Vec::new())
        .await
        .unwrap()
        .unwrap()
        .article
        .id;
    let old = store
        .insert_article(
            articles::summary(
                feed,
                "guid:old",
                "http://127.0.0.1:9/old",
                "مدرسة قديمة",
                "خبر قديم عن مدرسة",
            ),
            t0() - chrono::Duration::days(400),
            STORY_WINDOW,
            |_, _| Vec::new(),
        )
        .await
        .unwrap()
        .unwrap()
        .article
        .id;
    let retry = store
        .pages_to_retry(feed, t0(), 10)
        .await
        .unwrap()
        .remove(0);
    let page = RetriedPage {
        body: "استقبل الوزير بمكتبه وفدا من بلدية شفشاون لبحث مشاريع الماء.".into(),
        canonical_url: None,
        author: None,
        lang: Some("ar".into()),
        site_name: None,
        matches: Vec::new(),
    };
    store
        .complete_page(retry, page, Vec::new(), t0())
        .await
        .unwrap();
    assert_eq!(ids(&search(index, "شفشاون", Sort::Newest).await), [late]);
    assert!(search(index, "ملخص", Sort::Newest).await.is_empty());
    let candidates = |query: &str| {
        let narrow = raqib::watch::narrow::narrow(&raqib::config::query::parse(query).unwrap());
        async move {
            index
                .candidates(narrow.as_ref(), None, None, usize::MAX)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(
        candidates("ملخص").await.is_empty(),
        "the summary's words left the index"
    );
    assert_eq!(candidates("مدرسة").await, [old]);
    let pruned = store
        .prune(
            t0(),
            Duration::from_secs(30 * 86_400),
            Duration::from_secs(30 * 86_400),
            100,
        )
        .await
        .unwrap();
    assert_eq!(pruned.articles, 1);
    assert!(
        candidates("مدرسة").await.is_empty(),
        "pruned from the index"
    );
    assert_eq!(candidates("شفشاون").await, [late]);
}

#[tokio::test]
async fn sqlite_index_follows_pages_and_pruning() {
    let (dir, store) = sqlite_corpus();
    let reader = Reader::open(&dir.path().join("raqib.db")).unwrap();
    the_index_follows_pages_and_pruning(&*store, &reader).await;
}

#[tokio::test]
async fn postgres_index_follows_pages_and_pruning() {
    let Some((_db, store)) = postgres_corpus().await else {
        return;
    };
    the_index_follows_pages_and_pruning(&*store, store.pool()).await;
}

/// The migration that creates the index indexes the articles stored before it.
#[tokio::test]
async fn sqlite_migration_indexes_stored_articles() {
    let docs = corpus();
    let (dir, stored) = sqlite_corpus_rewound(
        &docs,
        "DROP TRIGGER article_search_forget; DROP TABLE article_search;
         DROP TABLE IF EXISTS article_search_content; DROP TRIGGER article_search_at_forget;
         DROP TABLE article_search_at; ALTER TABLE feed DROP COLUMN title;
         ALTER TABLE delivery DROP COLUMN folded_at;
         PRAGMA user_version = 17;",
    )
    .await;
    let path = dir.path().join("raqib.db");
    let reader = Reader::open(&path).unwrap();
    finds_stored_articles_as_the_watch_does(&reader, &docs, &stored).await;
}

#[tokio::test]
async fn postgres_migration_indexes_stored_articles() {
    let docs = corpus();
    let Some((db, store)) = postgres_corpus().await else {
        return;
    };
    let stored = store_corpus(&*store, &docs).await;
    db.client()
        .await
        .batch_execute(
            "DROP TABLE article_search; DROP TABLE page_claim; ALTER TABLE feed DROP COLUMN title;
             ALTER TABLE delivery DROP COLUMN folded_at; UPDATE raqib_schema SET version = 17;",
        )
        .await
        .unwrap();
    assert_eq!(
        raqib::store::postgres::migrate(store.pool()).await.unwrap(),
        [
            "0018_search_index",
            "0019_page_claims",
            "0020_search_newest",
            "0021_feed_title",
            "0022_delivery_folds",
            "0023_search_written_words"
        ]
    );
    finds_stored_articles_as_the_watch_does(store.pool(), &docs, &stored).await;
}

/// Articles holding a name only after a proclitic chain, or only bare.
const CLITIC_FORMS: &[(&str, &str)] = &[
    ("تصريح", "قال الحموشي إن التعاون مستمر."),
    ("موعد", "تأجل الاجتماع لأفريل المقبل."),
    ("زيارة", "استقبل وفدا بمكتب الوزير."),
    ("جولة", "حل الوزير وبالمغرب وفد."),
    ("تقرير", "نشر تقرير للقاعدة في الساحل."),
    ("بيان", "أصدر حموشي بيانا حول أفريل والمكتب."),
];

/// A query of a bare word finds the article holding it after a chain, a query of a word with
/// its article finds it after لل, and a query written with a chain finds it so written: on
/// both backends, as the watch does.
async fn bare_words_find_clitic_forms(store: &impl Storage, index: &impl SearchIndex) {
    let docs: Vec<Doc> = corpus()
        .into_iter()
        .zip(CLITIC_FORMS)
        .map(|(doc, (title, body))| Doc {
            title: title.to_string(),
            body: body.to_string(),
            ..doc
        })
        .collect();
    let stored = store_corpus(store, &docs).await;
    for (query, holders) in [
        ("حموشي", &[0, 5][..]),
        ("الحموشي", &[0]),
        ("أفريل", &[1, 5]),
        ("لأفريل", &[1]),
        ("مكتب", &[2, 5]),
        ("بمكتب", &[2]),
        ("المكتب", &[5]),
        ("مغرب", &[3]),
        ("المغرب", &[3]),
        ("وبالمغرب", &[3]),
        ("القاعدة", &[4]),
        ("للقاعدة", &[4]),
        ("حموشي أفريل", &[5]),
        ("حموشي NEAR/3 التعاون", &[0]),
    ] {
        let found = ids(&search(index, query, Sort::Newest).await);
        assert_eq!(found, expected(query, &docs, &stored), "{query}");
        let mut found = found;
        found.sort_unstable();
        let holders: Vec<i64> = holders.iter().map(|&i| stored[i]).collect();
        assert_eq!(found, holders, "{query}");
    }
}

#[tokio::test]
async fn sqlite_bare_words_find_clitic_forms() {
    let (dir, store) = sqlite_corpus();
    let reader = Reader::open(&dir.path().join("raqib.db")).unwrap();
    bare_words_find_clitic_forms(&*store, &reader).await;
}

#[tokio::test]
async fn postgres_bare_words_find_clitic_forms() {
    let Some((_db, store)) = postgres_corpus().await else {
        return;
    };
    bare_words_find_clitic_forms(&*store, store.pool()).await;
}

/// A database indexed before 0023 (its tokens whatever that version held) is indexed again
/// as written: old articles are found, tokens of no stored word are gone.
#[tokio::test]
async fn sqlite_migration_indexes_stored_articles_again_as_written() {
    let docs = corpus();
    let (dir, stored) = sqlite_corpus_rewound(
        &docs,
        "INSERT INTO article_search (article_search) VALUES ('delete-all');
         INSERT INTO article_search (rowid, terms, at)
             SELECT article_id, 'قديم', at FROM article_search_at;
         PRAGMA user_version = 22;",
    )
    .await;
    let path = dir.path().join("raqib.db");
    let reader = Reader::open(&path).unwrap();
    finds_stored_articles_as_the_watch_does(&reader, &docs, &stored).await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    let stale: i64 = conn
        .query_row(
            "SELECT count(*) FROM article_search WHERE article_search MATCH '\"قديم\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stale, 0);
}

#[tokio::test]
async fn postgres_migration_indexes_stored_articles_again_as_written() {
    let docs = corpus();
    let Some((db, store)) = postgres_corpus().await else {
        return;
    };
    let stored = store_corpus(&*store, &docs).await;
    let client = db.client().await;
    client
        .batch_execute(
            "UPDATE article_search SET terms = array_to_tsvector('{قديم}');
             UPDATE raqib_schema SET version = 22;",
        )
        .await
        .unwrap();
    assert_eq!(
        raqib::store::postgres::migrate(store.pool()).await.unwrap(),
        ["0023_search_written_words"]
    );
    finds_stored_articles_as_the_watch_does(store.pool(), &docs, &stored).await;
    let stale: i64 = client
        .query_one(
            "SELECT count(*) FROM article_search WHERE terms @@ 'قديم'::tsquery",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stale, 0);
}

#[test]
fn a_bad_query_names_the_problem_and_its_column() {
    let err = Search::new("حموشي AND (طنجة OR").err().unwrap().to_string();
    assert!(
        err.contains("column 19") && err.contains("expected"),
        "{err}"
    );
    let err = Search::new("NOT طنجة").err().unwrap().to_string();
    assert!(err.contains("must require at least one word"), "{err}");
}
