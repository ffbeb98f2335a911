import Foundation
import Hummingbird
import Ledger
import Logging
import NIOCore
import ServiceLifecycle
import Reports
import Workspace
import LedgerTeam

/// The public status feed and the team's write API over one ledger (docs/operations.md lists
/// every URL).
public enum LedgerServer {
    static let html = "text/html; charset=utf-8"
    static let json = "application/json; charset=utf-8"

    /// Runs until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    /// - Parameter services: background work the ledger needs (its store's connection pool),
    ///   started before the HTTP server and stopped after it.
    /// - Parameter replica: a streaming replica of `ledger` (a PostgreSQL hot standby) that
    ///   the public pages are read from; writes, the workspace, the outbox and the
    ///   transparency log stay on `ledger`.
    public static func run(ledger: Ledger, replica: ReplicaSource? = nil, configuration: LedgerServerConfiguration, logger: Logger,
                           services: [any Service] = [],
                           onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws {
        let opened: Ledger? = if case .opened(let replica) = replica { replica } else { nil }
        let view = PublicView(ledger: ledger, replica: opened, awaitsReplica: replica != nil, templates: configuration.templates,
                              address: configuration.baseURL, logger: logger)
        let checkpointer = Checkpointer(view: view, signer: configuration.signer, logger: logger)
        var background: [any Service] = [
            EditionService(checkpointer: checkpointer, interval: configuration.checkpointInterval, logger: logger),
            SnapshotCheckService(view: view, logger: logger),
            OutboxService(outbox: Outbox(ledger: ledger, baseURL: configuration.baseURL, sendmail: configuration.sendmail, from: configuration.mailFrom, logger: logger),
                          interval: configuration.outboxInterval, logger: logger),
        ]
        if configuration.readOnly { background.removeLast() }
        if !configuration.readOnly, let threshold = configuration.snapshotThreshold {
            background.append(SnapshotService(view: view, threshold: threshold, logger: logger))
        }
        if configuration.signer != nil {
            background.append(CheckpointService(checkpointer: checkpointer, interval: configuration.checkpointInterval, logger: logger))
        }
        if case .unreachable(let reason, let open) = replica {
            await view.replicaFailed(LedgerError(kind: .storage, reason))
            background.append(ReplicaConnector(view: view, open: open, logger: logger))
        }
        let gate = StartGate()
        var app = Application(
            router: router(view: view, checkpointer: checkpointer, configuration: configuration, logger: logger),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [HTTP10ConnectionClose.Installer()],
                idleTimeout: .seconds(configuration.idleTimeout.components.seconds))),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "accountability-ledger"),
            services: services + ([LedgerWatcher(view: view, pollInterval: configuration.pollInterval, logger: logger)] + background).map(gate.after),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        // The first fold needs the store's services running, and must end before the first
        // request is answered. From a counts snapshot that is a fraction of a second; the
        // watcher, which starts once the gate opens, then verifies the chain and loads the
        // full fold.
        // Ctrl-C or SIGTERM during it (a minute or more for a large chain with no snapshot)
        // stops the server there, rather than once the fold is done.
        app.beforeServerStarts {
            do {
                try await cancelWhenGracefulShutdown {
                    if let opened { try await checkReplica(opened, of: ledger, logger: logger) }
                    let started = configuration.verifyFirst ? false : try await view.startFromCounts()
                    if !started {
                        logger.info("verifying and folding the whole chain before serving",
                                    metadata: ["because": configuration.verifyFirst ? "--verify-first" : "no stored snapshot of the fold (ledgerctl snapshot)"])
                        try await view.refresh()
                    }
                }
            } catch where Task.isShuttingDownGracefully {
                throw StoppedBeforeServing()
            }
            gate.open()
        }
        do {
            try await app.runService()
        } catch is StoppedBeforeServing {
            logger.info("stopped before the first fold was done: nothing was served")
        }
    }

    private struct StoppedBeforeServing: Error {}

    /// Where the public pages are read from, when not from the ledger itself.
    public enum ReplicaSource: Sendable {
        /// A replica that answered at start; it is checked before anything is served.
        case opened(Ledger)
        /// A replica that could not be reached at start (`LedgerError.Remedy.reachServer`):
        /// the public reads go to the ledger, and `open` is tried again every
        /// `ReplicaRouting.retry` until the replica answers and is checked.
        case unreachable(reason: String, open: @Sendable () async throws -> (ledger: Ledger, services: [any Service]))
    }

    /// Refuses a replica of another ledger: the entry at the replica's head must be the
    /// primary's at that seq (the chain's links make that the same history up to there).
    static func checkReplica(_ replica: Ledger, of primary: Ledger, logger: Logger) async throws {
        let head = try await replica.store.head()
        let stored = head.seq == 0 ? nil : try await primary.store.entries(after: head.seq - 1, limit: 1).first
        guard head.seq == 0 || stored?.hash == head.hash else {
            throw LedgerError(kind: .invalidInput, field: "--read-database",
                              "\(replica.store.displayName) is not a replica of \(primary.store.displayName): its entry \(head.seq) is not the primary's")
        }
        logger.info("public pages are read from a replica", metadata: ["replica": "\(replica.store.displayName)", "replica_head": "\(head.seq)"])
    }

    /// Every route, by area; `view` caches what the public pages show.
    static func router(view: PublicView, checkpointer: Checkpointer, configuration: LedgerServerConfiguration, logger: Logger) -> Router<LedgerRequestContext> {
        // Every page answers HEAD too (feed readers and link checkers ask it): Hummingbird
        // answers it from the GET route, with the same headers and no body.
        let router = Router(context: LedgerRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ContentSecurityMiddleware(contentSecurityPolicy: Responses.contentSecurityPolicy))
        // The public reads come up to the head a reader's own write returned; the workspace
        // reads the primary itself.
        let readYourWrites = ReadYourWritesMiddleware<LedgerRequestContext>(view: view)
        let routes = Routes(view: view, checkpointer: checkpointer, configuration: configuration, logger: logger)
        routes.addSite(to: router.group().add(middleware: readYourWrites))
        routes.addLog(to: router.group().add(middleware: readYourWrites))
        routes.addAPI(to: router.group().add(middleware: readYourWrites).add(middleware: LedgerErrorMiddleware(logger: logger)))
        TeamRoutes(
            view: view, checkpointer: checkpointer,
            sessions: TeamSessions(ledger: view.ledger, secureCookies: configuration.secureCookies, passwordCost: configuration.passwordCost,
                                   readOnly: configuration.readOnly, logger: logger),
            configuration: configuration, logger: logger).add(to: router)
        return router
    }
}
