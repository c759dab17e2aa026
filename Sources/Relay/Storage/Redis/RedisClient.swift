import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The relay's Redis client: async/await over a bounded connection pool, hiredis for the wire format.
///
/// - `send` throws Redis error replies as `RedisError.server`.
/// - `pipeline` sends N commands in one write and returns N replies (error replies as values).
/// - `transaction` wraps commands in MULTI/EXEC on one connection.
/// - `evaluate` runs a script with EVALSHA and loads it on NOSCRIPT; `evaluateAll` runs it for many argument lists
///   in one round trip.
/// - `subscriber()` makes a dedicated pub/sub connection.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    let group: EventLoopGroup
    private let pool: RedisConnectionPool
    let logger: Logger
    private let roundTrips = Atomic<Int>(0)

    /// Round trips made so far (one per send, pipeline, transaction or script call), for benchmarks.
    public var roundTripCount: Int { roundTrips.load(ordering: .relaxed) }

    public init(configuration: RedisConfiguration, eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "crs.redis")) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.pool = RedisConnectionPool(configuration: configuration, group: eventLoopGroup)
        self.logger = logger
    }

    public convenience init(url: String, eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "crs.redis")) throws {
        try self.init(configuration: RedisConfiguration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// One command; an error reply is thrown.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        roundTrips.add(1, ordering: .relaxed)
        let reply = try await pool.withConnection { try await $0.send(command) }
        return try reply.throwingErrors()
    }

    @discardableResult
    public func send(_ name: String, _ arguments: RedisArgument...) async throws -> RedisReply {
        try await send(RedisCommand(name, arguments: arguments))
    }

    /// All commands in one round trip; replies in order, error replies as `.error` values.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        if commands.isEmpty { return [] }
        roundTrips.add(1, ordering: .relaxed)
        return try await pool.withConnection { try await $0.pipeline(commands) }
    }

    /// MULTI, the commands, EXEC — one round trip. Returns EXEC's replies; throws if the transaction was
    /// aborted (a command was rejected while queueing) or discarded by WATCH.
    public func transaction(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        let replies = try await pipeline([RedisCommand("MULTI")] + commands + [RedisCommand("EXEC")])
        for reply in replies.dropLast() {
            if case .error(let message) = reply { throw RedisError.server(message) }
        }
        switch replies.last {
        case .array(let results): return results
        case .null: throw RedisError.server("EXEC aborted (watched key changed)")
        case .error(let message): throw RedisError.server(message)
        default: throw RedisError.unexpectedReply("EXEC returned \(String(describing: replies.last))")
        }
    }

    /// EVALSHA; on NOSCRIPT the script is loaded and run again on the same connection (one more round trip, once).
    public func evaluate(_ script: RedisScript, keys: [RedisArgument] = [], arguments: [RedisArgument] = []) async throws -> RedisReply {
        try await evaluateAll(script, [(keys, arguments)])[0].throwingErrors()
    }

    /// One run of `script` per call, all in one round trip; replies in order, error replies as values. Calls that
    /// found the script missing (NOSCRIPT: Redis restarted or flushed its cache) are sent again after loading it.
    public func evaluateAll(_ script: RedisScript, _ calls: [(keys: [RedisArgument], arguments: [RedisArgument])]) async throws -> [RedisReply] {
        if calls.isEmpty { return [] }
        let commands = calls.map { script.command(keys: $0.keys, arguments: $0.arguments) }
        roundTrips.add(1, ordering: .relaxed)
        return try await pool.withConnection { connection -> [RedisReply] in
            var replies = try await connection.pipeline(commands)
            let missing = replies.indices.filter { index in
                if case .error(let message) = replies[index] { return message.hasPrefix("NOSCRIPT") }
                return false
            }
            guard !missing.isEmpty else { return replies }
            let retried = try await connection.pipeline([RedisCommand("SCRIPT", "LOAD", RedisArgument(script.source))] + missing.map { commands[$0] })
            try retried[0].throwingErrors()
            for (offset, index) in missing.enumerated() { replies[index] = retried[offset + 1] }
            return replies
        }
    }

    /// A dedicated connection for SUBSCRIBE; it reconnects and resubscribes by itself.
    public func subscriber() -> RedisSubscriber {
        RedisSubscriber(configuration: configuration, group: group, logger: logger)
    }

    /// PING round trip time; throws when Redis is unreachable.
    public func ping() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await send("PING")
        guard reply == .status("PONG") else { throw RedisError.unexpectedReply("PING answered \(reply)") }
        return clock.now - start
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}
