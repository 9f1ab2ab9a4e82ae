-- Each article's TF-IDF vector beside its story row, as one value: rewrite grouping reads the
-- vectors of up to 64 candidates per new article, and 64 rows of article_term each made that
-- the writer's largest cost. Little-endian (term i64, weight f32) pairs sorted by term; NULL
-- for articles stored before this migration (their article_term rows are read instead).
ALTER TABLE article_story ADD COLUMN profile BLOB;
