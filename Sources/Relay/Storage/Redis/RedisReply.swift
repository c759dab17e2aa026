import NIOCore

/// A typed Redis reply (RESP2 as hiredis parses it). Bulk strings are kept as raw bytes so values are binary safe;
/// the bulks of one reply share one buffer (`HiredisDecoder`).
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk(ByteBuffer)
    case null
    case array([RedisReply])

    /// The reply as UTF-8 text (bulk or status), `nil` for null and non-text replies.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(buffer: bytes)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return Array(bytes.readableBytesView) }
        if case .status(let text) = self { return Array(text.utf8) }
        return nil
    }

    /// Integer replies, and bulk strings holding a decimal integer (what GET returns after INCR).
    public var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk(let bytes): return Int64(String(buffer: bytes))
        default: return nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A bulk string reply holding `bytes`.
    public static func bulk(bytes: some Sequence<UInt8>) -> RedisReply { .bulk(ByteBuffer(bytes: bytes)) }

    /// An array of field/value pairs (HGETALL) as a dictionary of strings.
    public var stringDictionary: [String: String] {
        guard let items = array else { return [:] }
        var result: [String: String] = [:]
        result.reserveCapacity(items.count / 2)
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string, let value = items[index + 1].string { result[key] = value }
            index += 2
        }
        return result
    }

    /// Throws `RedisError.server` for error replies, returns the reply otherwise.
    @discardableResult
    public func throwingErrors() throws -> RedisReply {
        if case .error(let message) = self { throw RedisError.server(message) }
        return self
    }
}
