-- A supervisor's answer to a decision the centre kept as a conflict: applied to the case,
-- handed to the officer who has the case now, or discarded with a reason. One answer per
-- conflict; the decision itself stays in `decisions` as it arrived.
CREATE TABLE conflict_resolutions (
    decision_id   TEXT PRIMARY KEY REFERENCES decisions(id),
    action        TEXT NOT NULL CHECK (action IN ('apply', 'hand_over', 'discard')),
    reason        TEXT,
    supervisor_id TEXT NOT NULL REFERENCES users(id),
    at            TEXT NOT NULL
) STRICT;
