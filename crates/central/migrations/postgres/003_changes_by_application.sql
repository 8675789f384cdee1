-- As SQLite's migration 024: a case's latest change, found without reading the feed.
CREATE INDEX changes_application ON changes(application_id, seq);
