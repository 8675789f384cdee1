-- How a department's new applications reach its officers: the rule its supervisor set, who
-- received the last one by turn, the services each officer handles (none listed: every
-- service) and the days each is away (nothing new reaches them then).
ALTER TABLE departments ADD COLUMN distribution_rule TEXT NOT NULL DEFAULT 'least_open_work'
    CHECK (distribution_rule IN ('least_open_work', 'round_robin'));
ALTER TABLE departments ADD COLUMN last_in_turn TEXT REFERENCES users(id);

CREATE TABLE officer_services (
    officer_id TEXT NOT NULL REFERENCES users(id),
    service    TEXT NOT NULL,
    PRIMARY KEY (officer_id, service)
) STRICT;

CREATE TABLE officer_absences (
    officer_id TEXT NOT NULL REFERENCES users(id),
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL,
    CHECK (from_date <= to_date)
) STRICT;
CREATE INDEX officer_absences_officer ON officer_absences(officer_id);

-- Applications the portal submitted, with the SHA-256 of the submission as received, so a repeat of the same
-- id is answered with the same receipt and another application under that id is refused.
CREATE TABLE intake (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    submission     TEXT NOT NULL,
    received_at    TEXT NOT NULL
) STRICT;
