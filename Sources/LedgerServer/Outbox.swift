import AsyncHTTPClient
import Crypto
import Foundation
import Ledger
import Logging
import NIOCore
import NIOHTTP1
import Reports
import ServiceLifecycle
import Synchronization
import Workspace
import LedgerTeam

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
        let people = try await ledger.accounts.members()
        if !people.contains(where: { $0.notifyWeekly || $0.notifyOverdue }), try await ledger.accounts.dueMailDeliveries(at: seconds).isEmpty {
            return pass
        }
        let records = try await ledger.records()
        let today = CalendarDay(now)
        let state = LedgerState(records: records, asOf: today)
        let organisation = MonthlyReport.defaultOrganisation(state: state, language: .en)
        for message in Reminders.due(state: state, latest: records.records.suffix(10).reversed(), members: people, today: today, now: now, from: from,
                                     baseURL: baseURL, organisation: organisation) {
            let kept = MailDelivery(key: message.key, member: message.member, message: message.text, createdAt: seconds, nextAttemptAt: seconds)
            if try await ledger.accounts.addMailDelivery(kept) { pass.made += 1 }
        }
        let members = Dictionary(people.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for var delivery in try await ledger.accounts.dueMailDeliveries(at: seconds) {
            guard let address = members[delivery.member]?.email else { continue }
            delivery.attempts += 1
            do {
                // An address kept before addresses were checked could name a second recipient.
                try Ledger.checkEmail(address)
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
            try await ledger.accounts.saveMailAttempt(delivery)
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

    /// How long one delivery may take in all (connecting, sending, the answer), and how
    /// much of the answer is read: a receiver that drips or floods holds nothing for long.
    public static let deliveryDeadline: Duration = .seconds(15)
    public static let answerLimit = 64 << 10

    /// Sends each due hook the entries after the last it took, every hook on its own (one
    /// slow receiver holds up no other), and returns when all are done.
    @discardableResult
    public func deliverWebhooks(now: Date = Date(), batch: Int = 100) async throws -> HookPass {
        let seconds = Int64(now.timeIntervalSince1970)
        let due = try await ledger.accounts.webhooks().filter { $0.isActive && $0.nextAttemptAt <= seconds }
        return try await withThrowingTaskGroup(of: HookPass.self) { group in
            for hook in due { group.addTask { try await deliver(to: hook, now: seconds, batch: batch) } }
            var pass = HookPass()
            for try await one in group { (pass.delivered, pass.failed) = (pass.delivered + one.delivered, pass.failed + one.failed) }
            return pass
        }
    }

    /// Sends one hook its entries in order, one at a time: an entry it refuses (or a receiver
    /// that does not answer in time, or answers with a redirect) stops the hook until its
    /// next attempt, later by a growing delay. The hook is read again before each entry, so
    /// one removed meanwhile gets nothing more; where its name resolves is checked once per
    /// pass, and the pass connects only to the address checked.
    public func deliver(to hook: Webhook, now seconds: Int64, batch: Int = 100) async throws -> HookPass {
        var pass = HookPass()
        var hook = hook
        let rows = try await ledger.store.rows(after: hook.deliveredSeq, limit: batch)
        guard !rows.isEmpty else { return pass }
        var client: HTTPClient?
        var refusal: String?
        do {
            let target = try await WebhookTarget.check(hook.url, allowPrivate: hook.allowPrivate)
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
            configuration.dnsOverride = [target.host: target.address]
            client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        } catch let error as LedgerError {
            refusal = error.message
        }
        do {
            try await send(rows, to: &hook, refusal: refusal, client: client, now: seconds, pass: &pass)
        } catch {
            try? await client?.shutdown()
            throw error
        }
        try? await client?.shutdown()
        return pass
    }

    private func send(_ rows: [StoredEntryColumns], to hook: inout Webhook, refusal: String?, client: HTTPClient?, now seconds: Int64,
                      pass: inout HookPass) async throws {
        for row in rows {
            guard try await ledger.accounts.webhooks().first(where: { $0.id == hook.id })?.isActive == true else { return }
            if hook.publicOnly && row.visibility != Visibility.public.rawValue {
                hook.deliveredSeq = row.seq  // never sent; nothing of it leaves
                continue
            }
            var line: [UInt8] = []
            row.appendExchangeLine(to: &line)
            var status: Int?
            var failure = refusal
            if let client {
                (status, failure) = await post(line, seq: row.seq, to: hook, client: client)
            }
            try await ledger.accounts.addWebhookDelivery(WebhookDelivery(hookID: hook.id, seq: row.seq, at: seconds, status: status,
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
        try await ledger.accounts.saveWebhookProgress(hook)
    }

    /// One POST, within `deliveryDeadline` in all; the answer's status, or why there is none
    /// that counts (only a 2xx does).
    func post(_ body: [UInt8], seq: Int64, to hook: Webhook, client: HTTPClient) async -> (status: Int?, failure: String?) {
        var request = HTTPClientRequest(url: hook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: Self.signatureHeader, value: Self.signature(of: Data(body), secret: hook.secret))
        request.headers.add(name: "X-Ledger-Seq", value: String(seq))
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        let deadline = Self.deliveryDeadline
        do {
            let status: Int = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    // The client's own deadline is a backstop: the race below ends it first.
                    let response = try await client.execute(prepared, timeout: .seconds(deadline.components.seconds + 5))
                    // The answer is read only as far as the limit: nothing in it is used.
                    var read = 0
                    for try await part in response.body {
                        read += part.readableBytes
                        if read > Self.answerLimit { break }
                    }
                    return Int(response.status.code)
                }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let status = first else { throw DeliveryTimedOut() }
                return status
            }
            if (300..<400).contains(status) { return (status, "the receiver answered \(status), a redirect, which is not followed") }
            if !(200..<300).contains(status) { return (status, "the receiver answered \(status)") }
            return (status, nil)
        } catch is DeliveryTimedOut {
            return (nil, "the receiver did not answer within \(deadline.components.seconds) s")
        } catch {
            return (nil, "\(error)")
        }
    }

    struct DeliveryTimedOut: Error {}
}

/// `serve`'s outbox: mail once a minute, and each webhook on its own every `interval`: a
/// hook still delivering is not started again, and holds up neither the others nor the mail.
struct OutboxService: Service {
    let outbox: Outbox
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let delivering = HooksInFlight()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await repeatUntilShutdown(logger: logger, failure: "the outbox could not send mail", level: .error, retryAfter: .seconds(60)) {
                        try await outbox.sendMail()
                        try await Task.sleep(for: .seconds(60))
                    }
                }
                while !Task.isCancelled {
                    do {
                        let now = Ledger.now()
                        for hook in try await outbox.ledger.accounts.webhooks() where hook.isActive && hook.nextAttemptAt <= now {
                            guard delivering.start(hook.id) else { continue }
                            group.addTask {
                                defer { delivering.finish(hook.id) }
                                do {
                                    _ = try await outbox.deliver(to: hook, now: now)
                                } catch {
                                    logger.error("the outbox could not deliver to a webhook", metadata: ["hook": "\(hook.id)", "error": "\(error)"])
                                }
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.error("the outbox could not read the webhooks", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }
}

/// The hooks the outbox is delivering to now, each started once at a time.
final class HooksInFlight: Sendable {
    private let ids = Mutex<Set<Int64>>([])
    func start(_ id: Int64) -> Bool { ids.withLock { $0.insert(id).inserted } }
    func finish(_ id: Int64) { _ = ids.withLock { $0.remove(id) } }
}
