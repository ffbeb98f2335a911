import Foundation

/// The latest fold of the chain for each audience and detail, brought up to date on each use.
actor FoldedRecords {
    struct Kind: Hashable {
        let audience: Visibility
        let detail: LedgerRecords.Detail
    }

    private var byKind: [Kind: LedgerRecords] = [:]

    /// The kept full fold as it is, without reading; the whole chain folded if there is none yet.
    func cached(_ audience: Visibility, of ledger: Ledger) async throws -> LedgerRecords {
        if let records = byKind[Kind(audience: audience, detail: .full)] { return records }
        return try await latest(audience, of: ledger)
    }

    /// Folds in entries this process just wrote, when the kept folds end where they begin.
    func extend(with entries: [Entry], after head: Int64) {
        for kind in Array(byKind.keys) where byKind[kind]?.head.seq == head {
            var records = byKind.removeValue(forKey: kind)!
            for entry in entries { records.apply(entry) }
            byKind[kind] = records
        }
    }

    func latest(_ audience: Visibility, detail: LedgerRecords.Detail = .full, of ledger: Ledger,
                progress: (@Sendable (Int64) -> Void)? = nil) async throws -> LedgerRecords {
        // Taken out while folding so the fold mutates the only copy instead of duplicating it.
        var records: LedgerRecords
        if let kept = byKind.removeValue(forKey: Kind(audience: audience, detail: detail)) {
            records = kept
        } else {
            records = await ledger.snapshotRecords(audience, detail: detail) ?? LedgerRecords(audience: audience, detail: detail)
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

    /// Two overlapping calls may both fold; keep whichever went further. A structure fold
    /// is not kept: commands read one once and put text back into it, which would copy
    /// every record of a fold still held here.
    private func keep(_ records: LedgerRecords) {
        guard records.detail == .full else { return }
        let kind = Kind(audience: records.audience, detail: records.detail)
        if records.head.seq >= byKind[kind]?.head.seq ?? -1 { byKind[kind] = records }
    }
}
