import Hummingbird

/// Google's Gemini: the standard API (google-genai SDKs, Gemini CLI with a key) on API-key accounts, and Code Assist
/// (Gemini CLI's `v1internal:` methods) on Google-OAuth accounts.
struct GeminiProvider: RelayProvider {
    var name: String { "gemini" }

    static let codeAssistURL = UpstreamURLSetting(environment: "CRS_GEMINI_CODE_ASSIST_URL", defaultValue: "https://cloudcode-pa.googleapis.com",
                                                  summary: "Google's Code Assist API for Google-OAuth accounts")
    var upstreamURLs: [UpstreamURLSetting] { [Self.codeAssistURL] }

    var accountKinds: [AccountKind] { [.gemini, .geminiAPI] }

    func register(_ routes: ProviderRoutes) {
        let gemini = routes.handler(GeminiFamily(), pool: .gemini)
        let standard: Set<String> = [GeminiFamily.generate, GeminiFamily.stream, GeminiFamily.countTokens]
        for version in ["v1beta", "v1"] {
            routes.client.post(RouterPath("/gemini/\(version)/models/:modelAction")) { request, context in
                let action = (context.parameters.get("modelAction") ?? "").split(separator: ":").last.map(String.init) ?? ""
                guard standard.contains(action) else {
                    return GeminiErrors.response(RelayError(404, "not_found_error", "Unknown Gemini method '\(action)'"))
                }
                return await gemini.handle(request, operation: action, channel: context.channel)
            }
        }
        GeminiModelsController(admission: routes.services.relay.admission).register(on: routes.client)
        let keys = routes.keyUsage(permission: AccountPool.gemini.permission, errorResponse: GeminiErrors.response)
        routes.client.get("/gemini/usage") { request, _ in await keys.usage(request) }
        routes.client.get("/gemini/key-info") { request, _ in await keys.geminiKeyInfo(request) }
        routes.client.post("/gemini/:method") { request, context in
            let method = context.parameters.get("method") ?? ""
            let action = GeminiFamily.action(method)
            guard method.hasPrefix(GeminiFamily.codeAssistPrefix), standard.contains(action) || GeminiFamily.setupMethods.contains(action),
                  !GeminiFamily.getMethods.contains(action) else {
                return GeminiErrors.response(RelayError(404, "not_found_error", "Unknown Gemini method '\(method)'"))
            }
            return await gemini.handle(request, operation: method, channel: context.channel)
        }
        routes.client.get("/gemini/:method") { request, context in
            let method = context.parameters.get("method") ?? ""
            guard method.hasPrefix(GeminiFamily.codeAssistPrefix), GeminiFamily.getMethods.contains(GeminiFamily.action(method)) else {
                return GeminiErrors.response(RelayError(404, "not_found_error", "Unknown Gemini method '\(method)'"))
            }
            return await gemini.handle(request, operation: method, channel: context.channel)
        }
    }
}

extension AccountPool {
    /// Gemini requests (`/gemini/…`).
    public static let gemini = AccountPool(name: "Gemini", permission: "gemini", stickyPrefix: RedisKeys.geminiStickyPrefix, groupPlatform: "gemini")
}

extension AccountKind {
    /// Google OAuth (Gemini CLI / Code Assist upstream, `cloudcode-pa …/v1internal:`).
    public static let gemini = AccountKind(
        name: "gemini", label: "Gemini (Google OAuth)", keyPrefix: RedisKeys.geminiAccountPrefix, sharedSet: RedisKeys.sharedGeminiAccounts,
        salt: .gemini, secretFields: ["geminiOauth", "accessToken", "refreshToken"], bindingField: "geminiAccountId",
        adminPath: "gemini-accounts", pool: .gemini, credentialField: "accessToken", isOAuth: true, input: AccountInput.gemini, form: [])

    /// Gemini API keys (`{base}/v1beta/models/{model}:{action}` on generativelanguage), bound as `geminiAccountId: api:<id>`.
    public static let geminiAPI = AccountKind(
        name: "gemini-api", label: "Gemini API key", keyPrefix: RedisKeys.geminiAPIAccountPrefix, sharedSet: RedisKeys.sharedGeminiAPIAccounts,
        salt: .geminiAPI, secretFields: ["apiKey"], bindingField: "geminiAccountId", bindingPrefix: "api:", adminPath: "gemini-api-accounts",
        pool: .gemini, input: AccountInput.geminiAPI,
        form: [AccountFormField("apiKey", "API key", .secret, required: true), AccountFormField("baseUrl", "Base URL (optional)", .url)])
}
