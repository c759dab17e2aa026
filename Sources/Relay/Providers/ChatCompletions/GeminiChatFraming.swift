import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Gemini replies (standard shape: the Code Assist dialect has unwrapped them) as Chat Completions: text parts
/// join into `content`, thought parts into `reasoning_content`, `functionCall` parts become `tool_calls` with ids
/// the relay makes (Gemini has none; results go back by name). Usage: thinking tokens count as completion tokens
/// (they are billed as output) and are reported as reasoning tokens.
struct GeminiChatFraming: ReplyFraming {
    let includeUsage: Bool

    static func finishReason(_ reason: String?, calledTools: Bool) -> String {
        switch reason {
        case "MAX_TOKENS": return "length"
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": return "content_filter"
        default: return calledTools ? "tool_calls" : "stop"
        }
    }

    static func usage(_ metadata: [String: Any]?) -> [String: Any] {
        let thoughts = JSON.int(metadata?["thoughtsTokenCount"]) ?? 0
        return ChatCompletionShapes.usage(prompt: JSON.int(metadata?["promptTokenCount"]) ?? 0,
                                          completion: (JSON.int(metadata?["candidatesTokenCount"]) ?? 0) + thoughts,
                                          cached: JSON.int(metadata?["cachedContentTokenCount"]) ?? 0, reasoning: thoughts)
    }

    static func newCallID() -> String { "call_" + UUID().lowercasedString.replacingOccurrences(of: "-", with: "").prefix(24) }

    /// The parts of the first candidate, sorted into text, thoughts and calls.
    static func read(_ parts: [[String: Any]]) -> (text: String, reasoning: String, calls: [(name: String, arguments: String)]) {
        var text = ""
        var reasoning = ""
        var calls: [(String, String)] = []
        for part in parts {
            if let call = part["functionCall"] as? [String: Any] {
                calls.append((call["name"] as? String ?? "", JSON.string(call["args"] ?? [String: Any]())))
            } else if let piece = part["text"] as? String {
                if JSON.bool(part["thought"]) == true { reasoning += piece } else { text += piece }
            }
        }
        return (text, reasoning, calls)
    }

    func reply(_ native: ByteBuffer) -> ByteBuffer {
        guard let object = JSON.object(Data(buffer: native)) else { return native }
        let candidate = (object["candidates"] as? [[String: Any]])?.first
        let parts = (candidate?["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []
        let read = Self.read(parts)
        let calls = read.calls.map { ChatCompletionShapes.toolCall(id: Self.newCallID(), name: $0.name, arguments: $0.arguments) }
        var reason = candidate?["finishReason"] as? String
        if candidate == nil, (object["promptFeedback"] as? [String: Any])?["blockReason"] != nil { reason = "SAFETY" }
        let identity = ChatCompletionShapes.Identity(id: ChatCompletionShapes.completionID(object["responseId"] as? String), model: object["modelVersion"] as? String ?? "")
        let completion = ChatCompletionShapes.completion(identity, message: ChatCompletionShapes.message(text: read.text, reasoning: read.reasoning, toolCalls: calls),
                                                         finishReason: Self.finishReason(reason, calledTools: !calls.isEmpty),
                                                         usage: Self.usage(object["usageMetadata"] as? [String: Any]))
        return ByteBuffer(data: JSON.data(completion))
    }

    func makeStreamFramer() -> any StreamFramer { GeminiChatStreamFramer(includeUsage: includeUsage) }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> Response {
        let error = GeminiErrors.errorObject(body)
        return ChatCompletionShapes.failure(status: status, type: Self.errorType(error?["status"] as? String, status: status),
                                            message: error?["message"] as? String ?? "Upstream answered HTTP \(status)", headers: headers)
    }

    static func errorType(_ googleStatus: String?, status: Int) -> String {
        switch googleStatus {
        case "RESOURCE_EXHAUSTED": return "rate_limit_error"
        case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE": return "invalid_request_error"
        case "UNAUTHENTICATED": return "authentication_error"
        case "PERMISSION_DENIED": return "permission_error"
        case "NOT_FOUND": return "not_found_error"
        case "UNAVAILABLE": return "overloaded_error"
        default: return AnthropicChatFraming.errorType(status)
        }
    }
}

/// A Gemini SSE stream as `chat.completion.chunk`s. Gemini sends whole function calls in one chunk, so each call is
/// one tool-call delta (id, name, full arguments) under its own index; the chunk with a `finishReason` gives the
/// finish chunk; the last `usageMetadata` seen is the usage chunk at the end.
struct GeminiChatStreamFramer: SSEEventFramer {
    let includeUsage: Bool
    var lines = SSEDataLines()
    private var identity = ChatCompletionShapes.Identity(id: ChatCompletionShapes.completionID(nil), model: "")
    private var started = false
    private var finished = false
    private var toolCount = 0
    private var metadata: [String: Int] = [:]

    init(includeUsage: Bool) {
        self.includeUsage = includeUsage
    }

    mutating func frame(event object: [String: Any]) -> String {
        if let error = object["error"] as? [String: Any] {
            return ChatCompletionShapes.errorEvent(type: GeminiChatFraming.errorType(error["status"] as? String, status: JSON.int(error["code"]) ?? 500),
                                                   message: error["message"] as? String ?? "upstream stream error")
        }
        var out = ""
        if !started {
            started = true
            identity.id = ChatCompletionShapes.completionID(object["responseId"] as? String)
            identity.model = object["modelVersion"] as? String ?? ""
            out += ChatCompletionShapes.chunk(identity, delta: ["role": "assistant", "content": ""])
        }
        if let usage = object["usageMetadata"] as? [String: Any] { metadata = usage.compactMapValues { JSON.int($0) } }
        let candidate = (object["candidates"] as? [[String: Any]])?.first
        let read = GeminiChatFraming.read((candidate?["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? [])
        if !read.reasoning.isEmpty { out += ChatCompletionShapes.chunk(identity, delta: ["reasoning_content": read.reasoning]) }
        if !read.text.isEmpty { out += ChatCompletionShapes.chunk(identity, delta: ["content": read.text]) }
        if !read.calls.isEmpty {
            let calls: [[String: Any]] = read.calls.map { call in
                defer { toolCount += 1 }
                return ["index": toolCount, "id": GeminiChatFraming.newCallID(), "type": "function", "function": ["name": call.name, "arguments": call.arguments]]
            }
            out += ChatCompletionShapes.chunk(identity, delta: ["tool_calls": calls])
        }
        var reason = candidate?["finishReason"] as? String
        if candidate == nil, (object["promptFeedback"] as? [String: Any])?["blockReason"] != nil { reason = "SAFETY" }
        if let reason, !reason.isEmpty, !finished {
            finished = true
            out += ChatCompletionShapes.chunk(identity, delta: [:], finishReason: GeminiChatFraming.finishReason(reason, calledTools: toolCount > 0))
        }
        return out
    }

    mutating func finish() -> ByteBuffer {
        var out = includeUsage ? ChatCompletionShapes.usageChunk(identity, usage: GeminiChatFraming.usage(metadata as [String: Any])) : ""
        out += ChatCompletionShapes.done
        return ByteBuffer(string: out)
    }
}
