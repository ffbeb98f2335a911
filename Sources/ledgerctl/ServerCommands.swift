import ArgumentParser
import Foundation
import Ledger
import LedgerStores
import LedgerServer
import Logging
import Reports
import LedgerTeam

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the public status pages, feeds and API, the team workspace and write API, and the outbox.",
        discussion: """
            Public, read-only (public entries only): / (status page), /demands/ID, /commitments/ID, \
            /reports/YYYY-MM, /feed.atom, /feed.json, /api/v1/status, /api/v1/entries?after=SEQ&limit=N. \
            Pages take ?lang=en|es or follow Accept-Language.

            Team writes: POST /api/v1/entries with JSON Lines (as `ledgerctl append` takes) and \
            `Authorization: Bearer TOKEN` (see `ledgerctl token add`).

            The team workspace: /team/, where the policy team logs, reviews and searches \
            everything in the browser after signing in (see `ledgerctl user add`).

            The outbox: every new entry goes to the webhooks (`ledgerctl webhook add`), and the \
            reminders people opted in to go out through --sendmail, once a minute.

            Several servers can share one PostgreSQL ledger: each hears the others' writes at once. \
            A SQLite ledger is checked for other processes' writes twice a second. Stops cleanly on \
            SIGINT or SIGTERM. Logs one line per request on standard error.

            With --read-database, the public pages, feeds and API reads come from a streaming \
            replica of the PostgreSQL ledger (a hot standby, e.g. made with `pg_basebackup -R`), \
            checked twice a second for what it replayed; writes, the workspace, the outbox and \
            the transparency log stay on --database. A reader never sees a head older than the \
            one their own write returned: a write's answer carries it (the ledger_seq cookie, \
            the Ledger-Head header), and a read that sends it back (the cookie, or \
            Ledger-Min-Seq: SEQ) reads what the replica lacks from the primary. While the \
            replica cannot be reached, or is starting up or shutting down, even at start, the \
            primary answers the public reads and the replica is tried again every 10 seconds.
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "The address to listen on (0.0.0.0 for every interface).") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8080
    @Option(name: .customLong("public-url"), help: ArgumentHelp(
        "Where the public reaches this server, for the feeds' links (default http://HOST:PORT).", valueName: "url"))
    var publicURL: String?
    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest write request accepted, in bytes.", valueName: "bytes"))
    var maxBody = 4 << 20
    @Option(name: .customLong("log-level"), help: "How much to log on standard error.") var logLevel: Logger.Level = .info
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var signingKey: SigningKeyOptions
    @Option(name: .customLong("checkpoint-interval"), help: ArgumentHelp(
        "With a signing key: how many seconds after the head moves a checkpoint is signed.", valueName: "seconds"))
    var checkpointInterval = 1.0
    @Option(name: .customLong("snapshot-every"), help: ArgumentHelp(
        "Keep a new snapshot of the fold (see `ledgerctl snapshot`) once the head is this many entries past the last one; 0 never does.",
        valueName: "entries"))
    var snapshotEvery: Int64 = 10_000
    @Flag(name: .customLong("verify-first"), help: ArgumentHelp(
        "Answer nothing until the whole chain is verified and the pages are folded.",
        discussion: "By default a ledger with a stored snapshot (`ledgerctl snapshot`) answers its status page and /api/v1/status from it at once, while the chain is verified and the full fold loaded (seconds at a million entries); writes and the other pages wait for that. Until the verification ends a page cannot carry the warning of a broken chain: with this flag none is answered before."))
    var verifyFirst = false
    @OptionGroup var mail: MailOptions
    @Option(name: .customLong("read-database"), help: ArgumentHelp(
        "A streaming replica (hot standby) of the PostgreSQL ledger to read the public pages from.", valueName: "url"))
    var readDatabase: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port: must be from 0 to 65535") }
        guard maxBody > 0 else { throw ValidationError("--max-body: must be 1 or more") }
        guard snapshotEvery >= 0 else { throw ValidationError("--snapshot-every: must be 0 or more") }
        guard checkpointInterval > 0, checkpointInterval <= 86_400 else { throw ValidationError("--checkpoint-interval: must be more than 0 and at most 86400 seconds") }
        if let publicURL, !((publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) && URL(string: publicURL)?.host != nil) {
            throw ValidationError("--public-url: '\(publicURL)' is not an http(s) address such as https://ledger.example.org")
        }
    }

    func run() async throws {
        let level = logLevel
        var configuration = LedgerServerConfiguration()
        configuration.templates = try templates.load()
        configuration.host = host
        configuration.port = port
        configuration.publicURL = publicURL
        configuration.maxBodyBytes = maxBody
        configuration.signer = try signingKey.load()
        configuration.checkpointInterval = .milliseconds(Int(checkpointInterval * 1_000))
        configuration.snapshotThreshold = snapshotEvery == 0 ? nil : snapshotEvery
        configuration.verifyFirst = verifyFirst
        configuration.sendmail = mail.sendmail
        configuration.mailFrom = mail.from
        var logger = Logger(label: "ledger.server") { EscapingLogHandler.standardError(label: $0) }
        logger.logLevel = level
        // A file this user may only read is served read-only: the public pages work and
        // writes answer 503. Anything else opens for writing, but never creates a ledger.
        var access = LedgerAccess.write
        if case .sqlite(let path) = try options.location, FileManager.default.fileExists(atPath: path),
           !FileManager.default.isWritableFile(atPath: path) {
            access = .read
            configuration.readOnly = true
            logger.warning("the ledger file is read-only for this user: serving it without writes", metadata: ["path": "\(path)"])
        }
        // The store's background work (PostgreSQL's connection pool) runs in the server's
        // service group, which stops it after the last request on SIGINT or SIGTERM.
        var databaseLogger = logger
        databaseLogger.logLevel = max(level, .error)
        let location = try options.location
        var replicaLocation: LedgerLocation?
        if let readDatabase {
            guard case .postgres = location else {
                throw LedgerError(field: "--read-database", "needs a PostgreSQL ledger in --database (a SQLite file has no replicas)")
            }
            do {
                replicaLocation = try LedgerLocation(readDatabase)
            } catch {
                throw LedgerError(field: "--read-database", error.message)
            }
            guard case .postgres = replicaLocation else {
                throw LedgerError(field: "--read-database", "must be a postgres:// address of a replica of --database")
            }
        }
        let opened = try await Ledger.opened(location, access: access, logger: databaseLogger)
        var replica: OpenedLedger?
        var source: LedgerServer.ReplicaSource?
        if let replicaLocation {
            let openReplica = { @Sendable [databaseLogger] in try await Ledger.opened(replicaLocation, access: .read, logger: databaseLogger) }
            do {
                let opening = try await openReplica()
                replica = opening
                source = .opened(opening.ledger)
            } catch let error as LedgerError where error.remedy == .reachServer {
                // A replica down during a restart must not take the public site down with
                // it: the primary answers until the replica does.
                source = .unreachable(reason: error.description) {
                    let later = try await openReplica()
                    return (later.ledger, later.services)
                }
            } catch let error as LedgerError {
                await opened.ledger.close()
                throw LedgerError(kind: error.kind, field: "--read-database", error.message, remedy: error.remedy)
            }
        }
        do {
            try await LedgerServer.run(ledger: opened.ledger, replica: source, configuration: configuration, logger: logger,
                                       services: opened.services + (replica?.services ?? [])) { port in
                printLine("Serving \(opened.ledger.store.displayName) on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (Ctrl-C stops)")
            }
        } catch let error as LedgerError {
            await opened.ledger.close()
            await replica?.ledger.close()
            throw error
        } catch {
            await opened.ledger.close()
            await replica?.ledger.close()
            throw LedgerError(kind: .storage, field: "--port", "cannot serve on \(host):\(port): \(error)")
        }
        await opened.ledger.close()
        await replica?.ledger.close()
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage the bearer tokens of the write API (`ledgerctl serve`).",
        discussion: "Only a token's SHA-256 is stored; the token itself is shown once, when it is made.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; its name becomes the author of every entry it writes.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Who or what uses the token, e.g. maria or newsroom-importer.") var name: String

        func run() async throws {
            let secret = try await options.withLedger(.write) { try await $0.addToken(name: name) }
            printLine(secret)
            FileHandle.standardError.write(Data("Token for \(PlainText.oneLine(name)) created. Keep it now: it is not shown again. Use it as `Authorization: Bearer TOKEN`.\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens by name: when made, and when revoked.")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tokens = try await options.withLedger { try await $0.accounts.tokens() }
            if output.json {
                struct Listed: Encodable { var name: String; var createdAt: String; var revokedAt: String? }
                printLine(try ReportJSON.encode(tokens.map { Listed(name: $0.name, createdAt: $0.createdAt, revokedAt: $0.revokedAt) }))
            } else if tokens.isEmpty {
                printLine("No tokens yet; create one with `ledgerctl token add NAME`.")
            } else {
                for token in tokens {
                    printLine(PlainText.padded(PlainText.oneLine(token.name), to: 24) + " created " + token.createdAt
                              + (token.revokedAt.map { "  revoked \($0)" } ?? "  live"))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a name's live token: it stops working at once, on every server.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The token's name.") var name: String

        func run() async throws {
            try await options.withLedger(.write) { try await $0.revokeToken(name: name) }
            printLine("Revoked the token of \(PlainText.oneLine(name)).")
        }
    }
}
