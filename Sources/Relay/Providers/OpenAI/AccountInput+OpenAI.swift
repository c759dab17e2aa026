import Foundation

/// Create/edit bodies of the OpenAI kinds: ChatGPT OAuth accounts as the Node SPA sends them after its exchange-code
/// call (the token object `openaiOauth` and the `accountInfo` decoded from the id token), and Responses API-key
/// accounts.
extension AccountInput {
    static func openAI(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        var access = body["accessToken"] as? String
        var refresh = body["refreshToken"] as? String
        if let raw = body["openaiOauth"], !(raw is NSNull) {
            guard let oauth = raw as? [String: Any] else { throw Invalid(field: "openaiOauth", reason: "must be the token object from exchange-code") }
            access = (oauth["accessToken"] as? String) ?? (oauth["access_token"] as? String) ?? access
            refresh = (oauth["refreshToken"] as? String) ?? (oauth["refresh_token"] as? String) ?? refresh
            if let idToken = (oauth["idToken"] as? String) ?? (oauth["id_token"] as? String), !idToken.isEmpty {
                fields["idToken"] = idToken
                fields.merge(OpenAIIDToken.accountFields(idToken)) { _, new in new }
            }
            if let seconds = JSON.number(oauth["expires_in"]) { fields["expiresAt"] = ISOTime.string(Date().addingTimeInterval(seconds)) }
            fields["openaiOauth"] = JSON.string(oauth)
        }
        if let info = body["accountInfo"] as? [String: Any] {
            for name in OpenAIIDToken.fieldNames + ["email"] {
                guard let value = info[name], !(value is NSNull) else { continue }
                fields[name] = (value as? String) ?? (JSON.bool(value).map { $0 ? "true" : "false" }) ?? "\(value)"
            }
        }
        try tokens(access: access, refresh: refresh, blob: "openaiOauth", into: &fields, creating: creating)
    }

    /// Node's `POST /admin/openai-responses-accounts`: `baseApi` (required), `apiKey`, optional `userAgent`.
    static func openAIResponses(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        try url(body, "baseApi", into: &fields, creating: creating)
        try secret(body, "apiKey", into: &fields, creating: creating)
        try headerValue(body, "userAgent", into: &fields)
        try integer(body, "rateLimitDuration", into: &fields, range: 0...100_000)
        if creating, fields["rateLimitDuration"] == nil { fields["rateLimitDuration"] = "60" }
        try dailyQuota(body, into: &fields)
    }
}
