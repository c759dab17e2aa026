import NIOConcurrencyHelpers

/// One tunnel the proxy fake was asked for, and what became of it.
public struct ProxyTunnel: Codable, Sendable, Equatable {
    /// `http` (CONNECT) or `socks5`.
    public let scheme: String
    /// The username the client authenticated with (never the password).
    public let username: String?
    /// `host:port` asked for.
    public let target: String
    /// `open`, or why it was refused (`407`, `auth failed`, …).
    public let outcome: String
}

/// The proxy fake's record, read through `GET /__fake/proxy`.
public final class FakeProxyLog: Sendable {
    private let tunnels = NIOLockedValueBox<[ProxyTunnel]>([])

    public init() {}

    public var all: [ProxyTunnel] { tunnels.withLockedValue { $0 } }

    func append(_ tunnel: ProxyTunnel) {
        tunnels.withLockedValue { list in
            if list.count >= 10_000 { list.removeFirst(list.count - 9_999) }
            list.append(tunnel)
        }
    }

    public func clear() { tunnels.withLockedValue { $0 = [] } }
}
