import Foundation

/// The ChatGPT account details inside an OpenAI `id_token` (docs/reference/upstream-wire.md): the payload's
/// `https://api.openai.com/auth` claim. The token is only decoded, not verified — it came straight from the
/// token endpoint over TLS, and nothing here grants access.
enum OpenAIIDToken {
    static let fieldNames = ["accountId", "chatgptUserId", "organizationId", "organizationRole", "organizationTitle", "planType", "emailVerified"]

    static func payload(_ token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap(JSON.object)
    }

    /// Node's hash fields: `accountId` (sent as `chatgpt-account-id`), user, default organization, plan, e-mail.
    static func accountFields(_ token: String) -> [String: String] {
        guard let payload = payload(token) else { return [:] }
        let auth = payload["https://api.openai.com/auth"] as? [String: Any] ?? [:]
        var fields: [String: String] = [:]
        if let id = auth["chatgpt_account_id"] as? String { fields["accountId"] = id }
        if let user = (auth["chatgpt_user_id"] as? String) ?? (auth["user_id"] as? String) { fields["chatgptUserId"] = user }
        if let plan = auth["chatgpt_plan_type"] as? String { fields["planType"] = plan }
        let organizations = auth["organizations"] as? [[String: Any]] ?? []
        if let organization = organizations.first(where: { JSON.bool($0["is_default"]) == true }) ?? organizations.first {
            if let id = organization["id"] as? String { fields["organizationId"] = id }
            if let role = organization["role"] as? String { fields["organizationRole"] = role }
            if let title = organization["title"] as? String { fields["organizationTitle"] = title }
        }
        if let email = payload["email"] as? String { fields["email"] = email }
        if let verified = JSON.bool(payload["email_verified"]) { fields["emailVerified"] = verified ? "true" : "false" }
        return fields
    }
}
