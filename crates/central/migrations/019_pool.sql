-- A department may send its new applications to a pool its officers claim from: the rule's
-- column takes a third value (SQLite keeps a column's CHECK with it, so the column is made
-- again with the wider one).
ALTER TABLE departments ADD COLUMN intake_rule TEXT NOT NULL DEFAULT 'least_open_work'
    CHECK (intake_rule IN ('least_open_work', 'round_robin', 'pool'));
UPDATE departments SET intake_rule = distribution_rule;
ALTER TABLE departments DROP COLUMN distribution_rule;
ALTER TABLE departments RENAME COLUMN intake_rule TO distribution_rule;

-- The pool: pending cases without an officer, by department.
CREATE INDEX applications_pool ON applications(department_id, due_date)
    WHERE officer_id IS NULL AND status = 'pending';
