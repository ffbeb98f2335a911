import ArgumentParser
import Foundation
import Ledger
import LedgerServer
import Logging
import Reports
import LedgerTeam

/// How mail leaves: the machine's sendmail, which every mail server and relay provides.
struct MailOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The sendmail program that sends the reminders (Postfix's, msmtp's, …).", valueName: "path"))
    var sendmail = "/usr/sbin/sendmail"
    @Option(help: ArgumentHelp("The reminders' From address (default ledger@ the public URL's host).", valueName: "address"))
    var from: String?
}

struct Remind: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send the reminders that are due now: weekly digests and overdue notices (`serve` does this every minute).",
        discussion: """
            Each message is made once (a week's digest, a commitment's overdue notice, per person) \
            and kept in the database until sent, so running this again, or after a restart, never \
            sends one twice; a failed send is retried later, each time after a longer wait. People \
            opt in with `ledgerctl user notify` or on their settings page.
            """)

    @OptionGroup var options: LedgerOptions
    @OptionGroup var mail: MailOptions
    @OptionGroup var link: UserCommand.LinkOptions

    func run() async throws {
        let logger = Logger(label: "ledger.remind") { EscapingLogHandler.standardError(label: $0) }
        let pass = try await options.withLedger(.write) { ledger in
            try await Outbox(ledger: ledger, baseURL: try link.base(), sendmail: mail.sendmail, from: mail.from, logger: logger).sendMail()
        }
        printLine("Reminders: \(pass.made) new, \(pass.sent) sent, \(pass.failed) to retry.")
        if pass.failed > 0 { throw ExitCode(75) }  // EX_TEMPFAIL: try again later
    }
}

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Send every new entry to a newsroom's or chat tool's URL, signed (`serve` delivers).",
        discussion: """
            Each entry is POSTed as its JSON line (as `ledgerctl export` writes it), in order, with \
            X-Ledger-Signature: sha256=HMAC-SHA256(secret, body) in hex and X-Ledger-Seq. An entry \
            the receiver does not take (no 2xx) is retried, each time after a longer wait; later \
            entries wait for it. A --public-only hook never receives an internal entry.
            """,
        subcommands: [Add.self, List.self, Remove.self, Deliver.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a webhook; it gets the entries written from now on. Prints its signing secret once.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The http(s) URL to POST to.") var url: String
        @Flag(name: .customLong("public-only"), help: "Send public entries only.") var publicOnly = false
        @Flag(name: .customLong("allow-private"), help: ArgumentHelp(
            "Allow a receiver on this machine or a private network (loopback, 10.x, 192.168.x, fc00::/7, …).",
            discussion: "Without it such an address is refused, when the hook is added and again before each delivery, after its name is resolved."))
        var allowPrivate = false

        func run() async throws {
            let hook = try await options.withLedger(.write) { ledger in
                _ = try await WebhookTarget.check(url, allowPrivate: allowPrivate)
                return try await ledger.addWebhook(url: url, publicOnly: publicOnly, allowPrivate: allowPrivate)
            }
            printLine(hook.secret)
            FileHandle.standardError.write(Data("Webhook \(hook.id) added for \(PlainText.oneLine(url))\(publicOnly ? " (public entries only)" : ""). The line above is its signing secret: give it to the receiver now; it is not shown again.\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the webhooks: what each took last and its latest failure.")

        @OptionGroup var options: LedgerOptions

        func run() async throws {
            let hooks = try await options.withLedger { try await $0.accounts.webhooks() }
            if hooks.isEmpty { printLine("No webhooks; add one with `ledgerctl webhook add URL`.") }
            for hook in hooks {
                printLine("\(hook.id)  \(PlainText.oneLine(hook.shownURL))  \(hook.publicOnly ? "public only" : "all entries")\(hook.allowPrivate ? ", private address allowed" : "")  delivered up to seq \(hook.deliveredSeq)"
                          + (hook.isActive ? "" : "  removed") + (hook.lastError.map { "  last error: \(PlainText.oneLine($0))" } ?? ""))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop sending to a webhook (its deliveries stay in the log).")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The webhook's number (see `webhook list`).") var id: Int64

        func run() async throws {
            try await options.withLedger(.write) { try await $0.removeWebhook(id: id) }
            printLine("Webhook \(id) removed.")
        }
    }

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver what is due to every webhook now, once (`serve` does this all the time).")

        @OptionGroup var options: LedgerOptions

        func run() async throws {
            let logger = Logger(label: "ledger.webhook") { EscapingLogHandler.standardError(label: $0) }
            let pass = try await options.withLedger(.write) { ledger in
                try await Outbox(ledger: ledger, baseURL: "http://localhost", sendmail: nil, logger: logger).deliverWebhooks()
            }
            printLine("Webhooks: \(pass.delivered) delivered, \(pass.failed) to retry.")
            if pass.failed > 0 { throw ExitCode(75) }
        }
    }
}
