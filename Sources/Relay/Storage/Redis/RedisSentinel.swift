import NIOCore

/// Asks the sentinels (in order, first answer wins) where the master of a monitored set is now. Each new connection
/// asks again, so after a failover the pool's next connections reach the promoted replica.
enum RedisSentinel {
    struct Address { let host: String; let port: Int }

    static func masterAddress(_ master: String, sentinels: [RedisConfiguration.SentinelAddress], configuration: RedisConfiguration,
                              on eventLoop: EventLoop) async throws -> Address {
        var failures: [String] = []
        for sentinel in sentinels {
            var asking = RedisConfiguration(endpoint: .tcp(host: sentinel.host, port: sentinel.port), password: configuration.sentinelPassword,
                                            connectTimeout: configuration.connectTimeout, commandTimeout: configuration.commandTimeout)
            asking.poolSize = 1
            do {
                let connection = try await RedisConnection.connect(to: asking, on: eventLoop)
                let reply = try await connection.send(RedisCommand("SENTINEL", "get-master-addr-by-name", RedisArgument(master)))
                await connection.close()
                if case .array(let parts) = reply, parts.count == 2, let host = parts[0].string, let port = parts[1].string.flatMap(Int.init) {
                    return Address(host: host, port: port)
                }
                failures.append("\(sentinel): \(reply.isNull ? "does not know '\(master)'" : "answered \(reply)")")
            } catch {
                failures.append("\(sentinel): \(error)")
            }
        }
        throw RedisError.unavailable(reason: "no sentinel named a master for '\(master)' (\(failures.joined(separator: "; ")))", retryInMilliseconds: 0)
    }
}
