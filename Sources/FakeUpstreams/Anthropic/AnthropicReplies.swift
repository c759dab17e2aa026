import Foundation

/// Bodies and SSE events exactly as the Anthropic Messages API shapes them (docs/reference/upstream-wire.md).
enum AnthropicReplies {
    static func usageObject(_ usage: FakeUsage, outputTokens: Int) -> [String: Any] {
        [
            "input_tokens": usage.input,
            "cache_creation_input_tokens": usage.cacheCreation,
            "cache_read_input_tokens": usage.cacheRead,
            "cache_creation": ["ephemeral_5m_input_tokens": usage.cacheCreation5m, "ephemeral_1h_input_tokens": usage.cacheCreation1h],
            "output_tokens": outputTokens,
            "service_tier": "standard",
        ]
    }

    static func message(id: String, model: String, text: String, usage: FakeUsage) -> [String: Any] {
        [
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": [["type": "text", "text": text]],
            "stop_reason": "end_turn", "stop_sequence": NSNull(),
            "usage": usageObject(usage, outputTokens: usage.output),
        ]
    }

    /// A reply that calls each of `tools` (their names as the request named them) with empty input, one
    /// `tool_use` block each (several: parallel calls).
    static func toolUseMessage(id: String, model: String, tools: [String], usage: FakeUsage) -> [String: Any] {
        var reply = message(id: id, model: model, text: "", usage: usage)
        reply["content"] = tools.enumerated().map { index, tool in
            ["type": "tool_use", "id": toolUseID(id, index), "name": tool, "input": [String: Any]()] as [String: Any]
        }
        reply["stop_reason"] = "tool_use"
        return reply
    }

    static func toolUseID(_ id: String, _ index: Int) -> String { index == 0 ? "toolu_\(id)" : "toolu_\(id)_\(index)" }

    /// The stream of tool calls: each tool_use block opens with the name, its input arrives as JSON deltas.
    static func toolUseStreamEvents(id: String, model: String, tools: [String], usage: FakeUsage) -> [(name: String, data: [String: Any])] {
        let text = streamEvents(id: id, model: model, text: "", deltaCount: 1, usage: usage)
        var events = [text[0], text[2]]  // message_start, ping
        for (index, tool) in tools.enumerated() {
            events.append(("content_block_start", ["type": "content_block_start", "index": index,
                                                   "content_block": ["type": "tool_use", "id": toolUseID(id, index), "name": tool, "input": [String: Any]()]]))
            events.append(("content_block_delta", ["type": "content_block_delta", "index": index, "delta": ["type": "input_json_delta", "partial_json": "{}"]]))
            events.append(("content_block_stop", ["type": "content_block_stop", "index": index]))
        }
        var stop = text[text.count - 2]
        if var delta = stop.data["delta"] as? [String: Any] {
            delta["stop_reason"] = "tool_use"
            stop.data["delta"] = delta
        }
        events.append(stop)
        events.append(text[text.count - 1])
        return events
    }

    /// The event sequence of one text reply: message_start, content_block_start, ping, deltas, stop, message_delta
    /// (cumulative usage), message_stop.
    static func streamEvents(id: String, model: String, text: String, deltaCount: Int, usage: FakeUsage) -> [(name: String, data: [String: Any])] {
        var start = message(id: id, model: model, text: "", usage: usage)
        start["content"] = [Any]()
        start["stop_reason"] = NSNull()
        start["usage"] = usageObject(usage, outputTokens: 1)
        var events: [(String, [String: Any])] = [
            ("message_start", ["type": "message_start", "message": start]),
            ("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]),
            ("ping", ["type": "ping"]),
        ]
        for piece in split(text, into: max(1, deltaCount)) {
            events.append(("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]]))
        }
        var finalUsage = usageObject(usage, outputTokens: usage.output)
        finalUsage.removeValue(forKey: "cache_creation")
        finalUsage.removeValue(forKey: "service_tier")
        events.append(("content_block_stop", ["type": "content_block_stop", "index": 0]))
        events.append(("message_delta", ["type": "message_delta", "delta": ["stop_reason": "end_turn", "stop_sequence": NSNull()], "usage": finalUsage]))
        events.append(("message_stop", ["type": "message_stop"]))
        return events
    }

    static func error(type: String, message: String, requestID: String) -> [String: Any] {
        ["type": "error", "error": ["type": type, "message": message], "request_id": requestID]
    }

    static func defaultErrorType(for status: Int) -> String {
        switch status {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 402: return "billing_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 529: return "overloaded_error"
        default: return "api_error"
        }
    }

    static func defaultMessage(for status: Int) -> String {
        switch status {
        case 401: return "invalid x-api-key"
        case 403: return "Your credit balance is too low or this request is not permitted"
        case 429: return "Number of request tokens has exceeded your per-minute rate limit"
        case 529: return "Overloaded"
        default: return "Internal server error"
        }
    }

    static func sse(_ name: String, _ data: [String: Any]) -> String {
        "event: \(name)\ndata: \(json(data))\n\n"
    }

    static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func split(_ text: String, into parts: Int) -> [String] {
        let characters = Array(text)
        guard parts > 1, characters.count > 1 else { return [text] }
        let size = max(1, (characters.count + parts - 1) / parts)
        return stride(from: 0, to: characters.count, by: size).map { String(characters[$0..<min($0 + size, characters.count)]) }
    }
}
