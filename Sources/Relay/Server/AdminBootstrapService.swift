import Logging
import ServiceLifecycle

/// Sets up the admin login once Redis is reachable, retrying with backoff, so a relay started while Redis is
/// down still comes up (and reports 503 on /health) instead of exiting. Generated credentials are handed to
/// `announce` exactly once.
public struct AdminBootstrapService: Service {
    let credentials: AdminCredentials
    let username: String?
    let password: String?
    let logger: Logger
    let announce: @Sendable (String, String) -> Void

    public init(credentials: AdminCredentials, username: String?, password: String?, logger: Logger, announce: @escaping @Sendable (String, String) -> Void) {
        self.credentials = credentials
        self.username = username
        self.password = password
        self.logger = logger
        self.announce = announce
    }

    public func run() async throws {
        var delay: UInt64 = 200_000_000
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                if let generated = try await credentials.bootstrap(username: username, password: password, logger: logger) {
                    announce(generated.username, generated.password)
                }
                break
            } catch {
                logger.warning("admin credentials not set up yet (Redis unreachable?); retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 10_000_000_000)
            }
        }
        // Stay alive until shutdown, as a service must.
        try? await gracefulShutdown()
    }
}
