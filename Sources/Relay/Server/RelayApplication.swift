import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Composition root: the routes of a running relay.
public struct RelayApplication {
    public let services: RelayServices
    public let logger: Logger

    public init(services: RelayServices, logger: Logger) {
        self.services = services
        self.logger = logger
    }

    public func buildRouter() -> Router<RelayRequestContext> {
        let router = Router(context: RelayRequestContext.self)
        let configuration = services.configuration
        router.add(middleware: CORSMiddleware(origins: configuration.corsOrigins))
        router.add(middleware: UnknownRouteMiddleware())
        let startedAt = Date()
        let health = HealthController(redis: services.redis, startedAt: .now)
        router.get("/health") { _, _ in try await health.check() }
        router.get("/ping") { _, _ in "pong" }

        MetricsController(services: services, token: services.configuration.metricsToken).register(on: router)
        // The admin web UI (static files, read once).
        if let root = WebAssets.locate(configured: configuration.webRoot) {
            WebUIController(assets: WebAssets(root: root)).register(on: router)
        } else {
            logger.warning("admin web UI files not found; set CRS_WEB_ROOT to the web/admin-next folder")
        }

        // Admin API: login is public (under /web and /admin); everything else needs the JWT.
        let auth = AuthController(credentials: services.credentials, sessions: services.sessions,
                                  throttle: LoginThrottle(redis: services.redis, maxFailures: configuration.adminLoginMaxFailures,
                                                          window: configuration.adminLoginLockoutSeconds),
                                  trustedProxies: configuration.trustedProxies)
        let usage = UsageReader(redis: services.redis, keys: services.keys, accounts: services.accounts, clock: services.clock,
                                offsetHours: configuration.timezoneOffsetHours)
        PublicStatsController(keys: services.keys,
                              report: KeyUsageReport(redis: services.redis, clock: services.clock, offsetHours: configuration.timezoneOffsetHours),
                              models: ModelUsage(reader: usage, prices: services.prices),
                              throttle: PublicStatsThrottle(redis: services.redis, clock: services.clock),
                              trustedProxies: configuration.trustedProxies).register(on: router)
        let oem = OEMSettingsController(redis: services.redis, clock: services.clock)
        for prefix in ["web", "admin"] {
            let open = router.group(RouterPath(prefix)).add(middleware: AdminErrorMiddleware())
            auth.registerPublic(on: open)
            if prefix == "admin" { oem.registerPublic(on: open) }
            // Anything not routed under /admin or /web: a JSON 404 (never an empty body), with or without a token.
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                open.on("**", method: method) { request, _ -> Response in
                    AdminReply.failure(404, "Not Found", "Route \(request.method) \(request.uri.path) not found")
                }
            }
        }
        for prefix in ["admin", "web"] {
            let admin = router.group(RouterPath(prefix))
                .add(middleware: AdminErrorMiddleware())
                .add(middleware: AdminAuthMiddleware(sessions: services.sessions))
            auth.registerProtected(on: admin)
            if prefix == "admin" {
                // Each provider's client routes (its API families) and admin routes of its own.
                let routes = ProviderRoutes(client: router, admin: admin, services: services)
                for provider in ProviderRegistry.all { provider.register(routes) }
                let keys = APIKeysController(store: services.keys, reader: usage, clock: services.clock)
                APIKeyBatchController(keys: keys).register(on: admin)
                keys.register(on: admin)
                PricingController(book: services.prices, refresher: services.pricingRefresher, redis: services.redis).register(on: admin)
                oem.registerProtected(on: admin)
                HelpersController(redis: services.redis, credentials: services.credentials,
                                  claudeCodeVersion: services.configuration.claudeCodeVersion).register(on: admin)
                AccountGroupsController(redis: services.redis, clock: services.clock).register(on: admin)
                UpdateCheckController(feedURL: services.configuration.updateCheckURL).register(on: admin)
                WebhookController(store: WebhookConfigStore(redis: services.redis, clock: services.clock),
                                  sender: WebhookSender(clients: services.upstream, logger: services.relay.logger), clock: services.clock).register(on: admin)
                DashboardController(reader: usage, startedAt: startedAt).register(on: admin)
                TrendsController(reader: usage, prices: services.prices).register(on: admin)
                AccountUsageController(reader: usage, prices: services.prices).register(on: admin)
                UsageRecordsController(reader: usage).register(on: admin)
                if let settings = services.relay.relaySettings {
                    RequestDetailsController(store: RequestDetailStore(redis: services.redis), settings: settings, reader: usage,
                                             clock: services.clock).register(on: admin)
                }
                AccountKindsController().register(on: admin)
                ConcurrencyController(redis: services.redis, clock: services.clock).register(on: admin)
                for kind in AccountKind.all where kind.isOAuth {
                    OAuthController(kind: kind, onboarding: services.onboarding, refresher: services.tokens, store: services.accounts,
                                    clock: services.clock).register(on: admin)
                }
                AccountTestsController(run: services.accountTestRun(), store: AccountTestStore(redis: services.redis), accounts: services.accounts,
                                       clock: services.clock).register(on: admin)
                let checks = services.healthChecks(logger: services.relay.logger)
                for kind in AccountKind.all {
                    HealthCheckController(kind: kind, checks: checks, store: services.accounts, redis: services.redis).register(on: admin)
                    AccountsController(kind: kind, store: services.accounts, clock: services.clock, onboarding: services.onboarding,
                                       droidOAuth: kind == .droid ? DroidProvider.deviceAuthorization(services) : nil).register(on: admin)
                }
            }
        }
        return router
    }

    /// The HTTP server plus `services` (embedded Redis supervisor, background jobs) in one service group.
    public func buildApplication(services extra: [any Service] = [], onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let headTimeout = TimeAmount.milliseconds(Int64(services.configuration.clientHeaderTimeoutSeconds * 1000))
        let bodyTimeout = TimeAmount.milliseconds(Int64(services.configuration.clientBodyTimeoutSeconds * 1000))
        return Application(
            router: buildRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [
                ClientHangupHandler(), RequestDeadlineHandler(headTimeout: headTimeout, bodyTimeout: bodyTimeout),
            ])),
            configuration: .init(address: .hostname(services.configuration.host, port: services.configuration.port), serverName: nil),
            services: extra,
            onServerRunning: onServerRunning,
            logger: logger)
    }
}
