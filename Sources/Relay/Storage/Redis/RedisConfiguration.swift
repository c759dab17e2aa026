import Foundation
import NIOCore

/// Where and how to connect: parsed from `redis://[[user]:password@]host[:port][/db]` or `unix:///path/to.sock[?db=N]`.
public struct RedisConfiguration: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// The master of `master` as the sentinels report it, asked again on every new connection.
        case sentinel(master: String, sentinels: [SentinelAddress])
    }

    public struct SentinelAddress: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }
        public var description: String { "\(host):\(port)" }

        /// `host:port[,host:port…]` (port 26379 when left out).
        public static func list(_ text: String) throws -> [SentinelAddress] {
            try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
                let parts = entry.split(separator: ":")
                guard parts.count <= 2, let host = parts.first.map(String.init), !host.isEmpty else {
                    throw RedisError.invalidConfiguration("sentinel '\(entry)' is not host:port")
                }
                let port = parts.count == 2 ? Int(parts[1]) : 26379
                guard let port, (1...65535).contains(port) else { throw RedisError.invalidConfiguration("sentinel '\(entry)' has a bad port") }
                return SentinelAddress(host: host, port: port)
            }
        }
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    /// The sentinels' own password (`requirepass` in sentinel.conf), if any.
    public var sentinelPassword: String?
    public var database: Int
    public var poolSize: Int
    public var connectTimeout: TimeAmount
    public var commandTimeout: TimeAmount
    /// How long a caller waits for a free pooled connection before `poolExhausted`.
    public var leaseTimeout: TimeAmount
    /// Reconnect backoff after a failed connection attempt: starts at `minimum`, doubles up to `maximum`.
    public var reconnectBackoff: (minimum: TimeAmount, maximum: TimeAmount)

    public init(
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 16,
        connectTimeout: TimeAmount = .seconds(1),
        commandTimeout: TimeAmount = .seconds(2),
        leaseTimeout: TimeAmount = .seconds(2),
        reconnectBackoff: (minimum: TimeAmount, maximum: TimeAmount) = (.milliseconds(25), .milliseconds(500))
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.leaseTimeout = leaseTimeout
        self.reconnectBackoff = reconnectBackoff
    }

    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw RedisError.invalidConfiguration("not a URL (expected redis://host:port/db or unix:///path)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        var database = 0
        switch scheme {
        case "redis":
            // The host as written: `host` would decode IDNA through ICU (megabytes of its data resident for good).
            guard let written = components.percentEncodedHost, !written.isEmpty,
                  case let host = written.hasPrefix("[") && written.hasSuffix("]") ? String(written.dropFirst().dropLast()) : written,
                  !host.isEmpty, !host.contains("%") else {
                throw RedisError.invalidConfiguration("missing host in redis:// URL")
            }
            let port = components.port ?? 6379
            guard (1...65535).contains(port) else { throw RedisError.invalidConfiguration("port \(port) out of range") }
            let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else { throw RedisError.invalidConfiguration("database '\(path)' is not a number") }
                database = db
            }
            self.init(endpoint: .tcp(host: host, port: port))
        case "unix", "redis+unix":
            guard !components.path.isEmpty else { throw RedisError.invalidConfiguration("missing socket path") }
            self.init(endpoint: .unix(path: components.path))
        case "rediss":
            throw RedisError.invalidConfiguration("TLS (rediss://) is not supported; terminate TLS with a local stunnel or use a private network")
        default:
            throw RedisError.invalidConfiguration("unsupported scheme '\(scheme)'")
        }
        if let db = query["db"] {
            guard let value = Int(db), value >= 0 else { throw RedisError.invalidConfiguration("db '\(db)' is not a number") }
            database = value
        }
        self.database = database
        if let password = components.password.map({ $0.removingPercentEncoding ?? $0 }), !password.isEmpty {
            self.password = password
            if let user = components.user, !user.isEmpty { self.username = user.removingPercentEncoding ?? user }
        } else if let user = components.user, !user.isEmpty, components.password == nil {
            // `redis://secret@host` is a common spelling for a password without a user.
            self.password = user.removingPercentEncoding ?? user
        }
    }

    /// The URL without its password, for logs.
    public var redactedDescription: String {
        let auth = password == nil ? "" : "\(username ?? ""):***@"
        switch endpoint {
        case .tcp(let host, let port): return "redis://\(auth)\(host):\(port)/\(database)"
        case .unix(let path): return "unix://\(auth)\(path)?db=\(database)"
        case .sentinel(let master, let sentinels): return "sentinel://\(auth)\(sentinels.map(\.description).joined(separator: ","))/\(master)?db=\(database)"
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.username == rhs.username && lhs.password == rhs.password
            && lhs.database == rhs.database && lhs.poolSize == rhs.poolSize
    }
}
