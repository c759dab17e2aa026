import NIOCore

/// What the client writes into a connection: encoded commands, how many replies they produce, and one promise
/// completed with all of them (a pipeline costs one completion, not one per command).
struct RedisOutbound {
    var id: UInt64
    var buffer: ByteBuffer
    var expected: Int
    var promise: EventLoopPromise<[RedisReply]>
}

/// A batch waiting for its replies (the head batch's replies collect in `RedisChannelHandler.headReplies`).
struct PendingBatch {
    let id: UInt64
    let expected: Int
    let promise: EventLoopPromise<[RedisReply]>
}

/// Pairs replies with the commands that asked for them, in order (pipelining is just several queued promises).
/// Push messages (`message` / `pmessage` on a subscribed connection) go to `onPush` instead.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisOutbound
    typealias OutboundOut = ByteBuffer

    private let decoder = HiredisDecoder()
    private var pending = CircularBuffer<PendingBatch>(initialCapacity: 16)
    /// Replies of the batch at the head of `pending`, collected outside the ring buffer: appending through its
    /// subscript copied the whole array on every reply (get, append, set) — quadratic in the pipeline's length.
    private var headReplies: [RedisReply] = []
    private var failure: RedisError?
    private let onPush: (@Sendable (RedisReply) -> Void)?

    init(onPush: (@Sendable (RedisReply) -> Void)? = nil) {
        self.onPush = onPush
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outbound = unwrapOutboundIn(data)
        if let failure {
            outbound.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        pending.append(PendingBatch(id: outbound.id, expected: outbound.expected, promise: outbound.promise))
        context.write(wrapOutboundOut(outbound.buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let replies: [RedisReply]
        do {
            replies = try decoder.feed(buffer)
        } catch {
            failAll(error as? RedisError ?? .protocolError("\(error)"))
            context.close(promise: nil)
            return
        }
        for reply in replies {
            if let onPush, Self.isPush(reply) {
                onPush(reply)
            } else if let head = pending.first {
                if headReplies.isEmpty { headReplies.reserveCapacity(head.expected) }
                headReplies.append(reply)
                if headReplies.count == head.expected {
                    let batch = pending.removeFirst()
                    let replies = headReplies
                    headReplies = []
                    batch.promise.succeed(replies)
                }
            } else {
                failAll(.protocolError("reply without a pending command"))
                context.close(promise: nil)
                return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error as? RedisError ?? .connectionClosed)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let timeout = event as? RedisTimeoutEvent {
            // Only a batch that is still waiting may time the connection out: a timer whose cancellation lost the
            // race with its reply must not close a healthy connection under the next command.
            guard pending.contains(where: { $0.id == timeout.batch }) else { return }
            failAll(.timeout(milliseconds: timeout.milliseconds))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        headReplies = []
        while let batch = pending.popFirst() { batch.promise.fail(error) }
    }

    private static func isPush(_ reply: RedisReply) -> Bool {
        guard case .array(let items) = reply, let kind = items.first?.string else { return false }
        return kind == "message" || kind == "pmessage"
    }
}

/// Fired into a connection's pipeline when a command's deadline passes: the connection is dropped
/// (its replies can no longer be matched to commands) and every command on it fails.
struct RedisTimeoutEvent {
    let batch: UInt64
    let milliseconds: Int
}
