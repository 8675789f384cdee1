-- Deadline alerts: a department's supervisor is shown the pending cases due within this many
-- working days that nobody has opened or that have no officer (and every overdue one).
ALTER TABLE departments ADD COLUMN alert_working_days INTEGER NOT NULL DEFAULT 2
    CHECK (alert_working_days BETWEEN 0 AND 20);
