-- The queue sorted by applicant walks an index over a stored Azerbaijani sort key (see
-- `migdesk_domain::fold::sort_bytes`) instead of calling a collation for every row.
ALTER TABLE cases ADD COLUMN applicant_key BLOB NOT NULL DEFAULT x'';
UPDATE cases SET applicant_key = az_sort_key(applicant);
CREATE INDEX cases_applicant ON cases(applicant_key, number);
-- Each queue row looks up its case's latest decision: by index, not by reading the whole outbox
-- (which keeps every decision ever made on this desk).
CREATE INDEX outbox_case ON outbox(case_id, recorded_at);
-- The other orders of the queue walk an index too.
CREATE INDEX cases_submitted ON cases(submitted_at, number);
CREATE INDEX cases_number ON cases(number);
