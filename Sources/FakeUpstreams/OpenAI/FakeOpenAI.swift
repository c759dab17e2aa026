import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake OpenAI Responses API in both shapes the relay talks to (docs/reference/upstream-wire.md):
/// - `POST /codex/responses` — the ChatGPT Codex backend: a currently valid ChatGPT access token (issued by the
///   fake OpenAI authorization server, or listed in `oauthTokens`) plus `chatgpt-account-id`; `store` must be
///   false; a non-stream reply is wrapped as `{"type":"response.completed","response":…}`; 429s are
///   `usage_limit_reached` with `resets_in_seconds` and the `x-codex-*` headers (both reset variants);
/// - `POST /openai-api/v1/responses` — the public API with an API key (`apiKeys`): a bare Response object;
///   429s are `rate_limit_exceeded`.
/// Streams are the real event sequence with `sequence_number`s, usage only in `response.completed`, no `[DONE]`.
public struct FakeOpenAI: FakeUpstream {
    /// ChatGPT-OAuth accounts reach the Codex backend under `/codex`.
    public static func relayEnvironment(baseURL: String) -> [String: String] { ["CRS_CODEX_API_URL": baseURL + "/codex"] }

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("codex/responses") { request, context in try await self.handle(request, context: context, codex: true) }
        router.post("openai-api/v1/responses") { request, context in try await self.handle(request, context: context, codex: false) }
        router.post("codex/responses/compact") { request, _ in try await self.compact(request, codex: true) }
        router.post("openai-api/v1/responses/compact") { request, _ in try await self.compact(request, codex: false) }
        router.post("openai-api/v1/images/generations") { request, _ in try await self.images(request) }
    }

    /// `POST /v1/images/generations` with an API key: `prompt` required, `n` images as base64, usage in tokens
    /// (`input_tokens` split into text and image, `output_tokens`) as gpt-image models report it.
    func images(_ request: Request) async throws -> Response {
        let (body, sequence, behavior, refused) = try await begin(request, codex: false)
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        if let refused { return finish(refused) }
        guard let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
              let prompt = json["prompt"] as? String, !prompt.isEmpty else {
            return finish(Self.json(400, OpenAIReplies.error(message: "Missing required parameter: 'prompt'.", type: "invalid_request_error", code: "missing_required_parameter")))
        }
        let count = max(1, min(10, json["n"] as? Int ?? 1))
        let usage = behavior.usage ?? FakeUsage(input: 12, output: 1056)
        state.addEmitted(usage)
        let images = (0..<count).map { _ in ["b64_json": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="] }
        return finish(Self.json(200, ["created": Int(Date().timeIntervalSince1970), "data": images,
                                      "usage": ["input_tokens": usage.input, "output_tokens": usage.output, "total_tokens": usage.input + usage.output,
                                                "input_tokens_details": ["text_tokens": usage.input, "image_tokens": 0]]]))
    }

    /// `responses/compact`: the conversation so far in, one JSON reply out (never a stream) holding the user
    /// messages and one opaque `compaction` item. The public API answers a `response.compaction` object with
    /// usage; the Codex backend answers only the replacement `output` (the client takes it verbatim) and refuses
    /// `store`, which compaction does not take.
    func compact(_ request: Request, codex: Bool) async throws -> Response {
        let (body, sequence, behavior, refused) = try await begin(request, codex: codex)
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        if let refused { return finish(refused) }
        guard let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any], let model = json["model"] as? String,
              json["input"] != nil || json["previous_response_id"] != nil else {
            return finish(Self.json(400, OpenAIReplies.error(message: "model and input (or previous_response_id) are required", type: "invalid_request_error", code: nil)))
        }
        if json["stream"] != nil || (codex && json["store"] != nil) {
            let name = json["stream"] != nil ? "stream" : "store"
            return finish(Self.json(400, OpenAIReplies.error(message: "Unsupported parameter: '\(name)'", type: "invalid_request_error", code: "unsupported_parameter")))
        }
        let users = (json["input"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "user" }
        let output: [[String: Any]] = users + [["type": "compaction", "id": "cmp_item_\(sequence)", "encrypted_content": "gAAAAfake-compaction-\(sequence)"]]
        guard !codex else { return finish(Self.json(200, ["output": output], extra: codexHeaders(true))) }
        let usage = behavior.usage ?? FakeUsage()
        state.addEmitted(usage)
        return finish(Self.json(200, ["id": "cmp_fake\(sequence)", "object": "response.compaction", "model": model,
                                      "created_at": Int(Date().timeIntervalSince1970), "output": output, "usage": OpenAIReplies.usage(usage)]))
    }

    /// How every endpoint begins: record the request, check its credential, take the next scripted behaviour (its
    /// delay, and a scripted failure as the reply). `refused` is the reply when the request goes no further.
    private func begin(_ request: Request, codex: Bool) async throws -> (body: ByteBuffer, sequence: Int, behavior: FakeBehavior, refused: Response?) {
        let body = try await request.body.collect(upTo: 64 << 20)
        let sequence = state.record(request, body: String(buffer: body))
        if let refusal = authenticate(request, codex: codex) { return (body, sequence, FakeBehavior(), refusal) }
        let behavior = state.nextBehavior(for: request.uri.path)
        if let delay = behavior.delayMs, delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        if let status = behavior.status, !(200..<300).contains(status) { return (body, sequence, behavior, scriptedError(status, behavior: behavior, codex: codex)) }
        return (body, sequence, behavior, nil)
    }

    func handle(_ request: Request, context: FakeRequestContext, codex: Bool) async throws -> Response {
        let (body, sequence, behavior, refused) = try await begin(request, codex: codex)
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        if let refused { return finish(refused) }
        guard let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
              let model = json["model"] as? String, json["input"] != nil else {
            return finish(Self.json(400, OpenAIReplies.error(message: "model and input are required", type: "invalid_request_error", code: nil)))
        }
        if codex, json["store"] as? Bool != false {
            return finish(Self.json(400, OpenAIReplies.error(message: "Store must be set to false", type: "invalid_request_error", code: nil)))
        }
        // The ChatGPT backend sets its own sampling and output budget: these fields fail the whole request, in its
        // own `detail` shape.
        if codex, let field = Self.codexUnsupported.first(where: { json[$0] != nil }) {
            return finish(Self.json(400, ["detail": "Unsupported parameter: \(field)"]))
        }
        if let stray = OpenAIReplies.unansweredOutput(json["input"]) {
            return finish(Self.json(400, OpenAIReplies.error(message: "No tool call found for function call output with call_id \(stray).", type: "invalid_request_error", code: nil)))
        }
        let usage = behavior.usage ?? FakeUsage()
        let id = "resp_fake\(sequence)"
        let text = behavior.text ?? "pong"
        let tools = ((json["tools"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any]).flatMap { $0["type"] as? String == "function" ? $0["name"] as? String : nil } }
        let calls = behavior.toolUse == true ? Array(tools.prefix(max(1, behavior.toolUseCount ?? 1))) : []
        guard json["stream"] as? Bool == true else {
            state.addEmitted(usage)
            let response = calls.isEmpty ? OpenAIReplies.response(id: id, model: model, text: text, usage: usage)
                : OpenAIReplies.functionCallResponse(id: id, model: model, tools: calls, usage: usage)
            return finish(Self.json(200, codex ? ["type": "response.completed", "response": response] : response, extra: codexHeaders(codex)))
        }
        let events = calls.isEmpty ? OpenAIReplies.streamEvents(id: id, model: model, text: text, deltaCount: behavior.deltaCount ?? 1, usage: usage)
            : OpenAIReplies.functionCallStreamEvents(id: id, model: model, tools: calls, usage: usage)
        let failure = OpenAIReplies.sse("error", ["type": "error", "code": behavior.errorType ?? "server_error",
                                                  "message": behavior.message ?? "The server had an error", "param": NSNull(), "sequence_number": events.count])
        var script = FakeStreamScript(
            state: state, sequence: sequence, behavior: behavior, usage: usage, channel: context.channel,
            errorEvent: { ByteBuffer(string: failure) },
            malformed: { _ in (ByteBuffer(string: "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\n\n"), false) })
        script.reports = { name, usage in name == "response.completed" ? (usage, true) : nil }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        for (name, value) in codexHeaders(codex) { headers[HTTPField.Name(name)!] = value }
        return Response(status: .ok, headers: headers,
                        body: script.body(events.map { FakeStreamScript.Event(name: $0.name, pieces: [ByteBuffer(string: OpenAIReplies.sse($0.name, $0.data))]) }))
    }

    private func authenticate(_ request: Request, codex: Bool) -> Response? {
        let bearer = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let credentials = state.credentials
        if codex {
            switch state.oauth.accessStatus(bearer) {
            case .expired:
                return Self.json(401, OpenAIReplies.error(message: "Provided authentication token is expired. Please try signing in again.", type: "invalid_request_error", code: "token_expired"))
            case .valid:
                break
            case .unknown:
                guard credentials.oauthTokens.contains(bearer) else {
                    return Self.json(401, OpenAIReplies.error(message: "Could not parse your authentication token.", type: "invalid_request_error", code: "invalid_api_key"))
                }
            }
            guard let account = request.headers[HTTPField.Name("chatgpt-account-id")!], !account.isEmpty else {
                return Self.json(400, OpenAIReplies.error(message: "chatgpt-account-id header is required", type: "invalid_request_error", code: nil))
            }
            return nil
        }
        guard credentials.apiKeys.isEmpty || credentials.apiKeys.contains(bearer) else {
            return Self.json(401, OpenAIReplies.error(message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key"))
        }
        return nil
    }

    private func scriptedError(_ status: Int, behavior: FakeBehavior, codex: Bool) -> Response {
        if let raw = behavior.body {
            return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: raw)))
        }
        var extra = behavior.headers ?? [:]
        let object: [String: Any]
        if status == 429, codex {
            let seconds = behavior.unifiedResetInSeconds ?? 3600
            object = ["error": ["type": "usage_limit_reached", "message": behavior.message ?? "The usage limit has been reached", "plan_type": "plus",
                                "resets_in_seconds": seconds]]
            extra["x-codex-primary-used-percent"] = "100"
            extra["x-codex-primary-reset-after-seconds"] = String(seconds)
            extra["x-codex-primary-reset-at"] = String(Int(Date().timeIntervalSince1970) + seconds)
        } else if status == 429 {
            object = OpenAIReplies.error(message: behavior.message ?? "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded")
        } else {
            let type = status >= 500 ? "server_error" : "invalid_request_error"
            object = OpenAIReplies.error(message: behavior.message ?? "HTTP \(status)", type: behavior.errorType ?? type, code: nil)
        }
        return Self.json(status, object, extra: extra)
    }

    private func codexHeaders(_ codex: Bool) -> [String: String] {
        // The 5-hour and the weekly window, with both reset forms the backend has used (seconds from now, and Unix time).
        let now = Int(Date().timeIntervalSince1970)
        return codex ? ["x-codex-primary-used-percent": "12", "x-codex-primary-window-minutes": "300", "x-codex-primary-reset-after-seconds": "9000",
                        "x-codex-primary-reset-at": String(now + 9000), "x-codex-secondary-used-percent": "40.5",
                        "x-codex-secondary-window-minutes": "10080", "x-codex-secondary-reset-after-seconds": "400000",
                        "x-codex-secondary-reset-at": String(now + 400_000), "x-codex-primary-over-secondary-limit-percent": "30"] : [:]
    }

    /// Top-level Responses fields the ChatGPT (Codex) backend refuses.
    public static let codexUnsupported = ["max_output_tokens", "temperature", "top_p"]

    static func json(_ status: Int, _ object: [String: Any], extra: [String: String] = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in extra { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(object))))
    }
}
