import AsyncHTTPClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One AsyncHTTPClient per distinct proxy (AHC's proxy is a client setting), each with a pool sized for a relay
/// (AHC's default of 8 connections per host caps throughput). No response decompression: bytes pass through. No
/// redirects are followed.
public final class UpstreamHTTPClients: Sendable {
    private let clients = NIOLockedValueBox<[UpstreamProxy?: HTTPClient]>([:])
    let connectTimeout: TimeAmount
    let connectionsPerHost: Int
    /// Carries SOCKS5 proxies that need a username and password (AHC's SOCKS client has no authentication).
    private let socksBridge: SOCKS5Bridge

    public init(connectTimeoutMilliseconds: Int, connectionsPerHost: Int = 512, logger: Logger = Logger(label: "crs.proxy")) {
        self.connectTimeout = .milliseconds(Int64(connectTimeoutMilliseconds))
        self.connectionsPerHost = connectionsPerHost
        socksBridge = SOCKS5Bridge(handshakeTimeout: connectTimeout, logger: logger)
    }

    public func client(for proxy: UpstreamProxy?) -> HTTPClient {
        clients.withLockedValue { clients in
            if let existing = clients[proxy] { return existing }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: connectTimeout, read: nil)
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
            // A connection that cannot be made (refused, TLS handshake failed) fails the attempt at once: the relay
            // fails over to the next account itself. AHC's own retry kept trying with backoff until the connect
            // timeout (10 s), so every request to a dead account waited that long first.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.decompression = .disabled
            // Never follow an upstream's redirect: AHC would re-send the request — credential headers included
            // (`x-api-key`, `api-key`, `x-goog-api-key`) — to wherever the Location points. A 3xx is an upstream error.
            configuration.redirectConfiguration = .disallow
            configuration.httpVersion = .automatic
            if let proxy {
                switch proxy.kind {
                case .socks5 where proxy.username != nil:
                    // Port 0 (the bridge could not listen) fails the connection at once: the attempt fails over.
                    let bridge = (try? socksBridge.endpoint(for: proxy)) ?? (port: 0, ticket: "")
                    configuration.proxy = .server(host: "127.0.0.1", port: bridge.port,
                                                  authorization: .basic(username: bridge.ticket, password: socksBridge.secret))
                case .socks5:
                    configuration.proxy = .socksServer(host: proxy.host, port: proxy.port)
                case .http, .https:
                    let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
                    configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
                }
            }
            let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
            clients[proxy] = client
            return client
        }
    }

    public func shutdown() async {
        let all = clients.withLockedValue { clients -> [HTTPClient] in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
        socksBridge.shutdown()
    }
}
