-- The workstation cache. The whole file is encrypted (SQLCipher); the key lives in the OS keyring.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Cases as the centre last described them; `detail` is the centre's JSON.
CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL,
    service      TEXT NOT NULL,
    status       TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    officer_id   TEXT,
    version      INTEGER NOT NULL,
    mine         INTEGER NOT NULL,
    detail       TEXT NOT NULL,
    synced_at    TEXT NOT NULL
) STRICT;
CREATE INDEX cases_queue ON cases(mine, status, due_date);

CREATE TABLE documents (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL,
    type      TEXT NOT NULL,
    file_name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size      INTEGER NOT NULL,
    sha256    TEXT NOT NULL
) STRICT;
CREATE INDEX documents_case ON documents(case_id);

-- Verified document bytes, by content.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
) STRICT;

-- What an interrupted download had received, to resume with a Range request.
CREATE TABLE partials (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
) STRICT;

-- Decisions recorded on this desk, until the centre acknowledges them (or refuses: conflict).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL,
    request         TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'conflict')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    response        TEXT
) STRICT;

-- Every case opened and every decision recorded on this desk.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    case_id TEXT,
    detail  TEXT NOT NULL DEFAULT '{}'
) STRICT;
