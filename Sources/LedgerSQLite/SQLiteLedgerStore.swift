import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// The embedded default: one SQLite file, WAL, `synchronous=FULL`, appends under
/// `BEGIN IMMEDIATE` so writers from any number of processes queue for the write lock.
public final class SQLiteLedgerStore: LedgerStore {
    public let path: String
    public var displayName: String { path }
    public let access: LedgerAccess
    /// Reads go through a read-only connection (or the pool, once a new ledger was created).
    let reader: any DatabaseReader
    /// The writing pool (WAL, one writer), opened on the first write: GRDB's pool writes to
    /// the file as it opens, so a command that ends up writing nothing (a refused import or
    /// append) must never open it, and leaves the file's bytes as they were.
    let writer: Mutex<DatabasePool?>
    let configuration: Configuration

    /// Opens (creating if needed) the ledger at `path` and brings its schema up to date.
    public convenience init(path: String, busyTimeout: TimeInterval = 10) throws {
        try self.init(path: path, access: .create, busyTimeout: busyTimeout)
    }

    /// Opens the ledger at `path`. A file that is not a ledger (empty, another program's
    /// database, not SQLite at all) is refused as such, and with `.read` nothing is written.
    /// - Parameter busyTimeout: how long an append waits for another process's write.
    public init(path: String, access: LedgerAccess, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.access = access
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ledger"
        self.configuration = configuration
        do {
            let exists = FileManager.default.fileExists(atPath: path)
            if !exists && access != .create {
                throw LedgerError(kind: .notFound, field: "database", "no ledger at \(path)", remedy: .createLedger)
            }
            // Look before touching: opening for writing would switch the file to WAL mode
            // and create tables, which must never happen to a file that is not a ledger.
            let (schema, probe) = exists ? try Self.probe(path, configuration) : (.empty, nil)
            try schema.check(path: path, access: access)
            if case .ledger(let plan) = schema, plan.pending.isEmpty, let probe {
                reader = probe
                writer = Mutex(nil)
            } else {
                // A new ledger, or one whose schema needs the migrations: only writers get here.
                try probe?.close()
                let pool = try Self.openPool(path, configuration)
                try Self.migrate(pool)
                reader = pool
                writer = Mutex(pool)
            }
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                throw LedgerError(kind: .notFound, field: "database", "\(path) is not a ledger (not a SQLite database at all)")
            }
            throw Self.storageError(error, doing: "open the ledger at \(path)")
        }
    }

    static func openPool(_ path: String, _ configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        // A committed entry must survive a power cut; the NORMAL that GRDB sets for WAL
        // does not promise that. Set after opening, on the one writing connection,
        // because GRDB's WAL set-up runs after `prepareDatabase`.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    /// The writing pool, opened on first use; refused when the ledger was opened to read.
    func writingPool(_ doing: String) throws -> DatabasePool {
        if access == .read { throw LedgerError(kind: .storage, "could not \(doing): the ledger was opened for reading only") }
        return try writer.withLock { pool in
            if let pool { return pool }
            do {
                let opened = try Self.openPool(path, configuration)
                pool = opened
                return opened
            } catch let error as DatabaseError {
                throw Self.storageError(error, doing: doing)
            }
        }
    }

    /// What a file holds, as far as the ledger is concerned.
    enum Schema {
        case empty
        case foreign(tables: [String])
        case ledger(plan: MigrationPlan)

        func check(path: String, access: LedgerAccess) throws {
            switch self {
            case .empty where access != .create:
                throw LedgerError(kind: .notFound, field: "database", "\(path) is not a ledger (an empty database)", remedy: .createLedger)
            case .foreign(let tables):
                let listed = tables.prefix(3).joined(separator: ", ") + (tables.count > 3 ? ", …" : "")
                throw LedgerError(kind: .notFound, field: "database", "\(path) is not a ledger: it is a SQLite database with other tables (\(EntryValidator.quoted(listed))); choose another file")
            case .ledger(let plan) where access == .read && !plan.pending.isEmpty:
                throw LedgerError(kind: .storage, field: "database", "the ledger at \(path) needs a schema update (\(plan.pending.map(\.name).joined(separator: ", "))) that a read does not make", remedy: .migrateSchema)
            default:
                break
            }
        }
    }

    /// Opens the file read-only and reads what it holds. The reader is kept for `.read`.
    /// A reader who may not create the WAL's shared-memory file next to it (a folder they
    /// cannot write) still reads it, as immutable: SQLite then takes no locks at all.
    static func probe(_ path: String, _ configuration: Configuration) throws -> (Schema, DatabaseQueue) {
        var readOnly = configuration
        readOnly.readonly = true
        var queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: readOnly)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            queue = try DatabaseQueue(path: immutableURI(path), configuration: readOnly)
        }
        let schema = try queue.read { db -> Schema in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            if tables.isEmpty { return .empty }
            guard tables.contains("schema_migrations"), tables.contains("ledger_entries") else { return .foreign(tables: tables) }
            let applied = try Row.fetchAll(db, sql: "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            return .ledger(plan: try MigrationPlan(known: LedgerMigrations.sqlite, applied: applied.map {
                AppliedMigration(version: $0["version"], name: $0["name"], checksum: $0["checksum"])
            }))
        }
        return (schema, queue)
    }

    /// A `file:` URI for `path` with `immutable=1` (the system SQLite reads URIs).
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    /// A PRAGMA as the writing connection sees it (for tests of the durability settings).
    func writerPragma(_ name: String) throws -> String? {
        try writingPool("read a pragma").writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA \(name)") }
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

    // MARK: Closing

    /// Folds the WAL into the file, then closes: each command leaves a complete file, so
    /// the next one (a read, a refused import) finds nothing to fold in and leaves the
    /// file's bytes as they are. Explicit, because the pool's read-only readers cannot
    /// checkpoint when one of them happens to close last.
    public func close() async {
        if let pool = writer.withLock({ $0 }) {
            _ = try? await pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try? pool.close()
        }
        try? reader.close()
    }

    // MARK: Errors


    func run<T: Sendable>(_ doing: String, _ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: doing)
        }
    }

    static func storageError(_ error: DatabaseError, doing: String) -> LedgerError {
        if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return .busy(doing, "another process held the ledger for too long (SQLite busy)")
        }
        return .storage(doing, error.message ?? "\(error.resultCode)")
    }
}
