import Hummingbird

/// Node's `/gemini-cli/api` base URL: Claude Code's Messages calls served by the Gemini pool, minus the accounts
/// authorized through Antigravity (those serve the sibling `/antigravity/api`, `AntigravityProvider`).
struct MessagesOnGeminiProvider: RelayProvider {
    var name: String { "messages-on-gemini" }
    var accountKinds: [AccountKind] { [] }

    func register(_ routes: ProviderRoutes) {
        let handler = routes.handler(MessagesOnGeminiFamily(vendor: .geminiCLI), pool: .gemini)
        routes.post(["/gemini-cli/api/v1/messages"], to: handler, operation: AnthropicFamily.messages)
        routes.post(["/gemini-cli/api/v1/messages/count_tokens"], to: handler, operation: AnthropicFamily.countTokens)
    }
}
