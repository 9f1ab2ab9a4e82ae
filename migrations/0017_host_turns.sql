-- Version 17 shares the politeness delay between the instances on one PostgreSQL database
-- (its table `host_turn`). One process owns a SQLite file and spaces its requests itself:
-- nothing changes here, but the version number stays the same on both backends.
SELECT 1;
