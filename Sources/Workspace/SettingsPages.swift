import Foundation
import Ledger
import Reports
import LedgerTeam

// MARK: One's own settings, and the webhooks (admins)

extension WorkspacePages {
    struct MailRow { let subject: String; let state: String; let at: String }
    struct SettingsView {
        let frame: Frame; let csrf: String; let email: String?; let weekly: Bool; let overdue: Bool; let languages: [Option]
        let calendarURL: String?; let hasCalendar: Bool; let notice: String?; let error: String?; let mail: [MailRow]; let hasMail: Bool
    }

    /// `/team/settings`: the mail one gets (weekly digest, overdue notices, language) and
    /// one's secret calendar address (shown once when made; reset makes a new one).
    public func settingsPage(member: TeamMember, mail: [MailDelivery], person: Person, calendarURL: String? = nil,
                             notice: String? = nil, error: String? = nil) -> String {
        let rows = mail.map { delivery in
            MailRow(subject: Reminders.describe(key: delivery.key, language: language),
                    state: delivery.sentAt != nil ? word("mailSent") : delivery.lastError.map { "\(word("mailRetrying")): \($0)" } ?? word("mailWaiting"),
                    at: Self.time(delivery.sentAt ?? delivery.createdAt))
        }
        return render("team-settings", SettingsView(
            frame: frame(word("settings"), person: person, section: "settings"), csrf: person.csrfToken, email: member.email,
            weekly: member.notifyWeekly, overdue: member.notifyOverdue,
            languages: [Option(value: "en", text: "English", selected: member.language == "en"), Option(value: "es", text: "Español", selected: member.language == "es")],
            calendarURL: calendarURL, hasCalendar: member.calendarDigest != nil, notice: notice.map(word), error: error,
            mail: rows, hasMail: !rows.isEmpty))
    }

    static func time(_ seconds: Int64) -> String {
        String(RecordedAt.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))).prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    struct HookRow { let id: Int64; let url: String; let publicOnly: Bool; let active: Bool; let deliveredSeq: Int64; let lastError: String?; let deliveries: [DeliveryRow]; let hasDeliveries: Bool }
    struct DeliveryRow { let seq: Int64; let at: String; let outcome: String; let ok: Bool }
    struct WebhooksView { let frame: Frame; let csrf: String; let hooks: [HookRow]; let hasHooks: Bool; let secret: Secret?; let error: String? }

    /// `/team/webhooks`, for admins: each webhook with its latest deliveries; add and remove.
    public func webhooksPage(hooks: [(Webhook, [WebhookDelivery])], person: Person, newSecret: (url: String, secret: String)? = nil, error: String? = nil) -> String {
        let rows = hooks.map { hook, deliveries in
            let shown = deliveries.map { delivery in
                DeliveryRow(seq: delivery.seq, at: Self.time(delivery.at),
                            outcome: delivery.status.map { "HTTP \($0)" } ?? (delivery.error ?? ""), ok: delivery.succeeded)
            }
            return HookRow(id: hook.id, url: hook.shownURL, publicOnly: hook.publicOnly, active: hook.isActive, deliveredSeq: hook.deliveredSeq,
                           lastError: hook.lastError, deliveries: shown, hasDeliveries: !shown.isEmpty)
        }
        return render("team-webhooks", WebhooksView(
            frame: frame(word("webhooks"), person: person, section: "webhooks"), csrf: person.csrfToken, hooks: rows, hasHooks: !rows.isEmpty,
            secret: newSecret.map { Secret(heading: "\(word("webhookSecretFor")) \($0.url)", value: $0.secret, help: word("webhookSecretHelp")) },
            error: error))
    }
}
