import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// The outbox: mail to send and webhooks to deliver, with their attempts.
extension PostgresLedgerStore {

    func mail(_ query: PostgresQuery) async throws -> [MailDelivery] {
        try await run("read the outbox") {
            var deliveries: [MailDelivery] = []
            let rows = try await self.client.query(query, logger: self.logger)
            for try await row in rows { deliveries.append(try StoredRows.mail(PostgresStoredRow(row))) }
            return deliveries
        }
    }

    public func addMailDelivery(_ delivery: MailDelivery) async throws -> Bool {
        try await run("keep the message") {
            let rows = try await self.client.query("""
                INSERT INTO mail_deliveries (\(unescaped: ColumnLists.mail))
                VALUES (\(delivery.key), \(delivery.member), \(delivery.message), \(delivery.createdAt), \(delivery.sentAt), \(delivery.attempts),
                        \(delivery.nextAttemptAt), \(delivery.lastError))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """, logger: self.logger)
            var added = false
            for try await _ in rows { added = true }
            return added
        }
    }

    public func dueMailDeliveries(at now: Int64) async throws -> [MailDelivery] {
        try await mail("SELECT \(unescaped: ColumnLists.mail) FROM mail_deliveries WHERE sent_at IS NULL AND next_attempt_at <= \(now) ORDER BY created_at, key")
    }

    public func mailDeliveries(member: String, limit: Int) async throws -> [MailDelivery] {
        try await mail("SELECT \(unescaped: ColumnLists.mail) FROM mail_deliveries WHERE member = \(member) ORDER BY created_at DESC, key LIMIT \(limit)")
    }

    public func saveMailAttempt(_ delivery: MailDelivery) async throws {
        try await execute("update the message", """
            UPDATE mail_deliveries SET sent_at = \(delivery.sentAt), attempts = \(delivery.attempts), next_attempt_at = \(delivery.nextAttemptAt),
                last_error = \(delivery.lastError) WHERE key = \(delivery.key) AND sent_at IS NULL
            """)
    }

    public func addWebhook(_ hook: Webhook) async throws -> Webhook {
        try await run("add the webhook") {
            let rows = try await self.client.query("""
                INSERT INTO webhooks (url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private)
                VALUES (\(hook.url), \(hook.secret), \(hook.publicOnly), \(hook.createdAt), \(hook.removedAt), \(hook.deliveredSeq), \(hook.attempts),
                        \(hook.nextAttemptAt), \(hook.lastError), \(hook.allowPrivate))
                RETURNING id
                """, logger: self.logger)
            var added = hook
            for try await id in rows.decode(Int64.self) { added.id = id }
            return added
        }
    }

    public func webhooks() async throws -> [Webhook] {
        try await run("read the webhooks") {
            var hooks: [Webhook] = []
            let rows = try await self.client.query(
                "SELECT \(unescaped: ColumnLists.webhook) FROM webhooks ORDER BY id",
                logger: self.logger)
            for try await row in rows { hooks.append(try StoredRows.webhook(PostgresStoredRow(row))) }
            return hooks
        }
    }

    public func removeWebhook(id: Int64, at: Int64) async throws -> Bool {
        try await run("remove the webhook") {
            let rows = try await self.client.query("UPDATE webhooks SET removed_at = \(at) WHERE id = \(id) AND removed_at IS NULL RETURNING id", logger: self.logger)
            var removed = false
            for try await _ in rows { removed = true }
            return removed
        }
    }

    public func saveWebhookProgress(_ hook: Webhook) async throws {
        try await execute("update the webhook", """
            UPDATE webhooks SET delivered_seq = \(hook.deliveredSeq), attempts = \(hook.attempts), next_attempt_at = \(hook.nextAttemptAt),
                last_error = \(hook.lastError) WHERE id = \(hook.id) AND removed_at IS NULL AND delivered_seq <= \(hook.deliveredSeq)
            """)
    }

    public func addWebhookDelivery(_ delivery: WebhookDelivery) async throws {
        try await execute("log the delivery", """
            INSERT INTO webhook_deliveries (hook_id, seq, at, status, error)
            VALUES (\(delivery.hookID), \(delivery.seq), \(delivery.at), \(delivery.status), \(delivery.error))
            """)
    }

    public func webhookDeliveries(hookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await run("read the deliveries") {
            var deliveries: [WebhookDelivery] = []
            let rows = try await self.client.query(
                "SELECT hook_id, seq, at, status, error FROM webhook_deliveries WHERE hook_id = \(hookID) ORDER BY at DESC, ctid DESC LIMIT \(limit)",
                logger: self.logger)
            for try await (hook, seq, at, status, error) in rows.decode((Int64, Int64, Int64, Int?, String?).self) {
                deliveries.append(WebhookDelivery(hookID: hook, seq: seq, at: at, status: status, error: error))
            }
            return deliveries
        }
    }
}
