import Foundation
import Logging

/// Operational events (an account failed to refresh its token, …) that someone should hear about.
/// Each is appended to the capped stream `crs:alerts` (XRANGE shows the history; webhook senders read it) and
/// published on the `crs:alerts` channel for live listeners. Publishing never fails the caller's work.
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

    public init(redis: RedisClient, clock: RelayClock, logger: Logger, maxLength: Int = 10_000, metrics: RelayMetrics? = nil) {
        self.metrics = metrics
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
        metrics?.alert(type: alert.type)
        logger.warning("alert", metadata: ["type": "\(alert.type)", "account": "\(alert.accountID)", "message": "\(alert.message)"])
        do {
            _ = try await redis.pipeline([
                RedisCommand("XADD", arguments: [RedisArgument(RedisKeys.alertStream), RedisArgument("MAXLEN"), RedisArgument("~"),
                                                 RedisArgument(maxLength), RedisArgument("*")] + APIKeyStore.flatten(fields)),
                RedisCommand("PUBLISH", RedisArgument(RedisKeys.alertChannel), RedisArgument(JSON.string(fields))),
            ])
        } catch {
            logger.warning("could not publish alert", metadata: ["type": "\(alert.type)", "error": "\(error)"])
        }
    }
}
