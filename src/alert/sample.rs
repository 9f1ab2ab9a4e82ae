//! The sample alert `raqib test-sink` sends: an Arabic article with a Latin name in its title,
//! matched in an Arabic and a Latin snippet, built as the daemon builds every alert.

use chrono::Utc;

use super::{About, AlertArticle, Draft, NewAlert};
use crate::config::{AlertPolicy, Severity, Watch};
use crate::watch::{Field, MARK, Match};

/// The sample alert, under an id of its own (a receiver that drops repeats, or a Matrix
/// homeserver keeping transaction ids, takes every test as new).
pub fn alert() -> NewAlert {
    let watch = Watch {
        name: "test-sink".into(),
        aliases: vec!["حموشي".into(), "Hammouchi".into()],
        query: None,
        query_text: None,
        context: Vec::new(),
        severity: Severity::High,
        sinks: Vec::new(),
        alert: AlertPolicy::Article,
    };
    let url = "https://example.org/raqib/test-sink";
    let matched = |term: &str, text: &str, field, before: &str, after: &str| Match {
        term: term.into(),
        text: text.into(),
        field,
        start: before.len(),
        end: before.len() + text.len(),
        snippet: format!("{before}{MARK}{text}{MARK}{after}"),
    };
    let matches = vec![
        matched(
            "حموشي",
            "حموشي",
            Field::Body,
            "استقبل المدير العام للأمن الوطني عبد اللطيف ",
            " بالرباط وفدا من مكتب الأمم المتحدة لمكافحة الإرهاب برئاسة Vladimir Voronkov.",
        ),
        matched(
            "Hammouchi",
            "Hammouchi",
            Field::Body,
            "Director General Abdellatif ",
            " received a UN counter-terrorism delegation in Rabat <on Monday> & Tuesday.",
        ),
    ];
    let draft = Draft {
        uid: format!("{:032x}", fastrand::u128(..)),
        ..Draft::new(
            &watch,
            Vec::new(),
            About {
                url: Some(url),
                feed_url: url,
                entry_key: "test-sink",
            },
            matches,
        )
    };
    let article = AlertArticle {
        id: 0,
        url: Some(url.into()),
        title: "حموشي يستقبل Vladimir Voronkov، وكيل الأمين العام للأمم المتحدة".into(),
        feed: url.into(),
        outlet: "raqib test-sink".into(),
        published_at: Some(Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        lang: Some("ar".into()),
    };
    draft.finish(
        0,
        0,
        &article,
        &["Hespress".into(), "Le360".into()],
        Utc::now(),
    )
}
