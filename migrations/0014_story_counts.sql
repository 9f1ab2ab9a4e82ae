-- Story grouping weighs words when it compares, not when it stores (src/store/story.rs): each
-- article keeps the counts of its kept terms, weighed by the document frequencies of the day
-- it is compared (blended with the shipped prior, src/story/prior.rs). Little-endian
-- (term i64, count u32) pairs sorted by term; NULL for articles stored before this migration,
-- whose profile of 0011 is read instead (they leave the 48-hour story window soon after).
-- The entities column holds names alone from now on; their weights are computed when
-- comparing too (rows written before keep "name<TAB>weight" and their names are read).
ALTER TABLE article_story ADD COLUMN term_counts BLOB;

-- Stories merged because an article was close to both: the later story's articles and alerts
-- moved to the earlier one (but an alert of a watch that had alerted on the earlier story,
-- which stays on its own story's row). No foreign keys: an emptied story's row goes.
CREATE TABLE story_merge (
    story_id    INTEGER NOT NULL,
    merged_into INTEGER NOT NULL,
    merged_at   TEXT NOT NULL
);
