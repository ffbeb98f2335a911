import Foundation
import Transparency

/// Keeping the fold beside the chain, and finding it again.
extension Ledger {
    /// The fold kept in the audience's snapshot of that detail, when it still matches the
    /// chain (the entry at its seq has its hash) and is no later than `knownAt`; nil
    /// otherwise, and the caller folds from seq 1. A snapshot that cannot be read is a
    /// missed cache, not an error.
    public func snapshotRecords(_ audience: Visibility, detail: LedgerRecords.Detail = .full, upTo knownAt: Int64? = nil) async -> LedgerRecords? {
        guard let snapshot = try? await store.snapshot(audience: audience, detail: detail),
              snapshot.format == ProjectionSnapshot.currentFormat,
              snapshot.head.seq <= knownAt ?? .max,
              let entry = try? await store.rows(after: snapshot.head.seq - 1, limit: 1).first,
              entry.seq == snapshot.head.seq, entry.hash == snapshot.head.hash
        else { return nil }
        return try? snapshot.records()
    }

    /// The stored snapshots a read would use (current format, its head still in the chain)
    /// whose body is not the fold of the chain up to their seq, or whose Merkle root is not
    /// the chain's: a snapshot written by something other than this program, which every
    /// read would trust. Empty when there is none, or each is the fold it claims to be.
    /// Folds the chain from seq 1 once per audience and head, one at a time (memory: one
    /// fold); the counts snapshot is checked against the same fold, reduced.
    /// - Parameter progress: told which fold, and the seq it has reached, as it goes.
    public func snapshotProblems(progress: (@Sendable (Visibility, Int64) -> Void)? = nil) async throws -> [String] {
        var problems: [String] = []
        for audience in [Visibility.internal, .public] {
            var stored: [ProjectionSnapshot] = []
            for detail in LedgerRecords.Detail.allCases {
                // A role that may not read snapshots is never misled by one: its reads fold the chain.
                guard let snapshot = try? await store.snapshot(audience: audience, detail: detail),
                      snapshot.format == ProjectionSnapshot.currentFormat,
                      let entry = try await store.rows(after: snapshot.head.seq - 1, limit: 1).first,
                      entry.seq == snapshot.head.seq, entry.hash == snapshot.head.hash
                else { continue }
                stored.append(snapshot)
            }
            stored.sort { $0.head.seq < $1.head.seq }
            var records = LedgerRecords(audience: audience)
            for snapshot in stored {
                let seq = snapshot.head.seq
                var folding: (@Sendable (Int64) -> Void)?
                if let progress { folding = { done in progress(audience, done) } }
                try await catchUp(&records, until: seq, progress: folding)
                let root = try await withMerkleTree(atLeast: seq) { tree in try tree.root(size: seq).hex }
                let view = (audience == .public ? "public view" : "team's view") + (snapshot.detail == .full ? "" : " (\(snapshot.detail.rawValue))")
                if snapshot.merkleRoot != root {
                    problems.append("the snapshot of the \(view) at seq \(seq) names the Merkle root \(snapshot.merkleRoot), but the chain's is \(root)")
                } else if !Self.encodes(records, as: snapshot.detail, body: snapshot.body) {
                    problems.append("the snapshot of the \(view) at seq \(seq) is not the fold of the chain up to there: something other than ledgerctl wrote it, and every read trusts it; rebuild it with `ledgerctl snapshot --rebuild`")
                }
            }
        }
        return problems
    }

    /// Whether `records`, kept at `detail`, encode to exactly `body`, without a second copy
    /// of the encoding.
    private static func encodes(_ records: LedgerRecords, as detail: LedgerRecords.Detail, body: Data) -> Bool {
        var writer = SnapshotWriter(expectedSize: body.count)
        writer.write(records, as: detail)
        return writer.bytes.withUnsafeBytes { encoded in
            body.withUnsafeBytes { stored in
                encoded.count == stored.count && (encoded.isEmpty || memcmp(encoded.baseAddress!, stored.baseAddress!, encoded.count) == 0)
            }
        }
    }

    public struct SnapshotSaving: Sendable {
        public let audience: Visibility
        public let detail: LedgerRecords.Detail
        public let seq: Int64
        public let bytes: Int
    }

    /// Folds the chain to its head for both audiences (from the stored snapshots, when they
    /// match) and stores the folds and their counts as the new snapshots. Needs write access.
    /// - Parameter progress: told which fold, and the seq it has reached, as it goes.
    /// - Parameter fromChain: fold from seq 1, ignoring the stored snapshots (to replace
    ///   one that `snapshotProblems()` found wrong).
    @discardableResult
    public func saveSnapshots(now: Date = Date(), fromChain: Bool = false,
                              progress: (@Sendable (Visibility, Int64) -> Void)? = nil) async throws -> [SnapshotSaving] {
        var saved: [SnapshotSaving] = []
        for audience in [Visibility.internal, .public] {
            var folding: (@Sendable (Int64) -> Void)?
            if let progress { folding = { seq in progress(audience, seq) } }
            // One fold at a time, not kept afterwards: at a million entries each is over a gigabyte.
            var records = fromChain ? LedgerRecords(audience: audience) : await snapshotRecords(audience) ?? LedgerRecords(audience: audience)
            try await catchUp(&records, progress: folding)
            saved += try await saveSnapshot(of: records, now: now)
        }
        return saved
    }

    /// Stores a fold of this ledger's chain as its audience's snapshot of its detail, and of
    /// every lesser detail (a full fold gives both; nothing for an empty one).
    @discardableResult
    public func saveSnapshot(of records: LedgerRecords, now: Date = Date()) async throws -> [SnapshotSaving] {
        let seq = records.head.seq
        guard seq > 0 else { return [] }
        let root = try await withMerkleTree(atLeast: seq) { tree in try tree.root(size: seq).hex }
        var saved: [SnapshotSaving] = []
        for detail in records.detail.orLess {
            let snapshot = ProjectionSnapshot(of: records, detail: detail, merkleRoot: root, now: now)
            try await store.saveSnapshot(snapshot)
            saved.append(SnapshotSaving(audience: records.audience, detail: detail, seq: seq, bytes: snapshot.body.count))
        }
        return saved
    }
}
