-- One article per URL, whatever feed brought it: an outlet's main feed and a category feed
-- carry the same articles, and two polls at the same moment each stored its own copy (and
-- alerted twice). The database now refuses a second article with a URL already stored.
--
-- Copies stored before this migration are kept (their matches, alerts and deliveries point at
-- them), each marked with the id of the first article of its URL; only the first holds the
-- URL in the unique index. No foreign key: pruning the first must not be refused.
ALTER TABLE article ADD COLUMN duplicate_of INTEGER;
UPDATE article SET duplicate_of = (SELECT min(first.id) FROM article first WHERE first.url = article.url)
WHERE url IS NOT NULL
  AND id > (SELECT min(first.id) FROM article first WHERE first.url = article.url);
DROP INDEX article_url;
CREATE UNIQUE INDEX article_url ON article(url) WHERE duplicate_of IS NULL;
