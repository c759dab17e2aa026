import Foundation
import NIOCore

/// Meters a Gemini SSE stream (`data: {…}` chunks, standard or inside Code Assist's `{"response": …}`; no
/// terminal event — the stream ends after the chunk that carries a `finishReason`). Usage is the last
/// `usageMetadata` seen; a chunk with an `error` object is the upstream reporting an error.
struct GeminiStreamMeter: StreamUsageMeter {
    private var lines = SSEDataLines()
    private(set) var usage = TokenUsage()
    private(set) var sawEnd = false
    private(set) var sawError = false

    mutating func feed(_ buffer: ByteBuffer) {
        var chunks: [[String: Any]] = []
        lines.feed(buffer) { text in
            guard SSEDataLines.contains(text, "\"usageMetadata\"") || SSEDataLines.contains(text, "\"finishReason\"")
                    || SSEDataLines.contains(text, "\"error\""), let chunk = JSON.object(Data(text)) else { return }
            chunks.append(chunk)
        }
        for chunk in chunks {
            if chunk["error"] != nil { sawError = true }
            let body = (chunk["response"] as? [String: Any]) ?? chunk
            if let metadata = body["usageMetadata"] as? [String: Any] { usage = GeminiUsage.tokens(metadata, model: body["modelVersion"] as? String) }
            let candidates = body["candidates"] as? [[String: Any]] ?? []
            if candidates.contains(where: { ($0["finishReason"] as? String).map { !$0.isEmpty } ?? false }) { sawEnd = true }
        }
    }
}
