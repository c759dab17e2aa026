import Logging

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
    public let claude: ClaudeRelayContext

    public static func make(configuration: RelayConfiguration, redis: RedisClient, clock: RelayClock = RelayClock(), logger: Logger) async -> RelayServices {
        let cipher = SecretCipher(encryptionKey: configuration.encryptionKey)
        let hasher = APIKeyHasher(encryptionKey: configuration.encryptionKey, prefix: configuration.apiKeyPrefix)
        let keys = APIKeyStore(redis: redis, hasher: hasher, clock: clock)
        let accounts = AccountStore(redis: redis, cipher: cipher, clock: clock, logger: Logger(label: "crs.accounts"))
        let upstream = UpstreamHTTPClients(connectTimeoutMilliseconds: configuration.upstreamConnectTimeoutMilliseconds)
        let scheduler = ClaudeScheduler(store: accounts, redis: redis, clock: clock,
                                        stickyTTLSeconds: configuration.stickySessionTTLHours * 3600,
                                        renewalThresholdSeconds: configuration.stickyRenewalThresholdMinutes * 60)
        let recorder = UsageRecorder(redis: redis, prices: .builtIn, timezoneOffsetHours: configuration.timezoneOffsetHours, logger: Logger(label: "crs.usage"))
        var settings = ClaudeRelayContext.Settings()
        settings.officialBaseURL = configuration.claudeAPIURL
        settings.maxBodyBytes = configuration.maxBodyBytes
        settings.upstreamTimeoutMilliseconds = configuration.upstreamTimeoutMilliseconds
        settings.maxAttempts = configuration.maxUpstreamAttempts
        settings.classifier.overloadMinutes = configuration.overloadMinutes
        let relayLogger = Logger(label: "crs.relay")
        let claude = ClaudeRelayContext(
            keys: ClientKeyAuthenticator(store: keys, clock: clock, logger: relayLogger), scheduler: scheduler, accounts: accounts,
            upstream: upstream, recorder: recorder, redis: redis, clock: clock, settings: settings, logger: relayLogger)
        return RelayServices(
            configuration: configuration, redis: redis, clock: clock, cipher: cipher, keys: keys, accounts: accounts,
            credentials: AdminCredentials(redis: redis, clock: clock),
            sessions: await AdminSessions(secret: configuration.jwtSecret, redis: redis, clock: clock),
            upstream: upstream, claude: claude)
    }
}
