import Foundation
import GRDB
import Ledger
import Logging
import PostgresNIO

/// The database behind a store, reached as someone with the file or a superuser login
/// could, without the ledger: what the conformance suite uses to show that the database
/// itself refuses rewrites, on every store, with the same SQL.
public struct RawDatabase: Sendable {
    /// Why a statement failed, in the terms the suite checks.
    public enum Refusal: Equatable, Sendable {
        /// The append-only guards refused to change or remove a row.
        case appendOnly
        /// The insert guard refused a row that does not continue the chain.
        case brokenChain
        case other(String)
    }

    enum Target: Sendable {
        case sqlite(path: String)
        case postgres(database: String)
    }

    let target: Target

    /// The database of a ledger made by `kind.makeStore(in:)` or `makeLedger(in:)`.
    public static func behind(_ kind: StoreKind, in directory: TemporaryDirectory) throws -> RawDatabase {
        switch kind {
        case .sqlite: return RawDatabase(target: .sqlite(path: directory.path("conformance.sqlite")))
        case .postgres:
            guard let url = directory.databases.last, let name = URLComponents(string: url)?.path.dropFirst() else {
                throw PostgresTestServer.SetupError(description: "no PostgreSQL database made in this folder yet")
            }
            return RawDatabase(target: .postgres(database: String(name)))
        }
    }

    /// The database a `ledgerctl --database` names: a SQLite path or a PostgreSQL URL.
    public static func at(_ database: String) -> RawDatabase {
        if database.hasPrefix("postgres"), let name = URLComponents(string: database)?.path.dropFirst() {
            return RawDatabase(target: .postgres(database: String(name)))
        }
        return RawDatabase(target: .sqlite(path: database))
    }

    /// Runs each statement in order; the first refusal, or nil when every one succeeded.
    public func refusal(of statements: String...) async throws -> Refusal? {
        do {
            try await execute(statements)
            return nil
        } catch let error as DatabaseError {
            let message = error.message ?? ""
            // SQLite's triggers raise with a message only: the migrations' words.
            if message.contains("is append-only") || message.hasPrefix("api_tokens:") { return .appendOnly }
            if message.contains("must follow the head") { return .brokenChain }
            return .other(message)
        } catch let error as PSQLError {
            switch error.serverInfo?[.sqlState] {
            case "23001": return .appendOnly
            case "23000": return .brokenChain
            default: return .other(error.serverInfo?[.message] ?? "\(error)")
            }
        }
    }

    /// Runs the statements with every trigger off: SQLite's dropped, PostgreSQL's session
    /// set to replica (which skips ordinary triggers), as an attacker with the database would.
    public func withoutGuards(_ statements: String...) async throws {
        try await withoutGuards(statements)
    }

    public func withoutGuards(_ statements: [String]) async throws {
        switch target {
        case .sqlite:
            let triggers = try await strings("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            try await execute(triggers.map { "DROP TRIGGER \($0)" } + statements)
        case .postgres:
            try await execute(["SET session_replication_role = replica"] + statements)
        }
    }

    /// Every value of the query's first column, as text.
    public func strings(_ sql: String) async throws -> [String] {
        switch target {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try await queue.read { try String.fetchAll($0, sql: sql) }
        case .postgres(let database):
            return try await PostgresTestServer.withAdminConnection(database: database) { connection in
                var values: [String] = []
                for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestServer.logger).decode(String.self) {
                    values.append(value)
                }
                return values
            }
        }
    }

    /// Runs the statements as they are, guards and all.
    public func run(_ statements: String...) async throws {
        try await execute(statements)
    }

    func execute(_ statements: [String]) async throws {
        switch target {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            try await queue.writeWithoutTransaction { db in
                for statement in statements { try db.execute(sql: statement) }
            }
        case .postgres(let database):
            try await PostgresTestServer.execute(statements, database: database)
        }
    }
}
