import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Tunnels

/// AsyncHTTPClient speaks SOCKS5 only without authentication. For an account whose SOCKS5 proxy needs a username and
/// password, the relay hands AHC a local HTTP `CONNECT` proxy instead — this bridge, on a loopback port — which opens
/// each tunnel through that SOCKS5 proxy with its credentials (RFC 1929), then splices the bytes. TLS to the upstream
/// still runs end to end inside the tunnel.
///
/// Each distinct proxy gets a ticket; AHC presents `ticket:secret` as Basic proxy credentials (the secret is random per
/// process), so nothing else on the machine can use the bridge as a proxy. The listener starts on first use.
final class SOCKS5Bridge: Sendable {
    private struct State {
        var channel: Channel?
        var tickets: [String: UpstreamProxy] = [:]
        var ticketOf: [UpstreamProxy: String] = [:]
    }

    let secret: String
    private let state = NIOLockedValueBox(State())
    private let handshakeTimeout: TimeAmount
    private let logger: Logger

    init(handshakeTimeout: TimeAmount, logger: Logger) {
        self.handshakeTimeout = handshakeTimeout
        self.logger = logger
        secret = SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    /// The loopback port to give AHC as an HTTP proxy for `proxy`, and the ticket naming it.
    func endpoint(for proxy: UpstreamProxy) throws -> (port: Int, ticket: String) {
        try state.withLockedValue { state in
            if state.channel == nil { state.channel = try bind() }
            let ticket = state.ticketOf[proxy] ?? "p\(state.tickets.count + 1)"
            state.tickets[ticket] = proxy
            state.ticketOf[proxy] = ticket
            return (state.channel?.localAddress?.port ?? 0, ticket)
        }
    }

    func shutdown() {
        let channel = state.withLockedValue { state -> Channel? in
            defer { state.channel = nil }
            return state.channel
        }
        channel?.close(promise: nil)
    }

    private func bind() throws -> Channel {
        try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    Task { await self.serve(connection) }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
    }

    private func proxy(for credentials: (username: String, password: String)?) -> UpstreamProxy? {
        guard let credentials, Self.constantTimeEqual(credentials.password, secret) else { return nil }
        return state.withLockedValue { $0.tickets[credentials.username] }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var reader = ByteReader(inbound)
            let head: ConnectHead
            do {
                head = try ConnectHead(try await reader.through(ConnectHead.terminator, limit: ConnectHead.limit))
            } catch {
                try await outbound.write(ByteBuffer(bytes: ConnectHead.response(400, "Bad Request")))
                return
            }
            guard let proxy = proxy(for: head.basicCredentials) else {
                try await outbound.write(ByteBuffer(bytes: ConnectHead.response(407, "Proxy Authentication Required")))
                return
            }
            let destination = SOCKS5.Destination(host: head.host, port: head.port)
            do {
                let socks = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(handshakeTimeout)
                    .connect(host: proxy.host, port: proxy.port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                // A proxy that accepts the connection and then says nothing must not hold the request: past the
                // timeout the connection is closed, which ends the handshake's reads with an error.
                let watchdog = socks.channel.eventLoop.scheduleTask(in: handshakeTimeout) { socks.channel.close(promise: nil) }
                try await socks.executeThenClose { socksInbound, socksOutbound in
                    var socksReader = ByteReader(socksInbound)
                    try await SOCKS5.handshake(reader: &socksReader, write: { try await socksOutbound.write(ByteBuffer(bytes: $0)) },
                                               username: proxy.username, password: proxy.password, destination: destination)
                    watchdog.cancel()
                    try await outbound.write(ByteBuffer(bytes: ConnectHead.established))
                    await Splice.run(reader.remainder(), into: socksOutbound, socksReader.remainder(), into: outbound)
                }
            } catch {
                // The proxy's address and the reason; never its credentials.
                logger.warning("SOCKS5 proxy tunnel failed", metadata: [
                    "proxy": "\(proxy.host):\(proxy.port)", "destination": "\(destination.host):\(destination.port)", "reason": "\(error)",
                ])
                try? await outbound.write(ByteBuffer(bytes: ConnectHead.response(502, "Bad Gateway")))
            }
        }
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
