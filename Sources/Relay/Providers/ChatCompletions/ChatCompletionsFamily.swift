import Foundation
import Hummingbird
import NIOCore

/// OpenAI Chat Completions in front of a native family: parsing translates the request into the target's own
/// shape, and from there the request is the target's — its dialects, pool, failover, health marks, screening and
/// usage meters (read from the native reply, so cost is exactly a native request's). Only what the client gets is
/// re-framed (`ReplyFraming`). Relay-made errors are in OpenAI's shape; the key needs the target's permission.
struct ChatCompletionsFamily: APIFamily {
    static let operation = "chat.completions"

    enum Target: String, Sendable {
        case claude, gemini, openAI = "openai"
    }

    let target: Target
    let anthropic: AnthropicFamily
    let gemini = GeminiFamily()
    let responses = OpenAIResponsesFamily()

    var name: String { "openai-chat-\(target.rawValue)" }
    var platform: String { native.platform }

    /// The family the request is served by once translated.
    var native: any APIFamily {
        switch target {
        case .claude: return anthropic
        case .gemini: return gemini
        case .openAI: return responses
        }
    }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard let json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        let chat = try ChatRequest(json)
        switch target {
        case .claude:
            let native = ByteBuffer(data: JSON.data(try ChatToAnthropic.body(chat)))
            let parsed = try anthropic.parse(request, operation: AnthropicFamily.messages, body: native)
            return ParsedRequest(json: parsed.json, model: parsed.model, stream: parsed.stream, exemptFromQuotas: false,
                                 sessionHash: chat.cacheKey.map(SessionHash.digest) ?? parsed.sessionHash, pool: parsed.pool,
                                 body: parsed.body ?? native, operation: AnthropicFamily.messages,
                                 framing: AnthropicChatFraming(includeUsage: chat.includeUsage))
        case .gemini:
            let native = try ChatToGemini.body(chat)
            return ParsedRequest(json: native, model: GeminiFamily.stripModelsPrefix(chat.model), stream: chat.stream, exemptFromQuotas: false,
                                 sessionHash: chat.cacheKey.map(SessionHash.digest), body: ByteBuffer(data: JSON.data(native)),
                                 operation: chat.stream ? GeminiFamily.stream : GeminiFamily.generate,
                                 framing: GeminiChatFraming(includeUsage: chat.includeUsage))
        case .openAI:
            let native = try ChatToResponses.body(chat)
            return ParsedRequest(json: native, model: chat.model, stream: chat.stream, exemptFromQuotas: false,
                                 sessionHash: OpenAIResponsesFamily.sessionHash(request, native), body: ByteBuffer(data: JSON.data(native)),
                                 operation: OpenAIResponsesFamily.responses, framing: ResponsesChatFraming(includeUsage: chat.includeUsage))
        }
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        native.dialect(for: kind, operation: operation, context: context)
    }

    func errorResponse(_ error: RelayError) -> Response { OpenAIErrors.response(error) }

    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? {
        native.usage(inReply: reply, operation: operation)
    }

    func makeMeter(operation: String) -> any StreamUsageMeter { native.makeMeter(operation: operation) }

    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        ByteBuffer(string: ChatCompletionShapes.errorEvent(type: type, message: message))
    }

    func takesUserMessageTurn(on account: AccountRecord, operation: String, json: [String: Any]) -> Bool {
        native.takesUserMessageTurn(on: account, operation: operation, json: json)
    }

    func screen(_ request: Request, parsed: ParsedRequest, operation: String) async throws -> Screening {
        try await native.screen(request, parsed: parsed, operation: operation)
    }
}
