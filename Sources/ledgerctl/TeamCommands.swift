import ArgumentParser
import Foundation
import Ledger
import Reports
import LedgerTeam

extension TeamRole: ExpressibleByArgument {}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the people who use the team workspace (/team/ on `ledgerctl serve`).",
        discussion: """
            Roles: viewer (reads everything, internal entries included), editor (also writes \
            entries), admin (also manages people). A new person gets a set-up link, valid 24 \
            hours, where they choose their password; it is shown once. Passwords are stored as \
            bcrypt hashes only.
            """,
        subcommands: [Add.self, List.self, Disable.self, Reset.self, Notify.self, Calendar.self])

    /// Where the link points: the server's public address.
    struct LinkOptions: ParsableArguments {
        @Option(name: .customLong("public-url"), help: ArgumentHelp(
            "The workspace's address as people reach it (as given to `serve --public-url`).", valueName: "url"))
        var publicURL = ProcessInfo.processInfo.environment["LEDGER_PUBLIC_URL"] ?? "http://127.0.0.1:8080"

        /// The address without a trailing slash.
        func base() throws -> String {
            guard (publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")), URL(string: publicURL)?.host != nil else {
                throw ValidationError("--public-url: '\(publicURL)' is not an http(s) address such as https://ledger.example.org")
            }
            return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }

        func announce(_ link: SetupLink, what: String) throws {
            printLine(try base() + link.path)
            let expires = Date(timeIntervalSince1970: TimeInterval(link.expiresAt))
            FileHandle.standardError.write(Data("""
                \(what) Send this link to \(PlainText.oneLine(link.member)) yourself: it is shown once and lets them choose a
                password until \(RecordedAt.string(from: expires)) (24 hours).\n
                """.utf8))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a person and print their one-time set-up link.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Their name as entries will show it as author, e.g. maria.") var name: String
        @Option(help: "What they may do: \(TeamRole.allCases.map(\.rawValue).joined(separator: ", ")).") var role: TeamRole
        @Option(help: "Their e-mail address (for reminders).") var email: String?
        @OptionGroup var link: LinkOptions

        func run() async throws {
            let setup = try await options.withLedger(.write) { try await $0.addMember(name: name, role: role, email: email) }
            try link.announce(setup, what: "Added \(PlainText.oneLine(name)) as \(role.rawValue).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the team: role, and whether each can sign in.")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let members = try await options.withLedger { try await $0.accounts.members() }
            func state(_ member: TeamMember) -> String {
                member.isDisabled ? "disabled" : member.passwordHash == nil ? "waiting for set-up" : "active"
            }
            if output.json {
                struct Listed: Encodable { var name: String; var role: String; var email: String?; var state: String }
                printLine(try ReportJSON.encode(members.map { Listed(name: $0.name, role: $0.role.rawValue, email: $0.email, state: state($0)) }))
            } else if members.isEmpty {
                printLine("Nobody yet; add someone with `ledgerctl user add NAME --role editor`.")
            } else {
                for member in members {
                    printLine(PlainText.padded(PlainText.oneLine(member.name), to: 24) + PlainText.padded(member.role.rawValue, to: 8)
                              + PlainText.padded(state(member), to: 20) + (member.email.map(PlainText.oneLine) ?? ""))
                }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a person signing in; their open sessions end at once, on every server.",
            discussion: "What they wrote stays in the ledger under their name. `user reset` lets them back in.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Their name.") var name: String

        func run() async throws {
            try await options.withLedger(.write) { try await $0.disableMember(name: name) }
            printLine("Disabled \(PlainText.oneLine(name)); their sessions have ended.")
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a person's password, end their sessions and print a new set-up link.",
            discussion: "For a forgotten password, and to let a disabled person back in.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Their name.") var name: String
        @OptionGroup var link: LinkOptions

        func run() async throws {
            let setup = try await options.withLedger(.write) { try await $0.resetMember(name: name) }
            try link.announce(setup, what: "Reset \(PlainText.oneLine(name)): their password no longer works.")
        }
    }

    struct Notify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose the reminders a person gets by e-mail, and their language.",
            discussion: "The weekly digest (what needs attention, on Mondays) and a notice when a commitment becomes overdue; editors and admins only.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Their name.") var name: String
        @Flag(inversion: .prefixedNo, help: "The weekly digest.") var weekly: Bool?
        @Flag(inversion: .prefixedNo, help: "A notice when a commitment becomes overdue.") var overdue: Bool?
        @Option(help: "The mail's language: en or es.") var language: String?
        @Option(help: "Their e-mail address (replaces the one kept).") var email: String?

        func run() async throws {
            let member = try await options.withLedger(.write) { ledger in
                if let email { try await ledger.setEmail(name: name, email: email) }
                return try await ledger.setNotifications(name: name, weekly: weekly, overdue: overdue, language: language)
            }
            printLine("\(PlainText.oneLine(member.name)): weekly digest \(member.notifyWeekly ? "on" : "off"), overdue notices \(member.notifyOverdue ? "on" : "off"), in \(member.language), to \(member.email.map(PlainText.oneLine) ?? "no address").")
        }
    }

    struct Calendar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new secret calendar address for a person: every due date, internal ones too.",
            discussion: "The previous address stops working. Public due dates are at /calendar.ics for everyone.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Their name.") var name: String
        @OptionGroup var link: LinkOptions

        func run() async throws {
            let secret = try await options.withLedger(.write) { try await $0.resetCalendar(name: name) }
            printLine(try link.base() + "/team/calendar.ics?key=" + secret)
        }
    }
}
