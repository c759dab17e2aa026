import Crypto
import Foundation

/// The sticky-session key of an Anthropic request, derived exactly as the Node original does (docs/reference/clients.md),
/// so sticky mappings written by either implementation are found by the other.
public enum SessionHash {
    public static func of(_ body: [String: Any]) -> String? {
        if let metadata = body["metadata"] as? [String: Any], let userID = metadata["user_id"] as? String,
           let session = sessionID(in: userID) {
            return session
        }
        var cacheable = ""
        let systemParts = body["system"] as? [[String: Any]] ?? []
        for part in systemParts where isEphemeral(part["cache_control"]) {
            cacheable += part["text"] as? String ?? ""
        }
        let messages = body["messages"] as? [[String: Any]] ?? []
        let anyMessageCached = messages.contains { message in
            if isEphemeral(message["cache_control"]) { return true }
            return (message["content"] as? [[String: Any]])?.contains { isEphemeral($0["cache_control"]) } ?? false
        }
        if anyMessageCached, let first = messages.lazy.compactMap(text(of:)).first(where: { !$0.isEmpty }) {
            cacheable += first
        }
        if !cacheable.isEmpty { return digest(cacheable) }
        let systemText: String
        if let system = body["system"] as? String {
            systemText = system
        } else {
            systemText = systemParts.compactMap { $0["text"] as? String }.joined()
        }
        if !systemText.isEmpty { return digest(systemText) }
        if let first = messages.first.flatMap(text(of:)), !first.isEmpty { return digest(first) }
        return nil
    }

    /// `…session_<uuid>` in the classic user_id, or `session_id` in Claude Code's JSON form.
    static func sessionID(in userID: String) -> String? {
        if let session = TextScan.sessionUUID(in: userID) { return session }
        if userID.hasPrefix("{"), let object = JSON.object(Data(userID.utf8)), let session = object["session_id"] as? String, !session.isEmpty {
            return session
        }
        return nil
    }

    private static func isEphemeral(_ value: Any?) -> Bool {
        (value as? [String: Any])?["type"] as? String == "ephemeral"
    }

    private static func text(of message: [String: Any]) -> String? {
        if let content = message["content"] as? String { return content }
        guard let parts = message["content"] as? [[String: Any]] else { return nil }
        let texts = parts.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }
        return texts.isEmpty ? nil : texts.joined()
    }

    static func digest(_ text: String) -> String {
        String(Hex.encode(SHA256.hash(data: Array(text.utf8))).prefix(32))
    }
}
