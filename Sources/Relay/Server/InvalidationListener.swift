import Logging
import ServiceLifecycle

/// Keeps this instance's in-process directories in step with writes made by other instances: listens on
/// `crs:invalidate` and hands each event to the stores.
public struct InvalidationListener: Service {
    let redis: RedisClient
    let accounts: AccountStore
    let logger: Logger

    public init(redis: RedisClient, accounts: AccountStore, logger: Logger) {
        self.redis = redis
        self.accounts = accounts
        self.logger = logger
    }

    public func run() async throws {
        let subscriber = redis.subscriber()
        var delay: UInt64 = 100_000_000
        while !Task.isShuttingDownGracefully, !Task.isCancelled {  // cancelled: sleep returns at once, so stop
            do {
                try await subscriber.subscribe([RedisKeys.invalidationChannel])
                break
            } catch {
                logger.warning("cannot subscribe to invalidations yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 5_000_000_000)
            }
        }
        await withGracefulShutdownHandler {
            for await event in subscriber.events {
                await accounts.handle(event)
            }
        } onGracefulShutdown: {
            Task { await subscriber.close() }
        }
    }
}
