import Foundation
import GRDB
import LedgerMigrations

/// The embedded default: one SQLite file, WAL, `synchronous=FULL`, appends under
/// `BEGIN IMMEDIATE` so writers from any number of processes queue for the write lock.
public final class SQLiteLedgerStore: LedgerStore {
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating if needed) the ledger at `path` and brings its schema up to date.
    /// - Parameter busyTimeout: how long an append waits for another process's write.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ledger"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // A committed entry must survive a power cut; the NORMAL that GRDB sets for WAL
            // does not promise that. Set after opening, on the one writing connection,
            // because GRDB's WAL set-up runs after `prepareDatabase`.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrate(pool)
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: "open the ledger at \(path)")
        }
    }

    /// A PRAGMA as the writing connection sees it (for tests of the durability settings).
    func writerPragma(_ name: String) throws -> String? {
        try pool.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA \(name)") }
    }

    // MARK: Migrations

    static func migrate(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                        checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT
                    """)
                let applied = try Row.fetchAll(db, sql: "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
                let plan = try MigrationPlan(known: LedgerMigrations.sqlite, applied: applied.map {
                    AppliedMigration(version: $0["version"], name: $0["name"], checksum: $0["checksum"])
                })
                for migration in plan.pending {
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                        arguments: [migration.version, migration.name, MigrationPlan.checksum(migration.sql), RecordedAt.string(from: Date())])
                }
                return .commit
            }
        }
    }

    // MARK: LedgerStore

    public func head() async throws -> ChainHead {
        try await run("read the head") { try await self.pool.read(Self.head) }
    }

    public func append(_ drafts: [EntryDraft], expectedHead: Int64?) async throws -> [Entry] {
        guard !drafts.isEmpty else { return [] }
        return try await run("append to the ledger") {
            try await self.pool.writeWithoutTransaction { db in
                var written: [Entry] = []
                try db.inTransaction(.immediate) {
                    written = try Self.append(drafts, expectedHead: expectedHead, in: db)
                    return .commit
                }
                return written
            }
        }
    }

    private static func append(_ drafts: [EntryDraft], expectedHead: Int64?, in db: Database) throws -> [Entry] {
        // The clock may step back between processes; the plan keeps recorded_at from doing so.
        let plan = try AppendPlan(
            drafts: drafts,
            stored: try fetchEntries(db, sql: "SELECT \(columns) FROM ledger_entries WHERE id IN (SELECT value FROM json_each(?))",
                                     arguments: [JSONValue.array(drafts.map { .string($0.id.uuidString.lowercased()) }).canonicalText]),
            head: try head(db), expectedHead: expectedHead, now: RecordedAt.string(from: Date()))
        let insert = try db.cachedStatement(sql: insertSQL)
        for entry in plan.new { try insert.execute(arguments: arguments(for: entry)) }
        return plan.entries
    }

    public func importEntries(_ entries: [Entry]) async throws {
        guard let first = entries.first else { return }
        try await run("import into the ledger") {
            try await self.pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let head = try Self.head(db)
                    guard first.seq == head.seq + 1, first.prevHash == head.hash else {
                        throw LedgerError(kind: .integrity, field: "seq \(first.seq)",
                            "does not continue this ledger, which ends at seq \(head.seq) (hash \(head.hash.prefix(12))…)")
                    }
                    let insert = try db.cachedStatement(sql: Self.insertSQL)
                    for entry in entries { try insert.execute(arguments: Self.arguments(for: entry)) }
                    return .commit
                }
            }
        }
    }

    public func rows(after seq: Int64, limit: Int) async throws -> [StoredEntryColumns] {
        try await run("read the ledger") {
            try await self.pool.read { db in
                try Self.fetchRows(db, sql: "SELECT \(Self.columns) FROM ledger_entries WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit])
            }
        }
    }

    public func entries(withIDs ids: [UUID]) async throws -> [Entry] {
        try await run("read the ledger") {
            try await self.pool.read { db in
                try Self.fetchEntries(db, sql: "SELECT \(Self.columns) FROM ledger_entries WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq",
                                      arguments: [JSONValue.array(ids.map { .string($0.uuidString.lowercased()) }).canonicalText])
            }
        }
    }

    // MARK: API tokens

    public func addToken(name: String, digest: String) async throws {
        do {
            try await run("add the token") {
                try await self.pool.write { db in
                    try db.execute(sql: "INSERT INTO api_tokens (name, digest, created_at) VALUES (?, ?, ?)",
                                   arguments: [name, digest, RecordedAt.string(from: Date())])
                }
            }
        } catch let error as LedgerError where error.message.contains("UNIQUE constraint failed: api_tokens.name") {
            throw APIToken.nameTaken(name)
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await run("read the tokens") {
            try await self.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT name, digest, created_at, revoked_at FROM api_tokens ORDER BY id").map {
                    APIToken(name: $0[0], digest: $0[1], createdAt: $0[2], revokedAt: $0[3])
                }
            }
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        try await run("revoke the token") {
            try await self.pool.write { db in
                try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                               arguments: [RecordedAt.string(from: Date()), name])
                return db.changesCount > 0
            }
        }
    }

    // MARK: Rows

    private static let insertSQL = """
        INSERT INTO ledger_entries (seq, id, type, schema_version, subject, effective, recorded_at,
            author, visibility, payload, salt, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static func head(_ db: Database) throws -> ChainHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash, recorded_at FROM ledger_entries ORDER BY seq DESC LIMIT 1")) else {
            return .empty
        }
        return ChainHead(seq: row["seq"], hash: row["hash"], recordedAt: row["recorded_at"])
    }

    private static func arguments(for entry: Entry) -> StatementArguments {
        [entry.seq, entry.id.uuidString.lowercased(), entry.type.rawValue, entry.schema, entry.subject,
         entry.effective.description, entry.recordedAt, entry.author, entry.visibility.rawValue,
         entry.payload.canonicalText, entry.salt, entry.prevHash, entry.hash]
    }

    /// In the order `fetchRows` reads them by index (GRDB's by-name lookup is case-insensitive and slow).
    private static let columns = "seq, id, type, schema_version, subject, effective, recorded_at, author, visibility, payload, salt, prev_hash, hash"

    private static func fetchRows(_ db: Database, sql: String, arguments: StatementArguments) throws -> [StoredEntryColumns] {
        var stored: [StoredEntryColumns] = []
        // Cached: compiling the statement cost more than running it, on every append.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() {
            stored.append(StoredEntryColumns(
                seq: row[0], id: row[1], type: row[2], schema: row[3], subject: row[4], effective: row[5],
                recordedAt: row[6], author: row[7], visibility: row[8], payload: row[9], salt: row[10],
                prevHash: row[11], hash: row[12]))
        }
        return stored
    }

    private static func fetchEntries(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Entry] {
        try fetchRows(db, sql: sql, arguments: arguments).map { try $0.entry() }
    }

    // MARK: Errors

    private func run<T: Sendable>(_ doing: String, _ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: doing)
        }
    }

    static func storageError(_ error: DatabaseError, doing: String) -> LedgerError {
        if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return LedgerError(kind: .busy, "could not \(doing): another process held the ledger for too long (SQLite busy); try again")
        }
        return LedgerError(kind: .storage, "could not \(doing): \(error.message ?? "\(error.resultCode)")")
    }
}
