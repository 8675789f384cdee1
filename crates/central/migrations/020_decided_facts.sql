-- One row per applied decision, written beside its `decided` event (`store::add_event`), with the
-- facts the department's statistics count already in columns: the day it was decided in Baku,
-- its outcome, the officer, the service, the day the application was submitted and its due date
-- as it stands (kept in step by a trigger when a deadline moves). The table is clustered by
-- department and day (WITHOUT ROWID), so a period's decisions are one range read in order, not
-- a lookup per decision. `named` keeps the event's detail only when it names refusal reasons or
-- missing documents.
CREATE TABLE decided_facts (
    department_id  TEXT NOT NULL,
    decided_on     TEXT NOT NULL,
    event_id       INTEGER NOT NULL REFERENCES events(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    kind           TEXT NOT NULL CHECK (kind IN ('accept', 'missing_documents', 'refuse')),
    officer_id     TEXT REFERENCES users(id),
    service        TEXT NOT NULL,
    submitted_on   TEXT,
    due_date       TEXT NOT NULL,
    named          TEXT,
    PRIMARY KEY (department_id, decided_on, event_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX decided_facts_application ON decided_facts(application_id);

-- A deadline paused, resumed or started again moves the due date its decisions are held to.
CREATE TRIGGER decided_facts_due_date AFTER UPDATE OF due_date ON applications
BEGIN
    UPDATE decided_facts SET due_date = NEW.due_date WHERE application_id = NEW.id;
END;

-- The decisions applied before this table existed. Baku keeps UTC+4 all year (as `clock::baku`).
INSERT INTO decided_facts
    (department_id, decided_on, event_id, application_id, kind, officer_id, service, submitted_on,
     due_date, named)
SELECT a.department_id,
       date(json_extract(e.detail, '$.decided_at'), '+4 hours'),
       e.id, a.id, json_extract(e.detail, '$.kind'), e.actor_id, a.service,
       date(a.submitted_at, '+4 hours'), a.due_date,
       CASE WHEN json_array_length(e.detail, '$.missing_documents') > 0
              OR json_array_length(e.detail, '$.reasons') > 0 THEN e.detail END
FROM events e JOIN applications a ON a.id = e.application_id
WHERE e.kind = 'decided'
  AND date(json_extract(e.detail, '$.decided_at'), '+4 hours') IS NOT NULL
  AND json_extract(e.detail, '$.kind') IN ('accept', 'missing_documents', 'refuse');
