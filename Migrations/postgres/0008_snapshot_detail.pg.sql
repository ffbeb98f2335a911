-- Each audience keeps two snapshots: the full fold, and its structure alone (Ledger's
-- LedgerRecords.Detail), which `status` reads without loading every note. The snapshots
-- kept so far are full folds and stay.
ALTER TABLE projection_snapshots
    ADD COLUMN detail TEXT NOT NULL DEFAULT 'full' CHECK (detail IN ('full', 'structure'));
ALTER TABLE projection_snapshots ALTER COLUMN detail DROP DEFAULT;
ALTER TABLE projection_snapshots DROP CONSTRAINT projection_snapshots_pkey, ADD PRIMARY KEY (audience, detail, part);
