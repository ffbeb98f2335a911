import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// The write API's bearer tokens (their digests).
extension PostgresLedgerStore {
    public func addToken(name: String, digest: String) async throws {
        do {
            _ = try await client.query("INSERT INTO api_tokens (name, digest) VALUES (\(name), \(digest))", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] == "api_tokens_live_name" {
            throw APIToken.nameTaken(name)
        } catch {
            throw Self.storageError(error, doing: "add the token")
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await run("read the tokens") {
            var tokens: [APIToken] = []
            let rows = try await self.client.query("""
                SELECT name, digest, \(unescaped: Self.utcText("created_at")), \(unescaped: Self.utcText("revoked_at"))
                FROM api_tokens ORDER BY id
                """, logger: self.logger)
            for try await (name, digest, createdAt, revokedAt) in rows.decode((String, String, String, String?).self) {
                tokens.append(APIToken(name: name, digest: digest, createdAt: createdAt, revokedAt: revokedAt))
            }
            return tokens
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        try await run("revoke the token") {
            let rows = try await self.client.query(
                "UPDATE api_tokens SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id", logger: self.logger)
            for try await _ in rows { return true }
            return false
        }
    }
}
