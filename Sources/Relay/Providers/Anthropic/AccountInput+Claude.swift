import Foundation

/// Create/edit bodies of the Claude account kinds (subscription OAuth, Console, CCR).
extension AccountInput {
    /// The snake_case body of the original's CCR script (`api_url`, `api_key`, `rate_limit_minutes`) means the same.
    static func snakeCaseAccepted(_ body: [String: Any]) -> [String: Any] {
        var body = body
        for (snake, camel) in [("api_url", "apiUrl"), ("api_key", "apiKey"), ("rate_limit_minutes", "rateLimitDuration")] where body[camel] == nil {
            if let value = body[snake] { body[camel] = value }
        }
        return body
    }

    /// Console and CCR accounts: an endpoint, its key, models, and a daily quota. `expiresAt` means
    /// `subscriptionExpiresAt` here (the original's Console form sends it so).
    static func console(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        let body = snakeCaseAccepted(body)
        if body["subscriptionExpiresAt"] == nil, let expiry = body["expiresAt"] {
            fields["subscriptionExpiresAt"] = try timestamp(expiry, field: "subscriptionExpiresAt")
        }
        try url(body, "apiUrl", into: &fields, creating: creating)
        try secret(body, "apiKey", into: &fields, creating: creating)
        try supportedModels(body, into: &fields, creating: creating)
        try headerValue(body, "userAgent", into: &fields)
        try integer(body, "rateLimitDuration", into: &fields, range: 0...100_000)
        if creating, fields["rateLimitDuration"] == nil { fields["rateLimitDuration"] = "60" }
        try dailyQuota(body, into: &fields)
    }

    /// Claude subscription accounts: the OAuth token object (or a pasted token pair).
    static func official(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        var accessToken = body["accessToken"] as? String
        var refreshToken = body["refreshToken"] as? String
        if let oauth = body["claudeAiOauth"] as? [String: Any] {
            accessToken = (oauth["accessToken"] as? String) ?? accessToken
            refreshToken = (oauth["refreshToken"] as? String) ?? refreshToken
            if let expires = JSON.number(oauth["expiresAt"]) { fields["expiresAt"] = String(Int64(expires)) }
            if let scopes = oauth["scopes"] as? [String] { fields["scopes"] = scopes.joined(separator: " ") }
            if let info = oauth["subscriptionInfo"] { fields["subscriptionInfo"] = JSON.string(info) }
            fields["claudeAiOauth"] = JSON.string(oauth)
        }
        if let expires = body["expiresAt"], let number = JSON.number(expires) { fields["expiresAt"] = String(Int64(number)) }
        if let token = accessToken, !token.isEmpty { fields["accessToken"] = token }
        if let token = refreshToken, !token.isEmpty { fields["refreshToken"] = token }
        if creating, fields["accessToken"] == nil, fields["refreshToken"] == nil {
            throw Invalid(field: "claudeAiOauth", reason: "an access token or refresh token is required")
        }
        if let email = body["email"] as? String { fields["email"] = email }
        if let info = body["subscriptionInfo"], !(info is NSNull) { fields["subscriptionInfo"] = JSON.string(info) }
        try boolean(body, "autoStopOnWarning", into: &fields)
    }
}
