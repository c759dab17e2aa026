import Foundation
import HTTPTypes

/// The client validators of behaviour.md §5.5: which known clients a request looks like. The admission script
/// checks the result against a key's whitelist (`enableClientRestriction` + `allowedClients`; an empty list is not
/// enforced, as in Node).
public enum ClientRestriction {
    /// Every known client id this request looks like (the admission script intersects it with the whitelist).
    public static func matchingClients(path: String, headers: HTTPFields, body: [String: Any]?) -> [String] {
        APIKeySchema.knownClients.filter { matches($0, path: path, headers: headers, body: body) }
    }

    static func matches(_ client: String, path: String, headers: HTTPFields, body: [String: Any]?) -> Bool {
        let userAgent = headers[.userAgent] ?? ""
        switch client {
        case "claude_code":
            guard userAgent.utf8.count > 11, userAgent.prefix(11).lowercased() == "claude-cli/",  // cheap test before the regex
                  userAgent.range(of: #"^claude-cli/\d+\.\d+\.\d+"#, options: [.regularExpression, .caseInsensitive]) != nil else { return false }
            guard path.contains("messages") else { return true }
            for name in ["x-app", "anthropic-beta", "anthropic-version"] {
                guard let value = headers[HTTPField.Name(name)!], !value.isEmpty else { return false }
            }
            guard let metadata = body?["metadata"] as? [String: Any], let userID = metadata["user_id"] as? String else { return false }
            return userID.range(of: #"^user_[a-fA-F0-9]{64}_account_[\w-]*_session_[\w-]+$"#, options: .regularExpression) != nil
                || (userID.hasPrefix("{") && SessionHash.sessionID(in: userID) != nil)
        case "gemini_cli":
            guard path.hasPrefix("/gemini") else { return false }
            if !path.contains("generateContent") { return true }
            return userAgent.range(of: #"^GeminiCLI/v?[\d.]+"#, options: .regularExpression) != nil
        case "codex_cli":
            guard userAgent.hasPrefix("codex_"), let range = userAgent.range(of: #"^(codex_vscode|codex_cli_rs)/[\d.]+"#, options: .regularExpression) else { return false }
            guard path.hasPrefix("/openai") || path.hasPrefix("/azure") else { return true }
            let clientType = String(userAgent[range].split(separator: "/").first ?? "")
            guard headers[HTTPField.Name("originator")!]?.lowercased() == clientType.lowercased() else { return false }
            guard let session = headers[HTTPField.Name("session_id")!], session.count > 20 else { return false }
            return true
        case "droid_cli":
            if userAgent.contains("factory-cli/"), userAgent.range(of: #"factory-cli/\d+\.\d+\.\d+"#, options: .regularExpression) != nil { return true }
            let marker = headers[HTTPField.Name("x-factory-client")!]?.lowercased() ?? ""
            return marker.contains("droid") || marker.contains("factory-cli")
        default:
            return false
        }
    }
}
