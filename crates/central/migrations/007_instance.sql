-- Who this database is. `id` is made once, with the database, and never changes: desks pin it
-- at their first sign-in, so a desk never shows one centre's data to another. `epoch` names the
-- change feed's history: it is made anew after a restore from a backup (`migdesk-central
-- restored`), and a desk whose cursor belongs to another epoch syncs again from scratch.
CREATE TABLE instance (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    id TEXT NOT NULL,
    epoch TEXT NOT NULL,
    restored_at TEXT
);
INSERT INTO instance (one, id, epoch) VALUES (1, lower(hex(randomblob(16))), lower(hex(randomblob(8))));
