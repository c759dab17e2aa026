import NIOCore
import NIOPosix
import Tunnels

/// A forward proxy on one loopback port that speaks both HTTP `CONNECT` (Basic `Proxy-Authorization`) and SOCKS5
/// (username/password, RFC 1929), telling them apart by the first byte. Like a real authenticated proxy it refuses a
/// client without the right credentials — `407 Proxy Authentication Required`, SOCKS5 method `0xFF` or auth status 1 —
/// and it tunnels only to loopback destinations (the harness's fakes), so it cannot become an open relay.
public final class FakeProxyServer: Sendable {
    public static let username = "crs-proxy"
    public static let password = "proxy-pass"

    public let port: Int
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>

    private init(port: Int, server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, task: Task<Void, Never>) {
        self.port = port
        self.server = server
        self.task = task
    }

    public static func start(host: String = "127.0.0.1", port: Int = 0, log: FakeProxyLog) async throws -> FakeProxyServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let bound = server.channel.localAddress?.port ?? 0
        let task = Task<Void, Never> {
            _ = try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await FakeProxyConnection(log: log).serve(connection) }
                        }
                    } catch {}
                }
            }
        }
        return FakeProxyServer(port: bound, server: server, task: task)
    }

    public func stop() async {
        server.channel.close(promise: nil)
        task.cancel()
        _ = await task.value
    }
}

/// One client connection to the proxy fake.
struct FakeProxyConnection {
    let log: FakeProxyLog

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var reader = ByteReader(inbound)
            let write: ([UInt8]) async throws -> Void = { try await outbound.write(ByteBuffer(bytes: $0)) }
            let first = try await reader.bytes(1)
            let opened: (FakeTunnelTarget, NIOAsyncChannel<ByteBuffer, ByteBuffer>)?
            if first[0] == SOCKS5.version {
                opened = try await socks(&reader, write: write)
            } else {
                opened = try await connect(&reader, first: first, write: write)
            }
            guard let (target, upstream) = opened else { return }
            log.append(ProxyTunnel(scheme: target.scheme, username: target.username, target: target.label, outcome: "open"))
            try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                await Splice.run(reader.remainder(), into: upstreamOutbound, ByteReader(upstreamInbound).remainder(), into: outbound)
            }
        }
    }

    private func connect(_ reader: inout ByteReader, first: [UInt8], write: ([UInt8]) async throws -> Void) async throws
        -> (FakeTunnelTarget, NIOAsyncChannel<ByteBuffer, ByteBuffer>)? {
        let head: ConnectHead
        do {
            head = try ConnectHead(first + (try await reader.through(ConnectHead.terminator, limit: ConnectHead.limit)))
        } catch {
            try await write(ConnectHead.response(400, "Bad Request"))
            return nil
        }
        let credentials = head.basicCredentials
        let target = FakeTunnelTarget(scheme: "http", username: credentials?.username, host: head.host, port: head.port)
        guard credentials?.username == FakeProxyServer.username, credentials?.password == FakeProxyServer.password else {
            refuse(target, "407")
            try await write(ConnectHead.response(407, "Proxy Authentication Required", headers: ["Proxy-Authenticate: Basic realm=\"crs-fake-proxy\""]))
            return nil
        }
        guard target.isLoopback else {
            refuse(target, "403 not loopback")
            try await write(ConnectHead.response(403, "Forbidden"))
            return nil
        }
        guard let upstream = try? await target.dial() else {
            refuse(target, "502 connect failed")
            try await write(ConnectHead.response(502, "Bad Gateway"))
            return nil
        }
        try await write(ConnectHead.established)
        return (target, upstream)
    }

    private func socks(_ reader: inout ByteReader, write: ([UInt8]) async throws -> Void) async throws
        -> (FakeTunnelTarget, NIOAsyncChannel<ByteBuffer, ByteBuffer>)? {
        let methods = try await reader.bytes(Int(try await reader.byte()))
        guard methods.contains(SOCKS5.Method.usernamePassword.rawValue) else {
            refuse(FakeTunnelTarget(scheme: "socks5", username: nil, host: "?", port: 0), "no acceptable method")
            try await write([SOCKS5.version, SOCKS5.Method.noAcceptable.rawValue])
            return nil
        }
        try await write([SOCKS5.version, SOCKS5.Method.usernamePassword.rawValue])
        guard try await reader.byte() == 0x01 else { return nil }
        let username = String(decoding: try await reader.bytes(Int(try await reader.byte())), as: UTF8.self)
        let password = String(decoding: try await reader.bytes(Int(try await reader.byte())), as: UTF8.self)
        guard username == FakeProxyServer.username, password == FakeProxyServer.password else {
            refuse(FakeTunnelTarget(scheme: "socks5", username: username, host: "?", port: 0), "auth failed")
            try await write([0x01, 0x01])
            return nil
        }
        try await write([0x01, 0x00])
        let request = try await reader.bytes(3)
        let destination = try await SOCKS5.readDestination(&reader)
        let target = FakeTunnelTarget(scheme: "socks5", username: username, host: destination.host, port: destination.port)
        guard request[0] == SOCKS5.version, request[1] == 0x01 else {
            refuse(target, "command not supported")
            try await write(SOCKS5.reply(.commandNotSupported))
            return nil
        }
        guard target.isLoopback else {
            refuse(target, "not loopback")
            try await write(SOCKS5.reply(.notAllowed))
            return nil
        }
        guard let upstream = try? await target.dial() else {
            refuse(target, "connection refused")
            try await write(SOCKS5.reply(.connectionRefused))
            return nil
        }
        try await write(SOCKS5.reply(.succeeded))
        return (target, upstream)
    }

    private func refuse(_ target: FakeTunnelTarget, _ why: String) {
        log.append(ProxyTunnel(scheme: target.scheme, username: target.username, target: target.label, outcome: why))
    }
}

struct FakeTunnelTarget {
    let scheme: String
    let username: String?
    let host: String
    let port: Int

    var label: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    var isLoopback: Bool { ["127.0.0.1", "localhost", "::1", "0:0:0:0:0:0:0:1"].contains(host.lowercased()) }

    func dial() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host == "localhost" ? "127.0.0.1" : host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
    }
}
