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

/// What admins manage: people, API tokens and webhooks.
extension TeamRoutes {
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
}
