import Foundation
import HTTPTypes

/// The client validators of docs/reference/clients.md: which known clients a request looks like. The admission script
/// checks the result against a key's whitelist (`enableClientRestriction` + `allowedClients`; an empty list is not
/// enforced, as in Node).
public enum ClientRestriction {
    /// Every known client id this request looks like (the admission script intersects it with the whitelist).
    public static func matchingClients(path: String, headers: HTTPFields, body: [String: Any]?) -> [String] {
        let userAgent = headers.value(.userAgent) ?? ""
        return APIKeySchema.knownClients.filter { matches($0, path: path, headers: headers, userAgent: userAgent, body: body) }
    }

    static let claudeCodeHeaders: [HTTPField.Name] = ["x-app", "anthropic-beta", "anthropic-version"].map { HTTPField.Name($0)! }
    static let originator = HTTPField.Name("originator")!
    static let sessionID = HTTPField.Name("session_id")!
    static let factoryClient = HTTPField.Name("x-factory-client")!

    static func matches(_ client: String, path: String, headers: HTTPFields, userAgent: String, body: [String: Any]?) -> Bool {
        switch client {
        case "claude_code":
            guard TextScan.claudeCLIVersion(userAgent, caseInsensitive: true) != nil else { return false }
            guard TextScan.contains(path, "messages") else { return true }
            for name in claudeCodeHeaders {
                guard let value = headers.value(name), !value.isEmpty else { return false }
            }
            guard let metadata = body?["metadata"] as? [String: Any], let userID = metadata["user_id"] as? String else { return false }
            return TextScan.isClaudeCodeUserID(userID)
                || (userID.hasPrefix("{") && SessionHash.sessionID(in: userID) != nil)
        case "gemini_cli":
            guard path.hasPrefix("/gemini") else { return false }
            if !TextScan.contains(path, "generateContent") { return true }
            return TextScan.hasVersion(after: "GeminiCLI/", in: userAgent, optionalV: true)
        case "codex_cli":
            guard let clientType = ["codex_vscode", "codex_cli_rs"].first(where: { TextScan.hasVersion(after: $0 + "/", in: userAgent) }) else { return false }
            guard path.hasPrefix("/openai") || path.hasPrefix("/azure") else { return true }
            guard headers.value(originator)?.lowercased() == clientType.lowercased() else { return false }
            guard let session = headers.value(sessionID), session.count > 20 else { return false }
            return true
        case "droid_cli":
            if TextScan.hasDottedVersion(after: "factory-cli/", in: userAgent) { return true }
            let marker = headers.value(factoryClient)?.lowercased() ?? ""
            return marker.contains("droid") || marker.contains("factory-cli")
        default:
            return false
        }
    }
}
