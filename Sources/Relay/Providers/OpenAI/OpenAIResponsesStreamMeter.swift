import Foundation
import NIOCore

/// Meters an OpenAI Responses stream (docs/reference/upstream-wire.md): usage and model arrive only in the terminal event —
/// `response.completed` (or `response.incomplete` / `response.failed`); a standalone `error` event or
/// `response.failed` is the upstream reporting an error in the stream. A stream that ends before its terminal event
/// is charged for the output deltas it delivered (`DeliveredOutput`).
struct OpenAIResponsesStreamMeter: StreamUsageMeter {
    private var lines = SSEDataLines()
    private var reported = TokenUsage()
    private var reportedUsage = false
    private var delivered = DeliveredOutput(.openAIResponses)
    var usage: TokenUsage {
        guard !reportedUsage, delivered.tokens > 0 else { return reported }
        return reported.withDeliveredOutput(delivered.tokens)
    }
    private(set) var sawEnd = false
    private(set) var sawError = false
    static let terminalMarkers = ["\"response.completed", "\"response.incomplete", "\"response.failed", "\"error\""]

    mutating func feed(_ buffer: ByteBuffer) {
        var found: [[String: Any]] = []
        var delivered = self.delivered
        lines.feed(buffer) { text in
            if text.withUnsafeBytes({ delivered.count($0) }) { return }
            // Only terminal events carry what we need; skip the deltas without parsing them.
            guard Self.terminalMarkers.contains(where: { SSEDataLines.contains(text, $0) }), let event = JSON.object(Data(text)) else { return }
            found.append(event)
        }
        self.delivered = delivered
        for event in found { apply(event) }
    }

    private mutating func apply(_ event: [String: Any]) {
        switch event["type"] as? String {
        case "response.completed"?, "response.incomplete"?, "response.failed"?:
            sawEnd = true
            if event["type"] as? String == "response.failed" { sawError = true }
            let response = event["response"] as? [String: Any]
            if let raw = response?["usage"] as? [String: Any] {
                reported = OpenAIUsage.tokens(raw, model: response?["model"] as? String)
                reportedUsage = true
            }
        case "error"?:
            sawError = true
        default:
            break
        }
    }
}
