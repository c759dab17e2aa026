import AWSProtocols
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Writes Anthropic stream events as Bedrock event-stream frames, following the behaviour's stream faults.
struct FakeBedrockStream {
    let state: FakeState
    let sequence: Int
    let behavior: FakeBehavior
    let usage: FakeUsage
    let channel: any Channel

    static func chunkFrame(_ event: [String: Any]) -> [UInt8] {
        let json = JSONText.encode(event)
        let padding = String(repeating: "x", count: Int.random(in: 1...24))
        let payload = JSONText.encode(["bytes": Data(json.utf8).base64EncodedString(), "p": padding])
        return EventStreamEncoder.encode(EventStreamMessage(
            headers: [(":event-type", .string("chunk")), (":content-type", .string("application/json")), (":message-type", .string("event"))],
            payload: Array(payload.utf8)))
    }

    static func exceptionFrame(_ name: String, _ message: String) -> [UInt8] {
        EventStreamEncoder.encode(EventStreamMessage(
            headers: [(":exception-type", .string(name)), (":content-type", .string("application/json")), (":message-type", .string("exception"))],
            payload: Array(JSONText.encode(["message": message]).utf8)))
    }

    /// Each Anthropic event as a `chunk` frame; `message_stop` carries Bedrock's invocation metrics.
    static func frames(_ events: [(name: String, data: [String: Any])], usage: FakeUsage) -> [(name: String, bytes: [UInt8])] {
        events.map { event in
            var data = event.data
            if event.name == "message_stop" {
                data["amazon-bedrock-invocationMetrics"] = ["inputTokenCount": usage.input, "outputTokenCount": usage.output,
                                                            "invocationLatency": 120, "firstByteLatency": 40]
            }
            return (event.name, chunkFrame(data))
        }
    }

    func response(_ events: [(name: String, data: [String: Any])]) -> Response {
        let state = self.state, sequence = self.sequence, behavior = self.behavior, usage = self.usage, channel = self.channel
        let frames = Self.frames(events, usage: usage)
        let headers: HTTPFields = [.contentType: "application/vnd.amazon.eventstream", .init("x-amzn-RequestId")!: "fake-\(sequence)"]
        let exception = Self.exceptionFrame(behavior.errorType ?? "modelStreamErrorException", behavior.message ?? "Model Stream Error")
        let script = FakeStreamScript(
            state: state, sequence: sequence, behavior: behavior, usage: usage, channel: channel,
            errorEvent: { ByteBuffer(bytes: exception) },
            malformed: { next in
                // The next frame with its message CRC broken: a reader must refuse it and everything after.
                var corrupted = ByteBuffer()
                for piece in next.pieces { corrupted.writeImmutableBuffer(piece) }
                let last = corrupted.writerIndex - 1
                corrupted.setInteger(corrupted.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
                return (corrupted, true)
            })
        // Every frame is split across two writes: the relay must reassemble frames from arbitrary reads.
        let stream = frames.map { frame in
            let cut = frame.bytes.count / 2
            return FakeStreamScript.Event(name: frame.name, pieces: [ByteBuffer(bytes: frame.bytes[..<cut]), ByteBuffer(bytes: frame.bytes[cut...])])
        }
        return Response(status: .ok, headers: headers, body: script.body(stream))
    }
}
