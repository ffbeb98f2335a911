import ArgumentParser
import Foundation
import Ledger
import Reports
import LedgerServer
import LedgerStores
import Logging

/// Which ledger to use and who is writing: shared by every command.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The ledger: a file path, sqlite:PATH or postgres://user:password@host:port/db.",
        discussion: "Defaults to LEDGER_DATABASE_URL, then ./ledger.sqlite. For PostgreSQL the password may come from PGPASSWORD; ?sslmode=disable|prefer|require|verify-ca|verify-full (default prefer).", valueName: "url"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp(
        "Who is logging the entries (defaults to LEDGER_AUTHOR, then the login name).", valueName: "name"))
    var author: String?

    var location: LedgerLocation {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            return try LedgerLocation(database ?? environment["LEDGER_DATABASE_URL"] ?? LedgerLocation.defaultSQLitePath)
        }
    }

    var authorName: String {
        let environment = ProcessInfo.processInfo.environment
        return author ?? environment["LEDGER_AUTHOR"] ?? environment["USER"] ?? "ledgerctl"
    }

    /// Opens the ledger for `body` and closes it afterwards, whatever happens, so a
    /// PostgreSQL server sees its connections end cleanly. Reads (the default) change
    /// nothing in the database; only commands that write say `.write` or `.create`.
    func withLedger<T>(_ access: LedgerAccess = .read, _ body: (Ledger) async throws -> T) async throws -> T {
        try await Ledger.withLedger(at: try location, access: access, logger: Self.databaseLogger, body)
    }

    /// What the database driver's background work logs: its errors, on standard error.
    static let databaseLogger: Logger = {
        var logger = Logger(label: "ledgerctl.database") { EscapingLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        return logger
    }()
}

/// `--templates DIR`: brand the HTML pages, reports and the Atom feed.
struct TemplateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A folder of templates that replace the built-in ones of the same names.",
        discussion: "Each NAME.mustache in the folder replaces the built-in template NAME (see docs/branding.md); a template that does not parse is refused, naming its file and line.",
        valueName: "dir"))
    var templates: String?

    /// The built-in templates with the folder's in their place; read and parsed before
    /// anything else is done, so a broken template stops the command at once.
    func load() throws(LedgerError) -> ReportTemplates {
        guard let templates else { return .builtIn }
        do {
            return try ReportTemplates(overridesIn: templates)
        } catch {
            throw LedgerError(kind: error.kind, field: "--templates", error.message)
        }
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text (field names are listed in docs/json-and-api.md).")
    var json = false
}

/// Options every command that writes one entry shares.
struct EntryOptions: ParsableArguments {
    @Option(name: .customLong("on"), help: ArgumentHelp(
        "When it happened in the world: YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ.", valueName: "date"))
    var on: String

    @Flag(name: .long, help: "Keep the entry off public reports and feeds (the policy team still sees it).")
    var `internal` = false

    @Option(name: .customLong("entry-id"), help: ArgumentHelp(
        "A UUID for the entry, so that a script can retry safely: the same id is never written twice.", valueName: "uuid"))
    var entryID: String?

    /// The entry's date, id and visibility, checked.
    func stamp() throws -> EntryStamp {
        EntryStamp(effective: try parseEffective(on, flag: "--on"), id: try parseEntryID(entryID), visibility: `internal` ? .internal : .public)
    }
}

/// What every entry a command writes carries besides its payload.
struct EntryStamp {
    var effective: EffectiveTime
    var id: UUID
    var visibility: Visibility
}

/// A new UUID, or the one given with --entry-id so that a retry writes nothing twice.
func parseEntryID(_ text: String?) throws(LedgerError) -> UUID {
    guard let text else { return UUID() }
    guard let id = UUID(uuidString: text) else { throw LedgerError(field: "--entry-id", "'\(text)' is not a UUID") }
    return id
}

func parseEffective(_ text: String, flag: String) throws(LedgerError) -> EffectiveTime {
    guard let time = EffectiveTime(text) else {
        throw LedgerError(field: flag, "'\(text)' is not a real date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ)")
    }
    return time
}

func parseDay(_ text: String, flag: String) throws(LedgerError) -> CalendarDay {
    guard let day = CalendarDay(text) else { throw LedgerError(field: flag, .notADate("'\(text)'")) }
    return day
}

/// Tells the user, on standard error, when the database's append-only triggers are not as
/// the migrations made them: the chain may still verify, but nothing stops a rewrite.
func warnAboutGuards(_ ledger: Ledger) async throws -> [String] {
    let problems = try await ledger.store.appendOnlyGuardProblems()
    for problem in problems {
        FileHandle.standardError.write(Data("ledgerctl: warning: \(problem); the database no longer refuses rewrites (run `ledgerctl init` as the schema's owner to check the migrations, and find out who changed it)\n".utf8))
    }
    return problems
}

func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Reads a file, or standard input for "-".
func readInput(_ path: String) throws -> String {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw LedgerError(kind: .notFound, field: "FILE", "cannot read \(path)")
        }
        data = contents
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw LedgerError(field: "FILE", "\(path == "-" ? "standard input" : path) is not UTF-8 text")
    }
    return text
}

/// The result of a one-entry command, as text or JSON.
func reportWritten(_ result: Ledger.AppendResult, what: String, output: OutputOptions) throws {
    guard let entry = result.entries.first else { return }
    if output.json {
        printLine(try ReportJSON.encode(AppendReceipt(result)))
    } else if result.added == 0 {
        printLine("Already recorded as seq \(entry.seq); nothing added.")
    } else {
        printLine("Recorded \(what) as seq \(entry.seq) (hash \(entry.hash.prefix(12))…).")
    }
}
