import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// Snapshots of the fold, a cache beside the chain.
extension PostgresLedgerStore {
    public func snapshot(audience: Visibility, detail: LedgerRecords.Detail) async throws -> ProjectionSnapshot? {
        try await run("read the snapshot") {
            let rows = try await self.client.query("""
                SELECT seq, head_hash, head_recorded_at, merkle_root, format, created_at, body
                FROM projection_snapshots WHERE audience = \(audience.rawValue) AND detail = \(detail.rawValue) ORDER BY part
                """, logger: self.logger)
            var parts: [ProjectionSnapshot] = []
            for try await (seq, hash, recordedAt, root, format, createdAt, body) in rows.decode((Int64, String, String?, String, Int, Int64, ByteBuffer).self) {
                parts.append(ProjectionSnapshot(audience: audience, detail: detail, head: ChainHead(seq: seq, hash: hash, recordedAt: recordedAt), merkleRoot: root,
                                                format: format, createdAt: createdAt, body: Data(body.readableBytesView)))
            }
            return ProjectionSnapshot.joined(parts)
        }
    }

    public func saveSnapshot(_ snapshot: ProjectionSnapshot) async throws {
        try await run("keep the snapshot") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    try await Self.execute("""
                        DELETE FROM projection_snapshots WHERE audience = \(snapshot.audience.rawValue) AND detail = \(snapshot.detail.rawValue)
                        """, on: connection, logger: self.logger)
                    for (part, body) in snapshot.parts().enumerated() {
                        try await Self.execute("""
                            INSERT INTO projection_snapshots (audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body)
                            VALUES (\(snapshot.audience.rawValue), \(snapshot.detail.rawValue), \(part), \(snapshot.head.seq), \(snapshot.head.hash), \(snapshot.head.recordedAt),
                                    \(snapshot.merkleRoot), \(snapshot.format), \(snapshot.createdAt), \(ByteBuffer(bytes: body)))
                            """, on: connection, logger: self.logger)
                    }
                }
            }
        }
    }
}
