import Foundation
import NIOCore

/// Meters a Gemini SSE stream (`data: {…}` chunks, standard or inside Code Assist's `{"response": …}`; no
/// terminal event — the stream ends after the chunk that carries a `finishReason`). Usage is the last
/// `usageMetadata` seen; a chunk with an `error` object is the upstream reporting an error. A stream that ends before
/// its `finishReason` chunk (the client gone, the stream cut) is charged at least for the text it delivered (about
/// four bytes a token) when that is more than the upstream had counted so far.
struct GeminiStreamMeter: StreamUsageMeter {
    private var lines = SSEDataLines()
    private var reported = TokenUsage()
    private(set) var sawEnd = false
    private(set) var sawError = false
    private var deliveredTextBytes = 0

    var usage: TokenUsage {
        let delivered = (deliveredTextBytes + 3) / 4
        guard !sawEnd, delivered > reported.output else { return reported }
        return reported.withDeliveredOutput(delivered)
    }

    mutating func feed(_ buffer: ByteBuffer) {
        var chunks: [[String: Any]] = []
        lines.feed(buffer) { text in
            guard SSEDataLines.contains(text, "\"usageMetadata\"") || SSEDataLines.contains(text, "\"finishReason\"")
                    || SSEDataLines.contains(text, "\"error\"") || SSEDataLines.contains(text, "\"text\""),
                  let chunk = JSON.object(Data(text)) else { return }
            chunks.append(chunk)
        }
        for chunk in chunks {
            if chunk["error"] != nil { sawError = true }
            let body = (chunk["response"] as? [String: Any]) ?? chunk
            if let metadata = body["usageMetadata"] as? [String: Any] { reported = GeminiUsage.tokens(metadata, model: body["modelVersion"] as? String) }
            let candidates = body["candidates"] as? [[String: Any]] ?? []
            for part in ((candidates.first?["content"] as? [String: Any])?["parts"] as? [[String: Any]]) ?? [] {
                deliveredTextBytes += (part["text"] as? String)?.utf8.count ?? 0
            }
            if candidates.contains(where: { ($0["finishReason"] as? String).map { !$0.isEmpty } ?? false }) { sawEnd = true }
        }
    }
}
