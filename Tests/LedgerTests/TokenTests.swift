import Foundation
import GRDB
import LedgerTestSupport
import PostgresNIO
import Testing
@testable import Ledger
import LedgerStores
import LedgerPostgres

/// The write API's tokens, on both stores: only digests are kept, one live token per name,
/// revoked for good, and the database refuses to delete or rewrite one.
@Suite("API tokens")
struct TokenTests {
    @Test(arguments: StoreKind.allCases)
    func aTokenWorksUntilRevoked(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        let secret = try await ledger.addToken(name: "maria")
        #expect(secret.hasPrefix(APIToken.prefix) && secret.count == APIToken.prefix.count + 43)
        #expect(try await ledger.tokenName(forSecret: secret) == "maria")
        #expect(try await ledger.tokenName(forSecret: secret + "x") == nil)
        #expect(try await ledger.tokenName(forSecret: "") == nil)

        let stored = try await ledger.store.tokens()
        #expect(stored.map(\.name) == ["maria"])
        #expect(stored[0].digest == APIToken.digest(of: secret) && stored[0].digest != secret, "only the digest is kept")
        #expect(RecordedAt.isValid(stored[0].createdAt))

        await #expect(throws: LedgerError.self) { _ = try await ledger.addToken(name: "maria") }
        await #expect(throws: LedgerError.self) { _ = try await ledger.addToken(name: "line\nbreak") }
        #expect(try await ledger.store.tokens().count == 1, "a refused token leaves nothing behind")

        let other = try await ledger.addToken(name: "newsroom-importer")
        #expect(other != secret)
        try await ledger.revokeToken(name: "maria")
        #expect(try await ledger.tokenName(forSecret: secret) == nil)
        #expect(try await ledger.tokenName(forSecret: other) == "newsroom-importer")
        let error = await #expect(throws: LedgerError.self) { try await ledger.revokeToken(name: "maria") }
        #expect(error?.kind == .notFound)

        // A name can have a new token once the old one is revoked; the old one stays revoked.
        let renewed = try await ledger.addToken(name: "maria")
        #expect(try await ledger.tokenName(forSecret: renewed) == "maria")
        #expect(try await ledger.tokenName(forSecret: secret) == nil)
        let all = try await ledger.store.tokens()
        #expect(all.map(\.name) == ["maria", "newsroom-importer", "maria"])
        #expect(all.map(\.isLive) == [false, true, true])
        await ledger.close()
    }

    @Test func theComparisonIsWholeAndExact() {
        #expect(APIToken.constantTimeEqual("abc", "abc"))
        #expect(!APIToken.constantTimeEqual("abc", "abd"))
        #expect(!APIToken.constantTimeEqual("abc", "ab"))
        #expect(!APIToken.constantTimeEqual("", "a"))
    }

    @Test func sqliteRefusesToDeleteOrRewriteATokenRow() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await Ledger.open(.sqlite(path: directory.path("tokens.sqlite")), create: true)
        _ = try await ledger.addToken(name: "maria")
        let queue = try DatabaseQueue(path: directory.path("tokens.sqlite"))
        for sql in ["DELETE FROM api_tokens", "UPDATE api_tokens SET digest = '\(String(repeating: "0", count: 64))'",
                    "UPDATE api_tokens SET name = 'someone-else'"] {
            #expect(throws: DatabaseError.self, "\(sql)") { try queue.write { try $0.execute(sql: sql) } }
        }
        try await ledger.revokeToken(name: "maria")
        #expect(throws: DatabaseError.self, "a revocation is final") {
            try queue.write { try $0.execute(sql: "UPDATE api_tokens SET revoked_at = NULL") }
        }
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, Comment(rawValue: PostgresTestServer.skipMessage)))
    func postgresRefusesToDeleteOrRewriteATokenRow() async throws {
        let directory = try TemporaryDirectory()
        let url = try await directory.postgresDatabase()
        let ledger = try await Ledger.open(.postgres(url: url), create: true)
        _ = try await ledger.addToken(name: "maria")
        let name = try #require(URLComponents(string: url)?.path.dropFirst()).description
        try await PostgresTestServer.withAdminConnection(database: name) { connection in
            for sql in ["DELETE FROM api_tokens", "TRUNCATE api_tokens", "UPDATE api_tokens SET name = 'someone-else'",
                        "UPDATE api_tokens SET revoked_at = now(), digest = '\(String(repeating: "0", count: 64))'"] {
                let error = await #expect(throws: PSQLError.self, "\(sql)") {
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Ledger.silentLogger)
                }
                #expect(error?.serverInfo?[.sqlState] == "23001", "\(sql)")
            }
        }
        await ledger.close()
    }
}
