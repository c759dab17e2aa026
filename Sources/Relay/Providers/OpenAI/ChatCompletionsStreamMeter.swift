import Foundation
import NIOCore

/// Meters an OpenAI Chat Completions stream (`data: {chunk}` records, `data: [DONE]` last): usage arrives in the
/// chunk that carries a `usage` object (the last one before `[DONE]` when `stream_options.include_usage` is on);
/// a record with an `error` object is the upstream reporting an error in the stream.
struct ChatCompletionsStreamMeter: StreamUsageMeter {
    private var lines = SSEDataLines()
    private(set) var usage = TokenUsage()
    private(set) var sawEnd = false
    private(set) var sawError = false
    private var model: String?
    static let done = Array("[DONE]".utf8)

    mutating func feed(_ buffer: ByteBuffer) {
        var chunks: [[String: Any]] = []
        var done = false
        let needModel = model == nil
        lines.feed(buffer) { text in
            if text.elementsEqual(Self.done) { done = true; return }
            guard needModel || SSEDataLines.contains(text, "\"usage\"") || SSEDataLines.contains(text, "\"error\""),
                  let chunk = JSON.object(Data(text)) else { return }
            chunks.append(chunk)
        }
        if done { sawEnd = true }
        for chunk in chunks {
            if let name = chunk["model"] as? String, !name.isEmpty { model = name }
            if let raw = chunk["usage"] as? [String: Any] { usage = OpenAIUsage.tokens(raw, model: model) }
            if chunk["error"] != nil { sawError = true }
        }
    }
}
