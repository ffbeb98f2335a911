import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// The outbox: mail to send and webhooks to deliver, with their attempts.
extension SQLiteLedgerStore {


    public func addMailDelivery(_ delivery: MailDelivery) async throws -> Bool {
        try await writeTeam("keep the message") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO mail_deliveries (\(ColumnLists.mail)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [delivery.key, delivery.member, delivery.message, delivery.createdAt, delivery.sentAt, delivery.attempts,
                                       delivery.nextAttemptAt, delivery.lastError])
            return db.changesCount > 0
        }
    }

    public func dueMailDeliveries(at now: Int64) async throws -> [MailDelivery] {
        try await run("read the outbox") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(ColumnLists.mail) FROM mail_deliveries WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY created_at, key",
                                 arguments: [now]).map { try StoredRows.mail($0) }
            }
        }
    }

    public func mailDeliveries(member: String, limit: Int) async throws -> [MailDelivery] {
        try await run("read the outbox") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(ColumnLists.mail) FROM mail_deliveries WHERE member = ? ORDER BY created_at DESC, key LIMIT ?",
                                 arguments: [member, limit]).map { try StoredRows.mail($0) }
            }
        }
    }

    public func saveMailAttempt(_ delivery: MailDelivery) async throws {
        try await writeTeam("update the message") { db in
            try db.execute(sql: "UPDATE mail_deliveries SET sent_at = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE key = ? AND sent_at IS NULL",
                           arguments: [delivery.sentAt, delivery.attempts, delivery.nextAttemptAt, delivery.lastError, delivery.key])
        }
    }


    public func addWebhook(_ hook: Webhook) async throws -> Webhook {
        try await writeTeam("add the webhook") { db in
            try db.execute(sql: "INSERT INTO webhooks (url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [hook.url, hook.secret, hook.publicOnly, hook.createdAt, hook.removedAt, hook.deliveredSeq, hook.attempts,
                                       hook.nextAttemptAt, hook.lastError, hook.allowPrivate])
            var added = hook
            added.id = db.lastInsertedRowID
            return added
        }
    }

    public func webhooks() async throws -> [Webhook] {
        try await run("read the webhooks") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(ColumnLists.webhook) FROM webhooks ORDER BY id").map { try StoredRows.webhook($0) }
            }
        }
    }

    public func removeWebhook(id: Int64, at: Int64) async throws -> Bool {
        try await writeTeam("remove the webhook") { db in
            try db.execute(sql: "UPDATE webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL", arguments: [at, id])
            return db.changesCount > 0
        }
    }

    public func saveWebhookProgress(_ hook: Webhook) async throws {
        try await writeTeam("update the webhook") { db in
            try db.execute(sql: """
                UPDATE webhooks SET delivered_seq = ?, attempts = ?, next_attempt_at = ?, last_error = ?
                WHERE id = ? AND removed_at IS NULL AND delivered_seq <= ?
                """, arguments: [hook.deliveredSeq, hook.attempts, hook.nextAttemptAt, hook.lastError, hook.id, hook.deliveredSeq])
        }
    }

    public func addWebhookDelivery(_ delivery: WebhookDelivery) async throws {
        try await writeTeam("log the delivery") { db in
            try db.execute(sql: "INSERT INTO webhook_deliveries (hook_id, seq, at, status, error) VALUES (?, ?, ?, ?, ?)",
                           arguments: [delivery.hookID, delivery.seq, delivery.at, delivery.status, delivery.error])
        }
    }

    public func webhookDeliveries(hookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await run("read the deliveries") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT hook_id, seq, at, status, error FROM webhook_deliveries WHERE hook_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
                                 arguments: [hookID, limit]).map {
                    WebhookDelivery(hookID: $0[0], seq: $0[1], at: $0[2], status: $0[3], error: $0[4])
                }
            }
        }
    }
}
