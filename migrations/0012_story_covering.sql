-- What an article's story is read for on every insert, answered from indexes alone: the feeds
-- of the story's articles ("also reported by", other_outlets) and the weekdays they name. The
-- indexes of 0007 made SQLite visit every article row of the story, which grew with the story.
DROP INDEX article_by_story;
CREATE INDEX article_by_story ON article(story_id, feed_id);
DROP INDEX article_story_by_story;
CREATE INDEX article_story_by_story ON article_story(story_id, weekdays);
