//! robots.txt for article pages, fetched once per origin and cached.
//!
//! RFC 9309: a robots.txt answering 4xx allows everything; one that cannot be fetched (5xx,
//! network error) disallows everything, retried sooner than a good answer is refreshed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use texting_robots::Robot;
use tokio::time::Instant;
use url::Url;

/// How long a fetched robots.txt is trusted.
const FRESH: Duration = Duration::from_secs(24 * 3600);
/// How long an unreachable robots.txt keeps an origin closed before it is asked again.
const RETRY: Duration = Duration::from_secs(3600);
/// The product token raqib answers to in robots.txt groups.
pub const AGENT: &str = "raqib";

/// What an origin's robots.txt said.
pub enum Rules {
    AllowAll,
    DisallowAll,
    Parsed(Box<Robot>),
}

impl Rules {
    /// Rules from a robots.txt response: its status and, for a 2xx, its body.
    pub fn from_response(status: u16, body: &[u8]) -> Rules {
        match status {
            200..=299 => {
                Robot::new(AGENT, body).map_or(Rules::AllowAll, |r| Rules::Parsed(Box::new(r)))
            }
            400..=499 => Rules::AllowAll,
            _ => Rules::DisallowAll,
        }
    }

    pub fn allows(&self, url: &Url) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
            Rules::Parsed(robot) => robot.allowed(url.as_str()),
        }
    }

    fn lifetime(&self) -> Duration {
        match self {
            Rules::DisallowAll => RETRY,
            _ => FRESH,
        }
    }
}

/// The per-origin cache.
#[derive(Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, (Instant, std::sync::Arc<Rules>)>>,
}

impl RobotsCache {
    /// The cached rules for `url`'s origin, if still fresh.
    pub fn get(&self, url: &Url) -> Option<std::sync::Arc<Rules>> {
        let origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        origins
            .get(&origin(url))
            .filter(|(expires, _)| *expires > Instant::now())
            .map(|(_, rules)| std::sync::Arc::clone(rules))
    }

    pub fn put(&self, url: &Url, rules: Rules) -> std::sync::Arc<Rules> {
        let rules = std::sync::Arc::new(rules);
        let expires = Instant::now() + rules.lifetime();
        self.origins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(origin(url), (expires, std::sync::Arc::clone(&rules)));
        rules
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Where `url`'s robots.txt lives.
pub fn location(url: &Url) -> Option<Url> {
    url.join("/robots.txt").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn statuses_follow_rfc_9309() {
        assert!(Rules::from_response(404, b"").allows(&url("https://x.ma/a")));
        assert!(!Rules::from_response(503, b"").allows(&url("https://x.ma/a")));
        let rules = Rules::from_response(
            200,
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: raqib\nDisallow: /no-bots/\n",
        );
        assert!(
            rules.allows(&url("https://x.ma/private/a")),
            "the raqib group replaces *"
        );
        assert!(!rules.allows(&url("https://x.ma/no-bots/a")));
        assert!(Rules::from_response(200, b"garbage \xff\xfe").allows(&url("https://x.ma/a")));
    }

    #[test]
    fn the_cache_is_per_origin() {
        let cache = RobotsCache::default();
        cache.put(&url("https://x.ma/a"), Rules::DisallowAll);
        assert!(cache.get(&url("https://x.ma/other")).is_some());
        assert!(cache.get(&url("http://x.ma/other")).is_none());
        assert!(
            location(&url("https://x.ma/a/b?c")).unwrap().as_str() == "https://x.ma/robots.txt"
        );
    }
}
