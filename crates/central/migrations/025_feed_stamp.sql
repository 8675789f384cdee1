-- The change feed's stamp of a case: raised by every change and event recorded for it or for
-- another case of its applicant (whose detail lists it), in the transaction that records it, so
-- a kept snapshot of the case is current while its stamp is the same (`snapshots.rs`).
ALTER TABLE applications ADD COLUMN feed_stamp INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER changes_raise_feed_stamp AFTER INSERT ON changes BEGIN
    UPDATE applications SET feed_stamp = feed_stamp + 1
    WHERE id = NEW.application_id OR id IN (
        SELECT o.id FROM applications a JOIN applications o ON o.fin_key = a.fin_key
            WHERE a.id = NEW.application_id
        UNION SELECT o.id FROM applications a JOIN applications o ON o.passport_key = a.passport_key
            WHERE a.id = NEW.application_id);
END;

CREATE TRIGGER events_raise_feed_stamp AFTER INSERT ON events BEGIN
    UPDATE applications SET feed_stamp = feed_stamp + 1
    WHERE id = NEW.application_id OR id IN (
        SELECT o.id FROM applications a JOIN applications o ON o.fin_key = a.fin_key
            WHERE a.id = NEW.application_id
        UNION SELECT o.id FROM applications a JOIN applications o ON o.passport_key = a.passport_key
            WHERE a.id = NEW.application_id);
END;
