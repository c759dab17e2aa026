import Foundation
import NIOHTTP1

/// A ChatGPT (Codex) account's usage windows as the backend reports them on every reply: the primary (5-hour) and
/// secondary (weekly) window's used percent, length and time to reset (`x-codex-primary-*`, `x-codex-secondary-*`),
/// kept on the account in Node's fields (`codexPrimaryUsedPercent`, …, `codexUsageUpdatedAt`) and shown to admins as
/// Node's `codexUsage` snapshot.
enum CodexUsageWindows {
    /// Header suffix → Node's field, per window.
    static let fields: [(header: String, field: String)] = [
        ("x-codex-primary-used-percent", "codexPrimaryUsedPercent"),
        ("x-codex-primary-reset-after-seconds", "codexPrimaryResetAfterSeconds"),
        ("x-codex-primary-window-minutes", "codexPrimaryWindowMinutes"),
        ("x-codex-secondary-used-percent", "codexSecondaryUsedPercent"),
        ("x-codex-secondary-reset-after-seconds", "codexSecondaryResetAfterSeconds"),
        ("x-codex-secondary-window-minutes", "codexSecondaryWindowMinutes"),
        ("x-codex-primary-over-secondary-limit-percent", "codexPrimaryOverSecondaryLimitPercent"),
    ]

    /// Field changes after a reply. The reset countdowns change every second, so a write happens only when a
    /// percentage or window changed, a reset moved by more than a minute, or the snapshot is over five minutes old:
    /// the account shows current numbers without a Redis write per request.
    static func changes(for account: AccountRecord, headers: HTTPHeaders, at now: Date) -> [String: String] {
        var seen: [String: String] = [:]
        for (header, field) in fields {
            if let raw = headers.first(name: header), let value = Double(raw.trimmingCharacters(in: .whitespaces)), value.isFinite {
                seen[field] = value == value.rounded() ? String(Int(value)) : String(value)
            }
        }
        guard !seen.isEmpty else { return [:] }
        let updated = account.date("codexUsageUpdatedAt")
        let stale = updated.map { now.timeIntervalSince($0) > 300 } ?? true
        let moved = seen.contains { field, value in
            guard field.hasSuffix("ResetAfterSeconds") else { return account.fields[field] != value }
            guard let updated, let old = Double(account.fields[field] ?? ""), let new = Double(value) else { return true }
            return abs(updated.addingTimeInterval(old).timeIntervalSince(now.addingTimeInterval(new))) > 60
        }
        guard stale || moved else { return [:] }
        seen["codexUsageUpdatedAt"] = ISOTime.string(now)
        return seen
    }

    /// Node's `codexUsage` object: each window with its reset time and the seconds remaining now.
    static func snapshot(_ account: AccountRecord, now: Date) -> [String: Any] {
        guard let updated = account.date("codexUsageUpdatedAt") else { return [:] }
        func number(_ field: String) -> Any { Double(account.fields[field] ?? "") ?? NSNull() }
        func window(_ name: String) -> [String: Any] {
            var object: [String: Any] = ["usedPercent": number("codex\(name)UsedPercent"), "resetAfterSeconds": number("codex\(name)ResetAfterSeconds"),
                                         "windowMinutes": number("codex\(name)WindowMinutes"), "resetAt": NSNull(), "remainingSeconds": NSNull()]
            if let after = Double(account.fields["codex\(name)ResetAfterSeconds"] ?? "") {
                let reset = updated.addingTimeInterval(after)
                object["resetAt"] = ISOTime.string(reset)
                object["remainingSeconds"] = max(0, Int(reset.timeIntervalSince(now).rounded()))
            }
            return object
        }
        return ["codexUsage": ["updatedAt": ISOTime.string(updated), "primary": window("Primary"), "secondary": window("Secondary"),
                               "primaryOverSecondaryPercent": number("codexPrimaryOverSecondaryLimitPercent")]]
    }
}
