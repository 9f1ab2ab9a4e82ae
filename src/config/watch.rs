//! `[[watch]]`: what raqib looks for, when it alerts, and how each watch is checked.
//!
//! A watch names aliases, a query (see [`super::query`]) or both; context words narrow an
//! ambiguous alias; the alert policy decides whether a story raises one alert or each article
//! does. Every problem is reported with the line and column of the value at fault.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, Sink};

/// `[[watch]]`: an entity or topic to alert on.
#[derive(Debug, Clone)]
pub struct Watch {
    pub name: String,
    /// Any one of these fires the watch (ANDed with `query` when both are given).
    pub aliases: Vec<String>,
    /// The parsed `query` (see [`super::query`]).
    pub query: Option<super::query::Expr>,
    /// `query` as written in the file, for those who read the configured watches.
    pub query_text: Option<String>,
    /// Aliases that only count with one of their context words nearby.
    pub context: Vec<Context>,
    pub severity: Severity,
    /// Names of the sinks its alerts go to (every sink when the file names none).
    pub sinks: Vec<String>,
    /// When it raises an alert.
    pub alert: AlertPolicy,
}

/// `alert = "story" | "article" | "digest"`: when a watch raises an alert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AlertPolicy {
    /// Once per story: the first article raises it, later ones of the same story are recorded
    /// against it ("also reported by").
    #[default]
    Story,
    /// Once per article.
    Article,
    /// Once per story, the alerts of each period (`digest_every`, counted on the clocks of
    /// `zone`, the daemon's) delivered together.
    Digest {
        every: Duration,
        zone: chrono_tz::Tz,
    },
}

impl AlertPolicy {
    /// Whether a story raises one alert only.
    pub fn per_story(self) -> bool {
        !matches!(self, AlertPolicy::Article)
    }
}

/// `alert = …` as written.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawPolicy {
    Story,
    Article,
    Digest,
}

/// The period of a digest when `digest_every` is not given.
pub const DEFAULT_DIGEST_EVERY: Duration = Duration::from_secs(3600);

/// `context = { alias = "القاعدة", near = ["تنظيم", "إرهاب*"], within = 12 }`: an ambiguous alias
/// counts only with one of `near` at most `within` words away.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub alias: String,
    pub near: Vec<String>,
    pub within: u32,
}

/// Words a context word may be from its alias when `within` is not given.
pub const DEFAULT_CONTEXT_WITHIN: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWatch {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    query: Option<Spanned<String>>,
    context: Option<Spanned<RawContexts>>,
    severity: Option<Severity>,
    sinks: Option<Vec<Spanned<String>>>,
    alert: Option<RawPolicy>,
    digest_every: Option<Spanned<String>>,
}

/// One `context = { … }` table or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawContexts {
    One(RawContext),
    Many(Vec<RawContext>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    alias: String,
    near: Vec<String>,
    within: Option<u32>,
}

impl Checker<'_> {
    pub(super) fn watches(
        &mut self,
        raw: Vec<Spanned<RawWatch>>,
        sinks: &[Sink],
        zone: chrono_tz::Tz,
    ) -> Vec<Watch> {
        let mut watches: Vec<Watch> = Vec::new();
        for raw in raw {
            let span = raw.span();
            let raw = raw.into_inner();
            let Some(name) =
                self.unique_name("watch", &raw.name, watches.iter().map(|w| w.name.as_str()))
            else {
                continue;
            };
            if raw.aliases.is_empty() && raw.query.is_none() && raw.context.is_none() {
                self.problem(
                    span.start,
                    format!(
                        "watch {name:?} has neither aliases nor a query; add aliases = [\"…\"] or query = '…'"
                    ),
                );
            }
            let query = raw
                .query
                .as_ref()
                .and_then(|q| self.query(&name, q, raw.aliases.is_empty()));
            let mut aliases = Vec::new();
            for alias in &raw.aliases {
                let folded = crate::text::fold_str(alias.get_ref().trim().trim_end_matches('*'));
                if folded.chars().any(crate::text::is_word_char) {
                    aliases.push(alias.get_ref().trim().to_string());
                } else {
                    self.problem(
                        alias.span().start,
                        format!(
                            "watch {name:?}: alias {:?} has no letters or digits",
                            alias.get_ref()
                        ),
                    );
                }
            }
            let sink_names = match raw.sinks {
                None => sinks.iter().map(|s| s.name.clone()).collect(),
                Some(list) => {
                    for wanted in &list {
                        if !sinks.iter().any(|s| &s.name == wanted.get_ref()) {
                            let known: Vec<&str> = sinks.iter().map(|s| s.name.as_str()).collect();
                            self.problem(
                                wanted.span().start,
                                format!("watch {name:?} names sink {:?}, which is not defined (defined: {known:?})", wanted.get_ref()),
                            );
                        }
                    }
                    list.into_iter().map(Spanned::into_inner).collect()
                }
            };
            let context = self.contexts(&name, &mut aliases, raw.context);
            let alert = self.policy(
                &name,
                span.start,
                raw.alert,
                raw.digest_every.as_ref(),
                zone,
            );
            watches.push(Watch {
                name,
                aliases,
                query_text: query
                    .as_ref()
                    .and(raw.query.as_ref())
                    .map(|q| q.get_ref().clone()),
                query,
                context,
                severity: raw.severity.unwrap_or(Severity::Medium),
                sinks: sink_names,
                alert,
            });
        }
        watches
    }

    fn policy(
        &mut self,
        watch: &str,
        at: usize,
        policy: Option<RawPolicy>,
        every: Option<&Spanned<String>>,
        zone: chrono_tz::Tz,
    ) -> AlertPolicy {
        match policy {
            Some(RawPolicy::Digest) => AlertPolicy::Digest {
                every: self.duration(
                    every,
                    &format!("watch {watch:?} digest_every"),
                    DEFAULT_DIGEST_EVERY,
                    super::bounds::DIGEST_EVERY,
                ),
                zone,
            },
            other => {
                if every.is_some() {
                    self.problem(
                        at,
                        format!("watch {watch:?}: digest_every needs alert = \"digest\""),
                    );
                }
                match other {
                    Some(RawPolicy::Article) => AlertPolicy::Article,
                    _ => AlertPolicy::Story,
                }
            }
        }
    }

    /// Parse a watch's query; a problem points at the column where it stops making sense.
    fn query(
        &mut self,
        watch: &str,
        raw: &Spanned<String>,
        standalone: bool,
    ) -> Option<super::query::Expr> {
        let parsed = super::query::parse(raw.get_ref()).and_then(|expr| {
            if standalone {
                super::query::check_standalone(&expr)?;
            }
            Ok(expr)
        });
        match parsed {
            Ok(expr) => Some(expr),
            Err(err) => {
                let offset = self.offset_in_string(raw.span(), raw.get_ref(), err.column);
                self.problem(
                    offset,
                    format!(
                        "watch {watch:?}: query, column {}: {}",
                        err.column, err.message
                    ),
                );
                None
            }
        }
    }

    /// The byte offset in the file of character `column` (1-based) of a string value spanning
    /// `span`, exact for strings without escapes.
    fn offset_in_string(&self, span: std::ops::Range<usize>, value: &str, column: usize) -> usize {
        let literal = self.source.get(span.clone()).unwrap_or_default();
        let mut opening = if literal.starts_with("\"\"\"") || literal.starts_with("'''") {
            3
        } else {
            1
        };
        if literal[opening.min(literal.len())..].starts_with('\n') {
            opening += 1;
        }
        let within: usize = value
            .chars()
            .take(column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        span.start + opening + within
    }

    /// The watch's contexts. An alias named only under `context` is a conditional alias: it is
    /// added to `aliases` and, like any alias with a context, fires only near its words.
    fn contexts(
        &mut self,
        watch: &str,
        aliases: &mut Vec<String>,
        raw: Option<Spanned<RawContexts>>,
    ) -> Vec<Context> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        let at = raw.span().start;
        let raw = match raw.into_inner() {
            RawContexts::One(one) => vec![one],
            RawContexts::Many(many) => many,
        };
        let mut contexts = Vec::new();
        for raw in raw {
            let alias = raw.alias.trim();
            let folded = crate::text::fold_str(alias.trim_end_matches('*'));
            if !folded.chars().any(crate::text::is_word_char) {
                self.problem(
                    at,
                    format!(
                        "watch {watch:?}: context alias {:?} has no letters or digits",
                        raw.alias
                    ),
                );
                continue;
            }
            if raw.near.is_empty() {
                self.problem(
                    at,
                    format!(
                        "watch {watch:?}: context for {:?} needs near = [\"…\"] words",
                        raw.alias
                    ),
                );
                continue;
            }
            if let Some(word) = raw.near.iter().find(|w| {
                !crate::text::fold_str(w.trim().trim_end_matches('*'))
                    .chars()
                    .any(crate::text::is_word_char)
            }) {
                self.problem(
                    at,
                    format!("watch {watch:?}: context word {word:?} has no letters or digits"),
                );
                continue;
            }
            let within = raw.within.unwrap_or(DEFAULT_CONTEXT_WITHIN);
            if within > super::query::MAX_WITHIN {
                self.problem(
                    at,
                    format!(
                        "watch {watch:?}: context within = {within} is over {}",
                        super::query::MAX_WITHIN
                    ),
                );
                continue;
            }
            if !aliases
                .iter()
                .any(|a| crate::text::fold_str(a.trim_end_matches('*')) == folded)
            {
                aliases.push(alias.to_string());
            }
            contexts.push(Context {
                alias: alias.to_string(),
                near: raw.near,
                within,
            });
        }
        contexts
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Config;
    use super::super::tests::{load, problems};
    use super::*;

    #[test]
    fn queries_and_contexts_are_parsed_and_their_errors_located() {
        let config = load(
            r#"
[[watch]]
name = "events"
query = '("تأمين" NEAR/3 "التظاهرات الرياضية") OR (sécurité NEAR/5 (CAN OR "Coupe du monde"))'
[[watch]]
name = "al-qaeda"
aliases = ["تنظيم القاعدة", "Al-Qaïda", "AQMI", "القاعدة"]
context = { alias = "القاعدة", near = ["تنظيم", "إرهاب*", "داعش", "الساحل"], within = 12 }
"#,
        )
        .unwrap();
        assert!(config.watches[0].query.is_some());
        assert_eq!(config.watches[1].context[0].within, 12);

        let found = problems(
            r#"
[[watch]]
name = "broken"
query = 'DGSN AND (Tanger OR'
[[watch]]
name = "negative"
query = "NOT Tanger"
[[watch]]
name = "filtered"
aliases = ["DGSN"]
query = "lang:fr"
[[watch]]
name = "empty-context"
aliases = ["AQMI"]
context = [{ alias = " ", near = ["تنظيم"] }]
"#,
        );
        assert_eq!(found.len(), 3, "{found:?}");
        // Column 20 of the query is the end: after the quote at column 9, 9 + 1 + 19.
        assert_eq!((found[0].line, found[0].column), (4, 29), "{found:?}");
        assert!(
            found[0]
                .message
                .contains("\"broken\": query, column 20: expected a word")
        );
        assert!(found[0].message.contains("after OR, but the query ends"));
        assert_eq!(found[1].line, 7);
        assert!(found[1].message.contains("at least one word"));
        assert_eq!(found[2].line, 15);
        assert!(
            found[2]
                .message
                .contains("context alias \" \" has no letters")
        );
    }

    #[test]
    fn an_alias_given_only_under_context_is_a_conditional_alias() {
        // The watchlist issue's own example: القاعدة is not among `aliases`.
        let config = load(
            r#"
[[watch]]
name = "al-qaeda"
aliases = ["تنظيم القاعدة", "Al-Qaïda", "AQMI"]
context = { alias = "القاعدة", near = ["تنظيم", "إرهاب*", "داعش", "الساحل"], within = 12 }
[[watch]]
name = "only-context"
context = { alias = "الساحل", near = ["إرهاب*"] }
"#,
        )
        .unwrap();
        let watch = &config.watches[0];
        assert_eq!(watch.aliases.len(), 4, "{:?}", watch.aliases);
        assert_eq!(watch.aliases[3], "القاعدة");
        assert_eq!(watch.context[0].alias, "القاعدة");
        assert_eq!(config.watches[1].aliases, ["الساحل"]);
    }

    #[test]
    fn alert_policies_are_read_and_digest_every_belongs_to_digests() {
        let config = Config::from_toml(
            Path::new("c.toml"),
            "[[watch]]\nname = \"a\"\naliases = [\"x\"]\n\
             [[watch]]\nname = \"b\"\naliases = [\"x\"]\nalert = \"article\"\n\
             [[watch]]\nname = \"c\"\naliases = [\"x\"]\nalert = \"digest\"\n\
             [[watch]]\nname = \"d\"\naliases = [\"x\"]\nalert = \"digest\"\ndigest_every = \"15m\"\n",
        )
        .unwrap();
        let policies: Vec<AlertPolicy> = config.watches.iter().map(|w| w.alert).collect();
        assert_eq!(
            policies,
            [
                AlertPolicy::Story,
                AlertPolicy::Article,
                AlertPolicy::Digest {
                    every: DEFAULT_DIGEST_EVERY,
                    zone: chrono_tz::Tz::UTC
                },
                AlertPolicy::Digest {
                    every: Duration::from_secs(900),
                    zone: chrono_tz::Tz::UTC
                },
            ]
        );
        let err = Config::from_toml(
            Path::new("c.toml"),
            "[[watch]]\nname = \"a\"\naliases = [\"x\"]\ndigest_every = \"1h\"\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("digest_every needs alert = \"digest\""),
            "{err}"
        );
    }
}
