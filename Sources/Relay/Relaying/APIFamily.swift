import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What differs between the API families the relay serves (Anthropic Messages, OpenAI Responses, Gemini, …);
/// everything else — admission, scheduling, failover, streaming, leases, usage — is the shared `RelayHandler`.
/// A provider adds a family (its routes) and/or dialects (how its accounts are spoken to).
protocol APIFamily: Sendable {
    /// Its name in metrics and logs (`anthropic`, `openai-responses`, `azure-openai`, `gemini`).
    var name: String { get }
    /// The key permission it needs (`claude`, `gemini`, `openai`).
    var platform: String { get }
    /// Reads and checks what the relay relies on in a client request; everything else passes untouched.
    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest
    /// How accounts of `kind` are spoken to for this family's `operation`.
    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect
    /// A relay-made error in the family's own shape.
    func errorResponse(_ error: RelayError) -> Response
    /// Usage reported in a non-stream reply.
    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage?
    /// Meters a stream as it passes, in the operation's event format.
    func makeMeter(operation: String) -> any StreamUsageMeter
    /// A terminal error event in the operation's stream format (the relay ends a stream truthfully with it).
    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer
    /// Called once per admitted request (Claude: remember the Claude Code version a client reports).
    func observe(_ request: Request)
    /// Relay-wide rules on an admitted request before an account is chosen: a `RelayError` refuses it; the result
    /// may pin it to one account (Claude: "Claude Code only" and the global session binding).
    func screen(_ request: Request, parsed: ParsedRequest, operation: String) async throws -> Screening
    /// Whether this request waits for its turn on the account (the user-message serial queue: Claude subscriptions).
    func takesUserMessageTurn(on account: AccountRecord, operation: String, json: [String: Any]) -> Bool
}

extension APIFamily {
    func takesUserMessageTurn(on account: AccountRecord, operation: String, json: [String: Any]) -> Bool { false }
    func observe(_ request: Request) {}
    func screen(_ request: Request, parsed: ParsedRequest, operation: String) async throws -> Screening { Screening() }
}

/// What `APIFamily.screen` decided for one request.
struct Screening: Sendable {
    /// Only this account may serve the request; when it cannot, the client gets `pinnedRefusal`.
    var pinned: (kind: AccountKind, id: String)? = nil
    var pinnedRefusal: RelayError? = nil
    /// Called with the first account chosen for the request.
    var onScheduled: (@Sendable (AccountRecord) async -> Void)? = nil
}

/// A client request as the relay needs to know it.
struct ParsedRequest: @unchecked Sendable {
    let json: [String: Any]
    let model: String
    let stream: Bool
    /// count_tokens-like calls: exempt from rate/cost/concurrency quotas, no usage.
    let exemptFromQuotas: Bool
    let sessionHash: String?
    /// A vendor prefix in the model (`ccr,<model>`) limits the pool to these kinds.
    var pool: [AccountKind]? = nil
    /// The body to forward when parsing changed it (the vendor prefix removed from `model`).
    var body: ByteBuffer? = nil
    /// The operation that serves the request when parsing chose it (a translating family: stream or not).
    var operation: String? = nil
    /// The client speaks another API than the upstream's: replies are re-framed after usage was read natively.
    var framing: (any ReplyFraming)? = nil
    /// Only accounts this accepts may serve the request (a route that serves part of a pool).
    var accepts: (@Sendable (AccountRecord) -> Bool)? = nil
}

/// Usage and completion seen in a stream.
protocol StreamUsageMeter: Sendable {
    mutating func feed(_ buffer: ByteBuffer)
    var usage: TokenUsage { get }
    /// The stream reached its proper end event.
    var sawEnd: Bool { get }
    /// The upstream reported an error inside the stream (then the relay adds no error of its own).
    var sawError: Bool { get }
}
