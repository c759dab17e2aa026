import Hummingbird

/// Droid (Factory.ai): accounts holding one or more Factory API keys, reached on Factory's LLM gateway for its three
/// endpoints — Anthropic Messages (`/droid/claude/v1/messages`), OpenAI Responses (`/droid/openai/v1/responses`) and
/// Chat Completions (`/droid/comm/v1/chat/completions`), Node's paths. Keys need the `droid` permission.
struct DroidProvider: RelayProvider {
    var name: String { "droid" }
    var accountKinds: [AccountKind] { [.droid] }

    static let apiURL = UpstreamURLSetting(environment: "CRS_DROID_API_URL", defaultValue: "https://api.factory.ai/api/llm",
                                           summary: "Factory.ai's LLM gateway for Droid accounts")
    /// Factory's app, where the CLI looks up the user's organisations (OAuth accounts).
    static let appURL = UpstreamURLSetting(environment: "CRS_DROID_APP_URL", defaultValue: "https://app.factory.ai",
                                           summary: "Factory.ai's app (the CLI's organisation lookup) for Droid OAuth accounts")
    var upstreamURLs: [UpstreamURLSetting] { [Self.apiURL, Self.appURL] }

    func register(_ routes: ProviderRoutes) {
        let anthropic = routes.handler(DroidFamily(endpoint: .anthropic, redis: routes.services.redis), pool: .droid)
        routes.post(["/droid/claude/v1/messages"], to: anthropic, operation: AnthropicFamily.messages)
        let responses = routes.handler(DroidFamily(endpoint: .openAI, redis: routes.services.redis), pool: .droid)
        routes.post(["/droid/openai/v1/responses", "/droid/openai/responses"], to: responses, operation: OpenAIResponsesFamily.responses)
        let chat = routes.handler(DroidFamily(endpoint: .comm, redis: routes.services.redis), pool: .droid)
        routes.post(["/droid/comm/v1/chat/completions"], to: chat, operation: AzureFamily.chatCompletions)
        let services = routes.services
        DroidOAuthController(device: Self.deviceAuthorization(services), store: services.accounts, clock: services.clock).register(on: routes.admin)
    }

    static func deviceAuthorization(_ services: RelayServices) -> DroidDeviceAuthorization {
        DroidDeviceAuthorization(onboarding: services.onboarding, clients: services.upstream, appURL: services.relay.settings.upstreamURL(appURL))
    }
}

extension AccountPool {
    /// Droid requests (`/droid/…`).
    public static let droid = AccountPool(name: "Droid", permission: "droid", stickyPrefix: RedisKeys.droidStickyPrefix, groupPlatform: "droid")
}

extension AccountKind {
    /// Factory.ai API keys (several per account; one is used per request). Node's layout: `droid:account:{id}` hashes,
    /// every id in `droid:account:index`, the keys in `apiKeys` entries each encrypted with the Droid salt.
    public static let droid = AccountKind(
        name: "droid", label: "Droid (Factory.ai)", keyPrefix: RedisKeys.droidAccountPrefix, sharedSet: nil, salt: .droid,
        secretFields: ["accessToken", "refreshToken"], bindingField: "droidAccountId", adminPath: "droid-accounts", pool: .droid,
        input: AccountInput.droid,
        form: [AccountFormField("apiKeys", "Factory API keys (one per line)", .models),
               AccountFormField("endpointType", "Endpoint (anthropic, openai or comm)", .text, placeholder: "anthropic"),
               AccountFormField("userAgent", "User-Agent (optional)", .text, placeholder: DroidDialect.defaultUserAgent)],
        keyListField: "apiKeys", indexSet: RedisKeys.droidAccountIndex)
}
