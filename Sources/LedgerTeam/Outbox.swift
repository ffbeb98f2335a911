import Foundation
import Ledger

/// A message the server sends by mail (a weekly digest, an overdue notice), as stored: the
/// key says what it is for whom (`weekly:2026-11-23:maria`), so it is made once whatever
/// restarts; the message is kept as it will be sent, so a retry sends the same bytes.
public struct MailDelivery: Sendable, Hashable, Codable {
    public var key: String
    public var member: String
    public var message: String
    public var createdAt: Int64
    public var sentAt: Int64?
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?

    public init(key: String, member: String, message: String, createdAt: Int64, sentAt: Int64? = nil, attempts: Int = 0,
                nextAttemptAt: Int64, lastError: String? = nil) {
        (self.key, self.member, self.message, self.createdAt, self.sentAt) = (key, member, message, createdAt, sentAt)
        (self.attempts, self.nextAttemptAt, self.lastError) = (attempts, nextAttemptAt, lastError)
    }
}

/// A URL every new entry is POSTed to (a newsroom's system, a chat tool), signed with its
/// secret. Entries go in seq order: `deliveredSeq` is the last one it took.
public struct Webhook: Sendable, Hashable, Codable {
    public var id: Int64
    public var url: String
    /// The HMAC-SHA256 key, shared with the receiver; kept as is, since signing needs it.
    public var secret: String
    /// Internal entries are never sent to such a hook.
    public var publicOnly: Bool
    /// It may go to a loopback or private address (an in-house receiver), as its adder said.
    public var allowPrivate = false
    public var createdAt: Int64
    public var removedAt: Int64?
    public var deliveredSeq: Int64
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?

    public init(id: Int64 = 0, url: String, secret: String, publicOnly: Bool, createdAt: Int64, removedAt: Int64? = nil, deliveredSeq: Int64,
                attempts: Int = 0, nextAttemptAt: Int64 = 0, lastError: String? = nil) {
        (self.id, self.url, self.secret, self.publicOnly, self.createdAt, self.removedAt) = (id, url, secret, publicOnly, createdAt, removedAt)
        (self.deliveredSeq, self.attempts, self.nextAttemptAt, self.lastError) = (deliveredSeq, attempts, nextAttemptAt, lastError)
    }

    public var isActive: Bool { removedAt == nil }

    /// The URL as `webhook list` and the workspace show it: never a user name or password
    /// (none can be added now; a hook added before may hold one).
    public var shownURL: String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        (components.user, components.password) = (nil, nil)
        return components.string ?? url
    }
}

/// One attempt to deliver an entry to a webhook: the log the workspace shows.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    public var hookID: Int64
    public var seq: Int64
    public var at: Int64
    /// The receiver's HTTP status; nil when it did not answer.
    public var status: Int?
    public var error: String?

    public init(hookID: Int64, seq: Int64, at: Int64, status: Int?, error: String?) {
        (self.hookID, self.seq, self.at, self.status, self.error) = (hookID, seq, at, status, error)
    }

    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// How long to wait before the next attempt after `attempts` failures: 30 s doubling to
/// at most 6 hours, so a receiver that is down for a day is not hammered.
public enum Backoff {
    public static func delay(afterAttempts attempts: Int) -> Int64 {
        min(30 << min(attempts, 20), 6 * 3_600)
    }
}

extension Ledger {
    /// Adds a webhook; it receives the entries written from now on. Returns it with its secret.
    /// The caller has checked where the URL's name resolves (`WebhookTarget` in the server).
    public func addWebhook(url: String, publicOnly: Bool, allowPrivate: Bool = false) async throws -> Webhook {
        try EntryValidator.checkURL(url, field: "URL")
        let head = try await store.head()
        var hook = Webhook(url: url, secret: SecretToken.new(), publicOnly: publicOnly, createdAt: Self.now(), deliveredSeq: head.seq)
        hook.allowPrivate = allowPrivate
        return try await accounts.addWebhook(hook)
    }

    public func removeWebhook(id: Int64) async throws {
        guard try await accounts.removeWebhook(id: id, at: Self.now()) else {
            throw LedgerError(kind: .notFound, field: "ID", "no webhook \(id) (see `ledgerctl webhook list`)")
        }
    }
}
