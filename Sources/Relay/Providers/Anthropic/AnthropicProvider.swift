import Hummingbird

/// Anthropic's Messages API and the Claude account kinds that serve it: subscription (OAuth) accounts on Anthropic's
/// API, Console accounts and Claude Code Router endpoints on their own URLs. Bedrock joins the same pool.
struct AnthropicProvider: RelayProvider {
    var name: String { "anthropic" }

    static let apiURL = UpstreamURLSetting(environment: "CRS_CLAUDE_API_URL", defaultValue: "https://api.anthropic.com",
                                           summary: "Anthropic's API for subscription (OAuth) accounts")
    var upstreamURLs: [UpstreamURLSetting] { [Self.apiURL] }

    var accountKinds: [AccountKind] { [.claudeOfficial, .claudeConsole, .ccr] }

    /// The Messages family as the relay's settings configure it (Chat Completions routes put it behind their own).
    static func family(_ services: RelayServices, relaySettings: ClaudeRelaySettings) -> AnthropicFamily {
        let bindings = ClaudeSessionBindings(redis: services.redis, accounts: services.accounts, clock: services.clock)
        let claudeCode = services.configuration.claudeCodeShaping ? ClaudeCodeSupport(headers: ClaudeCodeHeaders(redis: services.redis), prices: services.prices) : nil
        return AnthropicFamily(userAgents: ClaudeCodeUserAgent(redis: services.redis), claudeCode: claudeCode, relaySettings: relaySettings, sessionBindings: bindings)
    }

    func register(_ routes: ProviderRoutes) {
        let services = routes.services
        let relaySettings = services.relay.relaySettings ?? ClaudeRelaySettings(redis: services.redis, clock: services.clock)
        let family = Self.family(services, relaySettings: relaySettings)
        let messages = routes.handler(family, pool: .claude)
        let info = AnthropicInfoController(admission: services.relay.admission, redis: services.redis)
        let prefixes = ["/api", "/claude", "/api/claude"]
        routes.post(prefixes.map { "\($0)/v1/messages" }, to: messages, operation: AnthropicFamily.messages)
        routes.post(prefixes.map { "\($0)/v1/messages/count_tokens" }, to: messages, operation: AnthropicFamily.countTokens)
        for prefix in prefixes {
            routes.client.get("\(prefix)/v1/models") { request, _ in await info.models(request) }
            routes.client.get("\(prefix)/v1/key-info") { request, _ in await info.keyInfo(request) }
        }
        ClaudeRelayConfigController(settings: relaySettings).register(on: routes.admin)
    }
}

extension AccountPool {
    /// Anthropic Messages requests (`/api/v1/messages`).
    public static let claude = AccountPool(name: "Claude", permission: "claude", stickyPrefix: RedisKeys.claudeStickyPrefix, groupPlatform: "claude")
}

extension AccountKind {
    public static let claudeOfficial = AccountKind(
        name: "claude-official", label: "Claude (subscription)", usageType: "claude", platform: "claude",
        keyPrefix: RedisKeys.claudeOfficialAccountPrefix, sharedSet: nil, salt: .claudeOAuth,
        secretFields: ["email", "password", "claudeAiOauth", "accessToken", "refreshToken"],
        bindingField: "claudeAccountId", adminPath: "claude-accounts", pool: .claude, credentialField: "accessToken", isOAuth: true,
        input: AccountInput.official,
        form: [AccountFormField("accessToken", "Access token", .secret, required: true, group: "claudeAiOauth"),
               AccountFormField("refreshToken", "Refresh token (optional)", .secret, group: "claudeAiOauth"),
               AccountFormField("autoStopOnWarning", "Pause when the 5-hour window warns", .boolean, defaultValue: "false")])

    public static let claudeConsole = AccountKind(
        name: "claude-console", label: "Claude Console", keyPrefix: RedisKeys.claudeConsoleAccountPrefix,
        sharedSet: RedisKeys.sharedClaudeConsoleAccounts, salt: .claudeConsole, secretFields: ["apiKey"],
        bindingField: "claudeConsoleAccountId", adminPath: "claude-console-accounts", pool: .claude, input: AccountInput.console,
        form: consoleForm)

    /// Claude Code Router endpoints (Console-shaped: `apiUrl` + `apiKey`). Served only to requests whose model
    /// carries the `ccr,` vendor prefix, or to keys bound with `claudeAccountId: ccr:<id>` (Node's rules).
    public static let ccr = AccountKind(
        name: "ccr", label: "CCR (Claude Code Router)", keyPrefix: RedisKeys.ccrAccountPrefix, sharedSet: RedisKeys.sharedCCRAccounts,
        salt: .ccr, secretFields: ["apiKey"], bindingField: "claudeAccountId", bindingPrefix: "ccr:", adminPath: "ccr-accounts",
        pool: .claude, inSharedPool: false, input: AccountInput.console, form: consoleForm)

    /// Console and CCR: an endpoint and its key.
    static let consoleForm = [
        AccountFormField("apiUrl", "API URL", .url, required: true, placeholder: "https://…"),
        AccountFormField("apiKey", "API key", .secret, required: true),
        AccountFormField("supportedModels", "Models (one per line; empty = all)", .models),
        AccountFormField("userAgent", "User-Agent (optional)", .text),
        AccountFormField("rateLimitDuration", "Rate-limit rest (minutes)", .number, defaultValue: "60"),
    ] + AccountFormField.dailyQuota
}
