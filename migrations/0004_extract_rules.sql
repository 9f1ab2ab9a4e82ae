-- When an outlet's body rule (`[feed.extract] body`) last stopped matching its pages; NULL while
-- it matches. A redesign shows up in `raqib feeds` instead of silently degrading bodies.

ALTER TABLE feed ADD COLUMN rule_missed_at TEXT;
