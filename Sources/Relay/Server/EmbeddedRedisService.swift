import Logging
import ServiceLifecycle

/// Keeps the embedded `redis-server` alive while the relay runs: restarts it (with backoff) if it exits,
/// and stops it cleanly on shutdown, after the HTTP server has drained (it is registered first, so it stops last).
public struct EmbeddedRedisService: Service {
    public let server: RedisServerProcess
    public let logger: Logger

    public init(server: RedisServerProcess, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    public func run() async throws {
        var delay: UInt64 = 200_000_000
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 500_000_000)
                if server.isRunning || Task.isShuttingDownGracefully { continue }
                logger.error("embedded redis-server exited; restarting", metadata: ["dir": "\(server.directory)"])
                do {
                    try await server.launch()
                    logger.notice("embedded redis-server restarted")
                    delay = 200_000_000
                } catch {
                    logger.error("embedded redis-server restart failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(nanoseconds: delay)
                    delay = min(delay * 2, 10_000_000_000)
                }
            }
        } onGracefulShutdown: {}
        await server.halt()
        logger.info("embedded redis-server stopped")
    }
}
