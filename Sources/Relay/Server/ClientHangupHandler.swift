import NIOCore

/// Hummingbird accepts half-closed connections, so a client that hangs up mid-response is otherwise noticed only
/// when a later write fails — while the relay keeps paying for the upstream stream. This handler treats the end of
/// the client's input as a hang-up and closes the connection at once, which cancels the streaming response's task
/// (see `withCancellationOnClose`) and with it the upstream request. HTTP/1.1 API clients do not half-close while
/// waiting for a response; nginx behaves the same way (`proxy_ignore_client_abort off`).
final class ClientHangupHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
