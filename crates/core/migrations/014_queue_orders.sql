-- Every order of the queue walks an index, for the whole cache and for the officer's own
-- cases (`mine`), instead of sorting every case for each page.
--
-- By applicant: a stored Azerbaijani sort key (see `migdesk_domain::fold::sort_bytes`) instead
-- of a collation called for every row; computed here for the cases already cached.
ALTER TABLE cases ADD COLUMN applicant_key BLOB NOT NULL DEFAULT x'';
UPDATE cases SET applicant_key = az_sort_key(applicant);
CREATE INDEX cases_applicant ON cases(applicant_key, number);
CREATE INDEX cases_mine_applicant ON cases(mine, applicant_key, number);
CREATE INDEX cases_submitted ON cases(submitted_at, number);
CREATE INDEX cases_mine_submitted ON cases(mine, submitted_at, number);
CREATE INDEX cases_number ON cases(number);
CREATE INDEX cases_mine_number ON cases(mine, number);
CREATE INDEX cases_mine_due ON cases(mine, due_date, number);
-- Each queue row looks up its case's latest decision: by index, not by reading the whole outbox
-- (which keeps every decision ever made on this desk).
CREATE INDEX outbox_case ON outbox(case_id, recorded_at);
