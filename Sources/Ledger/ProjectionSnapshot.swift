import Foundation
import Transparency

/// The fold of the chain at a seq, stored beside it so that a command, or a server starting
/// up, folds only the entries written since. A cache, never a source: it is used only when
/// the chain still holds the entry it was built up to (the same seq with the same hash, so
/// by the chain's links the same history) and its format is this program's; otherwise it
/// is ignored and the chain folded from seq 1. Deleting every snapshot changes nothing
/// but speed.
public struct ProjectionSnapshot: Sendable {
    /// Raised whenever what a fold holds or how it is encoded changes, so that an older
    /// snapshot is ignored and rebuilt instead of misread. Format 2 writes every map in key
    /// order, so one fold has one encoding and `verify` can compare bytes; format 3 writes a
    /// small object seen before by number (`SnapshotWriter.isShareable`); format 4 marks
    /// each counted follow-up internal or not (an import validates against the counts).
    public static let currentFormat = 4

    public let audience: Visibility
    /// A full fold or its counts (`LedgerRecords.Detail`); each audience keeps one of each.
    public let detail: LedgerRecords.Detail
    public let head: ChainHead
    /// The RFC 6962 root of the first `head.seq` entries, hex: the snapshot names the same
    /// tree a checkpoint of that size signs.
    public let merkleRoot: String
    public let format: Int
    /// Seconds since 1970, UTC.
    public let createdAt: Int64
    public let body: Data

    public init(audience: Visibility, detail: LedgerRecords.Detail, head: ChainHead, merkleRoot: String, format: Int, createdAt: Int64, body: Data) {
        self.audience = audience
        self.detail = detail
        self.head = head
        self.merkleRoot = merkleRoot
        self.format = format
        self.createdAt = createdAt
        self.body = body
    }

    /// The snapshot of a fold, or of its counts (`detail` `.counts` of a full fold);
    /// `merkleRoot` is the tree's at `records.head.seq`.
    public init(of records: LedgerRecords, detail: LedgerRecords.Detail? = nil, merkleRoot: String, now: Date = Date()) {
        let detail = detail ?? records.detail
        precondition(records.detail.orLess.contains(detail), "a fold keeps no more detail than it has")
        var writer = SnapshotWriter()
        writer.write(records, as: detail)
        self.init(audience: records.audience, detail: detail, head: records.head, merkleRoot: merkleRoot, format: Self.currentFormat,
                  createdAt: Int64(now.timeIntervalSince1970), body: writer.data())
    }

    /// The body in the pieces a store keeps it in: both databases cap a value at 1 GB, and
    /// the snapshot of three million entries is larger.
    public func parts(of size: Int = 64 << 20) -> [Data] {
        // Slices share the body's storage: a part is copied only by the store that writes it.
        stride(from: 0, to: max(body.count, 1), by: size).map { body[(body.startIndex + $0)..<(body.startIndex + min($0 + size, body.count))] }
    }

    /// The snapshot a store kept in parts, when the parts agree on what they belong to.
    public static func joined(_ parts: [ProjectionSnapshot]) -> ProjectionSnapshot? {
        guard let first = parts.first,
              parts.allSatisfy({ $0.detail == first.detail && $0.head == first.head && $0.format == first.format && $0.merkleRoot == first.merkleRoot && $0.createdAt == first.createdAt })
        else { return nil }
        var body = Data(capacity: parts.reduce(0) { $0 + $1.body.count })
        for part in parts { body.append(part.body) }
        return ProjectionSnapshot(audience: first.audience, detail: first.detail, head: first.head, merkleRoot: first.merkleRoot, format: first.format,
                                  createdAt: first.createdAt, body: body)
    }

    /// The fold it holds; throws when the body does not read as one of this format.
    public func records() throws -> LedgerRecords {
        guard format == Self.currentFormat else {
            throw LedgerError(kind: .integrity, "the snapshot at seq \(head.seq) is of format \(format), not \(Self.currentFormat)")
        }
        return try body.withUnsafeBytes { bytes throws(LedgerError) in
            var reader = SnapshotReader(bytes: bytes)
            let records = try reader.readRecords(audience: audience, detail: detail, head: head)
            guard reader.isAtEnd else { throw reader.damaged }
            return records
        }
    }
}
