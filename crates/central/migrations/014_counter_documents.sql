-- A document an officer added to a case at the counter (an applicant's paper, scanned at the
-- department) names who added it; the applicant's own uploads name nobody.
ALTER TABLE documents ADD COLUMN added_by TEXT REFERENCES users(id);
