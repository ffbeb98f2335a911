import Crypto
import Foundation
import Ledger

extension APIToken {
    /// What every new secret starts with, so a leaked one is recognisable in logs and scanners.
    public static let prefix = "ldg_"

    package static func nameTaken(_ name: String) -> LedgerError {
        LedgerError(field: "token", "\(name) already has a live token", remedy: .revokeToken(name: name))
    }

    /// Hex SHA-256 of a secret. Secrets are 256 random bits, so a fast hash is enough: there
    /// is nothing to guess from it.
    public static func digest(of secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new secret: the prefix and 32 random bytes, base64url.
    static func newSecret() -> String { prefix + SecretToken.new() }

    /// Compares every byte whatever the first difference, so the time taken says nothing
    /// about how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

extension Ledger {
    /// Creates a token for `name` and returns its secret: the only time it is seen, since
    /// only its digest is stored.
    public func addToken(name: String) async throws -> String {
        try EntryValidator.checkText(name, field: "NAME", maxLength: TextLimits.author, multiline: false)
        let secret = APIToken.newSecret()
        try await accounts.addToken(name: name, digest: APIToken.digest(of: secret))
        return secret
    }

    public func revokeToken(name: String) async throws {
        guard try await accounts.revokeToken(name: name) else {
            throw LedgerError(kind: .notFound, field: "token", "\(name) has no live token", remedy: .listTokens)
        }
    }

    /// The name of the live token with this secret, or nil. Every live token is compared in
    /// full, so neither a match's position nor a near miss shows in the time taken.
    public func tokenName(forSecret secret: String) async throws -> String? {
        let digest = APIToken.digest(of: secret)
        var name: String?
        for token in try await accounts.tokens() where token.isLive {
            if APIToken.constantTimeEqual(token.digest, digest) { name = token.name }
        }
        return name
    }
}

/// A bearer token of the write API, as stored: its name (the author of what it writes) and
/// the SHA-256 of the secret, never the secret itself.
public struct APIToken: Sendable, Hashable, Codable {
    public var name: String
    public var digest: String
    public var createdAt: String
    public var revokedAt: String?

    public init(name: String, digest: String, createdAt: String, revokedAt: String?) {
        self.name = name
        self.digest = digest
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isLive: Bool { revokedAt == nil }
}
