-- Every change the feed has recorded, whether or not it has its feed position yet, for the
-- questions asked of a case's past ("did this officer ever hold it?"). On SQLite, whose writes
-- commit one after another, a change takes its position as it is written: the view is the
-- table. On PostgreSQL it adds the changes still waiting for theirs (changes_pending).
CREATE VIEW every_change AS
    SELECT application_id, department_id, officer_id, previous_officer_id, kind, at FROM changes;
