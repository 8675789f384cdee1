-- The change feed in commit order, without a global write lock. Transactions from several
-- instances commit in any order, so a position taken while writing could commit after a higher
-- one and be passed by a desk's cursor. A change is therefore written here first; the feed
-- moves the committed ones into `changes`, numbered above every position already handed out,
-- one numbering at a time (`db::sequence_changes`).
CREATE TABLE changes_pending (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id      TEXT NOT NULL REFERENCES applications(id),
    department_id       TEXT NOT NULL,
    officer_id          TEXT,
    previous_officer_id TEXT,
    kind                TEXT NOT NULL,
    at                  TEXT NOT NULL
);

-- As SQLite's migration 023: every change, numbered or still waiting.
CREATE VIEW every_change AS
    SELECT application_id, department_id, officer_id, previous_officer_id, kind, at FROM changes
    UNION ALL
    SELECT application_id, department_id, officer_id, previous_officer_id, kind, at FROM changes_pending;
