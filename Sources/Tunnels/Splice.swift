import NIOCore

/// One direction's source once a handshake is over: bytes already read, then the rest of the connection's stream.
/// Moved into exactly one copying task (the stream's iterator is not `Sendable`, but it is never shared).
public struct TunnelSource: @unchecked Sendable {
    let leftover: ByteBuffer
    let iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
}

/// Copies bytes both ways between two connections — `a` into `aSink` (the other connection's writer) and `b` into
/// `bSink` — until one direction ends (the peer closed, or an error): then the
/// other is cancelled too, and the caller closes both connections. HTTP and TLS over a tunnel need no half-close.
public enum Splice {
    public static func run(_ a: TunnelSource, into aSink: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                           _ b: TunnelSource, into bSink: NIOAsyncChannelOutboundWriter<ByteBuffer>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await copy(a, to: aSink) }
            group.addTask { await copy(b, to: bSink) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private static func copy(_ source: TunnelSource, to sink: NIOAsyncChannelOutboundWriter<ByteBuffer>) async {
        var iterator = source.iterator
        defer { sink.finish() }
        if source.leftover.readableBytes > 0 { try? await sink.write(source.leftover) }
        while let chunk = try? await iterator.next() {
            guard (try? await sink.write(chunk)) != nil else { return }
        }
    }
}
