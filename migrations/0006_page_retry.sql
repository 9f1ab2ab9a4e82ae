-- An article stored with the feed's summary because its page failed is retried later: how many
-- attempts were made and when the next is due (NULL when none is).

ALTER TABLE article ADD COLUMN page_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE article ADD COLUMN page_retry_at TEXT;
CREATE INDEX article_page_retry ON article(feed_id, page_retry_at) WHERE page_retry_at IS NOT NULL;
