import Foundation

/// The latest fold of the chain for each audience, brought up to date on each use.
actor FoldedRecords {
    private var byAudience: [Visibility: LedgerRecords] = [:]

    /// The kept fold as it is, without reading; the whole chain folded if there is none yet.
    func cached(_ audience: Visibility, of ledger: Ledger) async throws -> LedgerRecords {
        if let records = byAudience[audience] { return records }
        return try await latest(audience, of: ledger)
    }

    /// Folds in entries this process just wrote, when the kept folds end where they begin.
    func extend(with entries: [Entry], after head: Int64) {
        for audience in Array(byAudience.keys) where byAudience[audience]?.head.seq == head {
            var records = byAudience.removeValue(forKey: audience)!
            for entry in entries { records.apply(entry) }
            byAudience[audience] = records
        }
    }

    func latest(_ audience: Visibility, of ledger: Ledger, progress: (@Sendable (Int64) -> Void)? = nil) async throws -> LedgerRecords {
        // Taken out while folding so the fold mutates the only copy instead of duplicating it.
        var records: LedgerRecords
        if let kept = byAudience.removeValue(forKey: audience) {
            records = kept
        } else {
            records = await ledger.snapshotRecords(audience) ?? LedgerRecords(audience: audience)
        }
        do {
            try await ledger.catchUp(&records, progress: progress)
        } catch {
            // Whatever was folded is still a correct prefix of the chain.
            keep(records)
            throw error
        }
        keep(records)
        return records
    }

    /// Two overlapping calls may both fold; keep whichever went further.
    private func keep(_ records: LedgerRecords) {
        if records.head.seq >= byAudience[records.audience]?.head.seq ?? -1 { byAudience[records.audience] = records }
    }
}
