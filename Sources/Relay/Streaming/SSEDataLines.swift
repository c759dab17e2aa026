import NIOCore

/// Splits an SSE byte stream into the payloads of its `data:` lines, across chunk boundaries.
struct SSEDataLines: Sendable {
    private var pending: [UInt8] = []

    /// Calls `line` with each complete `data:` payload (leading spaces dropped) in `buffer`.
    mutating func feed(_ buffer: ByteBuffer, _ line: (ArraySlice<UInt8>) -> Void) {
        pending.append(contentsOf: buffer.readableBytesView)
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var text = pending[start..<newline]
            start = newline + 1
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            guard text.starts(with: Self.prefix) else { continue }
            line(text.dropFirst(5).drop { $0 == UInt8(ascii: " ") })
        }
        pending.removeSubrange(..<start)
    }

    static let prefix = Array("data:".utf8)

    /// Whether `needle` occurs in `haystack` (a cheap test before parsing JSON; no copy of either).
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: String) -> Bool {
        var needle = needle
        return haystack.withUnsafeBytes { bytes in needle.withUTF8 { TextScan.contains(bytes, UnsafeRawBufferPointer($0)) } }
    }
}
