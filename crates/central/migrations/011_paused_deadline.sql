-- The decision deadline stops while the applicant owes documents (a missing-documents decision)
-- and runs again, with the working days that were left, from the day the documents arrive.
ALTER TABLE applications ADD COLUMN paused_on TEXT;
ALTER TABLE applications ADD COLUMN paused_days_left INTEGER;
