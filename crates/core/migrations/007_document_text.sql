-- The text layer of each stored document (PDFs with text), read once after it arrives; feeds
-- the search index of the cases that hold it. `problem` says why a file could not be read.
CREATE TABLE document_text (
    sha256  TEXT PRIMARY KEY,
    text    TEXT,
    problem TEXT
) STRICT;
