import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// Builds the Anthropic Messages request for an account (docs/reference/upstream-wire.md, "Anthropic Messages"):
/// - OAuth (claude-official): `{base}/v1/messages?beta=true`, `Authorization: Bearer`, `anthropic-beta` with the
///   oauth flag merged with the client's betas;
/// - Console: the account's own URL (`/v1/messages` appended once), `x-api-key` for `sk-ant-` keys, Bearer
///   otherwise, the account's User-Agent (else a Claude Code one).
/// Client headers pass through except transport, credential and browser headers; the client's relay key never
/// leaves the relay. The body goes out as the client sent it, unless the account maps the model to another name.
public enum AnthropicUpstreamRequest {
    public enum Endpoint: Sendable { case messages, countTokens }

    public static let defaultBeta = "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14"
    public static let haikuBeta = "oauth-2025-04-20,interleaved-thinking-2025-05-14"
    public static let defaultUserAgent = "claude-cli/2.0.52 (external, cli)"
    public static let anthropicVersion = "2023-06-01"
    static let anthropicVersionField = HTTPField.Name("anthropic-version")!
    static let anthropicBetaField = HTTPField.Name("anthropic-beta")!

    /// Besides what no upstream gets (`ClientHeaderFilter`): what the relay sets itself, and browser headers.
    static let droppedHeaders: Set<String> = [
        "content-type", "user-agent", "origin", "referer", "accept-language", "accept", "cache-control", "pragma",
        "anthropic-dangerous-direct-browser-access", "anthropic-beta", "anthropic-version",
    ]

    public static func build(
        account: AccountRecord, credential: String, endpoint: Endpoint, clientHeaders: HTTPFields, clientQuery: String?,
        body: ByteBuffer, requestedModel: String, upstreamModel: String, officialBaseURL: String
    ) -> UpstreamRequest {
        var headers = UpstreamHeaders.forwarding(clientHeaders, alsoDropping: droppedHeaders)
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        headers.replaceOrAdd(name: "anthropic-version", value: clientHeaders.value(anthropicVersionField) ?? anthropicVersion)
        let clientBetas = clientHeaders[values: anthropicBetaField]
        let clientUserAgent = clientHeaders.value(.userAgent)
        let url: String
        switch account.kind {
        case .claudeOfficial:
            url = UpstreamBaseURL.trimmed(officialBaseURL) + (endpoint == .messages ? "/v1/messages?beta=true" : "/v1/messages/count_tokens?beta=true")
            headers.replaceOrAdd(name: "authorization", value: "Bearer \(credential)")
            let required = TextScan.contains(upstreamModel.lowercased(), "haiku") ? haikuBeta : defaultBeta
            headers.replaceOrAdd(name: "anthropic-beta", value: mergeBetas(required, clientBetas))
            headers.replaceOrAdd(name: "user-agent", value: clientUserAgent ?? "claude-cli/1.0.119 (external, cli)")
        default:
            url = consoleURL(account.apiURL ?? "", endpoint: endpoint, query: clientQuery)
            if credential.hasPrefix("sk-ant-") {
                headers.replaceOrAdd(name: "x-api-key", value: credential)
            } else {
                headers.replaceOrAdd(name: "authorization", value: "Bearer \(credential)")
            }
            if !clientBetas.isEmpty { headers.replaceOrAdd(name: "anthropic-beta", value: mergeBetas("", clientBetas)) }
            let claudeCodeClient = clientUserAgent.map(isClaudeCodeUserAgent) ?? false
            headers.replaceOrAdd(name: "user-agent", value: account.userAgent ?? (claudeCodeClient ? clientUserAgent! : defaultUserAgent))
        }
        return UpstreamRequest(url: url, headers: headers, body: ModelRewrite.apply(body, from: requestedModel, to: upstreamModel), proxy: account.proxy)
    }

    /// `{apiUrl}` without trailing slashes, with `/v1/messages` exactly once (count_tokens: its own path).
    static func consoleURL(_ apiURL: String, endpoint: Endpoint, query: String?) -> String {
        var base = UpstreamBaseURL.trimmed(apiURL)
        if base.hasSuffix("/v1/messages") { base.removeLast("/v1/messages".count) }
        let path = endpoint == .messages ? "/v1/messages" : "/v1/messages/count_tokens"
        let passQuery = query.flatMap { $0.isEmpty ? nil : $0 }.map { "?" + $0 } ?? ""
        return base + path + passQuery
    }

    /// Required betas first, then the client's, each once.
    static func mergeBetas(_ required: String, _ client: [String]) -> String {
        var seen = Set<String>()
        let all = (required.split(separator: ",") + client.flatMap { $0.split(separator: ",") })
            .map { TextScan.trimmed(String($0)) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
        return all.joined(separator: ",")
    }

    static func isClaudeCodeUserAgent(_ userAgent: String) -> Bool {
        userAgent.hasPrefix("claude_code") || TextScan.claudeCLIVersion(userAgent) != nil
    }
}
