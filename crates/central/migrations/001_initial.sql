-- The central service's schema. Times are RFC 3339 UTC text ("2026-11-21T14:20:00Z"), dates
-- are "YYYY-MM-DD", JSON columns hold documents the API returns as they are.

CREATE TABLE departments (
    id       TEXT PRIMARY KEY,
    name_az  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    name_ru  TEXT NOT NULL,
    districts TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'supervisor')),
    department_id TEXT NOT NULL REFERENCES departments(id),
    password_hash TEXT NOT NULL,
    last_sync_at  TEXT
) STRICT;

-- Failed sign-ins per user name (known or not, so that throttling reveals nothing).
CREATE TABLE login_throttle (
    username     TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TEXT
) STRICT;

-- Bearer tokens are stored as their SHA-256, never as issued.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE applications (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    service       TEXT NOT NULL,
    tier          TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'missing_documents', 'refused', 'withdrawn')),
    officer_id    TEXT REFERENCES users(id),
    version       INTEGER NOT NULL DEFAULT 1,
    applicant     TEXT NOT NULL,
    form          TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX applications_department ON applications(department_id, status);
CREATE INDEX applications_officer ON applications(officer_id, status);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
) STRICT;

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    type           TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    mime_type      TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL REFERENCES blobs(sha256),
    added_at       TEXT NOT NULL
) STRICT;
CREATE INDEX documents_application ON documents(application_id);

-- The history of every case: received, assigned, reassigned, decided, documents added, ...
CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL REFERENCES applications(id),
    at             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    actor_id       TEXT REFERENCES users(id),
    detail         TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX events_application ON events(application_id, id);

-- Every decision request received, applied or not: replays answer from here.
CREATE TABLE decisions (
    id               TEXT PRIMARY KEY,
    application_id   TEXT NOT NULL REFERENCES applications(id),
    officer_id       TEXT NOT NULL REFERENCES users(id),
    request          TEXT NOT NULL,
    based_on_version INTEGER NOT NULL,
    decided_at       TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    status_code      INTEGER NOT NULL,
    response         TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_application ON decisions(application_id);

CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL REFERENCES applications(id),
    decision_id    TEXT NOT NULL REFERENCES decisions(id),
    to_address     TEXT NOT NULL,
    language       TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    created_at     TEXT NOT NULL,
    sent_at        TEXT,
    error          TEXT
) STRICT;
CREATE INDEX notifications_application ON notifications(application_id);

-- The change feed. A row concerns the department, the officer the case is assigned to after
-- the change, and the officer it was assigned to before.
CREATE TABLE changes (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id      TEXT NOT NULL REFERENCES applications(id),
    department_id       TEXT NOT NULL,
    officer_id          TEXT,
    previous_officer_id TEXT,
    kind                TEXT NOT NULL,
    at                  TEXT NOT NULL
) STRICT;
CREATE INDEX changes_department ON changes(department_id, seq);
CREATE INDEX changes_officer ON changes(officer_id, seq);
CREATE INDEX changes_previous_officer ON changes(previous_officer_id, seq);
