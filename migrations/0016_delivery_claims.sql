-- A delivery is claimed before it is attempted: the dispatcher that claimed it (a number drawn
-- at its start) and until when. Another dispatcher (a second process on the same file, or
-- the final round at shutdown) skips a row claimed until later; a claim is renewed while the
-- attempt runs, and dropped when its outcome is recorded. A claim left by a process that died
-- expires by itself.
ALTER TABLE delivery ADD COLUMN claimed_by INTEGER;
ALTER TABLE delivery ADD COLUMN claimed_until TEXT;
