import Foundation

/// A Chat Completions request as an OpenAI Responses body, for ChatGPT (Codex) and API-key Responses accounts: system
/// and developer messages become `instructions`, turns become input items (`message` with input/output text and
/// images, `function_call`, `function_call_output`), tools are flattened to the Responses shape. `stop`, `seed` and
/// the penalties have no Responses counterpart and are refused.
enum ChatToResponses {
    static func body(_ chat: ChatRequest) throws -> [String: Any] {
        if !chat.stop.isEmpty { throw ChatRequest.invalid("stop: OpenAI accounts here speak the Responses API, which has no stop sequences") }
        if chat.seed != nil { throw ChatRequest.invalid("seed: not supported by the Responses API") }
        if let penalty = chat.presencePenalty, penalty != 0 { throw ChatRequest.invalid("presence_penalty: not supported by the Responses API") }
        if let penalty = chat.frequencyPenalty, penalty != 0 { throw ChatRequest.invalid("frequency_penalty: not supported by the Responses API") }

        var body: [String: Any] = ["model": chat.model, "input": input(chat.turns)]
        if !chat.system.isEmpty { body["instructions"] = chat.system.joined(separator: "\n\n") }
        if chat.stream { body["stream"] = true }
        if let temperature = chat.temperature { body["temperature"] = temperature }
        if let topP = chat.topP { body["top_p"] = topP }
        if let maxTokens = chat.maxTokens { body["max_output_tokens"] = maxTokens }
        if let effort = chat.reasoningEffort { body["reasoning"] = ["effort": effort] }
        if let user = chat.user { body["safety_identifier"] = user }
        if let key = chat.cacheKey { body["prompt_cache_key"] = key }
        if let parallel = chat.parallelToolCalls { body["parallel_tool_calls"] = parallel }
        if !chat.tools.isEmpty {
            body["tools"] = chat.tools.map { tool -> [String: Any] in
                var object: [String: Any] = ["type": "function", "name": tool.name, "parameters": tool.parameters ?? ["type": "object", "properties": [String: Any]()]]
                if let description = tool.description { object["description"] = description }
                return object
            }
        }
        switch chat.toolChoice {
        case nil: break
        case .auto?: body["tool_choice"] = "auto"
        case .none?: body["tool_choice"] = "none"
        case .required?: body["tool_choice"] = "required"
        case .function(let name)?: body["tool_choice"] = ["type": "function", "name": name]
        }
        switch chat.responseFormat {
        case .text: break
        case .jsonObject: body["text"] = ["format": ["type": "json_object"]]
        case .jsonSchema(let name, let schema, let strict):
            body["text"] = ["format": ["type": "json_schema", "name": name, "schema": schema, "strict": strict]]
        }
        return body
    }

    static func input(_ turns: [ChatRequest.Turn]) -> [[String: Any]] {
        var items: [[String: Any]] = []
        for turn in turns {
            switch turn {
            case .user(let parts):
                items.append(["type": "message", "role": "user", "content": parts.map { part -> [String: Any] in
                    switch part {
                    case .text(let text): return ["type": "input_text", "text": text]
                    case .image(let mediaType, let data): return ["type": "input_image", "image_url": "data:\(mediaType);base64,\(data)"]
                    case .imageURL(let url): return ["type": "input_image", "image_url": url]
                    }
                }])
            case .assistant(let text, let calls):
                if !text.isEmpty { items.append(["type": "message", "role": "assistant", "content": [["type": "output_text", "text": text]]]) }
                for call in calls { items.append(["type": "function_call", "call_id": call.id, "name": call.name, "arguments": call.arguments]) }
            case .tool(let id, let content):
                items.append(["type": "function_call_output", "call_id": id, "output": content])
            }
        }
        return items
    }
}
