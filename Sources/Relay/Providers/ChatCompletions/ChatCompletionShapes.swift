import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// OpenAI Chat Completions objects as the translating routes write them: `chat.completion`, `chat.completion.chunk`,
/// the usage object, the stream's error event and its `[DONE]` line.
enum ChatCompletionShapes {
    struct Identity: Sendable {
        var id: String
        var model: String
        let created: Int

        init(id: String, model: String, created: Int = Int(Date().timeIntervalSince1970)) {
            self.id = id
            self.model = model
            self.created = created
        }
    }

    static func completionID(_ native: String?) -> String { "chatcmpl-" + (native ?? UUID().lowercasedString) }

    static func completion(_ identity: Identity, message: [String: Any], finishReason: String, usage: [String: Any]?) -> [String: Any] {
        var object: [String: Any] = [
            "id": identity.id, "object": "chat.completion", "created": identity.created, "model": identity.model,
            "choices": [["index": 0, "message": message, "finish_reason": finishReason, "logprobs": NSNull()]],
        ]
        if let usage { object["usage"] = usage }
        return object
    }

    /// The assistant message of a reply: `content` null when there is no text (tool calls only), as OpenAI sends it.
    static func message(text: String, reasoning: String, toolCalls: [[String: Any]]) -> [String: Any] {
        var message: [String: Any] = ["role": "assistant", "content": text.isEmpty && !toolCalls.isEmpty ? NSNull() : text, "refusal": NSNull()]
        if !toolCalls.isEmpty { message["tool_calls"] = toolCalls }
        if !reasoning.isEmpty { message["reasoning_content"] = reasoning }
        return message
    }

    static func toolCall(id: String, name: String, arguments: String) -> [String: Any] {
        ["id": id, "type": "function", "function": ["name": name, "arguments": arguments]]
    }

    /// `prompt_tokens` counts every input token (cache reads and writes included), as OpenAI counts them.
    static func usage(prompt: Int, completion: Int, cached: Int, reasoning: Int = 0) -> [String: Any] {
        var usage: [String: Any] = [
            "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": ["cached_tokens": cached],
        ]
        if reasoning > 0 { usage["completion_tokens_details"] = ["reasoning_tokens": reasoning] }
        return usage
    }

    static func chunk(_ identity: Identity, delta: [String: Any], finishReason: String? = nil) -> String {
        event([
            "id": identity.id, "object": "chat.completion.chunk", "created": identity.created, "model": identity.model,
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map { $0 as Any } ?? NSNull(), "logprobs": NSNull()]],
        ])
    }

    /// The `stream_options.include_usage` chunk: no choices, the whole request's usage.
    static func usageChunk(_ identity: Identity, usage: [String: Any]) -> String {
        event(["id": identity.id, "object": "chat.completion.chunk", "created": identity.created, "model": identity.model, "choices": [Any](), "usage": usage])
    }

    static let done = "data: [DONE]\n\n"

    static func event(_ object: [String: Any]) -> String { "data: " + JSON.string(object) + "\n\n" }

    /// An error inside a stream, in the body shape OpenAI's SDKs raise from.
    static func errorEvent(type: String, message: String) -> String {
        event(["error": ["message": message, "type": type, "param": NSNull(), "code": NSNull()]])
    }

    /// An upstream refusal with the upstream's status, in OpenAI's error shape (`retry-after` kept).
    static func failure(status: Int, type: String, message: String, headers: HTTPHeaders) -> Response {
        var error = RelayError(status, type, message)
        if let retry = headers.first(name: "retry-after") { error.headers["retry-after"] = retry }
        return OpenAIErrors.response(error)
    }
}
