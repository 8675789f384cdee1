-- An accepted application is executed when its permit or document is issued: the document's
-- number, the day it was issued, and who recorded it when. A reopened case has none.
ALTER TABLE applications ADD COLUMN executed_document TEXT;
ALTER TABLE applications ADD COLUMN executed_on TEXT;
ALTER TABLE applications ADD COLUMN executed_at TEXT;
ALTER TABLE applications ADD COLUMN executed_by TEXT REFERENCES users(id);
