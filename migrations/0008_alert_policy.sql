-- One alert per (watch, story): the articles of a story that came after its alert are recorded
-- against it. Deliveries that keep failing end as 'dead' (kept and reported, never dropped);
-- created_at says since when a delivery has been trying.

CREATE TABLE alert_report (
    alert_id    INTEGER NOT NULL REFERENCES alert(id),
    article_id  INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, article_id)
) WITHOUT ROWID;
CREATE INDEX alert_story ON alert(story_id, watch);

-- SQLite cannot change a CHECK constraint in place: the outbox is rebuilt.
CREATE TABLE delivery_new (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alert(id),
    sink            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (alert_id, sink)
);
INSERT INTO delivery_new (id, alert_id, sink, state, attempts, next_attempt_at, last_error, delivered_at, created_at)
    SELECT d.id, d.alert_id, d.sink, d.state, d.attempts, d.next_attempt_at, d.last_error, d.delivered_at, a.raised_at
    FROM delivery d JOIN alert a ON a.id = d.alert_id;
DROP TABLE delivery;
ALTER TABLE delivery_new RENAME TO delivery;
CREATE INDEX delivery_pending ON delivery(state, next_attempt_at);
