import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Runs a fake's router on a loopback port (0 = pick a free one) until `stop()`.
public final class FakeServer: Sendable {
    public let port: Int
    public let state: FakeState
    /// The proxy fake (HTTP CONNECT and SOCKS5 with credentials) started with `all`, on its own port.
    public let proxy: FakeProxyServer?
    private let group: ServiceGroup
    private let task: Task<Void, Error>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The relay settings that point every upstream (and the OAuth authorization servers) at this server.
    public var relayEnvironment: [String: String] {
        FakeRegistry.relayEnvironment(baseURL: baseURL).merging(FakeOAuthServer.relayEnvironment(baseURL: baseURL)) { _, new in new }
    }

    private init(port: Int, state: FakeState, proxy: FakeProxyServer?, group: ServiceGroup, task: Task<Void, Error>) {
        self.port = port
        self.state = state
        self.proxy = proxy
        self.group = group
        self.task = task
    }

    /// Every provider's fake (`FakeRegistry`) on one port, with the harness's own pieces: the control API, the fake
    /// OAuth authorization servers, a webhook receiver, an OTLP collector, a price-list mirror — and a forward proxy on
    /// a second port.
    public static func all(host: String = "127.0.0.1", port: Int = 0, recordLimit: Int = 1_000_000,
                           logger: Logger = Logger(label: "crs.fake")) async throws -> FakeServer {
        let state = FakeState(recordLimit: recordLimit)
        let router = Router(context: FakeRequestContext.self)
        FakeControlAPI(state: state).register(on: router)
        FakeOAuthServer(state: state).register(on: router)
        FakeWebhookReceiver(state: state).register(on: router)
        FakeOTLPCollector(state: state).register(on: router)
        FakePriceMirror(state: state).register(on: router)
        for fake in FakeRegistry.all { fake.init(state: state).register(on: router) }
        let proxy = try await FakeProxyServer.start(host: host, log: state.proxyLog)
        return try await start(router: router, state: state, host: host, port: port, proxy: proxy, logger: logger)
    }

    public static func start(router: Router<FakeRequestContext>, state: FakeState, host: String, port: Int,
                             proxy: FakeProxyServer? = nil, logger: Logger) async throws -> FakeServer {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [FakeHangupHandler()])),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = portStream.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            await proxy?.stop()
            throw FakeServerError.couldNotBind(host: host, port: port)
        }
        return FakeServer(port: bound, state: state, proxy: proxy, group: group, task: task)
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await proxy?.stop()
    }
}

public enum FakeServerError: Error, CustomStringConvertible {
    case couldNotBind(host: String, port: Int)

    public var description: String {
        switch self {
        case .couldNotBind(let host, let port): return "fake server could not listen on \(host):\(port)"
        }
    }
}
