import Foundation
import Logging
import NIOCore

/// Everything `crs serve` is configured with, read from `CRS_*` variables (see `.env.example`).
public struct RelayConfiguration: Sendable {
    public enum LogFormat: String, Sendable { case text, json }

    public var host: String
    public var port: Int
    /// `nil`: run the embedded `redis-server` under `dataDirectory/redis`.
    public var redisURL: String?
    /// Redis through Sentinel: `CRS_REDIS_SENTINELS` (host:port,…), `CRS_REDIS_SENTINEL_MASTER`,
    /// `CRS_REDIS_SENTINEL_PASSWORD`. The data nodes' password and database still come from `CRS_REDIS_URL`.
    public var redisSentinels: [RedisConfiguration.SentinelAddress]
    public var redisSentinelMaster: String
    public var redisSentinelPassword: String?
    public var redisPoolSize: Int
    public var redisTimeoutMilliseconds: Int
    public var dataDirectory: String
    public var encryptionKey: String
    public var jwtSecret: String
    public var adminUsername: String?
    public var adminPassword: String?
    public var apiKeyPrefix: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var trustedProxies: [IPRange]
    /// Slow-client limits: a request head within this many seconds (also the keep-alive idle limit), its body
    /// within `clientBodyTimeoutSeconds` of the head (`CRS_CLIENT_HEADER_TIMEOUT_MS`, `CRS_CLIENT_BODY_TIMEOUT_MS`).
    public var clientHeaderTimeoutSeconds: Double
    public var clientBodyTimeoutSeconds: Double
    /// Origins allowed to call the client API from a browser (`CRS_CORS_ORIGINS`; empty: none, `*`: any).
    public var corsOrigins: [String]
    public var maxBodyBytes: Int
    public var upstreamConnectTimeoutMilliseconds: Int
    public var upstreamTimeoutMilliseconds: Int
    public var upstreamFirstByteTimeoutMilliseconds: Int
    public var upstreamIdleTimeoutMilliseconds: Int
    public var shutdownGraceSeconds: Int
    public var timezoneOffsetHours: Int
    /// The registered providers' upstream base URLs (`CRS_CLAUDE_API_URL`, …), by environment name.
    public var upstreamURLs: [String: String]
    /// Shape other clients' requests on subscription accounts like Claude Code's (docs/providers.md); off: as sent.
    public var claudeCodeShaping: Bool
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    public var metricsToken: String?
    /// OpenTelemetry tracing (`OTEL_EXPORTER_OTLP_*`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER_ARG`, `CRS_TRACE_FORWARD`).
    public var tracing: TracingConfiguration
    /// The account health check's period (0: off).
    public var healthCheckIntervalSeconds: Int
    /// How often scheduled account tests are looked at (0: never); cron resolution is the minute, so at most 60.
    public var accountTestTickSeconds: Int
    /// Redis unreachable this long → a `redis_unavailable` webhook straight from this instance (0: never).
    public var redisAlertAfterSeconds: Int
    /// Failed admin logins from one address before it is locked out (0 = never), and for how long.
    public var adminLoginMaxFailures: Int
    public var adminLoginLockoutSeconds: Int
    public var stickySessionTTLHours: Int
    public var stickyRenewalThresholdMinutes: Int
    public var maxUpstreamAttempts: Int
    public var overloadMinutes: Int
    /// Concurrency leases: lifetime without renewal, renewal period (0 = none).
    public var leaseSeconds: Int
    public var leaseRenewSeconds: Int
    public var billingEventsEnabled: Bool
    /// Usage writes held in memory while Redis is unreachable.
    public var usagePendingLimit: Int
    /// A LiteLLM-format price file replacing the built-in prices; `pricingURL` refreshes it.
    public var pricingFile: String?
    public var pricingURL: String?
    /// The Node original's price mirror (LiteLLM's price file, kept on a branch of its repository).
    public static let defaultPricingURL = "https://raw.githubusercontent.com/Wei-Shaw/claude-relay-service/price-mirror/model_prices_and_context_window.json"

    public var pricingRefreshMinutes: Int
    /// Release feed for `/admin/check-updates` (a GitHub "latest release" API URL); none: no check.
    public var updateCheckURL: String?
    /// Where the admin web UI's files are (`CRS_WEB_ROOT`; default: found next to the install or in the checkout).
    public var webRoot: String?
    /// The Claude Code version reported until a client shows a newer one (Node's CLAUDE_CODE_VERSION).
    public var claudeCodeVersion: String
    /// Record every upstream exchange as a cassette under this directory (`crs serve --record DIR`).
    public var recordDirectory: String?
    /// Authorization servers for Claude, Gemini and OpenAI accounts (`CRS_<PROVIDER>_OAUTH_*`).
    public var oauthProviders: OAuthProviders
    /// Refresh a token this close to its expiry before a request uses it.
    public var oauthRefreshMarginSeconds: Int
    /// The background refresher's period (0: off) and how far ahead it looks.
    public var oauthRefreshIntervalSeconds: Int
    public var oauthBackgroundMarginSeconds: Int
    /// How long a request waits for another instance's refresh before giving up on the account.
    public var oauthRefreshWaitSeconds: Int
    public var oauthTokenTimeoutSeconds: Int

    /// Reads and validates; the first problem found is thrown as a one-line `ConfigurationError`.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(values: environment)
        host = env.string("CRS_HOST", default: "0.0.0.0")
        port = try env.int("CRS_PORT", default: 3000, range: 0...65535)  // 0: any free port (tests)
        redisURL = env.string("CRS_REDIS_URL")
        if let redisURL {
            do { _ = try RedisConfiguration(url: redisURL) } catch let error as RedisError {
                throw ConfigurationError("CRS_REDIS_URL", "is not usable: \(error.description.replacingOccurrences(of: "Redis configuration invalid: ", with: ""))")
            }
        }
        do {
            redisSentinels = try RedisConfiguration.SentinelAddress.list(env.string("CRS_REDIS_SENTINELS") ?? "")
        } catch let error as RedisError {
            throw ConfigurationError("CRS_REDIS_SENTINELS", error.description.replacingOccurrences(of: "Redis configuration invalid: ", with: ""))
        }
        redisSentinelMaster = env.string("CRS_REDIS_SENTINEL_MASTER", default: "mymaster")
        redisSentinelPassword = env.string("CRS_REDIS_SENTINEL_PASSWORD")
        redisPoolSize = try env.int("CRS_REDIS_POOL_SIZE", default: 32, range: 1...1024)
        redisTimeoutMilliseconds = try env.int("CRS_REDIS_TIMEOUT_MS", default: 2000, range: 10...600_000)
        dataDirectory = env.string("CRS_DATA_DIR", default: "./data")
        encryptionKey = try env.secret("CRS_ENCRYPTION_KEY", minimumLength: 16, hint: "encrypts account secrets and salts key hashes; `crs setup` writes one to .env")
        jwtSecret = try env.secret("CRS_JWT_SECRET", minimumLength: 32, hint: "signs admin sessions; `crs setup` writes one to .env")
        adminUsername = env.string("CRS_ADMIN_USERNAME")
        adminPassword = env.string("CRS_ADMIN_PASSWORD")
        if let password = adminPassword, password.count < 8 {
            throw ConfigurationError("CRS_ADMIN_PASSWORD", "must be at least 8 characters")
        }
        apiKeyPrefix = env.string("CRS_API_KEY_PREFIX", default: "cr_")
        let level = try env.choice("CRS_LOG_LEVEL", default: "info", from: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        logLevel = Logger.Level(rawValue: level) ?? .info
        logFormat = LogFormat(rawValue: try env.choice("CRS_LOG_FORMAT", default: "text", from: ["text", "json"])) ?? .text
        clientHeaderTimeoutSeconds = Double(try env.int("CRS_CLIENT_HEADER_TIMEOUT_MS", default: 60_000, range: 100...3_600_000)) / 1000
        clientBodyTimeoutSeconds = Double(try env.int("CRS_CLIENT_BODY_TIMEOUT_MS", default: 60_000, range: 100...3_600_000)) / 1000
        corsOrigins = (env.string("CRS_CORS_ORIGINS") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        trustedProxies = try (env.string("CRS_TRUSTED_PROXIES") ?? "").split(separator: ",").map {
            let text = $0.trimmingCharacters(in: .whitespaces)
            guard let range = IPRange(text) else {
                throw ConfigurationError("CRS_TRUSTED_PROXIES", "has an entry that is not an IP address or CIDR range: '\(text)'")
            }
            return range
        }
        maxBodyBytes = try env.int("CRS_MAX_BODY_BYTES", default: 60 * 1024 * 1024, range: 1024...(1 << 31))
        upstreamConnectTimeoutMilliseconds = try env.int("CRS_UPSTREAM_CONNECT_TIMEOUT_MS", default: 10_000, range: 100...600_000)
        upstreamTimeoutMilliseconds = try env.int("CRS_UPSTREAM_TIMEOUT_MS", default: 600_000, range: 1000...3_600_000)
        upstreamFirstByteTimeoutMilliseconds = try env.int("CRS_UPSTREAM_FIRST_BYTE_TIMEOUT_MS", default: 120_000, range: 0...3_600_000)
        upstreamIdleTimeoutMilliseconds = try env.int("CRS_UPSTREAM_IDLE_TIMEOUT_MS", default: 120_000, range: 0...3_600_000)
        shutdownGraceSeconds = try env.int("CRS_SHUTDOWN_GRACE_SECONDS", default: 30, range: 0...3600)
        timezoneOffsetHours = try env.int("CRS_TIMEZONE_OFFSET_HOURS", default: 8, range: -12...14)
        upstreamURLs = [:]
        for setting in ProviderRegistry.upstreamURLs {
            let value = env.string(setting.environment, default: setting.defaultValue)
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(setting.environment, "must be an http(s) URL, got '\(value)'")
            }
            upstreamURLs[setting.environment] = value
        }
        metricsToken = env.string("CRS_METRICS_TOKEN")
        tracing = try TracingConfiguration(env: env)
        healthCheckIntervalSeconds = try env.int("CRS_HEALTH_CHECK_INTERVAL_SECONDS", default: 300, range: 0...86400)
        accountTestTickSeconds = try env.int("CRS_ACCOUNT_TEST_TICK_SECONDS", default: 30, range: 0...60)
        redisAlertAfterSeconds = try env.int("CRS_REDIS_ALERT_AFTER_SECONDS", default: 30, range: 0...86400)
        adminLoginMaxFailures = try env.int("CRS_ADMIN_LOGIN_MAX_FAILURES", default: 5, range: 0...1000)
        adminLoginLockoutSeconds = try env.int("CRS_ADMIN_LOGIN_LOCKOUT_SECONDS", default: 900, range: 1...86400)
        stickySessionTTLHours = try env.int("CRS_STICKY_SESSION_TTL_HOURS", default: 1, range: 1...720)
        stickyRenewalThresholdMinutes = try env.int("CRS_STICKY_RENEWAL_THRESHOLD_MINUTES", default: 0, range: 0...43200)
        maxUpstreamAttempts = try env.int("CRS_MAX_UPSTREAM_ATTEMPTS", default: 3, range: 1...10)
        overloadMinutes = try env.int("CRS_OVERLOAD_MINUTES", default: 10, range: 0...1440)
        leaseSeconds = try env.int("CRS_CONCURRENCY_LEASE_SECONDS", default: 300, range: 30...86400)
        leaseRenewSeconds = try env.int("CRS_CONCURRENCY_RENEW_SECONDS", default: 30, range: 0...86400)
        billingEventsEnabled = try env.bool("CRS_BILLING_EVENTS_ENABLED", default: true)
        claudeCodeShaping = try env.bool("CRS_CLAUDE_CODE_SHAPING", default: true)
        usagePendingLimit = try env.int("CRS_USAGE_PENDING_LIMIT", default: 10_000, range: 0...1_000_000)
        // Prices refresh from Node's price mirror unless told otherwise (`CRS_PRICING_URL=off`): the built-in table
        // serves until the first download, and again whenever the mirror cannot be reached.
        let urlSetting = env.string("CRS_PRICING_URL")
        pricingURL = ["off", "none", "false"].contains(urlSetting?.lowercased() ?? "") ? nil : urlSetting ?? Self.defaultPricingURL
        if let pricingURL {
            guard let url = URL(string: pricingURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError("CRS_PRICING_URL", "must be an http(s) URL or off, got '\(pricingURL)'")
            }
        }
        // With a URL, good downloads are kept (by default in the data directory) so a restart starts from the last one.
        pricingFile = env.string("CRS_PRICING_FILE") ?? (pricingURL == nil ? nil : dataDirectory + "/pricing/model_prices_and_context_window.json")
        if let pricingFile, !FileManager.default.isReadableFile(atPath: pricingFile), pricingURL == nil {
            throw ConfigurationError("CRS_PRICING_FILE", "is not a readable file: '\(pricingFile)'")
        }
        pricingRefreshMinutes = try env.int("CRS_PRICING_REFRESH_MINUTES", default: 1440, range: 1...525_600)
        updateCheckURL = env.string("CRS_UPDATE_CHECK_URL")
        webRoot = env.string("CRS_WEB_ROOT")
        if let updateCheckURL, URL(string: updateCheckURL)?.host == nil {
            throw ConfigurationError("CRS_UPDATE_CHECK_URL", "must be an http(s) URL, got '\(updateCheckURL)'")
        }
        claudeCodeVersion = env.string("CRS_CLAUDE_CODE_VERSION", default: "1.1.0")
        recordDirectory = env.string("CRS_RECORD_DIR")
        oauthProviders = try OAuthProviders(env: env)
        oauthRefreshMarginSeconds = try env.int("CRS_OAUTH_REFRESH_MARGIN_SECONDS", default: 60, range: 0...86400)
        oauthRefreshIntervalSeconds = try env.int("CRS_OAUTH_REFRESH_INTERVAL_SECONDS", default: 300, range: 0...86400)
        oauthBackgroundMarginSeconds = try env.int("CRS_OAUTH_BACKGROUND_MARGIN_SECONDS", default: 900, range: 0...604_800)
        oauthRefreshWaitSeconds = try env.int("CRS_OAUTH_REFRESH_WAIT_SECONDS", default: 10, range: 1...120)
        oauthTokenTimeoutSeconds = try env.int("CRS_OAUTH_TOKEN_TIMEOUT_SECONDS", default: 30, range: 1...300)
    }

    /// Whether Redis is reached through Sentinel (then no embedded Redis is started).
    public var usesSentinel: Bool { !redisSentinels.isEmpty }

    /// The Redis client configuration for `url` with this relay's pool size and timeouts; with sentinels
    /// configured, the endpoint is the master they name (`url` then only gives password and database).
    public func redisConfiguration(url: String?) throws -> RedisConfiguration {
        var configuration = try url.map(RedisConfiguration.init(url:)) ?? RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 6379))
        if usesSentinel {
            configuration.endpoint = .sentinel(master: redisSentinelMaster, sentinels: redisSentinels)
            configuration.sentinelPassword = redisSentinelPassword
        }
        configuration.poolSize = redisPoolSize
        configuration.commandTimeout = .milliseconds(Int64(redisTimeoutMilliseconds))
        configuration.leaseTimeout = .milliseconds(Int64(redisTimeoutMilliseconds))
        return configuration
    }

    /// A provider's upstream base URL as configured (its default where unset).
    func upstreamURL(_ setting: UpstreamURLSetting) -> String { upstreamURLs[setting.environment] ?? setting.defaultValue }
}
