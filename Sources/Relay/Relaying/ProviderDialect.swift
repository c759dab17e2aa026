import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// How accounts of one kind are spoken to for an API family — the seam between the relay pipeline (admission,
/// scheduling, failover, streaming, usage) and a provider. Anthropic's own API (OAuth and Console accounts)
/// passes bytes through; Bedrock re-frames requests and responses for the same family.
protocol ProviderDialect: Sendable {
    /// The upstream request for one attempt; a `RelayError` means this account cannot serve it (others may).
    func request(_ input: DialectInput) async throws -> UpstreamRequest
    /// What a non-2xx reply says about the account, and what the client gets if no other account serves it.
    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response)
    /// A successful non-stream reply as the client gets it.
    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer
    /// Streams in another framing are re-framed into Anthropic SSE.
    func transcoder(requestedModel: String) -> (any StreamTranscoder)?
    /// A second request to the same account after this refusal, before it counts as a failure (nil: none).
    func retry(after status: Int, body: ByteBuffer, input: DialectInput, previous: UpstreamRequest) async throws -> UpstreamRequest?
    /// The upstream accepted the request (a 2xx head).
    func accepted(_ input: DialectInput) async
    /// What a successful reply's head says about the account (a session or usage window), as field changes;
    /// empty when nothing changed, so the hot path writes nothing extra.
    func accountChanges(afterReply headers: HTTPHeaders, account: AccountRecord, now: Date) -> [String: String]
}

extension ProviderDialect {
    func retry(after status: Int, body: ByteBuffer, input: DialectInput, previous: UpstreamRequest) async throws -> UpstreamRequest? { nil }
    func accepted(_ input: DialectInput) async {}
    func accountChanges(afterReply headers: HTTPHeaders, account: AccountRecord, now: Date) -> [String: String] { [:] }
}

struct DialectInput {
    let account: AccountRecord
    let credential: String
    /// The family's operation (`messages`, `count_tokens`, `responses`, `generateContent`, …).
    let operation: String
    let clientHeaders: HTTPFields
    let clientQuery: String?
    let body: ByteBuffer
    let json: [String: Any]
    let requestedModel: String
    let upstreamModel: String
    let stream: Bool
    /// The conversation's session hash (sticky sessions), when the family derives one.
    var sessionHash: String? = nil

    /// The same input for another credential of the account (a key list's next key).
    func with(account: AccountRecord, credential: String) -> DialectInput {
        DialectInput(account: account, credential: credential, operation: operation, clientHeaders: clientHeaders, clientQuery: clientQuery,
                     body: body, json: json, requestedModel: requestedModel, upstreamModel: upstreamModel, stream: stream, sessionHash: sessionHash)
    }
}

/// Re-frames an upstream stream into Anthropic SSE, chunk by chunk.
protocol StreamTranscoder: Sendable {
    mutating func transcode(_ chunk: ByteBuffer) -> TranscodedChunk
}

enum TranscodedChunk {
    case events(ByteBuffer)
    /// The stream cannot go on: what was decoded before the break, and why.
    case broken(ByteBuffer, String)
}
