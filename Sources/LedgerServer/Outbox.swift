import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Logging
import Reports
import ServiceLifecycle
import Workspace

/// What the server sends out: the team's reminder mail through the machine's `sendmail`,
/// and every new entry to the webhooks. Both keep their state in the ledger's database, so
/// a restart never sends anything twice, and a failure is retried with backoff.
public struct Outbox: Sendable {
    public let ledger: Ledger
    /// Absolute, no trailing slash: the links in mail point here.
    public let baseURL: String
    /// `sendmail` (Postfix's, msmtp's, …): nil sends no mail.
    public let sendmail: String?
    public let from: String
    public let logger: Logger

    public init(ledger: Ledger, baseURL: String, sendmail: String?, from: String? = nil, logger: Logger) {
        self.ledger = ledger
        self.baseURL = baseURL
        self.sendmail = sendmail
        self.from = from ?? "ledger@\(URL(string: baseURL)?.host ?? "localhost")"
        self.logger = logger
    }

    public struct MailPass: Sendable, Equatable {
        public var made = 0, sent = 0, failed = 0
    }

    /// Makes the messages due today (each once, ever) and sends every one that is due.
    @discardableResult
    public func sendMail(now: Date = Date()) async throws -> MailPass {
        var pass = MailPass()
        guard let sendmail else { return pass }
        let seconds = Int64(now.timeIntervalSince1970)
        // Nobody asked for mail and nothing waits: no pass over the ledger.
        let people = try await ledger.store.members()
        if !people.contains(where: { $0.notifyWeekly || $0.notifyOverdue }), try await ledger.store.dueMailDeliveries(at: seconds).isEmpty {
            return pass
        }
        let records = try await ledger.records()
        let today = CalendarDay(now)
        let state = LedgerState(records: records, asOf: today)
        let organisation = MonthlyReport.defaultOrganisation(state: state, language: .en)
        for message in Reminders.due(state: state, latest: records.records.suffix(10).reversed(), members: people, today: today, now: now, from: from,
                                     baseURL: baseURL, organisation: organisation) {
            let kept = MailDelivery(key: message.key, member: message.member, message: message.text, createdAt: seconds, nextAttemptAt: seconds)
            if try await ledger.store.addMailDelivery(kept) { pass.made += 1 }
        }
        let members = Dictionary(people.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for var delivery in try await ledger.store.dueMailDeliveries(at: seconds) {
            guard let address = members[delivery.member]?.email else { continue }
            delivery.attempts += 1
            do {
                try await Self.run(sendmail, to: address, message: delivery.message)
                delivery.sentAt = seconds
                delivery.lastError = nil
                pass.sent += 1
                logger.info("mail sent", metadata: ["key": "\(delivery.key)", "to": "\(delivery.member)"])
            } catch {
                delivery.lastError = "\(error)"
                delivery.nextAttemptAt = seconds + Backoff.delay(afterAttempts: delivery.attempts - 1)
                pass.failed += 1
                logger.warning("mail not sent; will retry", metadata: ["key": "\(delivery.key)", "attempts": "\(delivery.attempts)", "error": "\(error)"])
            }
            try await ledger.store.saveMailDelivery(delivery)
        }
        return pass
    }

    struct SendmailFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// `sendmail -i -- ADDRESS` with the message on standard input, as every mail server's
    /// sendmail (Postfix, Exim, msmtp) takes it: local line ends (LF).
    static func run(_ sendmail: String, to address: String, message: String) async throws {
        try await Task.detached {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sendmail)
            process.arguments = ["-i", "--", address]
            let input = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            do {
                try process.run()
            } catch {
                throw SendmailFailure(description: "cannot run \(sendmail): \(error.localizedDescription)")
            }
            // A sendmail that exits without reading (a relay it cannot reach) closes the pipe:
            // its exit status and what it said are the failure to report, not the pipe.
            try? input.fileHandleForWriting.write(contentsOf: Data(message.replacingOccurrences(of: "\r\n", with: "\n").utf8))
            try? input.fileHandleForWriting.close()
            let said = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = String(decoding: said, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw SendmailFailure(description: "\(sendmail) exited with status \(process.terminationStatus)" + (text.isEmpty ? "" : ": \(text.prefix(300))"))
            }
        }.value
    }

    // MARK: Webhooks

    public struct HookPass: Sendable, Equatable {
        public var delivered = 0, failed = 0
    }

    /// The header a receiver checks: HMAC-SHA256 of the body with the hook's secret, in hex.
    public static let signatureHeader = "X-Ledger-Signature"

    public static func signature(of body: Data, secret: String) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    /// Sends each active hook the entries after the last it took, in order, one at a time:
    /// an entry it refuses (or a receiver that does not answer) stops that hook until its
    /// next attempt, later by a growing delay.
    @discardableResult
    public func deliverWebhooks(now: Date = Date(), batch: Int = 100) async throws -> HookPass {
        var pass = HookPass()
        let seconds = Int64(now.timeIntervalSince1970)
        for var hook in try await ledger.store.webhooks() where hook.isActive && hook.nextAttemptAt <= seconds {
            let rows = try await ledger.store.rows(after: hook.deliveredSeq, limit: batch)
            for row in rows {
                if hook.publicOnly && row.visibility != Visibility.public.rawValue {
                    hook.deliveredSeq = row.seq  // never sent; nothing of it leaves
                    continue
                }
                var line: [UInt8] = []
                row.appendExchangeLine(to: &line)
                let body = Data(line)
                var request = URLRequest(url: URL(string: hook.url)!, timeoutInterval: 15)
                request.httpMethod = "POST"
                request.httpBody = body
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.setValue(Self.signature(of: body, secret: hook.secret), forHTTPHeaderField: Self.signatureHeader)
                request.setValue(String(row.seq), forHTTPHeaderField: "X-Ledger-Seq")
                var status: Int?
                var failure: String?
                do {
                    let (_, response) = try await URLSession.shared.data(for: request)
                    status = (response as? HTTPURLResponse)?.statusCode
                    if !(200..<300).contains(status ?? 0) { failure = "the receiver answered \(status.map(String.init) ?? "nothing")" }
                } catch {
                    failure = error.localizedDescription
                }
                try await ledger.store.addWebhookDelivery(WebhookDelivery(hookID: hook.id, seq: row.seq, at: seconds, status: status,
                                                                          error: status == nil ? failure : nil))
                if let failure {
                    hook.attempts += 1
                    hook.nextAttemptAt = seconds + Backoff.delay(afterAttempts: hook.attempts - 1)
                    hook.lastError = failure
                    pass.failed += 1
                    logger.warning("webhook delivery failed; will retry", metadata: ["hook": "\(hook.id)", "seq": "\(row.seq)", "error": "\(failure)"])
                    break
                }
                hook.deliveredSeq = row.seq
                hook.attempts = 0
                hook.nextAttemptAt = 0
                hook.lastError = nil
                pass.delivered += 1
            }
            try await ledger.store.saveWebhook(hook)
        }
        return pass
    }
}

/// `serve`'s outbox: webhooks every `interval`, mail once a minute.
struct OutboxService: Service {
    let outbox: Outbox
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let mailEvery = max(1, Int(60 / max(1, interval.components.seconds)))
        let round = LockedCounter()
        await repeatUntilShutdown(logger: logger, failure: "the outbox could not send", level: .error, retryAfter: interval) {
            try await outbox.deliverWebhooks()
            if round.next() % mailEvery == 0 { try await outbox.sendMail() }
            try await Task.sleep(for: interval)
        }
    }
}

/// A counter the outbox's loop keeps between rounds.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
