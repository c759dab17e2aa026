import NIOCore

/// SOCKS version 5 (RFC 1928) with username/password authentication (RFC 1929): the bytes each side sends.
public enum SOCKS5 {
    public static let version: UInt8 = 5
    public enum Method: UInt8 { case none = 0x00, usernamePassword = 0x02, noAcceptable = 0xFF }
    /// RFC 1928 §6 reply codes.
    public enum Reply: UInt8 {
        case succeeded = 0, generalFailure = 1, notAllowed = 2, networkUnreachable = 3, hostUnreachable = 4
        case connectionRefused = 5, ttlExpired = 6, commandNotSupported = 7, addressTypeNotSupported = 8
    }

    /// The destination of a CONNECT: a host name (resolved by the proxy), or an IPv4/IPv6 literal.
    public struct Destination: Equatable, Sendable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }

        /// ATYP, address and port as they follow `VER CMD RSV` in a request.
        var encoded: [UInt8] {
            var bytes: [UInt8]
            if let v4 = IPv4.parse(host) {
                bytes = [0x01] + v4
            } else if let v6 = IPv6.parse(host) {
                bytes = [0x04] + v6
            } else {
                let name = Array(host.utf8.prefix(255))
                bytes = [0x03, UInt8(name.count)] + name
            }
            return bytes + [UInt8(port >> 8 & 0xFF), UInt8(port & 0xFF)]
        }
    }

    // MARK: client side

    /// The greeting, offering username/password only when there are credentials (and "none" otherwise).
    public static func greeting(authenticating: Bool) -> [UInt8] {
        authenticating ? [version, 1, Method.usernamePassword.rawValue] : [version, 1, Method.none.rawValue]
    }

    /// RFC 1929's sub-negotiation request; each field is at most 255 bytes.
    public static func credentials(username: String, password: String) throws -> [UInt8] {
        let user = Array(username.utf8), pass = Array(password.utf8)
        guard (1...255).contains(user.count), pass.count <= 255 else {
            throw TunnelError.malformed("SOCKS5 username must be 1–255 bytes and password at most 255")
        }
        return [0x01, UInt8(user.count)] + user + [UInt8(pass.count)] + pass
    }

    public static func connectRequest(_ destination: Destination) -> [UInt8] {
        [version, 0x01, 0x00] + destination.encoded
    }

    /// Runs the client side of the handshake on `reader`/`write`: greeting, authentication when the server asks for
    /// it, CONNECT. Returns once the proxy reports the tunnel open; throws `TunnelError.refused` saying why not.
    public static func handshake(reader: inout ByteReader, write: ([UInt8]) async throws -> Void,
                                 username: String?, password: String?, destination: Destination) async throws {
        try await write(greeting(authenticating: username != nil))
        let choice = try await reader.bytes(2)
        guard choice[0] == version else { throw TunnelError.malformed("not a SOCKS5 server (version \(choice[0]))") }
        switch Method(rawValue: choice[1]) {
        case .none?:
            break
        case .usernamePassword?:
            guard let username else { throw TunnelError.refused("the SOCKS5 proxy requires a username and password") }
            try await write(credentials(username: username, password: password ?? ""))
            let status = try await reader.bytes(2)
            guard status[1] == 0 else { throw TunnelError.refused("the SOCKS5 proxy rejected the username and password") }
        default:
            throw TunnelError.refused(username == nil ? "the SOCKS5 proxy requires authentication" : "the SOCKS5 proxy does not accept username/password authentication")
        }
        try await write(connectRequest(destination))
        let head = try await reader.bytes(4)
        guard head[0] == version else { throw TunnelError.malformed("SOCKS5 reply version \(head[0])") }
        // The bound address that follows is read and discarded.
        switch head[3] {
        case 0x01: _ = try await reader.bytes(4 + 2)
        case 0x04: _ = try await reader.bytes(16 + 2)
        case 0x03: _ = try await reader.bytes(Int(try await reader.byte()) + 2)
        default: throw TunnelError.malformed("SOCKS5 reply address type \(head[3])")
        }
        guard head[1] == Reply.succeeded.rawValue else {
            throw TunnelError.refused("the SOCKS5 proxy could not connect to \(destination.host):\(destination.port): \(Reply(rawValue: head[1]).map { "\($0)" } ?? "reply \(head[1])")")
        }
    }

    // MARK: server side

    /// Reads a request's `ATYP address port` (after `VER CMD RSV`).
    public static func readDestination(_ reader: inout ByteReader) async throws -> Destination {
        let host: String
        switch try await reader.byte() {
        case 0x01: host = try await reader.bytes(4).map { String($0) }.joined(separator: ".")
        case 0x03: host = String(decoding: try await reader.bytes(Int(try await reader.byte())), as: UTF8.self)
        case 0x04: host = IPv6.format(try await reader.bytes(16))
        case let other: throw TunnelError.malformed("address type \(other)")
        }
        let port = try await reader.bytes(2)
        return Destination(host: host, port: Int(port[0]) << 8 | Int(port[1]))
    }

    /// A reply with an all-zero IPv4 bound address (clients ignore it for CONNECT).
    public static func reply(_ code: Reply) -> [UInt8] { [version, code.rawValue, 0, 0x01, 0, 0, 0, 0, 0, 0] }
}

enum IPv4 {
    static func parse(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}

enum IPv6 {
    static func parse(_ text: String) -> [UInt8]? {
        let trimmed = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        guard trimmed.contains(":"), let address = try? SocketAddress(ipAddress: trimmed, port: 0),
              case .v6(let v6) = address else { return nil }
        return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
    }

    static func format(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
