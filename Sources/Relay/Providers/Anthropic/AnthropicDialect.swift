import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// Anthropic's own Messages API (claude-official, claude-console and CCR accounts): requests and replies pass
/// through as bytes; errors reach the client as the upstream sent them.
struct AnthropicDialect: ProviderDialect {
    let officialBaseURL: String
    let classifier: ClaudeErrorClassifier.Settings

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        if input.account.kind == .ccr && input.operation == ClaudeFamily.countTokens {
            throw RelayError(501, "not_supported", "count_tokens is not available for CCR accounts")
        }
        return ClaudeUpstreamRequest.build(
            account: input.account, credential: input.credential, endpoint: input.operation == ClaudeFamily.countTokens ? .countTokens : .messages, clientHeaders: input.clientHeaders,
            clientQuery: input.account.kind == .claudeOfficial ? input.clientQuery : nil, body: input.body, requestedModel: input.requestedModel,
            upstreamModel: input.upstreamModel, officialBaseURL: officialBaseURL)
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: ClaudeErrorClassifier.Verdict, response: Response) {
        let verdict = ClaudeErrorClassifier.classify(status: status, headers: headers, body: String(buffer: body), account: account, now: now, settings: classifier)
        return (verdict, RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer { body }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? { nil }
}
