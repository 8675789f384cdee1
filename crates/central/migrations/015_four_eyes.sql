-- Four eyes on refusals. A department that asks for it (every department unless its supervisor
-- turns it off) keeps an officer's refusal as a proposal: the decision is recorded (`decisions`,
-- outcome `applied`: the centre took it, it is no conflict) but the case waits until a
-- supervisor other than the proposer approves it (then the refusal applies and the applicant's
-- e-mail goes) or returns it with a note. The e-mail the applicant would receive is rendered when
-- the refusal is proposed, so the supervisor reads exactly what will be sent.
ALTER TABLE departments ADD COLUMN four_eyes_refusals INTEGER NOT NULL DEFAULT 1;

CREATE TABLE refusal_proposals (
    decision_id    TEXT PRIMARY KEY REFERENCES decisions(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    proposed_by    TEXT NOT NULL REFERENCES users(id),
    proposed_at    TEXT NOT NULL,
    email_subject  TEXT NOT NULL,
    email_body     TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'approved', 'returned')),
    answered_by    TEXT REFERENCES users(id),
    answered_at    TEXT,
    -- The answer's request as received, so that a repeat is answered, not refused.
    answer         TEXT
) STRICT;
-- At most one refusal waits on a case.
CREATE UNIQUE INDEX refusal_proposals_open ON refusal_proposals(application_id) WHERE state = 'open';
