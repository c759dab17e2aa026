import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange as the scenario runner sees it.
public struct HTTPExchange: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) }

    /// SSE event names in order (`event:` lines).
    public var eventNames: [String] {
        body.split(separator: "\n").compactMap { line in
            line.hasPrefix("event:") ? line.dropFirst(6).trimmingCharacters(in: .whitespaces) : nil
        }
    }

    public static func send(method: String, url: String, headers: [String: String] = [:], body: Data? = nil, timeout: TimeAmount = .seconds(30)) async throws -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method.uppercased())
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(data: body))
            if request.headers["content-type"].isEmpty { request.headers.add(name: "content-type", value: "application/json") }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 64 << 20)
        return HTTPExchange(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: collected))
    }
}
