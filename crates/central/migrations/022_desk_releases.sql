-- Desk releases IT published (`migdesk-central release publish`): the package, its minisign
-- signature (checked by the desk against the key built into it) and its notes. Offered to
-- signed-in desks older than the newest. Versions are MAJOR.MINOR.PATCH, kept as numbers too
-- so they sort as versions.
CREATE TABLE desk_releases (
    version TEXT PRIMARY KEY,
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    patch INTEGER NOT NULL,
    package BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    signature TEXT NOT NULL,
    notes_az TEXT NOT NULL,
    notes_en TEXT NOT NULL,
    notes_ru TEXT NOT NULL,
    published_at TEXT NOT NULL,
    UNIQUE (major, minor, patch)
);
