import Foundation

/// An account's own daily spending limit (Node's `dailyQuota` in USD, `quotaResetTime` HH:mm in the relay's
/// timezone), as the usage write enforces it. The window runs from one reset moment to the next; the spend in it is
/// `dailyUsage` on the account, with `quotaWindowEndAt` naming the window it counts. Reaching the limit stops the
/// account until the window ends (`quotaStoppedAt`, `quotaResetAt`): it leaves the pool by itself and comes back by
/// itself, as every other mark does. Node's window was the calendar day's cost checked at the reset time, so an
/// account with a reset time after midnight stopped again right after its reset; here the spend counts from the
/// reset.
public struct AccountQuota: Sendable, Equatable {
    /// USD per window; > 0.
    public let limit: Double
    /// HH:mm.
    public let resetTime: String

    /// The account's quota, when it has one.
    public static func of(_ account: AccountRecord) -> AccountQuota? {
        guard let limit = Double(account.fields["dailyQuota"] ?? ""), limit > 0 else { return nil }
        return AccountQuota(limit: limit, resetTime: account.fields["quotaResetTime"].flatMap { $0.isEmpty ? nil : $0 } ?? "00:00")
    }

    /// The end of the window that `now` falls in: the next reset moment after it.
    public func windowEnd(at now: Date, offsetHours: Int) -> Date {
        let parts = resetTime.split(separator: ":").compactMap { Int($0) }
        let resetSeconds = Double((parts.first ?? 0) * 3600 + (parts.dropFirst().first ?? 0) * 60)
        let offset = Double(offsetHours * 3600)
        let local = now.timeIntervalSince1970 + offset
        let dayStart = (local / 86_400).rounded(.down) * 86_400
        var end = dayStart + resetSeconds
        if end <= local { end += 86_400 }
        return Date(timeIntervalSince1970: end - offset)
    }

    /// The spend shown for the account now: the stored window's, or 0 once that window is over.
    public static func spent(_ account: AccountRecord, at now: Date) -> Double {
        guard let end = account.date("quotaWindowEndAt"), end > now else { return 0 }
        return Double(account.fields["dailyUsage"] ?? "") ?? 0
    }

    /// Stopped for its quota until this moment (nil: not stopped, or the window is over).
    public static func stoppedUntil(_ account: AccountRecord, at now: Date) -> Date? {
        guard !(account.fields["quotaStoppedAt"] ?? "").isEmpty, let end = account.date("quotaResetAt"), end > now else { return nil }
        return end
    }

    /// What an admin's reset-usage writes: the spend back to 0, the stop lifted.
    public static let resetFields: [String: String] = ["dailyUsage": "0", "quotaStoppedAt": "", "quotaResetAt": "", "errorMessage": ""]
}
