import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// The chain: its head, appends, imports, reading rows back, and the append-only guards.
extension SQLiteLedgerStore {
    public func head() async throws -> ChainHead {
        try await run("read the head") { try await self.reader.read(Self.head) }
    }

    public func append(_ drafts: [EntryDraft], expectedHead: Int64?) async throws -> AppendedEntries {
        guard !drafts.isEmpty else { return AppendedEntries(entries: [], new: []) }
        let pool = try writingPool("append to the ledger")
        return try await run("append to the ledger") {
            try await pool.writeWithoutTransaction { db in
                var written = AppendedEntries(entries: [], new: [])
                try db.inTransaction(.immediate) {
                    written = try Self.append(drafts, expectedHead: expectedHead, in: db)
                    return .commit
                }
                return written
            }
        }
    }

    static func append(_ drafts: [EntryDraft], expectedHead: Int64?, in db: Database) throws -> AppendedEntries {
        // The clock may step back between processes; the plan keeps recorded_at from doing so.
        let plan = try AppendPlan(
            drafts: drafts,
            stored: try fetchEntries(db, sql: "SELECT \(LedgerTable.columns) FROM ledger_entries WHERE id IN (SELECT value FROM json_each(?))",
                                     arguments: [JSONValue.array(drafts.map { .string($0.id.uuidString.lowercased()) }).canonicalText]),
            head: try head(db), expectedHead: expectedHead, now: RecordedAt.string(from: Date()))
        let insert = try db.cachedStatement(sql: insertSQL)
        for entry in plan.new { try insert.execute(arguments: arguments(for: entry)) }
        return AppendedEntries(entries: plan.entries, new: plan.new)
    }

    public func importEntries(batches next: @escaping @Sendable () async throws -> [Entry]?) async throws {
        let pool = try writingPool("import into the ledger")
        try await run("import into the ledger") {
            try await pool.writeWithoutTransaction { db in
                // Each INSERT of the import keeps a statement journal (the triggers may abort
                // it), of the pages it changes that earlier ones had changed. Once one outgrew
                // 64 KB, SQLite moved it to a temporary file and wrote every later one there:
                // five writes an entry. In memory it stays a few pages.
                // And an import's index pages (the ids are random) outgrow SQLite's default
                // cache of 2 MB, which then writes them to the WAL and reads them back over
                // and over; 64 MB holds them at a million entries.
                let settings = try Self.pragmas(["temp_store", "cache_size"], db)
                try db.execute(sql: "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536")
                defer { try? db.execute(sql: settings.map { "PRAGMA \($0.key) = \($0.value);" }.joined()) }
                try db.inTransaction(.immediate) {
                    var head = try Self.head(db)
                    let insert = try db.cachedStatement(sql: Self.insertSQL)
                    while let batch = try Self.waitFor(next) {
                        guard let first = batch.first, let last = batch.last else { continue }
                        try LedgerTable.checkImport(first, continues: head)
                        for entry in batch { try insert.execute(arguments: Self.arguments(for: entry)) }
                        head = ChainHead(seq: last.seq, hash: last.hash, recordedAt: last.recordedAt)
                    }
                    return .commit
                }
            }
        }
    }

    /// The values of `names` (PRAGMAs that read as an integer), to put back after changing them.
    static func pragmas(_ names: [String], _ db: Database) throws -> [String: Int] {
        try Dictionary(uniqueKeysWithValues: names.map { ($0, try Int.fetchOne(db, sql: "PRAGMA \($0)") ?? 0) })
    }

    /// Waits, on GRDB's writer thread (a dispatch queue's, not one of Swift concurrency's
    /// own), for async work done on the cooperative pool: the import's transaction stays on
    /// its connection while the next batch is checked.
    static func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    public func rows(after seq: Int64, limit: Int, followupsWhole: Bool) async throws -> [StoredEntryColumns] {
        try await run("read the ledger") {
            try await self.reader.read { db in
                try Self.fetchRows(db, sql: "SELECT \(followupsWhole ? LedgerTable.columns : Self.countedColumns) FROM ledger_entries WHERE seq > ? ORDER BY seq LIMIT ?",
                                   arguments: [seq, limit])
            }
        }
    }

    public func entries(withIDs ids: [UUID]) async throws -> [Entry] {
        try await entries(where: "id", isAnyOf: ids.map { .string($0.uuidString.lowercased()) })
    }

    public func entries(withSeqs seqs: [Int64]) async throws -> [Entry] {
        try await entries(where: "seq", isAnyOf: seqs.map { .int($0) })
    }

    public func entries(about subjects: [String]) async throws -> [Entry] {
        try await entries(where: "subject", isAnyOf: subjects.map { .string($0) })
    }

    /// The entries whose `column` (one of ours, never user text) is one of `values`, in seq
    /// order: the values go in as one JSON array, so any number of them is one statement.
    func entries(where column: String, isAnyOf values: [JSONValue]) async throws -> [Entry] {
        try await run("read the ledger") {
            try await self.reader.read { db in
                try Self.fetchEntries(db, sql: "SELECT \(LedgerTable.columns) FROM ledger_entries WHERE \(column) IN (SELECT value FROM json_each(?)) ORDER BY seq",
                                      arguments: [JSONValue.array(values).canonicalText])
            }
        }
    }

    // MARK: Rows

    static let insertSQL = "INSERT INTO ledger_entries (\(LedgerTable.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static func head(_ db: Database) throws -> ChainHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash, recorded_at FROM ledger_entries ORDER BY seq DESC LIMIT 1")) else {
            return .empty
        }
        return ChainHead(seq: row["seq"], hash: row["hash"], recordedAt: row["recorded_at"])
    }

    static func arguments(for entry: Entry) -> StatementArguments {
        [entry.seq, entry.id.uuidString.lowercased(), entry.type.rawValue, entry.schema, entry.subject,
         entry.effective.description, entry.recordedAt, entry.author, entry.visibility.rawValue,
         entry.payload.canonicalText, entry.salt, entry.prevHash, entry.hash]
    }

    /// In the order `fetchRows` reads them by index (GRDB's by-name lookup is case-insensitive and slow).

    static let countedColumns = LedgerTable.columns(followupsWhole: false)

    static func fetchRows(_ db: Database, sql: String, arguments: StatementArguments) throws -> [StoredEntryColumns] {
        var stored: [StoredEntryColumns] = []
        // Cached: compiling the statement cost more than running it, on every append.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() {
            stored.append(StoredEntryColumns((row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], row[12])))
        }
        return stored
    }

    static func fetchEntries(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Entry] {
        try fetchRows(db, sql: sql, arguments: arguments).map { try $0.entry() }
    }

    // MARK: Guards

    /// Compares the file's triggers with those the migrations create in an empty database.
    public func appendOnlyGuardProblems() async throws -> [String] {
        let reference = try DatabaseQueue()
        try await reference.write { db in for migration in LedgerMigrations.sqlite { try db.execute(sql: migration.sql) } }
        @Sendable func triggers(_ db: Database) throws -> [String: String?] {
            let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            return Dictionary(rows.map { ($0["name"] as String, $0["sql"] as String?) }, uniquingKeysWith: { a, _ in a })
        }
        let expectedByName = try await reference.read(triggers)
        let actualByName = try await run("read the ledger's triggers") { try await self.reader.read(triggers) }
        let expected = expectedByName.sorted { $0.key < $1.key }.map { (name: $0.key, sql: $0.value) }
        var problems: [String] = []
        for (name, sql) in expected {
            guard let actual = actualByName[name] else {
                problems.append("the append-only trigger \(name) is missing")
                continue
            }
            if actual != sql { problems.append("the append-only trigger \(name) differs from the one the migrations created") }
        }
        for name in actualByName.keys.sorted() where expectedByName[name] == nil {
            problems.append("an unexpected trigger \(name) is on the ledger's tables")
        }
        return problems
    }
}
