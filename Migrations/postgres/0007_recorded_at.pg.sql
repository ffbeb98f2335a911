-- An append is one round trip: the application server makes the entries, on its own
-- clock, and inserts them in one statement (PostgresLedgerStore). So the database checks
-- the time it was given: recorded_at never goes back before the previous entry's, and
-- strays at most 10 seconds from the database's own clock, unless it repeats the previous
-- entry's (a writer whose clock is behind the chain's takes the chain's time). An import copies history
-- recorded elsewhere and says so for its transaction (SET LOCAL ledger.importing = 'on');
-- its order is still checked. Runs after ledger_entries_chain (triggers fire in name
-- order), which has taken the writers' lock and checked the seq.
CREATE FUNCTION ledger_entries_check_recorded_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous text;
BEGIN
    SELECT recorded_at INTO previous FROM ledger_entries WHERE seq = NEW.seq - 1;
    IF NEW.recorded_at < previous THEN
        RAISE EXCEPTION 'ledger_entries: recorded_at % is before the previous entry''s (%)', NEW.recorded_at, previous
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.recorded_at IS DISTINCT FROM previous
       AND coalesce(current_setting('ledger.importing', true), '') <> 'on'
       AND abs(extract(epoch FROM NEW.recorded_at::timestamptz - clock_timestamp())) > 10 THEN
        RAISE EXCEPTION 'ledger_entries: recorded_at % is more than 10 seconds from the database''s clock', NEW.recorded_at
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ledger_entries_recorded_at
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_check_recorded_at();
