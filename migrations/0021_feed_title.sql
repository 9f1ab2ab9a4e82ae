-- The feed's own title (its channel or feed <title>) as last parsed, whitespace collapsed;
-- NULL when it has none. A feed whose outlet the config does not name goes by it.
ALTER TABLE feed ADD COLUMN title TEXT;
