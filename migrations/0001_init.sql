-- The first schema: feeds with their HTTP validators and health, articles, stories, matches,
-- alerts, and the delivery outbox. Times are RFC 3339 text in UTC ("2025-12-02T08:15:00Z")
-- except article.published_at, which keeps the offset the outlet gave.

CREATE TABLE feed (
    id                 INTEGER PRIMARY KEY,
    url                TEXT NOT NULL UNIQUE,
    outlet             TEXT NOT NULL,
    etag               TEXT,
    last_modified      TEXT,
    last_polled_at     TEXT,
    last_success_at    TEXT,
    last_error         TEXT,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    next_due_at        TEXT,
    created_at         TEXT NOT NULL
);

CREATE TABLE story (
    id            INTEGER PRIMARY KEY,
    first_seen_at TEXT NOT NULL,
    title         TEXT NOT NULL
);

CREATE TABLE article (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feed(id),
    entry_key     TEXT NOT NULL,
    url           TEXT,
    canonical_url TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    -- 'page' when the body was extracted from the article page, 'feed' when it is the feed's
    -- own summary (scraping off, or the page could not be fetched or read).
    body_source   TEXT NOT NULL CHECK (body_source IN ('page', 'feed')),
    body_error    TEXT,
    author        TEXT,
    lang          TEXT,
    site_name     TEXT,
    published_at  TEXT,
    fetched_at    TEXT NOT NULL,
    simhash       INTEGER NOT NULL,
    story_id      INTEGER NOT NULL REFERENCES story(id),
    UNIQUE (feed_id, entry_key)
);
CREATE INDEX article_url ON article(url);
CREATE INDEX article_fetched ON article(fetched_at);

CREATE TABLE "match" (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    watch      TEXT NOT NULL,
    term       TEXT NOT NULL,
    text       TEXT NOT NULL,
    field      TEXT NOT NULL CHECK (field IN ('title', 'body')),
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    snippet    TEXT NOT NULL
);
CREATE INDEX match_article ON "match"(article_id);

CREATE TABLE alert (
    id         INTEGER PRIMARY KEY,
    -- Stable across restarts and retries: receivers use it to drop repeats.
    uid        TEXT NOT NULL UNIQUE,
    watch      TEXT NOT NULL,
    severity   TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES article(id),
    story_id   INTEGER NOT NULL REFERENCES story(id),
    raised_at  TEXT NOT NULL,
    -- The alert as delivered to every sink (JSON).
    payload    TEXT NOT NULL,
    UNIQUE (watch, article_id)
);

-- The outbox: one row per (alert, sink), written in the alert's transaction.
CREATE TABLE delivery (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alert(id),
    sink            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT,
    UNIQUE (alert_id, sink)
);
CREATE INDEX delivery_pending ON delivery(state, next_attempt_at);
