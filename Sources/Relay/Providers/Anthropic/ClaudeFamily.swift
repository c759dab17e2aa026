import Foundation
import Hummingbird
import NIOCore

/// The Anthropic Messages API (`/api/v1/messages`, `/count_tokens`), served by Claude official, Claude Console
/// and Bedrock accounts, and by CCR accounts for `ccr,`-prefixed models.
struct ClaudeFamily: APIFamily {
    static let messages = "messages"
    static let countTokens = "count_tokens"

    let userAgents: ClaudeCodeUserAgent

    var name: String { "anthropic" }
    var platform: String { "claude" }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard var json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest("Request body must be a JSON object") }
        guard var model = json["model"] as? String, !model.isEmpty else { throw RelayError.badRequest("model: field required") }
        // `ccr,<model>`: Node's vendor prefix — only CCR accounts serve it, and they get the model without it.
        var pool: [AccountKind]?
        var forwarded: ByteBuffer?
        if model.lowercased().hasPrefix("ccr,") {
            model = String(model.dropFirst(4)).trimmingCharacters(in: .whitespaces)
            guard !model.isEmpty else { throw RelayError.badRequest("model: a model must follow the ccr, prefix") }
            json["model"] = model
            pool = [.ccr]
            forwarded = ByteBuffer(data: JSON.data(json))
        }
        if operation == Self.messages {
            guard let messages = json["messages"] as? [Any] else { throw RelayError.badRequest("messages: field required (an array)") }
            guard !messages.isEmpty else { throw RelayError.badRequest("messages: at least one message is required") }
        }
        return ParsedRequest(json: json, model: model, stream: operation == Self.messages && (JSON.bool(json["stream"]) ?? false),
                             exemptFromQuotas: operation == Self.countTokens, sessionHash: SessionHash.of(json), pool: pool, body: forwarded)
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        kind == .bedrock ? BedrockDialect() : AnthropicDialect(officialBaseURL: context.settings.officialBaseURL, classifier: context.settings.classifier)
    }

    func errorResponse(_ error: RelayError) -> Response { error.anthropicResponse }

    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? {
        guard operation == Self.messages, let raw = reply["usage"] as? [String: Any] else { return nil }
        return TokenUsage.anthropic(raw, model: reply["model"] as? String)
    }

    func makeMeter(operation: String) -> any StreamUsageMeter { AnthropicStreamMeter() }

    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        ByteBuffer(string: "event: error\ndata: " + JSON.string(["type": "error", "error": ["type": type, "message": message]]) + "\n\n")
    }

    func observe(_ request: Request) {
        userAgents.observe(request.headers.value(.userAgent))
    }
}
