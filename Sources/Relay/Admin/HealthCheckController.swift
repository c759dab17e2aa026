import Foundation
import Hummingbird

/// `POST /admin/{kind}-accounts/:id/health-check` (check now) and `GET …/:id/health-history` (the last 50 checks,
/// newest first) for every account kind.
struct HealthCheckController {
    let kind: AccountKind
    let checks: AccountHealthChecks
    let store: AccountStore
    let redis: RedisClient

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.post(RouterPath("\(kind.adminPath)/:id/health-check")) { _, context -> Response in
            guard let account = try await store.fetch(kind, try context.parameters.require("id")) else {
                throw AdminError(404, "Not Found", "Account not found")
            }
            return AdminReply.data(await checks.check(account))
        }
        admin.get(RouterPath("\(kind.adminPath)/:id/health-history")) { _, context -> Response in
            let id = try context.parameters.require("id")
            guard try await store.fetch(kind, id) != nil else { throw AdminError(404, "Not Found", "Account not found") }
            let entries = try await redis.send("LRANGE", RedisArgument(AccountHealthChecks.historyKey(id)), 0, 49).array ?? []
            return AdminReply.data(entries.compactMap { $0.string.flatMap { JSON.object(Data($0.utf8)) } })
        }
    }
}
