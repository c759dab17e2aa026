import Foundation

/// Which Opus models a Claude subscription serves: Free plans none, Pro plans Opus 4.5 and newer, Max (and
/// accounts whose plan is unknown, as the original assumes for old records) all. The plan comes from the account's
/// `subscriptionInfo` (`hasClaudeMax`/`hasClaudePro` from the profile, else `accountType`).
enum ClaudeSubscription {
    enum Plan { case free, pro, max }

    static func plan(_ subscriptionInfo: String?) -> Plan {
        guard let text = subscriptionInfo, let info = JSON.object(Data(text.utf8)) else { return .max }
        if JSON.bool(info["hasClaudeMax"]) == true { return .max }
        if JSON.bool(info["hasClaudePro"]) == true { return .pro }
        switch info["accountType"] as? String {
        case "free": return .free
        case "claude_pro": return .pro
        default: return .max
        }
    }

    /// Whether an account on `subscriptionInfo`'s plan serves `model` (only Opus models are restricted).
    static func serves(_ model: String, subscriptionInfo: String?) -> Bool {
        let lower = model.lowercased()
        guard lower.contains("opus") else { return true }
        switch plan(subscriptionInfo) {
        case .max: return true
        case .free: return false
        case .pro: return isOpus45OrNewer(lower)
        }
    }

    /// Opus 4.5 and newer in every naming: `claude-opus-4-5-20251101`, `claude-opus-4.5`, `opus-latest`, and the
    /// old `claude-3-opus` order. A bare 8-digit date after the major version is no minor version (`claude-opus-4-20250514` is 4.0).
    static func isOpus45OrNewer(_ lower: String) -> Bool {
        if lower.contains("opus-latest") || lower.contains("opus_latest") { return true }
        func newer(_ major: Int, _ minor: Int) -> Bool { major > 4 || (major == 4 && minor >= 5) }
        if let match = lower.firstMatch(of: /claude[- ](\d+)(?:[.-](\d+))?[- ]opus/) {
            return newer(Int(match.1) ?? 0, match.2.flatMap { Int($0) } ?? 0)
        }
        if let match = lower.firstMatch(of: /opus[- ]?(\d+)\.(\d+)/) {
            return newer(Int(match.1) ?? 0, Int(match.2) ?? 0)
        }
        guard let match = lower.firstMatch(of: /opus[- ]?(\d+)(?:-(\d+))?/) else { return false }
        let major = Int(match.1) ?? 0
        let minorText = match.2.map(String.init) ?? ""
        return newer(major, minorText.count >= 8 ? 0 : Int(minorText) ?? 0)
    }
}
