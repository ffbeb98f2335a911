import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// The write API's bearer tokens (their digests).
extension SQLiteLedgerStore {
    public func addToken(name: String, digest: String) async throws {
        let pool = try writingPool("add the token")
        try await run("add the token") {
            try await pool.write { db in
                // Looked up in the same write transaction, so no other writer gets in between:
                // SQLite names the broken index only in its message text, which is not an API.
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name]) != nil {
                    throw APIToken.nameTaken(name)
                }
                try db.execute(sql: "INSERT INTO api_tokens (name, digest, created_at) VALUES (?, ?, ?)",
                               arguments: [name, digest, RecordedAt.string(from: Date())])
            }
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await run("read the tokens") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT name, digest, created_at, revoked_at FROM api_tokens ORDER BY id").map {
                    APIToken(name: $0[0], digest: $0[1], createdAt: $0[2], revokedAt: $0[3])
                }
            }
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        let pool = try writingPool("revoke the token")
        return try await run("revoke the token") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                               arguments: [RecordedAt.string(from: Date()), name])
                return db.changesCount > 0
            }
        }
    }
}
