import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Relay
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the relay. Without CRS_REDIS_URL it starts and supervises a local redis-server under CRS_DATA_DIR/redis (AOF on).")

    @Option(help: "A .env file read before the environment (real variables win).")
    var envFile = ".env"

    @Option(help: "Record every upstream exchange as a cassette (secrets removed) in this directory (CRS_RECORD_DIR).")
    var record: String?

    func run() async throws {
        MemoryTuning.apply()
        var environment = EnvironmentFile.merged(file: envFile)
        if let record { environment["CRS_RECORD_DIR"] = record }
        let configuration: RelayConfiguration
        do {
            configuration = try RelayConfiguration(environment: environment)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        RelayLogHandler.bootstrap(level: configuration.logLevel, format: configuration.logFormat == .json ? .json : .text)
        let logger = Logger(label: "crs.serve")

        var services: [any Service] = []
        let redisURL: String?
        if configuration.usesSentinel || configuration.redisURL != nil {
            redisURL = configuration.redisURL
            let redacted = try configuration.redisConfiguration(url: redisURL).redactedDescription
            logger.info("using external Redis", metadata: ["redis": "\(redacted)"])
        } else {
            let directory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path + "/redis"
            let server = try await RedisServerProcess.start(.embedded(directory: directory))
            redisURL = server.url
            services.append(EmbeddedRedisService(server: server, logger: Logger(label: "crs.redis.embedded")))
            logger.notice("CRS_REDIS_URL not set: started the embedded redis-server (AOF on)", metadata: ["dir": "\(directory)", "socket": "\(server.url)"])
        }

        let redis = RedisClient(configuration: try configuration.redisConfiguration(url: redisURL), logger: Logger(label: "crs.redis"))
        let relayServices: RelayServices
        do {
            relayServices = try await RelayServices.make(configuration: configuration, redis: redis, logger: logger)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            throw ExitCode(78)
        }
        // Set the admin login up before the server listens, so a login right after start-up (a deploy script, the
        // benchmark) never meets a 401 for credentials that are still being written. With Redis down, the service
        // below keeps trying in the background and the relay comes up anyway.
        let announce: @Sendable (String, String) -> Void = { username, password in
            // Printed once, to the console only (never into the structured log).
            print("Admin credentials generated (shown once; set CRS_ADMIN_USERNAME/CRS_ADMIN_PASSWORD to choose your own):")
            print("  username: \(username)")
            print("  password: \(password)")
            fflush(nil)  // under systemd/Docker stdout is a pipe: do not leave this in a buffer
        }
        let credentials = relayServices.credentials
        let (username, password) = (configuration.adminUsername, configuration.adminPassword)
        let adminReady = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    if let generated = try await credentials.bootstrap(username: username, password: password, logger: logger) {
                        announce(generated.username, generated.password)
                    }
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {  // Redis slow or down: do not hold the server back for it
                try? await Task.sleep(for: .seconds(3))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !adminReady { services.append(AdminBootstrapService(
            credentials: relayServices.credentials, username: configuration.adminUsername, password: configuration.adminPassword,
            logger: logger,
            announce: announce)) }
        services += relayServices.backgroundServices(logger: Logger(label: "crs.background"))
        let relay = RelayApplication(services: relayServices, logger: Logger(label: "crs.server"))
        services.append(relay.buildApplication())
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        await relayServices.upstream.shutdown()
        await redis.shutdown()
    }
}
