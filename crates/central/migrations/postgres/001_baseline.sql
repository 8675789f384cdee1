-- PostgreSQL baseline of the central service's schema: the schema the SQLite migrations
-- 001–022 (crates/central/migrations/0*.sql) leave, for an empty PostgreSQL 15 database. Any
-- later SQLite migration must come with its PostgreSQL migration here (002_..., ...).
--
-- Types: SQLite INTEGER is BIGINT (booleans stay 0/1 BIGINT), INTEGER PRIMARY KEY is an
-- identity column, BLOB is BYTEA; times and dates stay RFC 3339 / "YYYY-MM-DD" TEXT.
-- Apply in one transaction (psql -1). Text compares bytewise in SQLite: create the database with
-- LOCALE 'C' (TEMPLATE template0) for the same ordering and the same ASCII-only upper().

-- The central service's schema. Times are RFC 3339 UTC text ("2026-11-21T14:20:00Z"), dates
-- are "YYYY-MM-DD", JSON columns hold documents the API returns as they are.

-- four_eyes_refusals: four eyes on refusals (0/1, on unless the supervisor turns it off).
-- alert_working_days: deadline alerts show the pending cases due within this many working days
-- that nobody has opened or that have no officer (and every overdue one).
-- distribution_rule / last_in_turn: how new applications reach the officers (least open work,
-- round robin, or a pool officers claim from) and who received the last one by turn.
CREATE TABLE departments (
    id                 TEXT PRIMARY KEY,
    name_az            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    name_ru            TEXT NOT NULL,
    districts          TEXT NOT NULL DEFAULT '',
    four_eyes_refusals BIGINT NOT NULL DEFAULT 1,
    alert_working_days BIGINT NOT NULL DEFAULT 2
        CHECK (alert_working_days BETWEEN 0 AND 20),
    last_in_turn       TEXT,  -- REFERENCES users(id), added below (users refer to departments)
    distribution_rule  TEXT NOT NULL DEFAULT 'least_open_work'
        CHECK (distribution_rule IN ('least_open_work', 'round_robin', 'pool'))
);

-- disabled_at: an account an administrator has disabled: it can no longer sign in, and its
-- sessions were ended. Kept, not deleted: decisions, notes and the audit trail name it.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'supervisor')),
    department_id TEXT NOT NULL REFERENCES departments(id),
    password_hash TEXT NOT NULL,
    last_sync_at  TEXT,
    disabled_at   TEXT
);

ALTER TABLE departments ADD CONSTRAINT departments_last_in_turn_fkey
    FOREIGN KEY (last_in_turn) REFERENCES users(id);

-- Failed sign-ins per user name (known or not, so that throttling reveals nothing). Failures
-- are forgotten after a quiet hour after last_failure_at.
CREATE TABLE login_throttle (
    username        TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    locked_until    TEXT,
    last_failure_at TEXT
);

-- Bearer tokens are stored as their SHA-256, never as issued.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- paused_on / paused_days_left: the deadline stops while the applicant owes documents and runs
-- again, with the working days that were left, from the day the documents arrive.
-- fin_key / passport_key: the keys that link an applicant's applications, the FIN as given and
-- the passport number normalised (upper case, no spaces, dashes or tabs), generated from the
-- applicant's JSON.
-- executed_*: an accepted application is executed when its permit or document is issued (its
-- number, the day issued, who recorded it when); a reopened case has none.
CREATE TABLE applications (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    service           TEXT NOT NULL,
    tier              TEXT NOT NULL,
    submitted_at      TEXT NOT NULL,
    due_date          TEXT NOT NULL,
    department_id     TEXT NOT NULL REFERENCES departments(id),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'missing_documents', 'refused', 'withdrawn')),
    officer_id        TEXT REFERENCES users(id),
    version           BIGINT NOT NULL DEFAULT 1,
    applicant         TEXT NOT NULL,
    form              TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    paused_on         TEXT,
    paused_days_left  BIGINT,
    fin_key           TEXT GENERATED ALWAYS AS (applicant::jsonb ->> 'fin') STORED,
    passport_key      TEXT GENERATED ALWAYS AS (
        upper(replace(replace(replace(applicant::jsonb ->> 'passport_number', ' ', ''), '-', ''), chr(9), ''))
    ) STORED,
    executed_document TEXT,
    executed_on       TEXT,
    executed_at       TEXT,
    executed_by       TEXT REFERENCES users(id)
);
CREATE INDEX applications_department ON applications(department_id, status);
CREATE INDEX applications_officer ON applications(officer_id, status);
CREATE INDEX applications_fin_key ON applications(fin_key) WHERE fin_key IS NOT NULL;
CREATE INDEX applications_passport_key ON applications(passport_key) WHERE passport_key IS NOT NULL;
-- The pool: pending cases without an officer, by department.
CREATE INDEX applications_pool ON applications(department_id, due_date)
    WHERE officer_id IS NULL AND status = 'pending';

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    bytes  BYTEA NOT NULL
);

-- added_by: who added a document at the counter; the applicant's own uploads name nobody.
CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    type           TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    mime_type      TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL REFERENCES blobs(sha256),
    added_at       TEXT NOT NULL,
    added_by       TEXT REFERENCES users(id)
);
CREATE INDEX documents_application ON documents(application_id);

-- The history of every case: received, assigned, reassigned, decided, documents added, ...
CREATE TABLE events (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    at             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    actor_id       TEXT REFERENCES users(id),
    detail         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_application ON events(application_id, id);
-- The department's statistics read every applied decision (`decided` in the history).
CREATE INDEX events_decided ON events(application_id) WHERE kind = 'decided';

-- Every decision request received, applied or not: replays answer from here.
CREATE TABLE decisions (
    id               TEXT PRIMARY KEY,
    application_id   TEXT NOT NULL REFERENCES applications(id),
    officer_id       TEXT NOT NULL REFERENCES users(id),
    request          TEXT NOT NULL,
    based_on_version BIGINT NOT NULL,
    decided_at       TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    status_code      BIGINT NOT NULL,
    response         TEXT NOT NULL
);
CREATE INDEX decisions_application ON decisions(application_id);

-- E-mails to applicants. Delivery: attempts so far and when to try next. An e-mail is claimed
-- before it is sent: one write transaction moves it from 'queued' to 'sending' with the time and
-- the Message-ID of that attempt, so two deliveries never send it both. It becomes 'sent' once
-- the relay took it. One still 'sending' long after its claim was cut off is never sent again by
-- itself; a supervisor sees it and decides.
CREATE TABLE notifications (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
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
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_at      TEXT,
    message_id      TEXT UNIQUE
);
-- (SQLite 008 copied the old notifications table's rows into the new one: no rows here.)
CREATE INDEX notifications_application ON notifications(application_id);
CREATE INDEX notifications_due ON notifications(state, next_attempt_at);

-- The change feed. A row concerns the department, the officer the case is assigned to after
-- the change, and the officer it was assigned to before.
CREATE TABLE changes (
    seq                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    application_id      TEXT NOT NULL REFERENCES applications(id),
    department_id       TEXT NOT NULL,
    officer_id          TEXT,
    previous_officer_id TEXT,
    kind                TEXT NOT NULL,
    at                  TEXT NOT NULL
);
CREATE INDEX changes_department ON changes(department_id, seq);
CREATE INDEX changes_officer ON changes(officer_id, seq);
CREATE INDEX changes_previous_officer ON changes(previous_officer_id, seq);

-- What the desks report: every case opened and every decision recorded, per officer. A desk
-- sends each event once or more; the pair (user, desk event id) keeps it once.
CREATE TABLE desk_audit (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    desk_event_id  TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications(id),
    kind           TEXT NOT NULL CHECK (kind IN ('opened', 'decided')),
    at             TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (user_id, desk_event_id)
);
CREATE INDEX desk_audit_application ON desk_audit(application_id, at);

-- A supervisor's answer to a decision the centre kept as a conflict: applied to the case,
-- handed to the officer who has the case now, or discarded with a reason. One answer per
-- conflict; the decision itself stays in `decisions` as it arrived.
CREATE TABLE conflict_resolutions (
    decision_id   TEXT PRIMARY KEY REFERENCES decisions(id),
    action        TEXT NOT NULL CHECK (action IN ('apply', 'hand_over', 'discard')),
    reason        TEXT,
    supervisor_id TEXT NOT NULL REFERENCES users(id),
    at            TEXT NOT NULL
);

-- The applicant portal's credentials: the routes the public reaches through the portal
-- (tracking, documents, withdrawal) answer only a bearer token issued here. Stored hashed;
-- revoked, never deleted, so the audit keeps who called.
CREATE TABLE portal_tokens (
    name       TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Who this database is. `id` is made once, with the database, and never changes: desks pin it
-- at their first sign-in, so a desk never shows one centre's data to another. `epoch` names the
-- change feed's history: it is made anew after a restore from a backup (`migdesk-central
-- restored`), and a desk whose cursor belongs to another epoch syncs again from scratch.
CREATE TABLE instance (
    one         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY CHECK (one = 1),
    id          TEXT NOT NULL,
    epoch       TEXT NOT NULL,
    restored_at TEXT
);
-- As SQLite's lower(hex(randomblob(16))) and lower(hex(randomblob(8))): 32 and 16 lower-case
-- hex digits (gen_random_uuid() is built in since PostgreSQL 13 and strongly random).
INSERT INTO instance (one, id, epoch)
VALUES (1, md5(gen_random_uuid()::text), substr(md5(gen_random_uuid()::text), 1, 16));

-- The centre's own audit trail: who read which case, document, e-mails or history export, who
-- signed in or failed to (with the user name as given), what a supervisor did to an undelivered
-- e-mail, and every event the desks report (their time kept beside the centre's; a time in the
-- future or older than the offline window flagged, not refused). Append-only, and hash-chained:
-- each row holds the hash of the row before it (`prev_hash`, 64 zeros for the first) and its own
-- `hash`, the SHA-256 of `prev_hash` followed by the row's fields in a canonical form
-- (`audit_log::canonical`), so a row changed, removed or inserted afterwards breaks the chain
-- (`migdesk-central audit verify`). Rows are written one at a time under the write lock;
-- `prev_hash` is unique, so the chain cannot fork. The triggers stop the service's own code from
-- changing a row; the chain shows anyone who bypasses them.
CREATE TABLE audit_log (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_id       TEXT,
    username       TEXT,
    desk           TEXT,
    action         TEXT NOT NULL,
    application_id TEXT,
    subject        TEXT,
    reported_at    TEXT,
    flag           TEXT CHECK (flag IN ('future', 'stale')),
    prev_hash      TEXT NOT NULL UNIQUE,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_application ON audit_log(application_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- TRUNCATE fires no row triggers; SQLite has none, so it is refused too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Internal notes on a case, between the officers who handle it and their supervisors; never sent
-- to the applicant. `id` is the desk's own (a repeat of a request is answered with the note kept).
-- A reassignment's reason is kept here too (origin 'reassignment').
CREATE TABLE notes (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    author_id      TEXT NOT NULL REFERENCES users(id),
    text           TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('desk', 'reassignment'))
);
CREATE INDEX notes_application ON notes(application_id, received_at);

-- Four eyes on refusals. A department that asks for it keeps an officer's refusal as a proposal:
-- the decision is recorded (`decisions`, outcome `applied`: the centre took it, it is no
-- conflict) but the case waits until a supervisor other than the proposer approves it (then the
-- refusal applies and the applicant's e-mail goes) or returns it with a note. The e-mail the
-- applicant would receive is rendered when the refusal is proposed, so the supervisor reads
-- exactly what will be sent.
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
);
-- At most one refusal waits on a case.
CREATE UNIQUE INDEX refusal_proposals_open ON refusal_proposals(application_id) WHERE state = 'open';

-- The services each officer handles (none listed: every service).
CREATE TABLE officer_services (
    officer_id TEXT NOT NULL REFERENCES users(id),
    service    TEXT NOT NULL,
    PRIMARY KEY (officer_id, service)
);

-- The days each officer is away (nothing new reaches them then).
CREATE TABLE officer_absences (
    officer_id TEXT NOT NULL REFERENCES users(id),
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL,
    CHECK (from_date <= to_date)
);
CREATE INDEX officer_absences_officer ON officer_absences(officer_id);

-- Applications the portal submitted, with the SHA-256 of the submission as received, so a repeat
-- of the same id is answered with the same receipt and another application under that id is
-- refused.
CREATE TABLE intake (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    submission     TEXT NOT NULL,
    received_at    TEXT NOT NULL
);

-- One row per applied decision, written beside its `decided` event (`store::add_event`), with the
-- facts the department's statistics count already in columns: the day it was decided in Baku,
-- its outcome, the officer, the service, the day the application was submitted and its due date
-- as it stands (kept in step by a trigger when a deadline moves). Keyed by department and day
-- (SQLite clusters it so, WITHOUT ROWID), so a period's decisions are one range read. `named`
-- keeps the event's detail only when it names refusal reasons or missing documents.
CREATE TABLE decided_facts (
    department_id  TEXT NOT NULL,
    decided_on     TEXT NOT NULL,
    event_id       BIGINT NOT NULL REFERENCES events(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    kind           TEXT NOT NULL CHECK (kind IN ('accept', 'missing_documents', 'refuse')),
    officer_id     TEXT REFERENCES users(id),
    service        TEXT NOT NULL,
    submitted_on   TEXT,
    due_date       TEXT NOT NULL,
    named          TEXT,
    PRIMARY KEY (department_id, decided_on, event_id)
);
CREATE INDEX decided_facts_application ON decided_facts(application_id);
-- (SQLite 020 backfilled the decisions applied before this table existed: none here.)

-- A deadline paused, resumed or started again moves the due date its decisions are held to.
CREATE FUNCTION decided_facts_due_date() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE decided_facts SET due_date = NEW.due_date WHERE application_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER decided_facts_due_date AFTER UPDATE OF due_date ON applications
    FOR EACH ROW EXECUTE FUNCTION decided_facts_due_date();

-- Desk releases IT published (`migdesk-central release publish`): the package, its minisign
-- signature (checked by the desk against the key built into it) and its notes. Offered to
-- signed-in desks older than the newest. Versions are MAJOR.MINOR.PATCH, kept as numbers too
-- so they sort as versions.
CREATE TABLE desk_releases (
    version      TEXT PRIMARY KEY,
    major        BIGINT NOT NULL,
    minor        BIGINT NOT NULL,
    patch        BIGINT NOT NULL,
    package      BYTEA NOT NULL,
    sha256       TEXT NOT NULL,
    signature    TEXT NOT NULL,
    notes_az     TEXT NOT NULL,
    notes_en     TEXT NOT NULL,
    notes_ru     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    UNIQUE (major, minor, patch)
);
