import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// OpenAI Responses replies as Chat Completions: `output_text` parts join into `content`, `function_call` items become
/// `tool_calls` (their `call_id` as the id, which is what results answer), reasoning summaries go into
/// `reasoning_content`. An incomplete response for its output limit finishes with `length`, a filtered one with
/// `content_filter`. Upstream errors are already in OpenAI's shape and pass with their status.
struct ResponsesChatFraming: ReplyFraming {
    let includeUsage: Bool

    static func finishReason(_ response: [String: Any], calledTools: Bool) -> String {
        if response["status"] as? String == "incomplete" {
            let reason = (response["incomplete_details"] as? [String: Any])?["reason"] as? String
            return reason == "content_filter" ? "content_filter" : "length"
        }
        return calledTools ? "tool_calls" : "stop"
    }

    static func usage(_ raw: [String: Any]?) -> [String: Any] {
        ChatCompletionShapes.usage(prompt: JSON.int(raw?["input_tokens"]) ?? 0, completion: JSON.int(raw?["output_tokens"]) ?? 0,
                                   cached: JSON.int((raw?["input_tokens_details"] as? [String: Any])?["cached_tokens"]) ?? 0,
                                   reasoning: JSON.int((raw?["output_tokens_details"] as? [String: Any])?["reasoning_tokens"]) ?? 0)
    }

    static func summary(_ item: [String: Any]) -> String {
        ((item["summary"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined(separator: "\n")
    }

    func reply(_ native: ByteBuffer) -> ByteBuffer {
        guard let response = JSON.object(Data(buffer: native)) else { return native }
        var text = ""
        var reasoning = ""
        var calls: [[String: Any]] = []
        for item in response["output"] as? [[String: Any]] ?? [] {
            switch item["type"] as? String {
            case "message":
                for part in item["content"] as? [[String: Any]] ?? [] where part["type"] as? String == "output_text" { text += part["text"] as? String ?? "" }
            case "function_call":
                calls.append(ChatCompletionShapes.toolCall(id: item["call_id"] as? String ?? "", name: item["name"] as? String ?? "", arguments: item["arguments"] as? String ?? "{}"))
            case "reasoning":
                reasoning += Self.summary(item)
            default:
                break
            }
        }
        let identity = ChatCompletionShapes.Identity(id: ChatCompletionShapes.completionID(response["id"] as? String), model: response["model"] as? String ?? "")
        let object = ChatCompletionShapes.completion(identity, message: ChatCompletionShapes.message(text: text, reasoning: reasoning, toolCalls: calls),
                                                     finishReason: Self.finishReason(response, calledTools: !calls.isEmpty),
                                                     usage: Self.usage(response["usage"] as? [String: Any]))
        return ByteBuffer(data: JSON.data(object))
    }

    func makeStreamFramer() -> any StreamFramer { ResponsesChatStreamFramer(includeUsage: includeUsage) }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> Response {
        // OpenAI's `{"error": {…}}`, or the ChatGPT backend's `{"detail": "…"}`.
        let object = JSON.object(Data(buffer: body))
        let error = object?["error"] as? [String: Any]
        return ChatCompletionShapes.failure(status: status, type: error?["type"] as? String ?? AnthropicChatFraming.errorType(status),
                                            message: error?["message"] as? String ?? object?["detail"] as? String ?? "Upstream answered HTTP \(status)", headers: headers)
    }
}

/// A Responses event stream as `chat.completion.chunk`s: the role on `response.created`, text and reasoning-summary
/// deltas, each function call opened (index, call id, name) when its item is added and its arguments as deltas, the
/// finish chunk on `response.completed` / `response.incomplete`, then the usage chunk and `[DONE]`.
struct ResponsesChatStreamFramer: SSEEventFramer {
    let includeUsage: Bool
    var lines = SSEDataLines()
    private var identity = ChatCompletionShapes.Identity(id: ChatCompletionShapes.completionID(nil), model: "")
    /// Function call item id → tool call index.
    private var toolIndices: [String: Int] = [:]
    private var usage: [String: Int] = [:]
    private var cached = 0
    private var reasoningTokens = 0
    /// `response.failed` ends the stream with its error; no usage chunk or `[DONE]` follows.
    private var failed = false

    init(includeUsage: Bool) {
        self.includeUsage = includeUsage
    }

    mutating func frame(event: [String: Any]) -> String {
        switch event["type"] as? String {
        case "response.created":
            let response = event["response"] as? [String: Any] ?? [:]
            identity.id = ChatCompletionShapes.completionID(response["id"] as? String)
            identity.model = response["model"] as? String ?? ""
            return ChatCompletionShapes.chunk(identity, delta: ["role": "assistant", "content": ""])
        case "response.output_text.delta":
            return ChatCompletionShapes.chunk(identity, delta: ["content": event["delta"] as? String ?? ""])
        case "response.reasoning_summary_text.delta":
            return ChatCompletionShapes.chunk(identity, delta: ["reasoning_content": event["delta"] as? String ?? ""])
        case "response.output_item.added":
            guard let item = event["item"] as? [String: Any], item["type"] as? String == "function_call" else { return "" }
            let index = toolIndices.count
            toolIndices[item["id"] as? String ?? "\(index)"] = index
            return ChatCompletionShapes.chunk(identity, delta: ["tool_calls": [[
                "index": index, "id": item["call_id"] as? String ?? "", "type": "function",
                "function": ["name": item["name"] as? String ?? "", "arguments": item["arguments"] as? String ?? ""],
            ]]])
        case "response.function_call_arguments.delta":
            let delta = event["delta"] as? String ?? ""
            guard !delta.isEmpty, let index = toolIndices[event["item_id"] as? String ?? ""] else { return "" }
            return ChatCompletionShapes.chunk(identity, delta: ["tool_calls": [["index": index, "function": ["arguments": delta]]]])
        case "response.completed", "response.incomplete":
            let response = event["response"] as? [String: Any] ?? [:]
            let raw = response["usage"] as? [String: Any] ?? [:]
            usage = raw.compactMapValues { JSON.int($0) }
            cached = JSON.int((raw["input_tokens_details"] as? [String: Any])?["cached_tokens"]) ?? 0
            reasoningTokens = JSON.int((raw["output_tokens_details"] as? [String: Any])?["reasoning_tokens"]) ?? 0
            return ChatCompletionShapes.chunk(identity, delta: [:], finishReason: ResponsesChatFraming.finishReason(response, calledTools: !toolIndices.isEmpty))
        case "response.failed":
            let error = (event["response"] as? [String: Any])?["error"] as? [String: Any] ?? [:]
            failed = true
            return ChatCompletionShapes.errorEvent(type: error["code"] as? String ?? "server_error", message: error["message"] as? String ?? "the response failed")
        case "error":
            return ChatCompletionShapes.errorEvent(type: event["code"] as? String ?? "server_error", message: event["message"] as? String ?? "upstream stream error")
        default:
            return ""
        }
    }

    mutating func finish() -> ByteBuffer {
        guard !failed else { return ByteBuffer() }
        var out = ""
        if includeUsage {
            out += ChatCompletionShapes.usageChunk(identity, usage: ChatCompletionShapes.usage(
                prompt: usage["input_tokens"] ?? 0, completion: usage["output_tokens"] ?? 0, cached: cached, reasoning: reasoningTokens))
        }
        out += ChatCompletionShapes.done
        return ByteBuffer(string: out)
    }
}
