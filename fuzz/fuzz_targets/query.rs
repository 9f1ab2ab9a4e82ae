//! Watch queries through the parser and, when they parse, through compilation and a scan:
//! every error carries a column inside the query, and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return;
    };
    match raqib::config::query::parse(source) {
        Err(err) => assert!(err.column >= 1 && err.column <= source.chars().count() + 1),
        Ok(expr) => {
            let watch = raqib::config::Watch {
                name: "fuzz".into(),
                aliases: vec!["حموشي".into()],
                query: Some(expr),
                query_text: None,
                context: Vec::new(),
                severity: raqib::config::Severity::Medium,
                sinks: Vec::new(),
                alert: raqib::config::AlertPolicy::default(),
            };
            if let Ok(list) = raqib::watch::Watchlist::compile(&[watch]) {
                let _ = list.scan(&raqib::watch::Subject {
                    title: source,
                    body: "استقبل عبد اللطيف حموشي ألكسندر زوييف، DGSN à Rabat.",
                    outlet: "fuzz",
                    lang: Some("ar"),
                });
            }
        }
    }
});
