import Foundation
import LedgerMigrations
import Crypto

/// An entry as a database row holds it: plain text columns. Turning one into an `Entry`
/// checks every column, so a row altered behind the ledger's back is reported by seq.
struct StoredEntryColumns {
    var seq: Int64
    /// Nil when the stored text is not a UUID.
    var id: UUID?
    var type: String
    var schema: Int
    var subject: String
    var effective: String
    var recordedAt: String
    var author: String
    var visibility: String
    var payload: String
    var salt: String
    var prevHash: String
    var hash: String

    func entry() throws -> Entry {
        func damaged(_ column: String, _ problem: String) -> LedgerError {
            LedgerError(kind: .integrity, field: "seq \(seq)", "\(column) \(problem); the row was changed outside the ledger")
        }
        guard let uuid = id else { throw damaged("id", "is not a UUID") }
        guard let entryType = EntryType(rawValue: type) else { throw damaged("type", "'\(type)' is unknown") }
        guard let time = EffectiveTime(effective) else { throw damaged("effective", "'\(effective)' is not a date") }
        guard let visibilityValue = Visibility(rawValue: visibility) else { throw damaged("visibility", "is not public or internal") }
        let payloadValue: JSONValue
        do { payloadValue = try JSONValue.parse(payload) } catch { throw damaged("payload", "is not valid JSON") }
        return Entry(
            seq: seq, id: uuid, type: entryType, schema: schema, subject: subject, effective: time,
            recordedAt: recordedAt, author: author, visibility: visibilityValue, payload: payloadValue,
            salt: salt, prevHash: prevHash, hash: hash)
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
