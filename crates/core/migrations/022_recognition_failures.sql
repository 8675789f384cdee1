-- Scans are recognised in the background after a sync; one whose recognition failed (a page
-- the recogniser refuses, a file it cannot read, time up) says why here and is not tried again
-- in the background: the officer can still ask for it in the text panel. Recognising it then
-- rewrites the row and clears this.
ALTER TABLE document_text ADD COLUMN recognition_failed TEXT;
