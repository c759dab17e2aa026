import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake of Google's Antigravity backend under `/antigravity/v1internal:{method}`:
/// - a Google access token the fake authorization server issued to the Antigravity client (a Gemini CLI token is
///   refused with 403, as the backend refuses other apps' tokens), or one listed in `oauthTokens`;
/// - `generateContent` / `streamGenerateContent` (`alt=sse`) take the Antigravity envelope — `project`, `requestId`,
///   `model`, `userAgent: "antigravity"`, `request.sessionId` all required — and only the models it lists (others: 404
///   "Requested entity was not found."); Claude models refuse JSON-Schema-only keywords in function parameters
///   (`$schema`, `additionalProperties`, `parametersJsonSchema`) with 400, as the backend does;
/// - `countTokens` (`{request: {model: "models/…", contents}}`) and `fetchAvailableModels` (`{models: {id: {…}}}`).
/// Generation itself is the Gemini fake's (replies in the `{response, traceId}` envelope, usage on the last chunk).
public struct FakeAntigravity: FakeUpstream {
    public static func relayEnvironment(baseURL: String) -> [String: String] { ["CRS_ANTIGRAVITY_URL": baseURL + "/antigravity"] }

    /// The Antigravity app's OAuth client (what the relay's default says).
    public static let clientID = "1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com"

    /// Upstream model ids served, as `fetchAvailableModels` names them.
    public static let models = ["gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-high", "gemini-3-flash", "claude-sonnet-4-5",
                                "claude-sonnet-4-5-thinking", "claude-opus-4-5-thinking", "chat_20706"]

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        // Two hosts (the daily sandbox and production) with the same API; a behaviour's pathPrefix tells them apart.
        router.post("antigravity/:method") { request, context in try await self.handle(request, context: context) }
        router.post("antigravity-prod/:method") { request, context in try await self.handle(request, context: context) }
    }

    func handle(_ request: Request, context: FakeRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let sequence = state.record(request, body: String(buffer: body))
        func fail(_ code: Int, _ message: String) -> Response {
            state.finished(sequence, FakeOpenAI.json(code, GeminiReplies.error(code, GeminiReplies.status(for: code), message)))
        }
        let method = context.parameters.get("method") ?? ""
        guard method.hasPrefix("v1internal:") else { return fail(404, "Method not found.") }
        let action = String(method.dropFirst("v1internal:".count))
        if let refusal = authenticate(request) { return fail(refusal.0, refusal.1) }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        switch action {
        case "fetchAvailableModels":
            let models = Dictionary(uniqueKeysWithValues: Self.models.map { ($0, ["displayName": $0] as [String: Any]) })
            return state.finished(sequence, FakeOpenAI.json(200, ["models": models]))
        case "countTokens":
            let inner = json["request"] as? [String: Any] ?? [:]
            guard let model = (inner["model"] as? String).map({ $0.hasPrefix("models/") ? String($0.dropFirst(7)) : $0 }), Self.models.contains(model) else {
                return fail(404, "Requested entity was not found.")
            }
            return try await FakeGemini(state: state).content(request, context: context, sequence: sequence, action: action, model: model,
                                                              inner: inner, bodyBytes: body.readableBytes, envelope: false)
        case "generateContent", "streamGenerateContent":
            if let refusal = Self.envelopeRefusal(json) { return fail(refusal.0, refusal.1) }
            let model = json["model"] as? String ?? ""
            return try await FakeGemini(state: state).content(request, context: context, sequence: sequence, action: action, model: model,
                                                              inner: json["request"] as? [String: Any] ?? [:], bodyBytes: body.readableBytes, envelope: true)
        default:
            return fail(404, "Method not found.")
        }
    }

    static func envelopeRefusal(_ json: [String: Any]) -> (Int, String)? {
        for field in ["project", "requestId", "model"] where ((json[field] as? String) ?? "").isEmpty {
            return (400, "Invalid JSON payload received. Missing required field \"\(field)\".")
        }
        guard json["userAgent"] as? String == "antigravity" else { return (400, "Invalid value at 'user_agent'") }
        guard let inner = json["request"] as? [String: Any], !((inner["sessionId"] as? String) ?? "").isEmpty else {
            return (400, "Invalid JSON payload received. Missing required field \"request.sessionId\".")
        }
        let model = json["model"] as? String ?? ""
        guard models.contains(model) else { return (404, "Requested entity was not found.") }
        if model.contains("claude") {
            let declarations = ((inner["tools"] as? [Any]) ?? []).flatMap { (($0 as? [String: Any])?["functionDeclarations"] as? [Any]) ?? [] }
            for case let declaration as [String: Any] in declarations {
                if declaration["parametersJsonSchema"] != nil {
                    return (400, "Invalid JSON payload received. Unknown name \"parametersJsonSchema\": Cannot find field.")
                }
                if let keyword = jsonSchemaOnly(declaration["parameters"]) {
                    return (400, "Invalid JSON payload received. Unknown name \"\(keyword)\" at 'request.tools[0].function_declarations[0].parameters': Cannot find field.")
                }
            }
        }
        return nil
    }

    private static func jsonSchemaOnly(_ raw: Any?) -> String? {
        guard let schema = raw as? [String: Any] else { return nil }
        for keyword in ["$schema", "additionalProperties", "$ref", "$defs"] where schema[keyword] != nil { return keyword }
        for value in (schema["properties"] as? [String: Any] ?? [:]).values { if let found = jsonSchemaOnly(value) { return found } }
        return jsonSchemaOnly(schema["items"])
    }

    private func authenticate(_ request: Request) -> (Int, String)? {
        let bearer = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        switch state.oauth.accessStatus(bearer) {
        case .valid:
            if let client = state.oauth.client(of: bearer), client != Self.clientID {
                return (403, "The caller does not have permission")
            }
            return nil
        case .expired: return (401, "Request had invalid authentication credentials. Expected OAuth 2 access token.")
        case .unknown: return state.credentials.oauthTokens.contains(bearer) ? nil : (401, "Request had invalid authentication credentials.")
        }
    }
}
