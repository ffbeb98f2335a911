import Foundation
import GRDB
import LedgerMigrations
import LedgerTestSupport
import Testing
@testable import Ledger
@testable import LedgerSQLite
import LedgerStorage
import LedgerSynthetic
import LedgerTeam

/// What only SQLite can show: the file's settings. The guards and migrations every store
/// keeps are in the conformance suite.
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

    /// An import changes its connection's cache and keeps statement journals in memory
    /// (ImportPipeline's note): the writing connection has its own settings back after it,
    /// whether the import was taken or refused.
    @Test func anImportPutsTheConnectionsSettingsBack() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLedgerStore(path: directory.path("ledger.sqlite"))
        let settings = { [try store.writerPragma("temp_store"), try store.writerPragma("cache_size")] }
        let before = try settings()
        #expect(before == ["0", "-2000"], "SQLite's defaults")
        let ledger = Ledger(store: store)
        let lines = SyntheticLedger(count: 6_000, seed: 3).map { Substring($0.exchangeJSON.canonicalText) }
        await #expect(throws: LedgerError.self) {
            try await ledger.importLines(lines[..<5_000] + [Substring(lines[5_000].replacingOccurrences(of: #""seq":5001"#, with: #""seq":5002"#))])
        }
        #expect(try settings() == before)
        #expect(try await store.head().seq == 0)
        #expect(try await ledger.importLines(Array(lines)) == 6_000)
        #expect(try settings() == before)
    }

    /// Migration 0008 rebuilds the snapshots table (SQLite cannot change a primary key in
    /// place): the snapshots a ledger kept before it are full folds, and stay usable.
    @Test func snapshotsKeptBeforeTheDetailColumnStayAsFullFolds() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await StoreKind.sqlite.makeLedger(in: directory)
        _ = try await ledger.append(DemoLedger.drafts)
        try await ledger.saveSnapshots()
        let kept = try #require(await ledger.snapshotRecords(.internal))
        await ledger.close()
        // Back to the schema before 0008 (and 0009, which rebuilds the table again, and 0010), with the full snapshots in it.
        let raw = try DatabaseQueue(path: directory.path("conformance.sqlite"))
        try await raw.write { db in
            try db.execute(sql: "DELETE FROM projection_snapshots WHERE detail <> 'full'")
            try db.execute(sql: "ALTER TABLE projection_snapshots RENAME TO snapshots_by_detail")
            try db.execute(sql: LedgerMigrations.sqlite[5].sql)
            try db.execute(sql: """
                INSERT INTO projection_snapshots SELECT audience, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body
                FROM snapshots_by_detail
                """)
            try db.execute(sql: "DROP TABLE snapshots_by_detail")
            try db.execute(sql: "ALTER TABLE webhooks DROP COLUMN allow_private")
            try db.execute(sql: "DELETE FROM schema_migrations WHERE version >= 8")
        }
        try raw.close()

        let upgraded = Ledger(store: try await StoreKind.sqlite.reopenStore(in: directory))
        let read = try #require(await upgraded.snapshotRecords(.internal), "the full snapshot survived the migration")
        #expect(read.records == kept.records && read.head == kept.head)
        #expect(await upgraded.snapshotRecords(.public) != nil)
        #expect(await upgraded.snapshotRecords(.internal, detail: .counts) == nil, "no counts snapshot until the next is kept")
        #expect(try await upgraded.snapshotProblems().isEmpty)
    }
}
