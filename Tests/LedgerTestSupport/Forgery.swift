import Foundation
import Ledger

/// What someone holding the database's write grants (not the ledger's code) could do.
public enum Forgery {
    /// Stores a snapshot of the public fold with the true head and Merkle root, in which the
    /// last public follow-up's note says `note`: the head check alone would let every read
    /// trust it. Returns the note it replaced.
    @discardableResult
    public static func rewriteNoteInPublicSnapshot(of ledger: Ledger, note: String) async throws -> String {
        try await rewritePublicSnapshot(of: ledger, detail: .full, entryType: .followupLogged, field: "note", to: note)
    }

    /// The same for the counts snapshot (which keeps no note): the last public status
    /// change says broken (fulfilled, if it was broken). Returns the status it replaced and
    /// the one it wrote.
    @discardableResult
    public static func rewriteStatusInPublicCountsSnapshot(of ledger: Ledger) async throws -> (was: String, now: String) {
        var written = ""
        let original = try await rewritePublicSnapshot(of: ledger, detail: .counts, entryType: .statusChanged, field: "status") { status in
            written = status == CommitmentStatus.broken.rawValue ? CommitmentStatus.fulfilled.rawValue : CommitmentStatus.broken.rawValue
            return written
        }
        return (original, written)
    }

    /// Stores a snapshot of the public fold at that detail, with the true head and Merkle
    /// root, in which the last public entry of the type has `value` in `field`. Returns
    /// the value it replaced.
    @discardableResult
    public static func rewritePublicSnapshot(of ledger: Ledger, detail: LedgerRecords.Detail, entryType: EntryType,
                                             field: String, to value: String) async throws -> String {
        try await rewritePublicSnapshot(of: ledger, detail: detail, entryType: entryType, field: field) { _ in value }
    }

    private static func rewritePublicSnapshot(of ledger: Ledger, detail: LedgerRecords.Detail, entryType: EntryType,
                                              field: String, replacing: (String) -> String) async throws -> String {
        guard let stored = try await ledger.store.snapshot(audience: .public, detail: detail) else {
            throw PostgresTestServer.SetupError(description: "no public \(detail) snapshot to forge: keep one first")
        }
        var entries: [Entry] = []
        for try await entry in ledger.store.entries(after: 0) where entry.seq <= stored.head.seq { entries.append(entry) }
        guard let index = entries.lastIndex(where: { $0.type == entryType && $0.visibility == .public }),
              case .object(var payload) = entries[index].payload, let original = payload[field]?.stringValue else {
            throw PostgresTestServer.SetupError(description: "no public \(entryType.rawValue) with a \(field) to rewrite")
        }
        payload[field] = .string(replacing(original))
        entries[index].payload = .object(payload)
        var forged = LedgerRecords(audience: .public, detail: detail)
        for entry in entries { forged.apply(entry) }
        try await ledger.store.saveSnapshot(ProjectionSnapshot(of: forged, merkleRoot: stored.merkleRoot))
        return original
    }
}
