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

-- Watches hit and proper nouns with their weights: "name<TAB>weight" lines, sorted by name.
ALTER TABLE article ADD COLUMN entities TEXT NOT NULL DEFAULT '';
-- Days of the week the article names, one bit per day from Monday (0: none).
ALTER TABLE article ADD COLUMN weekdays INTEGER NOT NULL DEFAULT 0;
