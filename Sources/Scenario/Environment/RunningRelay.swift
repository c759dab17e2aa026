import Hummingbird
import Logging
import Relay
import ServiceLifecycle

/// One relay instance running in this process on a free loopback port, as `crs serve` would run it.
public final class RunningRelay: Sendable {
    public let port: Int
    public let services: RelayServices
    private let group: ServiceGroup
    private let task: Task<Void, Error>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    init(port: Int, services: RelayServices, group: ServiceGroup, task: Task<Void, Error>) {
        self.port = port
        self.services = services
        self.group = group
        self.task = task
    }

    public static func start(environment: [String: String], logger: Logger, makeLogger: @escaping @Sendable (String) -> Logger = { Logger(label: $0) }) async throws -> RunningRelay {
        let configuration = try RelayConfiguration(environment: environment)
        let redis = RedisClient(configuration: try configuration.redisConfiguration(url: configuration.redisURL!), logger: makeLogger("crs.redis"))
        let services = try await RelayServices.make(configuration: configuration, redis: redis, logger: logger, makeLogger: makeLogger)
        _ = try await services.credentials.bootstrap(username: configuration.adminUsername, password: configuration.adminPassword, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = RelayApplication(services: services, logger: makeLogger("crs.server")).buildApplication(onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        })
        let background = services.backgroundServices(logger: logger).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        let group = ServiceGroup(configuration: .init(services: background + [.init(service: app)], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw HarnessError("relay did not start listening")
        }
        return RunningRelay(port: port, services: services, group: group, task: task)
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await services.upstream.shutdown()
        await services.redis.shutdown()
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
