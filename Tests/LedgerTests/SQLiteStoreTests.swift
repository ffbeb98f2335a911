import Foundation
import GRDB
import LedgerMigrations
import LedgerTestSupport
import Testing
@testable import Ledger
@testable import LedgerSQLite
import LedgerStorage

/// What only SQLite can show: the file's settings, its triggers and its migrations.
@Suite("SQLite store")
struct SQLiteStoreTests {
    func seeded(_ directory: TemporaryDirectory) async throws -> (SQLiteLedgerStore, DatabaseQueue) {
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        _ = try await store.append(Story.base, expectedHead: 0)
        return (store, try DatabaseQueue(path: directory.path("ledger.sqlite")))
    }

    @Test func theFileIsDurableWAL() async throws {
        let directory = try TemporaryDirectory()
        let (store, _) = try await seeded(directory)
        #expect(try store.writerPragma("journal_mode") == "wal")
        #expect(try store.writerPragma("synchronous") == "2", "2 is FULL")
    }

    @Test func updatesAndDeletesFailInsideTheDatabase() async throws {
        let directory = try TemporaryDirectory()
        let (_, raw) = try await seeded(directory)
        await #expect { try await raw.write { try $0.execute(sql: "UPDATE ledger_entries SET payload = '{}' WHERE seq = 2") } } throws: { error in
            (error as? DatabaseError)?.message?.contains("append-only: UPDATE is not allowed") == true
        }
        await #expect { try await raw.write { try $0.execute(sql: "DELETE FROM ledger_entries WHERE seq = 5") } } throws: { error in
            (error as? DatabaseError)?.message?.contains("append-only: DELETE is not allowed") == true
        }
        #expect(try await raw.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ledger_entries") } == 5)
    }

    @Test func insertsThatBreakTheChainFailInsideTheDatabase() async throws {
        let directory = try TemporaryDirectory()
        let (_, raw) = try await seeded(directory)
        let insert = """
            INSERT INTO ledger_entries (seq, id, type, schema_version, subject, effective, recorded_at, author, visibility, payload, salt, prev_hash, hash)
            SELECT ?, ?, type, schema_version, subject, effective, recorded_at, author, visibility, payload, salt, ?, hash FROM ledger_entries WHERE seq = 5
            """
        let head = try await raw.read { try String.fetchOne($0, sql: "SELECT hash FROM ledger_entries WHERE seq = 5") }!
        await #expect(throws: DatabaseError.self) { try await raw.write { try $0.execute(sql: insert, arguments: [7, UUID().uuidString, head]) } }
        await #expect(throws: DatabaseError.self) { try await raw.write { try $0.execute(sql: insert, arguments: [6, UUID().uuidString, ChainHash.genesis]) } }
    }

    @Test func verifyNamesARowChangedBehindTheTriggersBack() async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(directory)
        try await raw.write { db in
            try db.execute(sql: "DROP TRIGGER ledger_entries_no_update")
            try db.execute(sql: #"UPDATE ledger_entries SET payload = '{"name":"Someone else","kind":"institution"}' WHERE seq = 2"#)
        }
        let verification = try await Ledger(store: store).verify()
        #expect(verification.firstBadSeq == 2)
        #expect(verification.problem?.contains("does not match its hash") == true)
        #expect(verification.head.seq == 1)
    }

    @Test func migrationsAreRecordedWithChecksums() async throws {
        let directory = try TemporaryDirectory()
        let (_, raw) = try await seeded(directory)
        let rows = try raw.read { try Row.fetchAll($0, sql: "SELECT version, name, checksum FROM schema_migrations ORDER BY version") }
        #expect(rows.map { $0["name"] as String } == LedgerMigrations.sqlite.map(\.name))
        #expect(rows.map { $0["checksum"] as String } == LedgerMigrations.sqlite.map { ChainHash.sha256Hex($0.sql) })
    }

    @Test func reopeningAppliesNothingTwice() async throws {
        let directory = try TemporaryDirectory()
        _ = try await seeded(directory)
        let reopened = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        #expect(try await reopened.head().seq == 5)
    }

    @Test func aNewerSchemaIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let (_, raw) = try await seeded(directory)
        try await raw.write { try $0.execute(sql: "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', '2030-01-01')") }
        #expect { try SQLiteLedgerStore(path: directory.path("ledger.sqlite")) } throws: { error in
            (error as? LedgerError)?.message.contains("newer than this ledgerctl knows") == true
        }
    }

    @Test func aChangedMigrationIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let (_, raw) = try await seeded(directory)
        try await raw.write { try $0.execute(sql: "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1") }
        #expect { try SQLiteLedgerStore(path: directory.path("ledger.sqlite")) } throws: { error in
            (error as? LedgerError)?.message.contains("checksum mismatch") == true
        }
    }
}
