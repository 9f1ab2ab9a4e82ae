-- Digest watches (alert = "digest"): a delivery waits until the end of its period, and the
-- deliveries of one watch, sink and period go out as one.
ALTER TABLE delivery ADD COLUMN digest_until TEXT;
