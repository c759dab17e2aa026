import Foundation
import Hummingbird

/// `GET /admin/dashboard`, `/admin/stats/overview` and `/admin/usage-costs`: totals computed from the usage the
/// relay records (RS-B1, RS-B2) — every field the dashboard reads is present, zero on an empty store.
struct DashboardController {
    let reader: UsageReader
    let startedAt: Date

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("dashboard") { _, _ -> Response in AdminReply.data(try await dashboard()) }
        admin.get("stats/overview") { _, _ -> Response in
            let keys = try await reader.liveKeys()
            let total = try await reader.perKey(keys.map(\.id), .allTime).reduce(UsageTotals(), +)
            return AdminReply.ok(["stats": [
                "totalApiKeys": keys.count, "activeApiKeys": keys.filter(\.isActive).count,
                "totalUsage": [
                    "requests": total.requests, "inputTokens": total.input, "outputTokens": total.output,
                    "cacheCreationTokens": total.cacheCreate, "cacheReadTokens": total.cacheRead, "allTokens": total.allTokens,
                    "totalCost": total.cost, "formattedCost": CostFormat.string(total.cost),
                ],
            ]])
        }
        admin.get("usage-costs") { request, _ -> Response in
            let period = request.uri.queryParameters.get("period") ?? "today"
            let ids = try await reader.liveKeys().map(\.id)
            let counters: [String]
            switch period {
            case "today": counters = ids.map { RedisKeys.costDaily($0, reader.today) }
            case "7days": counters = reader.recentDates(7).flatMap { date in ids.map { RedisKeys.costDaily($0, date) } }
            case "monthly": counters = ids.map { RedisKeys.costMonthly($0, reader.month) }
            case "all": counters = ids.map(RedisKeys.costTotal)
            default: throw AdminError(400, "Invalid period", "period: today, 7days, monthly or all")
            }
            let total = try await reader.numbers(counters).reduce(0, +)
            return AdminReply.data([
                "period": period,
                "totalCosts": ["totalCost": total, "formatted": ["totalCost": CostFormat.string(total)]],
            ])
        }
    }

    private func dashboard() async throws -> [String: Any] {
        let keys = try await reader.liveKeys()
        let ids = keys.map(\.id)
        let allTime = try await reader.perKey(ids, .allTime).reduce(UsageTotals(), +)
        let today = try await reader.perKey(ids, .day(reader.today)).reduce(UsageTotals(), +)
        let accounts = try await reader.allAccounts()
        let now = reader.clock.now

        var byPlatform: [String: [String: Int]] = [:]
        var counts = ["normal": 0, "abnormal": 0, "paused": 0, "rateLimited": 0]
        for account in accounts {
            let state: String
            switch AccountHealth.availability(of: account, at: now) {
            case .available: state = "normal"
            case .rateLimited: state = "rateLimited"
            case .unavailable(let reason): state = (reason == "not schedulable" || reason == "inactive") ? "paused" : "abnormal"
            }
            counts[state, default: 0] += 1
            byPlatform[account.kind.name, default: ["total": 0, "normal": 0, "abnormal": 0, "paused": 0, "rateLimited": 0]][state, default: 0] += 1
            byPlatform[account.kind.name]!["total", default: 0] += 1
        }

        // Realtime: the last five minutes of system:metrics:minute:*.
        let minute = Int64(now.timeIntervalSince1970 / 60)
        let window = 5
        let recent = try await reader.totals((0..<Int64(window)).map { RedisKeys.systemMetricsMinute(minute - $0) }).reduce(UsageTotals(), +)
        // Long-run averages since the oldest key was created.
        let oldest = keys.compactMap { $0.fields["createdAt"].flatMap(ISOTime.parse) }.min() ?? now
        let minutes = max(1, now.timeIntervalSince(oldest) / 60)

        let redisConnected = (try? await reader.redis.ping()) != nil
        return [
            "overview": [
                "totalApiKeys": keys.count, "activeApiKeys": keys.filter(\.isActive).count,
                "totalAccounts": accounts.count, "normalAccounts": counts["normal"]!, "abnormalAccounts": counts["abnormal"]!,
                "pausedAccounts": counts["paused"]!, "activeAccounts": accounts.filter(\.isActive).count,
                "rateLimitedAccounts": counts["rateLimited"]!, "accountsByPlatform": byPlatform,
                "accountQuotas": Self.quotas(accounts, now: now),
                "totalRequestsUsed": allTime.requests, "totalTokensUsed": allTime.allTokens, "totalInputTokensUsed": allTime.input,
                "totalOutputTokensUsed": allTime.output, "totalCacheCreateTokensUsed": allTime.cacheCreate,
                "totalCacheReadTokensUsed": allTime.cacheRead, "totalCost": allTime.cost,
            ],
            "recentActivity": [
                "requestsToday": today.requests, "tokensToday": today.allTokens, "inputTokensToday": today.input,
                "outputTokensToday": today.output, "cacheCreateTokensToday": today.cacheCreate, "cacheReadTokensToday": today.cacheRead,
                "costToday": today.cost,
            ],
            "systemAverages": ["rpm": Double(allTime.requests) / minutes, "tpm": Double(allTime.allTokens) / minutes],
            "realtimeMetrics": [
                "rpm": Double(recent.requests) / Double(window), "tpm": Double(recent.allTokens) / Double(window),
                "windowMinutes": window, "isHistorical": false,
            ],
            "systemHealth": ["redisConnected": redisConnected, "uptime": Int(Date().timeIntervalSince(startedAt))],
            "systemTimezone": reader.offsetHours,
        ]
    }

    /// Accounts with a daily quota: spend of the window in force against it, most used first (the dashboard's summary).
    static func quotas(_ accounts: [AccountRecord], now: Date) -> [[String: Any]] {
        accounts.compactMap { account -> (Double, [String: Any])? in
            guard let quota = AccountQuota.of(account) else { return nil }
            let used = AccountQuota.spent(account, at: now)
            let stopped = AccountQuota.stoppedUntil(account, at: now)
            return (used / quota.limit, ["id": account.id, "name": account.name, "platform": account.kind.platform, "used": used,
                                         "dailyQuota": quota.limit, "exceeded": stopped != nil,
                                         "resetAt": stopped.map { ISOTime.string($0) as Any } ?? NSNull()])
        }.sorted { $0.0 > $1.0 }.map(\.1)
    }
}
