-- The centre's list of conflicts that concern the signed-in user (for a supervisor the
-- department's; for an officer their own and those on the cases they have now), with each
-- supervisor's answer. Replaced whole by each sync; `seen_at` is this desk's own.
CREATE TABLE centre_conflicts (
    id      TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    detail  TEXT NOT NULL,
    seen_at TEXT
) STRICT;
