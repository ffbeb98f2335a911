import Hummingbird
import NIOCore
import Workspace
import LedgerTeam

/// Every request's context: Hummingbird's own, plus the peer's address, which the
/// workspace's sign-in throttle counts failures against.
public struct LedgerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// On a workspace route, the signed-in person (`TeamSessionMiddleware`).
    var signedIn: TeamSessions.Current?
    /// On a workspace POST, its form, whose token `FormTokenMiddleware` checked.
    var form: FormValues?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The address as the throttle keys it: the IP without the port.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The signed-in person, as the pages show them. Only on routes behind
    /// `TeamSessionMiddleware`: anywhere else it is a mistake in the routing.
    func person() throws -> (current: TeamSessions.Current, person: WorkspacePages.Person) {
        guard let current = signedIn else { throw APIError(.internalServerError, "a workspace page was routed without its session check") }
        return (current, WorkspacePages.Person(name: current.member.name, role: current.member.role, csrfToken: current.session.csrfToken))
    }

    /// The POST's form, its token checked. Only on routes behind `FormTokenMiddleware`.
    func postedForm() throws -> FormValues {
        guard let form else { throw APIError(.internalServerError, "a workspace form was routed without its token check") }
        return form
    }
}
