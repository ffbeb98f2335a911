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
        /// `PublicView.replicaRetry` until the replica answers and is checked.
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

    /// Every route; `view` caches what the public pages show.
    static func router(view: PublicView, checkpointer: Checkpointer, configuration: LedgerServerConfiguration, logger: Logger) -> Router<LedgerRequestContext> {
        // Every page answers HEAD too (feed readers and link checkers ask it): Hummingbird
        // answers it from the GET route, with the same headers and no body.
        let router = Router(context: LedgerRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ReadYourWritesMiddleware(view: view))
        let routes = Routes(view: view, checkpointer: checkpointer, configuration: configuration, logger: logger)
        func read(_ path: RouterPath, alsoAllowed: [HTTPRequest.Method] = [],
                  _ handler: @escaping @Sendable (Request, LedgerRequestContext) async throws -> Response) {
            // Other methods on an address that exists are 405 with the ones it takes, not 404.
            let allowed = [HTTPRequest.Method.get, .head] + alsoAllowed
            for method in [HTTPRequest.Method.post, .put, .patch, .delete, .options] where !allowed.contains(method) {
                router.on(path, method: method) { _, _ -> Response in
                    throw APIError(.methodNotAllowed, "this address answers \(allowed.map(\.rawValue).joined(separator: ", ")) only",
                                   headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
                }
            }
            router.get(path, use: handler)
        }

        read("/") { request, _ in
            let filter = try Routes.filter(request)
            let page = try Routes.integer(request.uri.queryParameters.get("page"), field: "page", default: 1, range: 1...1_000_000)
            let variant = filter.canonicalQuery + (page == 1 ? "" : "&page=\(page)")
            // The search reads every note, which a server starting from the counts has not read yet.
            return try await routes.page(request, key: "/", contentType: html, variant: variant, countsWillDo: filter.query == nil,
                                         isSearch: filter.query != nil) { snapshot, language in
                snapshot.site(language).statusPage(filter: filter, page: Int(page))
            }
        }
        read("/demands/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await routes.page(request, key: "/demands/\(id)", contentType: html) { snapshot, language in
                snapshot.site(language).demandPage(id)
            }
        }
        read("/commitments/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await routes.page(request, key: "/commitments/\(id)", contentType: html) { snapshot, language in
                snapshot.site(language).commitmentPage(id)
            }
        }
        read("/reports/:month") { request, context in
            let text = try context.parameters.require("month")
            guard let month = ReportMonth(text) else {
                return try await routes.errorPage(request, status: .badRequest, message: "The month must be written YYYY-MM, for example 2023-07.")
            }
            let editions = try await checkpointer.editions.editions(of: month)
            let checkpoint = try await checkpointer.current()
            return try await routes.page(request, key: "/reports/\(month)", contentType: html) { snapshot, language in
                guard snapshot.months.contains(month) else { return nil }
                let state = LedgerState(records: snapshot.records, asOf: month.lastDay)
                var report = MonthlyReport(state: state, month: month, language: language)
                // Signed when the latest checkpoint is of exactly the entries shown.
                if let checkpoint, checkpoint.size == snapshot.records.head.seq { report.checkpoint = ReportCheckpoint(checkpoint) }
                if !editions.isEmpty {
                    let site = snapshot.site(language)
                    report.editions = MonthlyReport.editionLinks(editions, records: snapshot.records, state: snapshot.state, language: language) {
                        site.link("/reports/\(month)/editions/\($0.edition)")
                    }
                }
                return report.html(templates: configuration.templates, warning: snapshot.warning)
            }
        }
        read("/reports/:month/editions/:number") { request, context in
            guard let month = ReportMonth(try context.parameters.require("month")) else {
                return try await routes.errorPage(request, status: .badRequest, message: "The month must be written YYYY-MM, for example 2023-07.")
            }
            return try await routes.edition(request, month: month, numberText: try context.parameters.require("number"))
        }
        // One item's updates: a demand with its commitments, a commitment, an actor.
        for kind in [SubjectKind.demand, .commitment, .actor] {
            for format in ["atom", "json"] {
                read(RouterPath(stringLiteral: "/\(kind.rawValue)s/:id/feed.\(format)")) { request, context in
                    try await routes.itemFeed(request, kind: kind, id: try context.parameters.require("id"), format: format)
                }
            }
        }
        // The current public state as spreadsheets (what `ledgerctl sheet export --public` writes).
        read("/sheets/:file") { request, context in
            let records = try await view.withSnapshot { $0.records }
            if let file = TeamRoutes.sheetFile(try context.parameters.require("file"), records: records) { return file }
            return try await routes.errorPage(request, status: .notFound, message: nil)
        }
        read("/calendar.ics") { request, _ in
            try await routes.page(request, key: "/calendar.ics", contentType: "text/calendar; charset=utf-8") { snapshot, language in
                let site = snapshot.site(language)
                return DueDateCalendar(state: snapshot.state, language: language, baseURL: configuration.baseURL) {
                    configuration.baseURL + site.link("/commitments/\($0.id)")
                }.ics(name: "\(site.organisation): " + language.pick("due dates", "plazos"))
            }
        }
        read("/feed.atom") { request, _ in
            try await routes.page(request, key: "/feed.atom", contentType: "application/atom+xml; charset=utf-8") { snapshot, language in
                routes.feed(snapshot, language).atom(templates: configuration.templates)
            }
        }
        read("/feed.json") { request, _ in
            try await routes.page(request, key: "/feed.json", contentType: "application/feed+json; charset=utf-8") { snapshot, language in
                try routes.feed(snapshot, language).json()
            }
        }
        read("/api/v1/status") { request, _ in
            if let failure = try await routes.integrityFailure() { return failure }
            return try await routes.page(request, key: "/api/v1/status", contentType: json, languageMatters: false, countsWillDo: true) { snapshot, _ in
                try StatusOverview(state: snapshot.state).jsonText() + "\n"
            }
        }
        read("/api/v1/entries", alsoAllowed: [.post]) { request, _ in try await routes.entries(request) }
        router.post("/api/v1/entries") { request, _ in try await routes.append(request) }
        // The transparency log (C2SP tlog-tiles), for verifiers outside.
        read("/log/checkpoint") { request, _ in try await routes.checkpoint(request) }
        read("/log/tile/**") { request, context in
            try await routes.tile(request, path: context.parameters.getCatchAll().joined(separator: "/"))
        }
        read("/log/receipt/:seq") { request, context in
            try await routes.receipt(request, seqText: try context.parameters.require("seq"))
        }
        addTeamRoutes(to: router, routes: TeamRoutes(
            view: view, checkpointer: checkpointer,
            sessions: TeamSessions(ledger: view.ledger, secureCookies: configuration.secureCookies, passwordCost: configuration.passwordCost,
                                   readOnly: configuration.readOnly, logger: logger),
            configuration: configuration, logger: logger))
        return router
    }

    /// The workspace, under /team/ (see `TeamRoutes`).
    static func addTeamRoutes(to router: Router<LedgerRequestContext>, routes team: TeamRoutes) {
        router.get("/team/") { request, _ in try await team.home(request) }
        router.get("/team/sign-in") { request, _ in try await team.signInPage(request) }
        router.post("/team/sign-in") { request, context in try await team.signIn(request, context: context) }
        router.post("/team/sign-out") { request, _ in try await team.signOut(request) }
        router.get("/team/setup/:secret") { request, context in try await team.setup(request, secret: try context.parameters.require("secret")) }
        router.post("/team/setup/:secret") { request, context in try await team.setup(request, secret: try context.parameters.require("secret")) }
        router.get("/team/demands") { request, _ in try await team.list(request, kind: .demand) }
        router.get("/team/commitments") { request, _ in try await team.list(request, kind: .commitment) }
        router.get("/team/actors") { request, _ in try await team.list(request, kind: .actor) }
        router.get("/team/new") { request, _ in try await team.newIndex(request) }
        router.get("/team/new/:kind") { request, context in
            guard let kind = FormKind(rawValue: try context.parameters.require("kind")) else { return try await team.notFound(request) }
            return try await team.newForm(request, kind: kind)
        }
        router.post("/team/new/:kind") { request, context in
            guard let kind = FormKind(rawValue: try context.parameters.require("kind")) else { return try await team.notFound(request) }
            return try await team.submit(request, kind: kind)
        }
        router.get("/team/sheets") { request, _ in try await team.sheets(request) }
        router.post("/team/sheets") { request, _ in try await team.uploadSheet(request) }
        router.get("/team/sheets/:file") { request, context in try await team.teamSheetFile(request, name: try context.parameters.require("file")) }
        router.get("/team/calendar.ics") { request, _ in try await team.calendar(request) }
        router.get("/team/settings") { request, _ in try await team.settings(request) }
        router.post("/team/settings") { request, _ in try await team.changeSettings(request) }
        router.get("/team/webhooks") { request, _ in try await team.webhooks(request) }
        router.post("/team/webhooks") { request, _ in try await team.changeWebhooks(request) }
        router.get("/team/people") { request, _ in try await team.people(request) }
        router.post("/team/people") { request, _ in try await team.changePeople(request) }
        router.get("/team/entries/:seq") { request, context in try await team.entry(request, seqText: try context.parameters.require("seq")) }
        router.get("/team/**") { request, _ in try await team.notFound(request) }
        router.post("/team/**") { request, _ in try await team.notFound(request) }
    }
}
