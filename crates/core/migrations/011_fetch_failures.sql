-- A document the centre could not give this desk (missing, corrupted on the way, refused):
-- recorded here and tried again at the next sync, while the rest of the sync goes on.
CREATE TABLE fetch_failures (
    sha256 TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1
);
