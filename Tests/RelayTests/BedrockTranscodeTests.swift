import FakeUpstreams
import Foundation
import NIOCore
@testable import Relay
import Testing

/// Bedrock's event-stream, transcoded, must be the Anthropic stream the same reply would have been: event by
/// event, the same names and the same JSON (the client's model name in `message_start`, no invocation metrics) —
/// whether an event is passed through as Bedrock encoded it or rewritten.
@Suite("Bedrock transcoding")
struct BedrockTranscodeTests {
    @Test(arguments: [1, 13, 4096])
    func bedrockStreamBecomesTheAnthropicStream(readSize: Int) throws {
        let usage = FakeUsage(input: 30, output: 90, cacheRead: 12)
        var bedrock = FakeStreamSamples.body(.bedrock, deltas: 25, usage: usage)
        var transcoder = BedrockStreamTranscoder(requestedModel: "claude-sonnet-4-5")
        var output = ByteBuffer()
        while let read = bedrock.readSlice(length: min(readSize, bedrock.readableBytes)), read.readableBytes > 0 {
            guard case .events(let events) = transcoder.transcode(read) else { Issue.record("stream broke"); return }
            output.writeImmutableBuffer(events)
        }
        let expected = Self.events(FakeStreamSamples.body(.anthropic, deltas: 25, usage: usage))
        let actual = Self.events(output)
        #expect(actual.count == expected.count)
        #expect(actual.count == 25 + 6)
        for (got, want) in zip(actual, expected) {
            #expect(got.name == want.name)
            #expect(NSDictionary(dictionary: got.data).isEqual(to: want.data), "\(got.name): \(got.data) ≠ \(want.data)")
        }
    }

    /// SSE text → (event name, parsed data) pairs.
    static func events(_ buffer: ByteBuffer) -> [(name: String, data: [String: Any])] {
        String(buffer: buffer).components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard let name = lines.first(where: { $0.hasPrefix("event: ") })?.dropFirst(7),
                  let data = lines.first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                  let object = JSON.object(Data(data.utf8)) else { return nil }
            return (String(name), object)
        }
    }
}
