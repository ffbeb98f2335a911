-- The chain trigger finds the entry before the new one by its seq, instead of reading the
-- head with ORDER BY seq DESC LIMIT 1. An import that was rolled back leaves its rows in
-- the index until VACUUM, above the live head, and that scan stepped over all of them for
-- every row inserted after it: an import of 100k entries retried after one refused at line
-- 99,000 took 13.8 s instead of 6.1 s, and the cost grows with the square of the size.
-- The rule is the same: seq is unique, so an entry whose seq is one more than an existing
-- entry's, linked to that entry's hash, follows the head. A seq already taken is refused
-- by the primary key; a gap or a wrong link, by this trigger, as before.
CREATE OR REPLACE FUNCTION ledger_entries_follow_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(7262616760393318401);
    IF NEW.seq = 1 THEN
        previous_hash := repeat('0', 64);
    ELSE
        SELECT hash INTO previous_hash FROM ledger_entries WHERE seq = NEW.seq - 1;
    END IF;
    -- NULL when there is no entry before it: a gap.
    IF NEW.prev_hash IS DISTINCT FROM previous_hash THEN
        RAISE EXCEPTION 'ledger_entries: an entry must follow the head (seq = head + 1, prev_hash = head hash)'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
