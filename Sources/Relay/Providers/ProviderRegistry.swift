/// The providers this relay serves. Adding a provider is adding it here (and its fake to `FakeRegistry`); its
/// account kinds, pools, settings and routes come from its own declaration. Order matters: it is the order in
/// which a pool shared by several providers (Anthropic and Bedrock) prefers their kinds.
enum ProviderRegistry {
    static let all: [any RelayProvider] = [
        AnthropicProvider(),
        BedrockProvider(),
        GeminiProvider(),
        OpenAIProvider(),
        AzureProvider(),
        ChatCompletionsProvider(),
        DroidProvider(),
        MessagesOnGeminiProvider(),
        AntigravityProvider(),
    ]

    /// Every pool some kind serves in, in first-declared order.
    static var pools: [AccountPool] {
        var seen: [AccountPool] = []
        for kind in AccountKind.all where !seen.contains(kind.pool) { seen.append(kind.pool) }
        return seen
    }

    static var upstreamURLs: [UpstreamURLSetting] { all.flatMap(\.upstreamURLs) }
}
