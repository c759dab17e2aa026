import NIOCore
import NIOHTTPTypes

/// Slow-client guard (slowloris): a request's head must be complete within `headTimeout` of the connection opening
/// or of the previous response's end (this is also the keep-alive idle limit), and its body within `bodyTimeout` of
/// the head; otherwise the connection is closed. A response being written (a long stream) is never cut by it.
///
/// Each step only moves `deadline`; one timer per connection follows it lazily (when it fires early it re-arms for
/// the current deadline, when there is none it stops), so a request costs no timer scheduling or cancelling.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    /// When the connection is closed unless the next step comes first; nil while a request is being answered.
    private var deadline: NIODeadline?
    private var timer: (task: Scheduled<Void>, due: NIODeadline)?

    init(headTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, headTimeout)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context, bodyTimeout)
        case .end: disarm()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // The response is complete: the next request's head is due within the head timeout.
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let written = promise ?? context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenSuccess { loopBound.value.0.arm(loopBound.value.1, loopBound.value.0.headTimeout) }
            context.write(data, promise: written)
            return
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        let due = context.eventLoop.now + timeout
        deadline = due
        // A timer due later than the new deadline (a body timeout shorter than the head's) is moved forward.
        if let timer, timer.due <= due { return }
        timer?.task.cancel()
        schedule(context, at: due)
    }

    private func schedule(_ context: ChannelHandlerContext, at due: NIODeadline) {
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { [self] in
            timer = nil
            guard let deadline else { return }  // a request is being answered: nothing to watch
            if deadline <= context.eventLoop.now {
                context.close(promise: nil)
            } else {
                schedule(context, at: deadline)
            }
        }
        timer = (task, due)
    }

    private func disarm() {
        deadline = nil
    }

    private func stop() {
        deadline = nil
        timer?.task.cancel()
        timer = nil
    }
}
