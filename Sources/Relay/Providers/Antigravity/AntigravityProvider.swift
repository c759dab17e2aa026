import Hummingbird

/// Google's Antigravity backend for Gemini accounts authorized through the Antigravity app (`oauthProvider:
/// antigravity`): every Gemini route sends such an account's content calls there (`AntigravityRequests`), and Node's
/// `/antigravity/api` base URL serves Claude Code from these accounts alone — Gemini and the Claude models Antigravity
/// hosts — with the live model list at `/antigravity/api/v1/models`.
struct AntigravityProvider: RelayProvider {
    var name: String { "antigravity" }

    static let url = UpstreamURLSetting(environment: "CRS_ANTIGRAVITY_URL", defaultValue: "https://daily-cloudcode-pa.sandbox.googleapis.com",
                                        summary: "Google's Antigravity backend for Gemini accounts authorized through Antigravity")
    /// The production host, tried after the daily one (and first for Claude models) — while `CRS_ANTIGRAVITY_URL` is
    /// the default, or when this is set to another host.
    static let fallbackURL = UpstreamURLSetting(environment: "CRS_ANTIGRAVITY_FALLBACK_URL", defaultValue: "https://cloudcode-pa.googleapis.com",
                                                summary: "Antigravity's other host, tried once when the first refuses in a host-specific way")
    var upstreamURLs: [UpstreamURLSetting] { [Self.url, Self.fallbackURL] }
    /// The Antigravity client's user agent (Node's default; the backend expects its own client).
    static let userAgent = "antigravity/1.15.8 windows/amd64"

    var accountKinds: [AccountKind] { [] }

    static func requests(_ context: RelayContext) -> AntigravityRequests {
        // As Node: a host set to something else than the default is the only one, unless the fallback is set too.
        let primary = context.settings.upstreamURL(url), other = context.settings.upstreamURL(fallbackURL)
        let fallback = primary == url.defaultValue || other != fallbackURL.defaultValue ? other : nil
        return AntigravityRequests(baseURL: context.settings.upstreamURL(url), fallbackURL: fallback, userAgent: userAgent, accounts: context.accounts)
    }

    func register(_ routes: ProviderRoutes) {
        let handler = routes.handler(MessagesOnGeminiFamily(vendor: .antigravity), pool: .gemini)
        routes.post(["/antigravity/api/v1/messages"], to: handler, operation: AnthropicFamily.messages)
        routes.post(["/antigravity/api/v1/messages/count_tokens"], to: handler, operation: AnthropicFamily.countTokens)
        AntigravityModelsController(context: routes.services.relay).register(on: routes.client)
    }
}
