import Foundation
import Hummingbird
import NIOCore

/// One of Droid's three endpoints as an API family: the native family's parsing, usage, stream meter and error shape
/// (Anthropic Messages, OpenAI Responses, Chat Completions), Droid's permission, pool and dialect.
struct DroidFamily: APIFamily {
    enum Endpoint: String, Sendable {
        case anthropic
        case openAI = "openai"
        case comm
    }

    let endpoint: Endpoint
    /// The family whose requests the endpoint takes (Anthropic's without Claude-only screening or shaping).
    let native: any APIFamily

    init(endpoint: Endpoint, redis: RedisClient) {
        self.endpoint = endpoint
        switch endpoint {
        case .anthropic: native = AnthropicFamily(userAgents: ClaudeCodeUserAgent(redis: redis))
        case .openAI: native = OpenAIResponsesFamily()
        case .comm: native = AzureFamily()
        }
    }

    var name: String { "droid-\(endpoint.rawValue)" }
    var platform: String { AccountPool.droid.permission }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        var parsed = try native.parse(request, operation: operation, body: body)
        parsed.accepts = Self.serving[endpoint]
        return parsed
    }

    /// Node's endpoint rule: `comm` takes every Droid account; `anthropic` and `openai` take accounts set to either of
    /// them (the default is `anthropic`), not those set to `comm`.
    static let serving: [Endpoint: @Sendable (AccountRecord) -> Bool] = [
        .comm: { _ in true },
        .anthropic: { ($0.fields["endpointType"] ?? "anthropic") != Endpoint.comm.rawValue },
        .openAI: { ($0.fields["endpointType"] ?? "anthropic") != Endpoint.comm.rawValue },
    ]

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        DroidDialect(endpoint: endpoint, baseURL: context.settings.upstreamURL(DroidProvider.apiURL))
    }

    func errorResponse(_ error: RelayError) -> Response { native.errorResponse(error) }
    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? { native.usage(inReply: reply, operation: operation) }
    func makeMeter(operation: String) -> any StreamUsageMeter { native.makeMeter(operation: operation) }
    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        native.streamErrorEvent(operation: operation, type: type, message: message)
    }
}
