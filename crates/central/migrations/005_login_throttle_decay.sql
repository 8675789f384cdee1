-- When a user name last failed to sign in: failures are forgotten after a quiet hour instead of
-- counting for ever.
ALTER TABLE login_throttle ADD COLUMN last_failure_at TEXT;
