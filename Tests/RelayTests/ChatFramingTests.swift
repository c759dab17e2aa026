import Foundation
import NIOCore
@testable import Relay
import Testing

/// The Chat Completions stream framers as pure values: native streams fed whole and one byte at a time must give
/// the same chunks (an SSE record split anywhere), with tool calls under their indices, the finish reason, the
/// usage chunk and `[DONE]` last.
@Suite("Chat Completions stream framing")
struct ChatFramingTests {
    /// The client's `data:` payloads (JSON without `created`, or the `[DONE]` text), from feeding `native` whole and
    /// byte by byte; both must agree.
    static func framed(_ make: () -> any StreamFramer, _ native: String) -> [Any] {
        var whole = make()
        var out = whole.frame(ByteBuffer(string: native))
        out.writeImmutableBuffer(whole.finish())
        var split = make()
        var bytes = ByteBuffer()
        for byte in native.utf8 { var piece = split.frame(ByteBuffer(bytes: [byte])); bytes.writeBuffer(&piece) }
        bytes.writeImmutableBuffer(split.finish())
        let payloads = { (buffer: ByteBuffer) -> [Any] in
            String(buffer: buffer).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event -> Any in
                let text = String(event.dropFirst(6))
                guard var object = JSON.object(Data(text.utf8)) else { return text }
                object.removeValue(forKey: "created")
                return object
            }
        }
        let a = payloads(out), b = payloads(bytes)
        // Gemini call ids are made by the relay, fresh each time.
        let comparable = { (payloads: [Any]) in JSON.string(payloads).replacingOccurrences(of: #"call_[0-9a-f]{24}"#, with: "call_", options: .regularExpression) }
        #expect(comparable(a) == comparable(b), "split reads framed differently")
        return a
    }

    static func delta(_ payload: Any) -> [String: Any] {
        (((payload as? [String: Any])?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) ?? [:]
    }

    @Test func anthropicTextThinkingAndParallelToolCalls() {
        let native = [
            #"{"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":12,"cache_read_input_tokens":7,"cache_creation_input_tokens":100,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#,
            #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me check."}}"#,
            #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}"#,
            #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}"#,
            #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}"#,
            #"{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}}"#,
            #"{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"#,
            #"{"type":"message_stop"}"#,
        ].map { "event: x\ndata: \($0)\n\n" }.joined()
        let chunks = Self.framed({ AnthropicChatStreamFramer(includeUsage: true) }, native)
        #expect(Self.delta(chunks[0])["role"] as? String == "assistant")
        #expect((chunks[0] as? [String: Any])?["id"] as? String == "chatcmpl-msg_1")
        #expect(Self.delta(chunks[1])["reasoning_content"] as? String == "hmm")
        #expect(Self.delta(chunks[2])["content"] as? String == "Let me check.")
        let calls = chunks.compactMap { Self.delta($0)["tool_calls"] as? [[String: Any]] }.flatMap { $0 }
        #expect(calls.map { JSON.int($0["index"]) ?? -1 } == [0, 0, 0, 1, 1])
        #expect(calls[0]["id"] as? String == "toolu_a" && calls[3]["id"] as? String == "toolu_b")
        let arguments = calls.filter { JSON.int($0["index"]) == 0 }.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
        #expect(arguments == #"{"city":"Paris"}"#)
        let finish = chunks.compactMap { (($0 as? [String: Any])?["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
        #expect(finish == ["tool_calls"])
        let usage = (chunks[chunks.count - 2] as? [String: Any])?["usage"] as? [String: Any]
        #expect(JSON.int(usage?["prompt_tokens"]) == 119 && JSON.int(usage?["completion_tokens"]) == 30)
        #expect(JSON.int((usage?["prompt_tokens_details"] as? [String: Any])?["cached_tokens"]) == 7)
        #expect(chunks.last as? String == "[DONE]")
    }

    @Test func anthropicErrorEventIsOpenAIShaped() {
        var framer = AnthropicChatStreamFramer(includeUsage: false)
        let out = String(buffer: framer.frame(ByteBuffer(string: "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")))
        let object = JSON.object(Data(out.dropFirst(6).utf8))
        #expect((object?["error"] as? [String: Any])?["message"] as? String == "Overloaded")
    }

    @Test func geminiThoughtsTextAndFunctionCalls() {
        let native = [
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"thinking…","thought":true}]}}],"modelVersion":"gemini-2.5-pro","responseId":"r1"}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Checking."}]}}],"modelVersion":"gemini-2.5-pro","responseId":"r1"}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"a","args":{"x":1}}},{"functionCall":{"name":"b","args":{}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"cachedContentTokenCount":5,"candidatesTokenCount":8,"thoughtsTokenCount":4},"modelVersion":"gemini-2.5-pro","responseId":"r1"}"#,
        ].map { "data: \($0)\r\n\r\n" }.joined()
        let chunks = Self.framed({ GeminiChatStreamFramer(includeUsage: true) }, native)
        #expect(Self.delta(chunks[0])["role"] as? String == "assistant")
        #expect(Self.delta(chunks[1])["reasoning_content"] as? String == "thinking…")
        #expect(Self.delta(chunks[2])["content"] as? String == "Checking.")
        let calls = Self.delta(chunks[3])["tool_calls"] as? [[String: Any]] ?? []
        #expect(calls.map { JSON.int($0["index"]) ?? -1 } == [0, 1])
        #expect((calls[0]["function"] as? [String: Any])?["arguments"] as? String == #"{"x":1}"#)
        #expect((calls[0]["id"] as? String)?.hasPrefix("call_") == true)
        #expect(((chunks[4] as? [String: Any])?["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "tool_calls")
        let usage = (chunks[5] as? [String: Any])?["usage"] as? [String: Any]
        #expect(JSON.int(usage?["prompt_tokens"]) == 20 && JSON.int(usage?["completion_tokens"]) == 12)
        #expect(JSON.int((usage?["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"]) == 4)
        #expect(chunks.last as? String == "[DONE]")
    }

    @Test func responsesTextAndFunctionCalls() {
        let native = [
            ("response.created", #"{"type":"response.created","response":{"id":"resp_1","model":"gpt-5","status":"in_progress"}}"#),
            ("response.output_text.delta", #"{"type":"response.output_text.delta","item_id":"msg_1","delta":"Sure."}"#),
            ("response.output_item.added", #"{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_a","name":"f","arguments":""}}"#),
            ("response.function_call_arguments.delta", #"{"type":"response.function_call_arguments.delta","item_id":"fc_1","delta":"{\"x\":"}"#),
            ("response.function_call_arguments.delta", #"{"type":"response.function_call_arguments.delta","item_id":"fc_1","delta":"1}"}"#),
            ("response.completed", #"{"type":"response.completed","response":{"id":"resp_1","status":"completed","usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":10},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":2}}}}"#),
        ].map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined()
        let chunks = Self.framed({ ResponsesChatStreamFramer(includeUsage: true) }, native)
        #expect((chunks[0] as? [String: Any])?["id"] as? String == "chatcmpl-resp_1")
        #expect(Self.delta(chunks[1])["content"] as? String == "Sure.")
        let calls = chunks.compactMap { Self.delta($0)["tool_calls"] as? [[String: Any]] }.flatMap { $0 }
        #expect(calls.first?["id"] as? String == "call_a")
        #expect(calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined() == #"{"x":1}"#)
        #expect(((chunks[5] as? [String: Any])?["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "tool_calls")
        let usage = (chunks[6] as? [String: Any])?["usage"] as? [String: Any]
        #expect(JSON.int(usage?["prompt_tokens"]) == 30 && JSON.int((usage?["prompt_tokens_details"] as? [String: Any])?["cached_tokens"]) == 10)
        #expect(chunks.last as? String == "[DONE]")
    }
}
