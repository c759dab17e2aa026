import Foundation
import Hummingbird

/// `GET /admin/claude-accounts/usage`: for every Claude account (OAuth and Console), keyed by the same id the
/// account lists return, its recorded usage (all time and today) and 5-hour session window — or null when it
/// has served nothing yet (the accounts page shows "no statistics"). batches.md RS-D5.
struct AccountUsageController {
    let reader: UsageReader

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
    }
}
