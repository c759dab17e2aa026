import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Gemini API-key accounts: `POST {base}/v1beta/models/{model}:{action}` (`?alt=sse` for streams) on
/// generativelanguage with the key in `x-goog-api-key` (never in the URL, where logs would keep it). Standard
/// clients pass through; Code Assist clients are unwrapped (`request` → the body) and their replies wrapped
/// into `{"response": …}` again. Code Assist setup calls have no API-key counterpart.
struct GeminiAPIDialect: ProviderDialect {
    static let defaultBase = "https://generativelanguage.googleapis.com"
    let operation: String

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        let action = GeminiFamily.action(operation)
        guard !GeminiFamily.setupMethods.contains(action) else {
            throw RelayError(400, "invalid_request_error", "\(action) is a Code Assist call; Gemini API-key accounts cannot serve it")
        }
        var base = UpstreamBaseURL.trimmed(input.account.nonEmpty("baseUrl") ?? Self.defaultBase)
        if !base.hasSuffix("/v1beta") && !base.hasSuffix("/v1") { base += "/v1beta" }
        var body = input.json
        if GeminiFamily.isCodeAssist(operation) {
            body = (input.json["request"] as? [String: Any]) ?? [:]
            body.removeValue(forKey: "model")
            body.removeValue(forKey: "session_id")
        }
        let model = input.upstreamModel.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/:"))) ?? input.upstreamModel
        let url = "\(base)/models/\(model):\(action)" + (input.stream ? "?alt=sse" : "")
        var headers = UpstreamHeaders.passing(["user-agent"], from: input.clientHeaders)
        headers.add(name: "x-goog-api-key", value: input.credential)
        headers.add(name: "content-type", value: "application/json")
        return UpstreamRequest(url: url, headers: headers, body: ByteBuffer(data: JSON.data(body)), proxy: input.account.proxy)
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        (GeminiErrors.classify(status: status, body: body, now: now), RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer {
        GeminiFamily.isCodeAssist(operation) && GeminiFamily.action(operation) == GeminiFamily.generate ? GeminiEnvelope.wrap.convert(body) : body
    }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? {
        GeminiFamily.isCodeAssist(operation) ? GeminiEnvelopeTranscoder(.wrap) : nil
    }
}
