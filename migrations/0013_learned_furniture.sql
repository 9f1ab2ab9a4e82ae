-- Learned boilerplate decided by position, share and spread (see src/extract/learned.rs): only
-- paragraphs at the head or tail of a body are counted, with the stories they came in and the
-- outlet's article count when they first appeared. The old counts (every paragraph, with no
-- stories) cannot be judged by that rule: learning starts again.

DROP TABLE outlet_paragraph;

CREATE TABLE outlet_paragraph (
    outlet        TEXT NOT NULL,
    fingerprint   INTEGER NOT NULL,
    articles      INTEGER NOT NULL DEFAULT 1,
    stories       INTEGER NOT NULL DEFAULT 1,
    -- outlet_articles.articles just before the article that first carried it.
    outlet_before INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (outlet, fingerprint)
) WITHOUT ROWID;

CREATE INDEX outlet_paragraph_last_seen ON outlet_paragraph (last_seen_at);

-- The first stories a paragraph came in, until there are enough to call it spread.
CREATE TABLE outlet_paragraph_story (
    outlet      TEXT NOT NULL,
    fingerprint INTEGER NOT NULL,
    story_id    INTEGER NOT NULL,
    PRIMARY KEY (outlet, fingerprint, story_id)
) WITHOUT ROWID;

-- Articles with a page body per outlet, ever: the denominator of a paragraph's share.
CREATE TABLE outlet_articles (
    outlet   TEXT PRIMARY KEY,
    articles INTEGER NOT NULL
) WITHOUT ROWID;
