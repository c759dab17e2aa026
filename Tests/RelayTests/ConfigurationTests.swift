import Relay
import Testing

@Suite("Configuration from CRS_* variables")
struct ConfigurationTests {
    static let valid = [
        "CRS_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef",
        "CRS_JWT_SECRET": String(repeating: "j", count: 48),
    ]

    @Test func defaultsApplyWhenOnlySecretsAreSet() throws {
        let config = try RelayConfiguration(environment: Self.valid)
        #expect(config.port == 3000)
        #expect(config.host == "0.0.0.0")
        #expect(config.redisURL == nil)
        #expect(config.apiKeyPrefix == "cr_")
        #expect(config.logFormat == .text)
    }

    /// Prices update by default from Node's price mirror, kept under the data directory; `off` keeps the built-in table.
    @Test func pricesRefreshByDefaultUnlessTurnedOff() throws {
        let config = try RelayConfiguration(environment: Self.valid.merging(["CRS_DATA_DIR": "/var/lib/crs"]) { _, new in new })
        #expect(config.pricingURL == RelayConfiguration.defaultPricingURL)
        #expect(config.pricingURL?.hasPrefix("https://raw.githubusercontent.com/Wei-Shaw/claude-relay-service/price-mirror/") == true)
        #expect(config.pricingFile == "/var/lib/crs/pricing/model_prices_and_context_window.json")
        let off = try RelayConfiguration(environment: Self.valid.merging(["CRS_PRICING_URL": "off"]) { _, new in new })
        #expect(off.pricingURL == nil && off.pricingFile == nil)
        let own = try RelayConfiguration(environment: Self.valid.merging(["CRS_PRICING_URL": "https://prices.example/p.json", "CRS_PRICING_FILE": "/tmp/p.json"]) { _, new in new })
        #expect(own.pricingURL == "https://prices.example/p.json" && own.pricingFile == "/tmp/p.json")
        #expect(throws: ConfigurationError("CRS_PRICING_URL", "must be an http(s) URL or off, got 'ftp://x'")) {
            try RelayConfiguration(environment: Self.valid.merging(["CRS_PRICING_URL": "ftp://x"]) { _, new in new })
        }
    }

    @Test(arguments: [
        (["CRS_PORT": "70000"], "CRS_PORT", "must be between 0 and 65535, got 70000"),
        (["CRS_PORT": "http"], "CRS_PORT", "must be a whole number, got 'http'"),
        (["CRS_LOG_FORMAT": "xml"], "CRS_LOG_FORMAT", "must be one of text, json, got 'xml'"),
        (["CRS_REDIS_URL": "redis://host/abc"], "CRS_REDIS_URL", "is not usable: database 'abc' is not a number"),
        (["CRS_TRUSTED_PROXIES": "10.0.0.0/8, nonsense"], "CRS_TRUSTED_PROXIES", "has an entry that is not an IP address or CIDR range: 'nonsense'"),
        (["CRS_JWT_SECRET": "short"], "CRS_JWT_SECRET", "must be at least 32 characters (got 5)"),
        (["CRS_ADMIN_PASSWORD": "1234"], "CRS_ADMIN_PASSWORD", "must be at least 8 characters"),
    ])
    func badValuesNameTheVariable(overrides: [String: String], variable: String, problem: String) {
        let environment = Self.valid.merging(overrides) { _, new in new }
        #expect(throws: ConfigurationError(variable, problem)) { try RelayConfiguration(environment: environment) }
    }

    @Test func missingSecretsAreNamedAndNeverEchoed() {
        #expect(throws: ConfigurationError.self) { try RelayConfiguration(environment: [:]) }
        do {
            _ = try RelayConfiguration(environment: ["CRS_ENCRYPTION_KEY": "0123456789abcdef", "CRS_JWT_SECRET": "tiny-secret-value"])
        } catch let error as ConfigurationError {
            #expect(error.variable == "CRS_JWT_SECRET")
            #expect(!error.description.contains("tiny-secret-value"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func envFilesParseAndRealVariablesWin() {
        let parsed = EnvironmentFile.parse("# comment\nCRS_PORT=4000\nexport CRS_HOST=\"127.0.0.1\"\nBROKEN\nCRS_LOG_LEVEL='debug'\n")
        #expect(parsed == ["CRS_PORT": "4000", "CRS_HOST": "127.0.0.1", "CRS_LOG_LEVEL": "debug"])
    }

    @Test func trustedProxyRangesMatchAddresses() throws {
        let range = try #require(IPRange("10.1.0.0/16"))
        #expect(range.contains("10.1.200.3"))
        #expect(!range.contains("10.2.0.1"))
        #expect(!range.contains("::1"))
        #expect(try #require(IPRange("::1")).contains("::1"))
        #expect(IPRange("10.0.0.0/33") == nil)
    }
}
