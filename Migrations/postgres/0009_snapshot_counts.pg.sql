-- A third snapshot per audience: the counts fold (Ledger's LedgerRecords.Detail.counts),
-- which `status` reads: follow-ups counted, not kept.
ALTER TABLE projection_snapshots DROP CONSTRAINT projection_snapshots_detail_check,
    ADD CONSTRAINT projection_snapshots_detail_check CHECK (detail IN ('full', 'structure', 'counts'));
