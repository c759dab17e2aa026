import Foundation
import NIOCore
@testable import Relay
import Testing

/// The stream meters and the stream ending, as pure values: hand-written streams in each format, fed whole and one
/// byte at a time (a record split anywhere must meter the same), cut short, and carrying in-stream errors.
@Suite("Stream meters and stream endings")
struct StreamMeterTests {
    /// Feeds `text` whole, then byte by byte, and expects the same result from both.
    static func metered<Meter: StreamUsageMeter>(_ make: () -> Meter, _ text: String) -> Meter {
        var whole = make()
        whole.feed(ByteBuffer(string: text))
        var bytes = make()
        for byte in text.utf8 { bytes.feed(ByteBuffer(bytes: [byte])) }
        #expect(whole.usage == bytes.usage && whole.sawEnd == bytes.sawEnd && whole.sawError == bytes.sawError, "split reads metered differently")
        return whole
    }

    static func sse(_ events: [(String, String)]) -> String { events.map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined() }

    static let anthropicStart = #"{"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":60,"ephemeral_1h_input_tokens":40},"output_tokens":1}}}"#
    static let anthropicDelta = #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello there, this is a reply"}}"#

    @Test func anthropic() {
        let complete = Self.metered(AnthropicStreamMeter.init, Self.sse([
            ("message_start", Self.anthropicStart), ("ping", #"{"type":"ping"}"#), ("content_block_delta", Self.anthropicDelta),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]))
        #expect(complete.usage == TokenUsage(input: 12, output: 9, cacheCreate5m: 60, cacheCreate1h: 40, cacheRead: 7, model: "claude-sonnet-4-5"))
        #expect(complete.sawEnd && !complete.sawError)
        // Cut after a delta: charged for what was delivered, marked as estimated, not complete.
        let cut = Self.metered(AnthropicStreamMeter.init, Self.sse([("message_start", Self.anthropicStart), ("content_block_delta", Self.anthropicDelta)]))
        #expect(!cut.sawEnd && cut.usage.input == 12 && cut.usage.output > 0 && cut.usage.outputEstimated)
        let failed = Self.metered(AnthropicStreamMeter.init, Self.sse([
            ("message_start", Self.anthropicStart), ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
        ]))
        #expect(failed.sawError)
    }

    @Test func openAIResponses() {
        let completed = #"{"type":"response.completed","response":{"model":"gpt-5","usage":{"input_tokens":30,"output_tokens":8,"input_tokens_details":{"cached_tokens":10}}}}"#
        let meter = Self.metered(OpenAIResponsesStreamMeter.init, Self.sse([
            ("response.created", #"{"type":"response.created","response":{"model":"gpt-5"}}"#),
            ("response.output_text.delta", #"{"type":"response.output_text.delta","delta":"Hi"}"#), ("response.completed", completed),
        ]))
        // Cached input is billed as cache reads, not again as input.
        #expect(meter.usage == TokenUsage(input: 20, output: 8, cacheRead: 10, model: "gpt-5"))
        #expect(meter.sawEnd && !meter.sawError)
        let failed = Self.metered(OpenAIResponsesStreamMeter.init, Self.sse([("response.failed", #"{"type":"response.failed","response":{"model":"gpt-5"}}"#)]))
        #expect(failed.sawEnd && failed.sawError)
        let error = Self.metered(OpenAIResponsesStreamMeter.init, Self.sse([("error", #"{"type":"error","message":"boom"}"#)]))
        #expect(error.sawError && !error.sawEnd)
    }

    @Test func chatCompletions() {
        let text = [#"{"model":"gpt-4o","choices":[{"delta":{"content":"Hello world"}}]}"#,
                    #"{"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":3}}}"#,
                    "[DONE]"].map { "data: \($0)\n\n" }.joined()
        let meter = Self.metered(ChatCompletionsStreamMeter.init, text)
        #expect(meter.usage == TokenUsage(input: 8, output: 4, cacheRead: 3, model: "gpt-4o"))
        #expect(meter.sawEnd && !meter.sawError)
        // Without a usage chunk (include_usage off, or cut): the delivered deltas, estimated.
        let cut = Self.metered(ChatCompletionsStreamMeter.init, "data: " + #"{"model":"gpt-4o","choices":[{"delta":{"content":"Hello world, and more"}}]}"# + "\n\n")
        #expect(!cut.sawEnd && cut.usage.output > 0 && cut.usage.outputEstimated && cut.usage.model == "gpt-4o")
        let error = Self.metered(ChatCompletionsStreamMeter.init, "data: " + #"{"error":{"message":"overloaded"}}"# + "\n\n")
        #expect(error.sawError)
    }

    @Test func gemini() {
        let text = [#"{"candidates":[{"content":{"parts":[{"text":"Hi"}]}}],"modelVersion":"gemini-2.5-pro"}"#,
                    #"{"candidates":[{"content":{"parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"thoughtsTokenCount":2,"cachedContentTokenCount":4},"modelVersion":"gemini-2.5-pro"}"#,
                   ].map { "data: \($0)\r\n\r\n" }.joined()
        let meter = Self.metered(GeminiStreamMeter.init, text)
        // Thoughts are output; cached content is a cache read.
        #expect(meter.usage == TokenUsage(input: 16, output: 7, cacheRead: 4, model: "gemini-2.5-pro"))
        #expect(meter.sawEnd && !meter.sawError)
        let error = Self.metered(GeminiStreamMeter.init, "data: " + #"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}"# + "\n\n")
        #expect(error.sawError && !error.sawEnd)
    }

    // MARK: the stream ending

    @Test func endingsTable() {
        typealias E = StreamEnding
        let complete = E(stop: .upstreamEnded, sawEnd: true, sawError: false)
        #expect(complete.terminalEvent == nil && complete.finishesClientStream && !complete.countsAsServerError)
        #expect(complete.recordedOutcome == "complete" && complete.spanError == nil)
        // The body ended without the end event: the client is told, the account is not blamed.
        let truncated = E(stop: .upstreamEnded, sawEnd: false, sawError: false)
        #expect(truncated.terminalEvent == .init(type: "api_error", message: "Upstream stream ended unexpectedly") && !truncated.countsAsServerError)
        // The upstream reported its own error in the stream: nothing is added.
        #expect(E(stop: .upstreamEnded, sawEnd: false, sawError: true).terminalEvent == nil)
        #expect(E(stop: .upstreamFailed(.transport("HTTPClientError")), sawEnd: false, sawError: true).terminalEvent == nil)
        let idle = E(stop: .upstreamFailed(.idle(.seconds(30))), sawEnd: false, sawError: false)
        #expect(idle.terminalEvent?.message == "Upstream sent nothing for 30.0 seconds; stream ended")
        #expect(idle.countsAsServerError && idle.recordedOutcome == "cut: UpstreamIdle" && idle.spanError == "UpstreamIdle")
        let deadline = E(stop: .upstreamFailed(.deadline(.seconds(600))), sawEnd: false, sawError: false)
        #expect(deadline.terminalEvent?.message == "Upstream stream outlived the request deadline (600.0 seconds); stream ended")
        let corrupted = E(stop: .upstreamFailed(.corrupted("prelude CRC")), sawEnd: true, sawError: false)
        #expect(corrupted.terminalEvent?.type == "api_error" && corrupted.recordedOutcome == "cut: StreamCorrupted")
        // A client that went away gets nothing more, and its stream is not finished by the relay.
        let gone = E(stop: .clientGone, sawEnd: false, sawError: false)
        #expect(gone.terminalEvent == nil && !gone.finishesClientStream && !gone.countsAsServerError && gone.recordedOutcome == "client went away")
        // Shutdown: always a retryable overloaded event, then the stream is finished once.
        let shutdown = E(stop: .shuttingDown, sawEnd: false, sawError: true)
        #expect(shutdown.terminalEvent?.type == "overloaded_error" && shutdown.finishesClientStream && shutdown.spanError == "shutdown")
        #expect(shutdown.recordedOutcome == "relay shut down" && !shutdown.countsAsServerError)
    }
}
