-- Version 19 lets the instances on one PostgreSQL database leave a page one of them is
-- fetching to it (its table `page_claim`). One process owns a SQLite file and keeps its pages
-- in flight in memory: nothing changes here, but the version number stays the same on both
-- backends.
SELECT 1;
