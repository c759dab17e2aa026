import Foundation

/// Refuses admin logins from a client address after repeated failures (`CRS_ADMIN_LOGIN_MAX_FAILURES` within
/// `CRS_ADMIN_LOGIN_LOCKOUT_SECONDS`, counted in Redis so every instance agrees). Per address, not per username:
/// a per-username lock would let anyone lock the administrator out. A successful login clears the count.
struct LoginThrottle: Sendable {
    let redis: RedisClient
    let maxFailures: Int
    let window: Int

    /// Seconds until the address may try again, or nil when it may try now.
    func lockedFor(_ address: String) async throws -> Int? {
        guard maxFailures > 0 else { return nil }
        let replies = try await redis.pipeline([
            RedisCommand("GET", RedisArgument(RedisKeys.adminLoginFailures(address))),
            RedisCommand("TTL", RedisArgument(RedisKeys.adminLoginFailures(address))),
        ])
        guard let count = replies[0].string.flatMap(Int.init), count >= maxFailures else { return nil }
        return max(1, Int(replies[1].int ?? Int64(window)))
    }

    func failed(_ address: String) async throws {
        guard maxFailures > 0 else { return }
        _ = try await redis.pipeline([
            RedisCommand("INCR", RedisArgument(RedisKeys.adminLoginFailures(address))),
            RedisCommand("EXPIRE", RedisArgument(RedisKeys.adminLoginFailures(address)), RedisArgument(window), "NX"),
        ])
    }

    func succeeded(_ address: String) async throws {
        try await redis.send("DEL", RedisArgument(RedisKeys.adminLoginFailures(address)))
    }
}
