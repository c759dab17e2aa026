import Foundation

/// A Chat Completions request as an Anthropic Messages body. System and developer messages become `system` (the
/// client's own prompt, kept — subscription shaping adds the Claude Code identity ahead of it, it never replaces
/// it); consecutive turns of one role merge (tool results of parallel calls go back in one user turn, as Claude
/// requires). What Claude cannot do is refused with the parameter named.
enum ChatToAnthropic {
    /// Thinking budgets for `reasoning_effort`.
    static let thinkingBudgets: [String: Int] = ["low": 1_024, "medium": 4_096, "high": 16_384]

    /// `max_tokens` when the client sends none: Claude requires one (the 3.x Haiku/Opus models allow 4,096).
    static func defaultMaxTokens(_ model: String) -> Int {
        let lowered = model.lowercased()
        return lowered.contains("claude-3-haiku") || lowered.contains("claude-3-opus") ? 4_096 : 8_192
    }

    static func body(_ chat: ChatRequest) throws -> [String: Any] {
        if let temperature = chat.temperature, temperature > 1 {
            throw ChatRequest.invalid("temperature: Claude models accept 0 to 1 (got \(temperature))")
        }
        if let penalty = chat.presencePenalty, penalty != 0 { throw ChatRequest.invalid("presence_penalty: not supported by Claude models") }
        if let penalty = chat.frequencyPenalty, penalty != 0 { throw ChatRequest.invalid("frequency_penalty: not supported by Claude models") }
        if chat.seed != nil { throw ChatRequest.invalid("seed: not supported by Claude models") }

        var body: [String: Any] = ["model": chat.model, "messages": try messages(chat.turns)]
        if !chat.system.isEmpty { body["system"] = chat.system.joined(separator: "\n\n") }
        if chat.stream { body["stream"] = true }
        if let temperature = chat.temperature { body["temperature"] = temperature }
        if let topP = chat.topP { body["top_p"] = topP }
        if !chat.stop.isEmpty { body["stop_sequences"] = chat.stop }
        if let user = chat.user, !user.isEmpty { body["metadata"] = ["user_id": user] }

        var maxTokens = chat.maxTokens ?? defaultMaxTokens(chat.model)
        if let effort = chat.reasoningEffort {
            if let budget = thinkingBudgets[effort] {
                if chat.temperature.map({ $0 != 1 }) ?? false { throw ChatRequest.invalid("temperature: cannot be set with reasoning_effort on Claude models (thinking needs the default)") }
                if chat.toolChoice == .required || { if case .function = chat.toolChoice { return true }; return false }() {
                    throw ChatRequest.invalid("tool_choice: Claude models cannot force a tool call while thinking (reasoning_effort)")
                }
                if let requested = chat.maxTokens {
                    guard requested > budget else {
                        throw ChatRequest.invalid("max_tokens: must be more than the thinking budget of reasoning_effort \(effort) (\(budget)) on Claude models")
                    }
                } else {
                    maxTokens += budget
                }
                body["thinking"] = ["type": "enabled", "budget_tokens": budget]
            } else {
                body["thinking"] = ["type": "disabled"]
            }
        }
        body["max_tokens"] = maxTokens

        if !chat.tools.isEmpty {
            body["tools"] = chat.tools.map { tool -> [String: Any] in
                var object: [String: Any] = ["name": tool.name, "input_schema": tool.parameters ?? ["type": "object", "properties": [String: Any]()]]
                if let description = tool.description { object["description"] = description }
                return object
            }
        }
        if let choice = toolChoice(chat) { body["tool_choice"] = choice }
        switch chat.responseFormat {
        case .text: break
        case .jsonObject:
            throw ChatRequest.invalid("response_format: Claude models have no JSON mode; send type json_schema with a schema")
        case .jsonSchema(_, let schema, _):
            body["output_config"] = ["format": ["type": "json_schema", "schema": schema]]
        }
        return body
    }

    static func toolChoice(_ chat: ChatRequest) -> [String: Any]? {
        var choice: [String: Any]
        switch chat.toolChoice {
        case nil:
            guard chat.parallelToolCalls == false, !chat.tools.isEmpty else { return nil }
            choice = ["type": "auto"]
        case .auto?: choice = ["type": "auto"]
        case .none?: return ["type": "none"]
        case .required?: choice = ["type": "any"]
        case .function(let name)?: choice = ["type": "tool", "name": name]
        }
        if chat.parallelToolCalls == false { choice["disable_parallel_tool_use"] = true }
        return choice
    }

    static func messages(_ turns: [ChatRequest.Turn]) throws -> [[String: Any]] {
        var messages: [[String: Any]] = []
        func append(_ role: String, _ blocks: [[String: Any]]) { ChatRequest.append(blocks, as: role, under: "content", to: &messages) }
        for turn in turns {
            switch turn {
            case .user(let parts):
                append("user", parts.map(block))
            case .assistant(let text, let calls):
                var blocks: [[String: Any]] = text.isEmpty ? [] : [["type": "text", "text": text]]
                for call in calls {
                    blocks.append(["type": "tool_use", "id": call.id, "name": call.name, "input": JSON.object(Data(call.arguments.utf8)) ?? [:]])
                }
                append("assistant", blocks)
            case .tool(let id, let content):
                var result: [String: Any] = ["type": "tool_result", "tool_use_id": id]
                if !content.isEmpty { result["content"] = content }
                append("user", [result])
            }
        }
        return messages
    }

    static func block(_ part: ChatRequest.Part) -> [String: Any] {
        switch part {
        case .text(let text): return ["type": "text", "text": text]
        case .image(let mediaType, let data): return ["type": "image", "source": ["type": "base64", "media_type": mediaType, "data": data]]
        case .imageURL(let url): return ["type": "image", "source": ["type": "url", "url": url]]
        }
    }
}
