import Foundation
import GRDB
import LedgerTestSupport
import PostgresNIO
import Testing
@testable import Ledger
import LedgerStores
import LedgerPostgres
@testable import LedgerTeam

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

        let stored = try await ledger.accounts.tokens()
        #expect(stored.map(\.name) == ["maria"])
        #expect(stored[0].digest == APIToken.digest(of: secret) && stored[0].digest != secret, "only the digest is kept")
        #expect(RecordedAt.isValid(stored[0].createdAt))

        await #expect(throws: LedgerError.self) { _ = try await ledger.addToken(name: "maria") }
        await #expect(throws: LedgerError.self) { _ = try await ledger.addToken(name: "line\nbreak") }
        #expect(try await ledger.accounts.tokens().count == 1, "a refused token leaves nothing behind")

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
        let all = try await ledger.accounts.tokens()
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
}
