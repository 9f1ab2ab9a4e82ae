-- Newest first without reading every candidate's time: `at` of each indexed article (as in
-- article_search) under a btree ordered as `raqib search` shows results, so a query with many
-- candidates walks it from the newest down and stops once it has enough, instead of reading
-- and sorting them all (`store/search.rs`).
CREATE TABLE article_search_at (
    article_id INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL
);
CREATE INDEX article_search_newest ON article_search_at (at);
INSERT INTO article_search_at (article_id, at) SELECT rowid, at FROM article_search;

CREATE TRIGGER article_search_at_forget AFTER DELETE ON article BEGIN
    DELETE FROM article_search_at WHERE article_id = old.id;
END;
