import Foundation
import GRDB
import Ledger

/// Ledger files as an attacker with a text editor and sha256 makes them: any content, with
/// every hash and link recomputed so that only the content is wrong.
enum Crafted {
    /// Every entry of a ledger, read back from `ledgerctl export`.
    static func entries(exported: String) throws -> [Entry] {
        try exported.lines.filter { !$0.isEmpty }.map { try Entry(exchangeJSON: try JSONValue.parse($0)) }
    }

    /// The entries with seq, prev_hash and hash made consistent again from the first one on,
    /// continuing `head`.
    static func rechained(_ entries: [Entry], after head: ChainHead = .empty) -> [Entry] {
        var previous = head
        return entries.map { original in
            var entry = original
            entry.seq = previous.seq + 1
            entry.prevHash = previous.hash
            entry.hash = entry.computedHash
            previous = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
            return entry
        }
    }

    /// The exchange format, one line per entry.
    static func file(_ entries: [Entry]) -> String {
        entries.map(\.exchangeLine).joined(separator: "\n") + "\n"
    }

    /// A new entry placed after `last` (same author and recording time), from a draft.
    static func following(_ last: Entry, _ draft: EntryDraft) -> Entry {
        Entry(draft: draft, seq: last.seq + 1, recordedAt: last.recordedAt, prevHash: last.hash)
    }

    /// `entry` with one payload field set (nil removes it).
    static func with(_ entry: Entry, _ field: String, _ value: JSONValue?) -> Entry {
        var changed = entry
        guard case .object(var members) = entry.payload else { return entry }
        members[field] = value
        changed.payload = .object(members)
        return changed
    }
}

/// The SHA-256 of a file, to show that a command left it exactly as it was.
func fileChecksum(_ path: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return ChainHash.sha256Hex(Array(data))
}

/// Runs SQL on a SQLite file directly, behind the ledger's back, as someone with the file
/// (and a SQLite shell) could. Returns how many rows the last statement changed.
@discardableResult
func behindTheLedger(_ path: String, _ statements: String...) throws -> Int {
    let queue = try DatabaseQueue(path: path)
    let changed = try queue.writeWithoutTransaction { db -> Int in
        for statement in statements { try db.execute(sql: statement) }
        return db.changesCount
    }
    try queue.close()
    return changed
}
