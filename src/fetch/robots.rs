//! robots.txt for article pages, fetched once per origin and cached.
//!
//! RFC 9309: a robots.txt answering 4xx allows everything; one that cannot be fetched (5xx,
//! network error) disallows everything, retried sooner than a good answer is refreshed.
//!
//! Expired entries are dropped at least every [`SWEEP_EVERY`], and when the cache holds
//! [`MAX_ORIGINS`] the entries closest to expiry go first: a dropped entry costs one more
//! fetch of that robots.txt, never a wrong answer.

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
/// How often expired entries are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// Origins remembered at most.
const MAX_ORIGINS: usize = 4096;
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
pub struct RobotsCache {
    sweep_every: Duration,
    max_origins: usize,
    origins: Mutex<Origins>,
}

struct Origins {
    /// Each origin's rules and when they expire.
    by_origin: HashMap<String, (Instant, std::sync::Arc<Rules>)>,
    swept_at: Instant,
}

impl Default for RobotsCache {
    fn default() -> RobotsCache {
        RobotsCache::bounded(SWEEP_EVERY, MAX_ORIGINS)
    }
}

impl RobotsCache {
    fn bounded(sweep_every: Duration, max_origins: usize) -> RobotsCache {
        RobotsCache {
            sweep_every,
            max_origins: max_origins.max(1),
            origins: Mutex::new(Origins {
                by_origin: HashMap::new(),
                swept_at: Instant::now(),
            }),
        }
    }

    /// The cached rules for `url`'s origin, if still fresh.
    pub fn get(&self, url: &Url) -> Option<std::sync::Arc<Rules>> {
        let origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        origins
            .by_origin
            .get(&origin(url))
            .filter(|(expires, _)| *expires > Instant::now())
            .map(|(_, rules)| std::sync::Arc::clone(rules))
    }

    pub fn put(&self, url: &Url, rules: Rules) -> std::sync::Arc<Rules> {
        let rules = std::sync::Arc::new(rules);
        let now = Instant::now();
        let mut origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        if now.duration_since(origins.swept_at) >= self.sweep_every {
            origins.by_origin.retain(|_, (expires, _)| *expires > now);
            origins.swept_at = now;
        }
        let key = origin(url);
        let excess = (origins.by_origin.len() + 1).saturating_sub(self.max_origins);
        if excess > 0 && !origins.by_origin.contains_key(&key) {
            let mut by_expiry: Vec<(Instant, String)> = origins
                .by_origin
                .iter()
                .map(|(origin, (expires, _))| (*expires, origin.clone()))
                .collect();
            by_expiry.sort();
            for (_, origin) in by_expiry.into_iter().take(excess) {
                origins.by_origin.remove(&origin);
            }
        }
        origins
            .by_origin
            .insert(key, (now + rules.lifetime(), std::sync::Arc::clone(&rules)));
        rules
    }

    /// Origins remembered.
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.origins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_origin
            .len()
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

    #[tokio::test(start_paused = true)]
    async fn expired_origins_are_dropped_at_the_next_sweep() {
        let cache = RobotsCache::bounded(Duration::from_secs(600), 100);
        cache.put(&url("https://a.ma/x"), Rules::DisallowAll);
        cache.put(&url("https://b.ma/x"), Rules::AllowAll);
        tokio::time::advance(RETRY).await;
        cache.put(&url("https://c.ma/x"), Rules::AllowAll);
        assert_eq!(
            cache.remembered(),
            2,
            "a.ma expired and went; b.ma is fresh"
        );
        assert!(cache.get(&url("https://b.ma/y")).is_some());
        tokio::time::advance(FRESH).await;
        cache.put(&url("https://d.ma/x"), Rules::AllowAll);
        assert_eq!(cache.remembered(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_cache_drops_the_entries_closest_to_expiry() {
        let cache = RobotsCache::bounded(Duration::from_secs(3600), 2);
        cache.put(&url("https://a.ma/x"), Rules::AllowAll);
        cache.put(&url("https://b.ma/x"), Rules::DisallowAll);
        cache.put(&url("https://a.ma/y"), Rules::AllowAll);
        assert_eq!(cache.remembered(), 2, "refreshing an origin takes no room");
        cache.put(&url("https://c.ma/x"), Rules::AllowAll);
        assert_eq!(cache.remembered(), 2);
        assert!(
            cache.get(&url("https://b.ma/x")).is_none(),
            "b.ma's retry was due first"
        );
        assert!(cache.get(&url("https://a.ma/x")).is_some());
        assert!(cache.get(&url("https://c.ma/x")).is_some());
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
