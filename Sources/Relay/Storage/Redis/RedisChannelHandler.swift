import NIOCore

/// What the client writes into a connection: encoded commands, how many replies they produce, and one promise
/// completed with all of them (a pipeline costs one completion, not one per command).
struct RedisOutbound {
    var buffer: ByteBuffer
    var expected: Int
    var promise: EventLoopPromise<[RedisReply]>
}

/// A batch waiting for its replies (the head batch's replies collect in `RedisChannelHandler.headReplies`).
struct PendingBatch {
    let expected: Int
    let promise: EventLoopPromise<[RedisReply]>
    let deadline: NIODeadline
}

/// Pairs replies with the commands that asked for them, in order (pipelining is just several queued promises).
/// Push messages (`message` / `pmessage` on a subscribed connection) go to `onPush` instead.
///
/// Command timeouts are kept here, on the event loop: one timer per connection watches the oldest waiting batch
/// (replies come in order, so no later batch can be overdue before it). Before, every command scheduled and
/// cancelled its own timer from the caller's thread — two cross-thread wake-ups of the event loop per round trip.
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
    private let commandTimeout: TimeAmount
    /// Armed while batches wait; fires at the head batch's deadline (or re-arms for a newer head).
    private var timer: Scheduled<Void>?

    init(commandTimeout: TimeAmount, onPush: (@Sendable (RedisReply) -> Void)? = nil) {
        self.commandTimeout = commandTimeout
        self.onPush = onPush
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outbound = unwrapOutboundIn(data)
        if let failure {
            outbound.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        let deadline = NIODeadline.now() + commandTimeout
        pending.append(PendingBatch(expected: outbound.expected, promise: outbound.promise, deadline: deadline))
        if timer == nil { arm(context, at: deadline) }
        context.write(wrapOutboundOut(outbound.buffer), promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let head = pending.first else { return }
            guard head.deadline <= .now() else {
                arm(context, at: head.deadline)
                return
            }
            // The connection is dropped: its later replies could no longer be matched to commands.
            failAll(.timeout(milliseconds: Int(commandTimeout.nanoseconds / 1_000_000)))
            context.close(promise: nil)
        }
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

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        headReplies = []
        while let batch = pending.popFirst() { batch.promise.fail(error) }
        timer?.cancel()
        timer = nil
    }

    private static func isPush(_ reply: RedisReply) -> Bool {
        guard case .array(let items) = reply, let kind = items.first?.string else { return false }
        return kind == "message" || kind == "pmessage"
    }
}
