import Hummingbird

/// OpenAI's Responses API (Codex CLI, the openai SDK) on ChatGPT-OAuth accounts (the Codex backend) and on
/// Responses API-key accounts.
struct OpenAIProvider: RelayProvider {
    var name: String { "openai" }

    static let codexURL = UpstreamURLSetting(environment: "CRS_CODEX_API_URL", defaultValue: "https://chatgpt.com/backend-api/codex",
                                             summary: "the ChatGPT Codex backend for ChatGPT-OAuth accounts")
    var upstreamURLs: [UpstreamURLSetting] { [Self.codexURL] }

    var accountKinds: [AccountKind] { [.openAI, .openAIResponses] }

    func register(_ routes: ProviderRoutes) {
        let responses = routes.handler(OpenAIResponsesFamily(), pool: .openAI)
        routes.post(["/openai/responses", "/openai/v1/responses"], to: responses, operation: OpenAIResponsesFamily.responses)
        routes.post(["/openai/responses/compact", "/openai/v1/responses/compact"], to: responses, operation: OpenAIResponsesFamily.compact)
        routes.post(["/openai/images/generations", "/openai/v1/images/generations"], to: responses, operation: OpenAIResponsesFamily.images)
        let keys = routes.keyUsage(permission: AccountPool.openAI.permission, errorResponse: OpenAIErrors.response)
        routes.client.get("/openai/usage") { request, _ in await keys.usage(request) }
        routes.client.get("/openai/key-info") { request, _ in await keys.openAIKeyInfo(request) }
    }
}

extension AccountPool {
    /// OpenAI Responses requests (`/openai/responses`).
    public static let openAI = AccountPool(name: "OpenAI", permission: "openai", stickyPrefix: RedisKeys.openAIStickyPrefix, groupPlatform: "openai")
}

extension AccountKind {
    /// ChatGPT OAuth (Codex backend).
    public static let openAI = AccountKind(
        name: "openai", label: "OpenAI Codex (ChatGPT OAuth)", keyPrefix: RedisKeys.openAIAccountPrefix, sharedSet: RedisKeys.sharedOpenAIAccounts,
        salt: .openAI, secretFields: ["idToken", "accessToken", "refreshToken", "openaiOauth", "email"], bindingField: "openaiAccountId",
        adminPath: "openai-accounts", pool: .openAI, credentialField: "accessToken", isOAuth: true, input: AccountInput.openAI, form: [],
        presented: CodexUsageWindows.snapshot)

    /// OpenAI Responses API with an API key (`{baseApi}/v1/responses`). Bound as `openaiAccountId: responses:<id>`.
    public static let openAIResponses = AccountKind(
        name: "openai-responses", label: "OpenAI Responses (API key)", keyPrefix: RedisKeys.openAIResponsesAccountPrefix,
        sharedSet: RedisKeys.sharedOpenAIResponsesAccounts, salt: .openAIResponses, secretFields: ["apiKey"], bindingField: "openaiAccountId",
        bindingPrefix: "responses:", adminPath: "openai-responses-accounts", pool: .openAI, input: AccountInput.openAIResponses,
        form: [AccountFormField("baseApi", "Base API URL", .url, required: true, placeholder: "https://api.openai.com"),
               AccountFormField("apiKey", "API key", .secret, required: true), AccountFormField("userAgent", "User-Agent (optional)", .text)]
            + AccountFormField.dailyQuota)
}
