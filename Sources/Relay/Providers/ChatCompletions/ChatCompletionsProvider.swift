import Hummingbird

/// OpenAI Chat Completions for the tools that speak nothing else, on the original's paths: per target
/// (`/openai/claude/v1/chat/completions`, `/openai/gemini/v1/chat/completions`) and routed by model
/// (`/api/v1/chat/completions`, `/openai/v1/chat/completions`), with the model lists a key may use. It owns no
/// accounts: requests go to the Claude, Gemini and OpenAI pools through their families.
struct ChatCompletionsProvider: RelayProvider {
    var name: String { "chat-completions" }
    var accountKinds: [AccountKind] { [] }

    func register(_ routes: ProviderRoutes) {
        let services = routes.services
        let anthropic = AnthropicProvider.family(services, relaySettings: services.relay.relaySettings ?? ClaudeRelaySettings(redis: services.redis, clock: services.clock))
        let claude = routes.handler(ChatCompletionsFamily(target: .claude, anthropic: anthropic), pool: .claude)
        let gemini = routes.handler(ChatCompletionsFamily(target: .gemini, anthropic: anthropic), pool: .gemini)
        let openAI = routes.handler(ChatCompletionsFamily(target: .openAI, anthropic: anthropic), pool: .openAI)
        let operation = ChatCompletionsFamily.operation
        routes.post(["/openai/claude/v1/chat/completions", "/openai/claude/chat/completions"], to: claude, operation: operation)
        routes.post(["/openai/gemini/v1/chat/completions", "/openai/gemini/chat/completions"], to: gemini, operation: operation)
        // The legacy Completions API on Node's paths (Claude: /openai/claude/v1/completions; routed by model on /api and /openai).
        let anthropicFamily = ChatCompletionsFamily(target: .claude, anthropic: anthropic)
        let legacyClaude = routes.handler(LegacyCompletionsFamily(chat: anthropicFamily), pool: .claude)
        routes.post(["/openai/claude/v1/completions"], to: legacyClaude, operation: operation)
        let legacy = ChatCompletionsRouter(claude: legacyClaude,
                                           gemini: routes.handler(LegacyCompletionsFamily(chat: ChatCompletionsFamily(target: .gemini, anthropic: anthropic)), pool: .gemini),
                                           openAI: routes.handler(LegacyCompletionsFamily(chat: ChatCompletionsFamily(target: .openAI, anthropic: anthropic)), pool: .openAI),
                                           admission: services.relay.admission, maxBodyBytes: services.relay.settings.maxBodyBytes)
        for path in ["/api/v1/completions", "/openai/v1/completions"] {
            routes.client.post(RouterPath(path)) { request, context in await legacy.handle(request, channel: context.channel) }
        }
        let routed = ChatCompletionsRouter(claude: claude, gemini: gemini, openAI: openAI, admission: services.relay.admission,
                                           maxBodyBytes: services.relay.settings.maxBodyBytes)
        for path in ["/api/v1/chat/completions", "/openai/v1/chat/completions"] {
            routes.client.post(RouterPath(path)) { request, context in await routed.handle(request, channel: context.channel) }
        }
        let models = ChatModelsController(admission: services.relay.admission)
        for (prefix, targets) in [("/openai/claude", [ChatCompletionsFamily.Target.claude]), ("/openai/gemini", [.gemini]), ("/openai", [.claude, .gemini, .openAI])] {
            routes.client.get(RouterPath("\(prefix)/v1/models")) { request, _ in await models.list(request, targets: targets) }
            routes.client.get(RouterPath("\(prefix)/v1/models/:model")) { request, context in
                await models.list(request, targets: targets, only: context.parameters.get("model") ?? "")
            }
        }
    }
}
