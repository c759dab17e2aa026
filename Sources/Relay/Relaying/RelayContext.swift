import Logging

/// What every family's relay handler shares, built once at start-up.
public struct RelayContext: Sendable {
    public let admission: AdmissionGate
    public let accounts: AccountStore
    /// OAuth access tokens, refreshed before use when they are about to expire.
    public let tokens: TokenRefresher
    public let upstream: UpstreamHTTPClients
    public let recorder: UsageRecorder
    /// Set by `crs serve --record DIR`: every upstream exchange is written as a cassette.
    public let cassettes: CassetteRecorder?
    public let redis: RedisClient
    public let clock: RelayClock
    public let metrics: RelayMetrics
    /// Where account health changes are announced (webhooks deliver them).
    public var alerts: AlertPublisher?
    /// Spans for each relayed request (nil: tracing off and no `traceparent` forwarding).
    public var tracer: RelayTracer?
    /// The relay-wide settings document (Claude switches, the concurrent-request queue); one per relay.
    public var relaySettings: ClaudeRelaySettings?
    public let settings: Settings
    public let logger: Logger

    public struct Settings: Sendable {
        /// The providers' upstream base URLs by environment name (`UpstreamURLSetting`); defaults where unset.
        var upstreamURLs: [String: String] = [:]
        public var maxBodyBytes = 60 * 1024 * 1024
        public var upstreamTimeoutMilliseconds = 600_000
        /// A stream's response head must arrive within this (0: only the request deadline applies).
        public var upstreamFirstByteTimeoutMilliseconds = 0
        /// A stream whose upstream sends nothing for this long is ended (0: never).
        public var upstreamIdleTimeoutMilliseconds = 0
        /// Accounts tried for one request while nothing has reached the client.
        public var maxAttempts = 3
        /// After a graceful shutdown starts, streams still running this long are ended with a terminal error event.
        public var shutdownGraceSeconds = 30
        public var classifier = AnthropicErrorClassifier.Settings()
        /// 5xx replies within 5 minutes after which an account rests for `serverErrorPauseMinutes`.
        public var serverErrorThreshold = 3
        public var serverErrorPauseMinutes = 5
        /// Send upstream a `traceparent` continuing the request's trace (`CRS_TRACE_FORWARD`); otherwise upstreams
        /// get no trace headers, not even the client's.
        public var forwardTraceParent = false
        public init() {}

        func upstreamURL(_ setting: UpstreamURLSetting) -> String { upstreamURLs[setting.environment] ?? setting.defaultValue }
    }

    public init(admission: AdmissionGate, accounts: AccountStore, tokens: TokenRefresher, upstream: UpstreamHTTPClients,
                recorder: UsageRecorder, cassettes: CassetteRecorder? = nil, redis: RedisClient, clock: RelayClock, metrics: RelayMetrics, settings: Settings, logger: Logger) {
        self.admission = admission
        self.accounts = accounts
        self.tokens = tokens
        self.upstream = upstream
        self.recorder = recorder
        self.cassettes = cassettes
        self.redis = redis
        self.clock = clock
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
    }
}
