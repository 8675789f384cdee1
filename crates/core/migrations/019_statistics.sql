-- A supervisor's department statistics as the centre last answered them, one row per question
-- asked (period and service), so that the last figures can be read offline. Only the signed-in
-- user's rows are read; another officer signing in on the desk forgets them all.
CREATE TABLE statistics (
    owner      TEXT NOT NULL,
    query      TEXT NOT NULL,
    figures    TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (owner, query)
) STRICT;
