import Foundation
import Logging

/// Operational events (an account failed to refresh its token, …) that someone should hear about.
/// Each is appended to the capped stream `crs:alerts` (XRANGE shows the history; webhook senders read it) and
/// published on the `crs:alerts` channel for live listeners. Publishing never fails the caller's work.
/// The same alert type for the same account is published once per `quietSeconds` across all instances (a
/// rate-limited account answering ten concurrent requests is one alert, not ten webhooks).
public struct AlertPublisher: Sendable {
    public struct Alert: Sendable {
        /// `token_refresh_failed`, `account_unauthorized`, …
        public let type: String
        public let accountID: String
        public let accountName: String
        public let platform: String
        public let message: String

        public init(type: String, accountID: String, accountName: String, platform: String, message: String) {
            self.type = type
            self.accountID = accountID
            self.accountName = accountName
            self.platform = platform
            self.message = message
        }
    }

    let redis: RedisClient
    let clock: RelayClock
    let logger: Logger
    let maxLength: Int

    let metrics: RelayMetrics?

    let quietSeconds: Int

    /// SET NX the quiet-period key; only if it was free, append to the stream and publish.
    static let script = RedisScript("""
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        local fields = {}
        for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        return 1
        """)

    public init(redis: RedisClient, clock: RelayClock, logger: Logger, maxLength: Int = 10_000, quietSeconds: Int = 300, metrics: RelayMetrics? = nil) {
        self.metrics = metrics
        self.quietSeconds = quietSeconds
        self.redis = redis
        self.clock = clock
        self.logger = logger
        self.maxLength = maxLength
    }

    public func publish(_ alert: Alert) async {
        let fields = [
            "type": alert.type, "accountId": alert.accountID, "accountName": alert.accountName, "platform": alert.platform,
            "message": alert.message, "timestamp": ISOTime.string(clock.now),
        ]
        do {
            let published = try await redis.evaluate(
                Self.script, keys: [RedisArgument(RedisKeys.alertQuiet(alert.type, alert.accountID)), RedisArgument(RedisKeys.alertStream)],
                arguments: [RedisArgument(quietSeconds), RedisArgument(maxLength), RedisArgument(RedisKeys.alertChannel),
                            RedisArgument(JSON.string(fields))] + APIKeyStore.flatten(fields))
            guard published.int == 1 else { return }
            metrics?.alert(type: alert.type)
            logger.warning("alert", metadata: ["type": "\(alert.type)", "account": "\(alert.accountID)", "message": "\(alert.message)"])
        } catch {
            logger.warning("could not publish alert", metadata: ["type": "\(alert.type)", "error": "\(error)"])
        }
    }
}
