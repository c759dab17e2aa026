import Foundation

/// Bodies and stream events of the OpenAI Responses API as the fakes send them (docs/reference/upstream-wire.md).
enum OpenAIReplies {
    static func usage(_ usage: FakeUsage) -> [String: Any] {
        let input = usage.input + usage.cacheRead
        return ["input_tokens": input, "input_tokens_details": ["cached_tokens": usage.cacheRead], "output_tokens": usage.output,
                "output_tokens_details": ["reasoning_tokens": 0], "total_tokens": input + usage.output]
    }

    static func response(id: String, model: String, text: String, usage: FakeUsage?, status: String = "completed") -> [String: Any] {
        var object: [String: Any] = [
            "id": id, "object": "response", "created_at": Int(Date().timeIntervalSince1970), "status": status, "model": model,
            "output": status == "completed" ? [message(id: "msg_\(id.dropFirst(5))", text: text, status: "completed")] : [],
            "parallel_tool_calls": true, "tool_choice": "auto", "tools": [], "store": false,
        ]
        object["usage"] = usage.map(Self.usage) ?? NSNull()
        return object
    }

    /// A reply that calls each of `tools` (by the names the request gave them) with empty arguments.
    static func functionCallResponse(id: String, model: String, tools: [String], usage: FakeUsage) -> [String: Any] {
        var object = response(id: id, model: model, text: "", usage: usage)
        object["output"] = tools.enumerated().map { functionCall(id: id, index: $0.offset, name: $0.element, arguments: "{}", status: "completed") }
        return object
    }

    static func functionCall(id: String, index: Int, name: String, arguments: String, status: String) -> [String: Any] {
        ["type": "function_call", "id": "fc_\(id.dropFirst(5))_\(index)", "call_id": "call_\(id.dropFirst(5))_\(index)", "name": name,
         "arguments": arguments, "status": status]
    }

    /// The stream of function calls: each call's item added, its arguments as deltas, the item done, completed.
    static func functionCallStreamEvents(id: String, model: String, tools: [String], usage: FakeUsage) -> [(name: String, data: [String: Any])] {
        var events: [(String, [String: Any])] = [
            ("response.created", ["response": response(id: id, model: model, text: "", usage: nil, status: "in_progress")]),
            ("response.in_progress", ["response": response(id: id, model: model, text: "", usage: nil, status: "in_progress")]),
        ]
        for (index, tool) in tools.enumerated() {
            let item = functionCall(id: id, index: index, name: tool, arguments: "", status: "in_progress")
            let itemID = item["id"] as? String ?? ""
            events += [
                ("response.output_item.added", ["output_index": index, "item": item]),
                ("response.function_call_arguments.delta", ["item_id": itemID, "output_index": index, "delta": "{}"]),
                ("response.function_call_arguments.done", ["item_id": itemID, "output_index": index, "arguments": "{}"]),
                ("response.output_item.done", ["output_index": index, "item": functionCall(id: id, index: index, name: tool, arguments: "{}", status: "completed")]),
            ]
        }
        events.append(("response.completed", ["response": functionCallResponse(id: id, model: model, tools: tools, usage: usage)]))
        return numbered(events)
    }

    static func numbered(_ events: [(String, [String: Any])]) -> [(name: String, data: [String: Any])] {
        events.enumerated().map { index, event in
            var data = event.1
            data["type"] = event.0
            data["sequence_number"] = index
            return (event.0, data)
        }
    }

    /// The Responses API's own check of the history: every `function_call_output` answers a `function_call` in it.
    static func unansweredOutput(_ input: Any?) -> String? {
        guard let items = input as? [Any] else { return nil }
        let objects = items.compactMap { $0 as? [String: Any] }
        let calls = Set(objects.filter { $0["type"] as? String == "function_call" }.compactMap { $0["call_id"] as? String })
        return objects.first { $0["type"] as? String == "function_call_output" && !calls.contains($0["call_id"] as? String ?? "") }
            .map { $0["call_id"] as? String ?? "" }
    }

    static func message(id: String, text: String, status: String) -> [String: Any] {
        ["type": "message", "id": id, "status": status, "role": "assistant",
         "content": status == "completed" ? [["type": "output_text", "text": text, "annotations": []]] : []]
    }

    /// response.created … response.completed, with increasing sequence numbers; usage only at the end.
    static func streamEvents(id: String, model: String, text: String, deltaCount: Int, usage: FakeUsage) -> [(name: String, data: [String: Any])] {
        let itemID = "msg_\(id.dropFirst(5))"
        let pieces = split(text, into: max(1, deltaCount))
        var events: [(String, [String: Any])] = [
            ("response.created", ["response": response(id: id, model: model, text: "", usage: nil, status: "in_progress")]),
            ("response.in_progress", ["response": response(id: id, model: model, text: "", usage: nil, status: "in_progress")]),
            ("response.output_item.added", ["output_index": 0, "item": message(id: itemID, text: "", status: "in_progress")]),
            ("response.content_part.added", ["item_id": itemID, "output_index": 0, "content_index": 0, "part": ["type": "output_text", "text": "", "annotations": []]]),
        ]
        for piece in pieces {
            events.append(("response.output_text.delta", ["item_id": itemID, "output_index": 0, "content_index": 0, "delta": piece]))
        }
        events += [
            ("response.output_text.done", ["item_id": itemID, "output_index": 0, "content_index": 0, "text": text]),
            ("response.content_part.done", ["item_id": itemID, "output_index": 0, "content_index": 0, "part": ["type": "output_text", "text": text, "annotations": []]]),
            ("response.output_item.done", ["output_index": 0, "item": message(id: itemID, text: text, status: "completed")]),
            ("response.completed", ["response": response(id: id, model: model, text: text, usage: usage)]),
        ]
        return numbered(events)
    }

    static func sse(_ name: String, _ data: [String: Any]) -> String {
        "event: \(name)\ndata: \(JSONText.encode(data))\n\n"
    }

    static func error(message: String, type: String, code: String?) -> [String: Any] {
        ["error": ["message": message, "type": type, "param": NSNull(), "code": code.map { $0 as Any } ?? NSNull()]]
    }

    static func split(_ text: String, into count: Int) -> [String] {
        let characters = Array(text)
        let size = max(1, (characters.count + count - 1) / count)
        return stride(from: 0, to: max(1, characters.count), by: size).map { String(characters[$0..<min(characters.count, $0 + size)]) }
    }
}
