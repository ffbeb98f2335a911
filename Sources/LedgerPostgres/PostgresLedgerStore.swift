import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// The team deployment: one ledger in a PostgreSQL database, shared by any number of
/// processes. Appends are one transaction per batch, serialised by a transaction-scoped
/// advisory lock (no sequence: sequences have gaps), inserted with one `unnest` statement,
/// and announced on the `ledger_head` channel when they commit.
public final class PostgresLedgerStore: LedgerStore, Service {
    /// The channel that hears `{"seq":N,"hash":"…"}` after every committed append or import.
    public static let headChannel = "ledger_head"
    /// Taken by every writer, and again by the insert trigger in Migrations/postgres.
    static let appendLockKey: Int64 = 7_262_616_760_393_318_401
    /// Taken while migrating, so two processes starting at once do not both apply a file.
    static let migrationLockKey: Int64 = 7_262_616_760_393_318_402
    /// Sign-in attempts are counted one at a time, under a lock of their own.
    static let signInLockKey: Int64 = 7_262_616_760_393_318_403

    public let url: PostgresURL
    public var displayName: String { url.displayName }
    let client: PostgresClient
    let logger: Logger
    /// The client's run, when `startInBackground()` started it rather than a service group.
    let backgroundRun = Mutex<Task<Void, Never>?>(nil)
    /// Set until the first append the database refused for this server's clock, which is logged once.
    let clockWarning = Atomic<Bool>(true)
    /// The server is a hot standby (a streaming replica): it takes reads only, and cannot
    /// LISTEN, so changes are polled.
    public let isHotStandby: Bool

    /// Connects, then applies pending migrations when `create` is true. With `create`
    /// false, a database without a ledger is reported rather than given one, so a wrong
    /// database name cannot hide the real ledger.
    public static func open(_ url: PostgresURL, create: Bool, logger: Logger) async throws -> PostgresLedgerStore {
        try await open(url, access: create ? .create : .write, logger: logger)
    }

    /// Connects and checks the schema; with `.read` every session is read-only and nothing
    /// is migrated (a schema that needs migrating is an error naming the fix).
    ///
    /// The store's connection pool does its work in `run()`: run the store as a `Service`
    /// (in the server's service group, or beside the work that uses it) for as long as it
    /// is used; queries wait until it runs.
    /// - Parameter logger: for postgres-nio's background work; errors also reach callers as
    ///   thrown errors.
    public static func open(_ url: PostgresURL, access: LedgerAccess, logger: Logger) async throws -> PostgresLedgerStore {
        var url = url
        url.readOnly = access == .read
        // One direct connection first: the pool retries a failed connection for 15 s and
        // then reports only that it gave up, where a user needs "password authentication
        // failed" or "database does not exist" at once.
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration, id: 1, logger: logger)
        } catch {
            let failure = Self.storageError(error, doing: "connect to \(url.displayName)")
            // No answer from a server at all (refused, timed out, no such host), or a server
            // that is starting up or shutting down (57P03, cannot_connect_now), as opposed to
            // a server that answered with a refusal that lasts.
            let serverInfo = (error as? PSQLError)?.serverInfo
            if serverInfo == nil || serverInfo?[.sqlState] == "57P03", let failure = failure as? LedgerError {
                throw LedgerError(kind: failure.kind, failure.message, remedy: .reachServer)
            }
            throw failure
        }
        let isHotStandby: Bool
        do {
            isHotStandby = try await connection.query("SELECT pg_is_in_recovery()", logger: logger).decode(Bool.self).first { _ in true } ?? false
            try await migrate(connection, access: isHotStandby ? .read : access, url: url, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw Self.storageError(error, doing: "prepare the ledger in \(url.displayName)")
        }
        if isHotStandby && access != .read {
            throw LedgerError(kind: .storage, field: "database",
                              "\(url.displayName) is a hot standby (a read-only replica): write to its primary, or give it to `serve --read-database`")
        }
        return PostgresLedgerStore(url: url, client: PostgresClient(configuration: try url.clientConfiguration, backgroundLogger: logger),
                                   isHotStandby: isHotStandby, logger: logger)
    }

    init(url: PostgresURL, client: PostgresClient, isHotStandby: Bool, logger: Logger) {
        self.url = url
        self.client = client
        self.isHotStandby = isHotStandby
        self.logger = logger
    }

    /// Runs the connection pool until the task is cancelled or the service group shuts down.
    public func run() async {
        await client.run()
    }

    /// Runs the pool in a task of its own until `close()`, for callers with no service group
    /// or scope to run it in (tests, one-off scripts).
    public func startInBackground() {
        backgroundRun.withLock { task in
            if task == nil { task = Task { [client] in await client.run() } }
        }
    }

    deinit { backgroundRun.withLock { $0?.cancel() } }

    public func close() async {
        guard let task = backgroundRun.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }

    // MARK: Migrations

    static func migrate(_ connection: PostgresConnection, access: LedgerAccess, url: PostgresURL, logger: Logger) async throws {
        try await transaction(on: connection, logger: logger) { connection in
            // Checked before anything is created, so a role with SELECT and INSERT only
            // (which cannot create tables) opens an up-to-date ledger without error.
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
                .decode(Bool.self).first { _ in true } ?? false
            if !exists {
                guard access == .create else {
                    throw LedgerError(kind: .notFound, field: "database", "no ledger in \(url.displayName)", remedy: .createLedger)
                }
                try await execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))", on: connection, logger: logger)
                try await execute("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL,
                        checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, on: connection, logger: logger)
            }
            var applied: [AppliedMigration] = []
            for try await (version, name, checksum) in try await connection.query(
                "SELECT version, name, checksum FROM schema_migrations ORDER BY version", logger: logger
            ).decode((Int, String, String).self) {
                applied.append(AppliedMigration(version: version, name: name, checksum: checksum))
            }
            let plan = try MigrationPlan(known: LedgerMigrations.postgres, applied: applied)
            guard !plan.pending.isEmpty else { return }
            if access == .read {
                throw LedgerError(kind: .storage, field: "database",
                    "the ledger in \(url.displayName) needs a schema update (\(plan.pending.map(\.name).joined(separator: ", "))) that a read does not make", remedy: .migrateSchema)
            }
            try await execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))", on: connection, logger: logger)
            // Another process may have migrated while this one waited for the lock.
            var versions: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                versions.insert(version)
            }
            for migration in plan.pending where !versions.contains(migration.version) {
                // The SQL is the binary's own migration file; nothing in it comes from input.
                for statement in SQLScript.statements(migration.sql) {
                    try await execute(PostgresQuery(unsafeSQL: statement), on: connection, logger: logger)
                }
                try await execute("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(MigrationPlan.checksum(migration.sql)))
                    """, on: connection, logger: logger)
            }
        }
    }

    /// One statement whose rows, if any, are read to the end so a refusal is never lost.
    func execute(_ doing: String, _ query: PostgresQuery) async throws {
        try await run(doing) {
            try await self.client.withConnection { connection in try await Self.execute(query, on: connection, logger: self.logger) }
        }
    }

    /// A timestamptz column as the ledger writes times: `2026-11-22T08:30:07.123Z`.
    static func utcText(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    // MARK: Transactions and errors

    /// Runs a statement to its end, reading every row it returns. postgres-nio answers a
    /// query once the row description arrives, so an error raised while the statement runs
    /// (a refused permission, a trigger) arrives with the rows: left unread, it is lost,
    /// and the COMMIT that follows quietly rolls the transaction back.
    static func execute(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// BEGIN … COMMIT, rolling back on any error and rethrowing that error itself
    /// (postgres-nio's `withTransaction` wraps it, which would hide `AppendConflict`).
    static func transaction<T>(on connection: PostgresConnection, logger: Logger,
                                       _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let value = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    func run<T: Sendable>(_ doing: String, _ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Self.storageError(error, doing: doing)
        }
    }

    /// A one-line message that names the server's complaint; ledger errors and conflicts
    /// pass through unchanged.
    static func storageError(_ error: any Error, doing: String) -> any Error {
        if error is LedgerError || error is AppendConflict { return error }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                let detail = error.serverInfo?[.detail].map { ": \($0)" } ?? ""
                // A lock wait that timed out, a cancelled statement, a serialisation failure or deadlock.
                if ["55P03", "57014", "40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "") {
                    return LedgerError.busy(doing, "another writer held the ledger for too long (PostgreSQL said \(message)\(state))")
                }
                return LedgerError.storage(doing, "PostgreSQL said \(message)\(detail)\(state)")
            }
            return LedgerError.storage(doing, error.underlying.map { "\($0)" } ?? "\(error.code)")
        }
        return LedgerError.storage(doing, "\(error)")
    }
}
