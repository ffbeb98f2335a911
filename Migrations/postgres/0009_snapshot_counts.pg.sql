-- The snapshots of a fold's structure give way to its counts (Ledger's
-- LedgerRecords.Detail.counts: follow-ups counted, not kept), which status, show, log and
-- the monthly report read. The structure ones are a cache nothing reads any more.
DELETE FROM projection_snapshots WHERE detail = 'structure';
ALTER TABLE projection_snapshots DROP CONSTRAINT projection_snapshots_detail_check,
    ADD CONSTRAINT projection_snapshots_detail_check CHECK (detail IN ('full', 'counts'));
