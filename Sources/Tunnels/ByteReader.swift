import NIOCore

/// Reads a byte stream (a connection's inbound side) in the units a handshake needs: an exact count, or everything
/// up to a terminator. Bytes read past what was asked for stay buffered and come out first afterwards (`leftover`).
public struct ByteReader {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()

    public init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) {
        iterator = inbound.makeAsyncIterator()
    }

    /// Exactly `count` bytes; `TunnelError.closed` if the peer closes first.
    public mutating func bytes(_ count: Int) async throws -> [UInt8] {
        while buffer.readableBytes < count { try await fill() }
        return buffer.readBytes(length: count) ?? []
    }

    public mutating func byte() async throws -> UInt8 { try await bytes(1)[0] }

    /// Everything up to and including `terminator`, refusing more than `limit` bytes (a peer that never ends its
    /// header must not grow the buffer without bound).
    public mutating func through(_ terminator: [UInt8], limit: Int) async throws -> [UInt8] {
        var searchedUpTo = 0
        while true {
            let view = buffer.readableBytesView
            if view.count >= terminator.count {
                let start = view.startIndex
                var index = start + max(0, searchedUpTo - terminator.count + 1)
                while index + terminator.count <= view.endIndex {
                    if view[index..<(index + terminator.count)].elementsEqual(terminator) {
                        return buffer.readBytes(length: index + terminator.count - start) ?? []
                    }
                    index += 1
                }
                searchedUpTo = view.count
            }
            guard buffer.readableBytes < limit else { throw TunnelError.headerTooLarge(limit) }
            try await fill()
        }
    }

    /// The bytes read from the connection but not consumed, and the stream that continues after them: what a
    /// tunnel copies once the handshake is over. The reader is not used afterwards.
    public func remainder() -> TunnelSource {
        TunnelSource(leftover: buffer, iterator: iterator)
    }

    private mutating func fill() async throws {
        guard var chunk = try await iterator.next() else { throw TunnelError.closed }
        buffer.writeBuffer(&chunk)
    }
}

public enum TunnelError: Error, CustomStringConvertible, Equatable {
    case closed
    case headerTooLarge(Int)
    case malformed(String)
    case refused(String)

    public var description: String {
        switch self {
        case .closed: return "the peer closed the connection during the handshake"
        case .headerTooLarge(let limit): return "handshake header longer than \(limit) bytes"
        case .malformed(let what): return "malformed handshake: \(what)"
        case .refused(let why): return why
        }
    }
}
