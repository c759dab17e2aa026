import Foundation
import NIOCore

/// Meters an OpenAI Responses stream (upstreams.md §5.4): usage and model arrive only in the terminal event —
/// `response.completed` (or `response.incomplete` / `response.failed`); a standalone `error` event or
/// `response.failed` is the upstream reporting an error in the stream.
struct OpenAIResponsesStreamMeter: StreamUsageMeter {
    private var pending: [UInt8] = []
    private(set) var usage = TokenUsage()
    private(set) var sawEnd = false
    private(set) var sawError = false

    mutating func feed(_ buffer: ByteBuffer) {
        pending.append(contentsOf: buffer.readableBytesView)
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[..<newline]
            pending.removeSubrange(...newline)
            guard line.starts(with: Array("data:".utf8)) else { continue }
            // Only terminal events carry what we need; skip the deltas without parsing them.
            let text = line.dropFirst(5)
            guard Self.contains(text, "\"response.") || Self.contains(text, "\"error\"") else { continue }
            guard let event = JSON.object(Data(text)), let type = event["type"] as? String else { continue }
            switch type {
            case "response.completed", "response.incomplete", "response.failed":
                sawEnd = true
                if type == "response.failed" { sawError = true }
                let response = event["response"] as? [String: Any]
                if let raw = response?["usage"] as? [String: Any] { usage = OpenAIUsage.tokens(raw, model: response?["model"] as? String) }
            case "error":
                sawError = true
            default:
                break
            }
        }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: String) -> Bool {
        let bytes = Array(needle.utf8)
        guard haystack.count >= bytes.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - bytes.count {
            if haystack[index..<(index + bytes.count)].elementsEqual(bytes) { return true }
            index += 1
        }
        return false
    }
}
