-- What the desks report: every case opened and every decision recorded, per officer. A desk
-- sends each event once or more; the pair (user, desk event id) keeps it once.
CREATE TABLE desk_audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        TEXT NOT NULL REFERENCES users(id),
    desk_event_id  TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications(id),
    kind           TEXT NOT NULL CHECK (kind IN ('opened', 'decided')),
    at             TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (user_id, desk_event_id)
) STRICT;
CREATE INDEX desk_audit_application ON desk_audit(application_id, at);
