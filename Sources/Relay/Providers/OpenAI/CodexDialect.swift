import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// ChatGPT-OAuth (Codex) accounts (docs/reference/upstream-wire.md, docs/oauth.md): `POST {codex}/responses` with the
/// account's access token, its ChatGPT account id as `chatgpt-account-id`, the Codex client headers the backend
/// expects (`version`, `openai-beta`, `session_id`, `originator` — passed from the client), and `store: false`
/// (the backend keeps nothing). A non-stream reply arrives as `{"type":"response.completed","response":{…}}`
/// and is unwrapped to the Response object the client asked for.
struct CodexDialect: ProviderDialect {
    let baseURL: String
    /// `responses` or `responses/compact` — also the upstream path.
    var operation = OpenAIResponsesFamily.responses
    /// Top-level fields the ChatGPT backend answers with `400 {"detail": "Unsupported parameter: …"}`.
    static let unsupportedFields = ["max_output_tokens", "temperature", "top_p"]
    static let forwardedClientHeaders: Set<String> = ["version", "openai-beta", "session_id", "originator", "user-agent", "conversation_id"]

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        guard operation != OpenAIResponsesFamily.images else {
            throw RelayError(400, "invalid_request_error", "images/generations needs an OpenAI API-key account; ChatGPT (Codex) accounts cannot serve it")
        }
        guard let accountID = input.account.nonEmpty("accountId") else {
            throw RelayError.unavailable("Codex account \(input.account.name) has no ChatGPT account id (re-authorize it)")
        }
        // The backend refuses these with a 400 for the whole request; an API-key account in the pool can serve it.
        if let field = Self.unsupportedFields.first(where: { input.json[$0] != nil }) {
            throw RelayError(400, "invalid_request_error", "\(field): ChatGPT (Codex) accounts do not accept it (the backend sets its own); an OpenAI API-key account can serve the request")
        }
        let base = UpstreamBaseURL.trimmed(baseURL)
        var headers = UpstreamHeaders.passing(Self.forwardedClientHeaders, from: input.clientHeaders)
        headers.replaceOrAdd(name: "authorization", value: "Bearer \(input.credential)")
        headers.replaceOrAdd(name: "chatgpt-account-id", value: accountID)
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        headers.replaceOrAdd(name: "accept", value: input.stream ? "text/event-stream" : "application/json")
        var body = input.json
        // Responses must not be stored by the backend; compaction takes no `store` at all.
        if operation == OpenAIResponsesFamily.compact { body.removeValue(forKey: "store") } else { body["store"] = false }
        if input.upstreamModel != input.requestedModel { body["model"] = input.upstreamModel }
        return UpstreamRequest(url: base + "/" + operation, headers: headers, body: ByteBuffer(data: JSON.data(body)), proxy: input.account.proxy)
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        (OpenAIErrors.classify(status: status, headers: headers, body: body, account: account, now: now),
         RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer {
        guard let object = JSON.object(Data(buffer: body)), object["type"] as? String == "response.completed",
              let response = object["response"] as? [String: Any] else { return body }
        return ByteBuffer(data: JSON.data(response))
    }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? { nil }

    /// The account's 5-hour and weekly usage windows from the reply's `x-codex-*` headers.
    func accountChanges(afterReply headers: HTTPHeaders, account: AccountRecord, now: Date) -> [String: String] {
        CodexUsageWindows.changes(for: account, headers: headers, at: now)
    }
}
