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

        // Client routes (Anthropic family), under /api and /claude.
        let claudeSettings = ClaudeRelaySettings(redis: services.redis, clock: services.clock)
        let bindings = ClaudeSessionBindings(redis: services.redis, accounts: services.accounts, clock: services.clock)
        let claudeCode = configuration.claudeCodeShaping ? ClaudeCodeSupport(headers: ClaudeCodeHeaders(redis: services.redis), prices: services.prices) : nil
        let messages = RelayHandler(context: services.claude, family: ClaudeFamily(userAgents: services.claude.userAgents, claudeCode: claudeCode,
                                                                                 relaySettings: claudeSettings, sessionBindings: bindings),
                                    scheduler: services.claudeScheduler)
        let info = ClaudeInfoController(admission: services.claude.admission, redis: services.redis)
        for prefix in ["/api", "/claude", "/api/claude"] {
            router.post("\(prefix)/v1/messages") { request, context in await messages.handle(request, operation: ClaudeFamily.messages, channel: context.channel) }
            router.post("\(prefix)/v1/messages/count_tokens") { request, context in await messages.handle(request, operation: ClaudeFamily.countTokens, channel: context.channel) }
            router.get("\(prefix)/v1/models") { request, _ in await info.models(request) }
            router.get("\(prefix)/v1/key-info") { request, _ in await info.keyInfo(request) }
        }

        // OpenAI Responses (Codex CLI and the openai SDK), under /openai.
        let responses = RelayHandler(context: services.claude, family: OpenAIResponsesFamily(), scheduler: services.openAIScheduler)
        for path in ["/openai/responses", "/openai/v1/responses"] {
            router.post(RouterPath(path)) { request, context in
                await responses.handle(request, operation: OpenAIResponsesFamily.responses, channel: context.channel)
            }
        }

        // Gemini: the standard API (google-genai SDKs, Gemini CLI with a key) and Code Assist (Gemini CLI, OAuth).
        let gemini = RelayHandler(context: services.claude, family: GeminiFamily(), scheduler: services.geminiScheduler)
        for version in ["v1beta", "v1"] {
            router.post(RouterPath("/gemini/\(version)/models/:modelAction")) { request, context in
                let action = (context.parameters.get("modelAction") ?? "").split(separator: ":").last.map(String.init) ?? ""
                guard [GeminiFamily.generate, GeminiFamily.stream, GeminiFamily.countTokens].contains(action) else {
                    return GeminiErrors.response(RelayError(404, "not_found_error", "Unknown Gemini method '\(action)'"))
                }
                return await gemini.handle(request, operation: action, channel: context.channel)
            }
        }
        GeminiModelsController(admission: services.claude.admission).register(on: router)
        MetricsController(services: services, token: services.configuration.metricsToken).register(on: router)
        router.post("/gemini/:method") { request, context in
            let method = context.parameters.get("method") ?? ""
            let action = GeminiFamily.action(method)
            guard method.hasPrefix(GeminiFamily.codeAssistPrefix),
                  [GeminiFamily.generate, GeminiFamily.stream, GeminiFamily.countTokens].contains(action) || GeminiFamily.setupMethods.contains(action) else {
                return GeminiErrors.response(RelayError(404, "not_found_error", "Unknown Gemini method '\(method)'"))
            }
            return await gemini.handle(request, operation: method, channel: context.channel)
        }

        // Azure OpenAI: Node's paths and the ones the official SDK's AzureOpenAI client builds.
        let azure = RelayHandler(context: services.claude, family: AzureFamily(), scheduler: services.azureScheduler)
        for path in ["/azure/chat/completions", "/azure/openai/deployments/:deployment/chat/completions"] {
            router.post(RouterPath(path)) { request, context in await azure.handle(request, operation: AzureFamily.chatCompletions, channel: context.channel) }
        }
        for path in ["/azure/responses", "/azure/openai/responses", "/azure/openai/v1/responses"] {
            router.post(RouterPath(path)) { request, context in await azure.handle(request, operation: AzureFamily.responses, channel: context.channel) }
        }

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
                let keys = APIKeysController(store: services.keys, reader: usage, clock: services.clock)
                APIKeyBatchController(keys: keys).register(on: admin)
                keys.register(on: admin)
                PricingController(book: services.prices, refresher: services.pricingRefresher, redis: services.redis).register(on: admin)
                oem.registerProtected(on: admin)
                ClaudeRelayConfigController(settings: claudeSettings).register(on: admin)
                HelpersController(redis: services.redis, credentials: services.credentials,
                                  claudeCodeVersion: services.configuration.claudeCodeVersion).register(on: admin)
                AccountGroupsController(redis: services.redis, clock: services.clock).register(on: admin)
                UpdateCheckController(feedURL: services.configuration.updateCheckURL).register(on: admin)
                WebhookController(store: WebhookConfigStore(redis: services.redis, clock: services.clock),
                                  sender: WebhookSender(clients: services.upstream, logger: services.claude.logger), clock: services.clock).register(on: admin)
                DashboardController(reader: usage, startedAt: startedAt).register(on: admin)
                TrendsController(reader: usage, prices: services.prices).register(on: admin)
                AccountUsageController(reader: usage, prices: services.prices).register(on: admin)
                for kind in [AccountKind.claudeOfficial, .gemini, .openAI] {
                    OAuthController(kind: kind, onboarding: services.onboarding, refresher: services.tokens, store: services.accounts,
                                    clock: services.clock).register(on: admin)
                }
                let checks = services.healthChecks(logger: services.claude.logger)
                for kind in AccountKind.all {
                    HealthCheckController(kind: kind, checks: checks, store: services.accounts, redis: services.redis).register(on: admin)
                    AccountsController(kind: kind, store: services.accounts, clock: services.clock, onboarding: services.onboarding).register(on: admin)
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
