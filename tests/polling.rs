//! Polling against a hostile server on 127.0.0.1, with the pipeline's clock set by the test:
//! every outcome is recorded for its feed and the next due time follows the policy.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::{Resource, Server};
use raqib::config::Config;
use raqib::daemon::{Pipeline, PollError, Polled};
use raqib::health::{FeedStatus, feed_reports};
use raqib::store::{FeedHealth, Feeds};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 2, 12, 0, 0).unwrap()
}

struct Rig {
    pipeline: Pipeline,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    /// Seconds the pipeline's clock is ahead of `t0()`.
    offset: Arc<AtomicI64>,
}

impl Rig {
    /// A pipeline over `feeds` (TOML `[[feed]]` tables) whose clock reads `t0()` until the test
    /// moves it with [`Rig::advance`].
    fn new(daemon: &str, feeds: &str) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let source = format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nfetch_timeout = \"2s\"\n{daemon}\n{feeds}\n\
             [[watch]]\nname = \"h\"\naliases = [\"حموشي\", \"Hammouchi\"]\n[[sink]]\nname = \"log\"\ntype = \"log\"\n"
        );
        let config = Config::from_toml(&dir.path().join("config.toml"), &source).unwrap();
        let offset = Arc::new(AtomicI64::new(0));
        let seconds = Arc::clone(&offset);
        let clock =
            Arc::new(move || t0() + chrono::Duration::seconds(seconds.load(Ordering::SeqCst)));
        let pipeline = Pipeline::with_clock(config, clock).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Rig {
            pipeline,
            runtime,
            _dir: dir,
            offset,
        }
    }

    fn advance(&self, minutes: i64) {
        self.offset.fetch_add(minutes * 60, Ordering::SeqCst);
    }

    fn poll(&self, index: usize) -> (Result<Polled, PollError>, DateTime<Utc>) {
        let feed = self.pipeline.live().config.feeds[index].clone();
        self.runtime.block_on(self.pipeline.poll(&feed))
    }

    fn health(&self, index: usize) -> FeedHealth {
        let url = self.pipeline.live().config.feeds[index].url.to_string();
        self.runtime
            .block_on(self.pipeline.store().feed_health(url, t0()))
            .unwrap()
            .expect("the feed has a row")
    }

    /// A read connection of the test's own to the daemon's SQLite file.
    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self._dir.path().join("raqib.db")).unwrap()
    }

    fn query<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        self.db().query_row(sql, [], |row| row.get(0)).unwrap()
    }
}

/// `next` lies within the ±10 % jitter around `t0() + expected`.
fn assert_due(next: DateTime<Utc>, expected: Duration) {
    let delay = (next - t0()).to_std().unwrap();
    let (lo, hi) = (expected.mul_f64(0.9), expected.mul_f64(1.1));
    assert!(
        delay >= lo && delay <= hi,
        "next due in {delay:?}, expected {expected:?} ±10%"
    );
}

fn feed_toml(server: &Server, path: &str, extra: &str) -> String {
    format!("[[feed]]\nurl = \"{}\"\n{extra}\n", server.url(path))
}

const NO_ITEMS: [(&str, &str, DateTime<Utc>); 0] = [];

/// An RSS feed of `(title, link, date)` items.
fn rss<T: AsRef<str>, L: AsRef<str>>(items: &[(T, L, DateTime<Utc>)], extra: &str) -> String {
    let items: String = items
        .iter()
        .map(|(title, link, date)| {
            let (title, link) = (title.as_ref(), link.as_ref());
            format!("<item><title>{title}</title><link>{link}</link><guid>{link}</guid><pubDate>{}</pubDate><description>{title}</description></item>", date.to_rfc2822())
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{extra}{items}</channel></rss>"
    )
}

/// Publishes `items` on `/feed` one more at a time, polling after each: the rig that polled
/// and the alerts each poll raised.
fn publish_one_by_one(
    server: &Server,
    items: &[(String, String, DateTime<Utc>)],
) -> (Rig, Vec<usize>) {
    let rig = Rig::new("", &feed_toml(server, "/feed", ""));
    let alerts = (1..=items.len())
        .map(|published| {
            let list = &items[..published];
            server.put("/feed", Resource::new("application/rss+xml", rss(list, "")));
            rig.poll(0).0.unwrap().alerts
        })
        .collect();
    (rig, alerts)
}

const MIN: Duration = Duration::from_secs(60);

#[test]
fn a_429_honours_retry_after_in_seconds_and_a_503_an_http_date() {
    let server = Server::start();
    server.put(
        "/429",
        Resource::status(429, "slow down").with_header("Retry-After", "7200"),
    );
    server.put(
        "/503",
        Resource::status(503, "maintenance")
            .with_header("Retry-After", "Tue, 02 Dec 2025 15:00:00 GMT"),
    );
    let rig = Rig::new(
        "",
        &(feed_toml(&server, "/429", "") + &feed_toml(&server, "/503", "")),
    );

    let (result, next) = rig.poll(0);
    assert!(result.unwrap_err().to_string().contains("HTTP 429"));
    assert_eq!(
        next,
        t0() + chrono::Duration::hours(2),
        "Retry-After beats the 30 min backoff"
    );
    let health = rig.health(0);
    assert_eq!(health.consecutive_errors, 1);
    assert!(health.last_error.unwrap().contains("retry after 7200s"));
    assert_eq!(health.next_due_at.as_deref(), Some("2025-12-02T14:00:00Z"));

    let (result, next) = rig.poll(1);
    assert!(result.unwrap_err().to_string().contains("HTTP 503"));
    assert_eq!(next, t0() + chrono::Duration::hours(3));
}

#[test]
fn server_errors_back_off_exponentially_and_a_recovery_resets_the_count() {
    let server = Server::start();
    server.put("/feed", Resource::status(500, "boom"));
    let rig = Rig::new("", &feed_toml(&server, "/feed", ""));
    let (_, next) = rig.poll(0);
    assert_due(next, 30 * MIN);
    let (_, next) = rig.poll(0);
    assert_due(next, 60 * MIN);
    let (_, next) = rig.poll(0);
    assert_due(next, 120 * MIN);
    assert_eq!(rig.health(0).consecutive_errors, 3);

    server.put(
        "/feed",
        Resource::new("application/rss+xml", rss(&NO_ITEMS, "")),
    );
    let (result, next) = rig.poll(0);
    assert!(result.is_ok());
    assert_due(next, 15 * MIN);
    let health = rig.health(0);
    assert_eq!((health.consecutive_errors, health.last_error), (0, None));
    assert_eq!(
        health.last_success_at.as_deref(),
        Some("2025-12-02T12:00:00Z")
    );
}

#[test]
fn a_304_costs_no_parsing_and_an_unchanged_body_neither() {
    let server = Server::start();
    let body = rss(&[("Hammouchi in Rabat", "https://x.ma/1", t0())], "");
    server.put(
        "/etag",
        Resource::new("application/rss+xml", body.clone()).with_etag("\"v1\""),
    );
    server.put("/plain", Resource::new("application/rss+xml", body));
    let rig = Rig::new(
        "",
        &(feed_toml(&server, "/etag", "scrape = false")
            + &feed_toml(&server, "/plain", "scrape = false")),
    );

    let first = rig.poll(0).0.unwrap();
    assert_eq!((first.entries, first.new_articles, first.alerts), (1, 1, 1));
    let again = rig.poll(0).0.unwrap();
    assert!(again.not_modified && again.entries == 0);

    // The same entry through a second feed is not stored twice.
    let other = rig.poll(1).0.unwrap();
    assert_eq!((other.entries, other.new_articles), (1, 0));
    let unchanged = rig.poll(1).0.unwrap();
    assert!(unchanged.unchanged && !unchanged.not_modified && unchanged.entries == 0);
    assert_eq!(rig.query::<i64>("SELECT count(*) FROM article"), 1);
}

#[test]
fn transport_failures_are_recorded_by_kind() {
    let server = Server::start();
    server.put("/loop", Resource::redirect("/loop2"));
    server.put("/loop2", Resource::redirect("/loop"));
    server.put(
        "/slowloris",
        Resource::new("application/rss+xml", rss(&NO_ITEMS, ""))
            .with_dribble(Duration::from_millis(200)),
    );
    server.put(
        "/huge",
        Resource::new("application/rss+xml", vec![b' '; 3 * 1024 * 1024]),
    );
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![b' '; 16 * 1024 * 1024]).unwrap();
    server.put(
        "/bomb",
        Resource::new("application/rss+xml", bomb.finish().unwrap())
            .with_header("Content-Encoding", "gzip"),
    );
    server.put(
        "/malformed",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><item><title>broken",
        ),
    );
    let feeds: String = [
        "/loop",
        "/slowloris",
        "/huge",
        "/bomb",
        "/malformed",
        "/absent",
    ]
    .iter()
    .map(|p| feed_toml(&server, p, ""))
    .collect();
    let rig = Rig::new("max_body_bytes = 1048576", &feeds);

    let expected = [
        "more than 5 redirects",
        "timed out",
        "body larger than 1048576 bytes",
        "body larger than 1048576 bytes",
        "not a feed",
        "HTTP 404",
    ];
    for (index, expected) in expected.iter().enumerate() {
        let (result, next) = rig.poll(index);
        let error = result.expect_err(expected).to_string();
        assert!(error.contains(expected), "feed {index}: {error}");
        assert!(rig.health(index).last_error.unwrap().contains(expected));
        assert_due(next, 30 * MIN);
    }
}

#[test]
fn legacy_arabic_charsets_are_read_and_recorded() {
    let server = Server::start();
    let feed = rss(
        &[(
            "استقبل عبد اللطيف حموشي المسؤول الأممي بالرباط",
            "https://x.ma/1",
            t0(),
        )],
        "",
    )
    .replace("<?xml version=\"1.0\"?>", "");
    let padded = feed.replace(
        "<channel>",
        &format!(
            "<channel><description>{}</description>",
            "أخبار المغرب والعالم العربي ".repeat(20)
        ),
    );
    let (cp1256, _, _) = encoding_rs::WINDOWS_1256.encode(&padded);
    server.put(
        "/cp1256",
        Resource::new("application/rss+xml", cp1256.into_owned()),
    );
    let (iso, _, _) = encoding_rs::ISO_8859_6.encode(&feed);
    server.put(
        "/iso",
        Resource::new("application/rss+xml; charset=ISO-8859-6", iso.into_owned()),
    );
    let rig = Rig::new(
        "",
        &(feed_toml(&server, "/cp1256", "scrape = false")
            + &feed_toml(&server, "/iso", "scrape = false")),
    );

    let polled = rig.poll(0).0.unwrap();
    assert_eq!(
        (polled.new_articles, polled.alerts),
        (1, 1),
        "the Arabic title was decoded and matched"
    );
    assert_eq!(rig.health(0).encoding.as_deref(), Some("windows-1256"));
    let title: String = rig.query("SELECT title FROM article");
    assert_eq!(title, "استقبل عبد اللطيف حموشي المسؤول الأممي بالرباط");

    rig.poll(1).0.unwrap();
    assert_eq!(rig.health(1).encoding.as_deref(), Some("ISO-8859-6"));
}

#[test]
fn robots_txt_that_forbids_pages_keeps_the_feed_summary_and_fetches_nothing() {
    let server = Server::start();
    server.put(
        "/robots.txt",
        Resource::new("text/plain", "User-agent: *\nDisallow: /articles/\n"),
    );
    server.put(
        "/articles/1",
        Resource::new("text/html", "<p>never fetched</p>"),
    );
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            rss(
                &[("Hammouchi in Rabat", &server.url("/articles/1"), t0())],
                "",
            ),
        ),
    );
    let rig = Rig::new("", &feed_toml(&server, "/feed", ""));
    let polled = rig.poll(0).0.unwrap();
    assert_eq!(polled.new_articles, 1);
    assert_eq!(server.hits("/articles/1"), 0);
    assert_eq!(server.hits("/robots.txt"), 1);
    let (source, error): (String, String) = rig
        .db()
        .query_row("SELECT body_source, body_error FROM article", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(source, "feed");
    assert!(error.contains("robots.txt"), "{error}");
}

#[test]
fn the_interval_adapts_to_the_publishing_rate_and_to_the_outlet_s_wishes() {
    let server = Server::start();
    let every_20_min: Vec<(String, String, DateTime<Utc>)> = (0..6)
        .map(|i| {
            (
                format!("item {i}"),
                format!("https://x.ma/{i}"),
                t0() - chrono::Duration::minutes(20 * i),
            )
        })
        .collect();
    let items = &every_20_min[..];
    server.put(
        "/busy",
        Resource::new("application/rss+xml", rss(items, "")),
    );
    server.put(
        "/ttl",
        Resource::new("application/rss+xml", rss(items, "<ttl>180</ttl>")),
    );
    server.put(
        "/cached",
        Resource::new("application/rss+xml", rss(items, ""))
            .with_header("Cache-Control", "public, max-age=5400"),
    );
    let quiet = [("old", "https://y.ma/old", t0() - chrono::Duration::days(10))];
    server.put(
        "/quiet",
        Resource::new("application/rss+xml", rss(&quiet, "")),
    );
    let rig = Rig::new(
        "",
        &(feed_toml(&server, "/busy", "scrape = false")
            + &feed_toml(&server, "/ttl", "scrape = false\nmax_interval = \"6h\"")
            + &feed_toml(&server, "/cached", "scrape = false\nmax_interval = \"6h\"")
            + &feed_toml(&server, "/quiet", "scrape = false")),
    );

    let (_, next) = rig.poll(0);
    assert_due(next, 20 * MIN);
    assert_eq!(rig.health(0).interval_secs, Some(1200));
    let (_, next) = rig.poll(1);
    assert_due(next, 180 * MIN);
    let (_, next) = rig.poll(2);
    assert_due(next, 90 * MIN);
    let (_, next) = rig.poll(3);
    assert_due(next, 60 * MIN);

    let config = rig.pipeline.live().config.clone();
    let health: Vec<Option<FeedHealth>> = (0..4).map(|i| Some(rig.health(i))).collect();
    let statuses: Vec<FeedStatus> = feed_reports(&config, &health, t0())
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        vec![
            FeedStatus::Ok,
            FeedStatus::Ok,
            FeedStatus::Ok,
            FeedStatus::Stale
        ]
    );
}

#[test]
fn the_first_poll_stores_old_entries_without_alerting_on_them() {
    let server = Server::start();
    let items = [
        ("Hammouchi today", "https://x.ma/new", t0()),
        (
            "Hammouchi last month",
            "https://x.ma/old",
            t0() - chrono::Duration::days(30),
        ),
    ];
    server.put(
        "/feed",
        Resource::new("application/rss+xml", rss(&items, "")),
    );
    let rig = Rig::new("", &feed_toml(&server, "/feed", "scrape = false"));
    let polled = rig.poll(0).0.unwrap();
    assert_eq!((polled.new_articles, polled.alerts), (2, 1));
    assert_eq!(
        rig.query::<i64>("SELECT count(*) FROM \"match\""),
        4,
        "both are matched, in title and body"
    );
}

#[test]
fn outlet_rules_pick_the_body_and_a_redesign_is_reported() {
    let server = Server::start();
    let page = |class: &str| {
        format!(
            "<html><body><div class='{class}'><p>حموشي يستقبل وفدا أمنيا رفيع المستوى بالرباط لبحث التعاون في مكافحة الإرهاب والجريمة المنظمة العابرة للحدود.</p>\
             <div class='ad-slot'><p>إعلان ممول: اشترك الآن واحصل على تخفيض كبير على جميع المنتجات المعروضة في المتجر اليوم فقط.</p></div></div></body></html>"
        )
    };
    server.put(
        "/a/1",
        Resource::new("text/html; charset=utf-8", page("entry-content")),
    );
    server.put(
        "/a/2",
        Resource::new("text/html; charset=utf-8", page("post-body-v2")),
    );
    let item = |n: i64, age: i64| {
        (
            format!("مقال {n}"),
            server.url(&format!("/a/{n}")),
            t0() - chrono::Duration::minutes(age),
        )
    };
    let items = [item(1, 10)];
    let list = &items[..];
    server.put("/feed", Resource::new("application/rss+xml", rss(list, "")));
    let rules = "[feed.extract]\nbody = [\"div.entry-content\"]\nremove = [\".ad-slot\"]";
    let rig = Rig::new("", &feed_toml(&server, "/feed", rules));

    rig.poll(0).0.unwrap();
    let body: String = rig.query("SELECT body FROM article");
    assert!(
        body.starts_with("حموشي يستقبل") && !body.contains("إعلان ممول"),
        "{body}"
    );
    assert_eq!(rig.health(0).rule_missed_at, None);

    // The outlet redesigns: the rule no longer matches; the general extractor takes over.
    let items = [item(1, 10), item(2, 5)];
    let list = &items[..];
    server.put("/feed", Resource::new("application/rss+xml", rss(list, "")));
    rig.poll(0).0.unwrap();
    let body: String = rig.query("SELECT body FROM article WHERE url LIKE '%/a/2'");
    assert!(body.contains("حموشي يستقبل"), "{body}");
    let health = rig.health(0);
    assert_eq!(
        health.rule_missed_at.as_deref(),
        Some("2025-12-02T12:00:00Z")
    );
    let config = rig.pipeline.live().config.clone();
    let text = raqib::health::render_text(&feed_reports(&config, &[Some(health)], t0()), t0());
    assert!(
        text.contains("extract.body rule matches nothing since 2025-12-02T12:00:00Z"),
        "{text}"
    );
}

/// Six unrelated events an outlet reports, as headline and four paragraphs (none names the
/// watched person).
const EVENTS: [(&str, [&str; 4]); 6] = [
    (
        "المغرب وإسبانيا يعززان التنسيق الأمني في مضيق جبل طارق",
        [
            "احتضنت مدينة الرباط، اليوم الثلاثاء، اجتماعا ثنائيا بين مسؤولين أمنيين مغاربة ونظرائهم الإسبان خصص لتقييم حصيلة التعاون في مراقبة الحدود البحرية.",
            "وتناول الاجتماع سبل تبادل المعطيات حول شبكات تهريب المهاجرين التي تنشط على السواحل الشمالية، إضافة إلى تنسيق الدوريات المشتركة خلال فصل الصيف.",
            "وأكد الجانبان عزمهما على توسيع هذا التعاون ليشمل مكافحة الجرائم الإلكترونية وتزوير الوثائق.",
            "ومن المنتظر أن تعقد الدورة المقبلة من هذه اللقاءات في مدريد خلال الربيع القادم.",
        ],
    ),
    (
        "افتتاح مقر جديد للأمن الإقليمي بمدينة طنجة",
        [
            "دشنت المديرية العامة للأمن الوطني مقرا جديدا للأمن الإقليمي بحي بني مكادة في طنجة، بكلفة ناهزت أربعين مليون درهم.",
            "ويضم المقر الجديد قاعة للقيادة والتنسيق مجهزة بشاشات المراقبة، ومصلحة لاستقبال المرتفقين تعمل على مدار الساعة، وفضاء خاصا بالتكفل بالنساء ضحايا العنف.",
            "ويأتي هذا المشروع في إطار خطة لتقريب الخدمات الأمنية من سكان الأحياء الشعبية التي عرفت توسعا عمرانيا كبيرا.",
            "وحضر حفل الافتتاح والي جهة طنجة تطوان الحسيمة وعدد من المنتخبين المحليين.",
        ],
    ),
    (
        "تفكيك شبكة لترويج المخدرات الصلبة بالدار البيضاء",
        [
            "تمكنت عناصر الشرطة القضائية بالدار البيضاء من توقيف خمسة أشخاص يشتبه في ارتباطهم بشبكة إجرامية تنشط في ترويج الكوكايين والأقراص المهلوسة.",
            "وأسفرت عمليات التفتيش عن حجز كميات من المخدرات ومبالغ مالية وسيارتين كانتا تستعملان في نقل الممنوعات بين أحياء المدينة.",
            "وقد وضع الموقوفون تحت تدبير الحراسة النظرية رهن إشارة البحث القضائي الذي تشرف عليه النيابة العامة المختصة.",
            "ولا تزال الأبحاث جارية لتوقيف باقي المتورطين المحتملين في هذه القضية.",
        ],
    ),
    (
        "تخرج فوج جديد من مفتشي الشرطة بالمعهد الملكي بالقنيطرة",
        [
            "شهد المعهد الملكي للشرطة بالقنيطرة حفل تخرج فوج جديد يضم أزيد من ألف وثلاثمائة مفتش ومفتشة بعد تكوين دام سنتين.",
            "وتلقى المتخرجون دروسا نظرية في القانون الجنائي وحقوق الإنسان، إلى جانب تداريب ميدانية في التدخل والإسعافات الأولية وتقنيات البحث العلمي.",
            "وتميز الحفل بتقديم عروض رياضية واستعراض للوحدات الخاصة أمام عائلات الخريجين.",
            "وسيلتحق الخريجون بمختلف المصالح الأمنية عبر جهات المملكة ابتداء من الشهر المقبل.",
        ],
    ),
    (
        "إطلاق الجيل الجديد من البطاقة الوطنية الإلكترونية",
        [
            "أعلنت المديرية العامة للأمن الوطني عن الشروع في إصدار الجيل الجديد من البطاقة الوطنية للتعريف الإلكترونية، المزودة بشريحة تتيح التحقق من الهوية عن بعد.",
            "وتسمح البطاقة الجديدة لحامليها بالولوج إلى عدد من الخدمات الإدارية الرقمية دون الحاجة إلى التنقل، كطلب الوثائق وتتبع الملفات.",
            "ويمكن للمواطنين حجز موعد لإيداع طلباتهم عبر البوابة الإلكترونية المخصصة لهذا الغرض.",
            "وتبقى البطاقات القديمة صالحة إلى غاية انتهاء مدة صلاحيتها.",
        ],
    ),
    (
        "مخطط أمني لتأمين مباريات كأس إفريقيا للأمم",
        [
            "كشفت السلطات عن مخطط أمني شامل لمواكبة مباريات كأس إفريقيا للأمم التي تحتضنها ستة ملاعب في مدن مغربية مختلفة.",
            "ويقوم المخطط على تعبئة آلاف العناصر من مختلف الأجهزة، واستعمال كاميرات ذكية لرصد الحشود في محيط الملاعب ومحطات النقل.",
            "كما سيتم إحداث خلايا لاستقبال المشجعين الأجانب وتوجيههم بعدة لغات طيلة أيام البطولة.",
            "وتراهن اللجنة المنظمة على إنجاح هذا الموعد القاري قبل استضافة كأس العالم.",
        ],
    ),
];

/// A standing teaser at the tail of every article of an outlet, whatever the story, is its
/// furniture: once carried by enough articles of different stories it is dropped, and alerts
/// no more.
#[test]
fn a_paragraph_an_outlet_repeats_at_the_tail_of_everything_stops_alerting() {
    let server = Server::start();
    let teaser = "اقرأ أيضا في الموقع: حموشي يترأس حفل تخرج الفوج الجديد من حراس الأمن";
    let stories = [
        "أعلنت وزارة الفلاحة عن إطلاق برنامج جديد لدعم الفلاحين الصغار في جهة سوس ماسة، يشمل تمويل مشاريع الري بالتنقيط وتوزيع البذور المختارة.",
        "سجلت مدينة فاس ارتفاعا ملحوظا في درجات الحرارة خلال نهاية الأسبوع، حيث تجاوزت الأربعين درجة، وسط توقعات باستمرار الموجة لأيام.",
        "افتتح المعرض الدولي للكتاب بالرباط أبوابه أمام الزوار بمشاركة أكثر من سبعمائة عارض من خمسين دولة، مع برنامج ثقافي غني.",
        "قرر المجلس الجماعي للدار البيضاء توسيع شبكة الترامواي بخطين جديدين يربطان الأحياء الشرقية بوسط المدينة قبل نهاية السنة المقبلة.",
        "انطلقت بمراكش فعاليات المهرجان الدولي للفيلم بعرض شريط افتتاحي من توقيع مخرجة شابة، بحضور نجوم من السينما العربية والعالمية.",
        "أطلقت شركة الطرق السيارة أشغال توسيع المقطع الرابط بين الرباط والقنيطرة إلى ثلاثة مسارات في كل اتجاه لتخفيف الاكتظاظ.",
    ];
    // Twelve articles on twelve subjects, short notes and full reports in turn.
    let bodies = stories
        .iter()
        .zip(EVENTS)
        .flat_map(|(story, (_, paragraphs))| {
            [
                format!("<p>{story}</p>"),
                paragraphs.map(|p| format!("<p>{p}</p>")).concat(),
            ]
        });
    let mut items = Vec::new();
    for (n, body) in bodies.enumerate() {
        let path = format!("/p/{n}");
        server.put(
            &path,
            Resource::new(
                "text/html; charset=utf-8",
                format!("<html><body><article>{body}<p>{teaser}</p></article></body></html>"),
            ),
        );
        items.push((
            format!("خبر {n}"),
            server.url(&path),
            t0() - chrono::Duration::minutes(10 * (12 - n as i64)),
        ));
    }
    let (rig, alerts) = publish_one_by_one(&server, &items);
    assert_eq!(
        alerts,
        [vec![1; 10], vec![0; 2]].concat(),
        "the teaser alerts until the outlet has carried it in ten articles"
    );
    let short: String = rig.query("SELECT body FROM article WHERE url LIKE '%/p/10'");
    assert_eq!(short, stories[5]);
    let full: String = rig.query("SELECT body FROM article WHERE url LIKE '%/p/11'");
    assert_eq!(full, EVENTS[5].1.join("\n\n"), "the report is whole");
}

#[test]
fn a_failed_page_is_retried_later_and_its_full_text_can_alert() {
    let server = Server::start();
    let items = [
        ("خبر أمني", server.url("/p/late"), t0()),
        ("خبر آخر", server.url("/p/never"), t0()),
    ];
    let list = &items[..];
    server.put("/feed", Resource::new("application/rss+xml", rss(list, "")));
    let rig = Rig::new("", &feed_toml(&server, "/feed", ""));

    let first = rig.poll(0).0.unwrap();
    assert_eq!(
        (first.new_articles, first.alerts),
        (2, 0),
        "the summaries name no watch"
    );
    assert_eq!(
        rig.query::<String>("SELECT body_source FROM article WHERE url LIKE '%/late'"),
        "feed"
    );

    rig.advance(10);
    rig.poll(0).0.unwrap();
    assert_eq!(server.hits("/p/late"), 1, "not due before 30 minutes");

    let text = "استقبل المدير العام للأمن الوطني عبد اللطيف حموشي بالرباط وفدا أمنيا رفيع المستوى لبحث التعاون الثنائي في مكافحة الإرهاب.";
    server.put(
        "/p/late",
        Resource::new(
            "text/html; charset=utf-8",
            format!("<html><body><article><p>{text}</p></article></body></html>"),
        ),
    );
    rig.advance(25);
    let retried = rig.poll(0).0.unwrap();
    assert_eq!(retried.alerts, 1, "the full text names حموشي");
    assert_eq!(
        rig.query::<String>("SELECT body FROM article WHERE url LIKE '%/late'"),
        text
    );
    assert_eq!(
        rig.query::<String>("SELECT body_source FROM article WHERE url LIKE '%/late'"),
        "page"
    );
    assert_eq!(rig.query::<i64>("SELECT count(*) FROM alert"), 1);

    // Later polls do not fetch the completed page again, and the missing page is given up
    // after four attempts (retries 30 min, 2 h and 8 h after the previous one).
    for _ in 0..12 {
        rig.advance(60);
        assert_eq!(rig.poll(0).0.unwrap().alerts, 0);
    }
    assert_eq!(server.hits("/p/late"), 2);
    // Attempts at +0, +35 min, +2 h 35, +10 h 35: four in all, then none.
    assert_eq!(server.hits("/p/never"), 4);
    rig.advance(24 * 60);
    rig.poll(0).0.unwrap();
    assert_eq!(server.hits("/p/never"), 4);
    assert_eq!(
        rig.query::<i64>("SELECT count(*) FROM article WHERE page_retry_at IS NOT NULL"),
        0
    );
    assert!(
        rig.query::<String>("SELECT body_error FROM article WHERE url LIKE '%/never'")
            .contains("HTTP 404")
    );
}

/// Six articles of one outlet about six unrelated events, each repeating in its middle the same
/// background paragraph on the watched person: that is text, kept in all six, and each alerts.
#[test]
fn a_background_paragraph_repeated_across_different_events_is_kept_and_alerts_each_time() {
    let server = Server::start();
    let background = "ويشغل عبد اللطيف حموشي منصب المدير العام للأمن الوطني ولمراقبة التراب الوطني منذ سنة 2015، وقد أشرف على إصلاحات همت تحديث البنيات الأمنية وتعزيز التعاون الدولي في مجال مكافحة الإرهاب.";
    let mut items = Vec::new();
    for (n, (headline, paragraphs)) in EVENTS.iter().enumerate() {
        let path = format!("/news/{n}");
        let [lead, detail, follow, close] = paragraphs;
        server.put(
            &path,
            Resource::new(
                "text/html; charset=utf-8",
                format!(
                    "<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>\
                     <p>{lead}</p><p>{detail}</p><p>{background}</p><p>{follow}</p><p>{close}</p></article></body></html>"
                ),
            ),
        );
        items.push((
            headline.to_string(),
            server.url(&path),
            t0() - chrono::Duration::minutes(10 * (6 - n as i64)),
        ));
    }
    let (rig, alerts) = publish_one_by_one(&server, &items);
    assert_eq!(
        alerts,
        vec![1; 6],
        "each article's background paragraph names the watched person"
    );
    let kept: i64 = rig.query(&format!(
        "SELECT count(*) FROM article WHERE instr(body, '{background}') > 0"
    ));
    assert_eq!(kept, 6, "the background paragraph stays in every body");
}

/// A page without a date in its markup, from an entry without a date in the feed: the only
/// date in sight is a related story's in the sidebar above the article, years old. The article
/// is stored with that guess, and still alerts: only a stated date makes an article too old.
#[test]
fn a_date_guessed_from_a_sidebar_does_not_silence_an_alert() {
    let server = Server::start();
    server.put(
        "/news/visit",
        Resource::new(
            "text/html; charset=utf-8",
            "<html lang=\"fr\"><head><title>Visite</title></head><body>\
             <aside class=\"widget\"><ul><li><span>12/03/2019</span></li></ul></aside>\
             <article><h1>Hammouchi reçoit une délégation</h1>\
             <p>Abdellatif Hammouchi a reçu lundi à Rabat une délégation venue discuter de la \
             coopération en matière de sécurité des frontières et d'échange d'informations.</p>\
             <p>La réunion s'est conclue par une déclaration commune sur la formation des agents \
             des deux services au cours des prochains mois.</p></article></body></html>",
        ),
    );
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
                 <item><title>Hammouchi reçoit une délégation</title><link>{}</link></item>\
                 </channel></rss>",
                server.url("/news/visit")
            ),
        ),
    );
    let rig = Rig::new("", &feed_toml(&server, "/feed", ""));
    let polled = rig.poll(0).0.unwrap();
    let stored: String = rig.query("SELECT published_at FROM article");
    assert!(
        stored.starts_with("2019-03-12"),
        "the guess is kept: {stored}"
    );
    assert_eq!(polled.alerts, 1, "a guessed date does not make it too old");
}
