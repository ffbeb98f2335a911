import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// Signed checkpoints and the published report editions.
extension SQLiteLedgerStore {

    public func checkpoints(after number: Int64) async throws -> [StoredCheckpoint] {
        try await run("read the checkpoints") {
            try await self.reader.read { db in
                try Self.fetchCheckpoints(db, sql: "SELECT \(ColumnLists.checkpoint) FROM log_checkpoints WHERE number > ? ORDER BY number", arguments: [number])
            }
        }
    }

    public func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.reader.read { db in
                try Self.fetchCheckpoints(db, sql: "SELECT \(ColumnLists.checkpoint) FROM log_checkpoints ORDER BY tree_size DESC, number DESC LIMIT 1").first
            }
        }
    }

    public func checkpoint(ofSize size: Int64) async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.reader.read { db in
                try Self.fetchCheckpoints(db, sql: "SELECT \(ColumnLists.checkpoint) FROM log_checkpoints WHERE tree_size = ? ORDER BY number DESC LIMIT 1",
                                          arguments: [size]).first
            }
        }
    }

    static func fetchCheckpoints(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [StoredCheckpoint] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map {
            StoredCheckpoint(number: $0[0], size: $0[1], root: $0[2], note: $0[3], verifierKey: $0[4], signedAt: $0[5])
        }
    }

    public func addCheckpoint(_ checkpoint: StoredCheckpoint) async throws -> StoredCheckpoint {
        let pool = try writingPool("keep the checkpoint")
        return try await run("keep the checkpoint") {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO log_checkpoints (tree_size, root_hash, note, verifier_key, signed_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.verifierKey, checkpoint.signedAt])
                var stored = checkpoint
                stored.number = db.lastInsertedRowID
                return stored
            }
        }
    }

    // MARK: Published report editions

    public func reportEditions(month: String) async throws -> [ReportEdition] {
        try await run("read the report editions") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at FROM report_editions WHERE month = ? ORDER BY edition",
                                 arguments: [month]).map {
                    ReportEdition(month: $0[0], edition: $0[1], treeSize: $0[2], checkpointNumber: $0[3], contentHash: $0[4],
                                  changedSeqs: ReportEdition.changedSeqs(fromText: $0[5]), publishedAt: $0[6])
                }
            }
        }
    }

    public func addReportEdition(_ edition: ReportEdition) async throws {
        let pool = try writingPool("keep the report edition")
        try await run("keep the report edition") {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO report_editions (month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [edition.month, edition.edition, edition.treeSize, edition.checkpointNumber, edition.contentHash,
                                           edition.changedSeqsText, edition.publishedAt])
            }
        }
    }
}
