import Foundation
import NIOCore
import Relay

/// Runs `body` against a fresh `redis-server` and a client for it; both are torn down even if `body` throws.
func withRedis<T>(
    configure: (inout RedisConfiguration) -> Void = { _ in },
    _ body: (RedisServerProcess, RedisClient) async throws -> T
) async throws -> T {
    try await RedisServerProcess.withEphemeral { server in
        var configuration = try RedisConfiguration(url: server.url)
        configure(&configuration)
        let client = RedisClient(configuration: configuration)
        do {
            let result = try await body(server, client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}
