-- The applicant portal's credentials: the routes the public reaches through the portal
-- (tracking, documents, withdrawal) answer only a bearer token issued here. Stored hashed;
-- revoked, never deleted, so the audit keeps who called.
CREATE TABLE portal_tokens (
    name       TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
