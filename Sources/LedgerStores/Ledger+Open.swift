import Foundation
import Ledger
import LedgerPostgres
import LedgerSQLite
import Logging
import ServiceLifecycle
import LedgerTeam

/// A ledger opened from a location, and the work its store does in the background while it
/// is used (a PostgreSQL connection pool; nothing for SQLite), for the caller to run.
public struct OpenedLedger: Sendable {
    public let ledger: Ledger
    /// Run these for as long as the ledger is used: in a service group, or beside the work.
    public let services: [any Service]
}

extension Ledger {
    /// Nothing logged unless the caller gives a logger.
    public static let silentLogger = Logger(label: "ledger", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens the ledger at `location` for what the caller will do (a `.read` changes nothing
    /// in the database, whatever it finds there), leaving the store's background work to
    /// the caller: `LedgerServer` runs it in its service group.
    public static func opened(_ location: LedgerLocation, access: LedgerAccess, logger: Logger = silentLogger) async throws -> OpenedLedger {
        switch location {
        case .sqlite(let path):
            return OpenedLedger(ledger: Ledger(store: try SQLiteLedgerStore(path: path, access: access)), services: [])
        case .postgres(let url):
            let store = try await PostgresLedgerStore.open(try PostgresURL(url), access: access, logger: logger)
            return OpenedLedger(ledger: Ledger(store: store), services: [store])
        }
    }

    /// Opens the ledger, runs its store's background work beside `body`, and closes it
    /// when `body` is done, whatever happens.
    public static func withLedger<T>(at location: LedgerLocation, access: LedgerAccess, logger: Logger = silentLogger,
                                     _ body: (Ledger) async throws -> T) async throws -> T {
        let opened = try await opened(location, access: access, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in opened.services { group.addTask { try await service.run() } }
            do {
                let value = try await body(opened.ledger)
                group.cancelAll()
                await opened.ledger.close()
                return value
            } catch {
                group.cancelAll()
                await opened.ledger.close()
                throw error
            }
        }
    }

    /// Opens the ledger at `location` with its background work in a task of its own until
    /// `close()`: for tests and scripts that have no scope to run it in. With `create:
    /// false` a missing SQLite file (or a PostgreSQL database without the ledger's tables)
    /// is an error rather than a new empty ledger, so a typo cannot hide the real one.
    public static func open(_ location: LedgerLocation, create: Bool, logger: Logger = silentLogger) async throws -> Ledger {
        try await open(location, access: create ? .create : .write, logger: logger)
    }

    /// As `open(_:create:logger:)`, for what the caller will do.
    public static func open(_ location: LedgerLocation, access: LedgerAccess, logger: Logger = silentLogger) async throws -> Ledger {
        let opened = try await opened(location, access: access, logger: logger)
        if let store = opened.ledger.store as? PostgresLedgerStore { store.startInBackground() }
        return opened.ledger
    }
}
