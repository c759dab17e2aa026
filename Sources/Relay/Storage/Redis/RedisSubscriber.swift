import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A message published on a channel this subscriber listens to.
public struct RedisPubSubMessage: Sendable, Equatable {
    public let channel: String
    public let payload: [UInt8]
    public var text: String { String(decoding: payload, as: UTF8.self) }

    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }
}

/// Pub/sub on its own connection. Messages arrive on `messages`; after the server goes away the subscriber
/// reconnects with backoff and subscribes to the same channels again (messages published meanwhile are lost,
/// as with any Redis pub/sub — callers that cache state should treat `reconnected` as "invalidate everything").
public final class RedisSubscriber: Sendable {
    public enum Event: Sendable, Equatable {
        case message(RedisPubSubMessage)
        case reconnected
    }

    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let configuration: RedisConfiguration
    private let group: EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var channels: Set<String> = []
        var connection: RedisConnection?
        var supervisor: Task<Void, Never>?
        var closed = false
    }

    init(configuration: RedisConfiguration, group: EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Subscribes and returns once Redis confirmed every channel.
    public func subscribe(_ channels: [String]) async throws {
        state.withLockedValue { $0.channels.formUnion(channels) }
        let connection = try await currentConnection()
        try await subscribe(channels, on: connection)
    }

    public func close() async {
        let (connection, supervisor) = state.withLockedValue { state in
            state.closed = true
            return (state.connection, state.supervisor)
        }
        supervisor?.cancel()
        await connection?.close()
        continuation.finish()
    }

    private func subscribe(_ channels: [String], on connection: RedisConnection) async throws {
        guard !channels.isEmpty else { return }
        var buffer = connection.channel.allocator.buffer(capacity: 64)
        RedisCommandEncoder.encode(RedisCommand("SUBSCRIBE", arguments: channels.map { RedisArgument($0) }), into: &buffer)
        let replies = try await connection.write(buffer, expectingReplies: channels.count)
        for reply in replies { try reply.throwingErrors() }
    }

    private func currentConnection() async throws -> RedisConnection {
        if let existing = state.withLockedValue({ $0.connection }), existing.isActive { return existing }
        let connection = try await openConnection()
        let supervisor = Task { [self] in await self.supervise(connection) }
        state.withLockedValue { state in
            state.connection = connection
            state.supervisor?.cancel()
            state.supervisor = supervisor
        }
        return connection
    }

    private func openConnection() async throws -> RedisConnection {
        var config = configuration
        config.commandTimeout = .hours(24 * 365)  // a subscribed connection waits for pushes indefinitely
        let continuation = self.continuation
        return try await RedisConnection.connect(to: config, on: group.next()) { reply in
            guard case .array(let items) = reply, items.count >= 3 else { return }
            let channel = items[items.count - 2].string ?? ""
            let payload = items[items.count - 1].bytes ?? []
            continuation.yield(.message(RedisPubSubMessage(channel: channel, payload: payload)))
        }
    }

    /// Waits for the connection to close, then reconnects with backoff and resubscribes.
    private func supervise(_ connection: RedisConnection) async {
        try? await connection.channel.closeFuture.get()
        var delay = configuration.reconnectBackoff.minimum
        while !Task.isCancelled, !state.withLockedValue({ $0.closed }) {
            try? await Task.sleep(nanoseconds: UInt64(delay.nanoseconds))
            do {
                let fresh = try await openConnection()
                let channels = Array(state.withLockedValue { $0.channels })
                try await subscribe(channels, on: fresh)
                state.withLockedValue { $0.connection = fresh }
                logger.info("redis subscriber reconnected", metadata: ["channels": "\(channels.count)"])
                continuation.yield(.reconnected)
                await supervise(fresh)
                return
            } catch {
                delay = min(delay * 2, configuration.reconnectBackoff.maximum)
            }
        }
    }
}
