import Foundation

/// The body Antigravity takes for `generateContent` / `streamGenerateContent`: Code Assist's envelope plus its own
/// fields — `{project, requestId, model, userAgent: "antigravity", request: {…, sessionId}}` — and the request shaped
/// the way the backend accepts it:
/// - `safetySettings` removed; with tools, function calling is `VALIDATED` unless the client said `NONE`;
/// - a thinking budget clamped to the model's bounds (below the minimum: thinking off; a model that does not think:
///   the config removed; `thinkingLevel` only on Gemini 3);
/// - Gemini models: no `maxOutputTokens` (the backend is unstable with it); Claude models: function schemas as
///   `parameters` in Gemini's schema subset (`$schema`, `additionalProperties` … are refused there).
enum AntigravityEnvelope {
    static func body(request inner: [String: Any], model: String, project: String, sessionID: String) -> [String: Any] {
        var request = inner
        request.removeValue(forKey: "session_id")
        request.removeValue(forKey: "safetySettings")
        request["sessionId"] = sessionID
        if let tools = request["tools"] as? [Any], !tools.isEmpty {
            let existing = (request["toolConfig"] as? [String: Any])?["functionCallingConfig"] as? [String: Any] ?? [:]
            if existing["mode"] as? String != "NONE" {
                request["toolConfig"] = ["functionCallingConfig": existing.merging(["mode": "VALIDATED"]) { _, new in new }]
            }
        }
        normalizeThinking(&request, model: model)
        if AntigravityModels.isClaude(model) {
            if let tools = request["tools"] as? [Any] { request["tools"] = tools.map(claudeTool) }
        } else if var generation = request["generationConfig"] as? [String: Any] {
            generation.removeValue(forKey: "maxOutputTokens")
            request["generationConfig"] = generation
        }
        return ["project": project, "requestId": "req-\(UUID().uuidString.lowercased())", "model": model,
                "userAgent": "antigravity", "request": request]
    }

    private static func normalizeThinking(_ request: inout [String: Any], model: String) {
        guard var generation = request["generationConfig"] as? [String: Any],
              var thinking = generation["thinkingConfig"] as? [String: Any] else { return }
        defer { request["generationConfig"] = generation }
        let name = AntigravityModels.normalized(model)
        if thinking["thinkingLevel"] != nil, !name.hasPrefix("gemini-3") { thinking.removeValue(forKey: "thinkingLevel") }
        guard let metadata = AntigravityModels.metadata(name) else {
            generation["thinkingConfig"] = thinking
            return
        }
        guard let bounds = metadata.thinking else {
            generation.removeValue(forKey: "thinkingConfig")
            return
        }
        guard var budget = JSON.int(thinking["thinkingBudget"]) else {
            generation["thinkingConfig"] = thinking
            return
        }
        budget = min(budget, bounds.max)
        var ceiling = JSON.int(generation["maxOutputTokens"])
        if ceiling == nil, let defaultMax = metadata.maxCompletionTokens {
            ceiling = defaultMax
            generation["maxOutputTokens"] = defaultMax
        }
        if let ceiling, budget >= ceiling { budget = max(0, ceiling - 1) }
        if budget >= 0, budget < bounds.min {
            generation.removeValue(forKey: "thinkingConfig")
            return
        }
        thinking["thinkingBudget"] = budget
        generation["thinkingConfig"] = thinking
    }

    private static func claudeTool(_ raw: Any) -> Any {
        guard var tool = raw as? [String: Any] else { return raw }
        let key = tool["functionDeclarations"] != nil ? "functionDeclarations" : "function_declarations"
        guard let declarations = tool[key] as? [Any] else { return raw }
        tool[key] = declarations.map { raw -> Any in
            guard var declaration = raw as? [String: Any] else { return raw }
            var schema = declaration.removeValue(forKey: "parametersJsonSchema") ?? declaration["parameters"]
            if let text = schema as? String { schema = JSON.object(Data(text.utf8)) }
            declaration["parameters"] = GeminiSchemaSubset.clean(schema)
            return declaration
        }
        return tool
    }
}
