import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Droid accounts on Factory's LLM gateway (`{CRS_DROID_API_URL}/a/v1/messages`, `/o/v1/responses`,
/// `/o/v1/chat/completions`) as the Droid CLI calls it: the account's key as a Bearer token, `x-factory-client: cli`,
/// the CLI's user agent, `x-api-provider` naming the model's provider, a session id; Droid's identity ahead of the
/// client's own system prompt, as the CLI sends it; `metadata` left out (the gateway takes none); Chat Completions
/// streams ask for their usage. Replies and streams pass through in the endpoint's own format.
struct DroidDialect: ProviderDialect {
    static let defaultUserAgent = "factory-cli/0.32.1"
    static let identity = "You are Droid, an AI software engineering agent built by Factory."

    let endpoint: DroidFamily.Endpoint
    let baseURL: String

    static func path(_ endpoint: DroidFamily.Endpoint) -> String {
        switch endpoint {
        case .anthropic: return "/a/v1/messages"
        case .openAI: return "/o/v1/responses"
        case .comm: return "/o/v1/chat/completions"
        }
    }

    /// The gateway's provider for a Chat Completions model (Node's rule).
    static func provider(forChatModel model: String) -> String {
        let lower = model.lowercased()
        if lower.contains("gemini") { return "google" }
        if lower.contains("claude") { return "anthropic" }
        if lower.contains("gpt") { return "azure_openai" }
        if lower.contains("glm") { return "fireworks" }
        return "baseten"
    }

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: "Bearer \(input.credential)")
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "user-agent", value: input.account.nonEmpty("userAgent") ?? Self.defaultUserAgent)
        headers.add(name: "x-factory-client", value: "cli")
        headers.add(name: "x-session-id", value: input.clientHeaders[HTTPField.Name("x-session-id")!] ?? UUID().lowercasedString)
        var body = input.json
        body.removeValue(forKey: "metadata")
        if input.upstreamModel != input.requestedModel { body["model"] = input.upstreamModel }
        switch endpoint {
        case .anthropic:
            headers.add(name: "accept", value: "application/json")
            headers.add(name: "anthropic-version", value: "2023-06-01")
            headers.add(name: "x-api-provider", value: "anthropic")
            if let thinking = body["thinking"] as? [String: Any], thinking["type"] as? String == "enabled" {
                headers.add(name: "anthropic-beta", value: "interleaved-thinking-2025-05-14")
            }
            body["system"] = Self.system(body["system"])
        case .openAI:
            headers.add(name: "x-api-provider", value: input.upstreamModel.lowercased().contains("-max") ? "openai" : "azure_openai")
            let instructions = body["instructions"] as? String ?? ""
            body["instructions"] = instructions.hasPrefix(Self.identity) ? instructions : Self.identity + instructions
        case .comm:
            headers.add(name: "x-api-provider", value: Self.provider(forChatModel: input.upstreamModel))
            body["messages"] = Self.messages(body["messages"] as? [Any] ?? [])
            // A stream reports its usage only when asked: asked always, so it is metered (as on Azure accounts).
            if input.stream {
                var options = body["stream_options"] as? [String: Any] ?? [:]
                options["include_usage"] = true
                body["stream_options"] = options
            }
        }
        return UpstreamRequest(url: UpstreamBaseURL.trimmed(baseURL) + Self.path(endpoint), headers: headers,
                               body: ByteBuffer(data: JSON.data(body)), proxy: input.account.proxy)
    }

    /// Droid's identity block first, then the client's system prompt (a string becomes one block), once.
    static func system(_ raw: Any?) -> [Any] {
        var blocks: [Any] = (raw as? [Any]) ?? ((raw as? String).map { $0.isEmpty ? [] : [["type": "text", "text": $0]] } ?? [])
        if !blocks.contains(where: { ($0 as? [String: Any])?["text"] as? String == identity }) {
            blocks.insert(["type": "text", "text": identity], at: 0)
        }
        return blocks
    }

    /// Chat Completions: the identity ahead of the first system message's text, or a system message of its own.
    static func messages(_ list: [Any]) -> [Any] {
        var messages = list
        if let index = messages.firstIndex(where: { ($0 as? [String: Any])?["role"] as? String == "system" }),
           var first = messages[index] as? [String: Any] {
            if let text = first["content"] as? String, !text.hasPrefix(identity) {
                first["content"] = identity + text
                messages[index] = first
            }
        } else {
            messages.insert(["role": "system", "content": identity], at: 0)
        }
        return messages
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        (OpenAIErrors.classify(status: status, headers: headers, body: body, account: account, now: now),
         RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer { body }
    func transcoder(requestedModel: String) -> (any StreamTranscoder)? { nil }
}
