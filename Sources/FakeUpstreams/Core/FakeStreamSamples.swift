import Foundation
import NIOCore

/// Whole stream bodies exactly as the fakes write them for a fault-free reply of `deltas` text deltas — for the
/// micro benchmarks (`benchmarks/micro`), which meter and transcode them the way the relay does on the wire.
public enum FakeStreamSamples {
    public enum Format: String, CaseIterable, Sendable {
        case anthropic, openAIResponses = "openai-responses", chatCompletions = "chat-completions", gemini, bedrock
    }

    public static func body(_ format: Format, deltas: Int, usage: FakeUsage = FakeUsage(input: 1200, output: 350, cacheRead: 4000)) -> ByteBuffer {
        let text = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: max(1, deltas / 2))
        var body = ByteBuffer()
        switch format {
        case .anthropic:
            for event in AnthropicReplies.streamEvents(id: "msg_bench", model: "claude-sonnet-4-5", text: text, deltaCount: deltas, usage: usage) {
                body.writeString(AnthropicReplies.sse(event.name, event.data))
            }
        case .openAIResponses:
            for event in OpenAIReplies.streamEvents(id: "resp_bench", model: "gpt-5", text: text, deltaCount: deltas, usage: usage) {
                body.writeString(OpenAIReplies.sse(event.name, event.data))
            }
        case .chatCompletions:
            for chunk in ChatCompletionReplies.streamChunks(id: "chatcmpl-bench", model: "gpt-4o", text: text, deltaCount: deltas,
                                                            usage: usage, includeUsage: true) {
                body.writeString(chunk.line)
            }
        case .gemini:
            for chunk in GeminiReplies.chunks(model: "gemini-2.5-pro", text: text, count: deltas, usage: usage, id: "bench") {
                body.writeString("data: \(JSONText.encode(chunk))\r\n\r\n")
            }
        case .bedrock:
            let events = AnthropicReplies.streamEvents(id: "msg_bench", model: "anthropic.claude-sonnet-4-5", text: text, deltaCount: deltas, usage: usage)
            for frame in FakeBedrockStream.frames(events, usage: usage) { body.writeBytes(frame.bytes) }
        }
        return body
    }
}
