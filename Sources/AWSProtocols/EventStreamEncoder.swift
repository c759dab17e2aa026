/// Encodes event-stream messages: prelude (total length, headers length, prelude CRC), headers, payload,
/// message CRC — all integers big-endian.
public enum EventStreamEncoder {
    public static func encode(_ message: EventStreamMessage) -> [UInt8] {
        var headers: [UInt8] = []
        for (name, value) in message.headers {
            let nameBytes = Array(name.utf8)
            headers.append(UInt8(nameBytes.count))
            headers += nameBytes
            switch value {
            case .bool(let flag): headers.append(flag ? 0 : 1)
            case .int8(let number): headers.append(2); headers.append(UInt8(bitPattern: number))
            case .int16(let number): headers.append(3); headers += bigEndian(UInt16(bitPattern: number))
            case .int32(let number): headers.append(4); headers += bigEndian(UInt32(bitPattern: number))
            case .int64(let number): headers.append(5); headers += bigEndian(UInt64(bitPattern: number))
            case .bytes(let bytes): headers.append(6); headers += bigEndian(UInt16(bytes.count)); headers += bytes
            case .string(let text):
                let bytes = Array(text.utf8)
                headers.append(7); headers += bigEndian(UInt16(bytes.count)); headers += bytes
            case .timestamp(let millis): headers.append(8); headers += bigEndian(UInt64(bitPattern: millis))
            case .uuid(let bytes): headers.append(9); headers += bytes.prefix(16)
            }
        }
        let total = 16 + headers.count + message.payload.count
        var bytes = bigEndian(UInt32(total)) + bigEndian(UInt32(headers.count))
        bytes += bigEndian(CRC32.checksum(bytes))
        bytes += headers
        bytes += message.payload
        bytes += bigEndian(CRC32.checksum(bytes))
        return bytes
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
