-- A delivery held back by its sink's max_per_minute: when it was first held (as SQLite's
-- 0021). Held deliveries of a sink go out together as one digest once the sink's minute
-- allows.
ALTER TABLE delivery ADD COLUMN folded_at TIMESTAMPTZ;
