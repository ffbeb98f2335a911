import Foundation
import Ledger

/// What someone holding the database's write grants (not the ledger's code) could do.
public enum Forgery {
    /// Stores a snapshot of the public fold with the true head and Merkle root, in which the
    /// last public follow-up's note says `note`: the head check alone would let every read
    /// trust it. Returns the note it replaced.
    @discardableResult
    public static func rewriteNoteInPublicSnapshot(of ledger: Ledger, note: String) async throws -> String {
        guard let stored = try await ledger.store.snapshot(audience: .public) else {
            throw PostgresTestServer.SetupError(description: "no public snapshot to forge: keep one first")
        }
        var entries: [Entry] = []
        for try await entry in ledger.store.entries(after: 0) where entry.seq <= stored.head.seq { entries.append(entry) }
        guard let index = entries.lastIndex(where: { $0.type == .followupLogged && $0.visibility == .public }),
              case .object(var payload) = entries[index].payload, let original = payload["note"]?.stringValue else {
            throw PostgresTestServer.SetupError(description: "no public follow-up with a note to rewrite")
        }
        payload["note"] = .string(note)
        entries[index].payload = .object(payload)
        var forged = LedgerRecords(audience: .public)
        for entry in entries { forged.apply(entry) }
        try await ledger.store.saveSnapshot(ProjectionSnapshot(of: forged, merkleRoot: stored.merkleRoot))
        return original
    }
}
