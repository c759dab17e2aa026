import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// What a token endpoint answered to a grant (RFC 6749 §5.1 plus the providers' extras).
/// Built from JSONSerialization values and never mutated, hence `@unchecked`.
public struct OAuthGrant: @unchecked Sendable {
    public let accessToken: String
    /// Nil when the provider did not rotate it (Google) — the caller keeps the old one.
    public let refreshToken: String?
    public let expiresIn: Int?
    public let scope: String?
    public let idToken: String?
    /// The whole reply, for provider-specific fields (Claude: `organization`, `account`, `subscription`…).
    public let raw: [String: Any]

    init(_ raw: [String: Any]) throws {
        guard let access = raw["access_token"] as? String, !access.isEmpty else {
            throw OAuthFailure.malformedReply("the token reply has no access_token")
        }
        accessToken = access
        refreshToken = (raw["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        expiresIn = JSON.int(raw["expires_in"])
        scope = raw["scope"] as? String
        idToken = raw["id_token"] as? String
        self.raw = raw
    }
}

/// Why a grant failed. `definitive` failures (the grant was refused: invalid_grant, 400/401/403) need an admin to
/// re-authorize; the others (network, 429, 5xx, garbage) may pass on a later try.
public enum OAuthFailure: Error, CustomStringConvertible, Sendable {
    case refused(status: Int, error: String, description: String)
    case unavailable(String)
    case malformedReply(String)

    public var definitive: Bool {
        if case .refused(let status, _, _) = self { return status != 429 && status < 500 }
        return false
    }

    public var description: String {
        switch self {
        case .refused(let status, let error, let description):
            return "the token endpoint refused the grant (\(status) \(error)\(description.isEmpty ? "" : ": \(description)"))"
        case .unavailable(let reason): return "the token endpoint could not be reached (\(reason))"
        case .malformedReply(let reason): return reason
        }
    }
}

/// Posts authorization-code and refresh grants to a provider's token URL, through the account's proxy.
public struct OAuthTokenEndpoint: Sendable {
    let clients: UpstreamHTTPClients
    let timeout: TimeAmount

    public init(clients: UpstreamHTTPClients, timeout: TimeAmount = .seconds(30)) {
        self.clients = clients
        self.timeout = timeout
    }

    public func exchange(_ provider: OAuthProvider, code: String, pkce: PKCE, proxy: UpstreamProxy?, longLived: Bool = false) async throws -> OAuthGrant {
        var fields: [(String, Any)] = [
            ("grant_type", "authorization_code"), ("client_id", provider.clientID), ("code", code),
            ("redirect_uri", provider.redirectURI), ("code_verifier", pkce.verifier),
        ]
        if let secret = provider.clientSecret, !secret.isEmpty { fields.append(("client_secret", secret)) }
        if provider.platform == "claude" { fields.append(("state", pkce.state)) }
        if longLived { fields.append(("expires_in", 31_536_000)) }
        return try await post(provider, fields: fields, proxy: proxy)
    }

    public func refresh(_ provider: OAuthProvider, refreshToken: String, proxy: UpstreamProxy?, extraFields: [(String, String)] = []) async throws -> OAuthGrant {
        var fields: [(String, Any)] = [("grant_type", "refresh_token"), ("client_id", provider.clientID), ("refresh_token", refreshToken)]
        if let secret = provider.clientSecret, !secret.isEmpty { fields.append(("client_secret", secret)) }
        fields += (provider.extraRefreshFields + extraFields).map { ($0.0, $0.1 as Any) }
        return try await post(provider, fields: fields, proxy: proxy)
    }

    /// A device authorization (RFC 8628) at the provider's device endpoint (`authorizeURL`): the provider's reply.
    public func startDevice(_ provider: OAuthProvider, proxy: UpstreamProxy?) async throws -> [String: Any] {
        try await object(provider, url: provider.authorizeURL, fields: [("client_id", provider.clientID)], proxy: proxy)
    }

    /// The device-code grant: tokens once the user has approved; `refused(…, error: "authorization_pending" …)` before.
    public func deviceGrant(_ provider: OAuthProvider, deviceCode: String, proxy: UpstreamProxy?) async throws -> OAuthGrant {
        try await post(provider, fields: [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode),
                                          ("client_id", provider.clientID)], proxy: proxy)
    }

    private func post(_ provider: OAuthProvider, fields: [(String, Any)], proxy: UpstreamProxy?) async throws -> OAuthGrant {
        try OAuthGrant(try await object(provider, url: provider.tokenURL, fields: fields, proxy: proxy))
    }

    private func object(_ provider: OAuthProvider, url: String, fields: [(String, Any)], proxy: UpstreamProxy?) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in provider.tokenHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        switch provider.encoding {
        case .json:
            request.headers.replaceOrAdd(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: JSON.data(Dictionary(fields, uniquingKeysWith: { _, new in new }))))
        case .form:
            request.headers.replaceOrAdd(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields.map { ($0.0, "\($0.1)") })))
        }
        if request.headers["accept"].isEmpty { request.headers.add(name: "accept", value: "application/json") }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await clients.client(for: proxy).execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw OAuthFailure.unavailable(Self.describe(error))
        }
        let status = Int(response.status.code)
        let object = JSON.object(Data(buffer: body))
        guard (200..<300).contains(status) else {
            // Only the provider's error code and description are kept: an error body never holds a usable token,
            // but it is cut short anyway before it reaches a log or an account field.
            let error = (object?["error"] as? String) ?? ((object?["error"] as? [String: Any])?["type"] as? String) ?? "http_\(status)"
            let description = (object?["error_description"] as? String) ?? ((object?["error"] as? [String: Any])?["message"] as? String) ?? ""
            throw OAuthFailure.refused(status: status, error: String(error.prefix(80)), description: String(description.prefix(200)))
        }
        guard let object else { throw OAuthFailure.malformedReply("the token reply is not a JSON object") }
        return object
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error))
    }
}
