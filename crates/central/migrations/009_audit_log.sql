-- The centre's own audit trail: who read which case, document, e-mails or history export, who
-- signed in or failed to (with the user name as given), what a supervisor did to an undelivered
-- e-mail, and every event the desks report (their time kept beside the centre's; a time in the
-- future or older than the offline window flagged, not refused). Append-only, and hash-chained:
-- each row holds the hash of the row before it (`prev_hash`, 64 zeros for the first) and its own
-- `hash`, the SHA-256 of `prev_hash` followed by the row's fields in a canonical form
-- (`audit_log::canonical`), so a row changed, removed or inserted afterwards breaks the chain
-- (`migdesk-central audit verify`). Rows are written one at a time under the write lock;
-- `prev_hash` is unique, so the chain cannot fork. The triggers stop the service's own code from
-- changing a row; the chain shows anyone who bypasses them.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_id       TEXT,
    username       TEXT,
    desk           TEXT,
    action         TEXT NOT NULL,
    application_id TEXT,
    subject        TEXT,
    reported_at    TEXT,
    flag           TEXT CHECK (flag IN ('future', 'stale')),
    prev_hash      TEXT NOT NULL UNIQUE,
    hash           TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_application ON audit_log(application_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
