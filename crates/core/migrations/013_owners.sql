-- Whose each decision and audit event is, and for which centre (its instance id): they are sent
-- only under that officer's session with that centre. Rows from before carry the officer
-- signed in when they were recorded, and no instance (the one the desk pins next).
ALTER TABLE outbox ADD COLUMN owner TEXT;
ALTER TABLE outbox ADD COLUMN instance TEXT;
ALTER TABLE audit ADD COLUMN owner TEXT;
ALTER TABLE audit ADD COLUMN instance TEXT;
UPDATE outbox SET owner = (SELECT value FROM meta WHERE key = 'user_id');
UPDATE audit SET owner = (SELECT value FROM meta WHERE key = 'user_id');
