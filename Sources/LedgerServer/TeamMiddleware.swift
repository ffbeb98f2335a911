import Foundation
import Hummingbird
import Ledger
import LedgerTeam
import Workspace

/// Every workspace page but sign-in, set-up and the calendar needs a session: a GET or HEAD
/// without one is sent to sign in (and back here after), anything else is refused with 401.
/// The person goes into the request's context.
struct TeamSessionMiddleware: RouterMiddleware {
    let routes: TeamRoutes

    func handle(_ request: Request, context: LedgerRequestContext,
                next: (Request, LedgerRequestContext) async throws -> Response) async throws -> Response {
        guard let current = try await routes.sessions.current(request) else {
            if request.method == .get || request.method == .head {
                let here = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
                let back = here.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return TeamRoutes.redirect(routes.link("/team/sign-in?next=\(back)", request))
            }
            let pages = await routes.pages(request)
            return TeamRoutes.page(.unauthorized, pages.messagePage(heading: "signIn", text: "expired", person: nil, signInLink: true), language: pages.language)
        }
        var context = context
        context.signedIn = current
        return try await next(request, context)
    }
}

/// What a role may reach: editors write entries and sheets, admins manage people, tokens and
/// webhooks. After `TeamSessionMiddleware`.
struct TeamRoleMiddleware: RouterMiddleware {
    enum Needed { case writer, admin }
    let routes: TeamRoutes
    let needed: Needed

    func handle(_ request: Request, context: LedgerRequestContext,
                next: (Request, LedgerRequestContext) async throws -> Response) async throws -> Response {
        let (current, person) = try context.person()
        let allowed = switch needed {
        case .writer: current.member.role.canWrite
        case .admin: current.member.role == .admin
        }
        guard allowed else {
            let pages = await routes.pages(request)
            return TeamRoutes.page(.forbidden, pages.messagePage(heading: "forbidden", text: needed == .admin ? "adminsOnly" : "forbidden", person: person),
                                   language: pages.language)
        }
        return try await next(request, context)
    }
}

/// A workspace POST carries its session's form token, or nothing it asks is done. The body is
/// read here, only once the session (and role) passed, and handed on in the context.
struct FormTokenMiddleware: RouterMiddleware {
    let routes: TeamRoutes

    func handle(_ request: Request, context: LedgerRequestContext,
                next: (Request, LedgerRequestContext) async throws -> Response) async throws -> Response {
        let (current, person) = try context.person()
        let form = try await routes.form(request)
        guard let sent = form["csrf"], SecretToken.constantTimeEqual(sent, current.session.csrfToken) else {
            return await routes.csrfRefused(request, person: person)
        }
        var context = context
        context.form = form
        return try await next(request, context)
    }
}
