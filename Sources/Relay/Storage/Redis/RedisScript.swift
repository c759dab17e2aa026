import Crypto

/// A Lua script identified by its SHA1, run with EVALSHA.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public func command(keys: [RedisArgument], arguments: [RedisArgument]) -> RedisCommand {
        RedisCommand("EVALSHA", arguments: [RedisArgument(sha1), RedisArgument(keys.count)] + keys + arguments)
    }
}
