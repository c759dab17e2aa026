import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// What the relay sends upstream for one attempt.
public struct UpstreamRequest: Sendable {
    public var url: String
    /// POST for every generation call; a few setup calls are GETs (Code Assist's `getCodeAssistGlobalUserSetting`).
    public var method: HTTPMethod = .POST
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    public var proxy: UpstreamProxy?
    /// Tool names the request renamed (upstream name → the client's): the reply gets the client's back.
    public var toolNames: [String: String] = [:]

    /// The request as the HTTP client sends it (the relay's own calls: probes, account tests).
    var clientRequest: HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        request.body = .bytes(body)
        return request
    }
}
