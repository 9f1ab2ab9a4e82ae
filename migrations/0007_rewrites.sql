-- Rewrites (src/story/rewrite.rs): each article's TF-IDF vector, its heaviest terms only, and
-- the document frequency of every term counted so far. Row 0 of term_df counts the articles.

CREATE TABLE term_df (
    term INTEGER PRIMARY KEY,
    df   INTEGER NOT NULL
);

CREATE TABLE article_term (
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    term       INTEGER NOT NULL,
    weight     REAL NOT NULL,
    PRIMARY KEY (article_id, term)
) WITHOUT ROWID;
CREATE INDEX article_term_by_term ON article_term(term, article_id);

-- What story grouping reads of an article, apart from its body: a row of the article table
-- holds the body, and reading a column stored after it walks the body's overflow pages.
-- entities: watches hit and proper nouns with their weights, "name<TAB>weight" lines sorted by
-- name; weekdays: the days of the week it names, one bit per day from Monday (0: none).
CREATE TABLE article_story (
    article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL REFERENCES story(id),
    weekdays   INTEGER NOT NULL,
    entities   TEXT NOT NULL
);
CREATE INDEX article_story_by_story ON article_story(story_id);
CREATE INDEX article_by_story ON article(story_id);

-- Reprint candidates without touching article rows: the band indexes of 0003 again, covering
-- what the query reads.
DROP INDEX article_band0;
DROP INDEX article_band1;
DROP INDEX article_band2;
DROP INDEX article_band3;
CREATE INDEX article_band0 ON article((simhash & 65535), fetched_at, story_id, simhash);
CREATE INDEX article_band1 ON article(((simhash >> 16) & 65535), fetched_at, story_id, simhash);
CREATE INDEX article_band2 ON article(((simhash >> 32) & 65535), fetched_at, story_id, simhash);
CREATE INDEX article_band3 ON article(((simhash >> 48) & 65535), fetched_at, story_id, simhash);
