import Foundation
import Synchronization
import Transparency

/// The ledger as its users see it: validated appends, the chain's verification, the
/// projection, export and import, over whichever store holds it.
public struct Ledger: Sendable {
    public let store: any CoreStore
    /// The chain folded so far, kept between calls: a long-lived ledger (the server, a
    /// benchmark) folds only what is new on each append or read, not the whole chain.
    let folded = FoldedRecords()
    /// The Merkle tree of the chain, kept the same way (see `withMerkleTree`).
    let merkle = MerkleCache()

    public init(store: any CoreStore) {
        self.store = store
    }

    public func close() async { await store.close() }

    // MARK: Reading

    /// Every entry known at `knownAt` (default: the head), folded. Only the full fold at the
    /// head is kept between calls: a counts fold is read once by a command that puts text
    /// back into it, which would copy every record of a fold still held.
    public func records(knownAt: Int64? = nil, audience: Visibility = .internal, detail: LedgerRecords.Detail = .full) async throws -> LedgerRecords {
        if knownAt == nil && detail == .full { return try await folded.latest(audience, of: self) }
        var records = await snapshotRecords(audience, detail: detail, upTo: knownAt) ?? LedgerRecords(audience: audience, detail: detail)
        try await catchUp(&records, until: knownAt)
        return records
    }

    /// A counts fold with the entries at `seqs` read back whole from the store (see
    /// `LedgerRecords.restoreText(of:)`): their text, and the follow-ups it keeps no record
    /// of (see `FollowupCounts`); a full fold as it is. Consuming, so that a fold the caller
    /// no longer needs is filled in place rather than copied.
    public func withText(_ records: consuming LedgerRecords, ofSeqs seqs: some Sequence<Int64>) async throws -> LedgerRecords {
        guard records.detail != .full else { return records }
        let missing = seqs.filter { seq in
            records.record(seq: seq).map { Record.textFields(of: $0.type) != nil } ?? (records.followupCounts.index(of: seq) != nil)
        }
        if !missing.isEmpty { records.restoreText(of: try await store.entries(withSeqs: missing.sorted())) }
        return records
    }

    /// The same, for every entry about `subjects`: a counts fold names none of their
    /// follow-ups, so they are read by subject.
    public func withText(_ records: consuming LedgerRecords, about subjects: Set<String>) async throws -> LedgerRecords {
        guard records.detail != .full else { return records }
        records.restoreText(of: try await store.entries(about: subjects.sorted()))
        return records
    }

    /// Folds in the entries written after `records.head`.
    /// - Parameter progress: told the seq folded up to, every few thousand entries.
    public func catchUp(_ records: inout LedgerRecords, until knownAt: Int64? = nil, progress: (@Sendable (Int64) -> Void)? = nil) async throws {
        // A counts fold keeps no follow-up's text, so none is read.
        var pages = store.entries(after: records.head.seq, followupsWhole: records.detail == .full).pages()
        defer { pages.stop() }
        while let page = try await pages.next() {
            let done = page.withUnsafeBufferPointer { page in
                for index in page.indices {
                    if let knownAt, page[index].seq > knownAt { return true }
                    records.apply(page[index])
                }
                return false
            }
            if done { break }
            progress?(records.head.seq)
        }
        progress?(records.head.seq)
    }

    public func state(asOf: CalendarDay, knownAt: Int64? = nil, audience: Visibility = .internal) async throws -> LedgerState {
        LedgerState(records: try await records(knownAt: knownAt, audience: audience), asOf: asOf)
    }

    // MARK: Writing

    public struct AppendResult: Sendable {
        /// One per draft, in order: the new entry, or the stored one a retry repeated.
        public let entries: [Entry]
        /// How many entries this call added (retries add none).
        public let added: Int
    }

    /// Validates every draft against the ledger (and the drafts before it), then appends
    /// them as one atomic batch. If another writer gets in between, validates again.
    /// - Parameter labels: how to name each draft in an error (e.g. "line 3"); by default
    ///   a batch of one is not named and larger batches say "entry N".
    ///
    /// The common case costs no read before the write: drafts are validated against the
    /// fold this ledger keeps, and the store refuses the batch if the chain moved meanwhile.
    /// Only a conflict or a failed validation makes it read (the new entries, and whether
    /// the drafts are retries of stored ones) and try again.
    public func append(_ drafts: [EntryDraft], labels: [String]? = nil, today: CalendarDay = .today()) async throws -> AppendResult {
        guard !drafts.isEmpty else { return AppendResult(entries: [], added: 0) }
        let labels = labels ?? (drafts.count == 1 ? [] : drafts.indices.map { "entry \($0 + 1)" })
        var records = try await folded.cached(.internal, of: self)
        var stored: [UUID: Entry] = [:]
        var lookedUp = false
        for attempt in 0..<50 {
            let failure = Self.failedValidation(drafts, labels: labels, against: records, stored: stored, today: today)
            if let failure {
                if lookedUp { throw failure }
                // The fold may be behind other writers, or a draft may repeat a stored entry
                // that no longer validates (its subject exists now): look, then judge again.
                try await catchUp(&records)
                stored = Dictionary(try await store.entries(withIDs: drafts.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                lookedUp = true
                continue
            }
            // Every draft repeats a stored entry: a retry, answered without opening a write.
            if lookedUp, drafts.allSatisfy({ stored[$0.id] != nil }) {
                return AppendResult(entries: drafts.map { stored[$0.id]! }, added: 0)
            }
            let head = records.head.seq
            do {
                let appended = try await store.append(drafts, following: records.head)
                records = LedgerRecords()  // drop this copy so the kept fold is extended in place
                await folded.extend(with: appended.new, after: head)
                try await merkle.extend(with: appended.new.map { ($0.seq, $0.hash) })
                return AppendResult(entries: appended.entries, added: appended.new.count)
            } catch is AppendConflict {
                // Another writer got in first. A random pause, growing with each lost race,
                // keeps a crowd of writers from colliding again in lock step.
                if attempt > 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 0...min(1 << attempt, 200)))) }
                try await catchUp(&records)
                lookedUp = false
            }
        }
        throw LedgerError(kind: .busy, "the ledger kept changing while this batch was validated; try again")
    }

    /// The first problem with the drafts, each checked in order against the ledger and the
    /// drafts before it; a draft that repeats a stored entry exactly is a retry and is not
    /// checked again.
    static func failedValidation(_ drafts: [EntryDraft], labels: [String], against records: LedgerRecords,
                                 stored: [UUID: Entry], today: CalendarDay) -> LedgerError? {
        var validator = EntryValidator(records: records, today: today)
        for (index, draft) in drafts.enumerated() {
            do throws(LedgerError) {
                if let existing = stored[draft.id] {
                    guard draft.isSameStatement(as: existing) else {
                        throw LedgerError(field: "id", "\(draft.id.uuidString.lowercased()) is already seq \(existing.seq), a different entry; a retry must repeat the entry exactly")
                    }
                    continue
                }
                // The last draft needs no folding in for the ones after it; skipping that
                // keeps a one-entry append from copying the whole fold.
                if index == drafts.count - 1 { try validator.validate(draft) } else { try validator.accept(draft) }
            } catch {
                return labels.indices.contains(index) ? LedgerError(kind: error.kind, field: error.field.map { "\(labels[index]): \($0)" } ?? labels[index], error.message) : error
            }
        }
        return nil
    }

    // MARK: Verification

    public struct Verification: Sendable, Codable {
        public var entries: Int64
        public var head: ChainHead
        /// The first bad entry, when the chain is broken.
        public var firstBadSeq: Int64?
        public var problem: String?
        /// What is wrong with the database's append-only triggers, when the caller checked.
        public var guardProblems: [String] = []
        /// Stored snapshots of the fold that are not the chain's (`snapshotProblems()`), when
        /// the caller checked.
        public var snapshotProblems: [String] = []
        /// How many signed checkpoints the chain was checked against, the last one's
        /// number, and the most entries one of them signed.
        public var checkpointsChecked: Int = 0
        public var lastCheckpointChecked: Int64 = 0
        public var signedSize: Int64 = 0
        public var isIntact: Bool { problem == nil }
    }

    /// Recomputes every hash and link from seq 1 (or from where an earlier, intact
    /// verification ended, so a server checks only what is new); stops at the first fault.
    /// Rows are hashed as stored, on two cores, while the next page is read. Then checks the
    /// chain's Merkle tree against every signed checkpoint not checked before, so a chain
    /// rewritten with recomputed hashes, or cut short, is caught; with `verifier`, each
    /// checkpoint's signature must be that key's (by default, the key stored beside it).
    /// - Parameter progress: told how many entries are verified, after each page.
    public func verify(continuing earlier: Verification? = nil, verifier: SignedNote.Verifier? = nil,
                       progress: (@Sendable (Int64) -> Void)? = nil) async throws -> Verification {
        var verification = earlier ?? Verification(entries: 0, head: .empty)
        guard verification.isIntact else { return verification }
        let pageSize = 4_096
        let store = store
        let start = verification.head.seq
        var next: Task<[StoredEntryColumns], any Error>? = Task { try await store.rows(after: start, limit: pageSize) }
        // The tree grows from the pages already verified while this one is hashed: a page's
        // leaves and nodes were a seventh of the work, done on one core while the other waited.
        var extending: Task<Void, any Error>?
        while let reading = next {
            let rows = try await reading.valueCancelledWithCaller
            if rows.count == pageSize, let after = rows.last?.seq {
                next = Task { try await store.rows(after: after, limit: pageSize) }
            } else {
                next = nil
            }
            let damages = await Self.damages(of: rows)
            // In place: a copy of each row would retain and release every one of its columns.
            var leaves: [(seq: Int64, hash: String)] = []
            leaves.reserveCapacity(rows.count)
            let fault: (seq: Int64, message: String)? = rows.withUnsafeBufferPointer { rows in
                for index in rows.indices {
                    if let problem = Self.problem(with: rows[index], damage: damages[index], after: verification.head) {
                        return problem
                    }
                    verification.head = ChainHead(seq: rows[index].seq, hash: rows[index].hash, recordedAt: rows[index].recordedAt)
                    verification.entries += 1
                    leaves.append((rows[index].seq, rows[index].hash))
                }
                return nil
            }
            // The tree is built from rows just verified, so it is not read a second time.
            try await extending?.valueCancelledWithCaller
            if let fault {
                next?.cancel()
                try await merkle.extend(with: leaves)
                verification.firstBadSeq = fault.seq
                verification.problem = fault.message
                return verification
            }
            extending = Task { [merkle, leaves] in try await merkle.extend(with: leaves) }
            progress?(verification.entries)
        }
        try await extending?.valueCancelledWithCaller
        try await checkCheckpoints(&verification, verifier: verifier)
        return verification
    }

    /// What is wrong with a row that should follow `previous`, if anything: its place in
    /// the chain first, then `damage`, what is wrong with the row itself (`damage(of:)`).
    static func problem(with row: StoredEntryColumns, damage: String?, after previous: ChainHead) -> (seq: Int64, message: String)? {
        if row.hash == previous.hash && previous.seq > 0 {
            return (row.seq, "seq \(row.seq) is a copy of seq \(previous.seq) (the same hash): a row was duplicated")
        }
        if row.seq <= previous.seq {
            return (row.seq, "seq \(row.seq) appears again after seq \(previous.seq): a row was duplicated or the seqs reordered")
        }
        if row.seq != previous.seq + 1 {
            return (previous.seq + 1, "missing: the next entry is seq \(row.seq)")
        }
        if row.prevHash != previous.hash {
            return (row.seq, "prev_hash \(row.prevHash.prefix(12))… does not match the hash of seq \(previous.seq) (\(previous.hash.prefix(12))…)")
        }
        return damage.map { (row.seq, $0) }
    }

    /// What is wrong with a row on its own, whatever its place: a column that no longer
    /// reads as what the ledger wrote, or content that does not give its hash.
    static func damage(of row: StoredEntryColumns) -> String? {
        do {
            try row.checkColumns()
        } catch {
            return error.message
        }
        let computedHash = row.computedHash
        guard computedHash != row.hash else { return nil }
        do {
            _ = try row.entry()
        } catch let error as LedgerError {
            return error.message
        } catch {}
        return "content does not match its hash (stored \(row.hash.prefix(12))…, computed \(computedHash.prefix(12))…): the entry was changed after it was written"
    }

    /// `damage(of:)` of every row, on two cores: each row's is independent of the others'.
    static func damages(of rows: [StoredEntryColumns]) async -> [String?] {
        await TwoCores.map(rows) { damage(of: $0) }
    }

    // MARK: Export and import

    /// Writes every entry as one line of canonical JSON.
    public func export(_ write: (String) throws -> Void) async throws {
        for try await entry in store.entries(after: 0) {
            try write(entry.exchangeLine)
        }
    }

    /// Reads exported lines, checks that they continue this ledger's chain with every hash
    /// right and that each entry passes the rules of `append`, and writes them in one
    /// transaction. Nothing is written if any line is wrong.
    /// - Parameter progress: told how many lines are checked of how many, as it goes.
    @discardableResult
    public func importLines(_ lines: [Substring], progress: (@Sendable (Int64, Int64?) -> Void)? = nil) async throws -> Int {
        try await importLines(from: LineBatches(lines), progress: progress)
    }

    /// As above, reading the lines a batch at a time as they are written: parsing and
    /// hashing the next batch (on two cores) overlaps checking and inserting this one, and
    /// memory holds a few batches, not the file. Still one transaction, all or nothing.
    /// - Parameter progress: told how many lines are checked, and of how many when known.
    @discardableResult
    public func importLines(from source: LineBatches, progress: (@Sendable (Int64, Int64?) -> Void)? = nil) async throws -> Int {
        // Validated against the counts, not the full fold: what a million notes would hold
        // in memory, no rule reads (see `EntryValidator`).
        let pipeline = ImportPipeline(source: source, store: store, head: try await store.head(), records: try await records(detail: .counts))
        do {
            // The first batch is checked before the store opens its write, so a file refused
            // there (most are, and every file of up to a batch) leaves the database untouched
            // to the byte; one refused later leaves its rows as they were.
            guard let first = try await pipeline.next(progress: progress) else { return 0 }
            let firstTaken = Mutex(false)
            try await store.importEntries(batches: {
                if !firstTaken.withLock({ taken in defer { taken = true }; return taken }) { return first }
                return try await pipeline.next(progress: progress)
            })
        } catch {
            await pipeline.stop()
            throw error
        }
        let count = await pipeline.checked
        progress?(Int64(count), Int64(count))
        return count
    }
}
