import Foundation
import Hummingbird

/// The dashboard's charts: usage over time (all keys, per key, per account) and per model, read from the date
/// buckets the usage writer fills (`usage:daily:*`, `usage:hourly:*`, `usage:model:*`, `account_usage:*`).
struct TrendsController {
    let reader: UsageReader
    let prices: PriceBook

    /// A chart's time axis: days (`granularity=day&days=N`) or hours (`granularity=hour&startDate&endDate`).
    struct Axis {
        let labels: [String]
        let buckets: [String]
        let hourly: Bool
    }

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("usage-trend") { request, _ -> Response in
            let axis = try axis(request)
            let ids = try await reader.liveKeys().map(\.id)
            var points: [[String: Any]] = []
            for (label, bucket) in zip(axis.labels, axis.buckets) {
                let total = try await reader.perKey(ids, axis.hourly ? .hour(bucket) : .day(bucket)).reduce(UsageTotals(), +)
                points.append(total.json.merging([axis.hourly ? "hour" : "date": label, "label": label]) { _, new in new })
            }
            return AdminReply.data(points)
        }
        admin.get("model-stats") { request, _ -> Response in
            let period = request.uri.queryParameters.get("period") ?? "daily"
            guard ["daily", "monthly"].contains(period) else { throw AdminError(400, "Invalid period", "period: daily or monthly") }
            return AdminReply.data(try await modelStats(period: period))
        }
        admin.get("api-keys-usage-trend") { request, _ -> Response in
            let axis = try axis(request)
            let metric = request.uri.queryParameters.get("metric") ?? "requests"
            guard ["requests", "cost", "tokens"].contains(metric) else { throw AdminError(400, "Invalid metric", "metric: requests, tokens or cost") }
            let keys = try await reader.liveKeys()
            var series: [[String: Any]] = []
            var sums: [String: Double] = [:]
            for (label, bucket) in zip(axis.labels, axis.buckets) {
                let usage = try await reader.perKey(keys.map(\.id), axis.hourly ? .hour(bucket) : .day(bucket))
                var perKey: [String: Any] = [:]
                for (key, total) in zip(keys, usage) where total.requests > 0 {
                    perKey[key.id] = total.json.merging(["name": key.name]) { _, new in new }
                    sums[key.id, default: 0] += Self.measure(total, metric)
                }
                series.append([axis.hourly ? "hour" : "date": label, "label": label, "apiKeys": perKey])
            }
            let top = sums.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(10).map(\.key)
            return AdminReply.data(series, ["topApiKeys": Array(top), "totalApiKeys": keys.count, "metric": metric])
        }
        admin.get("account-usage-trend") { request, _ -> Response in
            let axis = try axis(request)
            let group = request.uri.queryParameters.get("group") ?? "claude"
            let labels = ["claude": "Claude", "gemini": "Gemini", "openai": "OpenAI", "droid": "Droid"]
            guard let groupLabel = labels[group] else { throw AdminError(400, "Invalid group", "group: claude, gemini, openai or droid") }
            let kinds = Self.groupKinds(group)
            let accounts = try await reader.allAccounts().filter { kinds.contains($0.kind) }
            var series: [[String: Any]] = []
            var sums: [String: Double] = [:]
            for (label, bucket) in zip(axis.labels, axis.buckets) {
                let period = axis.hourly ? "hourly" : "daily"
                let usage = try await reader.totals(accounts.map { RedisKeys.accountUsage(period, $0.id, bucket) })
                var perAccount: [String: Any] = [:]
                for (account, total) in zip(accounts, usage) where total.requests > 0 {
                    perAccount[account.id] = total.json.merging(["name": account.name, "platform": account.kind.name]) { _, new in new }
                    sums[account.id, default: 0] += Double(total.requests)
                }
                series.append([axis.hourly ? "hour" : "date": label, "label": label, "accounts": perAccount])
            }
            let top = sums.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(10).map(\.key)
            return AdminReply.data(series, ["topAccounts": Array(top), "totalAccounts": accounts.count, "group": group, "groupLabel": groupLabel])
        }
        admin.get("api-keys/:id/model-stats") { request, context -> Response in
            let id = try context.parameters.require("id")
            let period = request.uri.queryParameters.get("period") ?? "monthly"
            guard ["daily", "monthly"].contains(period) else { throw AdminError(400, "Invalid period", "period: daily or monthly") }
            return AdminReply.data(try await modelStats(period: period, keyID: id))
        }
    }

    private func axis(_ request: Request) throws -> Axis {
        let query = request.uri.queryParameters
        let granularity = query.get("granularity") ?? "day"
        guard ["day", "hour"].contains(granularity) else { throw AdminError(400, "Invalid granularity", "granularity: day or hour") }
        if granularity == "hour" {
            guard let start = query.get("startDate").flatMap(ISOTime.parse), let end = query.get("endDate").flatMap(ISOTime.parse), start <= end else {
                throw AdminError(400, "Invalid range", "granularity=hour needs startDate and endDate (ISO-8601), start before end")
            }
            let hours = reader.hours(from: start, to: end)
            return Axis(labels: hours.map { ISOTime.string($0.at) }, buckets: hours.map(\.bucket), hourly: true)
        }
        let days = Int(query.get("days") ?? "7") ?? 7
        guard (1...366).contains(days) else { throw AdminError(400, "Invalid days", "days: 1 to 366") }
        let dates = reader.recentDates(days)
        return Axis(labels: dates, buckets: dates, hourly: false)
    }

    private func modelStats(period: String, keyID: String? = nil) async throws -> [[String: Any]] {
        try await ModelUsage(reader: reader, prices: prices).rows(period: period, keyID: keyID)
    }

    /// The account kinds each chart group covers: those whose pool needs the group's key permission (`droid`, which
    /// Node's UI asks for, has none here).
    static func groupKinds(_ group: String) -> [AccountKind] { AccountKind.all.filter { $0.pool.permission == group } }

    static func measure(_ totals: UsageTotals, _ metric: String) -> Double {
        switch metric {
        case "cost": return totals.cost
        case "tokens": return Double(totals.allTokens)
        default: return Double(totals.requests)
        }
    }
}
