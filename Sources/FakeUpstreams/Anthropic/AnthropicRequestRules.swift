import Foundation

/// What the real Messages API refuses, checked in the order it checks: the body's shape for every credential, then
/// the subscription (OAuth) rules. Each rule has a name a scenario can relax (`fake: {relax: [claude-code-identity]}`)
/// when it deliberately sends what the real API would refuse.
public enum AnthropicRequestRules {
    public enum Rule: String, CaseIterable, Sendable {
        /// Unknown top-level fields, `model`, `max_tokens`, non-empty `messages`.
        case bodySchema = "body-schema"
        /// Roles user/assistant only; no empty text; known block types; images with a usable source; every
        /// `tool_result` answers a `tool_use` of the message before it, and every `tool_use` is answered next.
        case messages = "messages"
        /// At most 4 `cache_control` blocks; `cache_control.ttl` only with the extended-cache-ttl beta.
        case cacheControl = "cache-control"
        /// `max_tokens` within the model's output limit.
        case maxTokensLimit = "max-tokens-limit"
        /// `thinking` is `{type: enabled, budget_tokens ≥ 1024 and < max_tokens}`, `{type: disabled}` or `{type: adaptive}`.
        case thinking = "thinking"
        /// OAuth tokens: the system prompt identifies as Claude Code or the Claude Agent SDK.
        case claudeCodeIdentity = "claude-code-identity"
    }

    public struct Refusal: Error, Equatable, Sendable {
        public let status: Int
        public let type: String
        public let message: String
    }

    public static let claudeCodeIdentity = "You are Claude Code, Anthropic's official CLI for Claude."
    public static let agentSDKIdentity = "You are a Claude agent, built on Anthropic's Claude Agent SDK."
    public static let billingHeaderPrefix = "x-anthropic-billing-header"
    public static let extendedCacheTTLBeta = "extended-cache-ttl-2025-04-11"
    public static let onlyClaudeCodeMessage = "This credential is only authorized for use with Claude Code and cannot be used for other API requests."

    /// Top-level fields the Messages API knows (the official SDKs' create and beta-create parameters).
    static let messageFields: Set<String> = [
        "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k",
        "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management", "output_config",
        "output_format", "cache_control", "inference_geo", "speed", "diagnostics", "compaction", "user_profile_id", "workspace_id",
        "fallbacks", "fallback_credit_token", "billing_policy", "thread",
    ]
    static let countTokensFields: Set<String> = [
        "model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management", "output_config",
        "output_format", "cache_control", "speed", "user_profile_id", "workspace_id",
    ]

    /// Output-token limits of the models the fake serves (the real API's published maximums).
    static let outputLimits: [(prefix: String, limit: Int)] = [
        ("claude-opus-4-5", 64_000), ("claude-opus-4-1", 32_000), ("claude-opus-4", 32_000), ("claude-sonnet-4-5", 64_000),
        ("claude-sonnet-4", 64_000), ("claude-haiku-4-5", 64_000), ("claude-3-7-sonnet", 64_000), ("claude-3-5-sonnet", 8_192),
        ("claude-3-5-haiku", 8_192), ("claude-3-haiku", 4_096), ("claude-3-opus", 4_096),
    ]

    /// Checks one request; nil when the real API would take it.
    public static func check(_ body: [String: Any], countTokens: Bool, oauth: Bool, betas: [String], relaxed: Set<Rule>) -> Refusal? {
        func on(_ rule: Rule) -> Bool { !relaxed.contains(rule) }
        if on(.bodySchema), let refusal = schema(body, countTokens: countTokens) { return refusal }
        if on(.messages), let refusal = AnthropicMessageRules.check(body["messages"] as? [Any] ?? []) { return refusal }
        if on(.cacheControl), let refusal = cacheControl(body, betas: betas) { return refusal }
        if !countTokens, on(.maxTokensLimit), let refusal = maxTokens(body) { return refusal }
        if on(.thinking), let refusal = thinking(body) { return refusal }
        if oauth, on(.claudeCodeIdentity), !identifiesAsClaudeCode(body["system"]) {
            return Refusal(status: 400, type: "invalid_request_error", message: onlyClaudeCodeMessage)
        }
        return nil
    }

    static func invalid(_ message: String) -> Refusal { Refusal(status: 400, type: "invalid_request_error", message: message) }

    static func schema(_ body: [String: Any], countTokens: Bool) -> Refusal? {
        let known = countTokens ? countTokensFields : messageFields
        if let extra = body.keys.sorted().first(where: { !known.contains($0) }) { return invalid("\(extra): Extra inputs are not permitted") }
        guard let model = body["model"] as? String, !model.isEmpty else { return invalid("model: Field required") }
        if !countTokens {
            guard let maxTokens = body["max_tokens"] else { return invalid("max_tokens: Field required") }
            guard let value = maxTokens as? NSNumber, !isBoolean(value), value.doubleValue == value.doubleValue.rounded(), value.intValue >= 1 else {
                return invalid("max_tokens: Input should be a valid integer greater than or equal to 1")
            }
        }
        guard let messages = body["messages"] else { return invalid("messages: Field required") }
        guard let list = messages as? [Any] else { return invalid("messages: Input should be a valid list") }
        if list.isEmpty { return invalid("messages: at least one message is required") }
        if let system = body["system"], !(system is String), !(system is [Any]) {
            return invalid("system: Input should be a valid string or a list of text blocks")
        }
        return nil
    }

    static func cacheControl(_ body: [String: Any], betas: [String]) -> Refusal? {
        var count = 0
        var ttlPath: String?
        func visit(_ block: Any, path: String) {
            guard let object = block as? [String: Any], let control = object["cache_control"] as? [String: Any] else { return }
            count += 1
            if ttlPath == nil, control["ttl"] != nil { ttlPath = path + ".cache_control.ephemeral.ttl" }
        }
        if let system = body["system"] as? [Any] { for (index, block) in system.enumerated() { visit(block, path: "system.\(index)") } }
        for (m, message) in ((body["messages"] as? [Any]) ?? []).enumerated() {
            guard let content = (message as? [String: Any])?["content"] as? [Any] else { continue }
            for (index, block) in content.enumerated() { visit(block, path: "messages.\(m).content.\(index)") }
        }
        for (index, tool) in ((body["tools"] as? [Any]) ?? []).enumerated() { visit(tool, path: "tools.\(index)") }
        if count > 4 { return invalid("A maximum of 4 blocks with cache_control may be provided. Found \(count).") }
        if let ttlPath, !betas.contains(extendedCacheTTLBeta) { return invalid("\(ttlPath): Extra inputs are not permitted") }
        return nil
    }

    static func maxTokens(_ body: [String: Any]) -> Refusal? {
        guard let model = (body["model"] as? String)?.lowercased(), let requested = (body["max_tokens"] as? NSNumber)?.intValue,
              let limit = outputLimits.first(where: { model.hasPrefix($0.prefix) })?.limit, requested > limit else { return nil }
        return invalid("max_tokens: \(requested) > \(limit), which is the maximum allowed number of output tokens for \(model)")
    }

    static func thinking(_ body: [String: Any]) -> Refusal? {
        guard let raw = body["thinking"] else { return nil }
        guard let thinking = raw as? [String: Any], let type = thinking["type"] as? String else {
            return invalid("thinking: Input tag not found; expected one of 'enabled', 'disabled', 'adaptive'")
        }
        switch type {
        case "disabled", "adaptive":
            return nil
        case "enabled":
            guard let budget = (thinking["budget_tokens"] as? NSNumber).flatMap({ isBoolean($0) ? nil : $0.intValue }) else {
                return invalid("thinking.enabled.budget_tokens: Field required")
            }
            if budget < 1024 { return invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024") }
            if let maxTokens = (body["max_tokens"] as? NSNumber)?.intValue, budget >= maxTokens {
                return invalid("`max_tokens` must be greater than `thinking.budget_tokens`.")
            }
            return nil
        default:
            return invalid("thinking: Input tag '\(type)' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'")
        }
    }

    /// The first system block that is not Claude Code's billing header says who is calling.
    public static func identifiesAsClaudeCode(_ system: Any?) -> Bool {
        let texts: [String]
        if let text = system as? String {
            texts = [text]
        } else if let blocks = system as? [Any] {
            texts = blocks.compactMap { ($0 as? [String: Any])?["text"] as? String }
        } else {
            return false
        }
        guard let first = texts.first(where: { !$0.trimmingCharacters(in: .whitespaces).hasPrefix(billingHeaderPrefix) }) else { return false }
        let trimmed = first.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed == claudeCodeIdentity || trimmed == agentSDKIdentity
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
