-- Internal notes written on this desk, until the centre has kept them (or refused them for good).
-- Like the decisions' outbox: durable the moment they are written, sent under their own
-- officer's session with their own centre, idempotent by `id`.
CREATE TABLE notes_outbox (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL,
    text            TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    owner           TEXT,
    instance        TEXT
) STRICT;
CREATE INDEX notes_outbox_case ON notes_outbox(case_id);
CREATE INDEX notes_outbox_pending ON notes_outbox(state) WHERE state = 'pending';
