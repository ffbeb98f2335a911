import Hummingbird
import NIOCore

/// Every request's context: Hummingbird's own, plus the peer's address, which the
/// workspace's sign-in throttle counts failures against.
public struct LedgerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The address as the throttle keys it: the IP without the port.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
