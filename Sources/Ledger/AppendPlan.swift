import Foundation

/// What one append batch writes, worked out under the store's write lock: each draft is
/// either a retry of a stored entry (same id, same statement) or the next link of the chain.
/// Both stores use it, so they agree on retries, conflicts and recorded_at.
package struct AppendPlan {
    /// One per draft, in order: the stored entry a retry repeats, or the new one.
    package private(set) var entries: [Entry] = []
    /// The entries to insert, in seq order.
    package private(set) var new: [Entry] = []

    /// - Parameters:
    ///   - stored: entries already in the ledger with the drafts' ids.
    ///   - now: the store's clock; recorded_at never goes back before the head's.
    package init(drafts: [EntryDraft], stored: [Entry], head: ChainHead, expectedHead: Int64?, now: String) throws {
        var known = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let isRetryOnly = drafts.allSatisfy { known[$0.id] != nil }
        if let expectedHead, expectedHead != head.seq, !isRetryOnly {
            throw AppendConflict(expected: expectedHead, actual: head.seq)
        }
        let recordedAt = max(now, head.recordedAt ?? "")
        var head = head
        for (index, draft) in drafts.enumerated() {
            if let existing = known[draft.id] {
                guard draft.isSameStatement(as: existing) else {
                    throw LedgerError(field: "entries[\(index)].id", "\(draft.id.uuidString.lowercased()) is already seq \(existing.seq), a different entry; a retry must repeat the entry exactly")
                }
                entries.append(existing)
                continue
            }
            let entry = Entry(draft: draft, seq: head.seq + 1, recordedAt: recordedAt, prevHash: head.hash)
            known[entry.id] = entry
            head = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
            new.append(entry)
            entries.append(entry)
        }
    }
}
