import Foundation
import NIOConcurrencyHelpers

/// Remembers the newest Claude Code user agent (`claude-cli/x.y.z (…)`) clients send, in Node's
/// `claude_code_user_agent:daily` (25 h TTL), so admins see which version the relay presents. A request writes only
/// when it brings a newer version than this instance has seen — the hot path stays write-free.
public final class ClaudeCodeUserAgent: Sendable {
    let redis: RedisClient
    private let newest = NIOLockedValueBox<[Int]>([])

    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// `claude-cli/2.0.14 (external, cli)` → "2.0.14".
    public static func version(of userAgent: String) -> String? {
        TextScan.claudeCLIVersion(userAgent, caseInsensitive: true)
    }

    func observe(_ userAgent: String?) {
        guard let userAgent, userAgent.hasPrefix("claude-cli/"), let version = Self.version(of: userAgent) else { return }
        let parts = version.split(separator: ".").compactMap { Int($0) }
        let isNewer = newest.withLockedValue { current in
            guard parts.lexicographicallyPrecedes(current) == false, parts != current else { return false }
            current = parts
            return true
        }
        guard isNewer else { return }
        let redis = self.redis
        Task { _ = try? await redis.send("SET", RedisArgument(RedisKeys.claudeCodeUserAgent), RedisArgument(userAgent), "EX", 90_000) }
    }
}
