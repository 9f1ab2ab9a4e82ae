-- The search index holds each word of an article once, as written; a query looks for a word
-- in every form a proclitic chain gives it (`text::index`) instead of the index holding each
-- word again without each chain it might start with. The index is emptied here and every
-- stored article indexed again by the migration runner right after this file
-- (`store/search.rs`); `article_search_at` is unchanged.
INSERT INTO article_search (article_search) VALUES ('delete-all');
