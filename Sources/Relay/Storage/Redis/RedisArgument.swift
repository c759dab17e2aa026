import NIOCore

/// One binary-safe command argument.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(_ value: Int) { self.bytes = Array(String(value).utf8) }
    public init(_ value: Int64) { self.bytes = Array(String(value).utf8) }
    public init(_ value: Double) { self.bytes = Array(String(value).utf8) }
    public init(_ buffer: ByteBuffer) { self.bytes = Array(buffer.readableBytesView) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
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
