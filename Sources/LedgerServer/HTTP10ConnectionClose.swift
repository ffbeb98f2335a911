import NIOCore
import NIOHTTP1

/// HTTP/1.0 connections close after each response unless the client asked to keep them
/// alive (RFC 9112 §9.3). Hummingbird closes a connection whose request says
/// `Connection: close`, but sees requests only after the HTTP version is gone; so this
/// handler, placed right after the HTTP/1 decoder, says it for HTTP/1.0 requests.
final class HTTP10ConnectionClose: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if case .head(var head) = part, head.version == .http1_0,
           !head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "keep-alive" }) {
            head.headers.replaceOrAdd(name: "connection", value: "close")
            part = .head(head)
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// What Hummingbird's `additionalChannelHandlers` adds (after its HTTP/1 to HTTP types
    /// codec): it puts the handler before that codec, next to the decoder, and leaves.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never

        func handlerAdded(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            if let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) {
                try? pipeline.addHandler(HTTP10ConnectionClose(), position: .after(decoder))
            }
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
