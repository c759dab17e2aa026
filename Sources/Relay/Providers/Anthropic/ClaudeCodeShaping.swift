import Crypto
import Foundation

/// Rewrites a request from any client into one a Claude subscription (OAuth) token may send: the Anthropic API
/// serves such tokens only for Claude Code. Applied to claude-official accounts for clients that are not real Claude
/// Code (`ClaudeCodeClient.isReal`); real Claude Code requests go out untouched. Each step is in docs/providers.md.
struct ClaudeCodeShaping {
    struct Input {
        var json: [String: Any]
        var countTokens: Bool
        var accountID: String
        /// The subscription's account uuid, when the account record knows it.
        var accountUUID: String?
        /// The conversation's session hash: the synthesised session id stays the same for one conversation.
        var sessionHash: String?
        /// The model's output-token limit from the price table.
        var outputLimit: Int?
        /// The `anthropic-beta` values the request goes out with.
        var betas: [String]
        /// The retry after an "only authorized for use with Claude Code" refusal: tool names get this suffix.
        var toolSuffix: String?
    }

    struct Output {
        var json: [String: Any]
        /// Upstream tool name → the client's, for the reply (only when tools were renamed).
        var toolNames: [String: String]
    }

    static let maxCacheControlBlocks = 4
    static let extendedCacheTTLBeta = "extended-cache-ttl-2025-04-11"

    static func shape(_ input: Input) -> Output {
        var json = input.json
        json["system"] = system(json["system"])
        if !input.countTokens { json["metadata"] = metadata(json["metadata"], input: input) }
        if !input.betas.contains(extendedCacheTTLBeta) { stripCacheTTL(&json) }
        limitCacheControl(&json)
        if !input.countTokens, let limit = input.outputLimit, let requested = JSON.int(json["max_tokens"]), requested > limit {
            json["max_tokens"] = limit
        }
        normaliseThinking(&json)
        var toolNames: [String: String] = [:]
        if let suffix = input.toolSuffix { toolNames = renameTools(&json, suffix: suffix) }
        return Output(json: json, toolNames: toolNames)
    }

    /// The identity block first, then the client's own system prompt (a string becomes one text block); billing
    /// header blocks a client copied and further identity blocks go.
    static func system(_ raw: Any?) -> [Any] {
        var blocks: [Any]
        if let text = raw as? String {
            blocks = text.isEmpty ? [] : [["type": "text", "text": text]]
        } else {
            blocks = raw as? [Any] ?? []
        }
        blocks.removeAll { block in
            guard let text = (block as? [String: Any])?["text"] as? String else { return false }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return ClaudeCodeClient.isBillingHeader(text) || trimmed == ClaudeCodeClient.identity
        }
        let identity: [String: Any] = ["type": "text", "text": ClaudeCodeClient.identity, "cache_control": ["type": "ephemeral"]]
        return [identity] + blocks
    }

    /// A client without `metadata.user_id` gets one in the form current Claude Code sends: a JSON string with a
    /// device id stable per account, the account's uuid, and a session id stable per conversation.
    static func metadata(_ raw: Any?, input: Input) -> [String: Any] {
        var metadata = raw as? [String: Any] ?? [:]
        if let existing = metadata["user_id"] as? String, !existing.isEmpty { return metadata }
        let device = Hex.encode(SHA256.hash(data: Data("crs-device:\(input.accountID)".utf8)))
        let sessionSeed = input.sessionHash.map { "crs-session:\(input.accountID):\($0)" } ?? "crs-session:\(input.accountID):\(UUID().uuidString)"
        metadata["user_id"] = JSON.string(["device_id": device, "account_uuid": input.accountUUID ?? "", "session_id": uuid(from: sessionSeed)])
        return metadata
    }

    /// Every content list that may carry `cache_control`: the system blocks, each message's content, the tools.
    static func forEachBlockList(_ json: inout [String: Any], _ body: (inout [Any]) -> Void) {
        if var system = json["system"] as? [Any] { body(&system); json["system"] = system }
        if var messages = json["messages"] as? [Any] {
            for index in messages.indices {
                guard var message = messages[index] as? [String: Any], var content = message["content"] as? [Any] else { continue }
                body(&content)
                message["content"] = content
                messages[index] = message
            }
            json["messages"] = messages
        }
        if var tools = json["tools"] as? [Any] { body(&tools); json["tools"] = tools }
    }

    static func stripCacheTTL(_ json: inout [String: Any]) {
        forEachBlockList(&json) { blocks in
            for index in blocks.indices {
                guard var block = blocks[index] as? [String: Any], var control = block["cache_control"] as? [String: Any], control["ttl"] != nil else { continue }
                control.removeValue(forKey: "ttl")
                block["cache_control"] = control
                blocks[index] = block
            }
        }
    }

    /// The API takes at most 4 `cache_control` blocks: the identity block's and the client's system blocks are kept
    /// first, then the latest message breakpoints (the ones that extend the cached prefix); the rest lose the marker,
    /// never their content.
    static func limitCacheControl(_ json: inout [String: Any]) {
        var keep = maxCacheControlBlocks
        func spend(_ blocks: inout [Any], newestFirst: Bool) {
            let order = newestFirst ? Array(blocks.indices.reversed()) : Array(blocks.indices)
            for index in order {
                guard var block = blocks[index] as? [String: Any], block["cache_control"] != nil else { continue }
                if keep > 0 { keep -= 1; continue }
                block.removeValue(forKey: "cache_control")
                blocks[index] = block
            }
        }
        if var tools = json["tools"] as? [Any] { spend(&tools, newestFirst: false); json["tools"] = tools }
        if var system = json["system"] as? [Any] { spend(&system, newestFirst: false); json["system"] = system }
        if var messages = json["messages"] as? [Any] {
            for index in messages.indices.reversed() {
                guard var message = messages[index] as? [String: Any], var content = message["content"] as? [Any] else { continue }
                spend(&content, newestFirst: true)
                message["content"] = content
                messages[index] = message
            }
            json["messages"] = messages
        }
    }

    /// `thinking` the API would refuse is made valid: an unknown form goes; an enabled budget under 1,024 is raised to
    /// it, one not below `max_tokens` is lowered under it, and thinking is dropped when `max_tokens` leaves no room.
    static func normaliseThinking(_ json: inout [String: Any]) {
        guard let raw = json["thinking"] else { return }
        guard let thinking = raw as? [String: Any], let type = thinking["type"] as? String else { json.removeValue(forKey: "thinking"); return }
        switch type {
        case "disabled", "adaptive":
            json["thinking"] = ["type": type]
        case "enabled":
            let maxTokens = JSON.int(json["max_tokens"])
            var budget = max(1024, JSON.int(thinking["budget_tokens"]) ?? 1024)
            if let maxTokens, budget >= maxTokens { budget = maxTokens - 1 }
            if budget < 1024 { json.removeValue(forKey: "thinking"); return }
            json["thinking"] = ["type": "enabled", "budget_tokens": budget]
        default:
            json.removeValue(forKey: "thinking")
        }
    }

    /// The retry's tool names: `name_<suffix>` in `tools`, `tool_choice` and earlier `tool_use` blocks.
    static func renameTools(_ json: inout [String: Any], suffix: String) -> [String: String] {
        var reverse: [String: String] = [:]
        func renamed(_ name: String) -> String {
            let upstream = "\(name)_\(suffix)"
            reverse[upstream] = name
            return upstream
        }
        if var tools = json["tools"] as? [Any] {
            for index in tools.indices {
                // Server tools (`web_search_20250305` and the like) keep the names the API gives them.
                guard var tool = tools[index] as? [String: Any], let name = tool["name"] as? String, tool["type"] == nil || tool["type"] as? String == "custom" else { continue }
                tool["name"] = renamed(name)
                tools[index] = tool
            }
            json["tools"] = tools
        }
        if var choice = json["tool_choice"] as? [String: Any], let name = choice["name"] as? String, reverse.values.contains(name) {
            choice["name"] = "\(name)_\(suffix)"
            json["tool_choice"] = choice
        }
        if var messages = json["messages"] as? [Any] {
            for index in messages.indices {
                guard var message = messages[index] as? [String: Any], var content = message["content"] as? [Any] else { continue }
                for block in content.indices {
                    guard var item = content[block] as? [String: Any], item["type"] as? String == "tool_use", let name = item["name"] as? String,
                          reverse.values.contains(name) else { continue }
                    item["name"] = "\(name)_\(suffix)"
                    content[block] = item
                }
                message["content"] = content
                messages[index] = message
            }
            json["messages"] = messages
        }
        return reverse
    }

    /// A version-4-shaped UUID from a seed's SHA-256 (the same seed, the same id).
    static func uuid(from seed: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(seed.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let text = Hex.encode(bytes)
        let characters = Array(text)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return [part(0..<8), part(8..<12), part(12..<16), part(16..<20), part(20..<32)].joined(separator: "-")
    }
}
