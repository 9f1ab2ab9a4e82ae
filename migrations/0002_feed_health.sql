-- What polling learns about a feed: the hash of the last body (an unchanged body is not parsed
-- again), the charset it was decoded with, the interval in force, and when the feed last
-- published (for staleness).

ALTER TABLE feed ADD COLUMN body_hash TEXT;
ALTER TABLE feed ADD COLUMN encoding TEXT;
ALTER TABLE feed ADD COLUMN interval_secs INTEGER;
ALTER TABLE feed ADD COLUMN last_entry_at TEXT;
