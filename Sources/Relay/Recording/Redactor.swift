import Foundation

/// Removes secrets from recorded traffic before it touches the disk: credential headers, cookies, the exact
/// credentials the relay used, anything shaped like a provider key, relay key, bearer token or OAuth token, email
/// addresses, and the user hash in Claude Code's `metadata.user_id`. What remains is enough to replay and to read.
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"

    static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "set-cookie",
        "x-session-token", "chatgpt-account-id", "x-amz-security-token",
    ]

    static let patterns: [(NSRegularExpression, String)] = [
        (#"sk-ant-[A-Za-z0-9_\-]{6,}"#, mask),
        (#"\bsk-[A-Za-z0-9_\-]{16,}"#, mask),
        (#"\bcr_[0-9A-Za-z]{16,}"#, mask),
        (#"(?i)bearer\s+[A-Za-z0-9._\-~+/=]{8,}"#, "Bearer " + mask),
        (#"\bya29\.[A-Za-z0-9._\-]{10,}"#, mask),
        (#"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"#, mask),
        (#"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#, "[email]"),
        (#"user_[a-fA-F0-9]{64}"#, "user_" + String(repeating: "0", count: 64)),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// Values known to be secret for this exchange (the account's credential), replaced wherever they appear.
    let exact: [String]

    public init(exact: [String] = []) {
        self.exact = exact.filter { $0.count >= 6 }
    }

    public func header(_ name: String, _ value: String) -> String {
        Self.secretHeaders.contains(name.lowercased()) ? Self.mask : text(value)
    }

    public func text(_ value: String) -> String {
        var result = value
        for secret in exact { result = result.replacingOccurrences(of: secret, with: Self.mask) }
        for (pattern, replacement) in Self.patterns {
            let range = NSRange(result.startIndex..., in: result)
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
        }
        return result
    }
}
