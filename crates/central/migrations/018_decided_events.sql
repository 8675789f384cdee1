-- The department's statistics read every applied decision (`decided` in the history): found
-- through this index instead of every event of every case.
CREATE INDEX events_decided ON events(application_id) WHERE kind = 'decided';
