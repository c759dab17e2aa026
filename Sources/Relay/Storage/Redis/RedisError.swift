/// Everything the Redis client can fail with. Messages never include command arguments (they may hold secrets).
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error reply, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case server(String)
    /// The connection closed while the command was in flight; the command may or may not have run.
    case connectionClosed
    /// No connection could be made; `retryInMilliseconds` is when the pool tries again.
    case unavailable(reason: String, retryInMilliseconds: Int)
    /// A command got no reply within the configured timeout; the connection was dropped.
    case timeout(milliseconds: Int)
    /// Every pooled connection stayed busy for longer than the lease timeout.
    case poolExhausted(size: Int, waitedMilliseconds: Int)
    /// The server sent bytes hiredis could not parse.
    case protocolError(String)
    /// The URL or configuration is unusable.
    case invalidConfiguration(String)
    /// A reply had a different shape than the caller needed.
    case unexpectedReply(String)
    /// The client was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .server(let message): return "Redis error: \(message)"
        case .connectionClosed: return "Redis connection closed while a command was in flight"
        case .unavailable(let reason, let retry): return "Redis unavailable (\(reason)); next connection attempt in \(retry) ms"
        case .timeout(let ms): return "Redis command timed out after \(ms) ms"
        case .poolExhausted(let size, let waited): return "Redis pool exhausted: all \(size) connections busy for \(waited) ms"
        case .protocolError(let message): return "Redis protocol error: \(message)"
        case .invalidConfiguration(let message): return "Redis configuration invalid: \(message)"
        case .unexpectedReply(let message): return "Unexpected Redis reply: \(message)"
        case .shutDown: return "Redis client is shut down"
        }
    }

    /// Redis is up but cannot serve yet (loading its data after a restart, or a replica during failover).
    public var isLoading: Bool {
        guard case .server(let message) = self else { return false }
        return message.hasPrefix("LOADING") || message.hasPrefix("MASTERDOWN") || message.hasPrefix("READONLY") || message.hasPrefix("TRYAGAIN")
    }

    /// True for errors after which the same command can succeed on a new connection.
    public var isConnectionError: Bool {
        switch self {
        case .connectionClosed, .unavailable, .timeout, .poolExhausted, .protocolError: return true
        default: return false
        }
    }
}
