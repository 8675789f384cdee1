-- The working days a case's deadline keeps while it is stopped (the applicant owes documents),
-- beside the case for the queue; NULL while the deadline runs.
ALTER TABLE cases ADD COLUMN paused_days_left INTEGER;
UPDATE cases SET paused_days_left = json_extract(detail, '$.paused.working_days_left');
