-- An e-mail is claimed before it is sent: one write transaction moves it from 'queued' to
-- 'sending' with the time and the Message-ID of that attempt, so two deliveries (two instances,
-- or a loop that overlaps itself) never send it both. It becomes 'sent' once the relay took it.
-- One still 'sending' long after its claim was cut off (a crash, a relay gone mid-message): the
-- centre does not know whether the applicant has it, so it is never sent again by itself; a
-- supervisor sees it and decides. SQLite cannot widen a CHECK, so the table is made anew.
CREATE TABLE notifications_claimed (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    decision_id     TEXT NOT NULL REFERENCES decisions(id),
    to_address      TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_at      TEXT,
    message_id      TEXT UNIQUE
) STRICT;
INSERT INTO notifications_claimed (id, application_id, decision_id, to_address, language, subject,
        body, state, created_at, sent_at, error, attempts, next_attempt_at)
    SELECT id, application_id, decision_id, to_address, language, subject,
        body, state, created_at, sent_at, error, attempts, next_attempt_at
    FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_claimed RENAME TO notifications;
CREATE INDEX notifications_application ON notifications(application_id);
CREATE INDEX notifications_due ON notifications(state, next_attempt_at);
