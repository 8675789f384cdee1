-- A case's latest change, found without reading the feed: the change feed's snapshots of a
-- case are reused while its latest change (and its applicant's other cases') stays the same.
CREATE INDEX changes_application ON changes(application_id, seq);
