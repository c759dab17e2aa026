import Foundation

/// Create/edit bodies of the Google (Gemini) and ChatGPT (OpenAI/Codex) OAuth account kinds and OpenAI-Responses
/// API-key accounts. The OAuth kinds come as the Node SPA
/// sends them after its exchange-code call: the token object (`geminiOauth` / `openaiOauth`) and, for OpenAI,
/// the `accountInfo` decoded from the id token.
extension AccountInput {
    static func gemini(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        var access = body["accessToken"] as? String
        var refresh = body["refreshToken"] as? String
        if let raw = body["geminiOauth"], !(raw is NSNull) {
            guard let oauth = (raw as? [String: Any]) ?? (raw as? String).flatMap({ JSON.object(Data($0.utf8)) }) else {
                throw Invalid(field: "geminiOauth", reason: "must be the token object from exchange-code")
            }
            access = (oauth["access_token"] as? String) ?? access
            refresh = (oauth["refresh_token"] as? String) ?? refresh
            if let expiry = JSON.number(oauth["expiry_date"]) { fields["expiresAt"] = ISOTime.string(Date(timeIntervalSince1970: expiry / 1000)) }
            if let scope = oauth["scope"] as? String { fields["scopes"] = scope }
            fields["geminiOauth"] = JSON.string(oauth)
        }
        try tokens(access: access, refresh: refresh, blob: "geminiOauth", into: &fields, creating: creating)
        if let project = body["projectId"] as? String { fields["projectId"] = project.trimmingCharacters(in: .whitespaces) }
    }

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

    private static func tokens(access: String?, refresh: String?, blob: String, into fields: inout [String: String], creating: Bool) throws {
        if let access, !access.isEmpty { fields["accessToken"] = access }
        if let refresh, !refresh.isEmpty { fields["refreshToken"] = refresh }
        if creating, fields["accessToken"] == nil, fields["refreshToken"] == nil {
            throw Invalid(field: blob, reason: "an access token or refresh token is required (run the OAuth flow first)")
        }
    }

    /// Node's `POST /admin/openai-responses-accounts`: `baseApi` (required), `apiKey`, optional `userAgent`.
    static func openAIResponses(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        try url(body, "baseApi", into: &fields, creating: creating)
        try secret(body, "apiKey", into: &fields, creating: creating)
        try headerValue(body, "userAgent", into: &fields)
        try integer(body, "rateLimitDuration", into: &fields, range: 0...100_000)
        if creating, fields["rateLimitDuration"] == nil { fields["rateLimitDuration"] = "60" }
    }

    /// Gemini API-key accounts: `apiKey`, optional `baseUrl` (default generativelanguage) and `supportedModels`.
    static func geminiAPI(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        try secret(body, "apiKey", into: &fields, creating: creating)
        if body["baseUrl"] != nil { try url(body, "baseUrl", into: &fields, creating: false) }
        try supportedModels(body, into: &fields, creating: creating)
    }
}
