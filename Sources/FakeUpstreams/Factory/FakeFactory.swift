import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake Factory.ai LLM gateway (`/factory/api/llm/…`), what Droid accounts call: `a/v1/messages` (Anthropic
/// Messages), `o/v1/responses` (OpenAI Responses) and `o/v1/chat/completions`. It refuses what the gateway refuses
/// before any model work — a key it did not issue or a WorkOS token without an organisation (401, as a Bearer token), a caller that is not the Droid CLI
/// (`x-factory-client: cli` missing, 403), no `x-api-provider` (400) — and then answers as the provider's API would
/// (the Anthropic and OpenAI fakes' rules and replies, Chat Completions as OpenAI shapes them).
public struct FakeFactory: FakeUpstream {
    /// Droid accounts reach it under `/factory/api/llm`.
    public static func relayEnvironment(baseURL: String) -> [String: String] { ["CRS_DROID_API_URL": baseURL + "/factory/api/llm"] }

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("factory/api/llm/a/v1/messages") { request, context in
            if let refusal = refuse(request) { return refusal }
            return try await FakeAnthropic(state: state).handle(request, context: context, gateway: true)
        }
        router.post("factory/api/llm/o/v1/responses") { request, context in
            if let refusal = refuse(request) { return refusal }
            return try await FakeOpenAI(state: state).handle(request, context: context, codex: false)
        }
        router.post("factory/api/llm/o/v1/chat/completions") { request, context in try await chat(request, context: context) }
    }

    /// The gateway's own checks, recorded like any request it answers.
    private func refuse(_ request: Request) -> Response? {
        let bearer = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let failure: (Int, String)?
        // A Factory API key, or a WorkOS access token of the Droid client scoped to an organisation (Droid OAuth
        // accounts: Factory serves organisation members).
        let workos = state.oauth.accessStatus(bearer) == .valid && state.oauth.client(of: bearer) == FakeWorkOS.clientID
        if workos, state.oauth.organization(of: bearer) == nil {
            failure = (401, "The token is not scoped to a Factory organization")
        } else if !workos && !state.credentials.apiKeys.contains(bearer) {
            failure = (401, "Invalid API key")
        } else if request.headers[HTTPField.Name("x-factory-client")!] != "cli" {
            failure = (403, "This endpoint is only available to the Droid CLI")
        } else if (request.headers[HTTPField.Name("x-api-provider")!] ?? "").isEmpty {
            failure = (400, "x-api-provider header is required")
        } else {
            failure = nil
        }
        guard let (status, message) = failure else { return nil }
        let sequence = state.record(request, body: "")
        return state.finished(sequence, FakeOpenAI.json(status, ["error": ["message": message, "type": "invalid_request_error"]]))
    }

    private func chat(_ request: Request, context: FakeRequestContext) async throws -> Response {
        if let refusal = refuse(request) { return refusal }
        let body = try await request.body.collect(upTo: 64 << 20)
        let sequence = state.record(request, body: String(buffer: body))
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        guard let model = json["model"] as? String, let messages = json["messages"] as? [Any], !messages.isEmpty else {
            return finish(FakeOpenAI.json(400, OpenAIReplies.error(message: "model and messages are required", type: "invalid_request_error", code: nil)))
        }
        let behavior = state.nextBehavior(for: request.uri.path)
        if let status = behavior.status, !(200..<300).contains(status) {
            return finish(FakeOpenAI.json(status, OpenAIReplies.error(message: behavior.message ?? "HTTP \(status)", type: "server_error", code: nil)))
        }
        let usage = behavior.usage ?? FakeUsage()
        let id = "chatcmpl-factory\(sequence)"
        guard json["stream"] as? Bool == true else {
            state.addEmitted(usage)
            return finish(FakeOpenAI.json(200, ChatCompletionReplies.completion(id: id, model: model, text: behavior.text ?? "pong", usage: usage)))
        }
        let includeUsage = (json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
        let chunks = ChatCompletionReplies.streamChunks(id: id, model: model, text: behavior.text ?? "pong", deltaCount: behavior.deltaCount ?? 1,
                                                        usage: usage, includeUsage: includeUsage)
        return FakeAzureOpenAI(state: state).streamed(chunks, usageEvent: "usage", behavior: behavior, usage: usage, sequence: sequence, context: context)
    }
}
