-- The search index of `raqib search`, as SQLite's 0018: per article the tokens
-- `text::index` reads off its folded title and body, as a tsvector built from them as they are
-- (array_to_tsvector: no parser, no dictionary), and `at`, the time `--since` and the
-- newest-first order use (publication, else fetch, in Unix seconds). `terms` is NULL for an
-- article with more distinct words than a tsvector holds (1 MB): such an article is always a
-- candidate. Articles stored before are indexed by the migration runner right after this file.
CREATE TABLE article_search (
    article_id BIGINT PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    terms      TSVECTOR
);
CREATE INDEX article_search_terms ON article_search USING gin (terms);
CREATE INDEX article_search_unindexed ON article_search (article_id) WHERE terms IS NULL;
