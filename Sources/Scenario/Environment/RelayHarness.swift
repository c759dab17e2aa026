import FakeUpstreams
import Foundation
import Logging
import NIOConcurrencyHelpers
import Relay

/// A complete throwaway environment: an ephemeral `redis-server`, the fake upstreams, and N relay instances on
/// that one Redis. Everything is torn down by `stop()` (also after failures: use `withHarness`).
public final class RelayHarness: Sendable {
    public static let adminUsername = "admin"
    public static let adminPassword = "scenario-admin-password"
    public static let encryptionKey = "scenario-encryption-key-0123456789"
    public static let jwtSecret = "scenario-jwt-secret-0123456789-0123456789"

    public let redisServer: RedisServerProcess
    public let redis: RedisClient
    /// Every provider's fake, on one port.
    public let fakes: FakeServer
    private let instances: NIOLockedValueBox<[RunningRelay]>
    /// What the relays logged (debug and up), for failure reports.
    public let logs: RelayLogCapture
    let environment: [String: String]
    let logger: Logger

    public var relays: [RunningRelay] { instances.withLockedValue { $0 } }
    public var relay: RunningRelay { relays[0] }

    init(redisServer: RedisServerProcess, redis: RedisClient, fakes: FakeServer, relays: [RunningRelay], logs: RelayLogCapture,
         environment: [String: String], logger: Logger) {
        self.redisServer = redisServer
        self.redis = redis
        self.fakes = fakes
        self.instances = NIOLockedValueBox(relays)
        self.logs = logs
        self.environment = environment
        self.logger = logger
    }

    /// Stops relay `index` and starts a fresh process-equivalent on the same Redis (new port, new in-memory state):
    /// what survives is what the relay keeps in Redis.
    public func restart(_ index: Int) async throws {
        let old = relays[index]
        await old.stop()
        let fresh = try await RunningRelay.start(environment: environment, logger: logger, makeLogger: { [logs] in logs.logger($0, instance: index) })
        instances.withLockedValue { $0[index] = fresh }
    }

    public static func start(instances: Int = 1, overrides: [String: String] = [:], logLevel: Logger.Level = .error) async throws -> RelayHarness {
        // AOF on, so a scenario can stop and restart Redis (`redis_server: stop|start`) and keep its data.
        var redisOptions = RedisServerProcess.Options.ephemeral
        redisOptions.appendOnly = true
        let redisServer = try await RedisServerProcess.start(redisOptions)
        let logs = RelayLogCapture()
        var started: [RunningRelay] = []
        var fake: FakeServer?
        do {
            var logger = Logger(label: "crs.harness")
            logger.logLevel = logLevel
            fake = try await FakeServer.all(logger: logger)
            var environment = [
                "CRS_ENCRYPTION_KEY": encryptionKey, "CRS_JWT_SECRET": jwtSecret, "CRS_REDIS_URL": redisServer.url,
                "CRS_HOST": "127.0.0.1", "CRS_PORT": "0", "CRS_ADMIN_USERNAME": adminUsername, "CRS_ADMIN_PASSWORD": adminPassword,
                "CRS_LOG_LEVEL": logLevel.rawValue,
                // The built-in prices, so costs are the same on every run (no download; a scenario may set the fake mirror).
                "CRS_PRICING_URL": "off",
                // Anything the relays write to disk (saved price downloads) goes with the run, never into the checkout.
                "CRS_DATA_DIR": redisServer.directory + "/relay-data",
            ]
            // Each provider's upstream and the authorization servers are the fakes'.
            environment.merge(fake!.relayEnvironment) { _, new in new }
            // Overrides may name the fake (`CRS_PRICING_URL: ${fake}/pricing/…`).
            environment.merge(overrides.mapValues { $0.replacingOccurrences(of: "${fake}", with: fake!.baseURL) }) { _, new in new }
            environment["CRS_PORT"] = "0"
            for index in 0..<max(1, instances) {
                started.append(try await RunningRelay.start(environment: environment, logger: logger,
                                                            makeLogger: { logs.logger($0, instance: index) }))
            }
            let redis = try RedisClient(url: redisServer.url)
            return RelayHarness(redisServer: redisServer, redis: redis, fakes: fake!, relays: started, logs: logs,
                                environment: environment, logger: logger)
        } catch {
            for relay in started { await relay.stop() }
            await fake?.stop()
            await redisServer.stop()
            throw error
        }
    }

    public func stop() async {
        for relay in relays { await relay.stop() }
        await fakes.stop()
        await redis.shutdown()
        await redisServer.stop()
    }

    /// Runs `body` in a fresh environment and always tears it down.
    public static func with<T>(instances: Int = 1, overrides: [String: String] = [:], _ body: (RelayHarness) async throws -> T) async throws -> T {
        let harness = try await start(instances: instances, overrides: overrides)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }
}
