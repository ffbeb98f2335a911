import Foundation
import LedgerMigrations
import Crypto

/// An entry as a database row holds it: plain text columns. Turning one into an `Entry`
/// checks every column, so a row altered behind the ledger's back is reported by seq;
/// `computedHash` hashes the columns as they are, without decoding the payload.
public struct StoredEntryColumns: Sendable {
    public var seq: Int64
    public var id: String
    public var type: String
    public var schema: Int
    public var subject: String
    public var effective: String
    public var recordedAt: String
    public var author: String
    public var visibility: String
    /// Canonical JSON text, as the ledger writes it.
    public var payload: String
    public var salt: String
    public var prevHash: String
    public var hash: String

    private func damaged(_ column: String, _ problem: String) -> LedgerError {
        LedgerError(kind: .integrity, field: "seq \(seq)", "\(column) \(problem); the row was changed outside the ledger")
    }

    /// Every column but the payload reads as what the ledger writes (cheap: no JSON parsing).
    public func checkColumns() throws(LedgerError) {
        _ = try typedColumns()
    }

    private func typedColumns() throws(LedgerError) -> (UUID, EntryType, EffectiveTime, Visibility) {
        guard let uuid = UUID(hexText: id) else { throw damaged("id", "is not a UUID") }
        guard let entryType = EntryType(rawValue: type) else { throw damaged("type", "'\(type)' is unknown") }
        guard let time = EffectiveTime(effective) else { throw damaged("effective", "'\(effective)' is not a date") }
        guard let visibilityValue = Visibility(rawValue: visibility) else { throw damaged("visibility", "is not public or internal") }
        return (uuid, entryType, time, visibilityValue)
    }

    public func entry() throws -> Entry {
        let (uuid, entryType, time, visibilityValue) = try typedColumns()
        let payloadValue: JSONValue
        do { payloadValue = try JSONValue.parse(payload) } catch { throw damaged("payload", "is not valid JSON") }
        return Entry(
            seq: seq, id: uuid, type: entryType, schema: schema, subject: subject, effective: time,
            recordedAt: recordedAt, author: author, visibility: visibilityValue, payload: payloadValue,
            salt: salt, prevHash: prevHash, hash: hash)
    }

    /// The hash of the row as stored. The stored payload is the canonical text the ledger
    /// wrote, so it goes in as it is: a payload rewritten in any other form, even an
    /// equivalent one, no longer matches, which is what a check for tampering wants.
    public var computedHash: String {
        ChainHash.sha256Hex(CanonicalEntry.bytes(
            seq: seq, id: id, type: type, schema: schema, subject: subject, effective: effective, recordedAt: recordedAt,
            author: author, visibility: visibility, salt: salt, prevHash: prevHash) { $0.append(contentsOf: payload.utf8) })
    }
}

extension UUID {
    /// Parses `8-4-4-4-12` hex digits (either case) without Foundation's scanf-based parser,
    /// which showed in profiles of reading the chain.
    init?(hexText text: String) {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0, high: UInt8?
        for (index, character) in text.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            guard count < 16 else { return nil }
            if let first = high {
                bytes[count] = first << 4 | nibble
                count += 1
                high = nil
            } else {
                high = nibble
            }
        }
        guard count == 16, high == nil, text.utf8.count == 36 else { return nil }
        self.init(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                         bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// What one append batch writes, worked out under the store's write lock: each draft is
/// either a retry of a stored entry (same id, same statement) or the next link of the chain.
/// Both stores use it, so they agree on retries, conflicts and recorded_at.
struct AppendPlan {
    /// One per draft, in order: the stored entry a retry repeats, or the new one.
    private(set) var entries: [Entry] = []
    /// The entries to insert, in seq order.
    private(set) var new: [Entry] = []

    /// - Parameters:
    ///   - stored: entries already in the ledger with the drafts' ids.
    ///   - now: the store's clock; recorded_at never goes back before the head's.
    init(drafts: [EntryDraft], stored: [Entry], head: ChainHead, expectedHead: Int64?, now: String) throws {
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

struct AppliedMigration {
    var version: Int
    var name: String
    var checksum: String
}

/// Which migrations a database still needs, refusing databases this build cannot understand.
struct MigrationPlan {
    let pending: [LedgerMigrations.Migration]

    init(known: [LedgerMigrations.Migration], applied: [AppliedMigration]) throws {
        let newest = known.last?.version ?? 0
        if let ahead = applied.last(where: { $0.version > newest }) {
            throw LedgerError(kind: .storage,
                "the database's schema is at version \(ahead.version) (\(ahead.name)), newer than this ledgerctl knows (\(newest)); upgrade ledgerctl")
        }
        for record in applied {
            guard let migration = known.first(where: { $0.version == record.version }) else { continue }
            if Self.checksum(migration.sql) != record.checksum {
                throw LedgerError(kind: .storage,
                    "migration \(migration.name) differs from the one applied to this database (checksum mismatch); refusing to run on a schema it does not know")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        pending = known.filter { !appliedVersions.contains($0.version) }
    }

    static func checksum(_ sql: String) -> String { ChainHash.sha256Hex(sql) }
}
