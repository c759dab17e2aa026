import Foundation

/// The head of an HTTP `CONNECT host:port` request (RFC 9110 §9.3.6), as a proxy reads it.
public struct ConnectHead: Sendable {
    public static let terminator: [UInt8] = Array("\r\n\r\n".utf8)
    public static let limit = 16 * 1024

    public let host: String
    public let port: Int
    /// Header names lower-cased.
    public let headers: [(name: String, value: String)]

    public init(_ bytes: [UInt8]) throws {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let requestLine = lines.first else { throw TunnelError.malformed("empty request") }
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[0] == "CONNECT", parts[2].hasPrefix("HTTP/1.") else {
            throw TunnelError.malformed("not a CONNECT request")
        }
        let authority = String(parts[1])
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
              (1...65535).contains(port) else { throw TunnelError.malformed("CONNECT target needs host:port") }
        host = String(authority[..<colon]).trimmingBrackets
        self.port = port
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingSpaces)
        }
    }

    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// `Proxy-Authorization: Basic …` decoded to its username and password.
    public var basicCredentials: (username: String, password: String)? {
        guard let value = header("proxy-authorization"), value.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(value.dropFirst(6)).trimmingSpaces),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    /// The answer that opens the tunnel: the bytes after it belong to the destination.
    public static let established: [UInt8] = Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8)

    /// A refusal: a complete response with no body.
    public static func response(_ status: Int, _ reason: String, headers: [String] = []) -> [UInt8] {
        Array((["HTTP/1.1 \(status) \(reason)"] + headers + ["Content-Length: 0", "", ""]).joined(separator: "\r\n").utf8)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : String(self)
    }
}
