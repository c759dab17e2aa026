import Foundation

/// One request's usage write, applied atomically and at most once by `UsageScript`: the script sets the request's
/// marker (`crs:usage:applied:{id}`, kept for `markerSeconds`) and updates the counters only if the marker was new.
/// So a write whose reply was lost (Redis died mid-reply) can be replayed without counting twice.
struct UsageWrite: Sendable {
    let id: String
    /// The script's arguments (`UsageScript.Argument` order, then the trailing commands).
    let arguments: [RedisArgument]
    let queuedAt: ContinuousClock.Instant

    static let markerSeconds = 3600

    /// Applies the write; true when this call applied it, false when an earlier attempt already had.
    func apply(on redis: RedisClient) async throws -> Bool {
        let reply = try await redis.evaluate(UsageScript.script, keys: keys, arguments: arguments)
        return reply.int == 1
    }

    /// The `EVALSHA` command `apply` sends.
    var command: RedisCommand { UsageScript.script.command(keys: keys, arguments: arguments) }

    /// The script's one key: this write's at-most-once marker.
    var keys: [RedisArgument] { [RedisArgument(RedisKeys.usageApplied(id))] }
}
