-- Lookups that must not scan the article table, which grows by thousands of rows a day.
--
-- Known entries are looked up by URL and by canonical URL.
CREATE INDEX article_canonical_url ON article(canonical_url);

-- Reprint candidates: a 64-bit SimHash split into four 16-bit bands. Two hashes at most 3 bits
-- apart agree on at least one whole band (pigeonhole), so the candidates for an article are
-- the recent articles sharing a band with it.
CREATE INDEX article_band0 ON article((simhash & 65535));
CREATE INDEX article_band1 ON article(((simhash >> 16) & 65535));
CREATE INDEX article_band2 ON article(((simhash >> 32) & 65535));
CREATE INDEX article_band3 ON article(((simhash >> 48) & 65535));
