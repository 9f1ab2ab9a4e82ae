-- Article pages in flight across the instances on this database (see
-- src/store/postgres/page_claims.rs): a page being fetched by one instance is left to it by
-- the others. A claim ends at `until` if its instance dies; expired claims are pruned.
CREATE TABLE page_claim (
    url   TEXT PRIMARY KEY,
    until TIMESTAMPTZ NOT NULL
);
