-- An account an administrator has disabled (`migdesk-central user disable`): it can no longer
-- sign in, and its sessions were ended when it was disabled. Kept, not deleted: decisions,
-- notes and the audit trail name it.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
