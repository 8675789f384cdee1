-- As SQLite's migration 025: the change feed's stamp of a case, raised by every change (as it is
-- recorded, waiting for its feed position) and event of the case or of another case of its
-- applicant, in the transaction that records it. Raising a linked case's stamp locks its row: two
-- writes to two cases of one applicant at once may deadlock, and the one PostgreSQL stops runs
-- again, as any write does.
ALTER TABLE applications ADD COLUMN feed_stamp BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION raise_feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE applications SET feed_stamp = feed_stamp + 1
    WHERE id = NEW.application_id OR id IN (
        SELECT o.id FROM applications a JOIN applications o ON o.fin_key = a.fin_key
            WHERE a.id = NEW.application_id
        UNION SELECT o.id FROM applications a JOIN applications o ON o.passport_key = a.passport_key
            WHERE a.id = NEW.application_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER changes_pending_raise_feed_stamp AFTER INSERT ON changes_pending
    FOR EACH ROW EXECUTE FUNCTION raise_feed_stamp();
CREATE TRIGGER events_raise_feed_stamp AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION raise_feed_stamp();
