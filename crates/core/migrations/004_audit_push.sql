-- Audit events are reported to the centre: each gets an id of its own and a sent mark.
ALTER TABLE audit ADD COLUMN event_id TEXT;
ALTER TABLE audit ADD COLUMN pushed_at TEXT;
UPDATE audit SET event_id = lower(hex(randomblob(16))) WHERE event_id IS NULL;
