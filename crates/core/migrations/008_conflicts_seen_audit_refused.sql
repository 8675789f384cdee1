-- The officer marks a conflict as seen (it stays in the outbox and at the centre); an audit
-- event the centre refuses is kept with the centre's answer and not sent again.
ALTER TABLE outbox ADD COLUMN seen_at TEXT;
ALTER TABLE audit ADD COLUMN refused TEXT;
