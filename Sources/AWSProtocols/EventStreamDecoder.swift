import Foundation

/// Decodes event-stream messages from bytes that arrive in arbitrary pieces (a frame may be split across
/// network reads, or several may come in one). Both CRCs are verified; a mismatch, an impossible length or a
/// malformed header is an error — the stream cannot be trusted past it.
public struct EventStreamDecoder: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case preludeChecksum(expected: UInt32, actual: UInt32)
        case messageChecksum(expected: UInt32, actual: UInt32)
        case invalidLength(Int)
        case malformedHeaders

        public var description: String {
            switch self {
            case .preludeChecksum(let expected, let actual): return "event-stream prelude CRC mismatch (frame says \(expected), computed \(actual))"
            case .messageChecksum(let expected, let actual): return "event-stream message CRC mismatch (frame says \(expected), computed \(actual))"
            case .invalidLength(let length): return "event-stream frame with impossible length \(length)"
            case .malformedHeaders: return "event-stream frame with malformed headers"
            }
        }
    }

    /// Frames larger than this are refused (Bedrock chunks are a few KB; 16 MiB is AWS's own limit).
    public static let maximumMessageLength = 16 << 20

    private var buffer: [UInt8] = []

    public init() {}

    /// Bytes held back waiting for the rest of a frame.
    public var pendingBytes: Int { buffer.count }

    /// Adds bytes and returns every message now complete.
    public mutating func feed<C: Collection>(_ bytes: C) throws -> [EventStreamMessage] where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        var messages: [EventStreamMessage] = []
        var offset = 0
        while buffer.count - offset >= 12 {
            let total = Int(Self.uint32(buffer, offset))
            let headersLength = Int(Self.uint32(buffer, offset + 4))
            let preludeCRC = Self.uint32(buffer, offset + 8)
            let computedPrelude = CRC32.checksum(buffer[offset..<(offset + 8)])
            guard preludeCRC == computedPrelude else { throw Failure.preludeChecksum(expected: preludeCRC, actual: computedPrelude) }
            guard total >= 16, total <= Self.maximumMessageLength, headersLength <= total - 16 else { throw Failure.invalidLength(total) }
            guard buffer.count - offset >= total else { break }
            let messageCRC = Self.uint32(buffer, offset + total - 4)
            let computed = CRC32.checksum(buffer[offset..<(offset + total - 4)])
            guard messageCRC == computed else { throw Failure.messageChecksum(expected: messageCRC, actual: computed) }
            let headers = try Self.headers(buffer[(offset + 12)..<(offset + 12 + headersLength)])
            let payload = Array(buffer[(offset + 12 + headersLength)..<(offset + total - 4)])
            messages.append(EventStreamMessage(headers: headers, payload: payload))
            offset += total
        }
        if offset > 0 { buffer.removeFirst(offset) }
        return messages
    }

    static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (UInt32(bytes[offset]) << 24) | (UInt32(bytes[offset + 1]) << 16) | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
    }

    static func headers(_ slice: ArraySlice<UInt8>) throws -> [(name: String, value: EventStreamMessage.HeaderValue)] {
        let bytes = Array(slice)
        var result: [(name: String, value: EventStreamMessage.HeaderValue)] = []
        var index = 0
        func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, index + count <= bytes.count else { throw Failure.malformedHeaders }
            defer { index += count }
            return Array(bytes[index..<(index + count)])
        }
        func integer(_ count: Int) throws -> UInt64 {
            try take(count).reduce(0) { ($0 << 8) | UInt64($1) }
        }
        while index < bytes.count {
            let nameLength = Int(try take(1)[0])
            guard nameLength > 0, let name = String(bytes: try take(nameLength), encoding: .utf8) else { throw Failure.malformedHeaders }
            let type = try take(1)[0]
            let value: EventStreamMessage.HeaderValue
            switch type {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .int8(Int8(bitPattern: UInt8(try integer(1))))
            case 3: value = .int16(Int16(bitPattern: UInt16(try integer(2))))
            case 4: value = .int32(Int32(bitPattern: UInt32(try integer(4))))
            case 5: value = .int64(Int64(bitPattern: try integer(8)))
            case 6: value = .bytes(try take(Int(try integer(2))))
            case 7:
                guard let text = String(bytes: try take(Int(try integer(2))), encoding: .utf8) else { throw Failure.malformedHeaders }
                value = .string(text)
            case 8: value = .timestamp(Int64(bitPattern: try integer(8)))
            case 9: value = .uuid(try take(16))
            default: throw Failure.malformedHeaders
            }
            result.append((name, value))
        }
        return result
    }
}
