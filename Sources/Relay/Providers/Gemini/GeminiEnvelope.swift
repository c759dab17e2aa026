import Foundation
import NIOCore

/// Code Assist wraps the standard Gemini API: requests as `{model, project, request: {…}}`, replies (and each
/// stream chunk) as `{"response": {…}, "traceId"}`. These convert between the two, for replies and streams.
enum GeminiEnvelope {
    case wrap
    case unwrap

    func convert(_ object: [String: Any]) -> [String: Any] {
        switch self {
        case .wrap:
            if object["error"] != nil { return object }
            return ["response": object, "traceId": (object["responseId"] as? String) ?? ""]
        case .unwrap:
            guard var response = object["response"] as? [String: Any] else { return object }
            if response["responseId"] == nil, let trace = object["traceId"] as? String { response["responseId"] = trace }
            return response
        }
    }

    func convert(_ body: ByteBuffer) -> ByteBuffer {
        guard let object = JSON.object(Data(buffer: body)) else { return body }
        return ByteBuffer(data: JSON.data(convert(object)))
    }
}

/// A stream re-framed chunk by chunk between the standard and Code Assist shapes.
struct GeminiEnvelopeTranscoder: StreamTranscoder {
    let envelope: GeminiEnvelope
    private var lines = SSEDataLines()

    init(_ envelope: GeminiEnvelope) {
        self.envelope = envelope
    }

    mutating func transcode(_ chunk: ByteBuffer) -> TranscodedChunk {
        var output = ByteBuffer()
        let envelope = self.envelope
        lines.feed(chunk) { text in
            guard let object = JSON.object(Data(text)) else {
                output.writeString("data: ")
                output.writeBytes(text)
                output.writeString("\n\n")
                return
            }
            output.writeString("data: \(JSON.string(envelope.convert(object)))\n\n")
        }
        return .events(output)
    }
}
