import Foundation
import Hummingbird
import NIOCore

/// Claude Code (or any Anthropic Messages client) in front of Gemini accounts — Node's `/gemini-cli/api` base URL: the
/// Messages body is translated into Gemini's (`MessagesToGemini`), the request is then the Gemini family's (Google-OAuth
/// Code Assist and API-key accounts, their failover and health marks), usage is read from Gemini's reply, and the
/// client gets Anthropic's reply, stream and error shapes (`GeminiMessagesFraming`). Keys need the `gemini` permission.
struct MessagesOnGeminiFamily: APIFamily {
    /// Which Gemini accounts serve: Node's `gemini-cli` base URL takes all but those authorized through Antigravity
    /// (API-key accounts included); `antigravity` takes only those, and Claude model names too (Antigravity hosts some).
    enum Vendor: Sendable { case geminiCLI, antigravity }

    let vendor: Vendor
    let gemini = GeminiFamily()
    static let antigravityOnly: @Sendable (AccountRecord) -> Bool = { $0.isAntigravity }
    static let antigravityExcluded: @Sendable (AccountRecord) -> Bool = { !$0.isAntigravity }

    var name: String { vendor == .antigravity ? "anthropic-on-antigravity" : "anthropic-on-gemini" }
    var platform: String { gemini.platform }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard let json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        guard let model = json["model"] as? String, !model.isEmpty else { throw RelayError.badRequest("model: Field required") }
        guard vendor == .antigravity || model.lowercased().contains("gemini") else {
            throw RelayError(400, "invalid_request_error", "model \(model): this route serves Gemini models (e.g. gemini-2.5-pro); Claude models are on /api")
        }
        guard let messages = json["messages"] as? [Any], !messages.isEmpty else { throw RelayError.badRequest("messages: Field required") }
        let countTokens = operation == AnthropicFamily.countTokens
        let stream = !countTokens && JSON.bool(json["stream"]) == true
        let native = try MessagesToGemini.body(json, countTokens: countTokens)
        return ParsedRequest(json: native, model: GeminiFamily.stripModelsPrefix(model), stream: stream, exemptFromQuotas: countTokens,
                             sessionHash: SessionHash.of(json), body: ByteBuffer(data: JSON.data(native)),
                             operation: countTokens ? GeminiFamily.countTokens : stream ? GeminiFamily.stream : GeminiFamily.generate,
                             framing: GeminiMessagesFraming(requestedModel: model, countTokens: countTokens),
                             accepts: vendor == .antigravity ? Self.antigravityOnly : Self.antigravityExcluded)
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        gemini.dialect(for: kind, operation: operation, context: context)
    }

    func errorResponse(_ error: RelayError) -> Response { error.anthropicResponse }
    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? { gemini.usage(inReply: reply, operation: operation) }
    func makeMeter(operation: String) -> any StreamUsageMeter { gemini.makeMeter(operation: operation) }
    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        ByteBuffer(string: GeminiMessagesStreamFramer.event("error", ["error": ["type": type, "message": message]]))
    }
}
