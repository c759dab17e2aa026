import AWSProtocols
import Foundation
import NIOCore

/// Turns Bedrock's event-stream response into the Anthropic SSE the client asked for: each `chunk` frame's
/// base64 `bytes` is one Anthropic event, written as `event: <type>\ndata: <json>\n\n` — as it came, except
/// that the model in `message_start` is the client's name, not the Bedrock id, and Bedrock's invocation metrics
/// are dropped. An exception frame becomes a terminal Anthropic `error` event; a frame that fails its CRC ends
/// the stream.
struct BedrockStreamTranscoder: StreamTranscoder {
    private var decoder = EventStreamDecoder()
    let requestedModel: String

    init(requestedModel: String) {
        self.requestedModel = requestedModel
    }

    mutating func transcode(_ chunk: ByteBuffer) -> TranscodedChunk {
        var output = ByteBuffer()
        let messages: [EventStreamMessage]
        do {
            messages = try decoder.feed(chunk.readableBytesView)
        } catch {
            return .broken(output, "\(error)")
        }
        for message in messages {
            switch message.messageType {
            case "event"?:
                guard message.header(":event-type") == "chunk", let frame = JSON.object(Data(message.payload)),
                      let base64 = frame["bytes"] as? String, let data = Data(base64Encoded: base64),
                      var event = JSON.object(data), let type = event["type"] as? String else { continue }
                let rewrite = type == "message_start" || event["amazon-bedrock-invocationMetrics"] != nil
                if !rewrite, !data.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
                    // Most events (every delta) go out as Bedrock encoded them — Anthropic's own JSON on one line;
                    // writing the parsed event again cost ~20 µs per delta.
                    output.writeString("event: ")
                    output.writeString(type)
                    output.writeString("\ndata: ")
                    output.writeBytes(data)
                    output.writeString("\n\n")
                    continue
                }
                if type == "message_start", var messageObject = event["message"] as? [String: Any] {
                    messageObject["model"] = requestedModel
                    event["message"] = messageObject
                }
                event.removeValue(forKey: "amazon-bedrock-invocationMetrics")
                output.writeString("event: \(type)\ndata: \(JSON.string(event))\n\n")
            case "exception"?, "error"?:
                let name = message.header(":exception-type") ?? message.header(":error-code") ?? "exception"
                let text = (JSON.object(Data(message.payload))?["message"] as? String) ?? String(decoding: message.payload, as: UTF8.self)
                let error: [String: Any] = ["type": "error", "error": ["type": BedrockErrors.anthropicType(name: name, status: 500), "message": "Bedrock \(name): \(text.prefix(500))"]]
                output.writeString("event: error\ndata: \(JSON.string(error))\n\n")
            default:
                continue
            }
        }
        return .events(output)
    }
}
