import AsyncHTTPClient
import Foundation
import NIOCore

/// `GET {api}/api/oauth/profile` (docs/reference/upstream-wire.md) after an exchange whose scopes include `user:profile`:
/// the subscription (Max / Pro) and e-mail for the admin UI. Best effort — onboarding does not fail without it.
public struct ClaudeProfile: Sendable {
    let baseURL: String
    let clients: UpstreamHTTPClients

    public init(baseURL: String, clients: UpstreamHTTPClients) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.clients = clients
    }

    func fields(accessToken: String, proxy: UpstreamProxy?) async -> [String: String] {
        var request = HTTPClientRequest(url: baseURL + "/api/oauth/profile")
        request.headers.add(name: "authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "anthropic-beta", value: "oauth-2025-04-20")
        request.headers.add(name: "accept", value: "application/json")
        guard let response = try? await clients.client(for: proxy).execute(request, timeout: .seconds(15)),
              response.status.code == 200, let body = try? await response.body.collect(upTo: 1 << 20),
              let object = JSON.object(Data(buffer: body)) else { return [:] }
        let account = object["account"] as? [String: Any] ?? [:]
        let organization = object["organization"] as? [String: Any] ?? [:]
        var fields: [String: String] = [:]
        var info: [String: Any] = [
            "hasClaudeMax": JSON.bool(account["has_claude_max"]) ?? false, "hasClaudePro": JSON.bool(account["has_claude_pro"]) ?? false,
        ]
        if let type = organization["organization_type"] as? String { info["accountType"] = type }
        if let tier = organization["rate_limit_tier"] as? String { info["tier"] = tier }
        fields["subscriptionInfo"] = JSON.string(info)
        if let email = account["email"] as? String, !email.isEmpty { fields["email"] = email }
        return fields
    }
}
