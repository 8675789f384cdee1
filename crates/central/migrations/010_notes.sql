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
) STRICT;
CREATE INDEX notes_application ON notes(application_id, received_at);
