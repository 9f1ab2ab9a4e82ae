-- As SQLite's 0021: the feed's own title as last parsed, which names the outlet of a feed
-- whose outlet the config does not name.
ALTER TABLE feed ADD COLUMN title TEXT;
