-- recorded_at never goes back before the previous entry's, whoever writes (PostgreSQL
-- checks the same, and also the distance from its clock: there the application server's
-- clock chooses the time; here the one process that writes does).
CREATE TRIGGER ledger_entries_recorded_at
BEFORE INSERT ON ledger_entries
WHEN NEW.recorded_at < (SELECT recorded_at FROM ledger_entries WHERE seq = NEW.seq - 1)
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries: recorded_at goes back before the previous entry''s');
END;
