import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Anthropic Messages replies as Chat Completions: text blocks join into `content`, `tool_use` blocks become
/// `tool_calls` (input as a JSON text), thinking goes into `reasoning_content`; stop reasons map to OpenAI's
/// finish reasons. Usage: `prompt_tokens` counts cache reads and writes too, `cached_tokens` the reads.
struct AnthropicChatFraming: ReplyFraming {
    let includeUsage: Bool

    static func finishReason(_ stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": return "length"
        case "tool_use": return "tool_calls"
        case "refusal": return "content_filter"
        default: return "stop"
        }
    }

    static func usage(_ raw: [String: Any]?) -> [String: Any] {
        let input = JSON.int(raw?["input_tokens"]) ?? 0
        let cacheRead = JSON.int(raw?["cache_read_input_tokens"]) ?? 0
        let cacheWrite = JSON.int(raw?["cache_creation_input_tokens"]) ?? 0
        return ChatCompletionShapes.usage(prompt: input + cacheRead + cacheWrite, completion: JSON.int(raw?["output_tokens"]) ?? 0, cached: cacheRead)
    }

    func reply(_ native: ByteBuffer) -> ByteBuffer {
        guard let message = JSON.object(Data(buffer: native)) else { return native }
        var text = ""
        var reasoning = ""
        var calls: [[String: Any]] = []
        for block in message["content"] as? [[String: Any]] ?? [] {
            switch block["type"] as? String {
            case "text": text += block["text"] as? String ?? ""
            case "thinking": reasoning += block["thinking"] as? String ?? ""
            case "tool_use":
                calls.append(ChatCompletionShapes.toolCall(id: block["id"] as? String ?? "", name: block["name"] as? String ?? "",
                                                           arguments: JSON.string(block["input"] ?? [String: Any]())))
            default: break
            }
        }
        let identity = ChatCompletionShapes.Identity(id: ChatCompletionShapes.completionID(message["id"] as? String), model: message["model"] as? String ?? "")
        let object = ChatCompletionShapes.completion(identity, message: ChatCompletionShapes.message(text: text, reasoning: reasoning, toolCalls: calls),
                                                     finishReason: Self.finishReason(message["stop_reason"] as? String), usage: Self.usage(message["usage"] as? [String: Any]))
        return ByteBuffer(data: JSON.data(object))
    }

    func makeStreamFramer() -> any StreamFramer { AnthropicChatStreamFramer(includeUsage: includeUsage) }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> Response {
        let error = JSON.object(Data(buffer: body))?["error"] as? [String: Any]
        return ChatCompletionShapes.failure(status: status, type: error?["type"] as? String ?? AnthropicChatFraming.errorType(status),
                                            message: error?["message"] as? String ?? "Upstream answered HTTP \(status)", headers: headers)
    }

    static func errorType(_ status: Int) -> String {
        switch status {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 429: return "rate_limit_error"
        case 529, 503: return "overloaded_error"
        default: return "api_error"
        }
    }
}

/// An Anthropic event stream as `chat.completion.chunk`s: the role first, then text, reasoning and tool-call
/// deltas (each tool call under its own index, its arguments as they arrive), the finish reason on message_stop;
/// at the end the usage chunk when the client asked for it, and `[DONE]`.
struct AnthropicChatStreamFramer: SSEEventFramer {
    let includeUsage: Bool
    var lines = SSEDataLines()
    private var identity = ChatCompletionShapes.Identity(id: ChatCompletionShapes.completionID(nil), model: "")
    private var nativeUsage: [String: Int] = [:]
    private var stopReason: String?
    /// Content block index → tool call index.
    private var toolIndices: [Int: Int] = [:]

    init(includeUsage: Bool) {
        self.includeUsage = includeUsage
    }

    mutating func frame(event: [String: Any]) -> String {
        switch event["type"] as? String {
        case "message_start":
            let message = event["message"] as? [String: Any] ?? [:]
            identity.id = ChatCompletionShapes.completionID(message["id"] as? String)
            identity.model = message["model"] as? String ?? ""
            merge(usage: message["usage"])
            return ChatCompletionShapes.chunk(identity, delta: ["role": "assistant", "content": ""])
        case "content_block_start":
            let block = event["content_block"] as? [String: Any] ?? [:]
            let index = JSON.int(event["index"]) ?? 0
            switch block["type"] as? String {
            case "tool_use":
                let toolIndex = toolIndices.count
                toolIndices[index] = toolIndex
                return ChatCompletionShapes.chunk(identity, delta: ["tool_calls": [[
                    "index": toolIndex, "id": block["id"] as? String ?? "", "type": "function",
                    "function": ["name": block["name"] as? String ?? "", "arguments": ""],
                ]]])
            case "text":
                let text = block["text"] as? String ?? ""
                return text.isEmpty ? "" : ChatCompletionShapes.chunk(identity, delta: ["content": text])
            default:
                return ""
            }
        case "content_block_delta":
            let delta = event["delta"] as? [String: Any] ?? [:]
            switch delta["type"] as? String {
            case "text_delta":
                return ChatCompletionShapes.chunk(identity, delta: ["content": delta["text"] as? String ?? ""])
            case "thinking_delta":
                return ChatCompletionShapes.chunk(identity, delta: ["reasoning_content": delta["thinking"] as? String ?? ""])
            case "input_json_delta":
                let partial = delta["partial_json"] as? String ?? ""
                guard !partial.isEmpty, let toolIndex = toolIndices[JSON.int(event["index"]) ?? -1] else { return "" }
                return ChatCompletionShapes.chunk(identity, delta: ["tool_calls": [["index": toolIndex, "function": ["arguments": partial]]]])
            default:
                return ""
            }
        case "message_delta":
            if let reason = (event["delta"] as? [String: Any])?["stop_reason"] as? String { stopReason = reason }
            merge(usage: event["usage"])
            return ""
        case "message_stop":
            return ChatCompletionShapes.chunk(identity, delta: [:], finishReason: AnthropicChatFraming.finishReason(stopReason))
        case "error":
            let error = event["error"] as? [String: Any] ?? [:]
            return ChatCompletionShapes.errorEvent(type: error["type"] as? String ?? "api_error", message: error["message"] as? String ?? "upstream stream error")
        default:
            return ""
        }
    }

    /// message_start's counts, then message_delta's cumulative ones.
    private mutating func merge(usage raw: Any?) {
        for (field, value) in raw as? [String: Any] ?? [:] { if let count = JSON.int(value) { nativeUsage[field] = count } }
    }

    mutating func finish() -> ByteBuffer {
        var out = includeUsage ? ChatCompletionShapes.usageChunk(identity, usage: AnthropicChatFraming.usage(nativeUsage as [String: Any])) : ""
        out += ChatCompletionShapes.done
        return ByteBuffer(string: out)
    }
}
