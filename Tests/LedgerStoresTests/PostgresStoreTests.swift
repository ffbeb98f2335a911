import Foundation
import LedgerMigrations
import LedgerTestSupport
import Logging
import PostgresNIO
import Synchronization
import Testing
@testable import Ledger
import LedgerStores
@testable import LedgerPostgres
import LedgerStorage
import LedgerTeam

/// What only PostgreSQL can show: its triggers and SQLSTATEs, roles and grants, session
/// settings, notifications, migrations, and many connections appending at once.
@Suite("PostgreSQL store", .enabled(if: PostgresTestServer.isEnabled, Comment(rawValue: PostgresTestServer.skipMessage)))
struct PostgresStoreTests {
    let logger = Logger(label: "ledger.tests")

    /// A database with the five base entries; its URL, database name and store.
    func seeded(_ directory: TemporaryDirectory) async throws -> (url: String, name: String, store: PostgresLedgerStore) {
        let url = try await directory.postgresDatabase()
        let store = try await PostgresTestServer.openStore(try PostgresURL(url), access: .create)
        _ = try await store.append(Story.base, expectedHead: 0)
        return (url, String(URLComponents(string: url)!.path.dropFirst()), store)
    }

    /// The SQLSTATE a statement fails with, or nil if it succeeds.
    func sqlState(of sql: String, in database: String) async throws -> String? {
        try await PostgresTestServer.withAdminConnection(database: database) { connection in
            do {
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                return nil
            } catch let error as PSQLError {
                return error.serverInfo?[.sqlState]
            }
        }
    }

    func count(in database: String) async throws -> Int {
        try await PostgresTestServer.withAdminConnection(database: database) { connection in
            var result = 0
            for try await value in try await connection.query("SELECT count(*)::bigint FROM ledger_entries", logger: logger).decode(Int.self) { result = value }
            return result
        }
    }

    @Test func truncateAndStatementsMatchingNoRowFailToo() async throws {
        let directory = try TemporaryDirectory()
        let (_, name, _) = try await seeded(directory)
        // 23001 restrict_violation, raised by the statement-level triggers (even for the superuser).
        #expect(try await sqlState(of: "UPDATE ledger_entries SET payload = '{}' WHERE seq = 999", in: name) == "23001", "refused even when no row matches")
        #expect(try await sqlState(of: "TRUNCATE ledger_entries", in: name) == "23001")
        #expect(try await sqlState(of: "TRUNCATE api_tokens", in: name) == "23001")
        #expect(try await sqlState(of: "DELETE FROM schema_migrations", in: name) == "23001")
        #expect(try await count(in: name) == 5)
    }

    @Test func commitsAreSynchronousEvenWhenTheDatabaseSaysOtherwise() async throws {
        let directory = try TemporaryDirectory()
        let url = try await directory.postgresDatabase()
        let name = String(URLComponents(string: url)!.path.dropFirst())
        try await PostgresTestServer.withAdminConnection { try await $0.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) SET synchronous_commit = off"), logger: logger) }
        let store = try await PostgresTestServer.openStore(try PostgresURL(url), access: .create)
        let setting = try await store.client.withConnection { connection in
            var value = ""
            for try await text in try await connection.query("SHOW synchronous_commit", logger: logger).decode(String.self) { value = text }
            return value
        }
        #expect(setting == "on")
        await store.close()
    }

    /// A fold or a verification cancelled while its pages wait for a connection ends: the
    /// pages read ahead are cancelled with it. (They were tasks of their own: a server that
    /// stopped while its first fold waited for a pool that would never run never exited.)
    @Test func aFoldOrAVerificationCancelledWhileWaitingForAConnectionEnds() async throws {
        let directory = try TemporaryDirectory()
        let url = try await directory.postgresDatabase()
        let seeded = try await PostgresTestServer.openStore(try PostgresURL(url), access: .create)
        _ = try await Ledger(store: seeded).append(DemoLedger.drafts)
        await seeded.close()
        // Opened, but its pool is never run: every read waits for a connection.
        let ledger = Ledger(store: try await PostgresLedgerStore.open(try PostgresURL(url), access: .write, logger: logger))
        let ended = Ended()
        let fold = Task { @Sendable in _ = try? await ledger.records(); ended.names.withLock { $0.append("fold") } }
        let verification = Task { @Sendable in _ = try? await ledger.verify(); ended.names.withLock { $0.append("verify") } }
        try await Task.sleep(for: .milliseconds(300))
        fold.cancel()
        verification.cancel()
        for _ in 0..<100 where ended.names.withLock({ $0.count < 2 }) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(ended.names.withLock { $0.sorted() } == ["fold", "verify"], "cancelled, each ends rather than waiting for a connection")
    }

    final class Ended: Sendable {
        let names = Mutex<[String]>([])
    }

    @Test func aWriterHeldUpTooLongIsToldTheLedgerIsBusy() async throws {
        let directory = try TemporaryDirectory()
        let (url, name, _) = try await seeded(directory)
        var impatient = try PostgresURL(url)
        impatient.lockTimeout = 1
        let store = try await PostgresTestServer.openStore(impatient, access: .write)
        try await PostgresTestServer.withAdminConnection(database: name) { connection in
            try await connection.query("BEGIN", logger: logger)
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresLedgerStore.appendLockKey))", logger: logger)
            await #expect(performing: { _ = try await store.append([Story.followup("stop-arms-flow", on: "2023-08-01")], expectedHead: 5) }, throws: { error in
                (error as? LedgerError)?.kind == .busy && (error as? LedgerError)?.message.contains("try again") == true
            })
            try await connection.query("ROLLBACK", logger: logger)
        }
        #expect(try await store.append([Story.followup("stop-arms-flow", on: "2023-08-01")], expectedHead: 5).entries.map(\.seq) == [6])
        await store.close()
    }

    @Test func anAppRoleWithInsertAndSelectOnlyCanAppendButNotChange() async throws {
        let directory = try TemporaryDirectory()
        let (_, name, _) = try await seeded(directory)
        let role = "ledger_app_" + name.suffix(8)
        // The grants docs/postgresql.md documents for the role the app connects as.
        try await PostgresTestServer.withAdminConnection(database: name) { connection in
            for sql in [
                "CREATE ROLE \(role) LOGIN",
                "GRANT CONNECT ON DATABASE \(name) TO \(role)",
                "GRANT USAGE ON SCHEMA public TO \(role)",
                "GRANT SELECT, INSERT ON ledger_entries TO \(role)",
                "GRANT SELECT ON schema_migrations TO \(role)",
                "GRANT SELECT, INSERT ON log_checkpoints, report_editions TO \(role)",
            ] { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        }
        let appURL = try PostgresTestServer.databaseURL(PostgresTestServer.url!, name: name, user: role)
        let ledger = try await Ledger.open(.postgres(url: appURL), create: false)
        let result = try await ledger.append([Story.followup("justice-juarez-fire", on: "2023-08-01")], today: Story.day)
        #expect(result.added == 1)
        #expect(try await ledger.verify().entries == 6)
        await ledger.close()
        // 42501 insufficient_privilege: the role cannot even reach the triggers.
        let asApp = try PostgresURL(appURL)
        let connection = try await PostgresConnection.connect(configuration: try asApp.connectionConfiguration, id: 9, logger: logger)
        for sql in ["UPDATE ledger_entries SET author = 'x'", "DELETE FROM ledger_entries", "TRUNCATE ledger_entries", "CREATE TABLE sneaky (x int)"] {
            await #expect(performing: { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }, throws: { error in
                (error as? PSQLError)?.serverInfo?[.sqlState] == "42501"
            })
        }
        try await connection.close()
        // Roles belong to the whole server, not the test's database.
        try await PostgresTestServer.withAdminConnection(database: name) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP OWNED BY \(role)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "REVOKE CONNECT ON DATABASE \(name) FROM \(role)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "DROP ROLE \(role)"), logger: logger)
        }
    }

    @Test func aCommittedAppendIsAnnouncedWithTheNewHead() async throws {
        let directory = try TemporaryDirectory()
        let (_, name, store) = try await seeded(directory)
        let received = try await PostgresTestServer.withAdminConnection(database: name) { connection in
            try await connection.listen(on: PostgresLedgerStore.headChannel) { notifications in
                let written = try await store.append([Story.followup("stop-arms-flow", on: "2023-08-01")], expectedHead: 5)
                for try await notification in notifications {
                    return (notification.payload, written.entries[0])
                }
                return ("", written.entries[0])
            }
        }
        let payload = try JSONValue.parse(received.0)
        #expect(payload == .object(["seq": .int(6), "hash": .string(received.1.hash)]))
    }

    /// 0010 replaces the chain function (it read the head with a scan that stepped over the
    /// rows of a rolled-back import): the guards expect the body the last migration left.
    @Test func theGuardsExpectTheChainFunctionAsTheLastMigrationLeftIt() throws {
        let body = try #require(PostgresGuards(migrations: LedgerMigrations.postgres).functions["ledger_entries_follow_head"])
        #expect(body.contains("WHERE seq = NEW.seq - 1") && !body.contains("ORDER BY seq DESC"))
        #expect(body.contains("pg_advisory_xact_lock(\(PostgresLedgerStore.appendLockKey))"))
    }

    @Test func theInsertTriggerTakesTheLockTheStoreTakes() {
        #expect(LedgerMigrations.postgres[0].sql.contains("pg_advisory_xact_lock(\(PostgresLedgerStore.appendLockKey))"))
    }

    @Test func anEmptyDatabaseIsNotALedger() async throws {
        let directory = try TemporaryDirectory()
        let empty = try await directory.postgresDatabase()
        await #expect(performing: { _ = try await PostgresTestServer.openStore(try PostgresURL(empty), access: .write) }, throws: { error in
            (error as? LedgerError)?.kind == .notFound && (error as? LedgerError)?.remedy == .createLedger
        })
    }

    @Test func connectionProblemsAreNamedAtOnce() async throws {
        let directory = try TemporaryDirectory()
        let url = try await directory.postgresDatabase()
        // A port nothing listens on (the server's own port plus one is as good as any).
        var refused = URLComponents(string: url)!
        refused.port = (refused.port ?? 5432) == 65535 ? 1 : (refused.port ?? 5432) + 1
        await #expect(performing: { _ = try await PostgresTestServer.openStore(try PostgresURL(refused.string!), access: .create) }, throws: { error in
            // The cause itself, not the pool's "circuit breaker tripped" after 15 s of retries.
            (error as? LedgerError)?.message.contains("could not connect to postgres://") == true
                && (error as? LedgerError)?.message.contains("Connection refused") == true
                // No server answered: what `serve --read-database` waits out rather than refuses.
                && (error as? LedgerError)?.remedy == .reachServer
        })
        var missing = URLComponents(string: url)!
        missing.path = "/no_such_database"
        await #expect(performing: { _ = try await PostgresTestServer.openStore(try PostgresURL(missing.string!), access: .create) }, throws: { error in
            (error as? LedgerError)?.message.contains("\"no_such_database\" does not exist") == true
                && (error as? LedgerError)?.remedy == nil
        })
    }

    @Test func urlsAreReadLikeLibpqAndNeverPrintThePassword() throws {
        let url = try PostgresURL("postgres://ledger:s3cret@db.example.org:6543/coalition?sslmode=verify-full&application_name=feed", environment: [:])
        #expect(url.host == "db.example.org" && url.port == 6543 && url.user == "ledger" && url.password == "s3cret")
        #expect(url.database == "coalition" && url.tls == .verifyFull && url.applicationName == "feed")
        #expect(!url.displayName.contains("s3cret"))
        let fromEnvironment = try PostgresURL("postgres:///coalition?host=/var/run/postgresql", environment: ["PGUSER": "app", "PGPASSWORD": "pw"])
        #expect(fromEnvironment.socketDirectory == "/var/run/postgresql" && fromEnvironment.user == "app" && fromEnvironment.password == "pw")
        #expect(fromEnvironment.tls == .prefer && fromEnvironment.port == 5432)
        #expect(throws: LedgerError.self) { try PostgresURL("postgres://u@h/db?sslmode=sometimes", environment: [:]) }
        #expect(throws: LedgerError.self) { try PostgresURL("postgres://u@h:99999/db", environment: [:]) }
        #expect(throws: LedgerError.self) { try PostgresURL("postgres://u@h/db?search_path=x", environment: [:]) }
        #expect(try LedgerLocation("postgres://u:pw@h/db").description == "postgres://u:***@h/db")
    }
}

@Suite("Migration files")
struct MigrationFileTests {
    @Test(arguments: [("sqlite", LedgerMigrations.sqlite), ("postgres", LedgerMigrations.postgres)])
    func theFoldersMatchTheCompiledLists(_ folderName: String, _ migrations: [LedgerMigrations.Migration]) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Migrations/\(folderName)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == migrations.map(\.name), "every file in Migrations/\(folderName) is listed in LedgerMigrations.swift")
        #expect(migrations.map(\.version) == Array(1...migrations.count), "numbered from 1 without gaps")
        for migration in migrations {
            #expect(try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8) == migration.sql)
            #expect(migration.name.hasPrefix(String(format: "%04d_", migration.version)))
        }
    }

    @Test func statementsSplitOnlyOnSemicolonsOutsideQuotesBodiesAndComments() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE t (x text DEFAULT 'a;b''c');
            /* block; comment */ CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'no; never'; END;
            $$;
            SELECT $tag$ $$; $tag$, "odd;name" FROM t
            """
        #expect(SQLScript.statements(script) == [
            "CREATE TABLE t (x text DEFAULT 'a;b''c')",
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN RAISE EXCEPTION 'no; never'; END;\n$$",
            "SELECT $tag$ $$; $tag$, \"odd;name\" FROM t",
        ])
    }

    @Test func theMigrationFilesSplitIntoWholeStatements() {
        let statements = LedgerMigrations.postgres.map { SQLScript.statements($0.sql) }
        // 0001: a table, an index, two functions, three triggers; 0002: a table, an index, a function, two triggers;
        // 0003: two tables, two functions, four triggers, an index; 0004: three tables, two indexes;
        // 0005: a table altered, three tables, three indexes; 0006: a table; 0007: a function and its trigger;
        // 0008: a table altered three times; 0009: the structure snapshots deleted, a constraint replaced;
        // 0010: the chain function replaced; 0011: a table altered.
        #expect(statements.map(\.count) == [7, 5, 9, 5, 7, 1, 2, 3, 2, 1, 1])
        #expect(statements.joined().allSatisfy { $0.hasPrefix("CREATE") || $0.hasPrefix("ALTER TABLE") || $0.hasPrefix("DELETE FROM projection_snapshots") })
    }
}
