import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One connection to Redis. Commands may be pipelined by several callers at once; replies come back in order.
public final class RedisConnection: Sendable {
    let channel: Channel
    /// Set once a command failed at the connection level (timeout, close, protocol error): the channel may still
    /// look active for a moment while it closes, but nothing more may be sent on it.
    private let broken = NIOLockedValueBox(false)

    init(channel: Channel) {
        self.channel = channel
    }

    public var isActive: Bool { channel.isActive && !broken.withLockedValue { $0 } }
    var eventLoop: EventLoop { channel.eventLoop }

    /// Connects, then authenticates and selects the database the configuration names.
    public static func connect(
        to configuration: RedisConfiguration,
        on eventLoop: EventLoop,
        onPush: (@Sendable (RedisReply) -> Void)? = nil
    ) async throws -> RedisConnection {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(commandTimeout: configuration.commandTimeout, onPush: onPush))
                }
            }
        let channel: Channel
        do {
            switch configuration.endpoint {
            case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
            case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            case .sentinel(let master, let sentinels):
                let address = try await RedisSentinel.masterAddress(master, sentinels: sentinels, configuration: configuration, on: eventLoop)
                channel = try await bootstrap.connect(host: address.host, port: address.port).get()
            }
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError.unavailable(reason: Self.describe(error), retryInMilliseconds: 0)
        }
        let connection = RedisConnection(channel: channel)
        do {
            var setup: [RedisCommand] = []
            if let password = configuration.password {
                if let username = configuration.username {
                    setup.append(RedisCommand("AUTH", RedisArgument(username), RedisArgument(password)))
                } else {
                    setup.append(RedisCommand("AUTH", RedisArgument(password)))
                }
            }
            if configuration.database != 0 { setup.append(RedisCommand("SELECT", RedisArgument(configuration.database))) }
            // Through Sentinel: the address must still be the master (it may have been demoted a moment ago).
            if case .sentinel = configuration.endpoint { setup.append(RedisCommand("ROLE")) }
            if !setup.isEmpty {
                for reply in try await connection.pipeline(setup) {
                    if case .error(let message) = reply { throw RedisError.server(message) }
                    if case .array(let role) = reply, let first = role.first?.string, first != "master" {
                        throw RedisError.unavailable(reason: "the address Sentinel named is a \(first), not the master (failover in progress)", retryInMilliseconds: 0)
                    }
                }
            }
        } catch {
            try? await channel.close()
            throw error
        }
        return connection
    }

    /// Sends one command and returns its reply; error replies are returned as `.error`, not thrown.
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        try await pipeline([command])[0]
    }

    /// Sends all commands in one write and awaits all replies (one round trip).
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        if commands.isEmpty { return [] }
        var buffer = channel.allocator.buffer(capacity: 64 * commands.count)
        for command in commands { RedisCommandEncoder.encode(command, into: &buffer) }
        return try await write(buffer, expectingReplies: commands.count)
    }

    /// Writes pre-encoded bytes and waits for `count` replies.
    func write(_ buffer: ByteBuffer, expectingReplies count: Int) async throws -> [RedisReply] {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: [RedisReply].self)
        // A write that never reaches the handler (channel already closed) must still fail the batch;
        // completing an already-completed promise is a no-op in NIO. (The handler keeps the command timeout.)
        let written = loop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(RedisError.connectionClosed) }
        channel.writeAndFlush(RedisOutbound(buffer: buffer, expected: count, promise: promise), promise: written)
        do {
            let replies = try await promise.futureResult.get()
            // A server that turned into a replica (Sentinel failover) answers writes with READONLY: this
            // connection must not be reused; the next one asks the sentinels for the new master.
            if replies.contains(where: { if case .error(let message) = $0 { return message.hasPrefix("READONLY") } else { return false } }) {
                broken.withLockedValue { $0 = true }
            }
            return replies
        } catch {
            broken.withLockedValue { $0 = true }
            throw error
        }
    }

    public func close() async {
        try? await channel.close()
    }

    static func describe(_ error: Error) -> String {
        if let redis = error as? RedisError { return redis.description }
        if error is ChannelError { return "\(error)" }
        return String(describing: error)
    }
}
