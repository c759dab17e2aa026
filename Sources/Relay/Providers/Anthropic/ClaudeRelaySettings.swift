import Foundation
import NIOConcurrencyHelpers

/// Node's global relay settings, the JSON value `claude_relay_config`: the "Claude Code only" switch (the Claude
/// routes refuse every other client, relay-wide), the global session binding, the concurrent-request queue and the
/// user-message queue, and the request-detail capture. Fields this relay does not act on are kept as stored, so a Node
/// instance on the same Redis keeps its own. Read at most every few seconds per instance; one instance per relay.
public final class ClaudeRelaySettings: Sendable {
    public struct Values: Sendable {
        public var claudeCodeOnly = false
        public var sessionBinding = false
        public var sessionBindingErrorMessage = ClaudeRelaySettings.defaultBindingMessage
        public var sessionBindingTTLDays = 1.0
        /// The concurrent-request queue (every family's requests, not only Claude's — Node's switch lives here).
        var queue = ConcurrencyQueue.Settings()
        /// The user-message serial queue on subscription accounts.
        var userMessageQueue = UserMessageQueue.Settings()
        /// Request-detail capture (every family's requests).
        var requestDetails = RequestDetailSettings()
    }

    /// Node's default is Chinese ("你的本地session已污染，请清理后使用。"); a stored message is used as it is.
    public static let defaultBindingMessage = "Your local session is no longer valid here; clear it (/clear) and start a new one."
    static let cacheSeconds: TimeInterval = 5

    let redis: RedisClient
    let clock: RelayClock
    private let cached = NIOLockedValueBox<(at: Date, values: Values)?>(nil)

    public init(redis: RedisClient, clock: RelayClock) {
        self.redis = redis
        self.clock = clock
    }

    /// The settings in force; Redis trouble means the defaults (nothing extra is refused), as in Node.
    public func current() async -> Values {
        let now = clock.now
        if let hit = cached.withLockedValue({ $0 }), now.timeIntervalSince(hit.at) < Self.cacheSeconds, hit.at <= now { return hit.values }
        let values = Self.values((try? await stored()) ?? [:])
        cached.withLockedValue { $0 = (now, values) }
        return values
    }

    /// The whole stored document with Node's defaults filled in (the admin API's view).
    func document() async throws -> [String: Any] {
        Self.defaults.merging(try await stored()) { _, new in new }
    }

    func update(_ changes: [String: Any], by admin: String) async throws -> [String: Any] {
        var document = try await document()
        document.merge(changes) { _, new in new }
        document["updatedAt"] = ISOTime.string(clock.now)
        document["updatedBy"] = admin
        _ = try await redis.send("SET", RedisArgument(RedisKeys.claudeRelayConfig), RedisArgument(JSON.string(document)))
        cached.withLockedValue { $0 = (clock.now, Self.values(document)) }
        return document
    }

    private func stored() async throws -> [String: Any] {
        guard let text = try await redis.send("GET", RedisArgument(RedisKeys.claudeRelayConfig)).string else { return [:] }
        return JSON.object(Data(text.utf8)) ?? [:]
    }

    static var defaults: [String: Any] {
        ["claudeCodeOnlyEnabled": false, "globalSessionBindingEnabled": false, "sessionBindingErrorMessage": defaultBindingMessage,
         "sessionBindingTtlDays": 1, "concurrentRequestQueueEnabled": false, "concurrentRequestQueueMaxSize": 3,
         "concurrentRequestQueueMaxSizeMultiplier": 0, "concurrentRequestQueueTimeoutMs": 10_000, "concurrentRequestQueueHealthCheckEnabled": true,
         "concurrentRequestQueueHealthThreshold": 0.8, "userMessageQueueEnabled": false,
         "userMessageQueueDelayMs": 200, "userMessageQueueTimeoutMs": 60_000, "userMessageQueueLockTtlMs": 120_000, "updatedAt": NSNull(), "updatedBy": NSNull()]
            .merging(RequestDetailSettings.defaults) { current, _ in current }
    }

    static func values(_ document: [String: Any]) -> Values {
        var values = Values()
        values.claudeCodeOnly = document["claudeCodeOnlyEnabled"] as? Bool == true
        values.sessionBinding = document["globalSessionBindingEnabled"] as? Bool == true
        if let message = document["sessionBindingErrorMessage"] as? String, !message.isEmpty { values.sessionBindingErrorMessage = message }
        if let days = JSON.number(document["sessionBindingTtlDays"]), days > 0 { values.sessionBindingTTLDays = days }
        values.queue = ConcurrencyQueue.Settings(document)
        values.userMessageQueue = UserMessageQueue.Settings(document)
        values.requestDetails = RequestDetailSettings(document)
        return values
    }
}
