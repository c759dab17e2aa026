import Foundation

/// A Chat Completions request as a standard Gemini `generateContent` body (the Code Assist dialect wraps it into
/// its envelope as it does for any standard client). Assistant turns are `model` turns; a tool message becomes a
/// `functionResponse` under the name of the call it answers (Gemini matches results by name, not id), and the
/// results of parallel calls go back in one turn. Image URLs are refused: Gemini reads only inline data or files
/// uploaded to Google.
enum ChatToGemini {
    /// Thinking budgets for `reasoning_effort` (0: thinking off, where the model allows it).
    static let thinkingBudgets: [String: Int] = ["none": 0, "minimal": 0, "low": 1_024, "medium": 8_192, "high": 24_576]

    static func body(_ chat: ChatRequest) throws -> [String: Any] {
        var body: [String: Any] = ["contents": try contents(chat.turns)]
        if !chat.system.isEmpty { body["systemInstruction"] = ["parts": chat.system.map { ["text": $0] }] }
        var generation: [String: Any] = [:]
        if let temperature = chat.temperature { generation["temperature"] = temperature }
        if let topP = chat.topP { generation["topP"] = topP }
        if let maxTokens = chat.maxTokens { generation["maxOutputTokens"] = maxTokens }
        if !chat.stop.isEmpty { generation["stopSequences"] = chat.stop }
        if let penalty = chat.presencePenalty { generation["presencePenalty"] = penalty }
        if let penalty = chat.frequencyPenalty { generation["frequencyPenalty"] = penalty }
        if let seed = chat.seed { generation["seed"] = seed }
        if let effort = chat.reasoningEffort, let budget = thinkingBudgets[effort] { generation["thinkingConfig"] = ["thinkingBudget": budget] }
        switch chat.responseFormat {
        case .text: break
        case .jsonObject: generation["responseMimeType"] = "application/json"
        case .jsonSchema(_, let schema, _):
            generation["responseMimeType"] = "application/json"
            generation["responseJsonSchema"] = schema
        }
        if !generation.isEmpty { body["generationConfig"] = generation }
        if !chat.tools.isEmpty {
            body["tools"] = [["functionDeclarations": chat.tools.map { tool -> [String: Any] in
                var declaration: [String: Any] = ["name": tool.name]
                if let description = tool.description { declaration["description"] = description }
                if let parameters = tool.parameters { declaration["parametersJsonSchema"] = parameters }
                return declaration
            }]]
        }
        if chat.parallelToolCalls == false {
            throw ChatRequest.invalid("parallel_tool_calls: Gemini models cannot be limited to one call per turn")
        }
        switch chat.toolChoice {
        case nil: break
        case .auto?: body["toolConfig"] = ["functionCallingConfig": ["mode": "AUTO"]]
        case .none?: body["toolConfig"] = ["functionCallingConfig": ["mode": "NONE"]]
        case .required?: body["toolConfig"] = ["functionCallingConfig": ["mode": "ANY"]]
        case .function(let name)?: body["toolConfig"] = ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": [name]]]
        }
        return body
    }

    static func contents(_ turns: [ChatRequest.Turn]) throws -> [[String: Any]] {
        var contents: [[String: Any]] = []
        var callNames: [String: String] = [:]
        func append(_ role: String, _ parts: [[String: Any]]) { ChatRequest.append(parts, as: role, under: "parts", to: &contents) }
        for (index, turn) in turns.enumerated() {
            switch turn {
            case .user(let parts):
                append("user", try parts.map { part -> [String: Any] in
                    switch part {
                    case .text(let text): return ["text": text]
                    case .image(let mediaType, let data): return ["inlineData": ["mimeType": mediaType, "data": data]]
                    case .imageURL: throw ChatRequest.invalid("image_url: Gemini models take images as base64 data URLs, not web URLs")
                    }
                })
            case .assistant(let text, let calls):
                var parts: [[String: Any]] = text.isEmpty ? [] : [["text": text]]
                for call in calls {
                    callNames[call.id] = call.name
                    parts.append(["functionCall": ["name": call.name, "args": JSON.object(Data(call.arguments.utf8)) ?? [:]]])
                }
                append("model", parts)
            case .tool(let id, let content):
                guard let name = callNames[id] else {
                    throw ChatRequest.invalid("messages: the tool message at turn \(index) answers tool_call_id \(id), which no earlier assistant message called")
                }
                // Gemini wants an object; a JSON object result goes as is, anything else under `content`.
                let response = JSON.object(Data(content.utf8)) ?? ["content": content]
                append("user", [["functionResponse": ["name": name, "response": response]]])
            }
        }
        return contents
    }
}
