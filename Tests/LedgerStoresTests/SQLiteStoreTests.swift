import Foundation
import GRDB
import LedgerMigrations
import LedgerTestSupport
import Testing
@testable import Ledger
@testable import LedgerSQLite
import LedgerStorage

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
}
