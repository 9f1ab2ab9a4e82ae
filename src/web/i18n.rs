//! The interface's words in English, French and Arabic, and the language a request asks for.
//! Outlets' text is never translated: only the labels around it.

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Ar,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    /// The writing direction of the interface in this language.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En | Lang::Fr => "ltr",
        }
    }

    fn table(self) -> &'static [(Key, &'static str)] {
        match self {
            Lang::En => EN,
            Lang::Fr => FR,
            Lang::Ar => AR,
        }
    }

    /// The words for `key`; the catalogue's test makes sure every language has them, English
    /// stands in should one ever lack them.
    pub fn text(self, key: Key) -> &'static str {
        let find = |table: &[(Key, &'static str)]| {
            table.iter().find(|(k, _)| *k == key).map(|(_, text)| *text)
        };
        find(self.table()).or_else(|| find(EN)).unwrap_or("")
    }
}

/// The language of an `Accept-Language` header: the supported one with the highest q-value
/// (the first listed among equals), English when none is offered or the header is unreadable.
pub fn negotiate(accept_language: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for item in accept_language.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        let lang = match primary.to_ascii_lowercase().as_str() {
            "en" => Lang::En,
            "fr" => Lang::Fr,
            "ar" => Lang::Ar,
            _ => continue,
        };
        let mut q = 1.0_f32;
        for param in parts {
            if let Some(value) = param.trim().strip_prefix("q=") {
                // A q-value that cannot be read ranks the language last rather than first.
                q = value.trim().parse().unwrap_or(0.0);
            }
        }
        if !(q > 0.0 && q <= 1.0) {
            continue;
        }
        if best.is_none_or(|(top, _)| q > top) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::En, |(_, lang)| lang)
}

macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A string of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),* }

        #[cfg(test)]
        const ALL: &[Key] = &[$(Key::$key),*];
    };
}

keys! {
    Raqib, Alerts, Stories, Story, Feeds, Watches, Search, Watch, Severity, Any, Filter, Outlet,
    Published, Raised, Original, Articles, FirstSeen, LastSeen, Outlets, Status, LastSuccess,
    Errors, NextDue, Interval, Last7Days, Aliases, Query, Matches, AlsoReportedBy, Nothing,
    NotFound, BadQuery, Unavailable, Never, StatusNew, StatusOk, StatusFailing, StatusStale,
    SearchHelp, Results,
}

const EN: &[(Key, &str)] = &[
    (Key::Raqib, "raqib"),
    (Key::Alerts, "Alerts"),
    (Key::Stories, "Stories"),
    (Key::Story, "Story"),
    (Key::Feeds, "Feeds"),
    (Key::Watches, "Watches"),
    (Key::Search, "Search"),
    (Key::Watch, "Watch"),
    (Key::Severity, "Severity"),
    (Key::Any, "Any"),
    (Key::Filter, "Filter"),
    (Key::Outlet, "Outlet"),
    (Key::Published, "Published"),
    (Key::Raised, "Raised"),
    (Key::Original, "Read the original"),
    (Key::Articles, "Articles"),
    (Key::FirstSeen, "First seen"),
    (Key::LastSeen, "Last seen"),
    (Key::Outlets, "Outlets, in the order they published"),
    (Key::Status, "Status"),
    (Key::LastSuccess, "Last success"),
    (Key::Errors, "Errors"),
    (Key::NextDue, "Next poll"),
    (Key::Interval, "Interval"),
    (Key::Last7Days, "Articles, 7 days"),
    (Key::Aliases, "Aliases"),
    (Key::Query, "Query"),
    (Key::Matches, "Matches"),
    (Key::AlsoReportedBy, "Also reported by"),
    (Key::Nothing, "Nothing to show."),
    (Key::NotFound, "Not found."),
    (Key::BadQuery, "The query cannot be read:"),
    (Key::Unavailable, "The archive cannot be read right now."),
    (Key::Never, "never"),
    (Key::StatusNew, "new"),
    (Key::StatusOk, "ok"),
    (Key::StatusFailing, "failing"),
    (Key::StatusStale, "stale"),
    (
        Key::SearchHelp,
        "The watch query language: words, \"phrases\", word*, AND, OR, NOT, NEAR/n, title:…",
    ),
    (Key::Results, "Results"),
];

const FR: &[(Key, &str)] = &[
    (Key::Raqib, "raqib"),
    (Key::Alerts, "Alertes"),
    (Key::Stories, "Sujets"),
    (Key::Story, "Sujet"),
    (Key::Feeds, "Flux"),
    (Key::Watches, "Veilles"),
    (Key::Search, "Rechercher"),
    (Key::Watch, "Veille"),
    (Key::Severity, "Gravité"),
    (Key::Any, "Toutes"),
    (Key::Filter, "Filtrer"),
    (Key::Outlet, "Média"),
    (Key::Published, "Publié"),
    (Key::Raised, "Levée"),
    (Key::Original, "Lire l’original"),
    (Key::Articles, "Articles"),
    (Key::FirstSeen, "Vu la première fois"),
    (Key::LastSeen, "Vu la dernière fois"),
    (Key::Outlets, "Médias, dans l’ordre de publication"),
    (Key::Status, "État"),
    (Key::LastSuccess, "Dernier succès"),
    (Key::Errors, "Erreurs"),
    (Key::NextDue, "Prochaine lecture"),
    (Key::Interval, "Intervalle"),
    (Key::Last7Days, "Articles, 7 jours"),
    (Key::Aliases, "Alias"),
    (Key::Query, "Requête"),
    (Key::Matches, "Correspondances"),
    (Key::AlsoReportedBy, "Repris aussi par"),
    (Key::Nothing, "Rien à afficher."),
    (Key::NotFound, "Introuvable."),
    (Key::BadQuery, "La requête est illisible :"),
    (Key::Unavailable, "L’archive est illisible pour le moment."),
    (Key::Never, "jamais"),
    (Key::StatusNew, "nouveau"),
    (Key::StatusOk, "ok"),
    (Key::StatusFailing, "en échec"),
    (Key::StatusStale, "muet"),
    (
        Key::SearchHelp,
        "Le langage des veilles : mots, « expressions » entre guillemets droits, mot*, AND, OR, NOT, NEAR/n, title:…",
    ),
    (Key::Results, "Résultats"),
];

const AR: &[(Key, &str)] = &[
    (Key::Raqib, "رقيب"),
    (Key::Alerts, "التنبيهات"),
    (Key::Stories, "القصص"),
    (Key::Story, "القصة"),
    (Key::Feeds, "المصادر"),
    (Key::Watches, "المراقبات"),
    (Key::Search, "بحث"),
    (Key::Watch, "المراقبة"),
    (Key::Severity, "الخطورة"),
    (Key::Any, "الكل"),
    (Key::Filter, "تصفية"),
    (Key::Outlet, "المنبر"),
    (Key::Published, "نُشر"),
    (Key::Raised, "أُطلق"),
    (Key::Original, "قراءة الأصل"),
    (Key::Articles, "المقالات"),
    (Key::FirstSeen, "أول ظهور"),
    (Key::LastSeen, "آخر ظهور"),
    (Key::Outlets, "المنابر بترتيب النشر"),
    (Key::Status, "الحالة"),
    (Key::LastSuccess, "آخر نجاح"),
    (Key::Errors, "الأخطاء"),
    (Key::NextDue, "القراءة التالية"),
    (Key::Interval, "الفاصل"),
    (Key::Last7Days, "مقالات سبعة أيام"),
    (Key::Aliases, "الأسماء البديلة"),
    (Key::Query, "الاستعلام"),
    (Key::Matches, "المطابقات"),
    (Key::AlsoReportedBy, "نقلها أيضا"),
    (Key::Nothing, "لا شيء للعرض."),
    (Key::NotFound, "غير موجود."),
    (Key::BadQuery, "تعذرت قراءة الاستعلام:"),
    (Key::Unavailable, "تتعذر قراءة الأرشيف حاليا."),
    (Key::Never, "أبدا"),
    (Key::StatusNew, "جديد"),
    (Key::StatusOk, "سليم"),
    (Key::StatusFailing, "متعطل"),
    (Key::StatusStale, "خامل"),
    (
        Key::SearchHelp,
        "لغة استعلام المراقبات: كلمات، \"عبارات\"، كلمة*، AND وOR وNOT وNEAR/n و title:…",
    ),
    (Key::Results, "النتائج"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_every_language_once() {
        for lang in [Lang::En, Lang::Fr, Lang::Ar] {
            for key in ALL {
                let found: Vec<_> = lang.table().iter().filter(|(k, _)| k == key).collect();
                assert_eq!(found.len(), 1, "{key:?} in {lang:?}: {found:?}");
                assert!(!found[0].1.trim().is_empty(), "{key:?} empty in {lang:?}");
            }
            assert_eq!(lang.table().len(), ALL.len(), "{lang:?}");
        }
    }

    #[test]
    fn arabic_strings_are_arabic() {
        let latin: Vec<_> = AR
            .iter()
            .filter(|(_, text)| !text.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c)))
            .collect();
        assert!(latin.is_empty(), "left untranslated: {latin:?}");
    }

    #[test]
    fn the_highest_q_value_wins_english_by_default() {
        assert_eq!(negotiate(""), Lang::En);
        assert_eq!(negotiate("de-DE, es"), Lang::En);
        assert_eq!(negotiate("ar"), Lang::Ar);
        assert_eq!(negotiate("ar-MA,ar;q=0.9"), Lang::Ar);
        assert_eq!(negotiate("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5"), Lang::Fr);
        assert_eq!(negotiate("en;q=0.5, ar;q=0.8"), Lang::Ar);
        assert_eq!(negotiate("de, fr;q=0.3, AR;q=0.7"), Lang::Ar);
        assert_eq!(negotiate("ar;q=0, fr;q=0.1"), Lang::Fr);
        assert_eq!(negotiate("fr;q=0.5, ar;q=0.5"), Lang::Fr);
        assert_eq!(negotiate("ar;q=banana, en;q=0.2"), Lang::En);
        assert_eq!(negotiate("ar;q=2"), Lang::En);
        assert_eq!(negotiate("fr_FR"), Lang::Fr);
    }
}
