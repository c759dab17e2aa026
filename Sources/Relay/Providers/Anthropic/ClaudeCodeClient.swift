import Foundation
import HTTPTypes

/// Whether a request comes from real Claude Code (the CLI, or the Agent SDK that embeds it). Subscription (OAuth)
/// tokens serve only such requests upstream; everything else is shaped like one first (`ClaudeCodeShaping`).
/// Real Claude Code is both: a `claude-cli/<version> (…)` User-Agent, and a system prompt whose first block — after
/// the `x-anthropic-billing-header: …` block current versions send first — is one of the two identities.
enum ClaudeCodeClient {
    static let identity = "You are Claude Code, Anthropic's official CLI for Claude."
    static let agentSDKIdentity = "You are a Claude agent, built on Anthropic's Claude Agent SDK."
    static let billingHeaderPrefix = "x-anthropic-billing-header"

    static func isReal(json: [String: Any], userAgent: String?) -> Bool {
        guard let userAgent, isClaudeCodeUserAgent(userAgent) else { return false }
        return identifies(json["system"])
    }

    /// `claude-cli/2.1.3 (external, cli)`: the product, a version, then a space and a parenthesis.
    static func isClaudeCodeUserAgent(_ userAgent: String) -> Bool {
        guard userAgent.count < 512, userAgent.lowercased().hasPrefix("claude-cli/") else { return false }
        let rest = userAgent.dropFirst("claude-cli/".count)
        guard let space = rest.firstIndex(where: { $0 == " " || $0 == "\t" }), space > rest.startIndex else { return false }
        return rest[space...].drop(while: { $0 == " " || $0 == "\t" }).first == "("
    }

    static func identifies(_ system: Any?) -> Bool {
        guard let first = systemTexts(system).first(where: { !isBillingHeader($0) }) else { return false }
        let trimmed = first.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed == identity || trimmed == agentSDKIdentity
    }

    static func isBillingHeader(_ text: String) -> Bool {
        text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" }).hasPrefix(billingHeaderPrefix)
    }

    static func systemTexts(_ system: Any?) -> [String] {
        if let text = system as? String { return [text] }
        guard let blocks = system as? [Any] else { return [] }
        return blocks.compactMap { ($0 as? [String: Any])?["text"] as? String }
    }
}
