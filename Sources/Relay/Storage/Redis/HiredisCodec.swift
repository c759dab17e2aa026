import CHiredis
import NIOCore

/// Reply parsing by hiredis's reader (`redisReaderFeed` / `redisReaderGetReply`).
final class HiredisDecoder {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        reader = redisReaderCreate()
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Feeds bytes and returns every reply that is now complete, in order.
    func feed(_ buffer: ByteBuffer) throws -> [RedisReply] {
        let fed = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return REDIS_OK }
            return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if fed != REDIS_OK { throw RedisError.protocolError(errorText) }
        var replies: [RedisReply] = []
        while true {
            var raw: UnsafeMutableRawPointer? = nil
            if redisReaderGetReply(reader, &raw) != REDIS_OK { throw RedisError.protocolError(errorText) }
            guard let raw else { break }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.convert(reply))
            freeReplyObject(raw)
        }
        return replies
    }

    private var errorText: String {
        withUnsafePointer(to: reader.pointee.errstr) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
    }

    /// The reply as a `RedisReply`. All of its bulk strings are copied into one buffer first, and each bulk is a
    /// slice of it: one allocation per reply instead of one per bulk (a key record is ~70 bulks).
    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let length = bulkLength(reply)
        var strings = length > 0 ? ByteBufferAllocator().buffer(capacity: length) : empty
        if length > 0 { copyBulks(reply, into: &strings) }
        var offset = 0
        return convert(reply, strings: strings, offset: &offset)
    }

    private static let empty = ByteBuffer()

    private static func bulkLength(_ reply: UnsafeMutablePointer<redisReply>) -> Int {
        let value = reply.pointee
        if value.type == REDIS_REPLY_STRING { return value.len }
        guard value.type == REDIS_REPLY_ARRAY else { return 0 }
        var total = 0
        for index in 0..<Int(value.elements) { if let element = value.element[index] { total += bulkLength(element) } }
        return total
    }

    private static func copyBulks(_ reply: UnsafeMutablePointer<redisReply>, into strings: inout ByteBuffer) {
        let value = reply.pointee
        if value.type == REDIS_REPLY_STRING, let pointer = value.str, value.len > 0 {
            strings.writeBytes(UnsafeRawBufferPointer(start: pointer, count: value.len))
        } else if value.type == REDIS_REPLY_ARRAY {
            for index in 0..<Int(value.elements) { if let element = value.element[index] { copyBulks(element, into: &strings) } }
        }
    }

    /// Walks the reply in `copyBulks`'s order, so each bulk's bytes start at `offset`.
    private static func convert(_ reply: UnsafeMutablePointer<redisReply>, strings: ByteBuffer, offset: inout Int) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            defer { offset += value.len }
            return .bulk(strings.getSlice(at: strings.readerIndex + offset, length: value.len) ?? empty)
        case REDIS_REPLY_STATUS:
            return .status(text(value.str, value.len))
        case REDIS_REPLY_ERROR:
            return .error(text(value.str, value.len))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(value.elements))
            for index in 0..<Int(value.elements) {
                if let element = value.element[index] { items.append(convert(element, strings: strings, offset: &offset)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .null
        }
    }

    /// Decoded straight from hiredis's buffer (short statuses like OK/PONG need no heap allocation).
    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
