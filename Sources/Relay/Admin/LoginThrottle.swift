import Foundation
import NIOPosix

/// Refuses admin logins from a client address after repeated failures (`CRS_ADMIN_LOGIN_MAX_FAILURES` within
/// `CRS_ADMIN_LOGIN_LOCKOUT_SECONDS`, counted in Redis so every instance agrees). Per address — an IPv6 client per
/// /64, the block one host commonly holds — not per username: a per-username lock would let anyone lock the
/// administrator out.
///
/// An attempt is claimed before the password is checked, in one atomic step: N parallel attempts count N, so at
/// most the limit of them ever reach the (deliberately slow) password check. A success clears the count.
struct LoginThrottle: Sendable {
    let redis: RedisClient
    let maxFailures: Int
    let window: Int

    /// Counts the attempt; over the limit it is taken back (the count stays at the limit) and the wait returned.
    static let claimScript = RedisScript("""
    local count = redis.call('INCR', KEYS[1])
    if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
    if count <= tonumber(ARGV[1]) then return 0 end
    redis.call('DECR', KEYS[1])
    local ttl = redis.call('TTL', KEYS[1])
    if ttl < 1 then
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      ttl = tonumber(ARGV[2])
    end
    return ttl
    """)

    /// nil: the address may try now (the attempt counts as a failure unless it succeeds); else seconds to wait.
    func claim(_ address: String) async throws -> Int? {
        guard maxFailures > 0 else { return nil }
        let reply = try await redis.evaluate(Self.claimScript, keys: [RedisArgument(RedisKeys.adminLoginFailures(Self.bucket(address)))],
                                             arguments: [RedisArgument(maxFailures), RedisArgument(window)])
        let wait = Int(reply.int ?? 0)
        return wait > 0 ? wait : nil
    }

    func succeeded(_ address: String) async throws {
        try await redis.send("DEL", RedisArgument(RedisKeys.adminLoginFailures(Self.bucket(address))))
    }

    /// The address as counted: IPv4 as written, IPv6 as its /64 (`2001:db8:1:2::/64`), an IPv4-mapped IPv6 as IPv4.
    static func bucket(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, address, &raw) == 1 else { return address }
        let bytes = withUnsafeBytes(of: &raw) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// The password check runs on NIO's blocking pool: scrypt takes tens of milliseconds of CPU (seconds in a debug
    /// build) and would hold a cooperative-pool thread — on two cores, half the relay — for all of it.
    static func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
