import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// Signed checkpoints and the published report editions.
extension PostgresLedgerStore {

    public func checkpoints(after number: Int64) async throws -> [StoredCheckpoint] {
        try await run("read the checkpoints") {
            try await self.fetchCheckpoints("SELECT \(unescaped: ColumnLists.checkpoint) FROM log_checkpoints WHERE number > \(number) ORDER BY number")
        }
    }

    public func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.fetchCheckpoints("SELECT \(unescaped: ColumnLists.checkpoint) FROM log_checkpoints ORDER BY tree_size DESC, number DESC LIMIT 1").first
        }
    }

    public func checkpoint(ofSize size: Int64) async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.fetchCheckpoints("SELECT \(unescaped: ColumnLists.checkpoint) FROM log_checkpoints WHERE tree_size = \(size) ORDER BY number DESC LIMIT 1").first
        }
    }

    func fetchCheckpoints(_ query: PostgresQuery) async throws -> [StoredCheckpoint] {
        var checkpoints: [StoredCheckpoint] = []
        let rows = try await client.query(query, logger: logger)
        for try await (number, size, root, note, verifierKey, signedAt) in rows.decode((Int64, Int64, String, String, String, String).self) {
            checkpoints.append(StoredCheckpoint(number: number, size: size, root: root, note: note, verifierKey: verifierKey, signedAt: signedAt))
        }
        return checkpoints
    }

    public func addCheckpoint(_ checkpoint: StoredCheckpoint) async throws -> StoredCheckpoint {
        try await run("keep the checkpoint") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    // The writers' lock: no entry or other checkpoint lands between the
                    // trigger's check and this row.
                    try await Self.execute("SELECT pg_advisory_xact_lock(\(Self.appendLockKey))", on: connection, logger: self.logger)
                    let rows = try await connection.query("""
                        INSERT INTO log_checkpoints (tree_size, root_hash, note, verifier_key, signed_at)
                        VALUES (\(checkpoint.size), \(checkpoint.root), \(checkpoint.note), \(checkpoint.verifierKey), \(checkpoint.signedAt))
                        RETURNING number
                        """, logger: self.logger)
                    var stored = checkpoint
                    for try await number in rows.decode(Int64.self) { stored.number = number }
                    return stored
                }
            }
        }
    }

    // MARK: Published report editions

    public func reportEditions(month: String) async throws -> [ReportEdition] {
        try await run("read the report editions") {
            var editions: [ReportEdition] = []
            let rows = try await self.client.query("""
                SELECT month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at
                FROM report_editions WHERE month = \(month) ORDER BY edition
                """, logger: self.logger)
            for try await (month, edition, size, checkpoint, hash, changed, publishedAt) in rows.decode((String, Int, Int64, Int64, String, String, String).self) {
                editions.append(ReportEdition(month: month, edition: edition, treeSize: size, checkpointNumber: checkpoint, contentHash: hash,
                                              changedSeqs: ReportEdition.changedSeqs(fromText: changed), publishedAt: publishedAt))
            }
            return editions
        }
    }

    public func addReportEdition(_ edition: ReportEdition) async throws {
        try await run("keep the report edition") {
            try await self.client.withConnection { connection in
                try await Self.execute("""
                    INSERT INTO report_editions (month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at)
                    VALUES (\(edition.month), \(edition.edition), \(edition.treeSize), \(edition.checkpointNumber), \(edition.contentHash),
                            \(edition.changedSeqsText), \(edition.publishedAt))
                    """, on: connection, logger: self.logger)
            }
        }
    }
}
