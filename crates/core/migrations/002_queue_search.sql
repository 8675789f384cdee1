-- The queue: the applicant's name as a column (sorting, display) and full-text search over
-- folded text (Azerbaijani case rules and diacritics folded by the desk before indexing).
ALTER TABLE cases ADD COLUMN applicant TEXT NOT NULL DEFAULT '';
UPDATE cases SET applicant = coalesce(json_extract(detail, '$.applicant.name_latin'), '');
CREATE VIRTUAL TABLE cases_fts USING fts5(case_id UNINDEXED, text);
