import Foundation
import NIOCore

/// Meters an OpenAI Chat Completions stream (`data: {chunk}` records, `data: [DONE]` last): usage arrives in the
/// chunk that carries a `usage` object (the last one before `[DONE]` when `stream_options.include_usage` is on);
/// a record with an `error` object is the upstream reporting an error in the stream. A stream without a usage chunk
/// (cut, the client gone, or `include_usage` off) is charged for the content deltas it delivered (`DeliveredOutput`).
struct ChatCompletionsStreamMeter: StreamUsageMeter {
    private var lines = SSEDataLines()
    private var reported = TokenUsage()
    private var reportedUsage = false
    private var delivered = DeliveredOutput(.chatCompletions)
    var usage: TokenUsage {
        guard !reportedUsage, delivered.tokens > 0 else { return reported }
        var estimated = reported.withDeliveredOutput(delivered.tokens)
        estimated.model = reported.model ?? model
        return estimated
    }
    private(set) var sawEnd = false
    private(set) var sawError = false
    private var model: String?
    static let done = Array("[DONE]".utf8)

    mutating func feed(_ buffer: ByteBuffer) {
        var chunks: [[String: Any]] = []
        var done = false
        let needModel = model == nil
        var delivered = self.delivered
        lines.feed(buffer) { text in
            if text.elementsEqual(Self.done) { done = true; return }
            _ = text.withUnsafeBytes { delivered.count($0) }
            guard needModel || SSEDataLines.contains(text, "\"usage\"") || SSEDataLines.contains(text, "\"error\""),
                  let chunk = JSON.object(Data(text)) else { return }
            chunks.append(chunk)
        }
        self.delivered = delivered
        if done { sawEnd = true }
        for chunk in chunks {
            if let name = chunk["model"] as? String, !name.isEmpty { model = name }
            if let raw = chunk["usage"] as? [String: Any] {
                reported = OpenAIUsage.tokens(raw, model: model)
                reportedUsage = true
            }
            if chunk["error"] != nil { sawError = true }
        }
    }
}
