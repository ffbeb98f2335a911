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

/// Signing in, choosing a password from a set-up link, signing out.
extension TeamRoutes {
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
}
