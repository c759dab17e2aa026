import Foundation
import NIOHTTP1

/// The Claude subscription's 5-hour session window as the account record shows it (docs/reference/data-layout.md):
/// `sessionWindowStart`/`End` (5 h from the top of the hour of first use, or from the upstream's
/// `anthropic-ratelimit-unified-5h-reset` when it sends one) and `sessionWindowStatus` from
/// `anthropic-ratelimit-unified-5h-status` (`allowed`, `allowed_warning`, `rejected`).
public enum SessionWindow {
    static let length: TimeInterval = 5 * 3600
    static let statuses: Set<String> = ["allowed", "allowed_warning", "rejected"]

    /// Field changes after a successful reply — empty while nothing changed, so the hot path writes nothing.
    public static func changes(for account: AccountRecord, upstream headers: HTTPHeaders, at now: Date) -> [String: String] {
        guard account.kind == .claudeOfficial else { return [:] }
        var changes: [String: String] = [:]
        let currentEnd = account.date("sessionWindowEnd")
        if let reset = headers.first(name: "anthropic-ratelimit-unified-5h-reset").flatMap(Double.init), reset > 0 {
            let end = Date(timeIntervalSince1970: reset)
            if currentEnd.map({ abs($0.timeIntervalSince(end)) >= 1 }) ?? true {
                changes["sessionWindowStart"] = ISOTime.string(end.addingTimeInterval(-length))
                changes["sessionWindowEnd"] = ISOTime.string(end)
            }
        } else if currentEnd.map({ $0 <= now }) ?? true {
            let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
            changes["sessionWindowStart"] = ISOTime.string(start)
            changes["sessionWindowEnd"] = ISOTime.string(start.addingTimeInterval(length))
        }
        if let status = headers.first(name: "anthropic-ratelimit-unified-5h-status")?.lowercased(), statuses.contains(status),
           status != account.fields["sessionWindowStatus"] {
            changes["sessionWindowStatus"] = status
            changes["sessionWindowStatusUpdatedAt"] = ISOTime.string(now)
        }
        return changes
    }
}
