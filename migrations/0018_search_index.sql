-- The search index of `raqib search`: per article (rowid = article.id) the tokens
-- `text::index` reads off its folded title and body, and `at`, the time `--since` and the
-- newest-first order use (publication, else fetch, in Unix seconds). Contentless with no
-- positions: it only narrows the candidates the watch evaluator reads, so it keeps neither
-- the text nor where a token stands. Articles stored before are indexed by the migration
-- runner right after this file (`store/search.rs`).
CREATE VIRTUAL TABLE article_search USING fts5(
    terms,
    at UNINDEXED,
    content = '',
    contentless_delete = 1,
    contentless_unindexed = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Pruning, or any other removal of an article, takes it out of the index in its transaction.
CREATE TRIGGER article_search_forget AFTER DELETE ON article BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;
