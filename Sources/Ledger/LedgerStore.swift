import Foundation
import Synchronization

/// Where the chain lives. Every store keeps the same promises, checked by one conformance
/// suite: appends are atomic and serialised, seq is gap-free, ids are idempotent, nothing
/// is ever updated or deleted.
public protocol LedgerStore: Sendable {
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

    // MARK: Signed checkpoints

    /// The signed checkpoints numbered above `number` (0: all), oldest first.
    func checkpoints(after number: Int64) async throws -> [StoredCheckpoint]
    /// The checkpoint of the largest tree (the latest signed of that size), if any.
    func latestCheckpoint() async throws -> StoredCheckpoint?
    /// The latest checkpoint signed of a tree of exactly `size` entries, if any.
    func checkpoint(ofSize size: Int64) async throws -> StoredCheckpoint?
    /// Keeps a signed checkpoint; returns it numbered. The database refuses one covering
    /// more entries than it holds.
    func addCheckpoint(_ checkpoint: StoredCheckpoint) async throws -> StoredCheckpoint

    // MARK: Published report editions

    /// Every edition of a month's report, oldest first.
    func reportEditions(month: String) async throws -> [ReportEdition]
    /// Keeps an edition (its number must be the month's next).
    func addReportEdition(_ edition: ReportEdition) async throws

    // MARK: API tokens

    /// Stores a new live token's SHA-256 digest. A name with a live token is refused.
    func addToken(name: String, digest: String) async throws
    /// Every token, live and revoked, oldest first.
    func tokens() async throws -> [APIToken]
    /// Revokes the name's live token; false when it has none.
    func revokeToken(name: String) async throws -> Bool

    // MARK: The team's people and sessions (settings beside the chain, not entries)

    /// Stores a new person; a name already taken is refused.
    func addMember(_ member: TeamMember) async throws
    /// Everyone, oldest first.
    func members() async throws -> [TeamMember]
    /// Changes only what `change` names of the person, under its condition; false when no
    /// person of that name met it.
    func updateMember(name: String, _ change: MemberChange) async throws -> Bool
    func addSession(_ session: TeamSession) async throws
    /// The session with this digest and its person, ended or not.
    func session(digest: String) async throws -> TeamSession?
    /// Marks the session used at `at`, unless it has ended.
    func touchSession(digest: String, at: Int64) async throws
    /// Ends the session (the first end counts).
    func endSession(digest: String, at: Int64) async throws
    /// Ends every open session of the person.
    func endSessions(member: String, at: Int64) async throws
    /// Counts a sign-in attempt against each key (an account, an address) before its password
    /// is checked, and returns each key's attempts since `since`, this one included: of
    /// parallel attempts, the n-th to be counted sees at least n.
    func countSignInAttempt(keys: [String], at: Int64, since: Int64) async throws -> [Int]
    /// Takes back one attempt counted against the key at `at` (a sign-in that succeeded).
    func forgetSignInAttempt(key: String, at: Int64) async throws
    /// Forgets the key's attempts (after a good sign-in).
    func clearSignInFailures(key: String) async throws

    // MARK: Mail and webhooks (the server's outbox)

    /// Keeps a message to send; false (and nothing changed) when one with its key exists.
    func addMailDelivery(_ delivery: MailDelivery) async throws -> Bool
    /// Messages not sent yet whose next attempt is due at `now`, oldest first.
    func dueMailDeliveries(at now: Int64) async throws -> [MailDelivery]
    /// Every message kept for a person, newest first (at most `limit`).
    func mailDeliveries(member: String, limit: Int) async throws -> [MailDelivery]
    /// Writes an attempt's outcome (sent, attempts, next attempt, error) of a message not
    /// already sent.
    func saveMailAttempt(_ delivery: MailDelivery) async throws
    /// Keeps a webhook; returns it numbered.
    func addWebhook(_ hook: Webhook) async throws -> Webhook
    /// Every webhook, removed ones too, oldest first.
    func webhooks() async throws -> [Webhook]
    /// Removes the hook for good; false when there is no such active hook.
    func removeWebhook(id: Int64, at: Int64) async throws -> Bool
    /// Writes a delivery pass's progress (delivered seq, attempts, next attempt, error) of a
    /// hook not removed meanwhile; a removed hook stays removed.
    func saveWebhookProgress(_ hook: Webhook) async throws
    func addWebhookDelivery(_ delivery: WebhookDelivery) async throws
    /// A webhook's latest attempts, newest first.
    func webhookDeliveries(hookID: Int64, limit: Int) async throws -> [WebhookDelivery]

    // MARK: Snapshots of the fold (a cache beside the chain, see `ProjectionSnapshot`)

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

extension LedgerStore {
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

    /// Every entry after `seq`, fetched a page at a time. Pages of 4,000 read three at once
    /// took a cold fold of 1M entries on PostgreSQL from 3.74–4.22 s to 3.35–3.40 s (pages of
    /// 1,000, two at once), with 8 MB more; SQLite's stayed at 1.5–1.7 s.
    public func entries(after seq: Int64 = 0, pageSize: Int = 4_000, followupsWhole: Bool = true) -> EntryPages {
        EntryPages(store: self, after: seq, pageSize: pageSize, followupsWhole: followupsWhole)
    }
}
