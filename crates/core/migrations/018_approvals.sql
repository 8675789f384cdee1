-- Four eyes on refusals, on a supervisor's desk. `approvals_outbox`: each answer (approve, or
-- return with a note) to an officer's proposed refusal, from the moment the supervisor gives it
-- until the centre has applied it (`sent`) or refused it for good (`refused`, with the centre's
-- words and, for a case that moved meanwhile, its conflict `cause`: shown in the inbox). Like the
-- other outboxes: durable at once, sent under its own supervisor's session with their own centre,
-- idempotent by the proposal's decision id.
CREATE TABLE approvals_outbox (
    decision_id      TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('approve', 'return')),
    note             TEXT NOT NULL,
    based_on_version INTEGER NOT NULL,
    answered_at      TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'refused')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_error       TEXT,
    cause            TEXT,
    seen_at          TEXT,
    owner            TEXT,
    instance         TEXT
) STRICT;
CREATE INDEX approvals_outbox_pending ON approvals_outbox(state) WHERE state = 'pending';

-- The cases with a refusal waiting for approval, found without reading every case's JSON.
ALTER TABLE cases ADD COLUMN proposal TEXT
    GENERATED ALWAYS AS (json_extract(detail, '$.proposal.decision_id')) VIRTUAL;
CREATE INDEX cases_proposal ON cases(proposal) WHERE proposal IS NOT NULL;
