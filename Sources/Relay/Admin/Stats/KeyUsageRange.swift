import Foundation
import Hummingbird
import HummingbirdCore

/// The key list's time filter (`timeRange=today|7days|30days|monthly|all|custom&startDate&endDate`): each key gets
/// `usage.range` with its usage over those local days (summed from the daily buckets; at most 92 days).
struct KeyUsageRange {
    let name: String
    let dates: [String]
    let reader: UsageReader

    /// nil when no range (or `all`, whose numbers `usage.total` already carries) is asked for.
    init?(_ parameters: FlatDictionary<Substring, Substring>, reader: UsageReader) throws {
        guard let name = parameters.get("timeRange"), name != "all" else { return nil }
        self.name = name
        self.reader = reader
        switch name {
        case "today": dates = reader.recentDates(1)
        case "7days": dates = reader.recentDates(7)
        case "30days": dates = reader.recentDates(30)
        case "monthly":
            let month = reader.month
            dates = reader.recentDates(31).filter { $0.hasPrefix(month) }
        case "custom":
            guard let start = parameters.get("startDate").flatMap(Self.day), let end = parameters.get("endDate").flatMap(Self.day), start <= end else {
                throw AdminError(400, "Invalid date range", "custom timeRange needs startDate ≤ endDate (YYYY-MM-DD or ISO 8601)")
            }
            let span = Int(end.timeIntervalSince(start) / 86400) + 1
            guard span <= 92 else { throw AdminError(400, "Invalid date range", "a custom range covers at most 92 days") }
            dates = (0..<span).map { TimeBuckets(start.addingTimeInterval(Double($0) * 86400 + 43200), offsetHours: 0).date }
        default:
            throw AdminError(400, "Invalid timeRange", "timeRange: today, 7days, 30days, monthly, all or custom")
        }
    }

    /// Each key's JSON with `usage.range` (and `timeRange`) added: one pipelined round trip per day of the range.
    func annotate(_ items: [[String: Any]], keys: [APIKeyRecord]) async throws -> [[String: Any]] {
        var sums = Array(repeating: UsageTotals(), count: keys.count)
        for date in dates {
            let day = try await reader.perKey(keys.map(\.id), .day(date))
            for index in sums.indices { sums[index] = sums[index] + day[index] }
        }
        return zip(items, sums).map { item, total in
            var item = item
            var usage = item["usage"] as? [String: Any] ?? [:]
            usage["range"] = KeyUsageReport.usage(total).merging(["timeRange": name, "from": dates.first ?? "", "to": dates.last ?? ""]) { _, new in new }
            item["usage"] = usage
            return item
        }
    }

    /// A calendar day from `YYYY-MM-DD` or an ISO timestamp (its UTC date).
    static func day(_ text: String) -> Date? {
        if text.count == 10, let date = ISOTime.parse(text + "T00:00:00Z") { return date }
        return ISOTime.parse(text).map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 / 86400).rounded(.down) * 86400) }
    }
}
