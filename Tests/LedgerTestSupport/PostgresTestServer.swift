import Foundation
import Ledger
import Logging
import PostgresNIO
import LedgerPostgres
import LedgerStores
import LedgerTeam

/// The PostgreSQL server the tests use: `LEDGER_TEST_POSTGRES_URL`, which `scripts/test`
/// sets to a throwaway cluster. Each test gets a database of its own, so tests run in
/// parallel without seeing each other's entries or locks.
public enum PostgresTestServer {
    public static let url = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// In CI a PostgreSQL test must run, and fail if it cannot reach the server.
    public static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"
    public static let isEnabled = url != nil || isRequired
    /// A hot standby streaming from `url`'s cluster (`scripts/throwaway-postgres` starts one
    /// with `pg_basebackup -R`), for `serve --read-database`.
    public static let replicaURL = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES_REPLICA_URL"].flatMap { $0.isEmpty ? nil : $0 }
    public static let skipMessage = "LEDGER_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (scripts/test starts a throwaway server)"

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// A new empty database; its URL. Dropped by `drop` (best effort: the throwaway cluster
    /// goes anyway).
    public static func createDatabase() async throws -> String {
        guard let url else { throw SetupError(description: skipMessage + "; in CI it must be set") }
        let name = "ledger_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // A database name cannot be a bind parameter; this one is generated hex.
        _ = try await withAdminConnection { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger) }
        return try databaseURL(url, name: name)
    }

    public static func drop(_ databaseURL: String) async {
        guard let name = URLComponents(string: databaseURL)?.path.dropFirst(), name.hasPrefix("ledger_test_") else { return }
        _ = try? await withAdminConnection {
            try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// Runs `body` on a superuser connection to `database` (default: the server's URL).
    /// - Parameter server: another server's URL (the replica's); by default `url`.
    @discardableResult
    public static func withAdminConnection<T>(database: String? = nil, server: String? = nil, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let url = server ?? url else { throw SetupError(description: skipMessage) }
        let target = try PostgresURL(try database.map { try databaseURL(url, name: $0) } ?? url)
        let connection = try await PostgresConnection.connect(configuration: try target.connectionConfiguration, id: 0, logger: logger)
        // Closing may fail where the server already ended the session (a test stops it): the
        // body's outcome is what counts.
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `body` while a superuser connection to `server` stays open: a client that a smart
    /// shutdown waits for. The server may end that connection meanwhile.
    public static func whileConnected<T>(server: String, _ body: () async throws -> T) async throws -> T {
        try await withAdminConnection(server: server) { _ in try await body() }
    }

    /// The SQLSTATE of a server's refusal, when `error` is one.
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The first column of every row `sql` returns, as text, on a superuser connection.
    public static func strings(_ sql: String, database: String? = nil, server: String? = nil) async throws -> [String] {
        try await withAdminConnection(database: database, server: server) { connection in
            var values: [String] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) { values.append(value) }
            return values
        }
    }

    /// Runs SQL of the test's own making (role and grant set-up) as a superuser, in order.
    public static func execute(_ statements: [String], database: String? = nil, server: String? = nil) async throws {
        try await withAdminConnection(database: database, server: server) { connection in
            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        }
    }

    /// The server's URL with another database (and, optionally, user) in it.
    public static func databaseURL(_ url: String, name: String, user: String? = nil) throws -> String {
        guard var components = URLComponents(string: url) else { throw SetupError(description: "LEDGER_TEST_POSTGRES_URL is not a URL") }
        components.path = "/" + name
        if let user {
            components.user = user
            components.password = nil
        }
        return components.string!
    }

    public static let logger = Logger(label: "ledger.tests.postgres")

    /// A store on `url`, its pool running in the background until `close()`.
    public static func openStore(_ url: PostgresURL, access: LedgerAccess) async throws -> PostgresLedgerStore {
        let store = try await PostgresLedgerStore.open(url, access: access, logger: Ledger.silentLogger)
        store.startInBackground()
        return store
    }
}
