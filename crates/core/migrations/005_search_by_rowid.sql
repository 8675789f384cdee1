-- The search index shares the rowid of its case, so updating one case's entry is a lookup by
-- key instead of a scan of the whole index (case_id is UNINDEXED in FTS5).
CREATE VIRTUAL TABLE cases_fts_new USING fts5(case_id UNINDEXED, text);
INSERT INTO cases_fts_new (rowid, case_id, text)
    SELECT c.rowid, f.case_id, f.text FROM cases_fts f JOIN cases c ON c.id = f.case_id;
DROP TABLE cases_fts;
ALTER TABLE cases_fts_new RENAME TO cases_fts;
