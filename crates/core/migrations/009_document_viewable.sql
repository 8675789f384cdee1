-- A file whose text could not be read may still be shown: the viewer draws a PDF whose text
-- layer defeats the text reader. `viewable` records whether the file itself could be opened
-- when its text could not; only a file that cannot be opened is "unreadable" in the case.
-- Rows read before this column existed keep the old meaning (a problem means unreadable).
ALTER TABLE document_text ADD COLUMN viewable INTEGER NOT NULL DEFAULT 0;
