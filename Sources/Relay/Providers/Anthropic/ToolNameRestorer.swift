import Foundation
import NIOCore

/// Gives the client back its own tool names after a request went upstream with renamed tools (the retry after an
/// "only authorized for use with Claude Code" refusal): `tool_use` blocks in a reply, and in a stream the
/// `content_block_start` events that open them. Everything else passes byte for byte.
struct ToolNameRestorer: Sendable {
    /// Upstream name → the client's.
    let names: [String: String]

    /// A non-stream Messages reply.
    func reply(_ body: ByteBuffer) -> ByteBuffer {
        guard var object = JSON.object(Data(buffer: body)), var content = object["content"] as? [Any] else { return body }
        content = restore(content)
        object["content"] = content
        return ByteBuffer(data: JSON.data(object))
    }

    func restore(_ blocks: [Any]) -> [Any] {
        blocks.map { item in
            guard var block = item as? [String: Any], block["type"] as? String == "tool_use", let name = block["name"] as? String,
                  let original = names[name] else { return item }
            block["name"] = original
            return block
        }
    }

    /// One SSE `data:` payload.
    func event(_ object: [String: Any]) -> [String: Any] {
        var event = object
        if let block = event["content_block"] { event["content_block"] = restore([block])[0] }
        return event
    }
}

/// The stream side of `ToolNameRestorer`, line by line across chunk boundaries.
struct ToolNameStreamRestorer: StreamTranscoder {
    let restorer: ToolNameRestorer
    private var pending: [UInt8] = []

    init(_ restorer: ToolNameRestorer) {
        self.restorer = restorer
    }

    mutating func transcode(_ chunk: ByteBuffer) -> TranscodedChunk {
        pending.append(contentsOf: chunk.readableBytesView)
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return .events(ByteBuffer()) }
        var output = ByteBuffer()
        var start = pending.startIndex
        while start <= lastNewline, let newline = pending[start...lastNewline].firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[start...newline]
            start = newline + 1
            guard line.starts(with: SSEDataLines.prefix), SSEDataLines.contains(line, "\"tool_use\""),
                  let object = JSON.object(Data(line.dropFirst(5).drop { $0 == UInt8(ascii: " ") })) else {
                output.writeBytes(line)
                continue
            }
            output.writeString("data: ")
            output.writeData(JSON.data(restorer.event(object)))
            output.writeString(line.dropLast().last == UInt8(ascii: "\r") ? "\r\n" : "\n")
        }
        pending.removeSubrange(..<start)
        return .events(output)
    }
}
