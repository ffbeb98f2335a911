import Foundation
import Ledger
import LedgerStores
import LedgerSQLite
import LedgerPostgres
import LedgerTeam

/// A fresh temporary folder (and, for PostgreSQL, database), removed when the test is
/// done with it.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    /// Databases created for this test; dropped with the folder.
    var databases: [String] = []

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A new empty PostgreSQL database on the test server.
    public func postgresDatabase() async throws -> String {
        let database = try await PostgresTestServer.createDatabase()
        databases.append(database)
        return database
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
        for database in databases { Task.detached { await PostgresTestServer.drop(database) } }
    }
}

/// The stores every conformance test runs against; the tests themselves do not change.
/// PostgreSQL is left out, with a message, only where no test server is configured and
/// this is not CI.
public enum StoreKind: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    public static var allCases: [StoreKind] {
        if PostgresTestServer.isEnabled { return [.sqlite, .postgres] }
        reportSkippedPostgres
        return [.sqlite]
    }

    private static let reportSkippedPostgres: Void = {
        FileHandle.standardError.write(Data("warning: \(PostgresTestServer.skipMessage)\n".utf8))
    }()

    public func makeStore(in directory: TemporaryDirectory) async throws -> any LedgerStore {
        switch self {
        case .sqlite: return try SQLiteLedgerStore(path: directory.path("conformance.sqlite"))
        case .postgres:
            return try await PostgresTestServer.openStore(try PostgresURL(try await directory.postgresDatabase()), access: .create)
        }
    }

    /// The store `makeStore(in:)` made, opened again (to write, so it migrates what it must).
    public func reopenStore(in directory: TemporaryDirectory) async throws -> any LedgerStore {
        switch self {
        case .sqlite: return try SQLiteLedgerStore(path: directory.path("conformance.sqlite"), access: .write)
        case .postgres:
            guard let url = directory.databases.last else { throw PostgresTestServer.SetupError(description: "no database made yet") }
            return try await PostgresTestServer.openStore(try PostgresURL(url), access: .write)
        }
    }

    /// A ledger over a new store of this kind.
    public func makeLedger(in directory: TemporaryDirectory) async throws -> Ledger {
        switch self {
        case .sqlite: return try await Ledger.open(.sqlite(path: directory.path("conformance.sqlite")), create: true)
        case .postgres: return try await Ledger.open(.postgres(url: try await directory.postgresDatabase()), create: true)
        }
    }
}

