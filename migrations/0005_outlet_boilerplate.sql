-- Paragraphs seen in an outlet's articles, by fingerprint (see src/extract/learned.rs). One
-- seen in enough recent articles is that outlet's boilerplate and is dropped from new bodies.

CREATE TABLE outlet_paragraph (
    outlet        TEXT NOT NULL,
    fingerprint   INTEGER NOT NULL,
    articles      INTEGER NOT NULL DEFAULT 1,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (outlet, fingerprint)
) WITHOUT ROWID;
