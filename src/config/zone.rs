//! `timezone`, in `[daemon]` and per `[[feed]]`: the IANA zone whose clocks a date without an
//! offset was written on, and on whose days and hours digests align.

use chrono_tz::Tz;
use toml::Spanned;

use super::Checker;

impl Checker<'_> {
    /// The zone named by `value` for the key `what`, or `default` when absent; an unknown
    /// name is a problem.
    pub(super) fn zone(&mut self, value: Option<&Spanned<String>>, what: &str, default: Tz) -> Tz {
        let Some(value) = value else { return default };
        let name = value.get_ref();
        name.trim().parse().unwrap_or_else(|_| {
            self.problem(
                value.span().start,
                format!(
                    "{what} {name:?} is not an IANA time zone name; write e.g. \"Africa/Casablanca\" or \"UTC\""
                ),
            );
            default
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, problems};
    use super::*;

    #[test]
    fn zones_default_to_utc_and_feeds_to_the_daemon_s() {
        let config = load("[[feed]]\nurl = \"https://x.ma/feed\"\n").unwrap();
        assert_eq!(config.daemon.timezone, Tz::UTC);
        assert_eq!(config.feeds[0].timezone, Tz::UTC);
        let config = load(
            "[daemon]\ntimezone = \"Africa/Casablanca\"\n\
             [[feed]]\nurl = \"https://x.ma/feed\"\n\
             [[feed]]\nurl = \"https://y.fr/feed\"\ntimezone = \"Europe/Paris\"\n",
        )
        .unwrap();
        assert_eq!(config.daemon.timezone, Tz::Africa__Casablanca);
        assert_eq!(config.feeds[0].timezone, Tz::Africa__Casablanca);
        assert_eq!(config.feeds[1].timezone, Tz::Europe__Paris);
    }

    #[test]
    fn an_unknown_zone_is_a_problem_naming_it_and_its_feed() {
        let found = problems(
            "[daemon]\ntimezone = \"Africa/Casablance\"\n\
             [[feed]]\nurl = \"https://x.ma/feed\"\ntimezone = \"+01:00\"\n",
        );
        let found: Vec<(usize, &str)> =
            found.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    "daemon.timezone \"Africa/Casablance\" is not an IANA time zone name; write e.g. \"Africa/Casablanca\" or \"UTC\""
                ),
                (
                    5,
                    "feed \"https://x.ma/feed\" timezone \"+01:00\" is not an IANA time zone name; write e.g. \"Africa/Casablanca\" or \"UTC\""
                ),
            ]
        );
    }
}
