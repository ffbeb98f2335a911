import Foundation
import Synchronization

/// What the core needs of a store: the chain, its signed checkpoints and report editions, and
/// the snapshots of its fold, each concern its own protocol. What the team keeps beside the
/// chain (people, tokens, the outbox) is LedgerTeam's; `LedgerStore` there is the sum.
public protocol CoreStore: ChainStore, CheckpointStore, SnapshotStore {}

/// The chain itself. Appends are atomic and serialised, seq is gap-free, ids are idempotent,
/// nothing is ever updated or deleted.
public protocol ChainStore: Sendable {
    /// Where the ledger is, for messages: a file path or a URL without its password.
    var displayName: String { get }

    /// The last entry's seq and hash (seq 0 and the genesis hash when empty).
    func head() async throws -> ChainHead

    /// Appends drafts as one atomic batch, in order. A draft whose id is already stored
    /// with the same statement is not written again: the stored entry is returned instead;
    /// the same id with a different statement fails the whole batch.
    ///
    /// - Parameter expectedHead: when given, the batch is refused with
    ///   `AppendConflict` if another writer moved the head since the caller validated.
    func append(_ drafts: [EntryDraft], expectedHead: Int64?) async throws -> AppendedEntries

    /// Appends drafts that follow `head` (the caller's fold of the chain) as one atomic
    /// batch. The store may make the entries from `head` itself rather than read it (on
    /// PostgreSQL, one round trip); it throws `AppendConflict` when the chain has moved past
    /// `head`. By default, `append(_:expectedHead:)`.
    func append(_ drafts: [EntryDraft], following head: ChainHead) async throws -> AppendedEntries

    /// Writes entries exported from another ledger exactly as they are (seq, time, salt,
    /// hashes), in one transaction, pulling them from `batches` until it returns nil: the
    /// caller checks each batch while the store inserts the one before. They must continue
    /// this chain: each batch's first seq is the head + 1 and its prev_hash the head's hash.
    /// A batch that throws rolls everything back.
    func importEntries(batches: @escaping @Sendable () async throws -> [Entry]?) async throws

    /// Up to `limit` rows with seq greater than `seq`, in order, as stored. Callers page
    /// through the chain with this so memory stays bounded (see `entries(after:)`).
    /// - Parameter followupsWhole: false leaves a follow-up's id, author, payload, salt and
    ///   previous hash unread (''), for `StoredEntryColumns.entry(followupWhole: false)`.
    func rows(after seq: Int64, limit: Int, followupsWhole: Bool) async throws -> [StoredEntryColumns]

    /// The stored entries with these ids, if any.
    func entries(withIDs ids: [UUID]) async throws -> [Entry]

    /// The stored entries with these seqs, in seq order.
    func entries(withSeqs seqs: [Int64]) async throws -> [Entry]

    /// Every stored entry about these subjects (their corrections and retractions are about
    /// the same subject), in seq order.
    func entries(about subjects: [String]) async throws -> [Entry]

    /// Releases connections. The store is not used afterwards.
    func close() async

    /// Returns when the head may have moved past `seq` (another process appended), or
    /// throws when cancelled. The default polls `head()`; PostgreSQL listens on its channel.
    func waitForChange(after seq: Int64, pollInterval: Duration) async throws

    /// What is wrong with the database's append-only guards (the triggers the migrations
    /// created): missing, disabled or changed. Empty when they are as the migrations made them.
    func appendOnlyGuardProblems() async throws -> [String]
}

/// Signed checkpoints of the chain, and the editions of each month's report (which cite them).
public protocol CheckpointStore: Sendable {
    /// The signed checkpoints numbered above `number` (0: all), oldest first.
    func checkpoints(after number: Int64) async throws -> [StoredCheckpoint]
    /// The checkpoint of the largest tree (the latest signed of that size), if any.
    func latestCheckpoint() async throws -> StoredCheckpoint?
    /// The latest checkpoint signed of a tree of exactly `size` entries, if any.
    func checkpoint(ofSize size: Int64) async throws -> StoredCheckpoint?
    /// Keeps a signed checkpoint; returns it numbered. The database refuses one covering
    /// more entries than it holds.
    func addCheckpoint(_ checkpoint: StoredCheckpoint) async throws -> StoredCheckpoint

    /// Every edition of a month's report, oldest first.
    func reportEditions(month: String) async throws -> [ReportEdition]
    /// Keeps an edition (its number must be the month's next).
    func addReportEdition(_ edition: ReportEdition) async throws
}

/// Snapshots of the fold: a cache beside the chain (see `ProjectionSnapshot`).
public protocol SnapshotStore: Sendable {
    /// The audience's stored snapshot of that detail, if any, as stored: the caller checks
    /// it against the chain.
    func snapshot(audience: Visibility, detail: LedgerRecords.Detail) async throws -> ProjectionSnapshot?
    /// Keeps a snapshot in place of the previous one of its audience and detail.
    func saveSnapshot(_ snapshot: ProjectionSnapshot) async throws
}

/// What a command may do to the database it opens. Reads never create, migrate or change
/// anything, so they work on a file or a role that may only read, and a checksum of the
/// file shows that nothing changed.
public enum LedgerAccess: Sendable, Equatable {
    /// Read-only; an empty or foreign database is "not a ledger".
    case read
    /// Reading and appending to an existing ledger, bringing its schema up to date.
    case write
    /// As `write`, creating the ledger in a new or empty database.
    case create
}

/// What one append batch did: the entry for each draft, and which of them it wrote. A
/// draft that repeats a stored entry (a retry, or a twin request that got in first) is in
/// `entries` but not in `new`, whatever its seq.
public struct AppendedEntries: Sendable {
    /// One per draft, in order.
    public let entries: [Entry]
    /// The entries this batch inserted, in seq order.
    public let new: [Entry]

    public init(entries: [Entry], new: [Entry]) {
        self.entries = entries
        self.new = new
    }
}

/// The head moved between validation and append; validate again against the new entries.
public struct AppendConflict: Error, Sendable {
    public let expected: Int64
    public let actual: Int64

    public init(expected: Int64, actual: Int64) {
        self.expected = expected
        self.actual = actual
    }
}

extension ChainStore {
    /// Imports entries already in memory, as one batch.
    public func importEntries(_ entries: [Entry]) async throws {
        let batch = Mutex<[Entry]?>(entries)
        try await importEntries(batches: { batch.withLock { taken in defer { taken = nil }; return taken } })
    }

    public func append(_ drafts: [EntryDraft], following head: ChainHead) async throws -> AppendedEntries {
        try await append(drafts, expectedHead: head.seq)
    }

    public func waitForChange(after seq: Int64, pollInterval: Duration) async throws {
        while try await head().seq <= seq {
            try await Task.sleep(for: pollInterval)
        }
    }

    public func rows(after seq: Int64, limit: Int) async throws -> [StoredEntryColumns] {
        try await rows(after: seq, limit: limit, followupsWhole: true)
    }

    /// Up to `limit` entries with seq greater than `seq`, in order; see
    /// `StoredEntryColumns.entry(followupWhole:)`.
    public func entries(after seq: Int64, limit: Int, followupsWhole: Bool = true) async throws -> [Entry] {
        // Decoding payloads is most of reading the chain; done on two cores.
        try await TwoCores.map(try await rows(after: seq, limit: limit, followupsWhole: followupsWhole)) { row in
            try row.entry(followupWhole: followupsWhole)
        }
    }

    /// Every entry after `seq`, fetched a page at a time: pages of 4,000, three read at once,
    /// the fastest cold fold on PostgreSQL for a few MB more (docs/performance.md).
    public func entries(after seq: Int64 = 0, pageSize: Int = 4_000, followupsWhole: Bool = true) -> EntryPages {
        EntryPages(store: self, after: seq, pageSize: pageSize, followupsWhole: followupsWhole)
    }
}
