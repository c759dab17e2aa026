import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Gemini, in both shapes clients use: the standard API (`/gemini/v1beta/models/{model}:{action}`, what the
/// google-genai SDKs and Gemini CLI with an API key send) and Code Assist (`/gemini/v1internal:{method}`, what
/// Gemini CLI sends in OAuth mode). Served by Google-OAuth accounts (Code Assist upstream) and Gemini API-key
/// accounts (generativelanguage upstream); the dialects convert between the shapes. Errors in Google's shape.
struct GeminiFamily: APIFamily {
    /// Operations: the standard actions, or `v1internal:<method>` for Code Assist.
    static let codeAssistPrefix = "v1internal:"
    static let generate = "generateContent"
    static let stream = "streamGenerateContent"
    static let countTokens = "countTokens"
    /// Code Assist's account calls besides generation (Gemini CLI makes them at start-up and on `/stats`): passed
    /// to the account unmetered, exempt from quotas; API-key accounts cannot serve them.
    static let setupMethods: Set<String> = [
        "loadCodeAssist", "onboardUser", "listExperiments", "retrieveUserQuota", "getCodeAssistGlobalUserSetting", "setCodeAssistGlobalUserSetting",
    ]
    /// The setup calls Gemini CLI makes with GET (no body).
    static let getMethods: Set<String> = ["getCodeAssistGlobalUserSetting"]

    var name: String { "gemini" }
    var platform: String { "gemini" }

    /// The action of an operation, without the Code Assist prefix.
    static func action(_ operation: String) -> String {
        operation.hasPrefix(codeAssistPrefix) ? String(operation.dropFirst(codeAssistPrefix.count)) : operation
    }

    static func isCodeAssist(_ operation: String) -> Bool { operation.hasPrefix(codeAssistPrefix) }

    /// `gemini-2.5-pro:generateContent` (the last path segment) → the model.
    static func model(inPath path: String) -> String? {
        guard let last = path.split(separator: "/").last, let colon = last.lastIndex(of: ":") else { return nil }
        let model = String(last[..<colon]).removingPercentEncoding ?? String(last[..<colon])
        return model.isEmpty ? nil : model
    }

    static func stripModelsPrefix(_ name: String) -> String { name.hasPrefix("models/") ? String(name.dropFirst(7)) : name }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        let action = Self.action(operation)
        let empty = body.readableBytes == 0 && request.method == .get && Self.getMethods.contains(action)
        guard let json = empty ? [:] : JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        let model: String
        var contents: Any?
        if Self.setupMethods.contains(action) {
            model = "gemini-code-assist"
        } else if Self.isCodeAssist(operation) {
            let inner = json["request"] as? [String: Any]
            let named = (json["model"] as? String) ?? (inner?["model"] as? String)
            guard let named, !named.isEmpty else { throw RelayError.badRequest("model: field required") }
            model = Self.stripModelsPrefix(named)
            contents = inner?["contents"]
        } else {
            guard let named = Self.model(inPath: request.uri.path) else { throw RelayError.badRequest("the path must name a model: models/{model}:\(action)") }
            model = Self.stripModelsPrefix(named)
            contents = json["contents"]
        }
        if !Self.setupMethods.contains(action) {
            guard let list = contents as? [Any], !list.isEmpty else { throw RelayError.badRequest("contents: field required (a non-empty array)") }
        }
        let session = ((json["request"] as? [String: Any])?["session_id"] as? String) ?? (json["session_id"] as? String)
        return ParsedRequest(json: json, model: model, stream: action == Self.stream,
                             exemptFromQuotas: action == Self.countTokens || Self.setupMethods.contains(action),
                             sessionHash: session.map { SessionHash.digest($0) })
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        kind == .geminiAPI ? GeminiAPIDialect(operation: operation)
            : GeminiCodeAssistDialect(operation: operation, baseURL: context.settings.upstreamURL(GeminiProvider.codeAssistURL),
                                      projects: GeminiProjects(accounts: context.accounts, clients: context.upstream, logger: context.logger),
                                      antigravity: AntigravityProvider.requests(context))
    }

    func errorResponse(_ error: RelayError) -> Response { GeminiErrors.response(error) }

    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? {
        let action = Self.action(operation)
        guard action == Self.generate else { return nil }
        let body = (reply["response"] as? [String: Any]) ?? reply
        guard let metadata = body["usageMetadata"] as? [String: Any] else { return nil }
        return GeminiUsage.tokens(metadata, model: body["modelVersion"] as? String)
    }

    func makeMeter(operation: String) -> any StreamUsageMeter { GeminiStreamMeter() }

    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        ByteBuffer(string: "data: \(JSON.string(GeminiErrors.body(status: 500, type: type, message: message)))\n\n")
    }
}

/// Gemini `usageMetadata` as token counts: `promptTokenCount` includes cached tokens (billed as cache reads);
/// thinking tokens are billed as output, as Google bills them (the original ignored both).
enum GeminiUsage {
    static func tokens(_ metadata: [String: Any], model: String?) -> TokenUsage {
        let prompt = JSON.int(metadata["promptTokenCount"]) ?? 0
        let cached = JSON.int(metadata["cachedContentTokenCount"]) ?? 0
        let output = (JSON.int(metadata["candidatesTokenCount"]) ?? 0) + (JSON.int(metadata["thoughtsTokenCount"]) ?? 0)
        return TokenUsage(input: max(0, prompt - cached), output: output, cacheRead: cached, model: model)
    }
}
