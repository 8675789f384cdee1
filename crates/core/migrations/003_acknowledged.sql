-- When the centre acknowledged a decision: the clock for purging the case's documents.
ALTER TABLE outbox ADD COLUMN acknowledged_at TEXT;
