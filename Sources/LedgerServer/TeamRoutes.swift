import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Reports
import Sheets
import Workspace
import LedgerTeam

/// `/team/…`: the policy team's workspace. Every page needs a session; a GET without one is
/// sent to sign in, a POST without one is refused. Every POST carries the form token. The
/// checks are middleware on the route groups (`add(to:)`), so a handler starts signed in.
struct TeamRoutes: Sendable {
    let view: PublicView
    let checkpointer: Checkpointer
    let sessions: TeamSessions
    let configuration: LedgerServerConfiguration
    let logger: Logger
    /// The team's view of the ledger, built once per head and day, as the public one is.
    let teamState = TeamState()
    var ledger: Ledger { view.ledger }

    /// The security headers every response has, and never a copy kept of a page about people.
    static let headers: HTTPFields = {
        var headers = Responses.securityHeaders
        headers[.cacheControl] = "no-store"
        return headers
    }()

    static func page(_ status: HTTPResponse.Status, _ html: String, language: ReportLanguage, cookies: [String] = []) -> Response {
        var headers = Self.headers
        headers[.contentType] = LedgerServer.html
        headers[.contentLanguage] = language.rawValue
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = Self.headers
        headers[.location] = location
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// The workspace's routes, grouped by what they need: nothing (signing in, setting up, the
    /// calendar apps' address), a session, a role; and, for a POST, its form token.
    func add(to router: Router<LedgerRequestContext>) {
        router.get("/team/sign-in") { request, _ in try await signInPage(request) }
        router.post("/team/sign-in") { request, context in try await signIn(request, context: context) }
        router.get("/team/setup/:secret") { request, context in try await setup(request, secret: try context.parameters.require("secret")) }
        router.post("/team/setup/:secret") { request, context in try await setup(request, secret: try context.parameters.require("secret")) }
        router.get("/team/calendar.ics") { request, _ in try await calendar(request) }

        let signedIn = router.group().add(middleware: TeamSessionMiddleware(routes: self))
        signedIn.get("/team/") { request, context in try await home(request, context: context) }
        signedIn.get("/team/demands") { request, context in try await list(request, context: context, kind: .demand) }
        signedIn.get("/team/commitments") { request, context in try await list(request, context: context, kind: .commitment) }
        signedIn.get("/team/actors") { request, context in try await list(request, context: context, kind: .actor) }
        signedIn.get("/team/sheets") { request, context in try await sheets(request, context: context) }
        signedIn.get("/team/sheets/:file") { request, context in try await teamSheetFile(request, context: context, name: try context.parameters.require("file")) }
        signedIn.get("/team/settings") { request, context in try await settings(request, context: context) }
        signedIn.get("/team/entries/:seq") { request, context in try await entry(request, context: context, seqText: try context.parameters.require("seq")) }
        // Anything else under /team/ is a page not found, for the signed-in only.
        signedIn.get("/team/**") { request, context in try await notFound(request, context: context) }
        signedIn.post("/team/**") { request, context in try await notFound(request, context: context) }
        let posted = signedIn.group().add(middleware: FormTokenMiddleware(routes: self))
        posted.post("/team/sign-out") { request, context in try await signOut(request, context: context) }
        posted.post("/team/settings") { request, context in try await changeSettings(request, context: context) }

        let writers = signedIn.group().add(middleware: TeamRoleMiddleware(routes: self, needed: .writer))
        writers.get("/team/new") { request, context in try await newIndex(request, context: context) }
        let writersPosting = writers.group().add(middleware: FormTokenMiddleware(routes: self))
        // One route per form: any other kind falls to the signed-in "not found" above.
        for kind in FormKind.allCases {
            writers.get("/team/new/\(kind.rawValue)") { request, context in try await newForm(request, context: context, kind: kind) }
            writersPosting.post("/team/new/\(kind.rawValue)") { request, context in try await submit(request, context: context, kind: kind) }
        }
        writersPosting.post("/team/sheets") { request, context in try await uploadSheet(request, context: context) }

        let admins = signedIn.group().add(middleware: TeamRoleMiddleware(routes: self, needed: .admin))
        admins.get("/team/people") { request, context in try await people(request, context: context) }
        admins.get("/team/webhooks") { request, context in try await webhooks(request, context: context) }
        let adminsPosting = admins.group().add(middleware: FormTokenMiddleware(routes: self))
        adminsPosting.post("/team/people") { request, context in try await changePeople(request, context: context) }
        adminsPosting.post("/team/webhooks") { request, context in try await changeWebhooks(request, context: context) }
    }

    func language(_ request: Request) -> ReportLanguage { (try? LanguageChoice(request: request))?.language ?? .en }

    /// The pages in the request's language, under the coalition's name as the public site shows it.
    func pages(_ request: Request) async -> WorkspacePages {
        let path = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        let language = language(request)
        let organisation = (try? await view.withSnapshot { MonthlyReport.defaultOrganisation(state: $0.state, language: language) }) ?? "Accountability Ledger"
        return WorkspacePages(language: language, organisation: organisation, path: path)
    }

    /// Where a link inside the workspace goes, keeping the page's language when the URL chose it.
    func link(_ path: String, _ request: Request) -> String {
        guard let lang = request.uri.queryParameters.get("lang"), ReportLanguage(rawValue: lang) != nil else { return path }
        return path + (path.contains("?") ? "&" : "?") + "lang=\(lang)"
    }

    /// The sign-in and set-up forms hold a name and two passwords: nothing larger is read
    /// from someone not signed in.
    static let signInBodyLimit = 16 << 10

    /// The form body, urlencoded or (a file upload) multipart, at most `limit` bytes
    /// (`configuration.maxBodyBytes` by default). Read only once the session, or the sign-in
    /// form's cookie, has been checked.
    func form(_ request: Request, limit: Int? = nil) async throws -> FormValues {
        let limit = limit ?? configuration.maxBodyBytes
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, field: "body", "is larger than \(limit) bytes")
        }
        if let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)) {
            guard let form = MultipartForm.form(buffer, boundary: boundary) else {
                throw APIError(.badRequest, field: "body", "is not a well-formed multipart form of UTF-8 text")
            }
            return form
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self), let form = FormValues(urlEncoded: text) else {
            throw APIError(.badRequest, field: "body", "is not a form")
        }
        return form
    }

    func csrfRefused(_ request: Request, person: WorkspacePages.Person?) async -> Response {
        let pages = await pages(request)
        logger.warning("form refused: missing or wrong form token", metadata: ["path": "\(request.uri.path)"])
        return Self.page(.forbidden, pages.messagePage(heading: "forbidden", text: "csrf", person: person), language: pages.language)
    }

    func notFound(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        let pages = await pages(request)
        return Self.page(.notFound, pages.messagePage(heading: "notFound", text: "notFoundText", person: person), language: pages.language)
    }
}

/// The internal `LedgerState` of the latest head, kept between requests: every workspace
/// page reads it, and building it is a pass over every record.
actor TeamState {
    private var kept: (head: ChainHead, day: CalendarDay, state: LedgerState)?

    func state(of records: LedgerRecords, on day: CalendarDay) -> LedgerState {
        if let kept, kept.head == records.head, kept.day == day { return kept.state }
        let state = LedgerState(records: records, asOf: day)
        kept = (records.head, day, state)
        return state
    }
}
