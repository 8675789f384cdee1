-- Documents an officer added to a case at the counter (an applicant's paper, scanned at the
-- department), until the centre has them (or refused them for good). Like the notes' outbox:
-- durable the moment they are added, sent under their own officer's session with their own
-- centre, idempotent by `id` (the document's id at the centre too). The file's bytes stay in the
-- row until the centre has it, so a repaired cache can still send it; the viewer reads the copy
-- in `blobs`, which the case's `documents` row names.
CREATE TABLE counter_outbox (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL,
    type            TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    bytes           BLOB,
    added_at        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    owner           TEXT,
    instance        TEXT
) STRICT;
CREATE INDEX counter_outbox_case ON counter_outbox(case_id);
CREATE INDEX counter_outbox_pending ON counter_outbox(state) WHERE state = 'pending';
