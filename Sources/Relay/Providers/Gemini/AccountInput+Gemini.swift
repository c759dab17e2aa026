import Foundation

/// Create/edit bodies of the Gemini kinds: Google OAuth accounts as the Node SPA sends them after its exchange-code
/// call (the token object `geminiOauth`), and API-key accounts.
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
        // Which Google app issued the tokens (Node's field): it decides where content calls go and which client
        // refreshes them. An exchange through this relay sets it itself.
        if let provider = body["oauthProvider"], !(provider is NSNull) {
            guard let name = provider as? String, ["gemini-cli", AccountRecord.antigravityProvider].contains(name) else {
                throw Invalid(field: "oauthProvider", reason: "must be gemini-cli or antigravity")
            }
            fields["oauthProvider"] = name
        }
    }

    /// Gemini API-key accounts: `apiKey`, optional `baseUrl` (default generativelanguage) and `supportedModels`.
    static func geminiAPI(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        try secret(body, "apiKey", into: &fields, creating: creating)
        if body["baseUrl"] != nil { try url(body, "baseUrl", into: &fields, creating: false) }
        try supportedModels(body, into: &fields, creating: creating)
    }
}
