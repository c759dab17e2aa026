import Foundation

/// An Anthropic Messages request (Claude Code pointed at Gemini) as a standard Gemini body. System blocks become
/// `systemInstruction`; user and assistant turns become `user` and `model` turns; `tool_use` blocks become
/// `functionCall` parts and `tool_result` blocks `functionResponse` parts under the name of the call they answer (Gemini
/// matches results by name); tools become function declarations with their JSON schemas. Prompt-caching hints
/// (`cache_control`) and earlier thinking blocks have no Gemini counterpart and are left out; server tools and
/// documents are refused.
enum MessagesToGemini {
    static func invalid(_ message: String) -> RelayError { RelayError.badRequest(message) }

    static func body(_ json: [String: Any], countTokens: Bool = false) throws -> [String: Any] {
        var body: [String: Any] = ["contents": try contents(json["messages"] as? [Any] ?? [])]
        // countTokens takes the turns only (the system prompt is not counted there).
        if countTokens { return body }
        let system = texts(json["system"])
        if !system.isEmpty { body["systemInstruction"] = ["parts": system.map { ["text": $0] }] }
        var generation: [String: Any] = [:]
        if let value = JSON.int(json["max_tokens"]) { generation["maxOutputTokens"] = value }
        if let value = JSON.number(json["temperature"]) { generation["temperature"] = value }
        if let value = JSON.number(json["top_p"]) { generation["topP"] = value }
        if let value = JSON.int(json["top_k"]) { generation["topK"] = value }
        if let stops = json["stop_sequences"] as? [Any], !stops.isEmpty { generation["stopSequences"] = stops.compactMap { $0 as? String } }
        if let thinking = json["thinking"] as? [String: Any] {
            switch thinking["type"] as? String {
            case "enabled": generation["thinkingConfig"] = ["thinkingBudget": JSON.int(thinking["budget_tokens"]) ?? 1_024]
            case "disabled": generation["thinkingConfig"] = ["thinkingBudget": 0]
            default: break
            }
        }
        if !generation.isEmpty { body["generationConfig"] = generation }
        if let tools = json["tools"] as? [Any], !tools.isEmpty {
            body["tools"] = [["functionDeclarations": try tools.enumerated().map { index, raw -> [String: Any] in
                guard let tool = raw as? [String: Any], let name = tool["name"] as? String else { throw invalid("tools.\(index).name: Field required") }
                if let type = tool["type"] as? String, type != "custom" {
                    throw invalid("tools.\(index): server tools (\(type)) are not available on Gemini models")
                }
                var declaration: [String: Any] = ["name": name]
                if let description = tool["description"] as? String { declaration["description"] = description }
                if let schema = tool["input_schema"] as? [String: Any] { declaration["parametersJsonSchema"] = schema }
                return declaration
            }]]
        }
        if let choice = json["tool_choice"] as? [String: Any] {
            switch choice["type"] as? String {
            case "auto": body["toolConfig"] = ["functionCallingConfig": ["mode": "AUTO"]]
            case "none": body["toolConfig"] = ["functionCallingConfig": ["mode": "NONE"]]
            case "any": body["toolConfig"] = ["functionCallingConfig": ["mode": "ANY"]]
            case "tool":
                body["toolConfig"] = ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": [choice["name"] as? String ?? ""]]]
            default: break
            }
        }
        return body
    }

    /// A string, or the text of text blocks.
    static func texts(_ raw: Any?) -> [String] {
        if let text = raw as? String { return text.isEmpty ? [] : [text] }
        return (raw as? [Any] ?? []).compactMap { ($0 as? [String: Any]).flatMap { $0["type"] as? String == "text" ? $0["text"] as? String : nil } }
            .filter { !$0.isEmpty }
    }

    static func contents(_ messages: [Any]) throws -> [[String: Any]] {
        var contents: [[String: Any]] = []
        var callNames: [String: String] = [:]
        for (index, raw) in messages.enumerated() {
            guard let message = raw as? [String: Any], let role = message["role"] as? String else { throw invalid("messages.\(index): Field required") }
            let blocks: [[String: Any]]
            if let text = message["content"] as? String {
                blocks = [["type": "text", "text": text]]
            } else {
                blocks = (message["content"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
            }
            var parts: [[String: Any]] = []
            for block in blocks {
                switch block["type"] as? String {
                case "text":
                    if let text = block["text"] as? String, !text.isEmpty { parts.append(["text": text]) }
                case "image":
                    let source = block["source"] as? [String: Any] ?? [:]
                    guard source["type"] as? String == "base64", let data = source["data"] as? String else {
                        throw invalid("messages.\(index): Gemini models take images as base64 data")
                    }
                    parts.append(["inlineData": ["mimeType": source["media_type"] as? String ?? "image/png", "data": data]])
                case "tool_use":
                    let name = block["name"] as? String ?? ""
                    callNames[block["id"] as? String ?? ""] = name
                    parts.append(["functionCall": ["name": name, "args": block["input"] as? [String: Any] ?? [:]]])
                case "tool_result":
                    let id = block["tool_use_id"] as? String ?? ""
                    guard let name = callNames[id] else { throw invalid("messages.\(index): tool_result \(id) answers no earlier tool_use") }
                    let text = texts(block["content"]).joined(separator: "\n")
                    let content = (block["content"] as? String) ?? text
                    var response: [String: Any] = JSON.object(Data(content.utf8)) ?? ["content": content]
                    if JSON.bool(block["is_error"]) == true { response = ["error": content] }
                    parts.append(["functionResponse": ["name": name, "response": response]])
                case "thinking", "redacted_thinking":
                    continue
                case "document":
                    throw invalid("messages.\(index): documents are not available on Gemini models through this route")
                default:
                    continue
                }
            }
            ChatRequest.append(parts, as: role == "assistant" ? "model" : "user", under: "parts", to: &contents)
        }
        return contents
    }
}
