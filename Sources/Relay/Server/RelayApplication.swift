import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Composition root: builds the router and the Hummingbird application from a configuration and a Redis client.
public struct RelayApplication {
    public let configuration: RelayConfiguration
    public let redis: RedisClient
    public let logger: Logger

    public init(configuration: RelayConfiguration, redis: RedisClient, logger: Logger) {
        self.configuration = configuration
        self.redis = redis
        self.logger = logger
    }

    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        HealthController(redis: redis, startedAt: .now).register(on: router)
        router.get("/ping") { _, _ in "pong" }
        return router
    }

    /// The HTTP server plus `services` (embedded Redis supervisor, background jobs) in one service group.
    public func buildApplication(services: [any Service] = [], onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger)
    }
}
