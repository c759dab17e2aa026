import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// OpenAI-Responses accounts (API key): `POST {baseApi}/v1/responses` (a base already ending in `/v1` is not
/// doubled), `Authorization: Bearer <key>`, the client's headers minus transport and credential headers, the
/// account's User-Agent if it sets one. Replies and errors pass through in OpenAI's own shape.
struct OpenAIResponsesDialect: ProviderDialect {
    /// `responses` or `responses/compact` — also the upstream path.
    var operation = OpenAIResponsesFamily.responses

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        let base = try UpstreamBaseURL.of(input.account, "baseApi", kind: "OpenAI-Responses")
        let url = base + (base.hasSuffix("/v1") ? "/" : "/v1/") + operation
        var headers = UpstreamHeaders.forwarding(input.clientHeaders)
        headers.replaceOrAdd(name: "authorization", value: "Bearer \(input.credential)")
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        if let agent = input.account.userAgent { headers.replaceOrAdd(name: "user-agent", value: agent) }
        return UpstreamRequest(url: url, headers: headers, body: ModelRewrite.apply(input.body, from: input.requestedModel, to: input.upstreamModel),
                               proxy: input.account.proxy)
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        (OpenAIErrors.classify(status: status, headers: headers, body: body, account: account, now: now),
         RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer { body }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? { nil }
}
