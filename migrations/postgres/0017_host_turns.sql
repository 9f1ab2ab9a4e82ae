-- Turns at hosts shared by the instances on this database: the next moment a request to the
-- host may start, whichever instance makes it (see src/store/postgres/turns.rs). Rows of hosts
-- unvisited for a day are pruned.
CREATE TABLE host_turn (
    host       TEXT PRIMARY KEY,
    next_start TIMESTAMPTZ NOT NULL
);
