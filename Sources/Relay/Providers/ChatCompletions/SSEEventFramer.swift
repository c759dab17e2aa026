import Foundation
import NIOCore

/// A stream framer that reads the native SSE stream one JSON `data:` payload at a time (records split across
/// chunks are joined first) and writes zero or more client events for each.
protocol SSEEventFramer: StreamFramer {
    var lines: SSEDataLines { get set }
    mutating func frame(event: [String: Any]) -> String
}

extension SSEEventFramer {
    mutating func frame(_ chunk: ByteBuffer) -> ByteBuffer {
        var events: [[String: Any]] = []
        lines.feed(chunk) { payload in
            if let event = JSON.object(Data(payload)) { events.append(event) }
        }
        var out = ""
        for event in events { out += frame(event: event) }
        return ByteBuffer(string: out)
    }
}
