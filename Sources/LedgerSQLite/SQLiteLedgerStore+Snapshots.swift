import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// Snapshots of the fold, a cache beside the chain.
extension SQLiteLedgerStore {
    public func snapshot(audience: Visibility, detail: LedgerRecords.Detail) async throws -> ProjectionSnapshot? {
        try await run("read the snapshot") {
            try await self.reader.read { db in
                ProjectionSnapshot.joined(try Row.fetchAll(db, sql: """
                    SELECT seq, head_hash, head_recorded_at, merkle_root, format, created_at, body
                    FROM projection_snapshots WHERE audience = ? AND detail = ? ORDER BY part
                    """, arguments: [audience.rawValue, detail.rawValue]).map {
                    ProjectionSnapshot(audience: audience, detail: detail, head: ChainHead(seq: $0[0], hash: $0[1], recordedAt: $0[2]), merkleRoot: $0[3],
                                       format: $0[4], createdAt: $0[5], body: $0[6])
                })
            }
        }
    }

    public func saveSnapshot(_ snapshot: ProjectionSnapshot) async throws {
        try await writeTeam("keep the snapshot") { db in
            try db.execute(sql: "DELETE FROM projection_snapshots WHERE audience = ? AND detail = ?",
                           arguments: [snapshot.audience.rawValue, snapshot.detail.rawValue])
            let insert = try db.makeStatement(sql: """
                INSERT INTO projection_snapshots (audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (part, body) in snapshot.parts().enumerated() {
                try insert.execute(arguments: [snapshot.audience.rawValue, snapshot.detail.rawValue, part, snapshot.head.seq, snapshot.head.hash, snapshot.head.recordedAt,
                                               snapshot.merkleRoot, snapshot.format, snapshot.createdAt, body])
            }
        }
    }
}
