import Foundation

/// Where a ledger lives, parsed from `--database` / `LEDGER_DATABASE_URL`.
public enum LedgerLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultSQLitePath = "./ledger.sqlite"

    /// A file path, `sqlite:PATH`, or `postgres://user:password@host:port/db`.
    public init(_ text: String) throws(LedgerError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw LedgerError(field: "--database", "is empty") }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            _ = try PostgresURL(trimmed)
            self = .postgres(url: trimmed)
        } else if trimmed.hasPrefix("sqlite://") {
            self = .sqlite(path: String(trimmed.dropFirst("sqlite://".count)))
        } else if trimmed.hasPrefix("sqlite:") {
            self = .sqlite(path: String(trimmed.dropFirst("sqlite:".count)))
        } else if let scheme = trimmed.range(of: "://").map({ trimmed[..<$0.lowerBound] }), !scheme.contains("/") {
            throw LedgerError(field: "--database", "'\(scheme)' databases are not supported; use a file path, sqlite:PATH or postgres://…")
        } else {
            self = .sqlite(path: trimmed)
        }
        if case .sqlite(let path) = self, path.isEmpty { throw LedgerError(field: "--database", "sqlite: needs a file path") }
    }

    /// For messages: never prints a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }
}

/// The ledger as its users see it: validated appends, the chain's verification, the
/// projection, export and import, over whichever store holds it.
public struct Ledger: Sendable {
    public let store: any LedgerStore
    public let location: LedgerLocation
    /// The chain folded so far, kept between calls: a long-lived ledger (the server, a
    /// benchmark) folds only what is new on each append or read, not the whole chain.
    private let folded = FoldedRecords()

    public init(store: any LedgerStore, location: LedgerLocation) {
        self.store = store
        self.location = location
    }

    /// Opens the ledger at `location`. With `create: false` a missing SQLite file (or a
    /// PostgreSQL database without the ledger's tables) is an error rather than a new empty
    /// ledger, so a typo cannot hide the real one. Call `close()` when done.
    public static func open(_ location: LedgerLocation, create: Bool) async throws -> Ledger {
        switch location {
        case .sqlite(let path):
            if !create && !FileManager.default.fileExists(atPath: path) {
                throw LedgerError(kind: .notFound, field: "--database", "no ledger at \(path); create one with `ledgerctl init` (or try `ledgerctl demo`)")
            }
            return Ledger(store: try SQLiteLedgerStore(path: path), location: location)
        case .postgres(let url):
            return Ledger(store: try await PostgresLedgerStore.open(try PostgresURL(url), create: create), location: location)
        }
    }

    public func close() async { await store.close() }

    // MARK: Reading

    /// Every entry known at `knownAt` (default: the head), folded.
    public func records(knownAt: Int64? = nil, audience: Visibility = .internal) async throws -> LedgerRecords {
        if knownAt == nil { return try await folded.latest(audience, of: self) }
        var records = LedgerRecords(audience: audience)
        try await catchUp(&records, until: knownAt)
        return records
    }

    /// Folds in the entries written after `records.head`.
    public func catchUp(_ records: inout LedgerRecords, until knownAt: Int64? = nil) async throws {
        for try await entry in store.entries(after: records.head.seq) {
            if let knownAt, entry.seq > knownAt { break }
            records.apply(entry)
        }
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
    public func append(_ drafts: [EntryDraft], labels: [String]? = nil, today: CalendarDay = .today()) async throws -> AppendResult {
        guard !drafts.isEmpty else { return AppendResult(entries: [], added: 0) }
        let labels = labels ?? (drafts.count == 1 ? [] : drafts.indices.map { "entry \($0 + 1)" })
        var records = try await records()
        for attempt in 0..<50 {
            let stored = Dictionary(try await store.entries(withIDs: drafts.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
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
                    throw labels.indices.contains(index) ? LedgerError(kind: error.kind, field: error.field.map { "\(labels[index]): \($0)" } ?? labels[index], error.message) : error
                }
            }
            do {
                let entries = try await store.append(drafts, expectedHead: records.head.seq)
                // A batch may repeat an id; it is one entry.
                let added = Set(entries.lazy.filter { $0.seq > records.head.seq }.map(\.seq)).count
                return AppendResult(entries: entries, added: added)
            } catch is AppendConflict {
                // Another writer got in first. A random pause, growing with each lost race,
                // keeps a crowd of writers from colliding again in lock step.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...min(1 << attempt, 200))))
                try await catchUp(&records)
            }
        }
        throw LedgerError(kind: .busy, "the ledger kept changing while this batch was validated; try again")
    }

    // MARK: Verification

    public struct Verification: Sendable, Codable {
        public var entries: Int64
        public var head: ChainHead
        /// The first bad entry, when the chain is broken.
        public var firstBadSeq: Int64?
        public var problem: String?
        public var isIntact: Bool { problem == nil }
    }

    /// Recomputes every hash and link from seq 1; stops at the first fault. Rows are hashed
    /// as stored, on two cores, while the next page is read.
    public func verify() async throws -> Verification {
        var verification = Verification(entries: 0, head: .empty, firstBadSeq: nil, problem: nil)
        let pageSize = 4_096
        let store = store
        var next: Task<[StoredEntryColumns], any Error>? = Task { try await store.rows(after: 0, limit: pageSize) }
        while let reading = next {
            let rows = try await reading.value
            if rows.count == pageSize, let after = rows.last?.seq {
                next = Task { try await store.rows(after: after, limit: pageSize) }
            } else {
                next = nil
            }
            let computed = await Self.hashes(of: rows)
            for (row, hash) in zip(rows, computed) {
                if let problem = Self.problem(with: row, computedHash: hash, after: verification.head) {
                    next?.cancel()
                    verification.firstBadSeq = problem.seq
                    verification.problem = problem.message
                    return verification
                }
                verification.head = ChainHead(seq: row.seq, hash: row.hash, recordedAt: row.recordedAt)
                verification.entries += 1
            }
        }
        return verification
    }

    /// What is wrong with a row that should follow `previous`, if anything.
    static func problem(with row: StoredEntryColumns, computedHash: String, after previous: ChainHead) -> (seq: Int64, message: String)? {
        if row.seq != previous.seq + 1 {
            return (previous.seq + 1, "missing: the next entry is seq \(row.seq)")
        }
        if row.prevHash != previous.hash {
            return (row.seq, "prev_hash \(row.prevHash.prefix(12))… does not match the hash of seq \(previous.seq) (\(previous.hash.prefix(12))…)")
        }
        // A column that no longer reads as what the ledger wrote is named as such.
        do {
            try row.checkColumns()
        } catch {
            return (row.seq, error.message)
        }
        guard computedHash != row.hash else { return nil }
        do {
            _ = try row.entry()
        } catch let error as LedgerError {
            return (row.seq, error.message)
        } catch {}
        return (row.seq, "content does not match its hash (stored \(row.hash.prefix(12))…, computed \(computedHash.prefix(12))…): the entry was changed after it was written")
    }

    /// Each row's hash, the second half computed on another thread.
    static func hashes(of rows: [StoredEntryColumns]) async -> [String] {
        let middle = rows.count / 2
        async let firstHalf = rows[..<middle].map(\.computedHash)
        let secondHalf = rows[middle...].map(\.computedHash)
        return await firstHalf + secondHalf
    }

    // MARK: Export and import

    /// Writes every entry as one line of canonical JSON.
    public func export(_ write: (String) throws -> Void) async throws {
        for try await entry in store.entries(after: 0) {
            try write(entry.exchangeLine)
        }
    }

    /// Reads exported lines, checks that they continue this ledger's chain with every hash
    /// right, and writes them in one transaction. Nothing is written if any line is wrong.
    @discardableResult
    public func importLines(_ lines: some Sequence<Substring>) async throws -> Int {
        var entries: [Entry] = []
        var lineNumbers: [Int] = []
        var seenIDs = Set<UUID>()
        var expected = try await store.head()
        for (number, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            let label = "line \(number + 1)"
            let entry: Entry
            do {
                entry = try Entry(exchangeJSON: try JSONValue.parse(line))
            } catch let error as LedgerError {
                throw LedgerError(field: error.field.map { "\(label): \($0)" } ?? label, error.message)
            } catch {
                throw LedgerError(field: label, "\(error)")
            }
            guard entry.seq == expected.seq + 1 else {
                throw LedgerError(kind: .integrity, field: "\(label): seq", "is \(entry.seq), expected \(expected.seq + 1)" + (expected.seq > 0 && entries.isEmpty ? " (this ledger ends at seq \(expected.seq))" : ""))
            }
            guard entry.prevHash == expected.hash else {
                throw LedgerError(kind: .integrity, field: "\(label): prev_hash", "does not match the hash of seq \(expected.seq)")
            }
            guard entry.computedHash == entry.hash else {
                throw LedgerError(kind: .integrity, field: "\(label): hash", "does not match the entry's content (seq \(entry.seq) was altered)")
            }
            guard seenIDs.insert(entry.id).inserted else {
                throw LedgerError(kind: .integrity, field: "\(label): id", "repeats the id of an earlier line")
            }
            expected = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
            entries.append(entry)
            lineNumbers.append(number + 1)
        }
        if let clash = try await store.entries(withIDs: entries.map(\.id)).first,
           let index = entries.firstIndex(where: { $0.id == clash.id }) {
            throw LedgerError(kind: .integrity, field: "line \(lineNumbers[index]): id", "is already in this ledger as seq \(clash.seq)")
        }
        try await store.importEntries(entries)
        return entries.count
    }
}

/// The latest fold of the chain for each audience, brought up to date on each use.
actor FoldedRecords {
    private var byAudience: [Visibility: LedgerRecords] = [:]

    func latest(_ audience: Visibility, of ledger: Ledger) async throws -> LedgerRecords {
        // Taken out while folding so the fold mutates the only copy instead of duplicating it.
        var records = byAudience.removeValue(forKey: audience) ?? LedgerRecords(audience: audience)
        do {
            try await ledger.catchUp(&records)
        } catch {
            // Whatever was folded is still a correct prefix of the chain.
            keep(records)
            throw error
        }
        keep(records)
        return records
    }

    /// Two overlapping calls may both fold; keep whichever went further.
    private func keep(_ records: LedgerRecords) {
        if records.head.seq >= byAudience[records.audience]?.head.seq ?? -1 { byAudience[records.audience] = records }
    }
}
