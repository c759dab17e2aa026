import Foundation

/// How one account kind keeps its OAuth tokens in its Node hash, and what a grant changes there.
/// Secret fields are returned in plaintext; `AccountStore` encrypts them with the kind's salt.
public struct OAuthAccountLayout: Sendable {
    public let kind: AccountKind
    /// The encrypted JSON blob Node keeps next to the token fields (`claudeAiOauth`, `geminiOauth`, `openaiOauth`).
    public let blobField: String
    let expiryAsEpochMillis: Bool

    public static let claude = OAuthAccountLayout(kind: .claudeOfficial, blobField: "claudeAiOauth", expiryAsEpochMillis: true)
    public static let gemini = OAuthAccountLayout(kind: .gemini, blobField: "geminiOauth", expiryAsEpochMillis: false)
    public static let openAI = OAuthAccountLayout(kind: .openAI, blobField: "openaiOauth", expiryAsEpochMillis: false)
    /// Droid accounts authorized through WorkOS (Node keeps no blob; `droidOauth` is only the parked-token body field).
    public static let droid = OAuthAccountLayout(kind: .droid, blobField: "droidOauth", expiryAsEpochMillis: false)

    public static func of(_ kind: AccountKind) -> OAuthAccountLayout? {
        [claude, gemini, openAI, droid].first { $0.kind == kind }
    }

    /// The layout of this account's tokens: its kind's, except for Droid accounts holding Factory API keys (no tokens).
    public static func of(_ account: AccountRecord) -> OAuthAccountLayout? {
        if account.kind == .droid, account.fields["authenticationMethod"] == "api_key" { return nil }
        return of(account.kind)
    }

    /// When the stored access token stops working (nil: unknown).
    public func expiry(of account: AccountRecord) -> Date? {
        account.date("expiresAt")
    }

    /// The hash changes for a grant. `previousRefreshToken` is kept when the provider did not rotate it.
    public func fields(for grant: OAuthGrant, previousRefreshToken: String?, now: Date, defaultLifetime: Int = 3600) -> [String: String] {
        let lifetime = grant.expiresIn ?? defaultLifetime
        let expires = Date(timeIntervalSince1970: floor(now.timeIntervalSince1970) + Double(lifetime))
        let expiresMillis = Int64(expires.timeIntervalSince1970) * 1000
        let refresh = grant.refreshToken ?? previousRefreshToken ?? ""
        let scopes = (grant.scope ?? "").split(separator: " ").map(String.init)
        var fields: [String: String] = [
            "accessToken": grant.accessToken, "refreshToken": refresh,
            "expiresAt": expiryAsEpochMillis ? String(expiresMillis) : ISOTime.string(expires),
            "lastRefreshAt": ISOTime.string(now),
        ]
        if !scopes.isEmpty { fields["scopes"] = scopes.joined(separator: " ") }
        switch kind {
        case .claudeOfficial:
            var blob: [String: Any] = ["accessToken": grant.accessToken, "refreshToken": refresh, "expiresAt": expiresMillis,
                                       "scopes": scopes.isEmpty ? ["user:inference", "user:profile"] : scopes, "isMax": true]
            if let info = ClaudeOAuthInfo.subscription(grant.raw) { blob["subscriptionInfo"] = info; fields["subscriptionInfo"] = JSON.string(info) }
            fields[blobField] = JSON.string(blob)
            if let ext = ClaudeOAuthInfo.extInfo(grant.raw) { fields["extInfo"] = JSON.string(ext) }
            if let email = ClaudeOAuthInfo.email(grant.raw) { fields["email"] = email }
        case .gemini:
            var blob: [String: Any] = ["access_token": grant.accessToken, "refresh_token": refresh, "expiry_date": expiresMillis,
                                       "token_type": (grant.raw["token_type"] as? String) ?? "Bearer"]
            if let scope = grant.scope { blob["scope"] = scope }
            fields[blobField] = JSON.string(blob)
        case .openAI:
            fields[blobField] = JSON.string(["idToken": grant.idToken ?? "", "accessToken": grant.accessToken, "refreshToken": refresh,
                                             "expires_in": lifetime] as [String: Any])
            fields["lastRefresh"] = ISOTime.string(now)
            if let idToken = grant.idToken {
                fields["idToken"] = idToken
                fields.merge(OpenAIIDToken.accountFields(idToken)) { _, new in new }
            }
        case .droid:
            // WorkOS: the organisation the token is scoped to, how the user signed in, and who.
            if let organization = grant.raw["organization_id"] as? String, !organization.isEmpty { fields["organizationId"] = organization }
            fields["authenticationMethod"] = (grant.raw["authentication_method"] as? String).flatMap { $0.isEmpty || $0 == "api_key" ? nil : $0 } ?? "oauth"
            if let email = (grant.raw["user"] as? [String: Any])?["email"] as? String { fields["ownerEmail"] = email }
        default:
            break
        }
        return fields
    }

    /// What the admin API shows about a grant: everything except the tokens.
    public func summary(for grant: OAuthGrant, fields: [String: String]) -> [String: Any] {
        var summary: [String: Any] = ["expiresAt": JSON.int(fields["expiresAt"]) as Any? ?? fields["expiresAt"] ?? "",
                                      "scopes": (fields["scopes"] ?? "").split(separator: " ").map(String.init)]
        switch kind {
        case .claudeOfficial:
            summary["isMax"] = true
            summary["organization"] = grant.raw["organization"] ?? NSNull()
            summary["account"] = ClaudeOAuthInfo.accountSummary(grant.raw) ?? NSNull()
            summary["extInfo"] = ClaudeOAuthInfo.extInfo(grant.raw) ?? NSNull()
            if let info = ClaudeOAuthInfo.subscription(grant.raw) { summary["subscriptionInfo"] = info }
        case .openAI:
            var info: [String: Any] = [:]
            for name in OpenAIIDToken.fieldNames { if let value = fields[name] { info[name] = value } }
            summary["accountInfo"] = info
        default:
            break
        }
        return summary
    }
}
