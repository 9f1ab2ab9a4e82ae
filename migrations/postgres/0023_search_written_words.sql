-- As SQLite's 0021: the search index holds each word of an article once, as written, and a
-- query looks for a word in every form a proclitic chain gives it (`text::index`). Every
-- stored article's tsvector is computed again by the migration runner right after this file
-- (`store/postgres/search.rs`).
--
-- With half the words, a compressed tsvector fits in the row (under 2 kB) and would be kept
-- there: a query's bitmap scan, which reads every candidate's row for its `at`, would then
-- read the tsvectors too. Moved out of the row from 128 bytes, the rows stay narrow.
ALTER TABLE article_search SET (toast_tuple_target = 128);
