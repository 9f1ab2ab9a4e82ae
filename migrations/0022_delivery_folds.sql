-- A delivery held back by its sink's max_per_minute: when it was first held. Held deliveries
-- of a sink go out together as one digest once the sink's minute allows; kept in the row, so
-- a restart still sends them as that digest.
ALTER TABLE delivery ADD COLUMN folded_at TEXT;
