import Foundation

/// The non-token parts of an Anthropic token reply (docs/reference/upstream-wire.md): organization and account ids, the
/// e-mail, and a subscription hint when the reply carries one.
enum ClaudeOAuthInfo {
    static func extInfo(_ raw: [String: Any]) -> [String: Any]? {
        let organization = raw["organization"] as? [String: Any]
        let account = raw["account"] as? [String: Any]
        var info: [String: Any] = [:]
        if let id = first(organization, ["uuid", "id", "organization_uuid", "organization_id"]) { info["org_uuid"] = id }
        if let name = organization?["name"] as? String { info["org_name"] = name }
        if let id = first(account, ["uuid", "id", "account_uuid", "account_id"]) { info["account_uuid"] = id }
        return info.isEmpty ? nil : info
    }

    static func email(_ raw: [String: Any]) -> String? {
        let account = raw["account"] as? [String: Any]
        return first(account, ["email_address", "email"])
    }

    /// The account object without anything that looks like a credential.
    static func accountSummary(_ raw: [String: Any]) -> [String: Any]? {
        guard let account = raw["account"] as? [String: Any] else { return nil }
        return account.filter { !$0.key.lowercased().contains("token") }
    }

    static func subscription(_ raw: [String: Any]) -> [String: Any]? {
        let names = ["subscription", "plan", "tier", "account_type"]
        guard names.contains(where: { raw[$0] != nil }) else { return nil }
        var info: [String: Any] = [:]
        for name in names + ["features", "limits"] { if let value = raw[name] { info[name == "account_type" ? "accountType" : name] = value } }
        return info
    }

    private static func first(_ object: [String: Any]?, _ names: [String]) -> String? {
        for name in names { if let value = object?[name] as? String, !value.isEmpty { return value } }
        return nil
    }
}
