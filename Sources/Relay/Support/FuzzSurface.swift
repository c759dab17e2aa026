import Foundation
import NIOCore

/// Entry points for the fuzz targets (`Sources/crs-fuzz`, `scripts/fuzz`) into parsers that are internal to the
/// relay. Each takes raw bytes, must never crash or hang, and returns a small summary so the work is not optimised away.
public enum FuzzSurface {
    /// The request-body JSON parser.
    public static func json(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let value = JSONParser.parse(Data(bytes)) else { return 0 }
        return JSON.string(value).utf8.count  // what parses must also write back
    }

    /// hiredis's reply reader fed in two pieces (replies cross reads), then the replies converted.
    public static func redisReplies(_ bytes: UnsafeRawBufferPointer) -> Int {
        let decoder = HiredisDecoder()
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % bytes.count
        var count = 0
        for part in [bytes[..<split], bytes[split...]] {
            guard let replies = try? decoder.feed(ByteBuffer(bytes: part)) else { return count }
            count += replies.count
        }
        return count
    }

    /// The W3C traceparent reader.
    public static func traceParent(_ bytes: UnsafeRawBufferPointer) -> Int {
        TraceParent(header: String(decoding: bytes, as: UTF8.self)) == nil ? 0 : 1
    }

    /// The client-pattern scanners and the price-name normaliser (they run on every request, on client input).
    public static func clientText(_ bytes: UnsafeRawBufferPointer) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        var hits = TextScan.claudeCLIVersion(text, caseInsensitive: true) == nil ? 0 : 1
        hits += TextScan.isClaudeCodeUserID(text) ? 1 : 0
        hits += TextScan.sessionUUID(in: text) == nil ? 0 : 1
        hits += TextScan.hasDottedVersion(after: "factory-cli/", in: text) ? 1 : 0
        return hits + PriceTable.normalize(text).utf8.count
    }
}
