/// Antigravity's model names: it serves Gemini and Claude models under its own upstream ids (`gemini-3-pro-high`,
/// `claude-sonnet-4-5-thinking`, …), which clients know by public names (`gemini-3-pro-preview`,
/// `gemini-claude-sonnet-4-5` or plain `claude-sonnet-4-5`). Thinking budgets have per-model bounds.
enum AntigravityModels {
    static let defaultModel = "gemini-2.5-flash"

    struct Thinking: Sendable {
        let min: Int
        let max: Int
    }

    struct Metadata: Sendable {
        /// nil: the model does not think (a thinking config is dropped).
        let thinking: Thinking?
        let maxCompletionTokens: Int?
        let name: String?
    }

    /// Upstream id → public name; an empty name hides the model from lists.
    static let upstreamToAlias: [String: String] = [
        "rev19-uic3-1p": "gemini-2.5-computer-use-preview-10-2025", "gemini-3-pro-image": "gemini-3-pro-image-preview",
        "gemini-3-pro-high": "gemini-3-pro-preview", "gemini-3.1-pro-high": "gemini-3.1-pro-preview", "gemini-3-flash": "gemini-3-flash-preview",
        "claude-sonnet-4-5": "gemini-claude-sonnet-4-5", "claude-sonnet-4-5-thinking": "gemini-claude-sonnet-4-5-thinking",
        "claude-opus-4-5-thinking": "gemini-claude-opus-4-5-thinking", "claude-opus-4-6-thinking": "gemini-claude-opus-4-6-thinking",
        "chat_20706": "", "chat_23310": "", "gemini-2.5-flash-thinking": "", "gemini-3-pro-low": "", "gemini-3.1-pro-low": "", "gemini-2.5-pro": "",
    ]

    static let aliasToUpstream: [String: String] = Dictionary(
        upstreamToAlias.compactMap { $0.value.isEmpty ? nil : ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })

    static let metadata: [String: Metadata] = {
        let flash = Thinking(min: 0, max: 24_576), pro3 = Thinking(min: 128, max: 32_768), claude = Thinking(min: 1_024, max: 200_000)
        return [
            "gemini-2.5-flash": Metadata(thinking: flash, maxCompletionTokens: nil, name: "models/gemini-2.5-flash"),
            "gemini-2.5-flash-lite": Metadata(thinking: flash, maxCompletionTokens: nil, name: "models/gemini-2.5-flash-lite"),
            "gemini-2.5-computer-use-preview-10-2025": Metadata(thinking: nil, maxCompletionTokens: nil, name: "models/gemini-2.5-computer-use-preview-10-2025"),
            "gemini-3-pro-preview": Metadata(thinking: pro3, maxCompletionTokens: nil, name: "models/gemini-3-pro-preview"),
            "gemini-3-pro-image-preview": Metadata(thinking: pro3, maxCompletionTokens: nil, name: "models/gemini-3-pro-image-preview"),
            "gemini-3.1-pro-preview": Metadata(thinking: pro3, maxCompletionTokens: nil, name: "models/gemini-3.1-pro-preview"),
            "gemini-3-flash-preview": Metadata(thinking: pro3, maxCompletionTokens: nil, name: "models/gemini-3-flash-preview"),
            "gemini-claude-sonnet-4-5-thinking": Metadata(thinking: claude, maxCompletionTokens: 64_000, name: nil),
            "gemini-claude-opus-4-5-thinking": Metadata(thinking: claude, maxCompletionTokens: 64_000, name: nil),
            "gemini-claude-opus-4-6-thinking": Metadata(thinking: claude, maxCompletionTokens: 64_000, name: nil),
        ]
    }()

    static func normalized(_ model: String?) -> String {
        guard let model, !model.isEmpty else { return defaultModel }
        return model.hasPrefix("models/") ? String(model.dropFirst(7)) : model
    }

    static func alias(_ model: String) -> String {
        let name = normalized(model)
        return upstreamToAlias[name] ?? name
    }

    static func metadata(_ model: String) -> Metadata? {
        let name = normalized(model)
        if let known = metadata[name] { return known }
        if name.hasPrefix("claude-") { return metadata["gemini-\(name)"] ?? metadata["gemini-\(name)-thinking"] }
        return nil
    }

    /// The id Antigravity is sent. Opus is served as its thinking variant; `gemini-2.5-flash-thinking` as flash.
    static func upstream(_ model: String) -> String {
        var name = normalized(model)
        name = aliasToUpstream[name] ?? name
        if name.hasPrefix("gemini-claude-") { name = String(name.dropFirst("gemini-".count)) }
        let fallbacks = ["claude-opus-4-5": "claude-opus-4-5-thinking", "claude-opus-4-6": "claude-opus-4-6-thinking",
                         "gemini-2.5-flash-thinking": "gemini-2.5-flash"]
        return fallbacks[name] ?? name
    }

    static func isClaude(_ upstreamModel: String) -> Bool { upstreamModel.contains("claude") }
}
