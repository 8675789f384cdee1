-- Document bytes move out of the database into sealed files beside it (`cache.files/`): this
-- table names each verified file by its content. The desk moves the bytes of `blobs` into files
-- when it opens a cache of an older version, then drops `blobs`.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    name   TEXT NOT NULL UNIQUE
) STRICT;
