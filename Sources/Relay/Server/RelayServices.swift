import Logging
import ServiceLifecycle

/// Every long-lived object of a running relay, built once from the configuration.
public struct RelayServices: Sendable {
    public let configuration: RelayConfiguration
    public let redis: RedisClient
    public let clock: RelayClock
    public let cipher: SecretCipher
    public let keys: APIKeyStore
    public let accounts: AccountStore
    public let credentials: AdminCredentials
    public let sessions: AdminSessions
    public let upstream: UpstreamHTTPClients
    public let leases: LeaseKeeper
    public let prices: PriceBook
    public let pricingRefresher: PricingRefresher?
    /// What every family's relay pipeline shares.
    public let relay: RelayContext
    public let metrics: RelayMetrics
    /// One scheduler per account pool (each registered provider's pools).
    let schedulers: [AccountPool: AccountScheduler]
    public let tokens: TokenRefresher
    public let onboarding: OAuthOnboarding
    public let alerts: AlertPublisher
    /// Sends spans to the OpenTelemetry collector (runs with the background services).
    public let traceExporter: OTLPExporter?

    /// Throws `ConfigurationError` when the pricing file cannot be used.
    /// `makeLogger` names each component's logger (`crs.usage`, …); the scenario harness captures them per run.
    public static func make(configuration: RelayConfiguration, redis: RedisClient, clock: RelayClock = RelayClock(), logger: Logger,
                            makeLogger: @Sendable (String) -> Logger = { Logger(label: $0) }) async throws -> RelayServices {
        let metrics = RelayMetrics()
        let cipher = SecretCipher(encryptionKey: configuration.encryptionKey)
        let hasher = APIKeyHasher(encryptionKey: configuration.encryptionKey, prefix: configuration.apiKeyPrefix)
        let keys = APIKeyStore(redis: redis, hasher: hasher, clock: clock)
        let accounts = AccountStore(redis: redis, cipher: cipher, clock: clock, logger: makeLogger("crs.accounts"))
        let upstream = UpstreamHTTPClients(connectTimeoutMilliseconds: configuration.upstreamConnectTimeoutMilliseconds,
                                           logger: makeLogger("crs.proxy"))
        var leaseSettings = LeaseKeeper.Settings()
        leaseSettings.leaseSeconds = configuration.leaseSeconds
        leaseSettings.renewSeconds = configuration.leaseRenewSeconds
        let leases = LeaseKeeper(redis: redis, clock: clock, settings: leaseSettings, logger: makeLogger("crs.leases"))
        let prices: PriceBook
        do {
            prices = try PriceBook.load(file: configuration.pricingURL == nil ? configuration.pricingFile : nil, now: clock.now)
        } catch {
            throw ConfigurationError("CRS_PRICING_FILE", "cannot be used: \(error)")
        }
        if configuration.pricingURL != nil, let file = configuration.pricingFile, let saved = try? PriceBook.load(file: file, now: clock.now) {
            prices.replace(saved.table, source: saved.status.source, at: clock.now)  // last good download, until the next one
        }
        let refresher = configuration.pricingURL.map {
            PricingRefresher(url: $0, interval: .seconds(configuration.pricingRefreshMinutes * 60), book: prices,
                             saveTo: configuration.pricingFile, clock: clock, logger: makeLogger("crs.pricing"))
        }
        var schedulers: [AccountPool: AccountScheduler] = [:]
        for pool in ProviderRegistry.pools {
            schedulers[pool] = AccountScheduler(policy: SchedulingPolicy(pool), store: accounts, redis: redis, clock: clock, leases: leases,
                                                stickyTTLSeconds: configuration.stickySessionTTLHours * 3600,
                                                renewalThresholdSeconds: configuration.stickyRenewalThresholdMinutes * 60)
        }
        var usageSettings = UsageRecorder.Settings()
        usageSettings.timezoneOffsetHours = configuration.timezoneOffsetHours
        usageSettings.billingEvents = configuration.billingEventsEnabled
        usageSettings.pendingLimit = configuration.usagePendingLimit
        let recorder = UsageRecorder(redis: redis, prices: prices, settings: usageSettings, logger: makeLogger("crs.usage"), metrics: metrics)
        var settings = RelayContext.Settings()
        settings.upstreamURLs = configuration.upstreamURLs
        settings.maxBodyBytes = configuration.maxBodyBytes
        settings.upstreamTimeoutMilliseconds = configuration.upstreamTimeoutMilliseconds
        settings.upstreamFirstByteTimeoutMilliseconds = configuration.upstreamFirstByteTimeoutMilliseconds
        settings.upstreamIdleTimeoutMilliseconds = configuration.upstreamIdleTimeoutMilliseconds
        settings.maxAttempts = configuration.maxUpstreamAttempts
        settings.shutdownGraceSeconds = configuration.shutdownGraceSeconds
        settings.classifier.overloadMinutes = configuration.overloadMinutes
        settings.forwardTraceParent = configuration.tracing.forward
        let relayLogger = makeLogger("crs.relay")
        var cassettes: CassetteRecorder?
        if let directory = configuration.recordDirectory, !directory.isEmpty {
            do {
                cassettes = try CassetteRecorder(directory: directory, clock: clock, logger: makeLogger("crs.record"))
            } catch {
                throw ConfigurationError("CRS_RECORD_DIR", "cannot be created: \(error.localizedDescription)")
            }
        }
        let alerts = AlertPublisher(redis: redis, clock: clock, logger: makeLogger("crs.alerts"), metrics: metrics)
        let tokenEndpoint = OAuthTokenEndpoint(clients: upstream, timeout: .seconds(Int64(configuration.oauthTokenTimeoutSeconds)))
        var refreshSettings = TokenRefresher.Settings()
        refreshSettings.marginSeconds = configuration.oauthRefreshMarginSeconds
        refreshSettings.waitSeconds = configuration.oauthRefreshWaitSeconds
        let oauthLogger = makeLogger("crs.oauth")
        let tokens = TokenRefresher(accounts: accounts, redis: redis, endpoint: tokenEndpoint, providers: configuration.oauthProviders,
                                    alerts: alerts, clock: clock, settings: refreshSettings, logger: oauthLogger, metrics: metrics)
        let onboarding = OAuthOnboarding(
            sessions: OAuthSessions(redis: redis, clock: clock), endpoint: tokenEndpoint, refresher: tokens, accounts: accounts,
            profile: ClaudeProfile(baseURL: configuration.upstreamURL(AnthropicProvider.apiURL), clients: upstream), clock: clock, logger: oauthLogger)
        let admission = AdmissionGate(redis: redis, hasher: hasher, clock: clock, leases: leases,
                                      timezoneOffsetHours: configuration.timezoneOffsetHours, logger: relayLogger)
        var relay = RelayContext(
            admission: admission, accounts: accounts, tokens: tokens,
            upstream: upstream, recorder: recorder, cassettes: cassettes, redis: redis, clock: clock, metrics: metrics, settings: settings, logger: relayLogger)
        relay.alerts = alerts
        relay.relaySettings = ClaudeRelaySettings(redis: redis, clock: clock)
        var exporter: OTLPExporter?
        if let endpoint = configuration.tracing.endpoint {
            var exporterSettings = OTLPExporter.Settings(endpoint: endpoint)
            exporterSettings.headers = configuration.tracing.headers
            exporterSettings.serviceName = configuration.tracing.serviceName
            exporter = OTLPExporter(settings: exporterSettings, client: upstream.client(for: nil), logger: makeLogger("crs.tracing"))
        }
        if configuration.tracing.isEnabled { relay.tracer = RelayTracer(exporter: exporter, sampleRatio: configuration.tracing.sampleRatio) }
        return RelayServices(
            configuration: configuration, redis: redis, clock: clock, cipher: cipher, keys: keys, accounts: accounts,
            credentials: AdminCredentials(redis: redis, clock: clock),
            sessions: await AdminSessions(secret: configuration.jwtSecret, redis: redis, clock: clock),
            upstream: upstream, leases: leases, prices: prices, pricingRefresher: refresher, relay: relay, metrics: metrics, schedulers: schedulers,
            tokens: tokens, onboarding: onboarding, alerts: alerts, traceExporter: exporter)
    }

    /// The jobs every instance runs beside the HTTP server: directory invalidation, lease renewal and sweeping,
    /// pricing refresh (when configured).
    public func backgroundServices(logger: Logger) -> [any Service] {
        var services: [any Service] = [
            InvalidationListener(redis: redis, accounts: accounts, logger: logger), leases,
            UsageReplayService(recorder: relay.recorder, logger: logger),
        ]
        if let pricingRefresher { services.append(pricingRefresher) }
        if let traceExporter { services.append(traceExporter) }
        services.append(healthChecks(logger: logger))
        services.append(AccountTestScheduler(context: relay, run: accountTestRun(), store: AccountTestStore(redis: redis),
                                             timezoneOffsetHours: configuration.timezoneOffsetHours, tickSeconds: configuration.accountTestTickSeconds,
                                             logger: logger))
        services.append(WebhookDispatcher(redis: redis, store: WebhookConfigStore(redis: redis, clock: clock),
                                          sender: WebhookSender(clients: upstream, logger: logger), logger: logger))
        var watch = RedisTroubleWatch.Settings()
        watch.threshold = .seconds(configuration.redisAlertAfterSeconds)
        watch.interval = min(.seconds(5), max(.milliseconds(200), watch.threshold / 3))
        let recorder = relay.recorder
        services.append(RedisTroubleWatch(store: WebhookConfigStore(redis: redis, clock: clock), sender: WebhookSender(clients: upstream, logger: logger),
                                          pendingWrites: { recorder.pendingCount }, clock: clock, settings: watch, metrics: metrics, logger: logger))
        services.append(TokenRefreshService(refresher: tokens, accounts: accounts, intervalSeconds: configuration.oauthRefreshIntervalSeconds,
                                            marginSeconds: configuration.oauthBackgroundMarginSeconds, logger: logger))
        return services
    }

    /// The scheduler of `pool`; every pool a registered kind serves in has one.
    func scheduler(for pool: AccountPool) -> AccountScheduler {
        guard let scheduler = schedulers[pool] else { preconditionFailure("account pool \(pool) has no account kinds") }
        return scheduler
    }

    /// Node's "test account": a tiny real request through the account's dialect (Claude Code-shaped when shaping is on).
    func accountTestRun() -> AccountTestRun {
        AccountTestRun(context: relay, claudeCode: configuration.claudeCodeShaping ? ClaudeCodeSupport(headers: ClaudeCodeHeaders(redis: redis), prices: prices) : nil)
    }

    public func healthChecks(logger: Logger) -> AccountHealthChecks {
        AccountHealthChecks(context: relay, intervalSeconds: configuration.healthCheckIntervalSeconds, logger: logger)
    }
}
