import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import Reports
import Transparency

/// The server's areas, each a route group: the public site, the transparency log under
/// /log/, the API under /api/v1/ (errors as JSON, by `LedgerErrorMiddleware`). The workspace
/// is `TeamRoutes`.
extension Routes {
    /// The public pages, feeds, spreadsheets and calendar: public entries only.
    func addSite(to group: RouterGroup<LedgerRequestContext>) {
        read(group, "/") { request, _ in
            let filter = try Routes.filter(request)
            let page = try Routes.integer(request.uri.queryParameters.get("page"), field: "page", default: 1, range: 1...1_000_000)
            let variant = filter.canonicalQuery + (page == 1 ? "" : "&page=\(page)")
            // The search reads every note, which a server starting from the counts has not read yet.
            return try await self.page(request, key: "/", contentType: LedgerServer.html, variant: variant, countsWillDo: filter.query == nil,
                                         isSearch: filter.query != nil) { snapshot, language in
                snapshot.site(language).statusPage(filter: filter, page: Int(page))
            }
        }
        read(group, "/demands/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await self.page(request, key: "/demands/\(id)", contentType: LedgerServer.html) { snapshot, language in
                snapshot.site(language).demandPage(id)
            }
        }
        read(group, "/commitments/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await self.page(request, key: "/commitments/\(id)", contentType: LedgerServer.html) { snapshot, language in
                snapshot.site(language).commitmentPage(id)
            }
        }
        read(group, "/reports/:month") { request, context in
            let text = try context.parameters.require("month")
            guard let month = ReportMonth(text) else {
                return try await errorPage(request, status: .badRequest, message: "The month must be written YYYY-MM, for example 2023-07.")
            }
            let editions = try await checkpointer.editions.editions(of: month)
            let checkpoint = try await checkpointer.current()
            return try await self.page(request, key: "/reports/\(month)", contentType: LedgerServer.html) { snapshot, language in
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
        read(group, "/reports/:month/editions/:number") { request, context in
            guard let month = ReportMonth(try context.parameters.require("month")) else {
                return try await errorPage(request, status: .badRequest, message: "The month must be written YYYY-MM, for example 2023-07.")
            }
            return try await edition(request, month: month, numberText: try context.parameters.require("number"))
        }
        // One item's updates: a demand with its commitments, a commitment, an actor.
        for kind in [SubjectKind.demand, .commitment, .actor] {
            for format in ["atom", "json"] {
                read(group, RouterPath(stringLiteral: "/\(kind.rawValue)s/:id/feed.\(format)")) { request, context in
                    try await itemFeed(request, kind: kind, id: try context.parameters.require("id"), format: format)
                }
            }
        }
        // The current public state as spreadsheets (what `ledgerctl sheet export --public` writes).
        read(group, "/sheets/:file") { request, context in
            let records = try await view.withSnapshot { $0.records }
            if let file = TeamRoutes.sheetFile(try context.parameters.require("file"), records: records) { return file }
            return try await errorPage(request, status: .notFound, message: nil)
        }
        read(group, "/calendar.ics") { request, _ in
            try await self.page(request, key: "/calendar.ics", contentType: "text/calendar; charset=utf-8") { snapshot, language in
                let site = snapshot.site(language)
                return DueDateCalendar(state: snapshot.state, language: language, baseURL: configuration.baseURL) {
                    configuration.baseURL + site.link("/commitments/\($0.id)")
                }.ics(name: "\(site.organisation): " + language.text("site.dueDates"))
            }
        }
        read(group, "/feed.atom") { request, _ in
            try await self.page(request, key: "/feed.atom", contentType: "application/atom+xml; charset=utf-8") { snapshot, language in
                feed(snapshot, language).atom(templates: configuration.templates)
            }
        }
        read(group, "/feed.json") { request, _ in
            try await self.page(request, key: "/feed.json", contentType: "application/feed+json; charset=utf-8") { snapshot, language in
                try feed(snapshot, language).json()
            }
        }
    }

    /// The transparency log (C2SP tlog-tiles), for verifiers outside.
    func addLog(to group: RouterGroup<LedgerRequestContext>) {
        read(group, "/log/checkpoint") { request, _ in try await checkpoint(request) }
        read(group, "/log/tile/**") { request, context in
            try await tile(request, path: context.parameters.getCatchAll().joined(separator: "/"))
        }
        read(group, "/log/receipt/:seq") { request, context in
            try await receipt(request, seqText: try context.parameters.require("seq"))
        }
    }

    /// The status and the chain as JSON, and the team's writes.
    func addAPI(to group: RouterGroup<LedgerRequestContext>) {
        read(group, "/api/v1/status") { request, _ in
            if let failure = try await integrityFailure() { return failure }
            return try await self.page(request, key: "/api/v1/status", contentType: LedgerServer.json, languageMatters: false, countsWillDo: true) { snapshot, _ in
                try StatusOverview(state: snapshot.state).jsonText() + "\n"
            }
        }
        read(group, "/api/v1/entries", alsoAllowed: [.post]) { request, _ in try await entries(request) }
        group.post("/api/v1/entries") { request, _ in try await append(request) }
    }
}

/// A read-only address: GET (and HEAD). Other methods on an address that exists are 405
/// naming the ones it takes, not 404.
func read(_ group: RouterGroup<LedgerRequestContext>, _ path: RouterPath, alsoAllowed: [HTTPRequest.Method] = [],
          _ handler: @escaping @Sendable (Request, LedgerRequestContext) async throws -> Response) {
    let allowed = [HTTPRequest.Method.get, .head] + alsoAllowed
    for method in [HTTPRequest.Method.post, .put, .patch, .delete, .options] where !allowed.contains(method) {
        group.on(path, method: method) { _, _ -> Response in
            throw APIError(.methodNotAllowed, "this address answers \(allowed.map(\.rawValue).joined(separator: ", ")) only",
                           headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
        }
    }
    group.get(path, use: handler)
}

/// The API's one mapping of the ledger's errors to HTTP (`APIError.init(_:)`): a handler
/// throws the `LedgerError` as it comes, and a storage failure is logged here, not shown.
struct LedgerErrorMiddleware: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: LedgerRequestContext,
                next: (Request, LedgerRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as LedgerError {
            if error.kind == .storage { logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"]) }
            throw APIError(error)
        }
    }
}
