import AsyncHTTPClient
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

    public init(connectTimeoutMilliseconds: Int, connectionsPerHost: Int = 512) {
        self.connectTimeout = .milliseconds(Int64(connectTimeoutMilliseconds))
        self.connectionsPerHost = connectionsPerHost
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
    }
}
