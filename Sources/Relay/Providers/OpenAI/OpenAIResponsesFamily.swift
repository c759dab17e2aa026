import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The OpenAI Responses API (`/openai/responses`, `/openai/v1/responses`), served by ChatGPT-OAuth (Codex) and
/// API-key Responses accounts. Errors in OpenAI's shape `{"error": {message, type, param, code}}`.
struct OpenAIResponsesFamily: APIFamily {
    static let responses = "responses"
    /// Codex CLI compacts a long conversation through `responses/compact`: one JSON reply (never a stream) that
    /// replaces the history; metered like a response when it reports usage.
    static let compact = "responses/compact"
    /// Image generation (`POST /v1/images/generations`) on API-key accounts; ChatGPT accounts cannot serve it.
    static let images = "images/generations"
    /// OpenAI's default when a request names no image model.
    static let defaultImageModel = "dall-e-2"

    var name: String { "openai-responses" }
    var platform: String { "openai" }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard let json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        if operation == Self.images { return try Self.parseImages(json) }
        guard let model = json["model"] as? String, !model.isEmpty else { throw RelayError.badRequest("model: field required") }
        guard json["input"] != nil else { throw RelayError.badRequest("input: field required") }
        if let stream = json["stream"], JSON.bool(stream) == nil { throw RelayError.badRequest("stream: must be a boolean") }
        if operation == Self.compact, JSON.bool(json["stream"]) == true {
            throw RelayError.badRequest("stream: responses/compact answers with one JSON object; it cannot stream")
        }
        return ParsedRequest(json: json, model: model, stream: JSON.bool(json["stream"]) ?? false, exemptFromQuotas: false,
                             sessionHash: Self.sessionHash(request, json))
    }

    /// `prompt` is required; partial-image streams are not relayed (a clear 400 instead of a silently whole reply).
    static func parseImages(_ json: [String: Any]) throws -> ParsedRequest {
        guard let prompt = json["prompt"] as? String, !prompt.isEmpty else { throw RelayError.badRequest("prompt: field required") }
        if JSON.bool(json["stream"]) == true { throw RelayError.badRequest("stream: image generation is relayed without streaming") }
        let model = (json["model"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? defaultImageModel
        return ParsedRequest(json: json, model: model, stream: false, exemptFromQuotas: false, sessionHash: nil)
    }

    /// Codex sends its conversation id as `session_id`; other clients may set `prompt_cache_key`.
    static func sessionHash(_ request: Request, _ json: [String: Any]) -> String? {
        let seed = request.headers[HTTPField.Name("session_id")!] ?? request.headers[HTTPField.Name("conversation_id")!]
            ?? (json["prompt_cache_key"] as? String)
        guard let seed, !seed.isEmpty else { return nil }
        return SessionHash.digest(seed)
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        kind == .openAI ? CodexDialect(baseURL: context.settings.upstreamURL(OpenAIProvider.codexURL), operation: operation)
            : OpenAIResponsesDialect(operation: operation)
    }

    func errorResponse(_ error: RelayError) -> Response {
        OpenAIErrors.response(error)
    }

    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? {
        let response = (reply["response"] as? [String: Any]) ?? reply
        guard let usage = response["usage"] as? [String: Any] else { return nil }
        return OpenAIUsage.tokens(usage, model: response["model"] as? String)
    }

    func makeMeter(operation: String) -> any StreamUsageMeter { OpenAIResponsesStreamMeter() }

    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        let event: [String: Any] = ["type": "error", "code": type, "message": message, "param": NSNull(), "sequence_number": 0]
        return ByteBuffer(string: "event: error\ndata: \(JSON.string(event))\n\n")
    }
}

/// OpenAI usage objects (Responses and Chat Completions) as token counts: cached input tokens are cache reads
/// and not billed again as input (docs/reference/upstream-wire.md).
enum OpenAIUsage {
    static func tokens(_ usage: [String: Any], model: String?) -> TokenUsage {
        let input = JSON.int(usage["input_tokens"]) ?? JSON.int(usage["prompt_tokens"]) ?? 0
        let output = JSON.int(usage["output_tokens"]) ?? JSON.int(usage["completion_tokens"]) ?? 0
        let details = (usage["input_tokens_details"] as? [String: Any]) ?? (usage["prompt_tokens_details"] as? [String: Any])
        let cached = JSON.int(details?["cached_tokens"]) ?? 0
        return TokenUsage(input: max(0, input - cached), output: output, cacheCreate5m: 0, cacheCreate1h: 0, cacheRead: cached, model: model)
    }
}
