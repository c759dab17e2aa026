import Foundation
import Hummingbird

/// `GET /admin/claude-accounts/usage`: for every Claude account (OAuth and Console), keyed by the same id the
/// account lists return, its recorded usage (all time and today) and 5-hour session window — or null when it
/// has served nothing yet (the accounts page shows "no statistics"). RS-D5.
struct AccountUsageController {
    let reader: UsageReader
    let prices: PriceBook

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("claude-accounts/usage") { _, _ -> Response in
            let accounts = try await reader.allAccounts()
            let allTime = try await reader.totals(accounts.map { RedisKeys.accountUsageTotal($0.id) })
            let today = try await reader.totals(accounts.map { RedisKeys.accountUsage("daily", $0.id, reader.today) })
            var map: [String: Any] = [:]
            for (index, account) in accounts.enumerated() {
                guard allTime[index].requests > 0 else {
                    map[account.id] = NSNull()
                    continue
                }
                var usage: [String: Any] = ["total": allTime[index].json, "today": today[index].json, "platform": account.kind.name]
                if let start = account.nonEmpty("sessionWindowStart"), let end = account.nonEmpty("sessionWindowEnd") {
                    usage["sessionWindow"] = ["start": start, "end": end, "status": account.nonEmpty("sessionWindowStatus").map { $0 as Any } ?? NSNull()]
                }
                map[account.id] = usage
            }
            return AdminReply.data(map)
        }
        // Node's error history: an account's upstream failures, newest first (`offset`, `limit` 1–500), and clearing it.
        // (The router wants one parameter name per position: the first segment, the account type, is `:id` here.)
        admin.get("accounts/:id/:accountID/error-history") { request, context -> Response in
            let key = RedisKeys.errorHistory(try context.parameters.require("id"), try context.parameters.require("accountID"))
            let offset = max(0, Int(request.uri.queryParameters.get("offset") ?? "0") ?? 0)
            let limit = min(500, max(1, Int(request.uri.queryParameters.get("limit") ?? "50") ?? 50))
            let reply = try await reader.redis.send("LRANGE", RedisArgument(key), RedisArgument(offset), RedisArgument(offset + limit - 1))
            let entries = (reply.array ?? []).compactMap { $0.string.flatMap { JSON.object(Data($0.utf8)) } }.filter { $0["time"] != nil }
            return AdminReply.data(entries)
        }
        admin.delete("accounts/:id/:accountID/error-history") { _, context -> Response in
            let key = RedisKeys.errorHistory(try context.parameters.require("id"), try context.parameters.require("accountID"))
            _ = try await reader.redis.send("DEL", RedisArgument(key))
            return AdminReply.ok([:])
        }
        // The account's detail dialog: its usage per day for the last `days` days, priced per model.
        admin.get("accounts/:id/usage-history") { request, context -> Response in
            let id = try context.parameters.require("id")
            let days = Int(request.uri.queryParameters.get("days") ?? "30") ?? 0
            guard (1...31).contains(days) else { throw AdminError(400, "Invalid days", "days: 1 to 31 (daily buckets are kept 32 days)") }
            let platform = request.uri.queryParameters.get("platform")
            let kinds = AccountKind.all.filter { platform == nil || $0.platform == platform || $0.usageType == platform || $0.name == platform }
            var found: AccountRecord?
            for kind in kinds where found == nil { found = try await reader.accounts.get(kind, id) }
            guard let account = found else { throw AdminError(404, "Not Found", "Account not found") }
            return AdminReply.data(try await history(account, days: days))
        }
    }

    /// Per day: requests, tokens and the cost of each model's tokens at today's prices (Node's usage-history).
    private func history(_ account: AccountRecord, days: Int) async throws -> [String: Any] {
        let dates = reader.recentDates(days)
        let daily = try await reader.totals(dates.map { RedisKeys.accountUsage("daily", account.id, $0) })
        // Cost per day: every per-model daily bucket of the account, found with one SCAN and read in one pipeline.
        let prefix = RedisKeys.accountUsageModelPrefix("daily", account.id)
        let found = try await reader.redis.scan(match: prefix + "*")
        let hashes = try await reader.redis.pipeline(found.map { RedisCommand("HGETALL", RedisArgument($0)) })
        var costByDate: [String: Double] = [:]
        for (key, hash) in zip(found, hashes) {
            let rest = key.dropFirst(prefix.count)
            guard let colon = rest.lastIndex(of: ":") else { continue }
            let date = String(rest[rest.index(after: colon)...])
            let (_, cost) = ModelUsage.priced(hash.stringDictionary, model: String(rest[..<colon]), table: prices.table)
            costByDate[date, default: 0] += cost?.total ?? 0
        }
        var rows: [[String: Any]] = []
        var sum = UsageTotals()
        for (date, total) in zip(dates, daily) {
            var total = total
            total.cost = costByDate[date] ?? 0
            sum = sum + total
            rows.append(total.json.merging(["date": date, "tokens": total.allTokens]) { _, new in new })
        }
        let active = rows.filter { ($0["requests"] as? Int ?? 0) > 0 }.count
        let summary: [String: Any] = [
            "days": days, "activeDays": active, "totalRequests": sum.requests, "totalTokens": sum.allTokens, "totalCost": sum.cost,
            "formattedTotalCost": CostFormat.string(sum.cost), "avgDailyRequests": Double(sum.requests) / Double(days),
            "avgDailyCost": sum.cost / Double(days),
        ]
        let overview: [String: Any] = ["id": account.id, "name": account.name, "platform": account.kind.platform,
                                       "status": account.nonEmpty("status") ?? "active"]
        return ["history": rows, "summary": summary, "overview": overview, "generatedAt": ISOTime.string(reader.clock.now)]
    }
}
