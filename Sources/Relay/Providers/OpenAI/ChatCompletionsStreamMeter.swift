import Foundation
import NIOCore

/// Meters an OpenAI Chat Completions stream (`data: {chunk}` records, `data: [DONE]` last): usage arrives in the
/// chunk that carries a `usage` object (the last one before `[DONE]` when `stream_options.include_usage` is on);
/// a record with an `error` object is the upstream reporting an error in the stream.
struct ChatCompletionsStreamMeter: StreamUsageMeter {
    private var pending: [UInt8] = []
    private(set) var usage = TokenUsage()
    private(set) var sawEnd = false
    private(set) var sawError = false
    private var model: String?

    mutating func feed(_ buffer: ByteBuffer) {
        pending.append(contentsOf: buffer.readableBytesView)
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[..<newline]
            pending.removeSubrange(...newline)
            guard line.starts(with: Array("data:".utf8)) else { continue }
            let text = line.dropFirst(5).drop { $0 == UInt8(ascii: " ") }
            if text.elementsEqual(Array("[DONE]".utf8)) || text.elementsEqual(Array("[DONE]\r".utf8)) {
                sawEnd = true
                continue
            }
            let hasUsage = OpenAIResponsesStreamMeter.contains(text, "\"usage\"")
            let hasError = OpenAIResponsesStreamMeter.contains(text, "\"error\"")
            if model == nil || hasUsage || hasError, let chunk = JSON.object(Data(text)) {
                if let name = chunk["model"] as? String, !name.isEmpty { model = name }
                if let raw = chunk["usage"] as? [String: Any] { usage = OpenAIUsage.tokens(raw, model: model) }
                if chunk["error"] != nil { sawError = true }
            }
        }
    }
}
