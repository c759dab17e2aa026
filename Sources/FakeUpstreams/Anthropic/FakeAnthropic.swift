import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake Anthropic Messages API, for both account kinds the relay has:
/// - OAuth (claude-official): `Authorization: Bearer <token>` plus `anthropic-beta` containing `oauth-2025-04-20`;
///   an OAuth token sent as `x-api-key` is refused like the real API refuses it.
/// - Console-style endpoints: `x-api-key` for `sk-ant-…` keys, `Authorization: Bearer` otherwise, under any path
///   prefix (`/console-a/api/v1/messages`).
/// Bodies are checked as the real API checks them (`AnthropicRequestRules`): unknown fields, limits, `cache_control`,
/// `thinking`, and — for OAuth tokens — the Claude Code system identity; a scenario may relax a rule by name.
/// It answers `…/v1/messages` (stream and non-stream) and `…/v1/messages/count_tokens`, records every request,
/// and follows queued `FakeBehavior`s.
public struct FakeAnthropic: FakeUpstream {
    /// Subscription accounts reach it under `/official`; Console accounts carry the fake's URL themselves.
    public static func relayEnvironment(baseURL: String) -> [String: String] { ["CRS_CLAUDE_API_URL": baseURL + "/official"] }
    public static var relaxableRules: Set<String> { Set(AnthropicRequestRules.Rule.allCases.map(\.rawValue)) }

    public let state: FakeState
    public static let oauthBeta = "oauth-2025-04-20"

    public init(state: FakeState = FakeState()) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("**") { request, context in try await self.handle(request, context: context) }
    }

    /// `gateway`: a gateway in front of the API (Factory's) authenticated the caller already, with its own credential
    /// (a Bearer token there is the gateway's, not a Claude subscription's).
    func handle(_ request: Request, context: FakeRequestContext, gateway: Bool = false) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
        let path = request.uri.path
        let headers = request.headers.map { [$0.name.canonicalName.lowercased(), $0.value] }
        let sequence = state.begin(RecordedRequest(
            sequence: 0, method: request.method.rawValue, path: path, query: request.uri.query ?? "",
            headers: headers, body: String(buffer: body), status: 0, outcome: ""))
        let requestID = "req_fake_\(sequence)"

        func finish(_ response: Response, outcome: String = "complete") -> Response {
            state.finish(sequence, status: Int(response.status.code), outcome: outcome)
            return response
        }

        guard path.hasSuffix("/v1/messages") || path.hasSuffix("/v1/messages/count_tokens") else {
            return finish(errorResponse(404, type: "not_found_error", message: "Not found: \(path)", requestID: requestID))
        }
        let parsed = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        if let (cassette, speed) = state.cassettes.take(method: request.method.rawValue, path: path, body: parsed) {
            let state = self.state
            let status = cassette.response?.status ?? 0
            return CassettePlayer.response(for: cassette, speed: speed) { outcome in state.finish(sequence, status: status, outcome: outcome) }
        }
        if !gateway, let refusal = authenticate(request) {
            return finish(errorResponse(401, type: "authentication_error", message: refusal, requestID: requestID))
        }
        if request.headers[values: HTTPField.Name("anthropic-version")!].isEmpty {
            return finish(errorResponse(400, type: "invalid_request_error", message: "anthropic-version: header is required", requestID: requestID))
        }
        // The real API checks the body before anything else happens; a refused request consumes no behaviour.
        if let json = parsed, let refusal = AnthropicRequestRules.check(
            json, countTokens: path.hasSuffix("/count_tokens"), oauth: !gateway && isOAuth(request), betas: Self.betas(request), relaxed: Set(state.relaxedRules.compactMap(AnthropicRequestRules.Rule.init(rawValue:)))) {
            return finish(errorResponse(refusal.status, type: refusal.type, message: refusal.message, requestID: requestID))
        }
        let behavior = state.nextBehavior(for: path)
        if behavior.requireClaudeCodeUserAgent == true, !Self.isClaudeCodeUserAgent(request.headers[.userAgent] ?? "") {
            return finish(errorResponse(401, type: "authentication_error", message: "invalid x-api-key", requestID: requestID))
        }
        if let delay = behavior.delayMs, delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        if let status = behavior.status, !(200..<300).contains(status) {
            var response = errorResponse(status, type: behavior.errorType ?? AnthropicReplies.defaultErrorType(for: status),
                                         message: behavior.message ?? AnthropicReplies.defaultMessage(for: status), requestID: requestID)
            if let raw = behavior.body { response.body = .init(byteBuffer: ByteBuffer(string: raw)) }
            for (name, value) in behavior.headers ?? [:] { if let field = HTTPField.Name(name) { response.headers[field] = value } }
            if let reset = behavior.unifiedResetInSeconds {
                response.headers[HTTPField.Name("anthropic-ratelimit-unified-reset")!] = String(Int(Date().timeIntervalSince1970) + reset)
            }
            return finish(response)
        }
        guard let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] else {
            return finish(errorResponse(400, type: "invalid_request_error", message: "request body is not valid JSON", requestID: requestID))
        }
        if path.hasSuffix("/count_tokens") {
            let tokens = max(1, body.readableBytes / 4)
            return finish(jsonResponse(200, ["input_tokens": tokens], requestID: requestID, extra: behavior.headers))
        }
        guard let model = json["model"] as? String, json["messages"] is [Any] else {
            return finish(errorResponse(400, type: "invalid_request_error", message: "model and messages are required", requestID: requestID))
        }
        let usage = behavior.usage ?? FakeUsage()
        let text = behavior.deltaBytes == nil ? behavior.text ?? "pong" : String(repeating: "x", count: max(1, behavior.deltaCount ?? 1))
        let messageID = "msg_fake_\(sequence)"
        let toolNames = ((json["tools"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["name"] as? String }
        if behavior.toolUse == true, !toolNames.isEmpty {
            let tools = Array(toolNames.prefix(max(1, behavior.toolUseCount ?? 1)))
            if json["stream"] as? Bool == true {
                let events = AnthropicReplies.toolUseStreamEvents(id: messageID, model: model, tools: tools, usage: usage)
                return streamResponse(events, behavior: behavior, usage: usage, requestID: requestID, sequence: sequence, channel: context.channel)
            }
            state.addEmitted(usage)
            return finish(jsonResponse(200, AnthropicReplies.toolUseMessage(id: messageID, model: model, tools: tools, usage: usage), requestID: requestID, extra: behavior.headers))
        }
        if json["stream"] as? Bool == true {
            let events = AnthropicReplies.streamEvents(id: messageID, model: model, text: text, deltaCount: behavior.deltaCount ?? 1, usage: usage)
            return streamResponse(events, behavior: behavior, usage: usage, requestID: requestID, sequence: sequence, channel: context.channel)
        }
        let message = AnthropicReplies.message(id: messageID, model: model, text: text, usage: usage)
        state.addEmitted(usage)
        return finish(jsonResponse(200, message, requestID: requestID, extra: behavior.headers))
    }

    /// Returns the refusal message, or nil when the credential is acceptable.
    private func authenticate(_ request: Request) -> String? {
        let apiKeyHeader = request.headers[HTTPField.Name("x-api-key")!]
        let authorization = request.headers[.authorization]
        let bearer = authorization.flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
        guard let credential = apiKeyHeader ?? bearer, !credential.isEmpty else { return "x-api-key header is required" }
        // Tokens from the fake authorization server are good until they expire or are revoked.
        switch state.oauth.accessStatus(credential) {
        case .expired: return "OAuth token has expired. Please obtain a new token or refresh your existing token."
        case .valid, .unknown: break
        }
        let accepted = state.credentials
        let issued = state.oauth.accessStatus(credential) == .valid
        if accepted.oauthTokens.isEmpty && accepted.apiKeys.isEmpty && !issued { return nil }
        if issued || accepted.oauthTokens.contains(credential) {
            guard bearer == credential else { return "invalid x-api-key" }
            let betas = request.headers[values: HTTPField.Name("anthropic-beta")!].joined(separator: ",")
            guard betas.contains(Self.oauthBeta) else { return "OAuth authentication is currently not supported." }
            return nil
        }
        if accepted.apiKeys.contains(credential) {
            let expectsAPIKeyHeader = credential.hasPrefix("sk-ant-")
            if expectsAPIKeyHeader ? apiKeyHeader == credential : bearer == credential { return nil }
        }
        return "invalid x-api-key"
    }

    /// A subscription credential: a token the fake's authorization server issued or a scenario declared as OAuth, or
    /// one in the `sk-ant-oat…` form, sent as a Bearer token (the only way the API takes one).
    private func isOAuth(_ request: Request) -> Bool {
        guard let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") else { return false }
        let token = String(authorization.dropFirst(7))
        return token.hasPrefix("sk-ant-oat") || state.credentials.oauthTokens.contains(token) || state.oauth.accessStatus(token) != .unknown
    }

    static func betas(_ request: Request) -> [String] {
        request.headers[values: HTTPField.Name("anthropic-beta")!].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func isClaudeCodeUserAgent(_ userAgent: String) -> Bool {
        if userAgent.hasPrefix("claude_code") { return true }
        return userAgent.range(of: #"^claude-cli/\d+\.\d+\.\d+"#, options: .regularExpression) != nil
    }

    private func streamResponse(_ events: [(name: String, data: [String: Any])], behavior: FakeBehavior, usage: FakeUsage, requestID: String, sequence: Int, channel: any Channel) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("request-id")!] = requestID
        headers[HTTPField.Name("anthropic-ratelimit-unified-5h-status")!] = "allowed"
        for (name, value) in behavior.headers ?? [:] { if let field = HTTPField.Name(name) { headers[field] = value } }
        let error = AnthropicReplies.error(type: behavior.errorType ?? "overloaded_error", message: behavior.message ?? "Overloaded", requestID: requestID)
        let errorEvent = AnthropicReplies.sse("error", error)
        let script = FakeStreamScript(
            state: state, sequence: sequence, behavior: behavior, usage: usage, channel: channel,
            errorEvent: { ByteBuffer(string: errorEvent) },
            malformed: { _ in (ByteBuffer(string: "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\n\n"), false) })
        let filler = behavior.deltaBytes.map { size in
            ByteBuffer(string: AnthropicReplies.sse("content_block_delta", [
                "type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": String(repeating: "x", count: max(1, size))],
            ]))
        }
        let stream = events.map { event in
            if event.name == "content_block_delta", let filler { return FakeStreamScript.Event(name: event.name, pieces: [filler]) }
            return FakeStreamScript.Event(name: event.name, pieces: [ByteBuffer(string: AnthropicReplies.sse(event.name, event.data))])
        }
        return Response(status: .ok, headers: headers, body: script.body(stream))
    }

    private func jsonResponse(_ status: Int, _ object: [String: Any], requestID: String, extra: [String: String]? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("request-id")!] = requestID
        if (200..<300).contains(status) { headers[HTTPField.Name("anthropic-ratelimit-unified-5h-status")!] = "allowed" }
        for (name, value) in extra ?? [:] { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: AnthropicReplies.json(object))))
    }

    private func errorResponse(_ status: Int, type: String, message: String, requestID: String) -> Response {
        jsonResponse(status, AnthropicReplies.error(type: type, message: message, requestID: requestID), requestID: requestID)
    }
}

/// Thrown inside a streaming body to drop the connection mid-stream.
struct FakeStreamCut: Error {}
