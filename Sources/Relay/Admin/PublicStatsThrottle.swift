import Foundation
import NIOConcurrencyHelpers

/// The public key-statistics API needs no admin token, so its cost is bounded per caller: a client address may make
/// `perAddress` calls a minute and one key id may be read `perKey` times a minute (counted in Redis, so every
/// instance agrees); a key's per-model rows — the one read that scans Redis — are kept for `modelRowsSeconds`.
final class PublicStatsThrottle: Sendable {
    let redis: RedisClient
    let clock: RelayClock
    let perAddress: Int
    let perKey: Int
    static let windowSeconds = 60
    static let modelRowsSeconds: TimeInterval = 30
    private let modelRows = NIOLockedValueBox<[String: CachedRows]>([:])

    /// JSON rows, never mutated once cached.
    struct CachedRows: @unchecked Sendable {
        let at: Date
        let rows: [[String: Any]]
    }

    init(redis: RedisClient, clock: RelayClock, perAddress: Int = 120, perKey: Int = 60) {
        self.redis = redis
        self.clock = clock
        self.perAddress = perAddress
        self.perKey = perKey
    }

    /// Counts one call from `address` touching `keyIDs`; a 429 (Retry-After) once a budget is spent.
    func admit(address: String, keyIDs: [String] = []) async throws {
        let window = Int(clock.now.timeIntervalSince1970) / Self.windowSeconds
        let buckets = [("ip", LoginThrottle.bucket(address), perAddress)] + keyIDs.map { ("key", $0, perKey) }
        var commands: [RedisCommand] = []
        for (kind, name, _) in buckets {
            let key = RedisKeys.publicStatsCalls(kind, name, window)
            commands.append(RedisCommand("INCR", RedisArgument(key)))
            commands.append(RedisCommand("EXPIRE", RedisArgument(key), RedisArgument(Self.windowSeconds * 2)))
        }
        let replies = try await redis.pipeline(commands)
        for (index, bucket) in buckets.enumerated() where (replies[index * 2].int ?? 0) > Int64(bucket.2) {
            let wait = Self.windowSeconds - Int(clock.now.timeIntervalSince1970) % Self.windowSeconds
            throw AdminError(429, "Too many requests", "Too many statistics requests for this \(bucket.0 == "ip" ? "address" : "key"); try again in \(wait) seconds",
                             retryAfter: wait)
        }
    }

    func cachedModelRows(_ key: String, compute: () async throws -> [[String: Any]]) async throws -> [[String: Any]] {
        let now = clock.now
        if let hit = modelRows.withLockedValue({ $0[key] }), now.timeIntervalSince(hit.at) < Self.modelRowsSeconds, hit.at <= now { return hit.rows }
        let rows = try await compute()
        modelRows.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = CachedRows(at: now, rows: rows)
        }
        return rows
    }
}
