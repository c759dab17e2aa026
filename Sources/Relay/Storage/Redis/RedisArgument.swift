import NIOCore

/// One binary-safe command argument. Text is kept as the `String` it came as and written into the outgoing buffer
/// as UTF-8 when the command is encoded: short values (numbers, ids, date buckets — most of a usage write's
/// arguments) live inside the `String` itself, so building them allocates nothing.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    private enum Storage: Sendable {
        case text(String)
        case bytes([UInt8])
    }

    private let storage: Storage

    public init(bytes: [UInt8]) { storage = .bytes(bytes) }
    public init(_ string: String) { storage = .text(string) }
    public init(_ value: Int) { storage = .text(String(value)) }
    public init(_ value: Int64) { storage = .text(String(value)) }
    public init(_ value: Double) { storage = .text(String(value)) }
    public init(_ buffer: ByteBuffer) { storage = .bytes(Array(buffer.readableBytesView)) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }

    /// The argument's bytes as Redis receives them.
    public var bytes: [UInt8] {
        switch storage {
        case .text(let text): return Array(text.utf8)
        case .bytes(let bytes): return bytes
        }
    }

    var byteCount: Int {
        switch storage {
        case .text(let text): return text.utf8.count
        case .bytes(let bytes): return bytes.count
        }
    }

    func write(into buffer: inout ByteBuffer) {
        switch storage {
        case .text(let text): buffer.writeString(text)
        case .bytes(let bytes): buffer.writeBytes(bytes)
        }
    }

    /// Equal when Redis would receive the same bytes, however each was built.
    public static func == (lhs: RedisArgument, rhs: RedisArgument) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.text(let left), .text(let right)): return left.utf8.elementsEqual(right.utf8)
        case (.bytes(let left), .bytes(let right)): return left == right
        case (.text(let text), .bytes(let bytes)), (.bytes(let bytes), .text(let text)): return text.utf8.elementsEqual(bytes)
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .text(let text): for byte in text.utf8 { hasher.combine(byte) }
        case .bytes(let bytes): for byte in bytes { hasher.combine(byte) }
        }
    }
}

/// A command: its name and arguments, e.g. `RedisCommand("SET", "k", "v")`.
public struct RedisCommand: Sendable, Hashable {
    public var arguments: [RedisArgument]

    public init(_ name: String, _ arguments: RedisArgument...) {
        self.arguments = [RedisArgument(name)] + arguments
    }

    public init(_ name: String, arguments: [RedisArgument]) {
        self.arguments = [RedisArgument(name)] + arguments
    }

    public var name: String { String(decoding: arguments.first?.bytes ?? [], as: UTF8.self).uppercased() }
}
