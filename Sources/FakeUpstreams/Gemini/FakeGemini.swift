import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake Google Gemini, both upstreams the relay uses (docs/reference/upstream-wire.md):
/// - Code Assist under `/codeassist/v1internal:{method}`: a currently valid Google access token (issued by the
///   fake Google authorization server, or listed in `oauthTokens`); `loadCodeAssist` names no project until
///   `onboardUser` has finished (a long-running operation that is `done` on its second poll); generate calls
///   need a project (the onboarded one before onboarding is refused); replies in the `{response, traceId}` envelope;
/// - the API-key API under `/generativelanguage/v1beta/models/{model}:{action}` (key in `x-goog-api-key` or
///   `?key=`, one of `apiKeys`): bare replies.
/// Streams only with `alt=sse` (else one JSON array); usage on the last chunk; the stream ends by closing.
/// Errors in Google's shape; a scripted 429 carries `RetryInfo` (`unifiedResetInSeconds` → `retryDelay`).
public struct FakeGemini: FakeUpstream {
    /// Google-OAuth accounts reach Code Assist under `/codeassist`.
    public static func relayEnvironment(baseURL: String) -> [String: String] { ["CRS_GEMINI_CODE_ASSIST_URL": baseURL + "/codeassist"] }

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("codeassist/:method") { request, context in try await self.handle(request, context: context, codeAssist: true) }
        router.get("codeassist/:method") { request, context in try await self.handle(request, context: context, codeAssist: true) }
        router.post("generativelanguage/v1beta/models/:modelAction") { request, context in try await self.handle(request, context: context, codeAssist: false) }
    }

    func handle(_ request: Request, context: FakeRequestContext, codeAssist: Bool) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let sequence = state.record(request, body: String(buffer: body))
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        func fail(_ code: Int, _ message: String, retryDelay: String? = nil) -> Response {
            finish(FakeOpenAI.json(code, GeminiReplies.error(code, GeminiReplies.status(for: code), message, retryDelay: retryDelay)))
        }
        let segment = context.parameters.get(codeAssist ? "method" : "modelAction") ?? ""
        guard let colon = segment.lastIndex(of: ":") else { return fail(404, "Method not found.") }
        let action = String(segment[segment.index(after: colon)...])
        if let refusal = authenticate(request, codeAssist: codeAssist) { return fail(refusal.0, refusal.1) }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        if codeAssist, let reply = accountCall(action, method: request.method, json: json) {
            return finish(FakeOpenAI.json(reply.status, reply.body))
        }
        if codeAssist, action == "loadCodeAssist" {
            var reply: [String: Any] = ["allowedTiers": [["id": "free-tier", "name": "Gemini Code Assist for individuals", "isDefault": true]]]
            if let project = state.codeAssistProject { reply["cloudaicompanionProject"] = project; reply["currentTier"] = ["id": "free-tier"] }
            return finish(FakeOpenAI.json(200, reply))
        }
        if codeAssist, action == "onboardUser" {
            guard json["tierId"] as? String != nil else { return fail(400, "tierId is required") }
            guard let project = state.onboardCodeAssist() else { return finish(FakeOpenAI.json(200, ["name": "operations/onboard-1", "done": false])) }
            return finish(FakeOpenAI.json(200, ["name": "operations/onboard-1", "done": true,
                                                "response": ["cloudaicompanionProject": ["id": project, "name": project]]]))
        }
        let inner = codeAssist ? (json["request"] as? [String: Any] ?? [:]) : json
        let model = codeAssist ? ((json["model"] as? String) ?? (inner["model"] as? String).map { String($0.dropFirst($0.hasPrefix("models/") ? 7 : 0)) } ?? "")
                               : String(segment[..<colon])
        // Code Assist needs a project: the onboarded one, or one an admin configured (any other name).
        if codeAssist, ["generateContent", "streamGenerateContent"].contains(action), ((json["project"] as? String) ?? "").isEmpty
            || (state.codeAssistProject == nil && json["project"] as? String == "fake-codeassist-project") {
            if (inner["contents"] as? [Any])?.isEmpty == false {
                return fail(403, "The caller does not have permission: no Code Assist project for this user")
            }
        }
        return try await content(request, context: context, sequence: sequence, action: action, model: model, inner: inner,
                                 bodyBytes: body.readableBytes, envelope: codeAssist)
    }

    /// Generation and token counting, shared with the Antigravity fake: `inner` is the standard request (inside the
    /// envelope when `envelope`), replies wrapped in `{response, traceId}` when `envelope`.
    func content(_ request: Request, context: FakeRequestContext, sequence: Int, action: String, model: String, inner: [String: Any],
                 bodyBytes: Int, envelope codeAssist: Bool) async throws -> Response {
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        func fail(_ code: Int, _ message: String, retryDelay: String? = nil) -> Response {
            finish(FakeOpenAI.json(code, GeminiReplies.error(code, GeminiReplies.status(for: code), message, retryDelay: retryDelay)))
        }
        let behavior = state.nextBehavior(for: request.uri.path)
        if let delay = behavior.delayMs, delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        if let status = behavior.status, !(200..<300).contains(status) {
            return fail(status, behavior.message ?? (status == 429 ? "Resource exhausted. Please try again later." : "Internal error encountered."),
                        retryDelay: status == 429 ? "\(behavior.unifiedResetInSeconds ?? 47)s" : nil)
        }
        guard let contents = inner["contents"] as? [Any], !contents.isEmpty else { return fail(400, "* GenerateContentRequest.contents: contents is not specified") }
        // Gemini's own role check: turns are the user's or the model's (function results are user turns).
        if contents.contains(where: { (($0 as? [String: Any])?["role"] as? String).map { $0 != "user" && $0 != "model" } ?? false }) {
            return fail(400, "Please use a valid role: user, model.")
        }
        if action == "countTokens" {
            return finish(FakeOpenAI.json(200, ["totalTokens": max(1, bodyBytes / 4)]))
        }
        guard ["generateContent", "streamGenerateContent"].contains(action) else { return fail(404, "Method not found.") }
        let usage = behavior.usage ?? FakeUsage()
        let text = behavior.text ?? "pong"
        let id = "fake-gemini-\(sequence)"
        let wrap: ([String: Any]) -> [String: Any] = { codeAssist ? ["response": $0, "traceId": id] : $0 }
        let declared = ((inner["tools"] as? [Any]) ?? []).flatMap { (($0 as? [String: Any])?["functionDeclarations"] as? [Any]) ?? [] }
            .compactMap { ($0 as? [String: Any])?["name"] as? String }
        let calls = behavior.toolUse == true ? Array(declared.prefix(max(1, behavior.toolUseCount ?? 1))) : []
        guard action == "streamGenerateContent" else {
            state.addEmitted(usage)
            return finish(FakeOpenAI.json(200, wrap(GeminiReplies.response(model: model, text: text, usage: usage, finished: true, id: id, calls: calls))))
        }
        let chunks = (calls.isEmpty ? GeminiReplies.chunks(model: model, text: text, count: behavior.deltaCount ?? 1, usage: usage, id: id)
                                    : [GeminiReplies.response(model: model, text: "", usage: usage, finished: true, id: id, calls: calls)]).map(wrap)
        guard request.uri.queryParameters["alt"] == "sse" else {
            state.addEmitted(usage)
            let array = String(decoding: (try? JSONSerialization.data(withJSONObject: chunks)) ?? Data("[]".utf8), as: UTF8.self)
            return finish(Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: array))))
        }
        let failure = "data: " + JSONText.encode(GeminiReplies.error(500, "INTERNAL", behavior.message ?? "Internal error encountered.")) + "\n\n"
        let last = chunks.count - 1
        var script = FakeStreamScript(
            state: state, sequence: sequence, behavior: behavior, usage: usage, channel: context.channel,
            errorEvent: { ByteBuffer(string: failure) },
            malformed: { _ in (ByteBuffer(string: "data: {\"candidates\": [{\"content\":\n\n"), false) })
        script.reports = { name, usage in name == "chunk-\(last)" ? (usage, true) : nil }
        let events = chunks.enumerated().map { FakeStreamScript.Event(name: "chunk-\($0.offset)", pieces: [ByteBuffer(string: "data: \(JSONText.encode($0.element))\r\n\r\n")]) }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: script.body(events))
    }

    /// Code Assist's account calls besides generation, as Gemini CLI makes them: the user setting (GET to read, POST
    /// to write), the experiment flags and the per-model quota of a project. Experiments and quotas need the
    /// account's own project (none: 400; another's: 403), as Google answers. Nil: not one of these.
    func accountCall(_ action: String, method: HTTPRequest.Method, json: [String: Any]) -> (status: Int, body: [String: Any])? {
        func error(_ code: Int, _ message: String) -> (Int, [String: Any]) { (code, GeminiReplies.error(code, GeminiReplies.status(for: code), message)) }
        switch (action, method) {
        case ("getCodeAssistGlobalUserSetting", .get), ("setCodeAssistGlobalUserSetting", .post):
            var setting: [String: Any] = ["freeTierDataCollectionOptin": (json["freeTierDataCollectionOptin"] as? Bool) ?? false]
            if let project = state.codeAssistProject { setting["cloudaicompanionProject"] = project }
            return (200, setting)
        case ("getCodeAssistGlobalUserSetting", _), ("setCodeAssistGlobalUserSetting", _):
            return error(405, "Method not allowed for \(action).")
        case ("listExperiments", .post), ("retrieveUserQuota", .post):
            guard let project = json["project"] as? String, !project.isEmpty else { return error(400, "Request contains an invalid argument: project is required.") }
            guard project == state.codeAssistProject else { return error(403, "The caller does not have permission on project \(project).") }
            if action == "listExperiments" {
                return (200, ["experimentIds": [45_740_196, 45_740_197], "flags": [["flagId": 45_740_196, "boolValue": true]]])
            }
            let reset = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            return (200, ["buckets": ["gemini-2.5-pro", "gemini-2.5-flash"].map {
                ["modelId": $0, "tokenType": "REQUESTS", "remainingFraction": 0.75, "remainingAmount": "750", "resetTime": reset] as [String: Any]
            }])
        default:
            return nil
        }
    }

    private func authenticate(_ request: Request, codeAssist: Bool) -> (Int, String)? {
        let credentials = state.credentials
        if codeAssist {
            let bearer = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            switch state.oauth.accessStatus(bearer) {
            case .valid: return nil
            case .expired: return (401, "Request had invalid authentication credentials. Expected OAuth 2 access token.")
            case .unknown: return credentials.oauthTokens.contains(bearer) ? nil : (401, "Request had invalid authentication credentials.")
            }
        }
        let key = request.headers[HTTPField.Name("x-goog-api-key")!] ?? request.uri.queryParameters["key"].map(String.init) ?? ""
        guard !key.isEmpty else { return (403, "Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity.") }
        return credentials.apiKeys.isEmpty || credentials.apiKeys.contains(key) ? nil : (400, "API key not valid. Please pass a valid API key.")
    }
}
