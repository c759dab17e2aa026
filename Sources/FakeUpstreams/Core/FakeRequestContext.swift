import Hummingbird
import NIOCore

/// The fakes' request context: Hummingbird's core storage plus the connection, so a streaming reply can tell
/// whether its client (the relay) is still there before it hands over the next event.
public struct FakeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// Like a real API server, a fake treats the end of its client's input as a hang-up and closes the connection,
/// so `channel.isActive` tells a stream whether the relay has gone (Hummingbird otherwise allows half-closure).
final class FakeHangupHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }
}
