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

    /// The sign-in form's token: the one in the browser's cookie, or a new one to set.
    func formToken(_ request: Request) -> (token: String, cookie: String?) {
        if let token = TeamSessions.cookies(request)[TeamSessions.formCookie], token.count == 43 { return (token, nil) }
        let token = SecretToken.new()
        return (token, sessions.cookieHeader(name: TeamSessions.formCookie, value: token, maxAge: 86_400, sameSite: "Strict"))
    }

    func signInPage(_ request: Request) async throws -> Response {
        if try await sessions.current(request) != nil { return Self.redirect(link("/team/", request)) }
        let (token, cookie) = formToken(request)
        return Self.page(.ok, await pages(request).signInPage(signInToken: token), language: language(request), cookies: cookie.map { [$0] } ?? [])
    }

    /// A server with the ledger open for reading only cannot keep sessions: nobody signs in.
    func readOnlyRefusal(_ request: Request) async -> Response? {
        guard configuration.readOnly else { return nil }
        let pages = await pages(request)
        return Self.page(.serviceUnavailable, pages.messagePage(heading: "signIn", text: "readOnly", person: nil), language: pages.language)
    }

    func signIn(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        if let refusal = await readOnlyRefusal(request) { return refusal }
        let pages = await pages(request)
        let (token, cookie) = formToken(request)
        // Without the form's cookie the post cannot be ours: its body is not read.
        if let cookie {
            return Self.page(.forbidden, pages.signInPage(error: "csrf", name: "", signInToken: token), language: pages.language, cookies: [cookie])
        }
        let form = try await form(request, limit: Self.signInBodyLimit)
        guard let sent = form["csrf"], SecretToken.constantTimeEqual(sent, token) else {
            return Self.page(.forbidden, pages.signInPage(error: "csrf", name: form["name"] ?? "", signInToken: token), language: pages.language)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        switch try await sessions.signIn(name: name, password: form["password"] ?? "", address: context.clientAddress) {
        case .signedIn(let sessionCookie, _):
            // Only a path inside the workspace: never another site.
            var next = request.uri.queryParameters.get("next").flatMap { $0.removingPercentEncoding } ?? "/team/"
            if !next.hasPrefix("/team/") || next.hasPrefix("//") || next.contains("\\") { next = "/team/" }
            return Self.redirect(next, cookies: [sessionCookie])
        case .refused:
            return Self.page(.unauthorized, pages.signInPage(error: "badSignIn", name: name, signInToken: token), language: pages.language)
        case .throttled:
            var response = Self.page(.tooManyRequests, pages.signInPage(error: "throttled", name: name, signInToken: token), language: pages.language)
            response.headers[.retryAfter] = String(TeamSessions.throttleWindow)
            return response
        }
    }

    func signOut(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        _ = try context.postedForm()
        let (current, _) = try context.person()
        try await sessions.end(current.session)
        return Self.redirect(link("/team/sign-in", request), cookies: [sessions.clearedSessionCookie])
    }

    func setup(_ request: Request, secret: String) async throws -> Response {
        let pages = await pages(request)
        guard let member = try await ledger.member(withSetupSecret: secret) else {
            return Self.page(.notFound, pages.messagePage(heading: "setupTitle", text: "setupExpired", person: nil), language: pages.language)
        }
        if let refusal = await readOnlyRefusal(request) { return refusal }
        let (token, cookie) = formToken(request)
        let action = link("/team/setup/\(secret)", request)
        guard request.method == .post else {
            return Self.page(.ok, pages.setupPage(member: member.name, action: action, signInToken: token), language: pages.language,
                             cookies: cookie.map { [$0] } ?? [])
        }
        if let cookie {
            return Self.page(.forbidden, pages.setupPage(member: member.name, action: action, error: pages.messageText("csrf"), signInToken: token),
                             language: pages.language, cookies: [cookie])
        }
        let form = try await form(request, limit: Self.signInBodyLimit)
        guard let sent = form["csrf"], SecretToken.constantTimeEqual(sent, token) else {
            return Self.page(.forbidden, pages.setupPage(member: member.name, action: action, error: pages.messageText("csrf"), signInToken: token),
                             language: pages.language)
        }
        let password = form["password"] ?? ""
        if let problem = pages.passwordProblem(password, repeated: form["repeat"] ?? "") {
            return Self.page(.unprocessableContent, pages.setupPage(member: member.name, action: action, error: problem, signInToken: token),
                             language: pages.language)
        }
        guard let saved = try await sessions.choosePassword(for: member, password: password) else {
            return Self.page(.notFound, pages.messagePage(heading: "setupTitle", text: "setupExpired", person: nil), language: pages.language)
        }
        logger.info("password chosen", metadata: ["member": "\(member.name)"])
        return Self.redirect(link("/team/", request), cookies: [try await sessions.startSession(for: saved)])
    }

    // MARK: Pages

    func state() async throws -> (LedgerRecords, LedgerState) {
        let records = try await ledger.records()
        return (records, await teamState.state(of: records, on: .today()))
    }

    func home(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        let (records, state) = try await state()
        return Self.page(.ok, await pages(request).homePage(state: state, records: records, person: person, today: .today()), language: language(request))
    }

    func list(_ request: Request, context: LedgerRequestContext, kind: SubjectKind) async throws -> Response {
        let (_, person) = try context.person()
        let filter = try Routes.filter(request)
        let (_, state) = try await state()
        return Self.page(.ok, await pages(request).listPage(kind, state: state, filter: filter, person: person, today: .today()), language: language(request))
    }

    func newIndex(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        return Self.page(.ok, await pages(request).newIndexPage(person: person), language: language(request))
    }

    /// `GET /team/new/KIND`: the empty form, or one started from a link (`?subject=`,
    /// `?demand=`, `?basis=`, `?seq=` for the entry to amend).
    func newForm(_ request: Request, context: LedgerRequestContext, kind: FormKind) async throws -> Response {
        let (_, person) = try context.person()
        let (records, state) = try await state()
        let query = request.uri.queryParameters
        var form = FormValues()
        if let seq = query.get("seq").flatMap({ Int64($0) }), kind.amendsEntries, let record = records.record(seq: seq) {
            form = EntryForm.values(of: record)
            form.set("target_seq", [String(seq)])
        } else if !kind.amendsEntries {
            form.set("effective", [CalendarDay.today().description])
        }
        if let subject = query.get("subject") { form.set("subject", [subject]) }
        if let demand = query.get("demand") { form.set("demands", [demand]) }
        if let basis = query.get("basis") { form.set("basis", [basis]) }
        return Self.page(.ok, await pages(request).formPage(kind, form: form, records: records, state: state, person: person), language: language(request))
    }

    /// `POST /team/new/KIND`: `action=review` checks the form and shows the entry to be
    /// written (or the form again, each problem beside its field); `action=confirm` writes
    /// it (its id comes from the review page, so a second click writes nothing more);
    /// `action=edit` goes back to the form with the values kept.
    func submit(_ request: Request, context: LedgerRequestContext, kind: FormKind) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        let (records, state) = try await state()
        let action = form["action"] ?? "review"
        // A second click on "Record it" (or a resent form) finds the entry its first wrote.
        if action == "confirm", let id = form["draft_id"].flatMap(UUID.init(uuidString:)),
           let stored = try await ledger.store.entries(withIDs: [id]).first, stored.author == current.member.name {
            return Self.redirect(link("/team/entries/\(stored.seq)?written=1", request))
        }
        let result = EntryForm.read(kind, form, author: current.member.name, records: records)
        guard action != "edit", let draft = result.draft else {
            return Self.page(action == "edit" ? .ok : .unprocessableContent,
                             pages.formPage(kind, form: form, problems: action == "edit" ? [:] : result.problems, records: records, state: state, person: person),
                             language: pages.language)
        }
        guard action == "confirm" else {
            return Self.page(.ok, pages.reviewPage(kind, result: result, form: form, records: records, state: state, person: person), language: pages.language)
        }
        if let refusal = try await writesRefused(request, person: person) { return refusal }
        let written: Ledger.AppendResult
        do {
            written = try await ledger.append([draft])
        } catch let error as LedgerError where error.kind == .invalidInput || error.kind == .notFound {
            // The ledger moved since the review (someone else wrote): judged again, shown on the form.
            return Self.page(.unprocessableContent, pages.formPage(kind, form: form, problems: [EntryForm.inputName(error.field): error],
                                                                  records: records, state: state, person: person), language: pages.language)
        }
        let seq = written.entries[0].seq
        if written.added > 0 {
            logger.info("appended from the workspace", metadata: ["author": "\(current.member.name)", "seq": "\(seq)", "type": "\(draft.type.rawValue)"])
            do { try await view.written(upTo: seq) } catch { logger.warning("refresh after write failed", metadata: ["error": "\(error)"]) }
        }
        // With the key, the page after links to the entry's receipt: sign a checkpoint
        // covering it first, as an API write does.
        if configuration.signer != nil && draft.visibility == .public {
            do { _ = try await checkpointer.covering(seq) } catch {
                logger.error("could not sign a checkpoint for the write", metadata: ["error": "\(error)"])
            }
        }
        return Self.redirect(link("/team/entries/\(seq)?written=1", request), cookies: [readYourWritesCookie(seq)])
    }

    /// The public pages this person opens next show at least `seq` (`ReadYourWrites`).
    func readYourWritesCookie(_ seq: Int64) -> String {
        ReadYourWrites.fields(head: seq, secure: configuration.secureCookies)[.setCookie] ?? ""
    }

    /// When the server may not write: a ledger that failed verification, or opened read-only.
    func writesRefused(_ request: Request, person: WorkspacePages.Person) async throws -> Response? {
        let pages = await pages(request)
        if let warning = try await view.warningOnceVerified() {
            return Self.page(.serviceUnavailable, pages.messagePage(heading: "forbidden", text: warning.text(pages.language), person: person), language: pages.language)
        }
        if configuration.readOnly {
            return Self.page(.serviceUnavailable, pages.messagePage(heading: "forbidden", text: "readOnly", person: person),
                             language: pages.language)
        }
        return nil
    }

    func entry(_ request: Request, context: LedgerRequestContext, seqText: String) async throws -> Response {
        let (_, person) = try context.person()
        let pages = await pages(request)
        let (records, state) = try await state()
        guard let seq = Int64(seqText), let record = records.record(seq: seq) else {
            return Self.page(.notFound, pages.messagePage(heading: "notFound", text: "notFoundText", person: person), language: pages.language)
        }
        return Self.page(.ok, pages.entryPage(record, state: state, person: person, justWritten: request.uri.queryParameters.get("written") != nil,
                                              receiptsServed: configuration.signer != nil), language: pages.language)
    }

    // MARK: People and tokens

    func people(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        return Self.page(.ok, await pages(request).peoplePage(members: try await ledger.accounts.members(), tokens: try await ledger.accounts.tokens(), person: person),
                         language: language(request))
    }

    /// `POST /team/people`: `action` is add, reset, disable (people) or token, revoke (API
    /// tokens). A new set-up link or token is shown once, on the page answered.
    func changePeople(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        var secret: WorkspacePages.OneTimeSecret?
        var problem: String?
        let member = (form["member"] ?? form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            switch form["action"] ?? "" {
            case "add":
                guard let role = TeamRole(rawValue: form["role"] ?? "") else { throw LedgerError(field: "role", "must be viewer, editor or admin") }
                let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
                let link = try await ledger.addMember(name: member, role: role, email: email.isEmpty ? nil : email)
                secret = .init(kind: .setupLink, name: member, value: configuration.baseURL + link.path)
            case "reset":
                let link = try await ledger.resetMember(name: member)
                secret = .init(kind: .setupLink, name: member, value: configuration.baseURL + link.path)
            case "disable":
                guard member != current.member.name else { throw LedgerError(field: "member", "you cannot disable yourself; ask another admin") }
                try await ledger.disableMember(name: member)
            case "token":
                secret = .init(kind: .token, name: token, value: try await ledger.addToken(name: token))
            case "revoke":
                try await ledger.revokeToken(name: token)
            default:
                throw LedgerError(field: "action", "is not one this page offers")
            }
            logger.info("team changed", metadata: ["by": "\(current.member.name)", "action": "\(form["action"] ?? "")", "member": "\(member)", "token": "\(token)"])
        } catch let error as LedgerError where error.kind != .storage {
            problem = error.description
        } catch let error as LedgerError {
            // A role that may not write these tables (docs/postgresql.md: the app role's grants).
            logger.error("could not change the team", metadata: ["error": "\(error)"])
            problem = error.message
        }
        return Self.page(problem == nil ? .ok : .unprocessableContent,
                         pages.peoplePage(members: try await ledger.accounts.members(), tokens: try await ledger.accounts.tokens(), person: person,
                                          secret: secret, error: problem), language: pages.language)
    }

    // MARK: Calendar, settings, webhooks

    /// `/team/calendar.ics?key=SECRET`: every due date, internal ones too, for calendar apps
    /// (which cannot sign in): the person's secret address is the key. 404 without a valid one.
    func calendar(_ request: Request) async throws -> Response {
        let pages = await pages(request)
        guard let key = request.uri.queryParameters.get("key"), key.count < 200,
              let member = try await ledger.member(withCalendarSecret: String(key)) else {
            return Self.page(.notFound, pages.messagePage(heading: "notFound", text: "notFoundText", person: nil), language: pages.language)
        }
        let language = request.uri.queryParameters.get("lang").flatMap { ReportLanguage(rawValue: String($0)) } ?? ReportLanguage(rawValue: member.language) ?? .en
        let (_, state) = try await state()
        let base = configuration.baseURL
        let text = DueDateCalendar(state: state, language: language, baseURL: base) { commitment in
            commitment.visibility == .public ? base + "/commitments/\(commitment.id)?lang=\(language.rawValue)"
                : base + "/team/commitments?q=\(commitment.id)&lang=\(language.rawValue)"
        }.ics(name: "\(pages.organisation): " + language.text("team.calendarName"))
        var headers = Self.headers
        headers[.contentType] = "text/calendar; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func settings(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (current, person) = try context.person()
        return Self.page(.ok, await pages(request).settingsPage(member: current.member, mail: try await ledger.accounts.mailDeliveries(member: current.member.name, limit: 20),
                                                                person: person), language: language(request))
    }

    /// `POST /team/settings`: `action=mail` saves the reminders and their language;
    /// `action=calendar` makes a new calendar address, shown once.
    func changeSettings(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        var calendarURL: String?
        var notice: String?
        var problem: String?
        do {
            switch form["action"] ?? "" {
            case "mail":
                try await ledger.setNotifications(name: current.member.name, weekly: form["weekly"] != nil, overdue: form["overdue"] != nil,
                                                  language: form["language"] ?? current.member.language)
                notice = "saved"
            case "calendar":
                calendarURL = configuration.baseURL + "/team/calendar.ics?key=" + (try await ledger.resetCalendar(name: current.member.name))
            default:
                throw LedgerError(field: "action", "is not one this page offers")
            }
        } catch let error as LedgerError where error.kind != .storage {
            problem = error.description
        }
        let member = try await ledger.member(named: current.member.name)
        return Self.page(problem == nil ? .ok : .unprocessableContent,
                         pages.settingsPage(member: member, mail: try await ledger.accounts.mailDeliveries(member: member.name, limit: 20), person: person,
                                            calendarURL: calendarURL, notice: notice, error: problem), language: pages.language)
    }

    func webhookList() async throws -> [(Webhook, [WebhookDelivery])] {
        var hooks: [(Webhook, [WebhookDelivery])] = []
        for hook in try await ledger.accounts.webhooks() { hooks.append((hook, try await ledger.accounts.webhookDeliveries(hookID: hook.id, limit: 10))) }
        return hooks
    }

    func webhooks(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        return Self.page(.ok, await pages(request).webhooksPage(hooks: try await webhookList(), person: person), language: language(request))
    }

    /// `POST /team/webhooks`: `action=add` (the signing secret is shown once) or `remove`.
    func changeWebhooks(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        var secret: (url: String, secret: String)?
        var problem: String?
        do {
            switch form["action"] ?? "" {
            case "add":
                let url = (form["url"] ?? "").trimmingCharacters(in: .whitespaces), allowPrivate = form["allow_private"] != nil
                _ = try await WebhookTarget.check(url, allowPrivate: allowPrivate, allowing: "the box \"\(pages.word("allowPrivate"))\"")
                let hook = try await ledger.addWebhook(url: url, publicOnly: form["public_only"] != nil, allowPrivate: allowPrivate)
                secret = (hook.url, hook.secret)
            case "remove":
                try await ledger.removeWebhook(id: Int64(form["id"] ?? "") ?? 0)
            default:
                throw LedgerError(field: "action", "is not one this page offers")
            }
            logger.info("webhooks changed", metadata: ["by": "\(current.member.name)", "action": "\(form["action"] ?? "")"])
        } catch let error as LedgerError where error.kind != .storage {
            problem = error.description
        }
        return Self.page(problem == nil ? .ok : .unprocessableContent,
                         pages.webhooksPage(hooks: try await webhookList(), person: person, newSecret: secret, error: problem),
                         language: language(request))
    }

    // MARK: Spreadsheets

    func sheets(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        return Self.page(.ok, await pages(request).sheetsPage(person: person), language: language(request))
    }

    /// `/team/sheets/KIND.csv` (everything) and, with `audience: .public`, `/sheets/KIND.csv`.
    static func sheetFile(_ name: String, records: LedgerRecords) -> Response? {
        guard name.hasSuffix("s.csv"), let kind = SubjectKind(rawValue: String(name.dropLast(5))) else { return nil }
        var headers = Self.headers
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        let csv = SheetExport.csv(kind: kind, state: LedgerState(records: records, asOf: .today()), records: records)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    func teamSheetFile(_ request: Request, context: LedgerRequestContext, name: String) async throws -> Response {
        _ = try context.person()
        if let file = Self.sheetFile(name, records: try await ledger.records()) { return file }
        return try await notFound(request, context: context)
    }

    /// `POST /team/sheets`: `action=preview` (the upload) shows what the sheet would write,
    /// or every problem by row and column; `action=confirm` writes it, all or nothing, judged
    /// again against the ledger as it is then (so a second click writes nothing more).
    func uploadSheet(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        guard let kind = form["kind"].flatMap(SubjectKind.init(rawValue:)) else { throw APIError(.badRequest, field: "kind", "must be actor, demand or commitment") }
        let csv = form["csv"] ?? "", reason = form["reason"] ?? ""
        let plan = SheetPlan(csv: csv, kind: kind, records: try await ledger.records(), author: current.member.name, reason: reason.isEmpty ? nil : reason)
        guard plan.problems.isEmpty else {
            return Self.page(.unprocessableContent, pages.sheetsPage(person: person, problems: plan.problems, problemCount: plan.problemCount, kind: kind, reason: reason), language: pages.language)
        }
        guard form["action"] == "confirm", !plan.drafts.isEmpty else {
            return Self.page(.ok, pages.sheetReviewPage(plan, kind: kind, csv: csv, reason: reason, person: person), language: pages.language)
        }
        if let refusal = try await writesRefused(request, person: person) { return refusal }
        let written = try await ledger.append(plan.drafts)
        logger.info("sheet imported from the workspace", metadata: ["author": "\(current.member.name)", "kind": "\(kind.rawValue)", "added": "\(written.added)"])
        let head = written.entries.map(\.seq).max() ?? 0
        do { try await view.written(upTo: head) } catch { logger.warning("refresh after write failed", metadata: ["error": "\(error)"]) }
        return Self.redirect(link("/team/entries/\(written.entries.last!.seq)?written=1", request), cookies: [readYourWritesCookie(head)])
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
