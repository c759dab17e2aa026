import Foundation
import NIOCore

/// Meters an OpenAI Responses stream (upstreams.md §5.4): usage and model arrive only in the terminal event —
/// `response.completed` (or `response.incomplete` / `response.failed`); a standalone `error` event or
/// `response.failed` is the upstream reporting an error in the stream.
struct OpenAIResponsesStreamMeter: StreamUsageMeter {
    private var lines = SSEDataLines()
    private(set) var usage = TokenUsage()
    private(set) var sawEnd = false
    private(set) var sawError = false
    static let terminalMarkers = ["\"response.completed", "\"response.incomplete", "\"response.failed", "\"error\""]

    mutating func feed(_ buffer: ByteBuffer) {
        var found: [[String: Any]] = []
        lines.feed(buffer) { text in
            // Only terminal events carry what we need; skip the deltas without parsing them.
            guard Self.terminalMarkers.contains(where: { SSEDataLines.contains(text, $0) }), let event = JSON.object(Data(text)) else { return }
            found.append(event)
        }
        for event in found { apply(event) }
    }

    private mutating func apply(_ event: [String: Any]) {
        switch event["type"] as? String {
        case "response.completed"?, "response.incomplete"?, "response.failed"?:
            sawEnd = true
            if event["type"] as? String == "response.failed" { sawError = true }
            let response = event["response"] as? [String: Any]
            if let raw = response?["usage"] as? [String: Any] { usage = OpenAIUsage.tokens(raw, model: response?["model"] as? String) }
        case "error"?:
            sawError = true
        default:
            break
        }
    }
}
