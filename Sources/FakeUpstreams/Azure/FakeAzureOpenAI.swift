import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake Azure OpenAI resource under `/azure-api` (docs/reference/upstream-wire.md): `POST /azure-api/openai/deployments/
/// {deployment}/chat/completions?api-version=…` and `POST /azure-api/openai/responses?api-version=…`. It requires
/// `api-key` (one of `apiKeys`) and `api-version`, knows only the deployments in `azureDeployments` (any when
/// empty; 404 `DeploymentNotFound` otherwise), streams chat chunks with Azure's filter chunk first, a usage chunk
/// only when asked for, `[DONE]` last, and scripts errors in Azure's shape (`{"error":{"code":"429",…}}` with
/// `retry-after`).
public struct FakeAzureOpenAI: FakeUpstream {
    /// The deployments the fake resource has (none given: any).
    public static let deployments = "azureDeployments"
    public static var credentialNames: Set<String> { [deployments] }

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("azure-api/openai/deployments/:deployment/chat/completions") { request, context in try await self.handle(request, context: context, chat: true) }
        router.post("azure-api/openai/responses") { request, context in try await self.handle(request, context: context, chat: false) }
        router.post("azure-api/openai/deployments/:deployment/embeddings") { request, context in try await self.embeddings(request, context: context) }
    }

    func handle(_ request: Request, context: FakeRequestContext, chat: Bool) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let sequence = state.record(request, body: String(buffer: body))
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let deployment = chat ? (context.parameters.get("deployment") ?? "") : (json["model"] as? String ?? "")
        if let refusal = refusal(request, deployment: deployment) { return finish(refusal) }
        let version = request.uri.queryParameters["api-version"] ?? ""
        let behavior = state.nextBehavior(for: request.uri.path)
        if let delay = behavior.delayMs, delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        if let status = behavior.status, !(200..<300).contains(status) {
            var response = Self.error(status, String(status), behavior.message ?? (status == 429
                ? "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version \(version) have exceeded token rate limit of your current pricing tier. Please retry after 7 seconds."
                : "The server had an error while processing your request."))
            for (name, value) in behavior.headers ?? (status == 429 ? ["retry-after": "7"] : [:]) { response.headers[HTTPField.Name(name)!] = value }
            return finish(response)
        }
        let usage = behavior.usage ?? FakeUsage()
        let text = behavior.text ?? "pong"
        let stream = json["stream"] as? Bool == true
        if !chat {
            let id = "resp_azure\(sequence)"
            guard stream else {
                state.addEmitted(usage)
                return finish(FakeOpenAI.json(200, OpenAIReplies.response(id: id, model: deployment, text: text, usage: usage)))
            }
            let events = OpenAIReplies.streamEvents(id: id, model: deployment, text: text, deltaCount: behavior.deltaCount ?? 1, usage: usage)
            return streamed(events.map { ($0.name, OpenAIReplies.sse($0.name, $0.data)) }, usageEvent: "response.completed", behavior: behavior, usage: usage, sequence: sequence, context: context)
        }
        guard let messages = json["messages"] as? [Any], !messages.isEmpty else {
            return finish(Self.error(400, "BadRequest", "'messages' is a required property"))
        }
        let id = "chatcmpl-fake\(sequence)"
        guard stream else {
            state.addEmitted(usage)
            return finish(FakeOpenAI.json(200, ChatCompletionReplies.completion(id: id, model: deployment, text: text, usage: usage)))
        }
        let includeUsage = (json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
        let chunks = ChatCompletionReplies.streamChunks(id: id, model: deployment, text: text, deltaCount: behavior.deltaCount ?? 1, usage: usage, includeUsage: includeUsage)
        return streamed(chunks, usageEvent: "usage", behavior: behavior, usage: usage, sequence: sequence, context: context)
    }

    /// What Azure refuses before it looks at the body: a missing or wrong `api-key` (401), no `api-version` (404),
    /// a deployment the resource does not have (404 `DeploymentNotFound`).
    private func refusal(_ request: Request, deployment: String) -> Response? {
        let credentials = state.credentials
        let key = request.headers[HTTPField.Name("api-key")!] ?? ""
        guard !key.isEmpty, credentials.apiKeys.isEmpty || credentials.apiKeys.contains(key) else {
            return Self.error(401, "401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.")
        }
        guard request.uri.queryParameters["api-version"].map({ !$0.isEmpty }) == true else { return Self.error(404, "404", "Resource not found") }
        if !credentials.list(Self.deployments).isEmpty, !credentials.list(Self.deployments).contains(deployment) {
            return Self.error(404, "DeploymentNotFound", "The API deployment for this resource does not exist.")
        }
        return nil
    }

    /// Embeddings of a deployment: a vector per input, usage as `prompt_tokens`/`total_tokens` (no completion).
    func embeddings(_ request: Request, context: FakeRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let sequence = state.record(request, body: String(buffer: body))
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        let deployment = context.parameters.get("deployment") ?? ""
        if let refusal = refusal(request, deployment: deployment) { return finish(refusal) }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let inputs: [String]
        if let text = json["input"] as? String { inputs = [text] } else if let list = json["input"] as? [String], !list.isEmpty { inputs = list } else {
            return finish(Self.error(400, "BadRequest", "'input' is a required property"))
        }
        let behavior = state.nextBehavior(for: request.uri.path)
        if let status = behavior.status, !(200..<300).contains(status) {
            return finish(Self.error(status, String(status), behavior.message ?? "The server had an error while processing your request."))
        }
        let prompt = behavior.usage?.input ?? inputs.reduce(0) { $0 + max(1, $1.utf8.count / 4) }
        state.addEmitted(FakeUsage(input: prompt, output: 0))
        let data: [[String: Any]] = inputs.enumerated().map { ["object": "embedding", "index": $0.offset, "embedding": [0.0123, -0.0456, 0.0789]] }
        return finish(FakeOpenAI.json(200, ["object": "list", "data": data, "model": deployment,
                                            "usage": ["prompt_tokens": prompt, "total_tokens": prompt]]))
    }

    /// A Chat Completions or Responses event stream, following the behaviour's stream script.
    func streamed(_ events: [(name: String, line: String)], usageEvent: String, behavior: FakeBehavior, usage: FakeUsage,
                  sequence: Int, context: FakeRequestContext) -> Response {
        let failure = "data: " + JSONText.encode(["error": ["code": "500", "message": behavior.message ?? "The server had an error"]]) + "\n\n"
        var script = FakeStreamScript(
            state: state, sequence: sequence, behavior: behavior, usage: usage, channel: context.channel,
            errorEvent: { ByteBuffer(string: failure) },
            malformed: { _ in (ByteBuffer(string: "data: {\"choices\":[{\"delta\":\n\n"), false) })
        script.reports = { name, usage in name == usageEvent ? (usage, true) : nil }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: script.body(events.map { FakeStreamScript.Event(name: $0.name, pieces: [ByteBuffer(string: $0.line)]) }))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Response {
        FakeOpenAI.json(status, ["error": ["code": code, "message": message]])
    }
}
