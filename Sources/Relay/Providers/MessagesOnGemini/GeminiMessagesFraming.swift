import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Gemini replies as Anthropic Messages for Claude Code: text parts as text blocks, `functionCall` parts as `tool_use`
/// blocks (ids made by the relay; results come back by them and are matched to names), thought parts left out; stop
/// reasons mapped (`MAX_TOKENS` → `max_tokens`, a call → `tool_use`, else `end_turn`); usage with cached prompt tokens as
/// cache reads. Google's errors in Anthropic's error shape with Google's status.
struct GeminiMessagesFraming: ReplyFraming {
    let requestedModel: String
    let countTokens: Bool

    static func stopReason(_ reason: String?, calledTools: Bool) -> String {
        if reason == "MAX_TOKENS" { return "max_tokens" }
        return calledTools ? "tool_use" : "end_turn"
    }

    static func usage(_ metadata: [String: Any]?) -> [String: Any] {
        let prompt = JSON.int(metadata?["promptTokenCount"]) ?? 0
        let cached = JSON.int(metadata?["cachedContentTokenCount"]) ?? 0
        return ["input_tokens": max(0, prompt - cached), "cache_read_input_tokens": cached, "cache_creation_input_tokens": 0,
                "output_tokens": (JSON.int(metadata?["candidatesTokenCount"]) ?? 0) + (JSON.int(metadata?["thoughtsTokenCount"]) ?? 0)]
    }

    static func toolID() -> String { "toolu_" + UUID().lowercasedString.replacingOccurrences(of: "-", with: "").prefix(24) }

    func reply(_ native: ByteBuffer) -> ByteBuffer {
        guard let object = JSON.object(Data(buffer: native)) else { return native }
        if countTokens { return ByteBuffer(data: JSON.data(["input_tokens": JSON.int(object["totalTokens"]) ?? 0])) }
        let candidate = (object["candidates"] as? [[String: Any]])?.first
        var content: [[String: Any]] = []
        for part in (candidate?["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? [] {
            if let call = part["functionCall"] as? [String: Any] {
                content.append(["type": "tool_use", "id": Self.toolID(), "name": call["name"] as? String ?? "", "input": call["args"] ?? [String: Any]()])
            } else if let text = part["text"] as? String, JSON.bool(part["thought"]) != true, !text.isEmpty {
                content.append(["type": "text", "text": text])
            }
        }
        let called = content.contains { $0["type"] as? String == "tool_use" }
        let message: [String: Any] = [
            "id": "msg_" + (object["responseId"] as? String ?? UUID().lowercasedString), "type": "message", "role": "assistant",
            "model": requestedModel, "content": content, "stop_reason": Self.stopReason(candidate?["finishReason"] as? String, calledTools: called),
            "stop_sequence": NSNull(), "usage": Self.usage(object["usageMetadata"] as? [String: Any]),
        ]
        return ByteBuffer(data: JSON.data(message))
    }

    func makeStreamFramer() -> any StreamFramer { GeminiMessagesStreamFramer(model: requestedModel) }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> Response {
        let error = GeminiErrors.errorObject(body)
        var relayError = RelayError(status, GeminiChatFraming.errorType(error?["status"] as? String, status: status),
                                    error?["message"] as? String ?? "Upstream answered HTTP \(status)")
        if let retry = headers.first(name: "retry-after") { relayError.headers["retry-after"] = retry }
        return relayError.anthropicResponse
    }
}

/// A Gemini SSE stream as Anthropic's event sequence: `message_start` on the first chunk, a text block opened on the
/// first text and extended with `text_delta`s, each function call as a whole `tool_use` block (its input as one
/// `input_json_delta`), blocks closed at the finish reason, then `message_delta` (stop reason, usage) and
/// `message_stop` once the stream has ended.
struct GeminiMessagesStreamFramer: SSEEventFramer {
    let model: String
    var lines = SSEDataLines()
    private var started = false
    private var nextIndex = 0
    private var openText: Int?
    private var calledTools = false
    private var finishReason: String?
    private var metadata: [String: Int] = [:]

    init(model: String) {
        self.model = model
    }

    static func event(_ name: String, _ data: [String: Any]) -> String {
        var object = data
        object["type"] = name
        return "event: \(name)\ndata: \(JSON.string(object))\n\n"
    }

    mutating func frame(event object: [String: Any]) -> String {
        if let error = object["error"] as? [String: Any] {
            return Self.event("error", ["error": ["type": GeminiChatFraming.errorType(error["status"] as? String, status: JSON.int(error["code"]) ?? 500),
                                                  "message": error["message"] as? String ?? "upstream stream error"]])
        }
        var out = ""
        if let usage = object["usageMetadata"] as? [String: Any] { metadata = usage.compactMapValues { JSON.int($0) } }
        if !started {
            started = true
            let message: [String: Any] = ["id": "msg_" + (object["responseId"] as? String ?? UUID().lowercasedString), "type": "message",
                                          "role": "assistant", "model": model, "content": [Any](), "stop_reason": NSNull(), "stop_sequence": NSNull(),
                                          "usage": GeminiMessagesFraming.usage(metadata as [String: Any]).merging(["output_tokens": 0]) { _, new in new }]
            out += Self.event("message_start", ["message": message])
        }
        let candidate = (object["candidates"] as? [[String: Any]])?.first
        for part in (candidate?["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? [] {
            if let call = part["functionCall"] as? [String: Any] {
                out += closeText()
                let index = nextIndex
                nextIndex += 1
                calledTools = true
                out += Self.event("content_block_start", ["index": index, "content_block": ["type": "tool_use", "id": GeminiMessagesFraming.toolID(),
                                                                                            "name": call["name"] as? String ?? "", "input": [String: Any]()]])
                out += Self.event("content_block_delta", ["index": index, "delta": ["type": "input_json_delta", "partial_json": JSON.string(call["args"] ?? [String: Any]())]])
                out += Self.event("content_block_stop", ["index": index])
            } else if let text = part["text"] as? String, JSON.bool(part["thought"]) != true, !text.isEmpty {
                if openText == nil {
                    openText = nextIndex
                    nextIndex += 1
                    out += Self.event("content_block_start", ["index": openText!, "content_block": ["type": "text", "text": ""]])
                }
                out += Self.event("content_block_delta", ["index": openText!, "delta": ["type": "text_delta", "text": text]])
            }
        }
        if let reason = candidate?["finishReason"] as? String, !reason.isEmpty {
            finishReason = reason
            out += closeText()
        }
        return out
    }

    private mutating func closeText() -> String {
        guard let index = openText else { return "" }
        openText = nil
        return Self.event("content_block_stop", ["index": index])
    }

    mutating func finish() -> ByteBuffer {
        var usage = GeminiMessagesFraming.usage(metadata as [String: Any])
        usage.removeValue(forKey: "cache_creation_input_tokens")
        let out = closeText()
            + Self.event("message_delta", ["delta": ["stop_reason": GeminiMessagesFraming.stopReason(finishReason, calledTools: calledTools), "stop_sequence": NSNull()],
                                           "usage": usage])
            + Self.event("message_stop", [:])
        return ByteBuffer(string: out)
    }
}
