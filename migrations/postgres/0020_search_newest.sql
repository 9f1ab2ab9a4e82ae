-- As SQLite's 0020: the articles' search times under a btree in the order `raqib search`
-- pages through them (`at`, then `article_id`, after a keyset bound, `LIMIT`), so a page of a
-- query that cannot narrow (`NOT`, fields only) reads only its rows. A query with words is
-- still narrowed by the GIN index and its candidates ordered.
CREATE INDEX article_search_newest ON article_search (at, article_id);
