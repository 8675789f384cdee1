-- Identifiers name the central service `central`; the table follows.
ALTER TABLE centre_conflicts RENAME TO central_conflicts;
